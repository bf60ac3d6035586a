"""Read-only views of the shop: inventory, overview, alerts, sales summaries, the ledger.

Aggregation happens in SQL (one row per day, product or category comes back, never
one per sale line); pandas only rolls days up into weeks or months and shapes the
small result for display. Money comes back as `Decimal` in totals and as float
columns in DataFrames (for charts and tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import Select, and_, case, func, or_, select, type_coerce

from stockcore.domain import (
    PRODUCT_COLUMNS,
    AlertKind,
    AlertStatus,
    InvalidValue,
    Product,
    actor_label,
    local_now,
    refuse_control_characters,
    same_named,
    text_problem,
    urgency,
)
from stockcore.inventory import to_product
from stockcore.persistence.db import Database, as_date
from stockcore.persistence.models import (
    AlertRow,
    Money,
    ProductRow,
    SaleLineRow,
    ShopDailySalesRow,
    StockMovementRow,
)

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")
ZERO = Decimal("0.00")


# --- Inventory ----------------------------------------------------------------------------------


def categories(db: Database) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(select(ProductRow.category).distinct().order_by(ProductRow.category))
        )


def inventory(
    db: Database, *, category: str | None = None, search: str | None = None
) -> list[Product]:
    """Products ordered by id, optionally in one category and/or matching `search`.

    The search matches the name (or the id), ignoring case. Either with a control
    character is refused (no product could hold one).
    """
    for field, text in (("category", category), ("search", search)):
        if text is not None:
            refuse_control_characters(text, field)
    query = select(ProductRow).order_by(ProductRow.product_id)
    if category:
        query = query.where(ProductRow.category == category)
    if search and search.strip():
        term = search.strip()
        query = query.where(
            or_(
                ProductRow.name.icontains(term, autoescape=True),
                ProductRow.product_id.icontains(term, autoescape=True),
            )
        )
    with db.read() as session:
        return [to_product(row) for row in session.scalars(query)]


def get_product(db: Database, product_id: str) -> Product | None:
    """The product with this id, or None (also for an id no product could have)."""
    if text_problem(product_id) is not None:
        return None
    with db.read() as session:
        row = session.get(ProductRow, product_id)
        return to_product(row) if row is not None else None


INVENTORY_COLUMNS = [*PRODUCT_COLUMNS, "needs_restock", "stock_value"]


def _cell(value: object) -> object:
    """A product's value for a table: money as a float, the rest as it is."""
    return float(value) if isinstance(value, Decimal) else value


def inventory_frame(products: list[Product]) -> pd.DataFrame:
    """One row per product, for tables and the inline editor."""
    rows = [
        {
            **{field: _cell(getattr(p, field)) for field in PRODUCT_COLUMNS},
            "supplier": p.supplier or "",
            "needs_restock": p.needs_restock,
            "stock_value": float(p.stock_value),
        }
        for p in products
    ]
    return pd.DataFrame(rows, columns=INVENTORY_COLUMNS)


def inventory_edits(
    table: pd.DataFrame, edited_rows: Mapping[object, Mapping[str, object]]
) -> dict[str, dict[str, object]]:
    """Turn a table editor's {row position: {column: new value}} into {product id: changes}.

    A cleared cell (None/NaN) means "no value" for optional fields (cost, supplier).
    """
    edits: dict[str, dict[str, object]] = {}
    for position, changes in edited_rows.items():
        product_id = str(table.iloc[int(str(position))]["product_id"])
        edits[product_id] = {
            column: None
            if value is None or (isinstance(value, float) and value != value)
            else value
            for column, value in changes.items()
        }
    return edits


# --- Overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    products: int
    units_in_stock: int
    stock_value: Decimal
    below_threshold: int
    out_of_stock: int
    revenue_last_30_days: Decimal
    units_sold_last_30_days: int


def overview(db: Database, today: date) -> Overview:
    """Headline numbers. Stock value is at cost where known, else at selling price."""
    value_per_unit = func.coalesce(ProductRow.unit_cost, ProductRow.unit_price)
    since = today - timedelta(days=29)
    with db.read() as session:
        stock = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(ProductRow.quantity), 0),
                # Minor units times units: still minor units, so read it back as Money.
                type_coerce(
                    func.coalesce(func.sum(value_per_unit * ProductRow.quantity), 0), Money
                ),
                func.coalesce(
                    func.sum(
                        case((ProductRow.quantity < ProductRow.restock_threshold, 1), else_=0)
                    ),
                    0,
                ),
                func.coalesce(func.sum(case((ProductRow.quantity == 0, 1), else_=0)), 0),
            )
        ).one()
        sold = session.execute(
            select(
                func.coalesce(func.sum(SaleLineRow.revenue), 0),
                func.coalesce(func.sum(SaleLineRow.quantity), 0),
            ).where(SaleLineRow.sold_on >= since, SaleLineRow.sold_on <= today)
        ).one()
    return Overview(
        products=int(stock[0]),
        units_in_stock=int(stock[1]),
        stock_value=_money(stock[2]),
        below_threshold=int(stock[3]),
        out_of_stock=int(stock[4]),
        revenue_last_30_days=_money(sold[0]),
        units_sold_last_30_days=int(sold[1]),
    )


