"""Purchase orders: created from the reorder list, one per supplier, and received into
stock through the ledger. Each use case is one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from stockcore.domain import (
    Clock,
    Conflict,
    Invalid,
    InvalidValue,
    NotFound,
    OrderStatus,
    UnknownProduct,
    local_now,
    parse_quantity,
)
from stockcore.inventory import open_arrivals, receive_in
from stockcore.persistence.db import Database
from stockcore.persistence.models import ProductRow, PurchaseOrderLineRow, PurchaseOrderRow

NO_SUPPLIER: Final = "(no supplier)"


class UnknownPurchaseOrder(NotFound):
    def __init__(self, order_id: object) -> None:
        super().__init__(f"purchase order {order_id!r} does not exist")


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    name: str
    quantity: int
    unit_cost: Decimal | None


@dataclass(frozen=True)
class PurchaseOrder:
    order_id: int
    supplier: str
    status: OrderStatus
    created_at: datetime
    expected_on: date
    closed_at: datetime | None
    lines: list[OrderLine]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def cost(self) -> Decimal | None:
        costs = [line.unit_cost for line in self.lines]
        if any(cost is None for cost in costs):
            return None
        return sum(
            (line.quantity * (line.unit_cost or Decimal(0)) for line in self.lines), Decimal(0)
        )

    @property
    def csv_file_name(self) -> str:
        """The file name its CSV is saved or downloaded under."""
        return f"purchase-order-{self.order_id}.csv"

    def csv(self) -> str:
        """The order as CSV to send to the supplier."""
        frame = pd.DataFrame(
            [
                {
                    "product_id": line.product_id,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_cost": "" if line.unit_cost is None else f"{line.unit_cost:.2f}",
                }
                for line in self.lines
            ],
            columns=["product_id", "name", "quantity", "unit_cost"],
        )
        from stockcore.imports.exports import to_csv

        return to_csv(frame)


def parse_order_id(value: object) -> int:
    try:
        order_id = int(str(value).strip())
    except ValueError:
        raise InvalidValue("purchase order", value, "is not an order number") from None
    if order_id < 1:
        raise InvalidValue("purchase order", value, "is not an order number")
    return order_id


def create_purchase_orders(
    db: Database, quantities: Mapping[str, object], *, clock: Clock = local_now
) -> list[PurchaseOrder]:
    """One open purchase order per supplier for the given units per product. Lines with
    0 units are left out; anything else that is not a whole positive number is refused."""
    wanted: dict[str, int] = {}
    for product_id, quantity in quantities.items():
        if str(quantity).strip() in ("0", ""):
            continue
        wanted[product_id] = parse_quantity(quantity, f"order quantity of {product_id}")
    if not wanted:
        raise Invalid("nothing to order: every quantity is 0")
    now = clock()
    with db.write() as session:
        products = {
            row.product_id: row
            for row in session.scalars(
                select(ProductRow).where(ProductRow.product_id.in_(list(wanted)))
            )
        }
        missing = [pid for pid in wanted if pid not in products]
        if missing:
            raise UnknownProduct(missing[0])
        by_supplier: dict[str, list[str]] = {}
        for product_id in wanted:
            supplier = products[product_id].supplier or NO_SUPPLIER
            by_supplier.setdefault(supplier, []).append(product_id)
        ids = []
        for supplier, members in sorted(by_supplier.items()):
            lead_time = max(products[pid].lead_time_days for pid in members)
            order = PurchaseOrderRow(
                supplier=supplier,
                status=OrderStatus.OPEN.value,
                created_at=now,
                expected_on=now.date() + timedelta(days=lead_time),
                closed_at=None,
            )
            session.add(order)
            session.flush()
            session.add_all(
                PurchaseOrderLineRow(
                    order_id=order.id,
                    product_id=pid,
                    quantity=wanted[pid],
                    unit_cost=products[pid].unit_cost,
                )
                for pid in members
            )
            ids.append(order.id)
    return [purchase_order(db, order_id) for order_id in ids]


def _lock_open_order(session: Session, number: int) -> PurchaseOrderRow:
    """The order's row, locked until the transaction ends; refuses one that is not open."""
    order = session.get(PurchaseOrderRow, number, with_for_update=True)
    if order is None:
        raise UnknownPurchaseOrder(number)
    if order.status != OrderStatus.OPEN.value:
        raise Conflict(f"purchase order {number} is {order.status}, not open")
    return order


