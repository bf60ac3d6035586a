"""Sessions: the check every signed-in request makes, and signing out.

A token (API) or a dashboard session works only while its account exists, is active, and
still has the session generation it was issued under; a token also must not have been
signed out (`POST /logout` stores its jti in revoked_tokens until it would have expired).
Raising an account's generation ends every token and session of it at once: "sign out
everywhere", a password change, disabling the account, a lower role.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from stockcore.accounts.errors import InvalidToken, UnknownUser
from stockcore.accounts.permissions import Permission
from stockcore.accounts.throttle import utc_now
from stockcore.accounts.tokens import read_token
from stockcore.accounts.users import User, _lock_users, _require_current, _to_user, parse_username
from stockcore.persistence.db import Database
from stockcore.persistence.models import RevokedTokenRow, UserRow


def _naive_utc(moment: datetime) -> datetime:
    """Stored times carry no zone: UTC here."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _live(user: User | None, generation: int) -> User:
    if user is None:
        raise InvalidToken("the account no longer exists; sign in again")
    if not user.active:
        raise InvalidToken("the account is disabled; ask the shop's owner")
    if generation != user.session_generation:
        raise InvalidToken(
            "this sign-in was ended (signed out everywhere, password changed or account "
            "changed); sign in again"
        )
    return user


def user_for_token(
    db: Database,
    token: str,
    secret_key: str,
    *,
    now: datetime | None = None,
    audience: str | None = None,
) -> User:
    """The account behind a token, with its role as stored now. Refuses (401) a token that
    is forged, expired, signed out or made for another audience (see `read_token`), or
    whose account is gone, disabled or was signed out everywhere since the token was issued."""
    claims = read_token(token, secret_key, now=now, audience=audience)
    with db.read() as session:
        if session.get(RevokedTokenRow, claims.jti) is not None:
            raise InvalidToken("the token was signed out; sign in again")
        row = session.get(UserRow, claims.user_id)
        user = _to_user(row) if row is not None else None
    return _live(user, claims.generation)


def session_user(db: Database, user_id: object, generation: int | None) -> User | None:
    """The dashboard's check on every run: the session's account while its sign-in still
    holds, else None (gone, disabled, or its sessions were ended). `generation` None: a
    session begun without one is taken to hold the current one."""
    if not isinstance(user_id, str):
        return None
    with db.read() as session:
        row = session.get(UserRow, user_id)
        user = _to_user(row) if row is not None else None
    if user is not None and generation is None:
        generation = user.session_generation
    try:
        return _live(user, generation if generation is not None else -1)
    except InvalidToken:
        return None


def sign_out(
    db: Database,
    token: str,
    secret_key: str,
    *,
    now: datetime | None = None,
    audience: str | None = None,
) -> None:
    """Sign one token out (POST /logout, the dashboard's *Sign out*): it stops working at
    once. Its id is kept until it would have expired; ids of tokens expired by now are
    pruned on the way."""
    claims = read_token(token, secret_key, now=now, audience=audience)
    moment = _naive_utc(now or utc_now())
    try:
        with db.write() as session:
            session.execute(delete(RevokedTokenRow).where(RevokedTokenRow.expires_at <= moment))
            if session.get(RevokedTokenRow, claims.jti) is None:
                session.add(
                    RevokedTokenRow(
                        jti=claims.jti,
                        user_id=claims.user_id,
                        expires_at=_naive_utc(claims.expires_at),
                        revoked_at=moment,
                    )
                )
    except IntegrityError:
        pass  # signed out by a simultaneous request: it is revoked either way


def revoked_token_count(db: Database) -> int:
    """How many signed-out tokens are still kept (until they would have expired)."""
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(RevokedTokenRow)) or 0


def end_sessions(row: UserRow) -> None:
    """End every token and dashboard session of an account (inside the caller's transaction)."""
    row.session_generation = (row.session_generation or 0) + 1


def sign_out_everywhere(db: Database, actor: User, user_id: object) -> User:
    """End every token and dashboard session of an account: anyone for their own account,
    the owner for anyone's. The account then signs in again (the actor's own session too,
    when it is their account)."""
    own = actor.user_id == user_id
    if not own:
        actor.require(Permission.MANAGE_USERS)
    with db.write() as session:
        if not own:
            _require_current(session, actor, Permission.MANAGE_USERS)
        row = session.get(UserRow, user_id) if isinstance(user_id, str) else None
        if row is None:
            raise UnknownUser(user_id)
        end_sessions(row)
        return _to_user(row)


def sign_out_everywhere_by_name(db: Database, username: object) -> User:
    """The command line's "sign out everywhere" (whoever can run it can open the database)."""
    name = parse_username(username)
    with db.write() as session:
        _lock_users(session)
        row = session.scalars(select(UserRow).where(UserRow.username == name)).first()
        if row is None:
            raise UnknownUser(name)
        end_sessions(row)
        return _to_user(row)
