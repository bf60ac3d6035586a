"""The REST API: the spec's endpoints and the shop's own, behind one login.

`create_app(db, secret_key=...)` builds a FastAPI application; `python -m stockcore api`
serves it with uvicorn (OpenAPI docs at /docs). Every handler checks the caller's token
and role, then calls the same use cases as the dashboard and the CLI; nothing here
touches stock or the database directly.

Errors always come back as JSON: 422 with field-level detail for a malformed or absurd
request, 401 without (or with a bad or expired) token, 403 for a role that may not,
404 for an unknown product, alert or user, 409 when the shop's state refuses (not
enough stock, a duplicate, no forecasts yet), 429 while sign-ins are throttled.
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations, and
# those name dependencies defined inside create_app.
import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError

from stockcore import accounts, inventory
from stockcore.accounts import Permission, User
from stockcore.domain import (
    MAX_LEAD_TIME_DAYS,
    MAX_QUANTITY,
    Clock,
    Conflict,
    Forbidden,
    InsufficientStock,
    Invalid,
    InvalidValue,
    NotFound,
    Product,
    StockcoreError,
    Throttled,
    Unauthenticated,
    UnknownProduct,
    local_now,
)
from stockcore.forecasting import refresh, views
from stockcore.inventory import reports, shop_sales
from stockcore.persistence.db import Database
from stockcore.replenishment import levels, plan

_log = logging.getLogger(__name__)

# JSON numbers only: no true for 1, no "3" or 2.0 for a count of units.
Whole = Annotated[int, Field(strict=True)]
Number = Annotated[float, Field(strict=True)]
ProductId = Annotated[
    Annotated[str, Field(max_length=64)] | Whole,
    Field(description="the product's SKU code, e.g. 85123A"),
]
Money = Annotated[Decimal, Field(ge=0, description="an amount in the shop's currency")]
ShortText = Annotated[str, Field(max_length=500)]
LeadTimeSpread = Annotated[
    Number, Field(ge=0, le=MAX_LEAD_TIME_DAYS, description="sd of the supplier's lead time, days")
]
ServiceLevel = Annotated[
    Number, Field(gt=0, lt=1, description="target chance of not running out, e.g. 0.95")
]


def _aware(moment: dt.datetime) -> dt.datetime:
    """Shop times are local wall-clock times; JSON gets them with their UTC offset."""
    return moment.astimezone() if moment.tzinfo is None else moment


class _In(BaseModel):
    """Request bodies: unknown fields, NaN and infinity are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --- Request and response shapes --------------------------------------------------------------


class RegisterIn(_In):
    username: str = Field(max_length=accounts.USERNAME_MAX_LENGTH, examples=["alice"])
    email: str = Field(max_length=accounts.EMAIL_MAX_LENGTH, examples=["alice@example.com"])
    password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)


class LoginIn(_In):
    username: str = Field(max_length=accounts.EMAIL_MAX_LENGTH, description="username or email")
    password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)


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

    @classmethod
    def of(cls, user: User) -> "UserOut":
        return cls(
            id=user.user_id,
            username=user.username,
            email=user.email,
            role=user.role.value,
            created_at=_aware(user.created_at),
        )


class NewUserIn(RegisterIn):
    role: Literal["owner", "manager", "staff"]


class RoleIn(_In):
    role: Literal["owner", "manager", "staff"]


class ProductOut(BaseModel):
    product_id: str
    name: str
    category: str
    unit_price: float
    unit_cost: float | None
    quantity: int
    restock_threshold: int
    supplier: str | None
    lead_time_days: int
    min_order_quantity: int
    pack_size: int
    lead_time_sd_days: float | None
    service_level: float | None
    needs_restock: bool

    @classmethod
    def of(cls, product: Product) -> "ProductOut":
        return cls(
            product_id=product.product_id,
            name=product.name,
            category=product.category,
            unit_price=float(product.unit_price),
            unit_cost=None if product.unit_cost is None else float(product.unit_cost),
            quantity=product.quantity,
            restock_threshold=product.restock_threshold,
            supplier=product.supplier,
            lead_time_days=product.lead_time_days,
            min_order_quantity=product.min_order_quantity,
            pack_size=product.pack_size,
            lead_time_sd_days=product.lead_time_sd_days,
            service_level=product.service_level,
            needs_restock=product.needs_restock,
        )


