"""Large one-off orders (a reseller's bulk buy): recognised in the history and set aside.

A gift shop's product that sells 20 units a week now and then gets one order of 600. Left
in the history, that order teaches the forecast a demand nobody will repeat next month
and, worse, a spread that makes every reorder hold weeks of extra stock "in case". Shops
do not serve such orders from the shelf: the reseller waits while the shop orders for
them. So the forecast and every reorder quantity learn from the *regular* demand, and the
large orders are counted and shown beside them ("3 large orders, 1,850 units, set aside").

An order of a product is *large* when it is at least

* `LARGE_ORDER_DAYS` (28) trading days of the product's usual sales (its units per trading
  day from its first sale, large orders left out), and
* `TIMES_TYPICAL_ORDER` (5) times its typical order (the median order of the product),
  so that on a product selling a unit a month an order of three is not "large".

The usual sales leave out the order being judged and the large orders already found.
On two years of the real gift shop, that sets aside about one order in two and a half
product-years of the 100 best sellers (5.5% of their units) and 1.3 orders a year of slower
products (17.5% of their units): rare, very large orders, not the regular resellers who buy
48 every week.

An *order* of a product is the sum of its sale lines with the same order id; lines without
an order id are grouped by customer and day; lines with neither stand alone.

The owner can say a customer is to be served from stock (`serve_from_stock`): that
customer's orders are then never set aside. Orders of an unknown customer can be set aside
but not exempted. Changes take effect at the next forecast refresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import delete, select

from stockcore.domain import InvalidValue, parse_customer_id
from stockcore.forecasting.history import TEXT_DTYPE, trading_days
from stockcore.persistence.db import Database
from stockcore.persistence.models import SaleLineRow, ServedCustomerRow

LARGE_ORDER_DAYS: Final = 28
TIMES_TYPICAL_ORDER: Final = 5
ORDER_COLUMNS = ["product_id", "day", "customer_id", "units"]


def large_orders(
    orders: pd.DataFrame,
    calendar: pd.DatetimeIndex,
    *,
    served: Iterable[str] = (),
    days: int = LARGE_ORDER_DAYS,
    times_typical: float = TIMES_TYPICAL_ORDER,
) -> pd.Series:
    """Which of `orders` (ORDER_COLUMNS; one row per order of a product, `day` a Timestamp)
    are large, as a boolean Series on its index. `calendar`: the shop's trading days."""
    if orders.empty:
        return pd.Series(False, index=orders.index, dtype=bool)
    units = orders["units"].astype(float)
    product = orders["product_id"]
    first_sale = orders.groupby("product_id")["day"].transform("min")
    ordered = np.sort(calendar.to_numpy())
    # Trading days from the product's first sale to the end of the calendar (at least 1).
    span = np.maximum(
        len(ordered) - np.searchsorted(ordered, first_sale.to_numpy(dtype="datetime64[ns]")), 1
    )
    typical = units.groupby(product).transform("median")
    large = pd.Series(False, index=orders.index, dtype=bool)
    for _ in range(2):  # the usual sales leave out the large orders found the first time
        regular = units.where(~large, 0.0)
        # ... and the order being judged, so that it cannot hide behind itself.
        usual: pd.Series = (regular.groupby(product).transform("sum") - regular) / span
        large = (units >= days * usual) & (units >= times_typical * typical) & (units > 0)
    exempt = orders["customer_id"].isin(set(served)) & (orders["customer_id"] != "")
    return large & ~exempt


def orders_of_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Sale lines (product_id, day, quantity, order_id, customer_id; ids '' when unknown)
    grouped into orders of a product (ORDER_COLUMNS)."""
    if lines.empty:
        return pd.DataFrame(columns=ORDER_COLUMNS)
    key = np.where(
        lines["order_id"] != "",
        "o:" + lines["order_id"],
        np.where(
            lines["customer_id"] != "",
            "c:" + lines["customer_id"] + "@" + lines["day"].astype(str),
            "l:" + lines.index.astype(str),
        ),
    )
    grouped = lines.assign(key=key).groupby(["product_id", "key"], sort=False, as_index=False)
    orders: pd.DataFrame = grouped.agg(
        day=("day", "min"), customer_id=("customer_id", "first"), units=("quantity", "sum")
    )
    return orders[ORDER_COLUMNS]


@dataclass(frozen=True)
class SetAside:
    """The large orders of the history a refresh learns from: per order, and per product."""

    orders: pd.DataFrame  # ORDER_COLUMNS of the orders set aside

    def units_per_day(self) -> pd.DataFrame:
        """product_id, day, units set aside that day."""
        if self.orders.empty:
            return pd.DataFrame(columns=["product_id", "day", "units"])
        per_day: pd.DataFrame = self.orders.groupby(["product_id", "day"], as_index=False).agg(
            units=("units", "sum")
        )
        return per_day

    def per_product(self) -> dict[str, tuple[int, int]]:
        """product id -> (orders, units) set aside."""
        if self.orders.empty:
            return {}
        counted = self.orders.groupby("product_id")["units"].agg(["count", "sum"])
        return {str(pid): (int(row["count"]), int(row["sum"])) for pid, row in counted.iterrows()}


def find_set_aside(
    db: Database, calendar: pd.DatetimeIndex, *, end: date | None = None
) -> SetAside:
    """The shop's large orders up to `end` that its forecasts leave out."""
    lines = _sale_lines(db, end)
    orders = orders_of_lines(lines)
    large = large_orders(orders, calendar, served=served_customers(db))
    return SetAside(orders[large].reset_index(drop=True))


