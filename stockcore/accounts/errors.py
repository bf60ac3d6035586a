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


class WrongPassword(InvalidValue):
    """The current password given to change it is not the account's. Never shows the value."""

    def __init__(self) -> None:
        self.field = "current_password"
        self.value = None
        self.reason = "is not your current password"
        StockcoreError.__init__(
            self, "current password is not your current password; nothing changed"
        )
