"""What the API's requests and answers look like: pydantic models, one per shape.

Request bodies (`...In`) refuse unknown fields, NaN and infinity, take JSON numbers
only where a count is meant, text without control characters (`Text`) and dates only as
"YYYY-MM-DD" (`Day`). Answers (`...Out`) are built from a use case's result with
their `of` constructors, so the routers only pick the use case and the status. The
product shapes follow `stockcore.domain.PRODUCT_FIELDS` (tests/test_api.py checks it).
"""

import datetime as dt
import re
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from stockcore import accounts, inventory
from stockcore.accounts import User
from stockcore.domain import (
    DEFAULT_LEAD_TIME_DAYS,
    DEFAULT_SERVICE_LEVEL,
    MAX_LEAD_TIME_DAYS,
    MAX_QUANTITY,
    MAX_SERVICE_LEVEL,
    MIN_SERVICE_LEVEL,
    PRODUCT_FIELDS,
    SERVICE_LEVEL_MEANING,
    Product,
    same_named,
    text_problem,
)
from stockcore.forecasting import refresh, views
from stockcore.inventory import reports, shop_sales
from stockcore.replenishment import levels
from stockcore.replenishment.lines import ReorderLine


def _printable(text: str) -> str:
    """The domain's rule for text (no NUL or other control character), as a field error."""
    problem = text_problem(text)
    if problem is not None:
        raise PydanticCustomError("control_character", problem)
    return text


def _iso_day(value: object) -> object:
    """A day as JSON writes one: "2024-03-31", never a number (86400 is not 1970-01-02)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_format", "must be a date written like 2024-03-31")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# Text of any field a request sends: no NUL, tab, line break or other control character.
Text = Annotated[str, AfterValidator(_printable)]
# A calendar day, as text "YYYY-MM-DD" only.
Day = Annotated[dt.date, BeforeValidator(_iso_day)]
# JSON numbers only: no true for 1, no "3" or 2.0 for a count of units.
Whole = Annotated[int, Field(strict=True)]
Number = Annotated[float, Field(strict=True)]
ProductId = Annotated[
    Annotated[Text, Field(max_length=64)] | Whole,
    Field(description="the product's SKU code, e.g. 85123A: letters, digits and - _ ."),
]
Money = Annotated[Decimal, Field(ge=0, description="an amount in the shop's currency")]
ShortText = Annotated[Text, Field(max_length=500)]
LeadTimeSpread = Annotated[
    Number, Field(ge=0, le=MAX_LEAD_TIME_DAYS, description="sd of the supplier's lead time, days")
]
ServiceLevel = Annotated[
    Number,
    Field(
        ge=MIN_SERVICE_LEVEL,
        le=MAX_SERVICE_LEVEL,
        description=f"service level ({SERVICE_LEVEL_MEANING}) to aim for, e.g. 0.95",
    ),
]
# Answers: forecast units to 3 decimals, stock levels to 2, chances to 4.
Units = Annotated[float, AfterValidator(partial(round, ndigits=3))]
Level = Annotated[float, AfterValidator(partial(round, ndigits=2))]
Chance = Annotated[float, AfterValidator(partial(round, ndigits=4))]
RoleName = Literal["owner", "manager", "staff"]
OrderId = Annotated[
    Annotated[Text, Field(max_length=200)] | Whole | None,
    Field(
        description="the storefront's order id (optional): a retried request with the same "
        "order id changes nothing and gets the first answer (as an Idempotency-Key header)"
    ),
]
AlertKind = Literal["below_threshold", "runs_out_before_delivery"]


def _aware(moment: dt.datetime) -> dt.datetime:
    """Shop times are local wall-clock times; JSON gets them with their UTC offset."""
    return moment.astimezone() if moment.tzinfo is None else moment


class _In(BaseModel):
    """Request bodies: unknown fields, NaN and infinity are refused."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ErrorOut(BaseModel):
    detail: str | list[dict[str, Any]]


# --- Accounts -----------------------------------------------------------------------------------


class _AccountIn(_In):
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


class LoginIn(_In):
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
            created_at=_aware(user.created_at),
            active=user.active,
        )


class RegisteredOut(UserOut):
    message: Literal["User registered successfully"] = "User registered successfully"

    @classmethod
    def of(cls, user: User) -> "RegisteredOut":
        return cls(**UserOut.of(user).model_dump())


