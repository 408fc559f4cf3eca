"""Skill-name normalisation: Unicode, case, separators, versions, Korean spacing and jamo."""
from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 100

# A trailing version: "Python 3", "python3.11", "YOLOv8", "ISO 13485:2016", "Python 3.x".
# The look-behind stops it from eating the tail of a longer number ("ISO 13485" stays whole).
_VERSION = re.compile(r"(?<![\d.])[\s\-_:]?v?(?P<v>\d{1,2}(?:\.\d{1,3})*(?:\.x)?|(?:19|20)\d\d)$")
_DROPPED = frozenset("'’‘`´")
_KEPT_SYMBOLS = frozenset("+#")
_SPACES = re.compile(r"\s+")

# Korean loan-word spellings that people write both ways.
_KOREAN_VARIANTS = (
    ("데이타", "데이터"),
    ("플로우", "플로"),
    ("메디칼", "메디컬"),
    ("클리니칼", "클리니컬"),
    ("알고리듬", "알고리즘"),
    ("씨스템", "시스템"),
    ("컴퓨타", "컴퓨터"),
)

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
# Compatibility jamo typed on their own (ㄹ, ㅆ, ㅏ ...) mapped onto the conjoining forms that
# decomposed syllables use, so a half-typed syllable still prefixes the whole word.
_COMPAT_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_COMPAT_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_COMPAT_TO_CONJOINING = {ch: chr(0x1100 + i) for i, ch in enumerate(_COMPAT_INITIALS)}
_COMPAT_TO_CONJOINING.update({ch: chr(0x1161 + i) for i, ch in enumerate(_COMPAT_VOWELS)})


def _strip_version(text: str) -> str:
    for _ in range(2):
        found = _VERSION.search(text)
        if not found:
            break
        base = text[: found.start()].rstrip(" -_:")
        letters = sum(ch.isalpha() for ch in base)
        if base and (letters >= 3 or base.endswith(("+", "#")) or "." in found.group("v")):
            text = base
        else:
            break
    return text


def normalize(name: str) -> str:
    """The comparable form of a skill name ("" when nothing meaningful is left).

    NFKC, case-fold, trailing version dropped, every separator turned into one space, while the
    characters that make a different skill (`+` and `#`: C, C++, C#, F#) are kept.
    """
    if not isinstance(name, str):
        raise TypeError(f"skill name must be a string, not {type(name).__name__}")
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _strip_version(text)
    out = []
    for ch in text:
        if ch in _DROPPED:
            continue
        if ch.isalnum() or ch in _KEPT_SYMBOLS or unicodedata.category(ch).startswith("M"):
            out.append(ch)
        else:
            out.append(" ")
    return _SPACES.sub(" ", "".join(out)).strip()


def compact(normalized: str) -> str:
    """The lookup key of a normalised name: spacing removed (`의료 영상` = `의료영상`,
    `node js` = `nodejs`) and common Korean loan-word spellings unified."""
    key = normalized.replace(" ", "")
    if any(_HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST for ch in key):
        for variant, standard in _KOREAN_VARIANTS:
            key = key.replace(variant, standard)
    return key


def name_key(name: str) -> str:
    return compact(normalize(name))


def hangul_syllables(text: str) -> int:
    return sum(_HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST for ch in text)


def has_hangul(text: str) -> bool:
    return any(_HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST or ch in _COMPAT_TO_CONJOINING for ch in text)


def to_jamo(text: str) -> str:
    """Hangul syllables split into their letters, so a one-letter typo costs one edit."""
    out = []
    for ch in text:
        code = ord(ch)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            offset = code - _HANGUL_FIRST
            initial, rest = divmod(offset, 588)
            vowel, final = divmod(rest, 28)
            out.append(chr(0x1100 + initial))
            out.append(chr(0x1161 + vowel))
            if final:
                out.append(chr(0x11A7 + final))
        else:
            out.append(_COMPAT_TO_CONJOINING.get(ch, ch))
    return "".join(out)


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def check_name(name: object, what: str = "skill name") -> str:
    """Validate a user-supplied name and return its normalised form, or raise ValueError."""
    if not isinstance(name, str):
        raise ValueError(f"{what} must be a string, not {type(name).__name__}")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"{what} is too long ({len(name)} characters; at most {MAX_NAME_LENGTH})")
    normalized = normalize(name)
    if not normalized:
        raise ValueError(f"{what} must contain letters or digits, got {name!r}")
    return normalized
