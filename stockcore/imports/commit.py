"""Committing a sales import: the previewed rows written as one batch, in one transaction.

Sale lines (or daily totals), the order-line keys they consume, the products the file
introduces, and with apply_to_stock a sale movement per line; refused as a whole if
any product would be oversold or if another import wrote the same rows meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stockcore.domain import (
    DEFAULT_CATEGORY,
    Actor,
    Clock,
    Conflict,
    InsufficientStock,
    MovementKind,
    counted,
    local_now,
)
from stockcore.imports.batches import BatchKind, BatchStatus
from stockcore.imports.preview import (
    DEFAULT_OPTIONS,
    ImportOptions,
    SalesPreview,
    preview_sales_import,
)
from stockcore.imports.reading import FileRefused, Problem
from stockcore.inventory import (
    actor_columns,
    sync_lead_time_alerts_in,
    sync_restock_alert_in,
    to_product,
)
from stockcore.persistence.db import Database, bulk_insert, storage_dates, storage_datetimes
from stockcore.persistence.models import (
    ImportBatchRow,
    ImportedLineRow,
    ProductRow,
    SaleLineRow,
    ShopDailySalesRow,
    StockMovementRow,
)

INSERT_CHUNK = 20_000


@dataclass(frozen=True)
class ImportOutcome:
    batch_id: int | None
    preview: SalesPreview
    message: str


Progress = Callable[[float, str], None]  # (fraction done, what is being done)


class ShopChanged(Conflict):
    """Another import wrote the same rows between the preview and its commit."""


def import_sales(
    db: Database,
    data: bytes,
    file_name: str,
    options: ImportOptions = DEFAULT_OPTIONS,
    *,
    actor: Actor | None = None,
    clock: Clock = local_now,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Check the whole file (`preview_sales_import`), then write it as one batch in one
    transaction, or refuse it (`commit_sales_import`, which says who the rows are from)."""
    if progress:
        progress(0.05, "reading and checking every row")
    preview = preview_sales_import(db, data, file_name, options)
    return commit_sales_import(db, preview, actor=actor, clock=clock, progress=progress)


