"""The Korean catalogue: complete, and every translation keeps the placeholders of its English source."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "marketplace" / "translations" / "ko" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def messages():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        return [m for m in read_po(handle, locale="ko") if m.id]


def test_every_message_is_translated():
    untranslated = [m.id for m in messages() if not (m.string if isinstance(m.string, str) else any(m.string))]
    assert untranslated == []


def test_translations_keep_placeholders_and_have_no_stray_percent_signs():
    for message in messages():
        source = message.id if isinstance(message.id, str) else message.id[0]
        for text in ([message.string] if isinstance(message.string, str) else message.string):
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source)), source
            # Jinja's gettext always applies `%`, so a lone % in a translation breaks the page.
            assert not re.search(r"%(?!\(\w+\)[sd]|%)", text.replace("%%", "")), text


def test_compiled_catalogue_matches_its_source():
    from babel.support import Translations

    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = Translations(handle)
    for message in messages():
        if isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, "run `make translations` (stale .mo)"
        else:
            assert compiled.ngettext(message.id[0], message.id[1], 2) == message.string[0]


def test_every_message_of_the_code_and_templates_is_in_the_catalogue():
    """Extraction as `make translations` runs it, _macros included (babel skips folders starting with '_'
    unless told otherwise, which left the shared macros' strings in English on Korean pages)."""
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parents[2]
    method_map = [("marketplace/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    used = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map=method_map, keywords=keywords,
            directory_filter=lambda path: not Path(path).name.startswith(".") and Path(path).name not in (
                "node_modules", "__pycache__", "tests", "bench", "migrations", "static", "instance")):
        used.add(message if isinstance(message, str) else message[0])
    catalogued = {m.id if isinstance(m.id, str) else m.id[0] for m in messages()}
    assert sorted(used - catalogued) == []


def test_korean_translations_carry_no_english_fragments():
    """"정원이 찼습니다 (opening is full)" reads as untranslated; only sign-in labels keep their English beside
    the Korean (people type their e-mail and password on shared computers set to either language) and XLSX."""
    kept = {"(Email)", "(Password)", "(XLSX)"}
    fragments = []
    for message in messages():
        for text in ([message.string] if isinstance(message.string, str) else message.string):
            fragments += [f for f in re.findall(r"\((?!\w+\)[sd])[A-Za-z][A-Za-z ,.'-]*\)", text) if f not in kept]
    assert fragments == []