def receive_purchase_order(
    db: Database, order_id: object, *, clock: Clock = local_now
) -> PurchaseOrder:
    """Every line's units into stock (one ledger row each), and the order closed."""
    number = parse_order_id(order_id)
    now = clock()
    with db.write() as session:
        order = _lock_open_order(session, number)
        lines = session.scalars(
            select(PurchaseOrderLineRow)
            .where(PurchaseOrderLineRow.order_id == number)
            .order_by(PurchaseOrderLineRow.product_id)
        ).all()
        # Closed first, so its units are not also counted as arriving.
        order.status = OrderStatus.RECEIVED.value
        order.closed_at = now
        session.flush()
        for line in lines:
            receive_in(
                session, line.product_id, line.quantity, now, reason=f"purchase order {number}"
            )
    return purchase_order(db, number)


def cancel_purchase_order(
    db: Database, order_id: object, *, clock: Clock = local_now
) -> PurchaseOrder:
    number = parse_order_id(order_id)
    with db.write() as session:
        order = _lock_open_order(session, number)
        order.status = OrderStatus.CANCELLED.value
        order.closed_at = clock()
    return purchase_order(db, number)


def purchase_order(db: Database, order_id: int) -> PurchaseOrder:
    orders = _load(db, PurchaseOrderRow.id == order_id)
    if not orders:
        raise UnknownPurchaseOrder(order_id)
    return orders[0]


def purchase_orders(db: Database, *, status: str | None = None) -> list[PurchaseOrder]:
    """Purchase orders, newest first."""
    return _load(db, PurchaseOrderRow.status == status if status is not None else None)


def _load(db: Database, where: ColumnElement[bool] | None) -> list[PurchaseOrder]:
    """Orders matching `where` (all if None) with their lines: two queries in all."""
    orders_query = select(PurchaseOrderRow).order_by(PurchaseOrderRow.id.desc())
    lines_query = (
        select(PurchaseOrderLineRow, ProductRow.name)
        .join(ProductRow, ProductRow.product_id == PurchaseOrderLineRow.product_id)
        .join(PurchaseOrderRow, PurchaseOrderRow.id == PurchaseOrderLineRow.order_id)
        .order_by(PurchaseOrderLineRow.product_id)
    )
    if where is not None:
        orders_query = orders_query.where(where)
        lines_query = lines_query.where(where)
    with db.read() as session:
        orders = session.scalars(orders_query).all()
        by_order: dict[int, list[OrderLine]] = {}
        for line, name in session.execute(lines_query):
            by_order.setdefault(line.order_id, []).append(
                OrderLine(line.product_id, name, line.quantity, line.unit_cost)
            )
    return [
        PurchaseOrder(
            order.id,
            order.supplier,
            OrderStatus(order.status),
            order.created_at,
            order.expected_on,
            order.closed_at,
            by_order.get(order.id, []),
        )
        for order in orders
    ]


def on_order(db: Database) -> dict[str, int]:
    """Units per product on open purchase orders."""
    with db.read() as session:
        rows = session.execute(
            select(PurchaseOrderLineRow.product_id, func.sum(PurchaseOrderLineRow.quantity))
            .join(PurchaseOrderRow, PurchaseOrderRow.id == PurchaseOrderLineRow.order_id)
            .where(PurchaseOrderRow.status == OrderStatus.OPEN.value)
            .group_by(PurchaseOrderLineRow.product_id)
        ).all()
    return {product_id: int(units) for product_id, units in rows}


def arrivals(
    db: Database, product_ids: Sequence[str] | None = None
) -> dict[str, list[tuple[date, int]]]:
    """Per product (all, or these), the units on open purchase orders and the day each
    order is expected, earliest first."""
    with db.read() as session:
        return open_arrivals(session, product_ids)
