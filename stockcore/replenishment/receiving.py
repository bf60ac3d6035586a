"""Receiving an open purchase order into stock through the ledger, whole or in part, and
closing it early (cancelling what has not come). Each use case is one transaction that
locks the order's row first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stockcore.domain import (
    Actor,
    Clock,
    Conflict,
    Invalid,
    InvalidValue,
    OrderStatus,
    counted,
    is_blank,
    local_now,
    parse_whole_number,
)
from stockcore.inventory import receive_in
from stockcore.persistence.db import Database, locked_row
from stockcore.persistence.models import PurchaseOrderLineRow, PurchaseOrderRow
from stockcore.replenishment.purchase_orders import (
    PurchaseOrder,
    UnknownPurchaseOrder,
    order_number,
    parse_order_id,
    purchase_order,
)


def _lock_open_order(session: Session, number: int) -> PurchaseOrderRow:
    """The order's row, locked until the transaction ends; refuses one that is not open."""
    order = locked_row(session, PurchaseOrderRow, number, UnknownPurchaseOrder(number))
    if order.status != OrderStatus.OPEN.value:
        raise Conflict(f"purchase order {order_number(number)} is {order.status}, not open")
    return order


def receipt_units(
    order_id: int, outstanding: Mapping[str, int], quantities: Mapping[str, object] | None
) -> dict[str, int]:
    """The units to receive per product of an order whose lines still await `outstanding`
    units: all of them when `quantities` is None; else the units given per product (blank
    or 0: none of that line), each a whole number no larger than what is still to come.
    Refuses a product not on the order, and a receipt of nothing."""
    number = order_number(order_id)
    if quantities is None:
        units = {pid: left for pid, left in outstanding.items() if left > 0}
    else:
        units = {}
        for product_id, value in quantities.items():
            if product_id not in outstanding:
                raise InvalidValue("product", product_id, f"is not on {number}")
            if is_blank(value):
                continue
            field = f"units of {product_id} received"
            # 0 is allowed (none of it came): -2 is refused as below 0, not "at least 1".
            count = parse_whole_number(value, field)
            left = outstanding[product_id]
            if count > left:
                raise InvalidValue(
                    field, value, f"is more than the {left:,} still to come on {number}"
                )
            if count:
                units[product_id] = count
    if not units:
        raise Invalid(f"nothing to receive on {number}: every quantity is 0")
    return units


@dataclass(frozen=True)
class Receipt:
    """What one receipt brought in, and the order after it."""

    order: PurchaseOrder
    received: dict[str, int]  # units per product, this receipt

    @property
    def units(self) -> int:
        return sum(self.received.values())

    @property
    def completed(self) -> bool:
        """The receipt brought in the last units: the order is received."""
        return self.order.status is OrderStatus.RECEIVED

    def summary(self) -> str:
        text = (
            f"Received {counted(self.units, 'unit')} of {self.order.number} from "
            f"{self.order.supplier} into stock"
        )
        if self.completed:
            return text + "; the order is complete."
        left = self.order.outstanding_units
        return text + f"; {counted(left, 'unit', ('is', 'are'))} still to come."


def receive_purchase_order(
    db: Database,
    order_id: object,
    quantities: Mapping[str, object] | None = None,
    *,
    actor: Actor | None = None,
    clock: Clock = local_now,
) -> Receipt:
    """Units of an open order into stock: every outstanding unit (`quantities` None), or
    the units given per product (`receipt_units` checks them). One transaction: one
    ledger row per product received (restock alerts resolve, lead-time alerts re-check
    with what is still on order), the lines' received units, and the order received once
    nothing is left to come. The ledger rows are made by `actor` (None: unknown)."""
    number = parse_order_id(order_id)
    now = clock()
    with db.write() as session:
        order = _lock_open_order(session, number)
        lines = {
            line.product_id: line
            for line in session.scalars(
                select(PurchaseOrderLineRow).where(PurchaseOrderLineRow.order_id == number)
            )
        }
        units = receipt_units(
            number,
            {pid: line.quantity - line.received_quantity for pid, line in lines.items()},
            quantities,
        )
        for product_id, count in units.items():
            lines[product_id].received_quantity += count
        if all(line.received_quantity >= line.quantity for line in lines.values()):
            order.status = OrderStatus.RECEIVED.value
            order.closed_at = now
        # Recorded first, so the units received are no longer counted as arriving.
        session.flush()
        for product_id in sorted(units):
            receive_in(
                session,
                product_id,
                units[product_id],
                now,
                reason=f"purchase order {order_number(number)}",
                actor=actor,
            )
    return Receipt(purchase_order(db, number, today=now.date()), units)


def close_purchase_order(
    db: Database, order_id: object, *, clock: Clock = local_now
) -> PurchaseOrder:
    """Close an open order, cancelling what has not come: it is cancelled if nothing was
    received, else received short. Stock does not change."""
    number = parse_order_id(order_id)
    now = clock()
    with db.write() as session:
        order = _lock_open_order(session, number)
        received = session.scalar(
            select(func.coalesce(func.sum(PurchaseOrderLineRow.received_quantity), 0)).where(
                PurchaseOrderLineRow.order_id == number
            )
        )
        order.status = (OrderStatus.RECEIVED if received else OrderStatus.CANCELLED).value
        order.closed_at = now
    return purchase_order(db, number, today=now.date())
