"""What a handler may ask for (FastAPI dependencies): the shop's database, its clock, the
API's settings and the signed-in user (or an API key), checked for a permission.

`create_app` puts one `ApiContext` on `app.state`; everything here reads it from the
request, so the routers are plain modules and a test's app can carry its own database,
clock and secret.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from stockcore import accounts
from stockcore.accounts import Permission, User
from stockcore.domain import Clock
from stockcore.interfaces.api import guards
from stockcore.persistence.db import Database


@dataclass(frozen=True)
class ApiContext:
    """One app's shop and settings.

    clock: the shop's local time (sales, forecasts); now: real UTC time (token expiry);
    throttle: counts failed sign-ins; token_ttl: how long a token is good for;
    chart_dir: where /visualize-sales saves its chart (None: nowhere); forecast_workers:
    worker processes for a forecast refresh; trusted_proxies: whose X-Forwarded-For is
    believed.
    """

    db: Database
    secret_key: str
    clock: Clock
    now: Callable[[], dt.datetime]
    throttle: accounts.LoginThrottle
    token_ttl: dt.timedelta
    chart_dir: Path | None
    forecast_workers: int
    trusted_proxies: tuple[guards.Network, ...] = ()


# The accessors below only read the context: async, so FastAPI runs them on the event
# loop instead of sending each to the thread pool as it does a plain `def`.


async def api_context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.context
    return context


Context = Annotated[ApiContext, Depends(api_context)]


async def database(context: Context) -> Database:
    return context.db


async def shop_clock(context: Context) -> Clock:
    return context.clock


async def shop_today(context: Context) -> dt.date:
    """The shop's local date when the request is handled."""
    return context.clock().date()


async def client_address(request: Request, context: Context) -> str | None:
    """The client's address: the TCP peer, or what a trusted proxy says (guards)."""
    return guards.client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        context.trusted_proxies,
    )


Db = Annotated[Database, Depends(database)]
ClientAddress = Annotated[str | None, Depends(client_address)]
ShopClock = Annotated[Clock, Depends(shop_clock)]
Today = Annotated[dt.date, Depends(shop_today)]

bearer = HTTPBearer(
    auto_error=False, description="the token from POST /login, or an API key (sck_...)"
)
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="an API key made by the owner (sck_...)"
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
ApiKeyHeader = Annotated[str | None, Depends(api_key_header)]


def _api_key(credentials: HTTPAuthorizationCredentials | None, header: str | None) -> str | None:
    """The API key a request carries (X-API-Key, or a bearer credential that is one)."""
    if header is not None:
        return header
    if credentials is not None and accounts.looks_like_api_key(credentials.credentials):
        return credentials.credentials
    return None


async def presented_token(credentials: Credentials, api_key: ApiKeyHeader) -> str:
    """The sign-in token that came with the request: 401 without one; an API key is
    refused here (403), as it serves only the endpoints its scopes name."""
    if _api_key(credentials, api_key) is not None:
        raise accounts.KeyNotAllowed("", None)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise accounts.InvalidToken(
            "sign in first: send Authorization: Bearer <token> (from POST /login)"
        )
    return credentials.credentials


Token = Annotated[str, Depends(presented_token)]


def signed_in(context: Context, token: Token) -> User:
    """The user whose token came with the request; 401 without a valid, unexpired one, or
    for a token signed out, or whose account is disabled or was signed out everywhere."""
    return accounts.user_for_token(context.db, token, context.secret_key, now=context.now())


# Who makes a request: a signed-in person, or an API key (which acts for the shop). Both
# carry the `actor` the ledger records.
Caller = User | accounts.ApiKey


def needs(permission: Permission) -> Callable[..., Caller]:
    """A dependency: the signed-in user, if their role has `permission` (else 403); or
    the request's API key, if its scopes allow `permission` (else 403; a revoked or
    unknown key is 401)."""

    def check(context: Context, credentials: Credentials, api_key: ApiKeyHeader) -> Caller:
        key = _api_key(credentials, api_key)
        if key is not None:
            return accounts.use_api_key(context.db, key, permission, clock=context.clock)
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise accounts.InvalidToken(
                "sign in first: send Authorization: Bearer <token> (from POST /login)"
            )
        user = signed_in(context, credentials.credentials)
        user.require(permission)
        return user

    return check


def owner(user: Annotated[User, Depends(signed_in)]) -> User:
    """The signed-in owner (managing users and keys is for a person, never for a key)."""
    user.require(Permission.MANAGE_USERS)
    return user


Anyone = Annotated[User, Depends(signed_in)]
Reader = Annotated[Caller, Depends(needs(Permission.READ_INVENTORY))]
Buyer = Annotated[Caller, Depends(needs(Permission.PURCHASE))]
Manager = Annotated[Caller, Depends(needs(Permission.MANAGE_INVENTORY))]
SalesReader = Annotated[Caller, Depends(needs(Permission.READ_SALES))]
Importer = Annotated[Caller, Depends(needs(Permission.IMPORT))]
Forecaster = Annotated[Caller, Depends(needs(Permission.FORECAST))]
Orderer = Annotated[Caller, Depends(needs(Permission.ORDER))]
Owner = Annotated[User, Depends(owner)]