def commit_sales_import(
    db: Database,
    preview: SalesPreview,
    *,
    actor: Actor | None = None,
    clock: Clock = local_now,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Write a previewed file as one batch, or refuse it, or say why nothing was written.
    Its sale lines and ledger rows are recorded as made by `actor` (None: unknown)."""
    report = progress or (lambda _fraction, _text: None)
    if preview.already_imported_as is not None:
        return ImportOutcome(
            None,
            preview,
            "nothing imported: this file was already imported as batch "
            f"{preview.already_imported_as}",
        )
    if preview.refused:
        raise FileRefused(
            f"{counted(preview.bad_rows, 'bad row')}; nothing was imported", preview.problems
        )
    if preview.rows_to_import == 0:
        reason = (
            f"all {preview.already_imported:,} rows were already imported"
            if preview.already_imported
            else "the file holds no sales to import"
        )
        return ImportOutcome(None, preview, f"nothing imported: {reason}")
    try:
        batch_id = _write_batch(db, preview, clock(), report, actor)
    except IntegrityError:
        raise ShopChanged(
            "the shop changed since this preview (the same rows were just imported); "
            "nothing was written: upload the file again to preview afresh"
        ) from None
    report(1.0, "done")
    return ImportOutcome(batch_id, preview, f"batch {batch_id}: {preview.summary()}")


def _write_batch(
    db: Database,
    preview: SalesPreview,
    now: datetime,
    report: Progress,
    actor: Actor | None,
) -> int:
    with db.write() as session:
        batch = ImportBatchRow(
            kind=(
                BatchKind.SHOP_TOTALS if preview.shop_totals is not None else BatchKind.SALES
            ).value,
            file_name=preview.file_name[:255],
            content_sha256=preview.sha256,
            file_format=preview.file_format.value,
            created_at=now,
            rows_read=preview.rows_read,
            rows_imported=preview.rows_to_import,
            rows_skipped=preview.bad_rows if preview.problems else 0,
            rows_already_imported=preview.already_imported,
            non_product_rows=preview.non_product_rows + preview.zero_price_rows,
            new_products=len(preview.new_products),
            units=preview.units,
            revenue=preview.revenue,
            first_day=preview.first_day,
            last_day=preview.last_day,
            applied_to_stock=preview.options.apply_to_stock,
            status=BatchStatus.COMMITTED.value,
        )
        session.add(batch)
        session.flush()
        if preview.shop_totals is not None:
            _insert_totals(session, preview.shop_totals, batch.id)
        else:
            _create_products(session, preview, batch.id, now)
            if preview.options.apply_to_stock:
                _apply_to_stock(session, preview, batch.id, now, actor)
            _insert_lines(session, preview.lines, batch.id, report, actor)
            batch_id = batch.id
            # Sorted, so the primary-key index fills in order (several times faster).
            bulk_insert(
                session,
                ImportedLineRow.__table__,
                ["source_key", "import_batch_id"],
                ((key, batch_id) for key in sorted(preview.new_keys)),
            )
        return batch.id


def _create_products(session: Session, preview: SalesPreview, batch_id: int, now: datetime) -> None:
    new_products = preview.new_products
    if not new_products:
        return
    session.execute(
        insert(ProductRow),
        [
            {
                "product_id": pid,
                "name": name,
                "category": DEFAULT_CATEGORY,
                "unit_price": Decimal(preview.new_product_prices.get(pid, 0)) / 100,
                "unit_cost": None,
                "quantity": 0,
                "restock_threshold": 0,
                "supplier": None,
                "lead_time_days": 7,
                "created_at": now,
                "created_by_batch_id": batch_id,
            }
            for pid, name in new_products.items()
        ],
    )
    session.flush()


def _apply_to_stock(
    session: Session, preview: SalesPreview, batch_id: int, now: datetime, actor: Actor | None
) -> None:
    needed = preview.lines.groupby("product_id")["quantity"].sum()
    rows = {
        row.product_id: row
        for row in session.scalars(
            select(ProductRow)
            .where(ProductRow.product_id.in_([str(p) for p in needed.index]))
            .with_for_update()
        )
    }
    refusals = [
        InsufficientStock(pid, rows[pid].name, int(units), rows[pid].quantity)
        for pid, units in ((str(p), u) for p, u in needed.items())
        if units > rows[pid].quantity
    ]
    if refusals:
        raise FileRefused(
            f"applying this file to stock would oversell {counted(len(refusals), 'product')}; "
            "nothing was imported",
            [Problem(None, "product_id", r.product_id, str(r)) for r in refusals],
        )
    on_hand = {pid: row.quantity for pid, row in rows.items()}
    made_by = actor_columns(actor)
    movements = []
    ordered = preview.lines.sort_values(["sold_at", "line"], kind="stable")
    for product_id, units, when in zip(
        ordered["product_id"], ordered["quantity"], ordered["sold_at"], strict=True
    ):
        on_hand[product_id] -= int(units)
        movements.append(
            {
                "product_id": product_id,
                "at": pd.Timestamp(when).to_pydatetime(),
                "kind": MovementKind.SALE.value,
                "change": -int(units),
                "quantity_after": on_hand[product_id],
                "reason": f"import batch {batch_id}",
                "sale_line_id": None,
                "import_batch_id": batch_id,
                **made_by,
            }
        )
    for start in range(0, len(movements), INSERT_CHUNK):
        session.execute(insert(StockMovementRow), movements[start : start + INSERT_CHUNK])
    for product_id, row in rows.items():
        row.quantity = on_hand[product_id]
    session.flush()
    for row in rows.values():
        sync_restock_alert_in(session, to_product(row), now)
    sync_lead_time_alerts_in(session, [to_product(row) for row in rows.values()], now)


def _insert_lines(
    session: Session,
    lines: pd.DataFrame,
    batch_id: int,
    report: Progress,
    actor: Actor | None,
) -> None:
    dialect = session.get_bind().dialect.name
    made_by = actor_columns(actor)
    columns = [
        "product_id",
        "sold_at",
        "sold_on",
        "quantity",
        "unit_price_minor",
        "revenue_minor",
        "source",
        "order_id",
        "customer_id",
        "import_batch_id",
        *made_by,
    ]
    total = len(lines)
    for start in range(0, total, INSERT_CHUNK):
        part = lines.iloc[start : start + INSERT_CHUNK]
        quantity = part["quantity"].to_numpy(dtype="int64")
        price = part["unit_price_minor"].to_numpy(dtype="int64")
        stamps = part["sold_at"].to_numpy()
        orders = [order or None for order in part["order_id"].tolist()]
        customers = [customer or None for customer in part["customer_id"].tolist()]
        bulk_insert(
            session,
            SaleLineRow.__table__,
            columns,
            zip(
                part["product_id"].tolist(),
                storage_datetimes(stamps, dialect),
                storage_dates(stamps, dialect),
                quantity.tolist(),
                price.tolist(),
                (quantity * price).tolist(),
                ["history"] * len(part),
                orders,
                customers,
                [batch_id] * len(part),
                *([value] * len(part) for value in made_by.values()),
                strict=True,
            ),
        )
        report(0.3 + 0.7 * min(1.0, (start + len(part)) / max(total, 1)), "writing sale lines")


def _insert_totals(session: Session, totals: pd.DataFrame, batch_id: int) -> None:
    session.execute(
        insert(ShopDailySalesRow),
        [
            {
                "sold_on": pd.Timestamp(day).date(),
                "sales": Decimal(int(minor)) / 100,
                "import_batch_id": batch_id,
            }
            for day, minor in zip(totals["sold_on"], totals["sales_minor"], strict=True)
        ],
    )
