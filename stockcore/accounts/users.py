"""Accounts: registration, the accounts an owner manages, and signing in.

The first account of a shop becomes its owner; later registrations need an invitation
(which gives its role) or open sign-up (staff), see `signup`. The shop always keeps at
least one owner.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stockcore.accounts.errors import (
    AuthenticationFailed,
    DuplicateAccount,
    InvalidPassword,
    InvalidToken,
    NotAllowed,
    UnknownUser,
)
from stockcore.accounts.passwords import (
    PASSWORD_MAX_LENGTH,
    hash_password,
    needs_rehash,
    parse_password,
    verify_password,
)
from stockcore.accounts.permissions import Permission, Role, may
from stockcore.accounts.throttle import LoginThrottle
from stockcore.domain import (
    Actor,
    Clock,
    InvalidValue,
    local_now,
    refuse_control_characters,
    text_problem,
)
from stockcore.persistence.db import Database
from stockcore.persistence.models import UserRow

USERNAME_MAX_LENGTH: Final = 64
EMAIL_MAX_LENGTH: Final = 254

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


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
    refuse_control_characters(value, "email")
    email = value.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidValue("email", value, f"is longer than {EMAIL_MAX_LENGTH} characters")
    if not _EMAIL.fullmatch(email):
        raise InvalidValue("email", value, "is not an email address like name@example.com")
    return email


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
    # A disabled account cannot sign in; its tokens and sessions stop working at once.
    active: bool = True
    # Tokens and dashboard sessions carry this; raising it ends all of them (sessions.py).
    session_generation: int = 0

    @property
    def actor(self) -> Actor:
        """How the ledger records a change this account makes."""
        return Actor.user(self.user_id, self.username)

    def may(self, permission: Permission) -> bool:
        return may(self.role, permission)

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise NotAllowed(self.role.value, permission)


def _to_user(row: UserRow) -> User:
    return User(
        row.id,
        row.username,
        row.email,
        Role(row.role),
        row.created_at,
        active=row.active is not False,
        session_generation=row.session_generation or 0,
    )


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
    db: Database,
    username: object,
    email: object,
    password: object,
    *,
    invitation: object = None,
    clock: Clock = local_now,
) -> User:
    """Open an account. The shop's first account becomes its owner; after that sign-up is
    closed: an `invitation` code from the owner gives its role (and is used up), else open
    sign-up (a shop setting) gives staff, else SignUpClosed. Refuses a taken username or
    email."""
    from stockcore.accounts import signup  # here: invitations need this module first

    name, address, secret = parse_username(username), parse_email(email), parse_password(password)
    now = clock()
    signup.precheck(db, invitation, now)
    password_hash = hash_password(secret)  # slow on purpose: outside the transaction
    try:
        with db.write() as session:
            _lock_users(session)
            first = session.scalars(select(UserRow.id).limit(1)).first() is None
            admission = signup.admit(session, invitation, first=first, now=now)
            user = _insert_user(session, name, address, password_hash, admission.role, now)
            signup.welcome(session, admission, user.user_id, now)
            return user
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
    if row.active is False:
        raise InvalidToken("your account is disabled")
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


_RANK: Final = {Role.STAFF: 0, Role.MANAGER: 1, Role.OWNER: 2}


def refuse_removing_last_owner(session: Session, row: UserRow, field: str, value: object) -> None:
    """The shop always keeps at least one active owner: refuse to demote, disable or
    delete `row` when it is the last one. Call with the users locked (`_lock_users`)."""
    if row.role != Role.OWNER or row.active is False:
        return
    others = session.scalar(
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.role == Role.OWNER.value, UserRow.active.is_(True), UserRow.id != row.id)
    )
    if not others:
        raise InvalidValue(
            field,
            value,
            f"would leave the shop without an owner: {row.username} is its last active owner; "
            "make another account owner first",
        )


def _change_role(session: Session, row: UserRow, wanted: Role) -> User:
    if wanted is not Role.OWNER:
        refuse_removing_last_owner(session, row, "role", wanted.value)
    if _RANK[wanted] < _RANK[Role(row.role)]:
        # A lower role ends the account's tokens and sessions: it signs in again as what it is now.
        row.session_generation = (row.session_generation or 0) + 1
    row.role = wanted.value
    return _to_user(row)


# --- Signing in ---------------------------------------------------------------------------------


def authenticate(
    db: Database,
    login: object,
    password: object,
    *,
    throttle: LoginThrottle | None = None,
    address: str | None = None,
) -> User:
    """Sign in with a username (or email) and password, from the client `address` (None
    when the interface cannot tell it).

    Refuses with AuthenticationFailed (never saying which of the two was wrong), or with
    TooManyAttempts while the throttle (default limits: `LoginThrottle()`) holds this
    account from this address, this address, or this account everywhere (then even the
    right password is not checked).
    """
    if not isinstance(login, str) or not login.strip():
        raise InvalidValue("username", login, "must not be empty")
    refuse_control_characters(login, "username")
    if not isinstance(password, str) or not password:
        raise InvalidPassword("must not be empty")
    if text_problem(password) is not None:
        raise InvalidPassword("must not contain control characters")
    name = login.strip().lower()[:EMAIL_MAX_LENGTH]
    with db.read() as session:
        row = session.scalars(
            select(UserRow).where(or_(UserRow.username == name, UserRow.email == name))
        ).first()
        found = _to_user(row) if row is not None else None
        stored_hash = row.password_hash if row is not None else None
    rules = throttle or LoginThrottle()
    attempt = rules.begin(db, found.user_id if found else name, address)
    if not verify_password(stored_hash, password[:PASSWORD_MAX_LENGTH]) or found is None:
        raise AuthenticationFailed()
    rules.succeeded(db, attempt)
    if not found.active:
        # Said only to whoever knows the password.
        raise AuthenticationFailed("this account is disabled; ask the shop's owner")
    if stored_hash is not None and needs_rehash(stored_hash):
        with db.write() as session:
            stored = session.get(UserRow, found.user_id)
            if stored is not None:
                stored.password_hash = hash_password(password)
    return found
