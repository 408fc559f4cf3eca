"""Canonical e-mail addresses and visible display names: one account per person, no look-alikes."""
from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from marketplace.i18n import lazy_gettext as _l
from marketplace.services.errors import DomainError

# What may stand before the @ once the address is canonical: plain ASCII, as every mail system takes it.
# Anything else (Cyrillic `ѕ`, Greek `ο`, ...) only looks like these letters.
_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~.-]+")

# Characters that draw nothing although Unicode calls them letters or symbols.
_BLANK_LOOKING = frozenset(
    "\u115f\u1160\u3164\uffa0"  # Hangul fillers
    "\u2800"  # Braille blank
    "\u180e\u17b4\u17b5"  # Mongolian vowel separator, Khmer inherent vowels
    "\u034f"  # combining grapheme joiner
)


def canonical_email(raw: str | None) -> str:
    """The form every look-up and every stored address uses: NFKC (fullwidth `ｓ` → `s`, `ſ` → `s`),
    surrounding blanks removed, case-folded. No validation: sign-in looks up whatever was typed."""
    return unicodedata.normalize("NFKC", raw or "").strip().casefold()


def _scripts(text: str) -> set[str]:
    """Unicode script of each letter, from the character name (LATIN, HANGUL, CYRILLIC, CJK, ...)."""
    scripts = set()
    for char in text:
        if char.isalpha():
            scripts.add(unicodedata.name(char, "UNKNOWN").split(" ", 1)[0])
    return scripts


def normalize_email(raw: str | None) -> str:
    """The canonical address, or DomainError on `email` for invalid or look-alike addresses."""
    email = canonical_email(raw)
    try:
        result = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(str(_l("Enter a valid e-mail address.")), field="email") from None
    local, domain = result.local_part.casefold(), result.domain.casefold()
    if not _LOCAL_PART.fullmatch(local):
        raise DomainError(
            str(_l("Use only Latin letters, digits and . _ - + before the @ (characters from other alphabets "
                   "can look like Latin ones).")),
            field="email",
        )
    for label in domain.split("."):
        if label.isascii():
            continue
        if _scripts(label) - {"HANGUL"}:
            raise DomainError(
                str(_l("Write the domain after the @ in Latin letters (a Korean domain name is fine).")),
                field="email",
            )
    return f"{local}@{domain}"


def clean_display_name(raw: str | None) -> str:
    """The name to store: NFC, blanks and invisible characters trimmed from both ends, runs of spaces
    collapsed. DomainError on `display_name` when nothing visible is left or it hides characters."""
    name = unicodedata.normalize("NFC", raw or "")
    if any(unicodedata.category(char) in {"Cc", "Cf", "Co", "Cn", "Cs"} and char not in "\u200c\u200d"
           for char in name):
        raise DomainError(str(_l("The name contains invisible or control characters; type it again.")),
                          field="display_name")
    name = " ".join(name.split())
    visible = [char for char in name if not _invisible(char)]
    if not visible:
        raise DomainError(str(_l("Enter your name in visible letters.")), field="display_name")
    if not any(unicodedata.category(char)[0] in "LN" for char in visible):
        raise DomainError(str(_l("Enter your name in visible letters.")), field="display_name")
    return name


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        char in _BLANK_LOOKING
        or char.isspace()
        or category in {"Zs", "Zl", "Zp", "Mn", "Me", "Cf"}
    )