def closest_to_running_out(db: Database, limit: int = 15) -> pd.DataFrame:
    """Products with a threshold, least stock relative to threshold first."""
    ratio = ProductRow.quantity * 1.0 / ProductRow.restock_threshold
    query = (
        select(
            ProductRow.product_id,
            ProductRow.name,
            ProductRow.quantity,
            ProductRow.restock_threshold,
        )
        .where(ProductRow.restock_threshold > 0)
        .order_by(ratio, ProductRow.product_id)
        .limit(limit)
    )
    with db.read() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["product_id", "name", "quantity", "restock_threshold"])
    return frame.assign(
        label=lambda f: f["product_id"] + " " + f["name"],
        status=lambda f: (f["quantity"] < f["restock_threshold"]).map(
            {True: "below threshold", False: "ok"}
        ),
    )


# --- Alerts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertView:
    alert_id: int
    product_id: str
    name: str
    category: str
    quantity: int
    restock_threshold: int
    status: str
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    supplier: str | None
    lead_time_days: int
    # What the alert compared stock with when it was raised: the threshold, or for a
    # lead-time alert the units forecast to sell over the lead time.
    needed_at_raise: int = 0

    @property
    def urgency(self) -> float:
        return urgency(self.quantity, self.restock_threshold)


def _alert_query() -> Select[AlertRow, ProductRow]:
    return select(AlertRow, ProductRow).join(
        ProductRow, ProductRow.product_id == AlertRow.product_id
    )


def _alert_view(alert: AlertRow, product: ProductRow) -> AlertView:
    """The product as it is now, the alert as it was raised and handled."""
    return AlertView(
        **same_named(AlertView, product)
        | same_named(AlertView, alert)
        | {"alert_id": alert.id, "needed_at_raise": alert.threshold_at_raise}
    )


def active_alerts(db: Database) -> list[AlertView]:
    """Open and acknowledged restock alerts, most urgent first (least stock vs threshold)."""
    query = _alert_query().where(
        AlertRow.resolved_at.is_(None), AlertRow.kind == AlertKind.BELOW_THRESHOLD.value
    )
    with db.read() as session:
        views = [_alert_view(alert, product) for alert, product in session.execute(query)]
    return sorted(views, key=lambda v: (v.urgency, v.quantity, v.raised_at, v.product_id))


def lead_time_alerts(db: Database) -> list[AlertView]:
    """Active "runs out before a new order could arrive" alerts, oldest first."""
    query = (
        _alert_query()
        .where(
            AlertRow.resolved_at.is_(None),
            AlertRow.kind == AlertKind.RUNS_OUT_BEFORE_DELIVERY.value,
        )
        .order_by(AlertRow.raised_at, AlertRow.product_id)
    )
    with db.read() as session:
        return [_alert_view(alert, product) for alert, product in session.execute(query)]


def recent_resolved_alerts(db: Database, limit: int = 20) -> list[AlertView]:
    query = (
        _alert_query()
        .where(
            AlertRow.status == AlertStatus.RESOLVED.value,
            AlertRow.kind == AlertKind.BELOW_THRESHOLD.value,
        )
        .order_by(AlertRow.resolved_at.desc(), AlertRow.id.desc())
        .limit(limit)
    )
    with db.read() as session:
        return [_alert_view(alert, product) for alert, product in session.execute(query)]


def alerts_frame(alerts: list[AlertView]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "alert_id": a.alert_id,
                "product_id": a.product_id,
                "name": a.name,
                "category": a.category,
                "quantity": a.quantity,
                "restock_threshold": a.restock_threshold,
                "short_by": max(a.restock_threshold - a.quantity, 0),
                "status": a.status,
                "raised_at": a.raised_at,
                "supplier": a.supplier or "",
                "lead_time_days": a.lead_time_days,
            }
            for a in alerts
        ],
        columns=[
            "alert_id",
            "product_id",
            "name",
            "category",
            "quantity",
            "restock_threshold",
            "short_by",
            "status",
            "raised_at",
            "supplier",
            "lead_time_days",
        ],
    )


