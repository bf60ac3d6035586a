"""Undoing an import: exactly one batch comes out, with everything it did.

Its sale lines or daily totals, the order-line keys it consumed (so the file can be
imported again), the stock it took (put back by an adjustment), the products it
created (unless they have other activity since), and for a products file the
catalogue fields it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from stockcore.domain import (
    MAX_ROW_ID,
    Actor,
    Clock,
    Conflict,
    MovementKind,
    NotFound,
    Product,
    counted,
    listing,
    local_now,
    parse_whole_number,
)
from stockcore.forecasting.store import forget_forecasts
from stockcore.imports import products
from stockcore.imports.batches import BatchKind, BatchStatus
from stockcore.inventory import (
    actor_columns,
    sync_lead_time_alerts_in,
    sync_restock_alert_in,
    to_product,
)
from stockcore.persistence.db import Database, locked_row
from stockcore.persistence.models import (
    AlertRow,
    ImportBatchRow,
    ImportedLineRow,
    ProductImportChangeRow,
    ProductRow,
    PurchaseOrderLineRow,
    SaleLineRow,
    ShopDailySalesRow,
    StockMovementRow,
)


@dataclass(frozen=True)
class UndoOutcome:
    batch_id: int
    sale_lines_removed: int
    days_removed: int
    products_removed: int
    products_kept: list[str]
    products_restored: int
    units_returned_to_stock: int

    @property
    def message(self) -> str:
        return listing(
            f"batch {self.batch_id} undone: "
            f"{counted(self.sale_lines_removed, 'sale line')} removed",
            (self.days_removed, f"{counted(self.days_removed, 'day')} of shop totals removed"),
            (
                self.units_returned_to_stock,
                f"{counted(self.units_returned_to_stock, 'unit')} put back in stock",
            ),
            (
                self.products_removed,
                f"{counted(self.products_removed, 'product')} it created removed",
            ),
            (self.products_restored, f"{counted(self.products_restored, 'product')} restored"),
            (
                self.products_kept,
                f"kept {counted(len(self.products_kept), 'product')} it created with other "
                "activity",
            ),
        )


def undo_import(
    db: Database, batch_id: object, *, actor: Actor | None = None, clock: Clock = local_now
) -> UndoOutcome:
    """Remove exactly one batch: its sale lines or totals, its stock effects, its new products.
    The stock it puts back is one ledger row per product, made by `actor` (None: unknown)."""
    number = parse_whole_number(batch_id, "batch id", minimum=1, maximum=MAX_ROW_ID)
    now = clock()
    with db.write() as session:
        batch = locked_row(
            session,
            ImportBatchRow,
            number,
            NotFound(f"unknown import batch {number}: see `imports` for the list"),
        )
        if batch.status == BatchStatus.UNDONE:
            raise Conflict(f"import batch {number} was already undone on {batch.undone_at}")
        returned = restored = 0
        if batch.kind == BatchKind.PRODUCTS:
            restored = products.undo_product_import(session, batch, now)
        if batch.applied_to_stock:
            returned = _return_stock(session, batch, now, actor)
        session.execute(
            update(StockMovementRow)
            .where(
                StockMovementRow.sale_line_id.in_(
                    select(SaleLineRow.id).where(SaleLineRow.import_batch_id == number)
                )
            )
            .values(sale_line_id=None)
        )
        lines = session.execute(delete(SaleLineRow).where(SaleLineRow.import_batch_id == number))
        session.execute(delete(ImportedLineRow).where(ImportedLineRow.import_batch_id == number))
        days = session.execute(
            delete(ShopDailySalesRow).where(ShopDailySalesRow.import_batch_id == number)
        )
        removed, kept = _remove_created_products(session, number)
        batch.status = BatchStatus.UNDONE.value
        batch.undone_at = now
        return UndoOutcome(
            number,
            int(getattr(lines, "rowcount", 0) or 0),
            int(getattr(days, "rowcount", 0) or 0),
            removed,
            kept,
            restored,
            returned,
        )


def _return_stock(
    session: Session, batch: ImportBatchRow, now: datetime, actor: Actor | None
) -> int:
    taken = session.execute(
        select(StockMovementRow.product_id, func.sum(StockMovementRow.change))
        .where(
            StockMovementRow.import_batch_id == batch.id,
            StockMovementRow.kind == MovementKind.SALE.value,
        )
        .group_by(StockMovementRow.product_id)
    ).all()
    returned = 0
    restocked: list[Product] = []
    for product_id, change in taken:
        units = -int(change)
        row = session.get(ProductRow, product_id, with_for_update=True)
        if row is None or units == 0:
            continue
        row.quantity += units
        session.add(
            StockMovementRow(
                product_id=product_id,
                at=now,
                kind=MovementKind.ADJUSTMENT.value,
                change=units,
                quantity_after=row.quantity,
                reason=f"undo of import batch {batch.id}",
                import_batch_id=batch.id,
                **actor_columns(actor),
            )
        )
        returned += units
        session.flush()
        sync_restock_alert_in(session, to_product(row), now)
        restocked.append(to_product(row))
    sync_lead_time_alerts_in(session, restocked, now)
    return returned


def _remove_created_products(session: Session, batch_id: int) -> tuple[int, list[str]]:
    created = list(
        session.scalars(select(ProductRow).where(ProductRow.created_by_batch_id == batch_id))
    )
    removed, kept = 0, []
    for row in created:
        busy = any(
            session.scalars(
                select(model.id).where(model.product_id == row.product_id).limit(1)
            ).first()
            is not None
            for model in (SaleLineRow, StockMovementRow, AlertRow, PurchaseOrderLineRow)
        )
        if busy:
            row.created_by_batch_id = None
            kept.append(row.product_id)
        else:
            session.execute(
                delete(ProductImportChangeRow).where(
                    ProductImportChangeRow.product_id == row.product_id,
                    ProductImportChangeRow.import_batch_id == batch_id,
                )
            )
            forget_forecasts(session, [row.product_id])
            session.delete(row)
            removed += 1
    session.flush()
    return removed, kept
