"""Safe Markdown for text users write (forum posts, contest rules, problem statements): no raw HTML, vetted links."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markupsafe import Markup

# Schemes a link may use; anything else (javascript:, vbscript:, data:, file:, ...) is dropped and the link text
# stays as plain text. Scheme-less links (relative paths, #anchors, ?queries) are kept.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
# A scheme as a browser would read it once it has dropped whitespace and control characters.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def link_is_safe(url: str) -> bool:
    """True for http(s)/mailto links and scheme-less (relative) ones.

    The URL is judged the way a browser would read it: percent-escapes decoded (twice, for double-encoding),
    entities already decoded by the parser, whitespace and control characters removed, NFKC-folded (full-width
    letters). A colon before the first '/', '?' or '#' with no allowed scheme is refused, so nothing that could
    become a scheme slips through as a "relative" link.
    """
    candidate = url
    for _round in range(2):
        candidate = unquote(candidate)
    candidate = _INVISIBLE.sub("", unicodedata.normalize("NFKC", candidate))
    if candidate.startswith("\\"):
        return False  # browsers read "\\host" like "//host"; fine in itself, but "\" tricks are never needed
    match = _SCHEME.match(candidate)
    if match:
        return match.group(1).lower() in ALLOWED_SCHEMES
    head = re.split(r"[/?#]", candidate, maxsplit=1)[0]
    return ":" not in head


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Images are off: a forum post must not load third-party resources in a reader's browser (tracking pixels,
    # huge files). ![alt](url) renders as "!" followed by an ordinary, vetted link.
    md.disable("image")
    md.validateLink = link_is_safe
    md.options["maxNesting"] = 20

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", LINK_REL)
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


_MD = _build()


def render(text: str | None) -> Markup:
    """The text as HTML, safe to put in a page: raw HTML is shown as text, unsafe links stay text, no images."""
    if not text:
        return Markup("")
    # Markup only after rendering: the renderer (html=False, links validated, images off) escapes every piece of
    # user text it emits; tests/unit/test_markdown.py pins 40 XSS payloads.
    return Markup(_MD.render(text))  # nosec B704


def plain_excerpt(text: str | None, length: int = 160) -> str:
    """A one-line excerpt of Markdown source for lists and notifications (escaped by Jinja where shown)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
