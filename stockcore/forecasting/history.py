"""Daily demand history: what forecasts learn from.

Two rules make the history honest:

* A day on which the product had no stock on hand (it started the day at 0 units in
  the ledger and sold nothing) is *missing* demand, not zero demand: a stock-out must
  not teach a model that nobody wants the product.
* A day on which the shop did not trade at all (no sale of any product, no shop-level
  total: the real shop's Saturdays and Christmas closures) is left out of the
  calendar, so it neither reads as a day of zero demand nor bends weekly patterns.

Sales are aggregated per product and day in SQL; only those daily totals reach pandas.
Units are whole units sold per day; missing days are NaN.

The shop's own daily sales figure (money, `shop_daily_sales`) follows one rule, written
here once: a day's recorded shop total, where there is one, is that day's figure; for a
day without one, the figure is the revenue of that day's sale lines. The API's
/get-sales-data, the trend chart and the shop-level forecast all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, Literal

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, func, select, type_coerce

from stockcore.domain import CENT
from stockcore.persistence.db import Database, as_date, within_days
from stockcore.persistence.models import (
    ProductRow,
    SaleLineRow,
    ShopDailySalesRow,
    StockMovementRow,
)

DEMAND_COLUMNS = ["product_id", "day", "units", "stocked_out"]
DAY_DTYPE: Final = "datetime64[ns]"  # one resolution for every day column (pandas 3 infers several)
# Ids read from the database are held as Arrow-backed strings (pandas 3's "str"), not as
# a Python object per cell: a million sale lines' ids then take tens of MB, not hundreds.
TEXT_DTYPE: Final = pd.StringDtype("pyarrow", na_value=np.nan)


def _days(values: pd.Series | list[date]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values))).astype(DAY_DTYPE).dt.normalize()


def trading_days(
    db: Database, start: date | None = None, end: date | None = None
) -> pd.DatetimeIndex:
    """Days on which the shop traded: any sale line of any product, or a shop-level total."""
    lines = select(SaleLineRow.sold_on).distinct()
    totals = select(ShopDailySalesRow.sold_on)
    lines = within_days(lines, SaleLineRow.sold_on, start, end)
    totals = within_days(totals, ShopDailySalesRow.sold_on, start, end)
    with db.read() as session:
        days = set(session.scalars(lines)) | set(session.scalars(totals))
    return (
        pd.DatetimeIndex(_days(sorted(days)), name="day")
        if days
        else pd.DatetimeIndex([], dtype=DAY_DTYPE, name="day")
    )


@dataclass(frozen=True)
class ShopDay:
    """One day's sales figure for the whole shop (money), and where it comes from."""

    day: date
    sales: Decimal
    units: int | None  # units in the day's sale lines; None: the day has none
    source: Literal["total", "lines"]  # a recorded shop total, or the sum of sale lines


def shop_daily_sales(
    db: Database, start: date | None = None, end: date | None = None
) -> list[ShopDay]:
    """The shop's sales figure per day with any sales, oldest first: the recorded shop
    total where the day has one (exactly as recorded), else the revenue of its sale lines."""
    lines = select(
        SaleLineRow.sold_on,
        func.sum(type_coerce(SaleLineRow.revenue, BigInteger)),
        func.sum(SaleLineRow.quantity),
    ).group_by(SaleLineRow.sold_on)
    totals = select(ShopDailySalesRow.sold_on, type_coerce(ShopDailySalesRow.sales, BigInteger))
    lines = within_days(lines, SaleLineRow.sold_on, start, end)
    totals = within_days(totals, ShopDailySalesRow.sold_on, start, end)
    with db.read() as session:
        sold = {as_date(day): (minor, int(units)) for day, minor, units in session.execute(lines)}
        recorded = {as_date(day): minor for day, minor in session.execute(totals)}
    found: list[ShopDay] = []
    for day in sorted(sold.keys() | recorded.keys()):
        units = sold[day][1] if day in sold else None
        if day in recorded:
            found.append(ShopDay(day, minor_to_money(recorded[day]), units, "total"))
        else:
            found.append(ShopDay(day, minor_to_money(sold[day][0]), units, "lines"))
    return found


def minor_to_money(value: object) -> Decimal:
    """Whole minor units (pence) summed in SQL, as an amount with 2 decimals."""
    return (Decimal(str(value or 0)) / 100).quantize(CENT)