class ProductIn(_In):
    product_id: ProductId
    name: ShortText
    category: ShortText | None = None
    unit_price: Money
    quantity: Whole = Field(0, ge=0, le=MAX_QUANTITY, description="units on hand")
    restock_threshold: Whole = Field(0, ge=0, le=MAX_QUANTITY)
    unit_cost: Money | None = None
    supplier: ShortText | None = None
    lead_time_days: Whole = Field(7, ge=0, le=MAX_LEAD_TIME_DAYS)
    min_order_quantity: Whole = Field(1, ge=1, le=MAX_QUANTITY)
    pack_size: Whole = Field(1, ge=1, le=MAX_QUANTITY)
    lead_time_sd_days: LeadTimeSpread | None = None
    service_level: ServiceLevel | None = None


class ProductChangesIn(_In):
    """Only the fields sent are changed; stock on hand changes only through purchases."""

    name: ShortText | None = None
    category: ShortText | None = None
    unit_price: Money | None = None
    unit_cost: Money | None = None
    restock_threshold: Whole | None = Field(None, ge=0, le=MAX_QUANTITY)
    supplier: ShortText | None = None
    lead_time_days: Whole | None = Field(None, ge=0, le=MAX_LEAD_TIME_DAYS)
    min_order_quantity: Whole | None = Field(None, ge=1, le=MAX_QUANTITY)
    pack_size: Whole | None = Field(None, ge=1, le=MAX_QUANTITY)
    lead_time_sd_days: LeadTimeSpread | None = None
    service_level: ServiceLevel | None = Field(
        None,
        description="the target fill rate (share of demand served from stock); null: the "
        "product's ABC class's",
    )


class PurchaseIn(_In):
    product_id: ProductId
    quantity: Whole = Field(ge=1, le=MAX_QUANTITY, description="units bought")
    customer_id: str | None = Field(
        default=None,
        max_length=64,
        description="who bought (optional): a customer whose large orders the owner serves "
        "from stock is never set aside from the forecasts",
    )


class RaisedAlertOut(BaseModel):
    alert_id: int
    message: str


class PurchaseOut(BaseModel):
    product_id: str
    name: str
    quantity: int
    unit_price: float
    revenue: float
    sold_at: dt.datetime
    quantity_left: int
    alert: RaisedAlertOut | None


AlertKind = Literal["below_threshold", "runs_out_before_delivery"]


class AlertOut(BaseModel):
    alert_id: int
    kind: AlertKind
    product_id: str
    name: str
    quantity: int
    restock_threshold: int
    status: str
    raised_at: dt.datetime


class AcknowledgeIn(_In):
    alert_ids: list[Whole] = Field(min_length=1, max_length=1000)


class AcknowledgedOut(BaseModel):
    acknowledged: int


class AddSalesIn(_In):
    date: dt.date = Field(description="the day of the sales, e.g. 2024-03-31")
    sales: Money = Field(description="revenue of that day (or of that product's line)")
    product_id: ProductId | None = None
    quantity: Whole | None = Field(None, ge=1, le=MAX_QUANTITY)


class SalesAddedOut(BaseModel):
    message: str
    date: dt.date
    sales: float
    product_id: str | None
    quantity: int | None


class SalesDayOut(BaseModel):
    date: dt.date
    sales: float
    units: int | None


class TrainIn(_In):
    days: Whole = Field(
        refresh.DEFAULT_HORIZON_DAYS, ge=1, le=refresh.MAX_HORIZON_DAYS, description="horizon"
    )


class FallbackOut(BaseModel):
    product_id: str
    reason: str = Field(description="why this product's forecast is not its own model's")


class TrainOut(BaseModel):
    run_id: int
    products: int
    by_model: dict[str, int]
    fallbacks: list[FallbackOut]
    without_forecast: list[str]
    first_day: dt.date
    horizon_days: int
    seconds: float
    one_process_reason: str | None = Field(
        None,
        description="why the series were forecast in one process instead of the worker "
        "processes (a worker stopped); null when they ran as planned",
    )


