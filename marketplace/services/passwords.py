"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from marketplace.i18n import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 256
_COMMON_FILE = Path(__file__).resolve().parents[2] / "seeds" / "common_passwords.txt"

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _current_hasher() -> PasswordHasher:
    try:
        return _fast_hasher if current_app.config.get("PASSWORD_HASH_FAST") else _hasher
    except RuntimeError:  # outside an app context (CLI scripts)
        return _hasher


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    words = _COMMON_FILE.read_text(encoding="utf-8").split()
    return frozenset(w.strip().casefold() for w in words if w.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """The reason a password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))
    folded = password.casefold()
    if folded in common_passwords() or len(set(folded)) < 3:
        return str(_l("This password is too common. Choose one that is harder to guess."))
    local = email.split("@", 1)[0].casefold()
    if local and len(local) >= 4 and local in folded:
        return str(_l("The password must not contain your e-mail address."))
    return None


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against for unknown e-mails, so both failures take the same time."""
    return _hasher.hash("dummy-password-for-timing")


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
