"""Who may get in: the owner's invitations, open sign-up, and API keys for storefronts and
scripts. Owner only, and only with a signed-in person's token (never with an API key)."""

from fastapi import APIRouter

from stockcore import accounts
from stockcore.interfaces.api.deps import Db, Owner, ShopClock
from stockcore.interfaces.api.errors import SIGNED_IN_ERRORS
from stockcore.interfaces.api.schemas.access import (
    ApiKeyIn,
    ApiKeyOut,
    InvitationIn,
    InvitationOut,
    IssuedApiKeyOut,
    IssuedInvitationOut,
    SignUpIn,
    SignUpOut,
)

router = APIRouter(tags=["access"])


@router.post(
    "/invitations", status_code=201, response_model=IssuedInvitationOut, responses=SIGNED_IN_ERRORS
)
def create_invitation(
    body: InvitationIn, user: Owner, db: Db, clock: ShopClock
) -> IssuedInvitationOut:
    """A one-time code for someone to open an account with `role` (POST /register with
    "invitation"), valid for `days` days. The code is in this answer and nowhere else."""
    issued = accounts.create_invitation(db, user, body.role, days=body.days, clock=clock)
    return IssuedInvitationOut.issued(issued)


@router.get("/invitations", response_model=list[InvitationOut], responses=SIGNED_IN_ERRORS)
def invitations(user: Owner, db: Db, clock: ShopClock) -> list[InvitationOut]:
    """Every invitation, newest first: open, used (by whom), revoked or expired."""
    return [InvitationOut.of(i) for i in accounts.list_invitations(db, user, clock=clock)]


@router.delete(
    "/invitations/{invitation_id}", response_model=InvitationOut, responses=SIGNED_IN_ERRORS
)
def revoke_invitation(invitation_id: int, user: Owner, db: Db, clock: ShopClock) -> InvitationOut:
    """Withdraw an invitation that has not been used."""
    return InvitationOut.of(accounts.revoke_invitation(db, user, invitation_id, clock=clock))


@router.get("/signup", response_model=SignUpOut, responses=SIGNED_IN_ERRORS)
def signup(_user: Owner, db: Db) -> SignUpOut:
    """Whether anyone may register (as staff) without an invitation."""
    return SignUpOut(open=accounts.signup_is_open(db))


@router.put("/signup", response_model=SignUpOut, responses=SIGNED_IN_ERRORS)
def set_signup(body: SignUpIn, user: Owner, db: Db) -> SignUpOut:
    """Open or close sign-up (closed by default: newcomers need an invitation)."""
    return SignUpOut(open=accounts.set_open_signup(db, user, body.open))


@router.post(
    "/api-keys", status_code=201, response_model=IssuedApiKeyOut, responses=SIGNED_IN_ERRORS
)
def create_api_key(body: ApiKeyIn, user: Owner, db: Db, clock: ShopClock) -> IssuedApiKeyOut:
    """A key for a storefront or a script, limited to `scopes` (read, purchases:write,
    sales:write, products:write, forecasts). Send it as `Authorization: Bearer <key>` or
    `X-API-Key: <key>`. The key is in this answer and nowhere else."""
    issued = accounts.create_api_key(db, user, body.name, body.scopes, clock=clock)
    return IssuedApiKeyOut.issued(issued)


@router.get("/api-keys", response_model=list[ApiKeyOut], responses=SIGNED_IN_ERRORS)
def api_keys(user: Owner, db: Db) -> list[ApiKeyOut]:
    """Every key, newest first, with its scopes and when it was last used."""
    return [ApiKeyOut.of(key) for key in accounts.list_api_keys(db, user)]


@router.delete("/api-keys/{key_id}", response_model=ApiKeyOut, responses=SIGNED_IN_ERRORS)
def revoke_api_key(key_id: int, user: Owner, db: Db, clock: ShopClock) -> ApiKeyOut:
    """Revoke a key: from now on it answers 401."""
    return ApiKeyOut.of(accounts.revoke_api_key(db, user, key_id, clock=clock))
