"""The spec's sales endpoints: recording and reading sales, training and predicting,
stock levels for a demand, and the sales trend chart."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response

from stockcore.domain import MAX_QUANTITY
from stockcore.forecasting import refresh
from stockcore.interfaces import charts
from stockcore.interfaces.api.deps import (
    Context,
    Db,
    Forecaster,
    Importer,
    SalesReader,
    ShopClock,
    Today,
)
from stockcore.interfaces.api.errors import SIGNED_IN_ERRORS
from stockcore.interfaces.api.idempotent import IdempotencyKey, answer_once
from stockcore.interfaces.api.schemas.common import Day
from stockcore.interfaces.api.schemas.sales import (
    AddSalesIn,
    ChartSavedOut,
    OptimizeIn,
    OptimizeOut,
    PredictedOut,
    PredictIn,
    SalesAddedOut,
    SalesDayOut,
    TrainIn,
    TrainOut,
)
from stockcore.inventory import idempotency, shop_sales
from stockcore.replenishment import levels, upkeep

router = APIRouter(tags=["sales"])

# A date range in the query string: ?from=YYYY-MM-DD&to=YYYY-MM-DD, each optional.
FirstDay = Annotated[Day | None, Query(alias="from")]
LastDay = Annotated[Day | None, Query(alias="to")]


@router.post(
    "/add-sales-data", status_code=201, response_model=SalesAddedOut, responses=SIGNED_IN_ERRORS
)
def add_sales_data(
    body: AddSalesIn,
    caller: Importer,
    db: Db,
    clock: ShopClock,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Record past sales: a day's total for the shop ({"date", "sales"}), or with
    product_id and quantity one product's sales that day (sales = their revenue).
    History for reports and forecasts; stock on hand is not changed (see /purchases).
    With an `Idempotency-Key` header or an `order_id`, a retry records nothing and gets
    the first answer (the same key with another request: 409)."""

    def record() -> SalesAddedOut:
        added = shop_sales.add_sales_data(
            db,
            body.date,
            body.sales,
            product_id=body.product_id,
            quantity=body.quantity,
            actor=caller.actor,
            clock=clock,
        )
        return SalesAddedOut.of(added)

    return answer_once(
        db, idempotency.ADD_SALES_DATA, body, header=idempotency_key, work=record, clock=clock
    )


@router.get("/get-sales-data", response_model=list[SalesDayOut], responses=SIGNED_IN_ERRORS)
def get_sales_data(
    _user: SalesReader,
    db: Db,
    response: Response,
    date_from: FirstDay = None,
    date_to: LastDay = None,
    product_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int | None, Query(ge=1, le=shop_sales.MAX_PAGE)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_QUANTITY)] = 0,
) -> list[SalesDayOut]:
    """Every stored sales record, one per day, oldest first (or `limit` days from
    `offset`), optionally between two days and of one product. A day's sales are its
    recorded shop total where there is one, else the revenue of its sale lines. The
    number of days in the whole selection is in X-Total-Count."""
    page = shop_sales.daily_sales(
        db, start=date_from, end=date_to, product_id=product_id, limit=limit, offset=offset
    )
    response.headers["X-Total-Count"] = str(page.total)
    return [SalesDayOut.of(day) for day in page.days]


@router.post("/train-sales-model", response_model=TrainOut, responses=SIGNED_IN_ERRORS)
def train_sales_model(_user: Forecaster, context: Context, body: TrainIn | None = None) -> TrainOut:
    """Refresh every product's forecast (the same as *Refresh all forecasts*). Takes
    seconds to a minute; the previous forecasts stay until the new ones are stored."""
    refreshed = upkeep.refresh_forecasts_and_alerts(
        context.db,
        horizon_days=body.days if body else refresh.DEFAULT_HORIZON_DAYS,
        workers=context.forecast_workers,
        clock=context.clock,
    )
    return TrainOut.of(refreshed.summary)


@router.post("/predict-sales", response_model=list[PredictedOut], responses=SIGNED_IN_ERRORS)
def predict_sales(body: PredictIn, _user: Forecaster, db: Db, today: Today) -> list[PredictedOut]:
    """The stored forecast for the next `days` days, of the shop or of one product
    (409 until /train-sales-model has made one)."""
    days = shop_sales.stored_forecast(db, body.days, today=today, product_id=body.product_id)
    return [PredictedOut.of(day) for day in days]


@router.get("/predict-sales", response_model=list[PredictedOut], responses=SIGNED_IN_ERRORS)
def predict_sales_by_query(
    _user: Forecaster,
    db: Db,
    today: Today,
    days: Annotated[int, Query(ge=1, le=refresh.MAX_HORIZON_DAYS)] = 30,
    product_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[PredictedOut]:
    """The spec's form of POST /predict-sales: ?days= (default 30) and an optional
    ?product_id=."""
    found = shop_sales.stored_forecast(db, days, today=today, product_id=product_id)
    return [PredictedOut.of(day) for day in found]


@router.post("/optimize-inventory", response_model=OptimizeOut, responses=SIGNED_IN_ERRORS)
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
    return OptimizeOut.of(calculated)


@router.get(
    "/visualize-sales",
    response_model=ChartSavedOut,
    responses={
        **SIGNED_IN_ERRORS,
        200: {
            "content": {"image/png": {}},
            "description": "the PNG (Accept: image/png or ?format=png), else what was made",
        },
    },
)
def visualize_sales(
    _user: SalesReader,
    context: Context,
    today: Today,
    date_from: FirstDay = None,
    date_to: LastDay = None,
    period: Literal["day", "week", "month"] = "week",
    format: Literal["json", "png"] | None = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Any:
    """The sales trend chart: the shop's daily sales figure per period, by default over
    every recorded day. The PNG itself for `Accept: image/png` or ?format=png; otherwise
    the spec's message, and the chart is saved as sales_trend.png in the server's chart
    folder if it has one (`--chart-dir`; none by default: nothing is written)."""
    trend = shop_sales.sales_trend(context.db, date_from, date_to, period=period, today=today)
    png = charts.to_png(
        charts.sales_trend(trend.trend, by_category=False).properties(width=720, height=320)
    )
    if format == "png" or (format is None and prefers_png(accept)):
        return Response(png, media_type="image/png")
    saved = context.chart_dir is not None
    if context.chart_dir is not None:
        (context.chart_dir / shop_sales.CHART_FILE).write_bytes(png)
    return ChartSavedOut.of(saved, trend)


def prefers_png(accept: str | None) -> bool:
    """Whether an Accept header asks for image/png over JSON (by its q values)."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[media.lower()] = max(weight, weights.get(media.lower(), 0.0))
    png = max(weights.get("image/png", 0.0), weights.get("image/*", 0.0))
    return png > 0 and png >= weights.get("application/json", 0.0)
