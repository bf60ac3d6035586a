"""User accounts: registration, sign-in, roles, API tokens and the login throttle.

Framework-free: the dashboard's login gate (`stockcore.interfaces.ui.auth`) and the REST API
(`stockcore.interfaces.api`) both call these functions, so one account signs in to both.

* Roles: an owner may do everything, including managing users; a manager runs the
  inventory, imports, forecasts and purchase orders; staff make purchases and read
  stock. The first account of a shop becomes its owner; every later registration
  gets the staff role until an owner changes it.
* Passwords are kept only as argon2id hashes (argon2-cffi), never in clear, and never
  appear in an error message.
* API tokens are JWTs (HS256) that expire; the signing secret comes from
  STOCKCORE_SECRET_KEY, or a secrets file made on first use (see `load_secret_key`).
* The throttle counts failed sign-ins in this process, per account and per client
  address: 5 failures within 15 minutes lock that key until the oldest one ages out.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Final

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stockcore.domain import (
    Clock,
    Conflict,
    Forbidden,
    InvalidValue,
    NotFound,
    StockcoreError,
    Throttled,
    Unauthenticated,
    local_now,
)
from stockcore.persistence.db import DEFAULT_SQLITE_PATH, Database
from stockcore.persistence.models import UserRow

USERNAME_MAX_LENGTH: Final = 64
EMAIL_MAX_LENGTH: Final = 254
PASSWORD_MIN_LENGTH: Final = 8
PASSWORD_MAX_LENGTH: Final = 1024
TOKEN_TTL: Final = timedelta(hours=12)
TOKEN_ALGORITHM: Final = "HS256"
SECRET_KEY_ENV: Final = "STOCKCORE_SECRET_KEY"
SECRET_KEY_FILE_ENV: Final = "STOCKCORE_SECRET_KEY_FILE"
SECRET_KEY_MIN_LENGTH: Final = 32

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HASHER = PasswordHasher()


def utc_now() -> datetime:
    """Real time in UTC, for token expiry and the throttle (not the shop's local clock)."""
    return datetime.now(UTC)


# --- Roles and what they may do ---------------------------------------------------------------


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"


class Permission(StrEnum):
    READ_INVENTORY = "read the inventory"
    PURCHASE = "make purchases"
    MANAGE_INVENTORY = "manage the inventory"
    READ_SALES = "read sales reports"
    IMPORT = "import sales data"
    FORECAST = "work with forecasts"
    ORDER = "work with purchase orders"
    SETTINGS = "change the shop's settings"
    MANAGE_USERS = "manage users"


ROLE_PERMISSIONS: Final[Mapping[Role, frozenset[Permission]]] = {
    Role.OWNER: frozenset(Permission),
    Role.MANAGER: frozenset(Permission) - {Permission.SETTINGS, Permission.MANAGE_USERS},
    Role.STAFF: frozenset({Permission.READ_INVENTORY, Permission.PURCHASE}),
}

# The dashboard's pages and what a role needs to see each one (None: everyone).
STOCK_PAGE: Final = "pages/stock.py"
PAGE_PERMISSIONS: Final[Mapping[str, Permission | None]] = {
    "pages/overview.py": Permission.READ_SALES,
    STOCK_PAGE: Permission.READ_INVENTORY,
    "pages/inventory.py": Permission.MANAGE_INVENTORY,
    "pages/purchase.py": Permission.PURCHASE,
    "pages/alerts.py": Permission.MANAGE_INVENTORY,
    "pages/sales.py": Permission.READ_SALES,
    "pages/forecast.py": Permission.FORECAST,
    "pages/reorder.py": Permission.ORDER,
    "pages/backtest.py": Permission.FORECAST,
    "pages/upload.py": Permission.IMPORT,
    "pages/settings.py": Permission.SETTINGS,
    "pages/users.py": Permission.MANAGE_USERS,
    "pages/about.py": None,
}


def may(role: Role | str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def may_see(role: Role | str, page: str) -> bool:
    """Whether a role's navigation lists this page. The read-only stock list is for roles
    that cannot open the Inventory page (which edits)."""
    if page not in PAGE_PERMISSIONS:
        return False
    needed = PAGE_PERMISSIONS[page]
    if page == STOCK_PAGE and may(role, Permission.MANAGE_INVENTORY):
        return False
    return needed is None or may(role, needed)


# --- Refusals -----------------------------------------------------------------------------------


class DuplicateAccount(Conflict):
    def __init__(self, field: str, value: str) -> None:
        self.field = field
        super().__init__(f"{field} {value!r} already has an account")


class UnknownUser(NotFound):
    def __init__(self, user_id: object) -> None:
        super().__init__(f"unknown user {user_id!r}: no account has that id")


class AuthenticationFailed(Unauthenticated):
    def __init__(self, reason: str = "wrong username or password") -> None:
        super().__init__(reason)


class InvalidToken(AuthenticationFailed):
    """A missing, forged, malformed or expired token, or one whose account is gone."""


class NotAllowed(Forbidden):
    def __init__(self, role: str, permission: Permission) -> None:
        self.role = role
        self.permission = permission
        super().__init__(f"a {role} account may not {permission.value}")


class TooManyAttempts(Throttled):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "too many failed sign-ins for this account or address; "
            f"try again in {retry_after_seconds} seconds",
            retry_after_seconds,
        )


class InvalidPassword(InvalidValue):
    """A password that breaks the rules. Unlike other refusals it never shows the value."""

    def __init__(self, reason: str) -> None:
        self.field = "password"
        self.value = None
        self.reason = reason
        StockcoreError.__init__(self, f"password {reason}")


# --- Values typed by people ---------------------------------------------------------------------


def parse_username(value: object) -> str:
    """3 to 64 letters, digits and . _ - (starting with a letter or digit); case-insensitive."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("username", value, "must not be empty")
    name = value.strip().lower()
    if not _USERNAME.fullmatch(name):
        raise InvalidValue(
            "username",
            value,
            "must be 3 to 64 letters, digits and . _ - (starting with a letter or digit)",
        )
    return name


def parse_email(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("email", value, "must not be empty")
    email = value.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidValue("email", value, f"is longer than {EMAIL_MAX_LENGTH} characters")
    if not _EMAIL.fullmatch(email):
        raise InvalidValue("email", value, "is not an email address like name@example.com")
    return email


def parse_password(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidPassword("must be text")
    if len(value) < PASSWORD_MIN_LENGTH or not value.strip():
        raise InvalidPassword(f"must be at least {PASSWORD_MIN_LENGTH} characters")
    if len(value) > PASSWORD_MAX_LENGTH:
        raise InvalidPassword(f"must not be longer than {PASSWORD_MAX_LENGTH} characters")
    return value


def parse_role(value: object) -> Role:
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        raise InvalidValue(
            "role", value, f"is not a role; choose one of {', '.join(r.value for r in Role)}"
        ) from None


# --- Accounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """An account as the rest of stockcore sees it: never with its password hash."""

    user_id: str
    username: str
    email: str
    role: Role
    created_at: datetime

    def may(self, permission: Permission) -> bool:
        return may(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise NotAllowed(self.role.value, permission)


def _to_user(row: UserRow) -> User:
    return User(row.id, row.username, row.email, Role(row.role), row.created_at)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def has_users(db: Database) -> bool:
    """False on a brand-new shop: the first account to be made becomes its owner."""
    with db.read() as session:
        return session.scalars(select(UserRow.id).limit(1)).first() is not None


def _insert_user(
    session: Session, username: str, email: str, password_hash: str, role: Role, now: datetime
) -> User:
    if session.scalars(select(UserRow.id).where(UserRow.username == username)).first():
        raise DuplicateAccount("username", username)
    if session.scalars(select(UserRow.id).where(UserRow.email == email)).first():
        raise DuplicateAccount("email", email)
    row = UserRow(
        id=str(uuid.uuid4()),
        username=username,
        email=email,
        password_hash=password_hash,
        role=role.value,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _to_user(row)


def _lock_users(session: Session) -> None:
    """Serialise account changes that depend on who else exists (the first owner, the last
    owner). SQLite's write transactions already hold the database's write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"))


def register(
    db: Database, username: object, email: object, password: object, *, clock: Clock = local_now
) -> User:
    """Open an account. The shop's first account becomes its owner; later ones are staff
    until an owner gives them another role. Refuses a taken username or email."""
    name, address, secret = parse_username(username), parse_email(email), parse_password(password)
    password_hash = hash_password(secret)  # slow on purpose: outside the transaction
    now = clock()
    try:
        with db.write() as session:
            _lock_users(session)
            first = session.scalars(select(UserRow.id).limit(1)).first() is None
            role = Role.OWNER if first else Role.STAFF
            return _insert_user(session, name, address, password_hash, role, now)
    except IntegrityError:
        # Another registration took the name or address between our check and our insert.
        raise DuplicateAccount("username or email", name) from None


def create_user(
    db: Database,
    actor: User,
    username: object,
    email: object,
    password: object,
    role: object,
    *,
    clock: Clock = local_now,
) -> User:
    """An owner opens an account for someone else, with its role."""
    actor.require(Permission.MANAGE_USERS)
    name, address, secret = parse_username(username), parse_email(email), parse_password(password)
    wanted = parse_role(role)
    password_hash = hash_password(secret)
    now = clock()
    try:
        with db.write() as session:
            _require_current(session, actor, Permission.MANAGE_USERS)
            return _insert_user(session, name, address, password_hash, wanted, now)
    except IntegrityError:
        raise DuplicateAccount("username or email", name) from None


def _require_current(session: Session, actor: User, permission: Permission) -> None:
    """Check the actor's role as stored now (it may have changed since they signed in)."""
    row = session.get(UserRow, actor.user_id)
    if row is None:
        raise InvalidToken("your account no longer exists")
    _to_user(row).require(permission)


def list_users(db: Database) -> list[User]:
    with db.read() as session:
        return [
            _to_user(row)
            for row in session.scalars(
                select(UserRow).order_by(UserRow.created_at, UserRow.username)
            )
        ]


def get_user(db: Database, user_id: object) -> User | None:
    if not isinstance(user_id, str):
        return None
    with db.read() as session:
        row = session.get(UserRow, user_id)
        return _to_user(row) if row is not None else None


def set_role(db: Database, actor: User, user_id: object, role: object) -> User:
    """An owner changes someone's role. The shop always keeps at least one owner."""
    actor.require(Permission.MANAGE_USERS)
    wanted = parse_role(role)
    with db.write() as session:
        _lock_users(session)
        _require_current(session, actor, Permission.MANAGE_USERS)
        row = session.get(UserRow, user_id) if isinstance(user_id, str) else None
        if row is None:
            raise UnknownUser(user_id)
        return _change_role(session, row, wanted)


def assign_role(db: Database, username: object, role: object) -> User:
    """Change a role from the command line (whoever can run it can open the database
    anyway). The shop always keeps at least one owner."""
    name, wanted = parse_username(username), parse_role(role)
    with db.write() as session:
        _lock_users(session)
        row = session.scalars(select(UserRow).where(UserRow.username == name)).first()
        if row is None:
            raise UnknownUser(name)
        return _change_role(session, row, wanted)


def _change_role(session: Session, row: UserRow, wanted: Role) -> User:
    if row.role == Role.OWNER and wanted is not Role.OWNER:
        owners = session.scalar(
            select(func.count()).select_from(UserRow).where(UserRow.role == Role.OWNER.value)
        )
        if (owners or 0) <= 1:
            raise InvalidValue(
                "role", wanted.value, f"would leave the shop without an owner ({row.username})"
            )
    row.role = wanted.value
    return _to_user(row)


# --- Signing in ---------------------------------------------------------------------------------


class LoginThrottle:
    """Failed sign-ins per key ("account:…", "address:…") within a sliding window.

    In-process and in memory: each dashboard or API server process counts its own
    failures, and a restart forgets them. Thread-safe.
    """

    def __init__(
        self,
        *,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = utc_now,
        max_keys: int = 100_000,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until these keys may try again, or None if they may try now."""
        now = self.clock()
        waits = []
        with self._lock:
            for key in keys:
                stamps = self._recent(key, now)
                if len(stamps) >= self.max_failures:
                    opens = stamps[-self.max_failures] + self.window
                    waits.append(max(1, math.ceil((opens - now).total_seconds())))
        return max(waits) if waits else None

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.max_keys:
                for key in list(self._failures):
                    self._recent(key, now)
            for key in keys:
                stamps = self._failures.setdefault(key, deque(maxlen=self.max_failures))
                stamps.append(now)

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


_DUMMY_HASH: list[str] = []


def _verify(password_hash: str | None, password: str) -> bool:
    """Check a password; without an account, spend the same time on a dummy hash."""
    if password_hash is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(_HASHER.hash(secrets.token_urlsafe(16)))
        password_hash = _DUMMY_HASH[0]
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    db: Database,
    login: object,
    password: object,
    *,
    throttle: LoginThrottle,
    address: str | None = None,
) -> User:
    """Sign in with a username (or email) and password.

    Refuses with AuthenticationFailed (never saying which of the two was wrong), or with
    TooManyAttempts while the account or the client address is locked out by the throttle
    (then even the right password is not checked).
    """
    if not isinstance(login, str) or not login.strip():
        raise InvalidValue("username", login, "must not be empty")
    if not isinstance(password, str) or not password:
        raise InvalidPassword("must not be empty")
    name = login.strip().lower()[:EMAIL_MAX_LENGTH]
    with db.read() as session:
        row = session.scalars(
            select(UserRow).where(or_(UserRow.username == name, UserRow.email == name))
        ).first()
        found = _to_user(row) if row is not None else None
        stored_hash = row.password_hash if row is not None else None
    account_key = f"account:{found.user_id if found else name}"
    keys = [account_key] + ([f"address:{address}"] if address else [])
    wait = throttle.retry_after(keys)
    if wait is not None:
        raise TooManyAttempts(wait)
    if not _verify(stored_hash, password[:PASSWORD_MAX_LENGTH]) or found is None:
        throttle.failed(keys)
        raise AuthenticationFailed()
    throttle.succeeded([account_key])
    if stored_hash is not None and _HASHER.check_needs_rehash(stored_hash):
        with db.write() as session:
            stored = session.get(UserRow, found.user_id)
            if stored is not None:
                stored.password_hash = hash_password(password)
    return found


# --- API tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_token(
    user: User, secret_key: str, *, now: datetime | None = None, ttl: timedelta = TOKEN_TTL
) -> IssuedToken:
    """A signed token naming the account; it expires after `ttl` (default 12 hours)."""
    issued = now or utc_now()
    expires = issued + ttl
    claims = {
        "sub": user.user_id,
        "role": user.role.value,
        "iat": int(issued.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_hex(8),
    }
    return IssuedToken(jwt.encode(claims, secret_key, algorithm=TOKEN_ALGORITHM), expires)


def token_user_id(token: str, secret_key: str, *, now: datetime | None = None) -> str:
    """The account id a token was issued to; refuses a forged, malformed or expired one.

    Expiry is checked against `now` (tests pass their own clock), not the library's."""
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[TOKEN_ALGORITHM],
            options={"require": ["sub", "exp", "iat"], "verify_exp": False},
        )
    except jwt.InvalidTokenError:
        raise InvalidToken("the token is not valid; sign in again") from None
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or (now or utc_now()).timestamp() >= expires:
        raise InvalidToken("the token has expired; sign in again")
    subject = claims.get("sub")
    if not isinstance(subject, str):
        raise InvalidToken("the token is not valid; sign in again")
    return subject


def user_for_token(
    db: Database, token: str, secret_key: str, *, now: datetime | None = None
) -> User:
    """The account behind a token, with its role as stored now."""
    user = get_user(db, token_user_id(token, secret_key, now=now))
    if user is None:
        raise InvalidToken("the token's account no longer exists; sign in again")
    return user


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