def _sale_lines(db: Database, end: date | None) -> pd.DataFrame:
    query = select(
        SaleLineRow.product_id,
        SaleLineRow.sold_on,
        SaleLineRow.quantity,
        SaleLineRow.order_id,
        SaleLineRow.customer_id,
    ).where(SaleLineRow.quantity > 0)
    if end is not None:
        query = query.where(SaleLineRow.sold_on <= end)
    with db.read() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=["product_id", "day", "quantity", "order_id", "customer_id"])
    return frame.assign(
        product_id=frame["product_id"].astype(TEXT_DTYPE),
        day=pd.to_datetime(frame["day"]).astype("datetime64[ns]"),
        order_id=frame["order_id"].fillna("").astype(TEXT_DTYPE),
        customer_id=frame["customer_id"].fillna("").astype(TEXT_DTYPE),
        quantity=frame["quantity"].astype("int64"),
    )


# --- The owner's exemptions -----------------------------------------------------------------


def served_customers(db: Database) -> set[str]:
    """Customers whose large orders the owner serves from stock."""
    with db.read() as session:
        return set(session.scalars(select(ServedCustomerRow.customer_id)))


def update_served_customers(
    db: Database,
    *,
    serve: Iterable[object] = (),
    stop: Iterable[object] = (),
    now: datetime,
) -> tuple[list[str], list[str]]:
    """Serve these customers' large orders from stock, and stop serving those, in one
    transaction. Returns the ids really added and removed (already so: left alone)."""
    to_serve = list(dict.fromkeys(parse_customer_id(c) for c in serve))
    to_stop = list(dict.fromkeys(parse_customer_id(c) for c in stop))
    both = set(to_serve) & set(to_stop)
    if both:
        raise InvalidValue("customer", sorted(both)[0], "cannot be both served and not served")
    with db.write() as session:
        present = set(
            session.scalars(
                select(ServedCustomerRow.customer_id).where(
                    ServedCustomerRow.customer_id.in_(to_serve + to_stop)
                )
            )
        )
        added = [c for c in to_serve if c not in present]
        removed = [c for c in to_stop if c in present]
        session.add_all(ServedCustomerRow(customer_id=c, added_at=now) for c in added)
        if removed:
            session.execute(
                delete(ServedCustomerRow).where(ServedCustomerRow.customer_id.in_(removed))
            )
        return added, removed


@dataclass(frozen=True)
class LargeOrderCustomer:
    """A customer with large orders in the history, for the owner to decide on."""

    customer_id: str  # '' for orders without a customer
    orders: int
    units: int
    products: int
    last_order: date
    served_from_stock: bool


def large_order_customers(db: Database, *, end: date | None = None) -> list[LargeOrderCustomer]:
    """Every customer with large orders (set aside or served from stock), most units first."""
    calendar = trading_days(db, end=end)
    orders = orders_of_lines(_sale_lines(db, end))
    served = served_customers(db)
    large = large_orders(orders, calendar)  # before exemptions: served customers show too
    found = orders[large]
    if found.empty:
        return []
    summary = found.groupby("customer_id").agg(
        orders=("units", "size"),
        units=("units", "sum"),
        products=("product_id", "nunique"),
        last_order=("day", "max"),
    )
    summary = summary.sort_values(["units", "orders"], ascending=False)
    return [
        LargeOrderCustomer(
            customer_id=str(customer),
            orders=int(row["orders"]),
            units=int(row["units"]),
            products=int(row["products"]),
            last_order=pd.Timestamp(row["last_order"]).date(),
            served_from_stock=bool(customer) and str(customer) in served,
        )
        for customer, row in summary.iterrows()
    ]