class PredictIn(_In):
    days: Whole = Field(ge=1, le=refresh.MAX_HORIZON_DAYS)
    product_id: ProductId | None = None


class PredictedOut(BaseModel):
    date: dt.date
    predicted_sales: float = Field(description="units expected to sell")
    predicted_revenue: float = Field(description="at today's selling prices")


class OptimizeIn(_In):
    daily_demand: Number = Field(ge=0, le=levels.MAX_DAILY_DEMAND)
    lead_time: Number = Field(gt=0, le=levels.MAX_LEAD_TIME_DAYS)
    demand_std: Number | None = Field(None, ge=0, le=levels.MAX_DAILY_DEMAND)
    lead_time_std: Number | None = Field(None, ge=0, le=levels.MAX_LEAD_TIME_DAYS)
    service_level: Number = Field(levels.DEFAULT_SERVICE_LEVEL, gt=0, lt=1)


class OptimizeOut(BaseModel):
    reorder_point: float
    optimal_stock_level: float
    safety_stock: float
    lead_time_demand: float
    service_level: float
    explanation: str


class ChartSavedOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    message: str
    path: str
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")


class ReorderLineOut(BaseModel):
    product_id: str
    name: str
    status: str
    on_hand: int
    on_order: int
    daily_demand: float
    lead_time_days: int
    safety_stock: float
    reorder_point: float
    order_up_to: float
    suggested_quantity: int
    run_out_day: dt.date | None
    order_by: dt.date | None
    target_fill_rate: float
    stockout_chance: float  # of running out before an order placed today could arrive
    season_ends: bool  # the season peaks before an order placed today could arrive
    last_order_for_season: dt.date | None
    large_orders_set_aside: int  # very large one-off orders left out of the forecast's history
    large_order_units_set_aside: int
    explanation: str


class ForecastDayOut(BaseModel):
    date: dt.date
    predicted_units: float
    lower: float
    upper: float
    lower_95: float
    upper_95: float


class LeadTimeDemandOut(BaseModel):
    cover: str = Field(description='"lead" (the lead time) or "lead+review"')
    days: int = Field(description="calendar days from today")
    mean: float
    q80: float = Field(description="80% chance that demand stays at or below this")
    q90: float
    q95: float
    q98: float
    q99: float
    method: str


class ProductForecastOut(BaseModel):
    product_id: str
    model: str | None
    season: str | None = Field(None, description="the yearly season the product follows")
    fallback: str | None = Field(None, description="why this is not its own model's forecast")
    on_hand: int | None
    run_out_day: dt.date | None
    days_of_cover: int | None
    lead_time_demand: list[LeadTimeDemandOut] = Field(default_factory=list)
    stockout_chance: float | None = Field(
        None,
        description="chance that demand over the lead time exceeds stock on hand and on order "
        "(0.5 means 50% or more: below the median the stored quantiles cannot tell)",
    )
    forecast: list[ForecastDayOut]


class ErrorOut(BaseModel):
    detail: str | list[dict[str, Any]]


# --- Errors -------------------------------------------------------------------------------------

