"""API tokens: JWTs (HS256) that name an account and expire; and the key that signs them,
from STOCKCORE_SECRET_KEY or a secrets file made on first use (see `load_secret_key`).

A token also carries its id (`jti`, so one token can be signed out) and the account's
session generation (`gen`, so all of them can): `sessions` checks both on every request.

The dashboard keeps its sign-in in a browser cookie holding the same kind of token, marked
for the dashboard (`aud`, `DASHBOARD_AUDIENCE`): the API refuses it, and the dashboard
refuses an API token. How long it lasts is `STOCKCORE_SIGN_IN_DAYS` (`sign_in_lifetime`)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import jwt
from sqlalchemy.engine import make_url

from stockcore.accounts.errors import InvalidToken
from stockcore.accounts.throttle import utc_now
from stockcore.accounts.users import User
from stockcore.domain import InvalidValue, StockcoreError
from stockcore.persistence.db import DEFAULT_SQLITE_PATH

TOKEN_TTL: Final = timedelta(hours=12)
TOKEN_ALGORITHM: Final = "HS256"
SECRET_KEY_ENV: Final = "STOCKCORE_SECRET_KEY"
SECRET_KEY_FILE_ENV: Final = "STOCKCORE_SECRET_KEY_FILE"
SECRET_KEY_MIN_LENGTH: Final = 32
# The dashboard's sign-in cookie: a token for this audience only, lasting this long.
DASHBOARD_AUDIENCE: Final = "stockcore-dashboard"
SIGN_IN_DAYS_ENV: Final = "STOCKCORE_SIGN_IN_DAYS"
DEFAULT_SIGN_IN_DAYS: Final = 7
MAX_SIGN_IN_DAYS: Final = 365


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_token(
    user: User,
    secret_key: str,
    *,
    now: datetime | None = None,
    ttl: timedelta = TOKEN_TTL,
    audience: str | None = None,
) -> IssuedToken:
    """A signed token naming the account; it expires after `ttl` (default 12 hours). A
    token for an `audience` (the dashboard's) is refused where another one is expected."""
    issued = now or utc_now()
    expires = issued + ttl
    claims: dict[str, object] = {
        "sub": user.user_id,
        "role": user.role.value,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_hex(8),
        "gen": user.session_generation,
    }
    if audience is not None:
        claims["aud"] = audience
    return IssuedToken(jwt.encode(claims, secret_key, algorithm=TOKEN_ALGORITHM), expires)


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: whose it is, its id, its account's session generation when
    it was issued, and when it expires (UTC)."""

    user_id: str
    jti: str
    generation: int
    expires_at: datetime


def read_token(
    token: str, secret_key: str, *, now: datetime | None = None, audience: str | None = None
) -> TokenClaims:
    """The claims of a token; refuses a forged, malformed or expired one, and one made for
    another audience than `audience` (None: an API token, which has none). (Whether it was
    signed out, or its account disabled, is for `sessions.user_for_token` to say.)

    Expiry is checked against `now` (tests pass their own clock), not the library's."""
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[TOKEN_ALGORITHM],
            audience=audience,
            options={"require": ["sub", "exp", "iat", "jti"], "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        raise InvalidToken("the token is not valid; sign in again") from None
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or (now or utc_now()).timestamp() >= expires:
        raise InvalidToken("the token has expired; sign in again")
    subject, jti, generation = claims.get("sub"), claims.get("jti"), claims.get("gen", 0)
    if (
        not isinstance(subject, str)
        or not isinstance(jti, str)
        or not jti
        or len(jti) > 64
        or not isinstance(generation, int)
        or isinstance(generation, bool)
    ):
        raise InvalidToken("the token is not valid; sign in again")
    return TokenClaims(subject, jti, generation, datetime.fromtimestamp(expires, UTC))


def sign_in_lifetime(environ: Mapping[str, str] = os.environ) -> timedelta:
    """How long a dashboard sign-in lasts in the browser: $STOCKCORE_SIGN_IN_DAYS days
    (fractions allowed: 0.5 is 12 hours), 7 unless set; 0 keeps it to the browser tab.
    Refuses a value that is not a number from 0 to 365, naming it."""
    text = environ.get(SIGN_IN_DAYS_ENV, "").strip()
    if not text:
        return timedelta(days=DEFAULT_SIGN_IN_DAYS)
    try:
        days = float(text)
    except ValueError:
        days = float("nan")
    if not 0 <= days <= MAX_SIGN_IN_DAYS:  # also refuses nan
        raise InvalidValue(
            SIGN_IN_DAYS_ENV,
            text,
            f"is not a number of days from 0 to {MAX_SIGN_IN_DAYS} "
            "(0: a sign-in lasts one browser tab)",
        )
    return timedelta(days=days)


def token_user_id(token: str, secret_key: str, *, now: datetime | None = None) -> str:
    """The account id a token was issued to; refuses a forged, malformed or expired one."""
    return read_token(token, secret_key, now=now).user_id


# --- The signing secret -------------------------------------------------------------------------


def secret_key_path(db_url: str, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the secret is kept when STOCKCORE_SECRET_KEY is not set:
    $STOCKCORE_SECRET_KEY_FILE, else beside a SQLite database file (`shop.db.secret`),
    else data/stockcore.secret."""
    explicit = environ.get(SECRET_KEY_FILE_ENV, "").strip()
    if explicit:
        return Path(explicit)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        return database.with_name(database.name + ".secret")
    return DEFAULT_SQLITE_PATH.parent / "stockcore.secret"


def _checked_secret(value: str, where: str) -> str:
    secret = value.strip()
    if len(secret) < SECRET_KEY_MIN_LENGTH:
        raise StockcoreError(
            f"the secret key in {where} is too short: use at least {SECRET_KEY_MIN_LENGTH} "
            "random characters (or remove it to have one made)"
        )
    return secret


def load_secret_key(db_url: str, environ: Mapping[str, str] = os.environ) -> str:
    """The key that signs API tokens: $STOCKCORE_SECRET_KEY, else the secrets file, which is
    made on first use with a random key (mode 0600). There is no built-in default."""
    if environ.get(SECRET_KEY_ENV, "").strip():
        return _checked_secret(environ[SECRET_KEY_ENV], SECRET_KEY_ENV)
    path = secret_key_path(db_url, environ)
    try:
        return _checked_secret(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _checked_secret(path.read_text(encoding="utf-8"), str(path))
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key
