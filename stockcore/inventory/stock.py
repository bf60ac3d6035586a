"""Stock on hand: a customer's purchase, units received, and manual corrections.

Each locks the product's row, lets the domain decide, then writes the new quantity and
exactly one ledger row, and raises or resolves the product's alerts, in one transaction.
A CHECK constraint refuses negative stock as a last line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from stockcore.domain import (
    MAX_QUANTITY,
    Actor,
    Clock,
    InvalidValue,
    MovementKind,
    Product,
    Sale,
    lead_time_message,
    local_now,
    parse_customer_id,
    parse_product_id,
    parse_quantity,
    parse_text,
    parse_whole_number,
)
from stockcore.inventory.alerts import RaisedAlert, sync_lead_time_alerts_in, sync_restock_alert_in
from stockcore.inventory.ledger import actor_columns, lock_product, record_movement
from stockcore.inventory.products import to_product
from stockcore.persistence.db import Database
from stockcore.persistence.models import SaleLineRow


@dataclass(frozen=True)
class PurchaseResult:
    product: Product
    sale: Sale
    sale_line_id: int
    sold_at: datetime
    alert: RaisedAlert | None
    # The sale left less than the forecast sells before a new order could arrive.
    runs_out_before_delivery: bool = False

    @property
    def lead_time_message(self) -> str | None:
        return lead_time_message(self.product) if self.runs_out_before_delivery else None


@dataclass(frozen=True)
class StockChange:
    product: Product
    change: int
    alert: RaisedAlert | None
    alert_resolved: bool


def purchase(
    db: Database,
    product_id: object,
    quantity: object,
    *,
    customer_id: object = None,
    actor: Actor | None = None,
    clock: Clock = local_now,
) -> PurchaseResult:
    """A customer buys `quantity` units: record the sale line, lower stock, alert if low.
    `customer_id` (optional) says who bought, for the large-order rule; `actor` who
    recorded it (the sale line and the ledger row keep it; None: unknown).

    Refuses an unknown product, a quantity that is not a whole number of at least 1,
    more than is on hand, and a malformed customer id; a refusal changes nothing.
    """
    units = parse_quantity(quantity)
    pid = parse_product_id(product_id)
    customer = (
        None
        if customer_id is None or (isinstance(customer_id, str) and not customer_id.strip())
        else parse_customer_id(customer_id)
    )
    now = clock()
    with db.write() as session:
        row = lock_product(session, pid)
        after, sale = to_product(row).sell(units)
        row.quantity = after.quantity
        line = SaleLineRow(
            product_id=pid,
            sold_at=now,
            sold_on=now.date(),
            quantity=sale.quantity,
            unit_price=sale.unit_price,
            revenue=sale.revenue,
            source="purchase",
            customer_id=customer,
            **actor_columns(actor),
        )
        session.add(line)
        session.flush()
        record_movement(
            session, after, MovementKind.SALE, -units, now, actor=actor, sale_line_id=line.id
        )
        alert, _ = sync_restock_alert_in(session, after, now)
        raised, _ = sync_lead_time_alerts_in(session, [after], now)
        return PurchaseResult(after, sale, line.id, now, alert, bool(raised))


def receive_stock(
    db: Database,
    product_id: object,
    quantity: object,
    *,
    reason: str | None = None,
    actor: Actor | None = None,
    clock: Clock = local_now,
) -> StockChange:
    """Units arrive from the supplier. Resolves the restock alert once stock is back up.
    `actor`: who received them (None: unknown)."""
    units = parse_quantity(quantity)
    pid = parse_product_id(product_id)
    note = reason.strip() if reason and reason.strip() else None
    now = clock()
    with db.write() as session:
        return receive_in(session, pid, units, now, reason=note, actor=actor)


def receive_in(
    session: Session,
    product_id: str,
    units: int,
    now: datetime,
    *,
    reason: str | None,
    actor: Actor | None,
) -> StockChange:
    """Receive units inside a caller's transaction: row lock, ledger row, alert sync."""
    row = lock_product(session, product_id)
    after = to_product(row).receive(units)
    row.quantity = after.quantity
    record_movement(session, after, MovementKind.RECEIPT, units, now, reason=reason, actor=actor)
    alert, resolved = sync_restock_alert_in(session, after, now)
    sync_lead_time_alerts_in(session, [after], now)
    return StockChange(after, units, alert, resolved)


def adjust_stock(
    db: Database,
    product_id: object,
    *,
    reason: object,
    change: object | None = None,
    counted: object | None = None,
    actor: Actor | None = None,
    clock: Clock = local_now,
) -> StockChange:
    """A manual correction with a reason: either a signed `change` or a stocktake `counted`,
    made by `actor` (None: unknown).

    Stock can never go below zero. A count equal to what is on hand changes nothing
    and is refused, so the ledger holds only real changes.
    """
    why = parse_text(reason, "reason")
    pid = parse_product_id(product_id)
    if (change is None) == (counted is None):
        raise InvalidValue("adjustment", change, "give either a change or a counted quantity")
    now = clock()
    with db.write() as session:
        row = lock_product(session, pid)
        current = to_product(row)
        if counted is not None:
            delta = parse_whole_number(counted, "counted quantity") - current.quantity
            if delta == 0:
                raise InvalidValue(
                    "counted quantity", counted, f"equals what is on hand for {pid}; no change"
                )
        else:
            delta = parse_whole_number(change, "change", minimum=-MAX_QUANTITY)
        after = current.adjust(delta)
        row.quantity = after.quantity
        record_movement(
            session, after, MovementKind.ADJUSTMENT, delta, now, reason=why, actor=actor
        )
        alert, resolved = sync_restock_alert_in(session, after, now)
        sync_lead_time_alerts_in(session, [after], now)
        return StockChange(after, delta, alert, resolved)
