"""Sales data in the spec's API shapes: add a day's sales, read sales per day, read the
stored forecast per day, and draw the sales trend as a PNG.

Framework-free use cases behind the REST API's /add-sales-data, /get-sales-data,
/predict-sales and /visualize-sales. Sales are money in the shop's currency; units are
whole units of stock. Nothing here changes stock on hand: a sale that takes stock is a
purchase (`services.purchase`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sqlalchemy import BigInteger, func, select, type_coerce

from stockcore import imports
from stockcore.domain import (
    CENT,
    Clock,
    Conflict,
    InvalidValue,
    UnknownProduct,
    local_now,
    parse_money,
    parse_product_id,
    parse_quantity,
)
from stockcore.forecasting.refresh import parse_horizon
from stockcore.forecasting.views import NoForecasts
from stockcore.inventory import reports
from stockcore.persistence.db import Database, as_date, within_days
from stockcore.persistence.models import PredictionRow, ProductRow, SaleLineRow, ShopDailySalesRow

EARLIEST_DAY: Final = date(1970, 1, 1)
MAX_PAGE: Final = 1000


class AlreadyRecorded(Conflict):
    """The day already has a shop-level total: a second one would count it twice."""


class NothingToDraw(Conflict):
    """No sales in the range asked for, so there is no trend to draw."""


def parse_day(value: object, field: str, *, today: date) -> date:
    """A calendar day from 1970 up to today (sales cannot be in the future)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidValue(field, value, "is not a date like 2024-03-31") from None
    if not isinstance(value, date):
        raise InvalidValue(field, value, "is not a date like 2024-03-31")
    if value < EARLIEST_DAY:
        raise InvalidValue(field, value.isoformat(), f"is before {EARLIEST_DAY}")
    if value > today:
        raise InvalidValue(field, value.isoformat(), f"is in the future (today is {today})")
    return value


# --- Adding sales -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesAdded:
    day: date
    sales: Decimal
    product_id: str | None
    quantity: int | None
    batch_id: int | None  # the import batch of a shop-level total (undo it on the Upload page)

    @property
    def message(self) -> str:
        if self.product_id is None:
            return (
                f"recorded shop sales of {self.sales:,.2f} on {self.day} "
                f"(import batch {self.batch_id})"
            )
        return (
            f"recorded {self.quantity:,} units of {self.product_id} sold on {self.day} "
            f"for {self.sales:,.2f} (history: stock on hand is unchanged)"
        )


def add_sales_data(
    db: Database,
    day: object,
    sales: object,
    *,
    product_id: object = None,
    quantity: object = None,
    clock: Clock = local_now,
) -> SalesAdded:
    """Record past sales for reports and forecasts.

    Without a product: the shop's total sales of that day (the spec's `date, sales`), kept
    as an import batch; a day holds one total, so a second one is refused. With a product
    and quantity: one history line of that product, `sales` being its revenue. Neither
    changes stock on hand.
    """
    now = clock()
    sold_on = parse_day(day, "date", today=now.date())
    amount = parse_money(sales, "sales")
    if product_id is None:
        if quantity is not None:
            raise InvalidValue("product_id", None, "is needed when a quantity is given")
        return _add_shop_total(db, sold_on, amount, now)
    pid = parse_product_id(product_id)
    if quantity is None:
        raise InvalidValue("quantity", None, "is needed with a product_id")
    units = parse_quantity(quantity)
    unit_price = (amount / units).quantize(CENT, rounding=ROUND_HALF_UP)
    with db.write() as session:
        if session.get(ProductRow, pid) is None:
            raise UnknownProduct(pid)
        session.add(
            SaleLineRow(
                product_id=pid,
                sold_at=datetime.combine(sold_on, datetime.min.time()),
                sold_on=sold_on,
                quantity=units,
                unit_price=unit_price,
                revenue=amount,
                source="history",
            )
        )
    return SalesAdded(sold_on, amount, pid, units, None)


def _add_shop_total(db: Database, sold_on: date, amount: Decimal, now: datetime) -> SalesAdded:
    data = f"date,sales\n{sold_on.isoformat()},{amount}\n".encode()
    already = AlreadyRecorded(
        f"{sold_on} already has a shop-level sales total; nothing was added "
        "(undo its import batch first to replace it)"
    )
    try:
        outcome = imports.import_sales(
            db, data, f"API add-sales-data {sold_on.isoformat()}", clock=lambda: now
        )
    except imports.ShopChanged:
        # Another request recorded the same day between our check and our write.
        raise already from None
    if outcome.batch_id is None:
        raise already
    return SalesAdded(sold_on, amount, None, None, outcome.batch_id)


# --- Reading sales per day ------------------------------------------------------------------


@dataclass(frozen=True)
class SalesDay:
    day: date
    sales: Decimal
    units: int | None  # None: a shop-level total, without units


