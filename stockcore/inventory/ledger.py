"""What every change of stock does inside its transaction: lock the product's row, then
write exactly one ledger row, saying who made it; and what is on its way (units on open
purchase orders).

The row lock is SELECT ... FOR UPDATE on PostgreSQL; on SQLite the write transaction
(BEGIN IMMEDIATE) already holds the database's write lock. Two buyers can never both
take the last unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stockcore.domain import Actor, MovementKind, OrderStatus, Product, UnknownProduct
from stockcore.persistence.db import locked_row
from stockcore.persistence.models import (
    ProductRow,
    PurchaseOrderLineRow,
    PurchaseOrderRow,
    StockMovementRow,
)


def lock_product(session: Session, product_id: str) -> ProductRow:
    """The product's row, locked until the transaction ends; refuses an unknown id."""
    return locked_row(session, ProductRow, product_id, UnknownProduct(product_id))


def actor_columns(actor: Actor | None) -> dict[str, Any]:
    """The columns that record who made a ledger row or a sale line (all NULL: unknown)."""
    if actor is None:
        return {"actor_kind": None, "actor_name": None, "actor_user_id": None}
    return {
        "actor_kind": actor.kind.value,
        "actor_name": actor.name,
        "actor_user_id": actor.user_id,
    }


def record_movement(
    session: Session,
    product: Product,
    kind: MovementKind,
    change: int,
    at: datetime,
    *,
    actor: Actor | None,
    reason: str | None = None,
    sale_line_id: int | None = None,
    import_batch_id: int | None = None,
) -> None:
    """One ledger row: `change` units (signed) leaving `product.quantity` on hand, made
    by `actor` (None: unknown)."""
    session.add(
        StockMovementRow(
            product_id=product.product_id,
            at=at,
            kind=kind.value,
            change=change,
            quantity_after=product.quantity,
            reason=reason,
            sale_line_id=sale_line_id,
            import_batch_id=import_batch_id,
            **actor_columns(actor),
        )
    )


def open_arrivals(
    session: Session, product_ids: Sequence[str] | None = None
) -> dict[str, list[tuple[date, int]]]:
    """Per product (all, or these), units on open purchase orders by expected day: what
    is still to come (ordered less received so far)."""
    query = (
        select(
            PurchaseOrderLineRow.product_id,
            PurchaseOrderRow.expected_on,
            func.sum(PurchaseOrderLineRow.quantity - PurchaseOrderLineRow.received_quantity),
        )
        .join(PurchaseOrderRow, PurchaseOrderRow.id == PurchaseOrderLineRow.order_id)
        .where(
            PurchaseOrderRow.status == OrderStatus.OPEN.value,
            PurchaseOrderLineRow.received_quantity < PurchaseOrderLineRow.quantity,
        )
        .group_by(PurchaseOrderLineRow.product_id, PurchaseOrderRow.expected_on)
        .order_by(PurchaseOrderLineRow.product_id, PurchaseOrderRow.expected_on)
    )
    if product_ids is not None:
        query = query.where(PurchaseOrderLineRow.product_id.in_(list(product_ids)))
    expected: dict[str, list[tuple[date, int]]] = {}
    for product_id, day, units in session.execute(query):
        expected.setdefault(product_id, []).append((day, int(units)))
    return expected
