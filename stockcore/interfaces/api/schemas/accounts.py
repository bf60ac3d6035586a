"""The accounts tag's shapes: registering, signing in, tokens, users and passwords."""

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from stockcore import accounts
from stockcore.accounts import User
from stockcore.interfaces.api.schemas.common import RoleName, StrictIn, Text, aware


class _AccountIn(StrictIn):
    username: Text = Field(max_length=accounts.USERNAME_MAX_LENGTH, examples=["alice"])
    email: Text = Field(max_length=accounts.EMAIL_MAX_LENGTH, examples=["alice@example.com"])
    password: Text = Field(max_length=accounts.PASSWORD_MAX_LENGTH)


class RegisterIn(_AccountIn):
    invitation: Text | None = Field(
        default=None,
        max_length=100,
        description="the invitation code from the owner: needed once the shop has an owner, "
        "unless the owner turned open sign-up on (it gives the invitation's role)",
    )


class LoginIn(StrictIn):
    # The spec signs in with {"email", "password"}; {"username", "password"} works too, and
    # either field takes a username or an email address.
    username: Text | None = Field(
        None, max_length=accounts.EMAIL_MAX_LENGTH, description="username or email"
    )
    email: Text | None = Field(
        None, max_length=accounts.EMAIL_MAX_LENGTH, description="email or username"
    )
    password: Text = Field(max_length=accounts.PASSWORD_MAX_LENGTH)

    @model_validator(mode="after")
    def _one_login(self) -> "LoginIn":
        if (self.username is None) == (self.email is None):
            raise ValueError("give username or email (one of them) with the password")
        return self

    @property
    def login(self) -> str:
        return self.username if self.username is not None else str(self.email)


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: dt.datetime
    role: str


class UserOut(BaseModel):
    id: str
    username: str
    email: str
    role: str
    created_at: dt.datetime
    active: bool = Field(description="false: disabled, cannot sign in")

    @classmethod
    def of(cls, user: User) -> "UserOut":
        return cls(
            id=user.user_id,
            username=user.username,
            email=user.email,
            role=user.role.value,
            created_at=aware(user.created_at),
            active=user.active,
        )


class RegisteredOut(UserOut):
    message: Literal["User registered successfully"] = "User registered successfully"

    @classmethod
    def of(cls, user: User) -> "RegisteredOut":
        return cls(**UserOut.of(user).model_dump())


class NewUserIn(_AccountIn):
    role: RoleName


class UserChangeIn(StrictIn):
    """A new role, and/or active false to disable the account (true to enable it again)."""

    role: RoleName | None = None
    active: Annotated[bool, Field(strict=True)] | None = None


class PasswordChangeIn(StrictIn):
    current_password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)
    new_password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)


class PasswordResetIn(StrictIn):
    new_password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)
