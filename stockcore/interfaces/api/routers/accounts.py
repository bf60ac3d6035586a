"""Accounts: registering, signing in, and the owner's management of users and roles."""

import logging

from fastapi import APIRouter

from stockcore import accounts
from stockcore.interfaces.api.deps import Anyone, ClientAddress, Context, Db, Owner, ShopClock
from stockcore.interfaces.api.errors import SIGNED_IN_ERRORS
from stockcore.interfaces.api.schemas.accounts import (
    LoginIn,
    NewUserIn,
    RegisteredOut,
    RegisterIn,
    TokenOut,
    UserChangeIn,
    UserOut,
)
from stockcore.interfaces.api.schemas.common import ErrorOut

_log = logging.getLogger(__name__)

router = APIRouter(tags=["accounts"])


@router.post(
    "/register",
    status_code=201,
    response_model=RegisteredOut,
    responses={403: {"model": ErrorOut, "description": "sign-up is closed, or a bad invitation"}},
)
def register(body: RegisterIn, db: Db, clock: ShopClock) -> RegisteredOut:
    """Open an account. The shop's first account becomes its owner. After that sign-up is
    closed: send the owner's `invitation` code (the account gets the invitation's role),
    unless the owner turned open sign-up on (then accounts without one get staff)."""
    user = accounts.register(
        db, body.username, body.email, body.password, invitation=body.invitation, clock=clock
    )
    _log.info("registered %s as %s", user.username, user.role.value)
    return RegisteredOut.of(user)


@router.post("/login", response_model=TokenOut)
def login(body: LoginIn, context: Context, address: ClientAddress) -> TokenOut:
    """A token for the other endpoints: {"email", "password"} (the spec's body) or
    {"username", "password"}. Repeated failures for an account from an address, from an
    address, or for an account from everywhere are answered with 429 and Retry-After."""
    user = accounts.authenticate(
        context.db, body.login, body.password, throttle=context.throttle, address=address
    )
    issued = accounts.issue_token(
        user, context.secret_key, now=context.now(), ttl=context.token_ttl
    )
    return TokenOut(token=issued.token, expires_at=issued.expires_at, role=user.role.value)


@router.get("/me", response_model=UserOut, responses=SIGNED_IN_ERRORS)
def me(user: Anyone) -> UserOut:
    return UserOut.of(user)


@router.get("/users", response_model=list[UserOut], responses=SIGNED_IN_ERRORS)
def users(_user: Owner, db: Db) -> list[UserOut]:
    return [UserOut.of(user) for user in accounts.list_users(db)]


@router.post("/users", status_code=201, response_model=UserOut, responses=SIGNED_IN_ERRORS)
def add_user(body: NewUserIn, user: Owner, db: Db, clock: ShopClock) -> UserOut:
    made = accounts.create_user(
        db, user, body.username, body.email, body.password, body.role, clock=clock
    )
    return UserOut.of(made)


@router.patch("/users/{user_id}", response_model=UserOut, responses=SIGNED_IN_ERRORS)
def change_user(user_id: str, body: UserChangeIn, user: Owner, db: Db) -> UserOut:
    """A new role, and/or `"active": false` to disable the account (it cannot sign in and
    its tokens stop working at once) or true to enable it. The shop keeps an active owner."""
    return UserOut.of(accounts.change_user(db, user, user_id, role=body.role, active=body.active))
