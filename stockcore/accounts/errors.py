"""The refusals of accounts, each under its category (`stockcore.domain.errors`), so every
interface answers them the same way."""

from __future__ import annotations

from stockcore.accounts.permissions import Permission
from stockcore.domain import (
    Conflict,
    Forbidden,
    InvalidValue,
    NotFound,
    StockcoreError,
    Throttled,
    Unauthenticated,
)


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


class SignUpClosed(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "sign-up is closed: ask the shop's owner for an invitation code (send it as "
            '"invitation"), or to turn on open sign-up in Settings'
        )


class InvalidInvitation(Forbidden):
    """An invitation code that is unknown, already used, revoked or expired."""


class UnknownInvitation(NotFound):
    def __init__(self, invitation_id: object) -> None:
        super().__init__(f"unknown invitation {invitation_id!r}: no invitation has that id")


class InvalidApiKey(AuthenticationFailed):
    """An API key that is unknown or revoked."""


class KeyNotAllowed(Forbidden):
    """An API key used beyond its scopes (or where only a signed-in person may act)."""

    def __init__(self, scopes: str, permission: Permission | None) -> None:
        self.permission = permission
        if permission is None:
            super().__init__("an API key may not use this endpoint; sign in with POST /login")
        else:
            super().__init__(
                f"this API key (scopes: {scopes or 'none'}) may not {permission.value}; "
                "the owner can make a key with the scope it needs"
            )


class UnknownApiKey(NotFound):
    def __init__(self, key_id: object) -> None:
        super().__init__(f"unknown API key {key_id!r}: no API key has that id")