@dataclass(frozen=True)
class SalesPage:
    days: list[SalesDay]
    total: int  # days in the whole selection, not just this page


def daily_sales(
    db: Database,
    *,
    start: date | None = None,
    end: date | None = None,
    product_id: object = None,
    limit: int = 100,
    offset: int = 0,
) -> SalesPage:
    """Sales (revenue) and units per day, oldest first, `limit` days from `offset`.

    Without a product: the whole shop; a day known only as a shop-level total shows that
    total (units None). With a product: that product's sale lines only."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidValue("limit", limit, f"must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidValue("offset", offset, "must not be negative")
    if start is not None and end is not None and end < start:
        raise InvalidValue("to", end.isoformat(), f"is before from ({start})")
    lines = select(
        SaleLineRow.sold_on,
        func.sum(type_coerce(SaleLineRow.revenue, BigInteger)),
        func.sum(SaleLineRow.quantity),
    ).group_by(SaleLineRow.sold_on)
    totals = select(ShopDailySalesRow.sold_on, type_coerce(ShopDailySalesRow.sales, BigInteger))
    lines = within_days(lines, SaleLineRow.sold_on, start, end)
    totals = within_days(totals, ShopDailySalesRow.sold_on, start, end)
    pid = None if product_id is None else parse_product_id(product_id)
    with db.read() as session:
        if pid is not None:
            if session.get(ProductRow, pid) is None:
                raise UnknownProduct(pid)
            lines = lines.where(SaleLineRow.product_id == pid)
        by_day: dict[date, SalesDay] = {
            as_date(day): SalesDay(as_date(day), _minor(minor), int(units))
            for day, minor, units in session.execute(lines)
        }
        if pid is None:
            for day, minor in session.execute(totals):
                sold_on = as_date(day)
                by_day.setdefault(sold_on, SalesDay(sold_on, _minor(minor), None))
    days = [by_day[day] for day in sorted(by_day)]
    return SalesPage(days[offset : offset + limit], len(days))


def _minor(value: object) -> Decimal:
    return (Decimal(str(value or 0)) / 100).quantize(CENT)


# --- The stored forecast per day ------------------------------------------------------------


@dataclass(frozen=True)
class PredictedDay:
    day: date
    predicted_units: float
    predicted_revenue: Decimal  # at today's selling prices


def stored_forecast(
    db: Database, days: object, *, today: date, product_id: object = None
) -> list[PredictedDay]:
    """The latest stored forecast from `today` for `days` days: one product's, or the sum
    over all products. Refuses (NoForecasts) when no refresh has made one yet."""
    horizon = parse_horizon(days)
    pid = None if product_id is None else parse_product_id(product_id)
    units = func.sum(PredictionRow.predicted_units)
    revenue = func.sum(
        PredictionRow.predicted_units * type_coerce(ProductRow.unit_price, BigInteger)
    )
    query = (
        select(PredictionRow.day, units, revenue)
        .join(ProductRow, ProductRow.product_id == PredictionRow.product_id)
        .where(PredictionRow.day >= today, PredictionRow.day < today + timedelta(days=horizon))
        .group_by(PredictionRow.day)
        .order_by(PredictionRow.day)
    )
    with db.read() as session:
        if pid is not None:
            if session.get(ProductRow, pid) is None:
                raise UnknownProduct(pid)
            query = query.where(PredictionRow.product_id == pid)
        rows = session.execute(query).all()
        if not rows:
            stored = select(PredictionRow.day).limit(1)
            if pid is not None:
                stored = stored.where(PredictionRow.product_id == pid)
            what = "the shop" if pid is None else f"product {pid}"
            if session.scalars(stored).first() is None:
                raise NoForecasts(
                    f"no forecasts for {what} yet: train the sales model "
                    "(POST /train-sales-model) first"
                )
            raise NoForecasts(
                f"the stored forecasts for {what} end before {today}: train the sales model "
                "(POST /train-sales-model) again"
            )
    return [
        PredictedDay(
            as_date(day),
            round(float(total_units or 0.0), 3),
            (Decimal(str(float(total_revenue or 0.0))) / 100).quantize(CENT),
        )
        for day, total_units, total_revenue in rows
    ]


# --- The sales trend chart as a picture -------------------------------------------------------

CHART_FILE: Final = "sales_trend.png"


def sales_trend(
    db: Database, start: date, end: date, *, period: reports.Period = "week"
) -> reports.SalesSummary:
    """The sales summary behind the trend chart (revenue per day, week or month); refuses
    (NothingToDraw) a range without sales."""
    if period not in reports.PERIODS:
        raise InvalidValue("period", period, f"must be one of {', '.join(reports.PERIODS)}")
    summary = reports.sales_summary(db, start, end, period)
    if summary.sale_lines == 0:
        raise NothingToDraw(f"no sales between {start} and {end}: there is no trend to draw")
    return summary
