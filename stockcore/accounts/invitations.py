"""Invitations: one-time codes the owner makes so that someone may open an account with a
given role while sign-up is closed. A code is shown once, kept hashed, expires, and is
used up by the account it opened (see `signup.admit`); the owner may revoke it before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockcore.accounts import codes
from stockcore.accounts.errors import InvalidInvitation, InvalidToken, UnknownInvitation
from stockcore.accounts.permissions import Permission, Role
from stockcore.accounts.users import User, get_user, parse_role
from stockcore.domain import MAX_ROW_ID, Clock, InvalidValue, local_now, parse_whole_number
from stockcore.persistence.db import Database, locked_row
from stockcore.persistence.models import InvitationRow, UserRow

CODE_KIND: Final = "inv_"
DEFAULT_VALID_DAYS: Final = 7
MAX_VALID_DAYS: Final = 90
SIGNUP_QUERY: Final = "invite"  # the dashboard's sign-up link: ...?invite=CODE


class InvitationStatus(StrEnum):
    OPEN = "open"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Invitation:
    """An invitation as the owner sees it: never with its code."""

    invitation_id: int
    prefix: str
    role: Role
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: str | None  # the username of the account it opened
    revoked_at: datetime | None
    status: InvitationStatus


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its code: the only time the code is known."""

    invitation: Invitation
    code: str

    @property
    def signup_query(self) -> str:
        """What to append to the dashboard's address to pre-fill the code."""
        return f"?{SIGNUP_QUERY}={self.code}"


def _status(row: InvitationRow, now: datetime) -> InvitationStatus:
    if row.used_at is not None:
        return InvitationStatus.USED
    if row.revoked_at is not None:
        return InvitationStatus.REVOKED
    if row.expires_at <= now:
        return InvitationStatus.EXPIRED
    return InvitationStatus.OPEN


def _to_invitation(row: InvitationRow, used_by: str | None, now: datetime) -> Invitation:
    return Invitation(
        row.id,
        row.prefix,
        Role(row.role),
        row.created_at,
        row.expires_at,
        row.used_at,
        used_by,
        row.revoked_at,
        _status(row, now),
    )


def parse_valid_days(value: object) -> int:
    """How many days an invitation stays valid: 1 to 90 (default 7)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_VALID_DAYS
    return parse_whole_number(value, "days", minimum=1, maximum=MAX_VALID_DAYS)


def require_owner(db: Database, actor: User | None) -> str | None:
    """The acting owner's id (None: the command line, whose user can open the database
    anyway); refuses an actor whose role, as stored now, may not manage users."""
    if actor is None:
        return None
    actor.require(Permission.MANAGE_USERS)
    current = get_user(db, actor.user_id)
    if current is None:
        raise InvalidToken("your account no longer exists")
    current.require(Permission.MANAGE_USERS)
    return current.user_id


def create_invitation(
    db: Database,
    actor: User | None,
    role: object,
    *,
    days: object = None,
    clock: Clock = local_now,
) -> IssuedInvitation:
    """The owner (`actor`, a User; None from the command line) invites someone to open an
    account with `role`; the code is valid for `days` days (default 7) and once."""
    wanted = parse_role(role)
    valid_days = parse_valid_days(days)
    created_by = require_owner(db, actor)
    code = codes.new_secret(CODE_KIND)
    now = clock()
    with db.write() as session:
        row = InvitationRow(
            code_hash=codes.digest(code),
            prefix=codes.prefix(code),
            role=wanted.value,
            created_by=created_by,
            created_at=now,
            expires_at=now + timedelta(days=valid_days),
        )
        session.add(row)
        session.flush()
        return IssuedInvitation(_to_invitation(row, None, now), code)


def list_invitations(
    db: Database, actor: User | None, *, clock: Clock = local_now
) -> list[Invitation]:
    """Every invitation, newest first, with whether it is open, used, revoked or expired."""
    require_owner(db, actor)
    now = clock()
    with db.read() as session:
        rows = session.execute(
            select(InvitationRow, UserRow.username)
            .outerjoin(UserRow, UserRow.id == InvitationRow.used_by)
            .order_by(InvitationRow.created_at.desc(), InvitationRow.id.desc())
        ).all()
        return [_to_invitation(row, username, now) for row, username in rows]


def revoke_invitation(
    db: Database, actor: User | None, invitation_id: object, *, clock: Clock = local_now
) -> Invitation:
    """The owner withdraws an invitation before it is used (a used one stays as it is)."""
    number = parse_whole_number(invitation_id, "invitation id", minimum=1, maximum=MAX_ROW_ID)
    require_owner(db, actor)
    now = clock()
    with db.write() as session:
        row = locked_row(session, InvitationRow, number, UnknownInvitation(invitation_id))
        if row.used_at is not None:
            raise InvalidValue(
                "invitation id", number, "was already used; remove the account it opened instead"
            )
        if row.revoked_at is None:
            row.revoked_at = now
        return _to_invitation(row, None, now)


def parse_code(value: object) -> str | None:
    """An invitation code as typed or sent: None or blank for none."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue("invitation", value, "is not an invitation code")
    code = value.strip()
    if not code:
        return None
    if len(code) > codes.MAX_LENGTH or not code.isprintable():
        raise InvalidInvitation("the invitation code is not valid; check it with the owner")
    return code


def redeem_in(session: Session, code: str, now: datetime) -> InvitationRow:
    """Inside the registration's transaction: the open invitation with this code, locked
    (on PostgreSQL) so two sign-ups cannot both use it. Refuses one that is unknown, used,
    revoked or expired; the caller marks it used with `mark_used`."""
    row = session.scalars(
        select(InvitationRow).where(InvitationRow.code_hash == codes.digest(code)).with_for_update()
    ).first()
    if row is None:
        raise InvalidInvitation("the invitation code is not valid; check it with the owner")
    status = _status(row, now)
    if status is not InvitationStatus.OPEN:
        raise InvalidInvitation(
            f"the invitation code {_SPENT[status]}; ask the owner for a new one"
        )
    return row


_SPENT: Final = {
    InvitationStatus.USED: "was already used",
    InvitationStatus.REVOKED: "was revoked",
    InvitationStatus.EXPIRED: "has expired",
}


def mark_used(row: InvitationRow, user_id: str, now: datetime) -> None:
    row.used_at = now
    row.used_by = user_id
