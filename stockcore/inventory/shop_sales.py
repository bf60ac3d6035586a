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
from typing import Final, Literal, NoReturn

import pandas as pd
from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from stockcore import imports
from stockcore.domain import (
    CENT,
    Actor,
    Clock,
    Conflict,
    InvalidValue,
    UnknownProduct,
    local_now,
    parse_date,
    parse_money,
    parse_product_id,
    parse_quantity,
)
from stockcore.forecasting.history import minor_to_money, shop_daily_sales
from stockcore.forecasting.refresh import parse_horizon
from stockcore.forecasting.views import NoForecasts
from stockcore.inventory import reports
from stockcore.inventory.ledger import actor_columns
from stockcore.persistence.db import Database, as_date, within_days
from stockcore.persistence.models import PredictionRow, ProductRow, SaleLineRow, ShopForecastRow

EARLIEST_DAY: Final = date(1970, 1, 1)
MAX_PAGE: Final = 1000


class AlreadyRecorded(Conflict):
    """The day already has a shop-level total: a second one would count it twice."""


class NothingToDraw(Conflict):
    """No sales in the range asked for, so there is no trend to draw."""


def parse_day(value: object, field: str, *, today: date) -> date:
    """A calendar day from 1970 up to today (sales cannot be in the future)."""
    value = parse_date(value, field)
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
    actor: Actor | None = None,
    clock: Clock = local_now,
) -> SalesAdded:
    """Record past sales for reports and forecasts.

    Without a product: the shop's total sales of that day (the spec's `date, sales`), kept
    as an import batch; a day holds one total, so a second one is refused. With a product
    and quantity: one history line of that product, `sales` being its revenue. Neither
    changes stock on hand. `actor`: who recorded it (None: unknown).
    """
    now = clock()
    sold_on = parse_day(day, "date", today=now.date())
    amount = parse_money(sales, "sales")
    if product_id is None:
        if quantity is not None:
            raise InvalidValue("product_id", None, "is needed when a quantity is given")
        return _add_shop_total(db, sold_on, amount, now, actor)
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
                **actor_columns(actor),
            )
        )
    return SalesAdded(sold_on, amount, pid, units, None)


