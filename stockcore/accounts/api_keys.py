"""API keys for storefronts and scripts: made and revoked by the owner, shown once, kept
hashed (with their first characters to recognise them), each limited to its scopes.

A key is sent as `Authorization: Bearer sck_...` or `X-API-Key: sck_...`. It may do what
its scopes allow (`SCOPE_PERMISSIONS`, onto the roles' permissions) and nothing else:
never manage users or the shop's settings. A revoked key is refused as unauthenticated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import select, update

from stockcore.accounts import codes
from stockcore.accounts.errors import InvalidApiKey, KeyNotAllowed, UnknownApiKey
from stockcore.accounts.invitations import require_owner
from stockcore.accounts.permissions import Permission
from stockcore.accounts.users import User
from stockcore.domain import (
    MAX_ROW_ID,
    Actor,
    Clock,
    InvalidValue,
    local_now,
    parse_text,
    parse_whole_number,
)
from stockcore.persistence.db import Database, locked_row
from stockcore.persistence.models import ApiKeyRow

KEY_KIND: Final = "sck_"
NAME_MAX_LENGTH: Final = 100
# How often the last-used time is written: not on every request, to spare the database.
LAST_USED_RESOLUTION: Final = timedelta(minutes=1)


class Scope(StrEnum):
    READ = "read"
    PURCHASES_WRITE = "purchases:write"
    SALES_WRITE = "sales:write"
    PRODUCTS_WRITE = "products:write"
    FORECASTS = "forecasts"


SCOPE_PERMISSIONS: Final[Mapping[Scope, frozenset[Permission]]] = {
    Scope.READ: frozenset({Permission.READ_INVENTORY, Permission.READ_SALES}),
    Scope.PURCHASES_WRITE: frozenset({Permission.PURCHASE}),
    Scope.SALES_WRITE: frozenset({Permission.IMPORT}),
    Scope.PRODUCTS_WRITE: frozenset({Permission.MANAGE_INVENTORY}),
    Scope.FORECASTS: frozenset({Permission.FORECAST}),
}


@dataclass(frozen=True)
class ApiKey:
    """A key as the owner sees it: never the key itself."""

    key_id: int
    name: str
    prefix: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def actor(self) -> Actor:
        """Who the ledger says made a change: the key, by its label."""
        return Actor.api_key(self.name)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may(self, permission: Permission) -> bool:
        return any(permission in SCOPE_PERMISSIONS[scope] for scope in self.scopes)


@dataclass(frozen=True)
class IssuedApiKey:
    """A new key and its secret: the only time the secret is known."""

    api_key: ApiKey
    secret: str


def _stored_scopes(text: str) -> tuple[Scope, ...]:
    return tuple(Scope(s) for s in text.split() if s in Scope.__members__.values())


def _to_api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        row.id,
        row.name,
        row.prefix,
        _stored_scopes(row.scopes),
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )


def parse_scopes(value: object) -> tuple[Scope, ...]:
    """Scopes as a list or as text separated by commas or spaces; at least one."""
    items: Iterable[object]
    if isinstance(value, str):
        items = value.replace(",", " ").split()
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        items = ()
    chosen: list[Scope] = []
    for item in items:
        try:
            scope = Scope(str(item).strip().lower())
        except ValueError:
            raise InvalidValue(
                "scopes", item, f"is not a scope; choose from {', '.join(s.value for s in Scope)}"
            ) from None
        if scope not in chosen:
            chosen.append(scope)
    if not chosen:
        raise InvalidValue(
            "scopes", value, f"must name at least one of {', '.join(s.value for s in Scope)}"
        )
    return tuple(sorted(chosen, key=list(Scope).index))


def create_api_key(
    db: Database, actor: User | None, name: object, scopes: object, *, clock: Clock = local_now
) -> IssuedApiKey:
    """The owner (`actor`; None from the command line) makes a key named `name` (what it
    is for, e.g. "storefront") with `scopes`. The secret is in the answer, and only there."""
    label = parse_text(name, "name", max_length=NAME_MAX_LENGTH)
    chosen = parse_scopes(scopes)
    created_by = require_owner(db, actor)
    secret = codes.new_secret(KEY_KIND)
    now = clock()
    with db.write() as session:
        row = ApiKeyRow(
            name=label,
            prefix=codes.prefix(secret),
            key_hash=codes.digest(secret),
            scopes=" ".join(s.value for s in chosen),
            created_by=created_by,
            created_at=now,
        )
        session.add(row)
        session.flush()
        return IssuedApiKey(_to_api_key(row), secret)


def list_api_keys(db: Database, actor: User | None) -> list[ApiKey]:
    """Every key, newest first, revoked ones too (they answer 401)."""
    require_owner(db, actor)
    with db.read() as session:
        rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id.desc()))
        return [_to_api_key(row) for row in rows]


def revoke_api_key(
    db: Database, actor: User | None, key_id: object, *, clock: Clock = local_now
) -> ApiKey:
    """The owner revokes a key: from now on it answers 401. Revoking twice changes nothing."""
    number = parse_whole_number(key_id, "API key id", minimum=1, maximum=MAX_ROW_ID)
    require_owner(db, actor)
    with db.write() as session:
        row = locked_row(session, ApiKeyRow, number, UnknownApiKey(key_id))
        if row.revoked_at is None:
            row.revoked_at = clock()
        return _to_api_key(row)


def looks_like_api_key(credential: str) -> bool:
    """Whether a bearer credential is an API key rather than a sign-in token."""
    return credential.startswith(KEY_KIND)


def use_api_key(
    db: Database, secret: object, permission: Permission, *, clock: Clock = local_now
) -> ApiKey:
    """The key behind `secret`, if it may do `permission`; records when it was last used.

    Refuses an unknown or revoked key (InvalidApiKey, 401) and one whose scopes do not
    allow `permission` (KeyNotAllowed, 403)."""
    if not isinstance(secret, str) or not secret or len(secret) > codes.MAX_LENGTH:
        raise InvalidApiKey("the API key is not valid")
    with db.read() as session:
        row = session.scalars(
            select(ApiKeyRow).where(ApiKeyRow.key_hash == codes.digest(secret.strip()))
        ).first()
        found = _to_api_key(row) if row is not None else None
    if found is None:
        raise InvalidApiKey("the API key is not valid")
    if not found.active:
        raise InvalidApiKey("the API key was revoked; ask the owner for a new one")
    if not found.may(permission):
        raise KeyNotAllowed(" ".join(s.value for s in found.scopes), permission)
    now = clock()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        with db.write() as session:
            session.execute(
                update(ApiKeyRow).where(ApiKeyRow.id == found.key_id).values(last_used_at=now)
            )
    return found
