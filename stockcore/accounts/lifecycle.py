"""An account's life after it is made: its password changed (by its holder) or reset (by the
owner or the command line), disabled and enabled again, deleted.

Each ends the account's other tokens and dashboard sessions (`sessions.end_sessions`),
and the shop always keeps at least one active owner (`users.refuse_removing_last_owner`).
A deleted account's ledger rows and sale lines stay readable: they keep its username as
text (`stockcore.domain.Actor`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockcore.accounts.errors import UnknownUser, WrongPassword
from stockcore.accounts.passwords import (
    PASSWORD_MAX_LENGTH,
    hash_password,
    parse_password,
    verify_password,
)
from stockcore.accounts.permissions import Permission
from stockcore.accounts.sessions import end_sessions
from stockcore.accounts.throttle import LoginThrottle
from stockcore.accounts.users import (
    User,
    _change_role,
    _lock_users,
    _require_current,
    _to_user,
    parse_role,
    parse_username,
    refuse_removing_last_owner,
)
from stockcore.domain import InvalidValue
from stockcore.persistence.db import Database
from stockcore.persistence.models import UserRow


def _row_by_id(session: Session, user_id: object) -> UserRow:
    row = session.get(UserRow, user_id) if isinstance(user_id, str) else None
    if row is None:
        raise UnknownUser(user_id)
    return row


def _row_by_name(session: Session, username: object) -> UserRow:
    name = parse_username(username)
    row = session.scalars(select(UserRow).where(UserRow.username == name)).first()
    if row is None:
        raise UnknownUser(name)
    return row


def _owner_acting_on_someone_else(
    session: Session, actor: User, user_id: object, what: str
) -> UserRow:
    """The owner's tools: checked against the actor's role as stored now; not on oneself."""
    _require_current(session, actor, Permission.MANAGE_USERS)
    row = _row_by_id(session, user_id)
    if row.id == actor.user_id:
        raise InvalidValue("user", row.username, f"is you: you cannot {what} your own account")
    return row


# --- Passwords ----------------------------------------------------------------------------------


def _set_password(row: UserRow, password_hash: str) -> User:
    row.password_hash = password_hash
    end_sessions(row)
    return _to_user(row)


def change_password(
    db: Database,
    user: User,
    current_password: object,
    new_password: object,
    *,
    throttle: LoginThrottle | None = None,
    address: str | None = None,
) -> User:
    """A signed-in account changes its own password, giving the current one. Ends every
    token and session of the account: the caller carries on with the returned account's
    `session_generation` (a new token, the dashboard's session).

    The current password is checked under the sign-in throttle (the same limits and
    counts as `authenticate`), so a stolen token or an unattended dashboard cannot be
    used to guess it: TooManyAttempts while the throttle holds."""
    new = parse_password(new_password)
    with db.read() as session:
        stored = session.get(UserRow, user.user_id)
        stored_hash = stored.password_hash if stored is not None else None
    current = current_password if isinstance(current_password, str) else ""
    rules = throttle or LoginThrottle()
    attempt = rules.begin(db, user.user_id, address)
    if stored_hash is None or not verify_password(stored_hash, current[:PASSWORD_MAX_LENGTH]):
        raise WrongPassword()
    rules.succeeded(db, attempt)
    password_hash = hash_password(new)  # slow on purpose: outside the transaction
    with db.write() as session:
        row = _row_by_id(session, user.user_id)
        if row.password_hash != stored_hash:
            raise WrongPassword()  # changed meanwhile, by another session
        return _set_password(row, password_hash)


def reset_password(db: Database, actor: User, user_id: object, new_password: object) -> User:
    """The owner sets someone else's password (they forgot it); their sessions end."""
    actor.require(Permission.MANAGE_USERS)
    password_hash = hash_password(parse_password(new_password))
    with db.write() as session:
        row = _owner_acting_on_someone_else(session, actor, user_id, "reset the password of")
        return _set_password(row, password_hash)


def set_password(db: Database, username: object, new_password: object) -> User:
    """The command line sets an account's password (whoever can run it can open the
    database anyway); the account's sessions end."""
    password_hash = hash_password(parse_password(new_password))
    with db.write() as session:
        return _set_password(_row_by_name(session, username), password_hash)


# --- Disabling, enabling, deleting --------------------------------------------------------------


def _set_active(session: Session, row: UserRow, active: bool) -> User:
    if not active and row.active is not False:
        refuse_removing_last_owner(session, row, "active", False)
        end_sessions(row)  # so enabling it again does not bring old tokens back
    row.active = active
    return _to_user(row)


def change_user(
    db: Database,
    actor: User,
    user_id: object,
    *,
    role: object | None = None,
    active: object | None = None,
) -> User:
    """The owner changes someone's role and/or disables (active False) or enables them, in
    one transaction. A disabled account cannot sign in and its tokens stop working at
    once. The shop always keeps at least one active owner."""
    actor.require(Permission.MANAGE_USERS)
    if role is None and active is None:
        raise InvalidValue("change", None, "give a role, active, or both")
    if active is not None and not isinstance(active, bool):
        raise InvalidValue("active", active, "must be true or false")
    wanted = parse_role(role) if role is not None else None
    with db.write() as session:
        _lock_users(session)
        if active is False:
            row = _owner_acting_on_someone_else(session, actor, user_id, "disable")
        else:
            _require_current(session, actor, Permission.MANAGE_USERS)
            row = _row_by_id(session, user_id)
        if wanted is not None:
            _change_role(session, row, wanted)
        if active is not None:
            _set_active(session, row, active)
        return _to_user(row)


def set_active(db: Database, username: object, active: bool) -> User:
    """The command line disables or enables an account by its username."""
    with db.write() as session:
        _lock_users(session)
        return _set_active(session, _row_by_name(session, username), active)


def _delete(session: Session, row: UserRow) -> User:
    refuse_removing_last_owner(session, row, "user", row.username)
    gone = _to_user(row)
    session.delete(row)
    return gone


def delete_user(db: Database, actor: User, user_id: object) -> User:
    """The owner deletes someone's account; it can no longer sign in, its tokens stop
    working, and its name stays on the ledger rows and sales it recorded."""
    actor.require(Permission.MANAGE_USERS)
    with db.write() as session:
        _lock_users(session)
        return _delete(session, _owner_acting_on_someone_else(session, actor, user_id, "delete"))


def delete_user_by_name(db: Database, username: object) -> User:
    """The command line deletes an account by its username."""
    with db.write() as session:
        _lock_users(session)
        return _delete(session, _row_by_name(session, username))