def daily_demand(
    db: Database,
    product_ids: list[str] | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    set_aside: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Units sold per product per trading day, from each product's first sale to `end`.

    Columns: product_id, day (Timestamp), units (float; NaN on stock-out days),
    stocked_out (bool). Days the shop did not trade are absent. `set_aside` (product_id,
    day, units; `large_orders.SetAside.units_per_day`) is taken off: the regular demand.
    """
    calendar = trading_days(db, start, end)
    sold = _units_per_day(db, product_ids, start, end)
    if sold.empty or calendar.empty:
        return pd.DataFrame(columns=DEMAND_COLUMNS)
    first_sale = sold.groupby("product_id")["day"].min()
    grid = pd.DataFrame(
        [
            (product_id, day)
            for product_id, first in first_sale.items()
            for day in calendar[calendar >= first]
        ],
        columns=["product_id", "day"],
    ).astype({"product_id": TEXT_DTYPE, "day": DAY_DTYPE})
    demand = grid.merge(sold, on=["product_id", "day"], how="left").assign(
        units=lambda f: f["units"].fillna(0.0)
    )
    opening, day_high = _stock_during_day(db, demand)
    # No stock at any moment of the day: opened at 0, nothing arrived, nothing sold.
    stocked_out = (opening == 0) & ~(day_high > 0) & (demand["units"] == 0)
    if set_aside is not None and not set_aside.empty:
        aside = demand[["product_id", "day"]].merge(
            set_aside.assign(day=_days(set_aside["day"]).to_numpy()),
            on=["product_id", "day"],
            how="left",
        )["units"]
        demand = demand.assign(units=demand["units"] - aside.fillna(0.0).to_numpy())
    return demand.assign(units=demand["units"].mask(stocked_out, np.nan), stocked_out=stocked_out)[
        DEMAND_COLUMNS
    ]


def category_demand(
    db: Database, category: str, *, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Units per trading day summed over a category's products (missing days count as
    missing only when every product of the category was out of stock)."""
    with db.read() as session:
        ids = list(
            session.scalars(select(ProductRow.product_id).where(ProductRow.category == category))
        )
    return (
        _total(daily_demand(db, ids, start=start, end=end))
        if ids
        else _total(pd.DataFrame(columns=DEMAND_COLUMNS))
    )


def shop_demand(
    db: Database, *, start: date | None = None, end: date | None = None
) -> pd.DataFrame:
    """Units per trading day for the whole shop."""
    return _total(daily_demand(db, None, start=start, end=end))


def _total(demand: pd.DataFrame) -> pd.DataFrame:
    if demand.empty:
        return pd.DataFrame(columns=["day", "units"])
    # min_count=1: a day on which every product was out of stock stays missing.
    totals = demand.groupby("day")["units"].sum(min_count=1).reset_index()
    return totals.sort_values("day", ignore_index=True)


def _units_per_day(
    db: Database, product_ids: list[str] | None, start: date | None, end: date | None
) -> pd.DataFrame:
    query = select(
        SaleLineRow.product_id, SaleLineRow.sold_on, func.sum(SaleLineRow.quantity)
    ).group_by(SaleLineRow.product_id, SaleLineRow.sold_on)
    if product_ids is not None:
        query = query.where(SaleLineRow.product_id.in_(product_ids))
    if start is not None:
        query = query.where(SaleLineRow.sold_on >= start)
    if end is not None:
        query = query.where(SaleLineRow.sold_on <= end)
    with db.read() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["product_id", "day", "units"])
    return frame.assign(
        product_id=frame["product_id"].astype(TEXT_DTYPE),
        day=_days(frame["day"]),
        units=frame["units"].astype(float),
    )


def _stock_during_day(db: Database, demand: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per (product, day): units on hand at the start of the day, and the most on hand
    after any movement that day. NaN where the ledger knows nothing (imported history
    before the product's first movement; days without movements for the second)."""
    ids = demand["product_id"].unique().tolist()
    with db.read() as session:
        moves = session.execute(
            select(
                StockMovementRow.product_id, StockMovementRow.at, StockMovementRow.quantity_after
            )
            .where(StockMovementRow.product_id.in_(ids))
            .order_by(StockMovementRow.product_id, StockMovementRow.at, StockMovementRow.id)
        ).all()
    unknown = pd.Series(np.nan, index=demand.index)
    if not moves:
        return unknown, unknown
    ledger = pd.DataFrame(moves, columns=["product_id", "at", "quantity_after"]).astype(
        {"product_id": TEXT_DTYPE}
    )
    ledger["day"] = _days(ledger["at"])
    per_day = ledger.groupby(["product_id", "day"], as_index=False).agg(
        closing=("quantity_after", "last"), high=("quantity_after", "max")
    )
    # A day opens with the stock the last day with movements closed on.
    opening = per_day.assign(day=per_day["day"] + pd.Timedelta(days=1))[
        ["product_id", "day", "closing"]
    ].sort_values("day")
    ordered = demand.reset_index().sort_values("day")
    merged = pd.merge_asof(ordered, opening, on="day", by="product_id", direction="backward")
    merged = merged.merge(
        per_day[["product_id", "day", "high"]], on=["product_id", "day"], how="left"
    ).set_index("index")
    return merged["closing"].reindex(demand.index), merged["high"].reindex(demand.index)
