"""Search of openings across Korean and English: one token document per opening, one query, two backends.

A document holds the opening's words (Latin words whole, Korean runs whole and as syllable bigrams), a marker
token per required skill (`zzsk` + skill id) and per known place (`zzpl` + place id, from seeds/places.json).
A query word that names a skill in either language (the vocabulary's aliases) or a known place matches its
marker or any of its names; other words match whole tokens only (`CT` never matches inside "project").
SQLite answers through an FTS5 table (bm25 relevance), PostgreSQL through a GIN-indexed tsvector (ts_rank).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy import Select, func, literal_column
from sqlalchemy.dialects import postgresql

from marketplace.extensions import db
from marketplace.matching import vocabulary
from marketplace.matching.normalize import compact, normalize
from marketplace.models import Opening, OpeningSearch

PLACES_PATH = Path(__file__).resolve().parents[2] / "seeds" / "places.json"
MAX_WORDS = 8
MAX_PHRASE = 4  # words tried together as one skill or place name ("deep learning", "Seoul National")
SKILL_MARK, PLACE_MARK = "zzsk", "zzpl"

_TOKEN = re.compile(r"[0-9a-z]+|[\uac00-\ud7a3]+")
_SYMBOLS = ((re.compile(r"(?<=[0-9a-z])\+\+"), "plusplus"), (re.compile(r"(?<=[a-z])#"), "sharp"))


def _prepared(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    for pattern, replacement in _SYMBOLS:
        text = pattern.sub(replacement, text)
    return text


def _is_hangul(token: str) -> bool:
    return "\uac00" <= token[0] <= "\ud7a3"


def words(text: str) -> list[str]:
    """Whole tokens: Latin letters and digits, Korean runs (`C++` -> `cplusplus`, `X-ray` -> `x`, `ray`)."""
    return _TOKEN.findall(_prepared(text))


def bigrams(token: str) -> list[str]:
    return [token[i:i + 2] for i in range(len(token) - 1)] if len(token) > 1 else [token]


def tokens(text: str) -> list[str]:
    """Index tokens of a text: every whole token, and the syllable bigrams of Korean runs (so 서울 is
    found inside 서울에서 and 딥러닝 inside 딥러닝을)."""
    out = []
    for token in words(text):
        out.append(token)
        if _is_hangul(token) and len(token) > 2:
            out.extend(bigrams(token))
    return out


def _mark(prefix: str, ident: str) -> str:
    return prefix + re.sub(r"[^0-9a-z]", "", ident.casefold())


@dataclass(frozen=True)
class Place:
    id: str
    names: tuple[str, ...]


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    data = json.loads(PLACES_PATH.read_text(encoding="utf-8"))
    return tuple(Place(p["id"], tuple(p["en"]) + tuple(p["ko"])) for p in data["places"])


@lru_cache(maxsize=1)
def _place_index() -> dict[str, Place]:
    return {" ".join(words(name)): place for place in places() for name in place.names}


def place_named(text: str) -> Place | None:
    """The known place a text names exactly (`수원`, `Suwon`, `수원시`), else None."""
    return _place_index().get(" ".join(words(text)))


def places_in(text: str) -> list[Place]:
    """Known places a location or title mentions, in either language."""
    found = []
    joined = " " + " ".join(words(text)) + " "
    for place in places():
        for name in place.names:
            key = " ".join(words(name))
            hit = key in joined if _is_hangul(key) else f" {key} " in joined
            if hit:
                found.append(place)
                break
    return found


def _skill_named(text: str):
    index = vocabulary().alias_index.get(compact(normalize(text)))
    return vocabulary().skills[index] if index is not None else None


# -- documents ----------------------------------------------------------------------------------------------


def document_for(title: str, description: str, company: str, location: str,
                 skills: list[tuple[str, str | None]]) -> str:
    """The token document of an opening; skills are (name as written, canonical skill id or None)."""
    parts = tokens(title) * 2 + tokens(company) + tokens(location) + tokens(description)
    for name, skill_id in skills:
        parts += tokens(name)
        if skill_id:
            parts.append(_mark(SKILL_MARK, skill_id))
    for place in places_in(f"{location} {title}"):
        parts.append(_mark(PLACE_MARK, place.id))
    return " ".join(parts)


def opening_document(opening: Opening) -> str:
    return document_for(opening.title, opening.description or "", opening.company.name, opening.location or "",
                        [(s.display_name or s.name, s.skill_id) for s in opening.skills])


def index_opening(opening: Opening) -> None:
    """Write (or rewrite) the opening's search document; flushes, never commits."""
    db.session.flush()
    document = opening_document(opening)
    row = db.session.get(OpeningSearch, opening.id)
    if row is None:
        db.session.add(OpeningSearch(opening_id=opening.id, document=document))
    elif row.document != document:
        row.document = document
    db.session.flush()


def reindex_company(company_id: int) -> None:
    for opening in db.session.scalars(sa.select(Opening).where(Opening.company_id == company_id)):
        index_opening(opening)


def reindex_all() -> int:
    """Rebuild every opening's document (after a vocabulary or gazetteer change); returns the count."""
    count = 0
    for opening in db.session.scalars(sa.select(Opening)):
        index_opening(opening)
        count += 1
    return count


# -- queries ------------------------------------------------------------------------------------------------