class NewUserIn(_AccountIn):
    role: RoleName


class UserChangeIn(_In):
    """A new role, and/or active false to disable the account (true to enable it again)."""

    role: RoleName | None = None
    active: Annotated[bool, Field(strict=True)] | None = None


class PasswordChangeIn(_In):
    current_password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)
    new_password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)


class PasswordResetIn(_In):
    new_password: str = Field(max_length=accounts.PASSWORD_MAX_LENGTH)


class InvitationIn(_In):
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
            created_at=_aware(invitation.created_at),
            expires_at=_aware(invitation.expires_at),
            used_at=_aware(invitation.used_at) if invitation.used_at else None,
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


class SignUpIn(_In):
    open: bool = Field(description="true: anyone may open a staff account without invitation")


class SignUpOut(BaseModel):
    open: bool


ScopeName = Literal["read", "purchases:write", "sales:write", "products:write", "forecasts"]


class ApiKeyIn(_In):
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
            created_at=_aware(key.created_at),
            last_used_at=_aware(key.last_used_at) if key.last_used_at else None,
            revoked_at=_aware(key.revoked_at) if key.revoked_at else None,
        )


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(description="the key: shown now and never again")

    @classmethod
    def issued(cls, issued: accounts.IssuedApiKey) -> "IssuedApiKeyOut":
        return cls(**ApiKeyOut.of(issued.api_key).model_dump(), key=issued.secret)


# --- Products, purchases and alerts -------------------------------------------------------------


class ProductOut(BaseModel):
    # Every field of Product (PRODUCT_FIELDS), and whether it needs a restock. (A comment,
    # not a docstring: a docstring would become the schema's description.)
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
            **{field: getattr(product, field) for field in PRODUCT_FIELDS},
            needs_restock=product.needs_restock,
        )


class ProductIn(_In):
    # A new product: every field of Product (PRODUCT_FIELDS), as Product.create takes them.
    product_id: ProductId
    name: ShortText
    category: ShortText | None = None
    unit_price: Money
    quantity: Whole = Field(0, ge=0, le=MAX_QUANTITY, description="units on hand")
    restock_threshold: Whole = Field(0, ge=0, le=MAX_QUANTITY)
    unit_cost: Money | None = None
    supplier: ShortText | None = None
    lead_time_days: Whole = Field(DEFAULT_LEAD_TIME_DAYS, ge=0, le=MAX_LEAD_TIME_DAYS)
    min_order_quantity: Whole = Field(1, ge=1, le=MAX_QUANTITY)
    pack_size: Whole = Field(1, ge=1, le=MAX_QUANTITY)
    lead_time_sd_days: LeadTimeSpread | None = None
    service_level: ServiceLevel | None = None


class ProductChangesIn(_In):
    """Only the fields sent are changed; stock on hand changes only through purchases."""

    # Every field of inventory.EDITABLE_FIELDS.
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
        description=f"the service level ({SERVICE_LEVEL_MEANING}) to aim for; null: the "
        "product's ABC class's",
    )