def _add_shop_total(
    db: Database, sold_on: date, amount: Decimal, now: datetime, actor: Actor | None
) -> SalesAdded:
    data = f"date,sales\n{sold_on.isoformat()},{amount}\n".encode()
    already = AlreadyRecorded(
        f"{sold_on} already has a shop-level sales total; nothing was added "
        "(undo its import batch first to replace it)"
    )
    try:
        outcome = imports.import_sales(
            db, data, f"API add-sales-data {sold_on.isoformat()}", actor=actor, clock=lambda: now
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
    units: int | None  # None: a day known only by its recorded shop total
    source: Literal["total", "lines"]  # a recorded shop total, or the sum of sale lines


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
    limit: int | None = None,
    offset: int = 0,
) -> SalesPage:
    """Sales (revenue) and units per day, oldest first: every day of the selection, or
    `limit` days from `offset`.

    Without a product: the whole shop's figure per day (`history.shop_daily_sales`): a
    day's recorded shop total, where there is one, exactly as recorded; else the revenue
    of that day's sale lines. With a product: that product's sale lines only."""
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise InvalidValue("limit", limit, f"must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InvalidValue("offset", offset, "must not be negative")
    if start is not None and end is not None and end < start:
        raise InvalidValue("to", end.isoformat(), f"is before from ({start})")
    pid = None if product_id is None else parse_product_id(product_id)
    if pid is None:
        days = [
            SalesDay(shop_day.day, shop_day.sales, shop_day.units, shop_day.source)
            for shop_day in shop_daily_sales(db, start, end)
        ]
    else:
        lines = select(
            SaleLineRow.sold_on,
            func.sum(type_coerce(SaleLineRow.revenue, BigInteger)),
            func.sum(SaleLineRow.quantity),
        ).group_by(SaleLineRow.sold_on)
        lines = within_days(lines, SaleLineRow.sold_on, start, end)
        with db.read() as session:
            if session.get(ProductRow, pid) is None:
                raise UnknownProduct(pid)
            rows = session.execute(lines.where(SaleLineRow.product_id == pid)).all()
        days = sorted(
            (
                SalesDay(as_date(day), minor_to_money(minor), int(units), "lines")
                for day, minor, units in rows
            ),
            key=lambda sales_day: sales_day.day,
        )
    page = days[offset:] if limit is None else days[offset : offset + limit]
    return SalesPage(page, len(days))


# --- The stored forecast per day ------------------------------------------------------------


@dataclass(frozen=True)
class PredictedDay:
    day: date
    predicted_sales: Decimal  # money: the measure of SalesDay.sales
    predicted_units: float | None  # units of the product (or all products); None: unknown
    predicted_revenue: Decimal | None  # those units at today's selling prices


def stored_forecast(
    db: Database, days: object, *, today: date, product_id: object = None
) -> list[PredictedDay]:
    """The latest stored forecast from `today` for `days` days, per day.

    Of one product: its units and their revenue at today's price (predicted_sales is that
    revenue). Of the shop: predicted_sales is the shop-level forecast of its daily sales
    figure (the measure of /get-sales-data: recorded totals, else sale lines), with the
    products' units and revenue summed beside it; without a shop-level forecast (one made
    before it existed), the products' revenue. Refuses (NoForecasts) when no refresh has
    made one yet."""
    horizon = parse_horizon(days)
    pid = None if product_id is None else parse_product_id(product_id)
    last = today + timedelta(days=horizon)
    units = func.sum(PredictionRow.predicted_units)
    revenue = func.sum(
        PredictionRow.predicted_units * type_coerce(ProductRow.unit_price, BigInteger)
    )
    query = (
        select(PredictionRow.day, units, revenue)
        .join(ProductRow, ProductRow.product_id == PredictionRow.product_id)
        .where(PredictionRow.day >= today, PredictionRow.day < last)
        .group_by(PredictionRow.day)
        .order_by(PredictionRow.day)
    )
    shop_query = (
        select(ShopForecastRow.day, ShopForecastRow.predicted_sales)
        .where(ShopForecastRow.day >= today, ShopForecastRow.day < last)
        .order_by(ShopForecastRow.day)
    )
    with db.read() as session:
        if pid is not None:
            if session.get(ProductRow, pid) is None:
                raise UnknownProduct(pid)
            query = query.where(PredictionRow.product_id == pid)
        products = {
            as_date(day): (round(float(total_units or 0.0), 3), _cents(total_revenue))
            for day, total_units, total_revenue in session.execute(query)
        }
        shop = (
            {}
            if pid is not None
            else {
                as_date(day): Decimal(str(sales)).quantize(CENT)
                for day, sales in session.execute(shop_query)
            }
        )
        if not products and not shop:
            _refuse_without_forecast(session, pid, today)
    found: list[PredictedDay] = []
    for day in sorted(products.keys() | shop.keys()):
        product_units, product_revenue = products.get(day, (None, None))
        sales = shop.get(day, product_revenue)
        if sales is None:
            continue  # a day the shop-level forecast does not cover
        found.append(PredictedDay(day, sales, product_units, product_revenue))
    return found


def _cents(minor_units: float | None) -> Decimal:
    return (Decimal(str(float(minor_units or 0.0))) / 100).quantize(CENT)


def _refuse_without_forecast(session: Session, pid: str | None, today: date) -> NoReturn:
    stored = select(PredictionRow.day).limit(1)
    if pid is not None:
        stored = stored.where(PredictionRow.product_id == pid)
    what = "the shop" if pid is None else f"product {pid}"
    ever = session.scalars(stored).first() is not None or (
        pid is None and session.scalars(select(ShopForecastRow.day).limit(1)).first() is not None
    )
    if not ever:
        raise NoForecasts(
            f"no forecasts for {what} yet: train the sales model (POST /train-sales-model) first"
        )
    raise NoForecasts(
        f"the stored forecasts for {what} end before {today}: train the sales model "
        "(POST /train-sales-model) again"
    )


# --- The sales trend chart as a picture -------------------------------------------------------

CHART_FILE: Final = "sales_trend.png"


@dataclass(frozen=True)
class SalesTrend:
    """The shop's daily sales figure per day, week or month between two days.

    trend: period_start, category ("All"), units (of the sale lines), revenue (the
    figure: recorded totals, else sale lines), partial (the range or today cuts the period
    short: `reports.partial_periods`), the columns `charts.sales_trend` takes."""

    start: date
    end: date
    period: reports.Period
    trend: pd.DataFrame


def sales_trend(
    db: Database,
    start: date | None = None,
    end: date | None = None,
    *,
    period: reports.Period = "week",
    today: date,
) -> SalesTrend:
    """The trend chart's data: the shop's daily sales figure (`history.shop_daily_sales`)
    per period, between the days asked for, by default over every recorded day (first to
    last). Refuses (NothingToDraw) a range without sales."""
    if period not in reports.PERIODS:
        raise InvalidValue("period", period, f"must be one of {', '.join(reports.PERIODS)}")
    if start is not None and end is not None and end < start:
        raise InvalidValue("to", end.isoformat(), f"is before from ({start})")
    days = shop_daily_sales(db, start, end)
    if not days:
        where = (
            "recorded yet"
            if start is None and end is None
            else f"between {start or 'the first day'} and {end or 'the last day'}"
        )
        raise NothingToDraw(f"no sales {where}: there is no trend to draw")
    frame = pd.DataFrame(
        {
            "sold_on": [day.day for day in days],
            "units": [day.units or 0 for day in days],
            "revenue": [float(day.sales) for day in days],
        }
    )
    trend = (
        frame.assign(period_start=reports.period_starts(frame["sold_on"], period), category="All")
        .groupby(["period_start", "category"], as_index=False)[["units", "revenue"]]
        .sum()
        .sort_values("period_start", ignore_index=True)
    )
    first, last = start or days[0].day, end or days[-1].day
    trend["partial"] = reports.partial_periods(
        trend["period_start"], period, start=first, end=last, today=today
    )
    return SalesTrend(first, last, period, trend)
