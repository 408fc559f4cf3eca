"""What a browser would post from a page's form: every field as the page shows it (stdlib parser only)."""
from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self.actions: list[str] = []
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = True
            self.fields = []
            self.forms.append(self.fields)
            self.actions.append(a.get("action") or "")
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, []]

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        elif self._option is not None:
            self._option[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._options.append((value if value is not None else "".join(text).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected] or \
                [value for value, _ in self._options[:1]]
            self.fields.extend((self._select, value) for value in chosen)
            self._select = None


def form_fields(html: str, having: str) -> dict[str, list[str] | str]:
    """The page's first <form> with a field named `having`, as a dict for the test client (repeated names
    become lists)."""
    reader = _FormReader()
    reader.feed(html)
    for fields in reader.forms:
        if any(name == having for name, _ in fields):
            out: dict[str, list[str]] = {}
            for name, value in fields:
                out.setdefault(name, []).append(value)
            return {name: values[0] if len(values) == 1 else values for name, values in out.items()}
    raise AssertionError(f"no form with a field named {having!r} on the page")


def forms_by_action(html: str) -> dict[str, set[str]]:
    """{form action: names of its fields} for every form of the page."""
    reader = _FormReader()
    reader.feed(html)
    out: dict[str, set[str]] = {}
    for action, fields in zip(reader.actions, reader.forms):
        out.setdefault(action, set()).update(name for name, _ in fields)
    return out