class PurchaseIn(_In):
    product_id: ProductId
    quantity: Whole = Field(ge=1, le=MAX_QUANTITY, description="units bought")
    customer_id: Text | None = Field(
        default=None,
        max_length=64,
        description="who bought (optional): a customer whose large orders the owner serves "
        "from stock is never set aside from the forecasts",
    )
    order_id: OrderId = None


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

    @classmethod
    def of(cls, result: inventory.PurchaseResult) -> "PurchaseOut":
        return cls(
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


class AlertOut(BaseModel):
    alert_id: int
    kind: AlertKind
    product_id: str
    name: str
    quantity: int
    restock_threshold: int
    status: str
    raised_at: dt.datetime

    @classmethod
    def of(cls, kind: AlertKind, alert: reports.AlertView) -> "AlertOut":
        return cls(**same_named(cls, alert) | {"kind": kind, "raised_at": _aware(alert.raised_at)})


class AcknowledgeIn(_In):
    alert_ids: list[Whole] = Field(min_length=1, max_length=1000)


class AcknowledgedOut(BaseModel):
    acknowledged: int


# --- Sales (the spec's endpoints) ---------------------------------------------------------------


class AddSalesIn(_In):
    date: Day = Field(description="the day of the sales, e.g. 2024-03-31")
    sales: Money = Field(description="revenue of that day (or of that product's line)")
    product_id: ProductId | None = None
    quantity: Whole | None = Field(None, ge=1, le=MAX_QUANTITY)
    order_id: OrderId = None


class SalesAddedOut(BaseModel):
    message: Literal["Sales data added successfully"] = "Sales data added successfully"
    recorded: str = Field(description="what was recorded, in words")
    date: dt.date
    sales: float
    product_id: str | None
    quantity: int | None

    @classmethod
    def of(cls, added: shop_sales.SalesAdded) -> "SalesAddedOut":
        return cls(
            recorded=added.message,
            date=added.day,
            sales=float(added.sales),
            product_id=added.product_id,
            quantity=added.quantity,
        )


class SalesDayOut(BaseModel):
    date: dt.date
    sales: float = Field(
        description="the day's sales figure: the shop total recorded for the day (exactly as "
        "recorded) where there is one, else the revenue of its sale lines"
    )
    units: int | None = Field(description="units in the day's sale lines; null: none")
    source: Literal["total", "lines"] = Field(
        description='"total": a recorded shop total; "lines": the sum of the sale lines'
    )

    @classmethod
    def of(cls, day: shop_sales.SalesDay) -> "SalesDayOut":
        return cls(date=day.day, sales=float(day.sales), units=day.units, source=day.source)


class TrainIn(_In):
    days: Whole = Field(
        refresh.DEFAULT_HORIZON_DAYS, ge=1, le=refresh.MAX_HORIZON_DAYS, description="horizon"
    )


class FallbackOut(BaseModel):
    product_id: str
    reason: str = Field(description="why this product's forecast is not its own model's")


class TrainOut(BaseModel):
    message: Literal["Model trained successfully"] = "Model trained successfully"
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
    shop_model: str | None = Field(
        None, description="the model of the shop's daily sales forecast (GET /predict-sales)"
    )

    @classmethod
    def of(cls, summary: refresh.RefreshSummary) -> "TrainOut":
        return cls(
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
            shop_model=summary.shop_model,
        )


class PredictIn(_In):
    days: Whole = Field(ge=1, le=refresh.MAX_HORIZON_DAYS)
    product_id: ProductId | None = None


class PredictedOut(BaseModel):
    date: dt.date
    predicted_sales: float = Field(
        description="the sales figure expected (money, the measure of /get-sales-data's "
        "sales): the shop-level forecast, or the product's units at today's price"
    )
    predicted_units: float | None = Field(
        description="units expected to sell (of the product, or summed over the products); "
        "null for a shop without product forecasts"
    )
    predicted_revenue: float | None = Field(
        description="those units at today's selling prices; null without product forecasts"
    )

    @classmethod
    def of(cls, day: shop_sales.PredictedDay) -> "PredictedOut":
        return cls(
            date=day.day,
            predicted_sales=float(day.predicted_sales),
            predicted_units=day.predicted_units,
            predicted_revenue=(
                float(day.predicted_revenue) if day.predicted_revenue is not None else None
            ),
        )


class OptimizeIn(_In):
    daily_demand: Number = Field(ge=0, le=levels.MAX_DAILY_DEMAND)
    lead_time: Number = Field(gt=0, le=MAX_LEAD_TIME_DAYS)
    demand_std: Number | None = Field(None, ge=0, le=levels.MAX_DAILY_DEMAND)
    lead_time_std: Number | None = Field(None, ge=0, le=MAX_LEAD_TIME_DAYS)
    service_level: Number = Field(DEFAULT_SERVICE_LEVEL, gt=0, lt=1)


class OptimizeOut(BaseModel):
    reorder_point: float
    optimal_stock_level: float
    safety_stock: float
    lead_time_demand: float
    service_level: float
    explanation: str

    @classmethod
    def of(cls, calculated: levels.StockLevels) -> "OptimizeOut":
        return cls(
            reorder_point=round(calculated.reorder_point, 2),
            optimal_stock_level=round(calculated.optimal_stock_level, 2),
            safety_stock=round(calculated.safety_stock, 2),
            lead_time_demand=round(calculated.lead_time_demand, 2),
            service_level=calculated.service_level,
            explanation=calculated.explain(),
        )


class ChartSavedOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    message: str
    path: str | None = Field(
        description="the file's name in the server's chart folder; null: not saved (the "
        "server has no chart folder; ask for the PNG with Accept: image/png)"
    )
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")

    @classmethod
    def of(cls, saved: bool, trend: shop_sales.SalesTrend) -> "ChartSavedOut":
        message = (
            f"Sales trend visualization generated and saved as {shop_sales.CHART_FILE}"
            if saved
            else "Sales trend visualization generated; not saved, as the server has no chart "
            "folder: ask for it with Accept: image/png or ?format=png"
        )
        return cls.model_validate(
            {
                "message": message,
                "path": shop_sales.CHART_FILE if saved else None,
                "from": trend.start,
                "to": trend.end,
            }
        )


# --- Forecasts and reordering -------------------------------------------------------------------


class ForecastDayOut(BaseModel):
    date: dt.date
    predicted_units: Units
    lower: Units
    upper: Units
    lower_95: Units
    upper_95: Units


class LeadTimeDemandOut(BaseModel):
    cover: str = Field(description='"lead" (the lead time) or "lead+review"')
    days: int = Field(description="calendar days from today")
    mean: Units
    q80: Units = Field(description="80% chance that demand stays at or below this")
    q90: Units
    q95: Units
    q98: Units
    q99: Units
    method: str

    @classmethod
    def of(cls, cover: views.CoverQuantiles) -> "LeadTimeDemandOut":
        return cls(**same_named(cls, cover))


class ProductForecastOut(BaseModel):
    product_id: str
    model: str | None
    season: str | None = Field(None, description="the yearly season the product follows")
    fallback: str | None = Field(None, description="why this is not its own model's forecast")
    on_hand: int | None
    run_out_day: dt.date | None
    days_of_cover: int | None
    lead_time_demand: list[LeadTimeDemandOut] = Field(default_factory=list)
    stockout_chance: Chance | None = Field(
        None,
        description="chance that demand over the lead time exceeds stock on hand and on order "
        "(0.5 means 50% or more: below the median the stored quantiles cannot tell)",
    )
    forecast: list[ForecastDayOut]

    @classmethod
    def of(cls, product_id: str, view: views.ForecastView) -> "ProductForecastOut":
        return cls(
            product_id=product_id,
            model=view.model.model if view.model else None,
            season=view.model.season if view.model else None,
            fallback=view.model.fallback if view.model else None,
            on_hand=view.on_hand,
            run_out_day=view.run_out_day,
            days_of_cover=view.days_of_cover,
            lead_time_demand=[LeadTimeDemandOut.of(cover) for cover in view.covers],
            stockout_chance=view.stockout_chance[0] if view.stockout_chance else None,
            forecast=[
                ForecastDayOut.model_validate(row | {"date": row["day"].date()})
                for row in view.forecast.to_dict("records")
            ],
        )


class ReorderLineOut(BaseModel):
    product_id: str
    name: str
    status: str
    on_hand: int
    on_order: int
    daily_demand: Units
    lead_time_days: int
    safety_stock: Level
    reorder_point: Level
    order_up_to: Level
    suggested_quantity: int
    run_out_day: dt.date | None
    order_by: dt.date | None
    order_by_passed: bool = Field(description="the order-by day is before today: order today")
    next_step: str = Field(
        description='what to do by when, in words: "order today", "overdue: order today", '
        '"covered by PO-000123, arriving Sat 12 Dec", "order by Mon 14 Dec"'
    )
    covered_by: list[str] = Field(
        description="the open purchase orders bringing this product (PO-000123), if any"
    )
    target_fill_rate: float
    stockout_chance: Chance  # of running out before an order placed today could arrive
    season_ends: bool  # the season peaks before an order placed today could arrive
    last_order_for_season: dt.date | None
    large_orders_set_aside: int  # very large one-off orders left out of the forecast's history
    large_order_units_set_aside: int
    explanation: str

    @classmethod
    def of(cls, line: ReorderLine) -> "ReorderLineOut":
        return cls(
            **same_named(cls, line),
            target_fill_rate=line.service_level,
            season_ends=line.season is not None and line.season.ended,
            last_order_for_season=line.season.last_order if line.season else None,
            large_orders_set_aside=line.set_aside_orders,
            large_order_units_set_aside=line.set_aside_units,
            explanation=line.explain(),
        )