# Each category of refusal, once: the first that matches gives the status. A bare
# StockcoreError (an operational refusal, e.g. a file that cannot be written) is a 400.
STATUS_BY_CATEGORY: tuple[tuple[type[StockcoreError], int], ...] = (
    (Invalid, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (Unauthenticated, 401),
    (Throttled, 429),
)


def _field_error(field: str, message: str, kind: str = "invalid_value") -> dict[str, Any]:
    return {"loc": [field], "msg": message, "type": kind}


def refusal_response(refusal: StockcoreError) -> JSONResponse:
    """A use case's refusal as an HTTP answer: its message, the right 4xx, never a 500."""
    message = str(refusal)
    headers: dict[str, str] = {}
    body: dict[str, Any] = {"detail": message}
    status = next(
        (code for category, code in STATUS_BY_CATEGORY if isinstance(refusal, category)), 400
    )
    if isinstance(refusal, InvalidValue):
        body = {"detail": [_field_error(refusal.field, message)]}
    elif isinstance(refusal, InsufficientStock):
        body |= {
            "product_id": refusal.product_id,
            "requested": refusal.requested,
            "on_hand": refusal.on_hand,
        }
    elif isinstance(refusal, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(refusal, Throttled):
        headers["Retry-After"] = str(refusal.retry_after_seconds)
    return JSONResponse(body, status_code=status, headers=headers)


async def _on_refusal(_request: Request, refusal: Exception) -> JSONResponse:
    assert isinstance(refusal, StockcoreError)
    return refusal_response(refusal)


async def _on_validation(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's field-level 422, without echoing the input (it may be a password)."""
    assert isinstance(error, RequestValidationError)
    detail = [
        {"loc": list(item.get("loc", ())), "msg": item.get("msg", ""), "type": item.get("type", "")}
        for item in error.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


async def _on_database_down(_request: Request, failure: Exception) -> JSONResponse:
    _log.error("database unavailable: %s", str(failure).splitlines()[0] if str(failure) else "")
    return JSONResponse({"detail": "the database is unavailable; try again"}, status_code=503)


async def _on_bug(request: Request, bug: Exception) -> JSONResponse:
    """A bug of ours: logged with its traceback on the server, never sent to the client."""
    _log.exception("unexpected failure in %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "internal error; it was logged"}, status_code=500)


# --- The application --------------------------------------------------------------------------

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no valid token"},
    403: {"model": ErrorOut, "description": "the role may not do this"},
}


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
) -> FastAPI:
    """The API on one shop's database.

    clock: the shop's local time (sales, forecasts); now: real UTC time (token expiry);
    throttle: counts failed sign-ins (default: 5 per account or address in 15 minutes);
    chart_dir: where /visualize-sales saves sales_trend.png (default: the working folder).
    """
    if len(secret_key) < accounts.SECRET_KEY_MIN_LENGTH:
        raise StockcoreError("the API's secret key is too short")
    login_throttle = throttle or accounts.LoginThrottle()
    charts_folder = chart_dir or Path.cwd()
    bearer = HTTPBearer(auto_error=False, description="the token from POST /login")

    app = FastAPI(
        title="stockcore",
        version="1.0",
        description=(
            "Stock-out prevention for small online shops. Sign in with POST /login and send "
            "the token as `Authorization: Bearer <token>`. Roles: owner (everything), manager "
            "(inventory, imports, forecasts, orders), staff (purchases, reading stock)."
        ),
    )
    app.add_exception_handler(StockcoreError, _on_refusal)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(OperationalError, _on_database_down)
    app.add_exception_handler(Exception, _on_bug)

    def signed_in(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> User:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise accounts.InvalidToken(
                "sign in first: send Authorization: Bearer <token> (from POST /login)"
            )
        return accounts.user_for_token(db, credentials.credentials, secret_key, now=now())

    def needs(permission: Permission) -> Callable[..., User]:
        def check(user: Annotated[User, Depends(signed_in)]) -> User:
            user.require(permission)
            return user

        return check

    Reader = Annotated[User, Depends(needs(Permission.READ_INVENTORY))]
    Buyer = Annotated[User, Depends(needs(Permission.PURCHASE))]
    Manager = Annotated[User, Depends(needs(Permission.MANAGE_INVENTORY))]
    SalesReader = Annotated[User, Depends(needs(Permission.READ_SALES))]
    Importer = Annotated[User, Depends(needs(Permission.IMPORT))]
    Forecaster = Annotated[User, Depends(needs(Permission.FORECAST))]
    Orderer = Annotated[User, Depends(needs(Permission.ORDER))]
    Owner = Annotated[User, Depends(needs(Permission.MANAGE_USERS))]
    Anyone = Annotated[User, Depends(signed_in)]

    # --- Accounts ---------------------------------------------------------------------

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        """Whether the service is up (no token needed)."""
        return {"status": "ok"}

    @app.post("/register", status_code=201, response_model=UserOut, tags=["accounts"])
    def register(body: RegisterIn) -> UserOut:
        """Open an account. The shop's first account becomes its owner; later ones get the
        staff role until an owner changes it (PATCH /users/{id})."""
        user = accounts.register(db, body.username, body.email, body.password, clock=clock)
        _log.info("registered %s as %s", user.username, user.role.value)
        return UserOut.of(user)

    @app.post("/login", response_model=TokenOut, tags=["accounts"])
    def login(body: LoginIn, request: Request) -> TokenOut:
        """A token for the other endpoints. Repeated failures for an account or an address
        are answered with 429 and Retry-After."""
        address = request.client.host if request.client else None
        user = accounts.authenticate(
            db, body.username, body.password, throttle=login_throttle, address=address
        )
        issued = accounts.issue_token(user, secret_key, now=now(), ttl=token_ttl)
        return TokenOut(token=issued.token, expires_at=issued.expires_at, role=user.role.value)

    @app.get("/me", response_model=UserOut, responses=_ERRORS, tags=["accounts"])
    def me(user: Anyone) -> UserOut:
        return UserOut.of(user)

    @app.get("/users", response_model=list[UserOut], responses=_ERRORS, tags=["accounts"])
    def users(_user: Owner) -> list[UserOut]:
        return [UserOut.of(user) for user in accounts.list_users(db)]

    @app.post(
        "/users", status_code=201, response_model=UserOut, responses=_ERRORS, tags=["accounts"]
    )
    def add_user(body: NewUserIn, user: Owner) -> UserOut:
        made = accounts.create_user(
            db, user, body.username, body.email, body.password, body.role, clock=clock
        )
        return UserOut.of(made)

    @app.patch("/users/{user_id}", response_model=UserOut, responses=_ERRORS, tags=["accounts"])
    def change_role(user_id: str, body: RoleIn, user: Owner) -> UserOut:
        return UserOut.of(accounts.set_role(db, user, user_id, body.role))

    # --- Products and purchases -------------------------------------------------------

    @app.get("/products", response_model=list[ProductOut], responses=_ERRORS, tags=["products"])
    def products(
        _user: Reader,
        response: Response,
        category: Annotated[str | None, Query(max_length=200)] = None,
        search: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=shop_sales.MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_QUANTITY)] = 0,
    ) -> list[ProductOut]:
        """Products by id, optionally of one category or matching a search (name or id).
        The total count is in the X-Total-Count header."""
        found = reports.inventory(db, category=category, search=search)
        response.headers["X-Total-Count"] = str(len(found))
        return [ProductOut.of(p) for p in found[offset : offset + limit]]

    @app.get(
        "/products/{product_id}", response_model=ProductOut, responses=_ERRORS, tags=["products"]
    )
    def product(product_id: str, _user: Reader) -> ProductOut:
        found = reports.get_product(db, product_id)
        if found is None:
            raise UnknownProduct(product_id)
        return ProductOut.of(found)

    @app.post(
        "/products",
        status_code=201,
        response_model=ProductOut,
        responses=_ERRORS,
        tags=["products"],
    )
    def create_product(body: ProductIn, _user: Manager) -> ProductOut:
        made = Product.create(
            body.product_id,
            body.name,
            category=body.category,
            unit_price=body.unit_price,
            quantity=body.quantity,
            restock_threshold=body.restock_threshold,
            unit_cost=body.unit_cost,
            supplier=body.supplier,
            lead_time_days=body.lead_time_days,
            min_order_quantity=body.min_order_quantity,
            pack_size=body.pack_size,
            lead_time_sd_days=body.lead_time_sd_days,
            service_level=body.service_level,
        )
        return ProductOut.of(inventory.add_product(db, made, clock=clock))

    @app.patch(
        "/products/{product_id}", response_model=ProductOut, responses=_ERRORS, tags=["products"]
    )
    def update_product(product_id: str, body: ProductChangesIn, _user: Manager) -> ProductOut:
        """Change a product's details (not its stock on hand)."""
        changes = body.model_dump(exclude_unset=True)
        if not changes:
            raise InvalidValue("body", "{}", "names no field to change")
        (saved,) = inventory.update_products(db, {product_id: changes}, clock=clock)
        return ProductOut.of(saved)

    @app.post(
        "/purchases",
        status_code=201,
        response_model=PurchaseOut,
        responses={
            **_ERRORS,
            404: {"model": ErrorOut, "description": "unknown product"},
            409: {"model": ErrorOut, "description": "not enough stock; nothing was sold"},
        },
        tags=["products"],
    )
    def purchase(body: PurchaseIn, _user: Buyer) -> PurchaseOut:
        """A customer's order of one product, for a storefront to call on every order: one
        transaction that lowers stock, records the sale and raises a restock alert if the
        product falls below its threshold. Refused as a whole (404, 409) or done as a whole."""
        result = inventory.purchase(
            db, body.product_id, body.quantity, customer_id=body.customer_id, clock=clock
        )
        return PurchaseOut(
            product_id=result.product.product_id,
            name=result.product.name,
            quantity=result.sale.quantity,
            unit_price=float(result.sale.unit_price),
            revenue=float(result.sale.revenue),
            sold_at=_aware(result.sold_at),
            quantity_left=result.product.quantity,
            alert=(
                RaisedAlertOut(alert_id=result.alert.alert_id, message=result.alert.message)
                if result.alert
                else None
            ),
        )

    @app.get("/alerts", response_model=list[AlertOut], responses=_ERRORS, tags=["products"])
    def alerts(_user: Reader) -> list[AlertOut]:
        """Active alerts, most urgent first: products below their restock threshold, then
        products that will run out before an order placed today could arrive."""
        below: list[tuple[AlertKind, reports.AlertView]] = [
            ("below_threshold", a) for a in reports.active_alerts(db)
        ]
        late: list[tuple[AlertKind, reports.AlertView]] = [
            ("runs_out_before_delivery", a) for a in reports.lead_time_alerts(db)
        ]
        return [
            AlertOut(
                alert_id=a.alert_id,
                kind=kind,
                product_id=a.product_id,
                name=a.name,
                quantity=a.quantity,
                restock_threshold=a.restock_threshold,
                status=a.status,
                raised_at=_aware(a.raised_at),
            )
            for kind, a in below + late
        ]

    @app.post(
        "/alerts/acknowledge",
        response_model=AcknowledgedOut,
        responses=_ERRORS,
        tags=["products"],
    )
    def acknowledge(body: AcknowledgeIn, _user: Manager) -> AcknowledgedOut:
        count = inventory.acknowledge_alerts(db, body.alert_ids, clock=clock)
        return AcknowledgedOut(acknowledged=count)

    # --- Sales data (the spec's endpoints) ----------------------------------------------

    @app.post(
        "/add-sales-data",
        status_code=201,
        response_model=SalesAddedOut,
        responses=_ERRORS,
        tags=["sales"],
    )
    def add_sales_data(body: AddSalesIn, _user: Importer) -> SalesAddedOut:
        """Record past sales: a day's total for the shop ({"date", "sales"}), or with
        product_id and quantity one product's sales that day (sales = their revenue).
        History for reports and forecasts; stock on hand is not changed (see /purchases)."""
        added = shop_sales.add_sales_data(
            db,
            body.date,
            body.sales,
            product_id=body.product_id,
            quantity=body.quantity,
            clock=clock,
        )
        return SalesAddedOut(
            message=added.message,
            date=added.day,
            sales=float(added.sales),
            product_id=added.product_id,
            quantity=added.quantity,
        )

    @app.get("/get-sales-data", response_model=list[SalesDayOut], responses=_ERRORS, tags=["sales"])
    def get_sales_data(
        _user: SalesReader,
        response: Response,
        date_from: Annotated[dt.date | None, Query(alias="from")] = None,
        date_to: Annotated[dt.date | None, Query(alias="to")] = None,
        product_id: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=shop_sales.MAX_PAGE)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_QUANTITY)] = 0,
    ) -> list[SalesDayOut]:
        """Sales (revenue) and units per day, oldest first, optionally between two days
        and of one product. The number of days in the whole selection is in X-Total-Count."""
        page = shop_sales.daily_sales(
            db,
            start=date_from,
            end=date_to,
            product_id=product_id,
            limit=limit,
            offset=offset,
        )
        response.headers["X-Total-Count"] = str(page.total)
        return [SalesDayOut(date=d.day, sales=float(d.sales), units=d.units) for d in page.days]

    @app.post("/train-sales-model", response_model=TrainOut, responses=_ERRORS, tags=["sales"])
    def train_sales_model(_user: Forecaster, body: TrainIn | None = None) -> TrainOut:
        """Refresh every product's forecast (the same as *Refresh all forecasts*). Takes
        seconds to a minute; the previous forecasts stay until the new ones are stored."""
        summary = plan.refresh_forecasts_and_alerts(
            db,
            horizon_days=body.days if body else refresh.DEFAULT_HORIZON_DAYS,
            workers=forecast_workers,
            clock=clock,
        ).summary
        return TrainOut(
            run_id=summary.run_id,
            products=summary.products,
            by_model=summary.by_model,
            fallbacks=[
                FallbackOut(product_id=f.product_id, reason=f.reason) for f in summary.fallbacks
            ],
            without_forecast=summary.without_forecast,
            first_day=summary.first_day,
            horizon_days=summary.horizon_days,
            seconds=round(summary.seconds, 3),
            one_process_reason=summary.one_process_reason,
        )

    @app.post(
        "/predict-sales", response_model=list[PredictedOut], responses=_ERRORS, tags=["sales"]
    )
    def predict_sales(body: PredictIn, _user: Forecaster) -> list[PredictedOut]:
        """The stored forecast for the next `days` days, of the shop or of one product
        (409 until /train-sales-model has made one)."""
        days = shop_sales.stored_forecast(
            db, body.days, today=clock().date(), product_id=body.product_id
        )
        return [
            PredictedOut(
                date=d.day,
                predicted_sales=d.predicted_units,
                predicted_revenue=float(d.predicted_revenue),
            )
            for d in days
        ]

    @app.post("/optimize-inventory", response_model=OptimizeOut, responses=_ERRORS, tags=["sales"])
    def optimize_inventory(body: OptimizeIn, _user: Forecaster) -> OptimizeOut:
        """Reorder point and optimal stock level for a daily demand and a lead time (80 a
        day over 5 days gives 400 and 480). With spreads given, a service-level safety
        stock."""
        calculated = levels.stock_levels(
            levels.parse_daily_demand(body.daily_demand),
            levels.parse_lead_time(body.lead_time),
            demand_std=body.demand_std,
            lead_time_std=body.lead_time_std,
            service_level=body.service_level,  # OptimizeIn keeps it inside (0, 1)
        )
        return OptimizeOut(
            reorder_point=round(calculated.reorder_point, 2),
            optimal_stock_level=round(calculated.optimal_stock_level, 2),
            safety_stock=round(calculated.safety_stock, 2),
            lead_time_demand=round(calculated.lead_time_demand, 2),
            service_level=calculated.service_level,
            explanation=calculated.explain(),
        )

    @app.get(
        "/visualize-sales",
        response_model=ChartSavedOut,
        responses={
            **_ERRORS,
            200: {"content": {"image/png": {}}, "description": "saved (JSON) or the PNG"},
        },
        tags=["sales"],
    )
    def visualize_sales(
        _user: SalesReader,
        date_from: Annotated[dt.date | None, Query(alias="from")] = None,
        date_to: Annotated[dt.date | None, Query(alias="to")] = None,
        period: Literal["day", "week", "month"] = "week",
        format: Literal["json", "png"] = "json",
    ) -> Any:
        """The sales trend chart (revenue per period; default: the last 90 days with sales).
        Saves it as sales_trend.png and says where, or with ?format=png returns the PNG."""
        days = reports.report_range(db, today=clock().date(), start=date_from, end=date_to)
        png = shop_sales.sales_trend_png(db, days.start, days.end, period=period)
        if format == "png":
            return Response(png, media_type="image/png")
        path = charts_folder / shop_sales.CHART_FILE
        path.write_bytes(png)
        return ChartSavedOut.model_validate(
            {
                "message": f"Sales trend chart saved as {shop_sales.CHART_FILE}",
                "path": str(path.resolve()),
                "from": days.start,
                "to": days.end,
            }
        )

    # --- Forecasts and reordering -------------------------------------------------------

    @app.get(
        "/products/{product_id}/forecast",
        response_model=ProductForecastOut,
        responses=_ERRORS,
        tags=["forecasts"],
    )
    def product_forecast(
        product_id: str,
        _user: Forecaster,
        days: Annotated[int, Query(ge=1, le=refresh.MAX_HORIZON_DAYS)] = 28,
    ) -> ProductForecastOut:
        """One product's stored daily forecast with its 80% and 95% ranges, and the
        quantiles of its total demand over its lead time and lead time + review."""
        view = views.product_forecast(db, product_id, days=days, today=clock().date())
        if view.forecast.empty:
            raise views.NoForecasts(
                f"no forecast for product {product_id} yet: POST /train-sales-model first"
            )
        return ProductForecastOut(
            product_id=product_id,
            model=view.model.model if view.model else None,
            season=view.model.season if view.model else None,
            fallback=view.model.fallback if view.model else None,
            on_hand=view.on_hand,
            run_out_day=view.run_out_day,
            days_of_cover=view.days_of_cover,
            lead_time_demand=[
                LeadTimeDemandOut(
                    cover=c.cover,
                    days=c.days,
                    mean=round(c.mean, 3),
                    q80=round(c.q80, 3),
                    q90=round(c.q90, 3),
                    q95=round(c.q95, 3),
                    q98=round(c.q98, 3),
                    q99=round(c.q99, 3),
                    method=c.method,
                )
                for c in view.covers
            ],
            stockout_chance=round(view.stockout_chance[0], 4) if view.stockout_chance else None,
            forecast=[
                ForecastDayOut(
                    date=row["day"].date(),
                    predicted_units=round(float(row["predicted_units"]), 3),
                    lower=round(float(row["lower"]), 3),
                    upper=round(float(row["upper"]), 3),
                    lower_95=round(float(row["lower_95"]), 3),
                    upper_95=round(float(row["upper_95"]), 3),
                )
                for row in view.forecast.to_dict("records")
            ],
        )

    @app.get(
        "/reorder-suggestions",
        response_model=list[ReorderLineOut],
        responses=_ERRORS,
        tags=["forecasts"],
    )
    def reorder_suggestions(
        _user: Orderer, include_all: Annotated[bool, Query(alias="all")] = False
    ) -> list[ReorderLineOut]:
        """What to order, how much and by when, most urgent first (products to order now
        or soon; ?all=true for every product with a forecast)."""
        lines = plan.reorder_list(db, today=clock().date(), only_urgent=not include_all)
        return [
            ReorderLineOut(
                product_id=line.product_id,
                name=line.name,
                status=line.status,
                on_hand=line.on_hand,
                on_order=line.on_order,
                daily_demand=round(line.daily_demand, 3),
                lead_time_days=line.lead_time_days,
                safety_stock=round(line.safety_stock, 2),
                reorder_point=round(line.reorder_point, 2),
                order_up_to=round(line.order_up_to, 2),
                suggested_quantity=line.suggested_quantity,
                run_out_day=line.run_out_day,
                order_by=line.order_by,
                target_fill_rate=line.service_level,
                stockout_chance=round(line.stockout_chance, 4),
                season_ends=line.season is not None and line.season.ended,
                last_order_for_season=line.season.last_order if line.season else None,
                large_orders_set_aside=line.set_aside_orders,
                large_order_units_set_aside=line.set_aside_units,
                explanation=line.explain(),
            )
            for line in lines
        ]

    return app


def serve(url: str | None, *, host: str, port: int) -> None:
    """Open (and migrate) the shop's database and serve the API with uvicorn until stopped."""
    import uvicorn

    from stockcore.inventory.demo import open_shop

    shop = open_shop(url)
    secret = accounts.load_secret_key(shop.db.url)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(shop.db, secret_key=secret), host=host, port=port, log_level="info")