# --- Sales --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesSummary:
    """Sales between `start` and `end` (both included).

    by_product: product_id, name, category, units, revenue (highest revenue first)
    by_category: category, units, revenue
    trend: period_start, category, units, revenue, partial (one row per period and
        category; partial: the range or today cuts the period short, so its figures are
        "so far", not a fall in sales)

    A day with a recorded shop total (a "date, sales" file, or the API's add-sales-data)
    counts that total, exactly as recorded, in `revenue` and in the trend (as the category
    `RECORDED_TOTAL`, in place of that day's sale lines): the figure the shop-level
    forecast learns from. The product and category tables count sale lines only; there
    are `recorded_days` such days.
    """

    start: date
    end: date
    period: Period
    units: int
    revenue: Decimal
    sale_lines: int
    by_product: pd.DataFrame
    by_category: pd.DataFrame
    trend: pd.DataFrame
    recorded_days: int = 0

    @property
    def empty(self) -> bool:
        """Nothing sold in the range: no sale line and no recorded shop total."""
        return self.sale_lines == 0 and self.recorded_days == 0


# The trend's category for a day whose figure is the shop's recorded total (no products).
RECORDED_TOTAL = "Shop total (no product detail)"


def sales_summary(
    db: Database,
    start: date,
    end: date,
    period: Period = "day",
    *,
    today: date | None = None,
) -> SalesSummary:
    """Revenue and units per product, per category and per day/week/month. `today` (the
    shop's, by default) is still selling, so a period holding it is partial."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    if end < start:
        start, end = end, start
    in_range = and_(SaleLineRow.sold_on >= start, SaleLineRow.sold_on <= end)
    units = func.sum(SaleLineRow.quantity)
    revenue = func.sum(SaleLineRow.revenue)
    joined = select().select_from(SaleLineRow).join(ProductRow)
    with db.read() as session:
        totals = session.execute(
            select(func.coalesce(units, 0), func.coalesce(revenue, 0), func.count()).where(in_range)
        ).one()
        per_product = session.execute(
            joined.add_columns(
                ProductRow.product_id, ProductRow.name, ProductRow.category, units, revenue
            )
            .where(in_range)
            .group_by(ProductRow.product_id, ProductRow.name, ProductRow.category)
        ).all()
        per_day = session.execute(
            joined.add_columns(SaleLineRow.sold_on, ProductRow.category, units, revenue)
            .where(in_range)
            .group_by(SaleLineRow.sold_on, ProductRow.category)
        ).all()
        recorded = {
            as_date(day): _money(total)
            for day, total in session.execute(
                select(ShopDailySalesRow.sold_on, ShopDailySalesRow.sales).where(
                    ShopDailySalesRow.sold_on >= start, ShopDailySalesRow.sold_on <= end
                )
            )
        }

    by_product = (
        pd.DataFrame(per_product, columns=["product_id", "name", "category", "units", "revenue"])
        .pipe(_money_column)
        .sort_values(["revenue", "product_id"], ascending=[False, True], ignore_index=True)
    )
    by_category = (
        by_product.groupby("category", as_index=False)[["units", "revenue"]]
        .sum()
        .sort_values(["revenue", "category"], ascending=[False, True], ignore_index=True)
    )
    daily = _with_recorded_totals(
        pd.DataFrame(per_day, columns=["sold_on", "category", "units", "revenue"]), recorded
    )
    trend = (
        daily.pipe(_money_column)
        .assign(period_start=lambda f: period_starts(f["sold_on"], period))
        .groupby(["period_start", "category"], as_index=False)[["units", "revenue"]]
        .sum()
        .sort_values(["period_start", "category"], ignore_index=True)
    )
    trend["partial"] = partial_periods(
        trend["period_start"], period, start=start, end=end, today=today or local_now().date()
    )
    return SalesSummary(
        start=start,
        end=end,
        period=period,
        units=int(totals[0]),
        revenue=_money(daily["revenue"].map(Decimal).sum()) if recorded else _money(totals[1]),
        sale_lines=int(totals[2]),
        by_product=by_product,
        by_category=by_category,
        trend=trend,
        recorded_days=len(recorded),
    )


def _with_recorded_totals(per_day: pd.DataFrame, recorded: Mapping[date, Decimal]) -> pd.DataFrame:
    """Sale lines per day and category, a day with a recorded shop total being that total
    (one `RECORDED_TOTAL` row, keeping the day's units sold) instead of its lines."""
    if not recorded:
        return per_day
    days = per_day["sold_on"].map(as_date)
    kept = per_day[~days.isin(recorded.keys())]
    units_on = per_day.groupby(days)["units"].sum()
    totals = pd.DataFrame(
        {
            "sold_on": list(recorded),
            "category": RECORDED_TOTAL,
            "units": [int(units_on.get(day, 0)) for day in recorded],
            "revenue": list(recorded.values()),
        }
    )
    return pd.concat([kept, totals], ignore_index=True)


def period_starts(days: pd.Series, period: Period) -> pd.Series:
    """The first day of the day/week (Monday)/month each date falls in."""
    stamps = pd.to_datetime(days)
    if period == "week":
        return (stamps - pd.to_timedelta(stamps.dt.day_of_week, unit="D")).dt.normalize()
    if period == "month":
        return stamps.dt.to_period("M").dt.start_time
    return stamps.dt.normalize()


def partial_periods(
    starts: pd.Series, period: Period, *, start: date, end: date, today: date
) -> pd.Series:
    """Whether each period (by its first day) is cut short: it begins before `start`, ends
    after `end`, or holds `today` (whose sales are not all in yet)."""
    first = pd.to_datetime(starts)
    if period == "week":
        last = first + pd.Timedelta(days=6)
    elif period == "month":
        last = first + pd.offsets.MonthEnd(0)
    else:
        last = first
    cut_off = min(pd.Timestamp(end), pd.Timestamp(today) - pd.Timedelta(days=1))
    return (first < pd.Timestamp(start)) | (last > cut_off)


def sales_date_bounds(db: Database) -> tuple[date, date] | None:
    """First and last day with any sale, or None for a shop without sales."""
    with db.read() as session:
        first, last = session.execute(
            select(func.min(SaleLineRow.sold_on), func.max(SaleLineRow.sold_on))
        ).one()
    if first is None or last is None:
        return None
    return as_date(first), as_date(last)


DEFAULT_RANGE_DAYS = 90  # sales reports and charts show this many days unless asked


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date


def report_range(
    db: Database, *, today: date, start: date | None = None, end: date | None = None
) -> DateRange:
    """The days a sales report or chart covers, the same in every interface: what was
    asked, else the last 90 days ending at the last day with sales (today for a shop
    without sales), never before the first sale. Refuses an end before the start."""
    bounds = sales_date_bounds(db)
    last = end or (bounds[1] if bounds else today)
    if start is None:
        start = last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if bounds is not None and end is None:
            start = max(start, bounds[0])
    if last < start:
        raise InvalidValue("to", last.isoformat(), f"is before from ({start})")
    return DateRange(start, last)


# --- The ledger ---------------------------------------------------------------------------------


def movements(db: Database, product_id: str | None = None, limit: int = 200) -> pd.DataFrame:
    """The newest stock movements, optionally of one product, with who made each ("by":
    a username, `cli:<os user>`, `key:<label>`, `demo`; "unknown" before it was recorded)."""
    query = (
        select(
            StockMovementRow.at,
            StockMovementRow.product_id,
            StockMovementRow.kind,
            StockMovementRow.change,
            StockMovementRow.quantity_after,
            StockMovementRow.reason,
            StockMovementRow.actor_kind,
            StockMovementRow.actor_name,
        )
        .order_by(StockMovementRow.id.desc())
        .limit(limit)
    )
    if product_id:
        query = query.where(StockMovementRow.product_id == product_id)
    with db.read() as session:
        rows = [(*row[:6], actor_label(row[6], row[7])) for row in session.execute(query)]
    return pd.DataFrame(
        rows, columns=["at", "product_id", "kind", "change", "quantity_after", "reason", "by"]
    )


def ledger_mismatches(db: Database) -> list[tuple[str, int, int]]:
    """Products whose quantity on hand differs from the sum of their movements.

    Returns (product_id, quantity on hand, ledger sum); empty when the books balance.
    """
    ledger = (
        select(
            StockMovementRow.product_id,
            func.sum(StockMovementRow.change).label("total"),
        )
        .group_by(StockMovementRow.product_id)
        .subquery()
    )
    total = func.coalesce(ledger.c.total, 0)
    query = (
        select(ProductRow.product_id, ProductRow.quantity, total)
        .outerjoin(ledger, ledger.c.product_id == ProductRow.product_id)
        .where(ProductRow.quantity != total)
    )
    with db.read() as session:
        return [(pid, int(qty), int(tot)) for pid, qty, tot in session.execute(query)]


# --- helpers ------------------------------------------------------------------------------------


def _money(value: object) -> Decimal:
    """A Money-typed sum comes back as Decimal; an empty COALESCE as 0."""
    if isinstance(value, Decimal):
        return value.quantize(ZERO)
    return Decimal(str(value or 0)).quantize(ZERO)


def _money_column(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        revenue=lambda f: f["revenue"].astype(float).round(2),
        units=lambda f: f["units"].astype("int64"),
    )
