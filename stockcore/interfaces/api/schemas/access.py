"""The access tag's shapes: invitations, open sign-up and API keys."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from stockcore import accounts
from stockcore.interfaces.api.schemas.common import RoleName, StrictIn, Text, Whole, aware


class InvitationIn(StrictIn):
    role: RoleName
    days: Whole = Field(
        default=accounts.DEFAULT_VALID_DAYS,
        ge=1,
        le=accounts.MAX_VALID_DAYS,
        description="how many days the code stays valid",
    )


class InvitationOut(BaseModel):
    id: int
    prefix: str = Field(description="the code's first characters, to tell codes apart")
    role: str
    status: Literal["open", "used", "revoked", "expired"]
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    used_by: str | None

    @classmethod
    def of(cls, invitation: accounts.Invitation) -> "InvitationOut":
        return cls(
            id=invitation.invitation_id,
            prefix=invitation.prefix,
            role=invitation.role.value,
            status=invitation.status.value,
            created_at=aware(invitation.created_at),
            expires_at=aware(invitation.expires_at),
            used_at=aware(invitation.used_at) if invitation.used_at else None,
            used_by=invitation.used_by,
        )


class IssuedInvitationOut(InvitationOut):
    code: str = Field(description="the one-time code: shown now and never again")
    signup_query: str = Field(description="append to the dashboard's address to pre-fill it")

    @classmethod
    def issued(cls, issued: accounts.IssuedInvitation) -> "IssuedInvitationOut":
        return cls(
            **InvitationOut.of(issued.invitation).model_dump(),
            code=issued.code,
            signup_query=issued.signup_query,
        )


class SignUpIn(StrictIn):
    open: bool = Field(description="true: anyone may open a staff account without invitation")


class SignUpOut(BaseModel):
    open: bool


ScopeName = Literal["read", "purchases:write", "sales:write", "products:write", "forecasts"]


class ApiKeyIn(StrictIn):
    name: Text = Field(max_length=accounts.api_keys.NAME_MAX_LENGTH, examples=["storefront"])
    scopes: list[ScopeName] = Field(min_length=1, max_length=len(accounts.Scope))


class ApiKeyOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="the key's first characters, to recognise it")
    scopes: list[str]
    active: bool
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, key: accounts.ApiKey) -> "ApiKeyOut":
        return cls(
            id=key.key_id,
            name=key.name,
            prefix=key.prefix,
            scopes=[scope.value for scope in key.scopes],
            active=key.active,
            created_at=aware(key.created_at),
            last_used_at=aware(key.last_used_at) if key.last_used_at else None,
            revoked_at=aware(key.revoked_at) if key.revoked_at else None,
        )


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(description="the key: shown now and never again")

    @classmethod
    def issued(cls, issued: accounts.IssuedApiKey) -> "IssuedApiKeyOut":
        return cls(**ApiKeyOut.of(issued.api_key).model_dump(), key=issued.secret)
