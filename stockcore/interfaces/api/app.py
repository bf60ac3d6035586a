"""The application: one shop's database and settings, the routers, the error handlers."""

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from fastapi import FastAPI

from stockcore import accounts
from stockcore.domain import Clock, StockcoreError, local_now
from stockcore.interfaces.api import errors, guards
from stockcore.interfaces.api.deps import ApiContext
from stockcore.interfaces.api.routers import access, forecasts, products, sales, service, sessions
from stockcore.interfaces.api.routers import accounts as accounts_routes
from stockcore.interfaces.api.security import SecurityHeaders
from stockcore.persistence.db import Database

CHART_DIR_ENV = "STOCKCORE_CHART_DIR"  # where /visualize-sales saves sales_trend.png
DOCS_ENV = "STOCKCORE_API_DOCS"  # "1": serve /docs, /redoc and /openapi.json

DESCRIPTION = (
    "Stock-out prevention for small online shops. Sign in with POST /login and send "
    "the token as `Authorization: Bearer <token>` (or an API key from the owner, as "
    "`Authorization: Bearer <key>` or `X-API-Key`, limited to its scopes). Roles: owner "
    "(everything), manager (inventory, imports, forecasts, orders), staff (purchases, "
    "reading stock). `POST /purchases` and `/add-sales-data` take an `Idempotency-Key` "
    "header or an `order_id`: a retry gets the first answer and changes nothing."
)


def create_app(
    db: Database,
    *,
    secret_key: str,
    clock: Clock = local_now,
    now: Callable[[], dt.datetime] = accounts.utc_now,
    throttle: accounts.LoginThrottle | None = None,
    token_ttl: dt.timedelta = accounts.TOKEN_TTL,
    chart_dir: Path | None = None,
    forecast_workers: int = 2,
    docs: bool = False,
    trusted_proxies: str | Iterable[str] | None = None,
    max_body_bytes: int = guards.DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """The API on one shop's database.

    clock: the shop's local time (sales, forecasts); now: real UTC time (token expiry);
    throttle: the limits on failed sign-ins, counted in the database (default LoginThrottle());
    chart_dir: where /visualize-sales saves sales_trend.png (default None: it saves
    nothing and writes no file); docs: serve /docs, /redoc and /openapi.json to anyone
    (default False: they answer 404; `app.openapi()` still gives the schema);
    trusted_proxies: addresses or networks whose X-Forwarded-For names the client (default:
    none, the TCP peer is the client); max_body_bytes: larger request bodies get 413.
    """
    if len(secret_key) < accounts.SECRET_KEY_MIN_LENGTH:
        raise StockcoreError("the API's secret key is too short")
    if chart_dir is not None and not chart_dir.is_dir():
        raise StockcoreError(f"the chart folder {chart_dir} is not a folder")
    app = FastAPI(
        title="stockcore",
        version="1.0",
        description=DESCRIPTION,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.context = ApiContext(
        db=db,
        secret_key=secret_key,
        clock=clock,
        now=now,
        throttle=throttle or accounts.LoginThrottle(),
        token_ttl=token_ttl,
        chart_dir=chart_dir,
        forecast_workers=forecast_workers,
        trusted_proxies=guards.parse_trusted_proxies(trusted_proxies),
    )
    app.add_middleware(guards.RequestGuard, max_body_bytes=max_body_bytes)
    errors.install(app)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so even a 500 carries them
    for routes in (service, accounts_routes, sessions, access, products, sales, forecasts):
        app.include_router(routes.router)
    return app


def settings_from_env(environ: Mapping[str, str] | None = None) -> tuple[Path | None, bool]:
    """The chart folder and whether to serve the docs, from STOCKCORE_CHART_DIR and
    STOCKCORE_API_DOCS ("1", "true" or "yes")."""
    environ = os.environ if environ is None else environ
    folder = environ.get(CHART_DIR_ENV, "").strip()
    docs = environ.get(DOCS_ENV, "").strip().lower() in {"1", "true", "yes"}
    return (Path(folder) if folder else None), docs


def serve(
    url: str | None,
    *,
    host: str,
    port: int,
    chart_dir: Path | None = None,
    docs: bool = False,
    trusted_proxies: str | Iterable[str] | None = None,
    max_body_bytes: int | None = None,
) -> None:
    """Open (and migrate) the shop's database and serve the API with uvicorn until stopped.

    trusted_proxies: default $STOCKCORE_TRUSTED_PROXIES, else none; max_body_bytes:
    default $STOCKCORE_API_MAX_BODY_BYTES, else 1 MiB.
    """
    import uvicorn

    from stockcore.inventory.demo import open_shop

    proxies = (
        guards.parse_trusted_proxies(trusted_proxies)
        if trusted_proxies is not None
        else guards.trusted_proxies_from_env()
    )
    largest = max_body_bytes if max_body_bytes is not None else guards.max_body_bytes_from_env()
    shop = open_shop(url)
    secret = accounts.load_secret_key(shop.db.url)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(
        shop.db,
        secret_key=secret,
        chart_dir=chart_dir,
        docs=docs,
        trusted_proxies=[str(network) for network in proxies],
        max_body_bytes=largest,
    )
    # uvicorn would take the client from X-Forwarded-For of any peer in
    # $FORWARDED_ALLOW_IPS (127.0.0.1 by default): the app decides that itself (guards).
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
