"""Passwords: the rules for a new one, and argon2id hashes (argon2-cffi). A password is
kept only as its hash, never in clear, and never appears in an error message."""

from __future__ import annotations

import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from stockcore.accounts.errors import InvalidPassword
from stockcore.domain import text_problem

PASSWORD_MIN_LENGTH: Final = 8
PASSWORD_MAX_LENGTH: Final = 1024

_HASHER = PasswordHasher()
# Made on first use: the hash checked when no account matches, so that an unknown
# username takes as long to refuse as a wrong password.
_DUMMY_HASH: list[str] = []


def parse_password(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidPassword("must be text")
    if len(value) < PASSWORD_MIN_LENGTH or not value.strip():
        raise InvalidPassword(f"must be at least {PASSWORD_MIN_LENGTH} characters")
    if len(value) > PASSWORD_MAX_LENGTH:
        raise InvalidPassword(f"must not be longer than {PASSWORD_MAX_LENGTH} characters")
    if text_problem(value) is not None:
        raise InvalidPassword("must not contain control characters (a tab, a line break, NUL...)")
    return value


def hash_password(password: str) -> str:
    """The argon2id hash of a password (slow on purpose: hash outside any transaction)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; without an account, spend the same time on a dummy hash."""
    if password_hash is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(_HASHER.hash(secrets.token_urlsafe(16)))
        password_hash = _DUMMY_HASH[0]
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than the current ones."""
    return bool(_HASHER.check_needs_rehash(password_hash))