@dataclass
class SearchQuery:
    """A parsed query: groups that must all match; each group is alternatives, each a list of tokens that
    must all be present. `highlights` are the surface forms to mark in results."""

    groups: list[list[list[str]]] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def fts5(self) -> str:
        return " AND ".join(
            "(" + " OR ".join("(" + " AND ".join(f'"{t}"' for t in alt) + ")" for alt in group) + ")"
            for group in self.groups)

    def tsquery(self) -> str:
        return " & ".join(
            "(" + " | ".join("(" + " & ".join(f"'{t}'" for t in alt) + ")" for alt in group) + ")"
            for group in self.groups)


def _word_alternative(text: str) -> list[str]:
    out = []
    for token in words(text):
        out.extend(bigrams(token) if _is_hangul(token) and len(token) > 2 else [token])
    return out


def _names_alternatives(names, typed: str) -> list[list[str]]:
    alternatives = []
    for name in names:
        if len(compact(normalize(name))) < 3 and name.casefold() != typed.casefold():
            continue  # short aliases ("py", "dl") would match unrelated words
        alternative = _word_alternative(name)
        if alternative and alternative not in alternatives:
            alternatives.append(alternative)
    return alternatives


def parse_query(q: str) -> SearchQuery:
    """Groups from the user's words: the longest run of words naming a skill or place becomes one group
    matching the marker or any of its names, in either language; any other word matches whole tokens."""
    raw = q.split()[:MAX_WORDS]
    query = SearchQuery()
    i = 0
    while i < len(raw):
        for j in range(min(len(raw), i + MAX_PHRASE), i, -1):
            phrase = " ".join(raw[i:j])
            skill = _skill_named(phrase)
            place = None if skill else place_named(phrase)
            if skill or place:
                names = skill.names if skill else place.names
                marker = _mark(SKILL_MARK, skill.id) if skill else _mark(PLACE_MARK, place.id)
                query.groups.append([[marker], *_names_alternatives(names, phrase)])
                query.highlights += [n for n in names if len(compact(normalize(n))) >= 2 or n == phrase]
                i = j
                break
        else:
            alternative = _word_alternative(raw[i])
            if alternative:
                query.groups.append([alternative])
                query.highlights.append(raw[i])
            i += 1
    return query


def apply_search(query: Select, search: SearchQuery) -> Select:
    """Keep the openings whose document matches; best first. Same answers on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        vector = literal_column("opening_search.document_tsv")  # to_tsvector('simple', document), stored
        tsquery = sa.cast(sa.literal(search.tsquery()), postgresql.TSQUERY)
        return (query.join(OpeningSearch, OpeningSearch.opening_id == Opening.id)
                .where(vector.op("@@")(tsquery))
                .order_by(func.ts_rank(vector, tsquery).desc()))
    # The matches are found once, in a materialised CTE, then joined: joined directly, SQLite may drive the
    # join from `opening` and run the MATCH once per opening (seconds for the page's count at 5,000 openings).
    fts = sa.table("opening_search_fts", sa.column("rowid"))
    hits = (sa.select(fts.c.rowid.label("opening_id"), func.bm25(literal_column("opening_search_fts")).label("rank"))
            .where(sa.text("opening_search_fts MATCH :search_expression").bindparams(search_expression=search.fts5()))
            .cte("search_hits").prefix_with("MATERIALIZED"))
    return query.join(hits, hits.c.opening_id == Opening.id).order_by(hits.c.rank)


# -- highlighting -------------------------------------------------------------------------------------------


def _pattern(term: str) -> str | None:
    """A regex for a term as whole words: separators optional between its parts (`X-ray` = `X ray`)."""
    parts = re.findall(r"[0-9A-Za-z]+|[\uac00-\ud7a3]+|\+\+|#", unicodedata.normalize("NFKC", term))
    if not parts:
        return None
    body = r"[\s\-_./]*".join(map(re.escape, parts))
    if parts[0][0].isascii() and parts[0][0].isalnum():
        body = r"(?<![0-9A-Za-z])" + body
    if parts[-1][-1].isascii() and parts[-1][-1].isalnum():
        body += r"(?![0-9A-Za-z+#])"
    elif parts[-1] in ("++", "#"):
        body += r"(?![0-9A-Za-z+#])"
    return body


@lru_cache(maxsize=256)
def _highlighter(terms: tuple[str, ...]) -> re.Pattern | None:
    patterns = sorted({p for p in map(_pattern, terms) if p}, key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


def highlight(text: str | None, terms: list[str] | tuple[str, ...]) -> Markup:
    """The text, HTML-escaped, with every matched term wrapped in <mark>: safe to render as is."""
    text = text or ""
    pattern = _highlighter(tuple(terms)) if terms else None
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for found in pattern.finditer(text):
        if found.end() == found.start():
            continue
        out.append(escape(text[last:found.start()]))
        out.append(Markup("<mark>") + escape(found.group(0)) + Markup("</mark>"))
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str | None, terms: list[str] | tuple[str, ...], width: int = 160) -> Markup:
    """A short stretch of the text around its first matched term, highlighted (the start when none)."""
    text = " ".join((text or "").split())
    pattern = _highlighter(tuple(terms)) if terms else None
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - width // 3) if found else 0
    piece = text[start:start + width]
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return escape(prefix) + highlight(piece, terms) + escape(suffix)
