"""Who may open an account, and with which role.

A brand-new shop's first account becomes its owner. After that, sign-up is closed: a
newcomer needs an invitation from the owner (the invitation's role), unless the owner has
turned open sign-up on in Settings (then a newcomer without an invitation gets staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockcore.accounts import invitations
from stockcore.accounts.errors import SignUpClosed
from stockcore.accounts.permissions import Role
from stockcore.accounts.users import User
from stockcore.domain import InvalidValue
from stockcore.persistence.db import Database
from stockcore.persistence.models import InvitationRow, SettingRow, UserRow

OPEN_SIGNUP_SETTING: Final = "open_signup"  # a shop setting: "on" or absent (off)


def _is_open_in(session: Session) -> bool:
    row = session.get(SettingRow, OPEN_SIGNUP_SETTING)
    return row is not None and row.value == "on"


def signup_is_open(db: Database) -> bool:
    """Whether anyone may open a staff account without an invitation (off by default)."""
    with db.read() as session:
        return _is_open_in(session)


def parse_switch(value: object, field: str = "open sign-up") -> bool:
    """on/off, true/false, yes/no, 1/0 (or a bool)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"on", "true", "yes", "1"}:
        return True
    if text in {"off", "false", "no", "0"}:
        return False
    raise InvalidValue(field, value, "must be on or off")


def set_open_signup(db: Database, actor: User | None, open_: object) -> bool:
    """The owner (`actor`; None from the command line) opens or closes sign-up."""
    wanted = parse_switch(open_)
    invitations.require_owner(db, actor)
    with db.write() as session:
        row = session.get(SettingRow, OPEN_SIGNUP_SETTING)
        if wanted and row is None:
            session.add(SettingRow(key=OPEN_SIGNUP_SETTING, value="on"))
        elif wanted and row is not None:
            row.value = "on"
        elif row is not None:
            session.delete(row)
    return wanted


@dataclass(frozen=True)
class Admission:
    """The role a newcomer gets, and the invitation that let them in (if any)."""

    role: Role
    invitation: InvitationRow | None


def admit(session: Session, invitation_code: object, *, first: bool, now: datetime) -> Admission:
    """Inside the registration's transaction (users locked): the newcomer's role, or
    SignUpClosed. An invitation given is checked even while sign-up is open."""
    code = invitations.parse_code(invitation_code)
    if first:
        return Admission(Role.OWNER, None)
    if code is not None:
        row = invitations.redeem_in(session, code, now)
        return Admission(Role(row.role), row)
    if _is_open_in(session):
        return Admission(Role.STAFF, None)
    raise SignUpClosed()


def precheck(db: Database, invitation_code: object, now: datetime) -> None:
    """Refuse a closed sign-up or a spent invitation before the (slow, on purpose) password
    hash is made, so a stranger cannot make the server hash for nothing. `admit` decides
    again inside the registration's transaction."""
    with db.read() as session:
        first = session.scalars(select(UserRow.id).limit(1)).first() is None
        admit(session, invitation_code, first=first, now=now)


def welcome(session: Session, admission: Admission, user_id: str, now: datetime) -> None:
    """Mark the invitation used by the account just made."""
    if admission.invitation is not None:
        invitations.mark_used(admission.invitation, user_id, now)
