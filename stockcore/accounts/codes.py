"""One-time secrets handed to people (invitation codes, API keys): made at random, shown
once, and kept only as a SHA-256 digest and their first characters.

The secrets carry 256 random bits, so a fast digest is enough: nobody can guess one from
its digest (unlike passwords, which need argon2)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

PREFIX_LENGTH: Final = 12  # characters kept in clear to tell secrets apart
MAX_LENGTH: Final = 100  # longer input is refused before it is hashed


def new_secret(kind: str) -> str:
    """A fresh secret starting with `kind` (e.g. "sck_"), 256 random bits after it."""
    return kind + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def prefix(secret: str) -> str:
    return secret[:PREFIX_LENGTH]
