"""Importing a products file, and undoing one.

A products file creates new products and updates the catalogue fields of existing
ones, as one batch; each change keeps the fields as they were, so undo puts them back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from stockcore.domain import (
    DEFAULT_CATEGORY,
    Actor,
    Clock,
    Product,
    StockcoreError,
    counted,
    local_now,
)
from stockcore.imports import batches, parsers, reading
from stockcore.imports.batches import BatchKind, BatchStatus
from stockcore.imports.reading import Chunks, FileFormat, FileRefused, Problem
from stockcore.inventory import EDITABLE_FIELDS, insert_product, sync_restock_alert_in, to_product
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    AlertRow,
    ImportBatchRow,
    ProductImportChangeRow,
    ProductRow,
    SaleLineRow,
    StockMovementRow,
)

# What a product import may change, and its undo restores: every field but id and stock.
_RESTORABLE = EDITABLE_FIELDS


@dataclass(frozen=True)
class ProductImportOutcome:
    batch_id: int | None
    created: int
    updated: int
    unchanged: int
    message: str


def import_products(
    db: Database,
    data: bytes,
    file_name: str,
    *,
    mapping: Mapping[str, str] | None = None,
    actor: Actor | None = None,
    clock: Clock = local_now,
) -> ProductImportOutcome:
    """Create new products and update the catalogue fields of existing ones, as one batch.

    New products get their quantity as opening stock (a ledger row made by `actor`, who
    imported the file; None: unknown), and the defaults
    for columns the file lacks. For existing products only the file's columns change
    (a file without a lead time column leaves lead times alone), and the quantity
    column is ignored: stock changes only through receipts, sales and adjustments.
    Any bad row refuses the whole file.
    """
    csv_text = reading.decode(data)
    layout = reading.recognise(csv_text.headers, kind="products", mapping=mapping)
    columns = layout.columns
    chunks = Chunks(csv_text)
    parsed: list[tuple[int, Product]] = []
    problems: list[Problem] = []
    rows_read = 0
    for chunk in chunks:
        lines = chunks.line_numbers(chunk.index.to_numpy())
        for line, record in zip(lines, chunk.to_dict("records"), strict=True):
            rows_read += 1
            values = {
                f: parsers.unescape_text(v) if isinstance(v, str) else v
                for f, v in ((f, record.get(h)) for f, h in columns.items())
            }
            try:
                product = Product.create(
                    values.get("product_id"),
                    values.get("name"),
                    category=values.get("category") or DEFAULT_CATEGORY,
                    unit_price=_strip_money(values.get("unit_price")),
                    unit_cost=_strip_money(values.get("unit_cost")) or None,
                    quantity=values.get("quantity") or 0,
                    restock_threshold=values.get("restock_threshold") or 0,
                    supplier=values.get("supplier") or None,
                    lead_time_days=values.get("lead_time_days") or 7,
                    min_order_quantity=values.get("min_order_quantity"),
                    pack_size=values.get("pack_size"),
                    lead_time_sd_days=values.get("lead_time_sd_days"),
                    service_level=values.get("service_level"),
                )
            except StockcoreError as error:
                field_name = getattr(error, "field", None)
                header = _header_for(field_name, columns)
                problems.append(
                    Problem(
                        int(line),
                        header,
                        _show(getattr(error, "value", None)),
                        getattr(error, "reason", str(error)),
                    )
                )
                continue
            parsed.append((int(line), product))
    problems = sorted(chunks.ragged_problems() + problems, key=lambda p: p.line or 0)
    seen: dict[str, int] = {}
    for line, product in parsed:
        if product.product_id in seen:
            problems.append(
                Problem(
                    line,
                    columns["product_id"],
                    product.product_id,
                    f"appears again (first on line {seen[product.product_id]})",
                )
            )
        seen.setdefault(product.product_id, line)
    if rows_read == 0 and not problems:
        raise FileRefused("the file has a header but no data rows")
    if problems:
        raise FileRefused(f"{counted(len(problems), 'bad row')}; nothing was imported", problems)

    now = clock()
    earlier = batches.imported_as(db, csv_text.sha256)
    if earlier is not None:
        return ProductImportOutcome(
            None, 0, 0, 0, f"nothing imported: this file was already imported as batch {earlier}"
        )
    in_file = [f for f in _RESTORABLE if f in columns or f == "name"]
    created = updated = unchanged = 0
    with db.write() as session:
        batch = ImportBatchRow(
            kind=BatchKind.PRODUCTS.value,
            file_name=file_name[:255],
            content_sha256=csv_text.sha256,
            file_format=FileFormat.PRODUCTS.value,
            created_at=now,
            rows_read=rows_read,
            rows_imported=len(parsed),
            rows_skipped=0,
            rows_already_imported=0,
            non_product_rows=0,
            new_products=0,
            units=0,
            revenue=Decimal("0"),
            first_day=None,
            last_day=None,
            applied_to_stock=False,
            status=BatchStatus.COMMITTED.value,
        )
        session.add(batch)
        session.flush()
        for _line, product in parsed:
            row = session.get(ProductRow, product.product_id, with_for_update=True)
            if row is None:
                insert_product(session, product, now, actor=actor, batch_id=batch.id)
                session.add(
                    ProductImportChangeRow(
                        import_batch_id=batch.id, product_id=product.product_id, before=None
                    )
                )
                created += 1
            else:
                before = {f: _jsonable(getattr(row, f)) for f in _RESTORABLE}
                after = {**before, **{f: _jsonable(getattr(product, f)) for f in in_file}}
                if before == after:
                    unchanged += 1
                    continue
                for name in in_file:
                    setattr(row, name, getattr(product, name))
                session.add(
                    ProductImportChangeRow(
                        import_batch_id=batch.id,
                        product_id=product.product_id,
                        before=json.dumps(before),
                    )
                )
                updated += 1
            session.flush()
            current = session.get(ProductRow, product.product_id)
            assert current is not None
            sync_restock_alert_in(session, to_product(current), now)
        batch.new_products = created
        batch_id = batch.id
    message = (
        f"batch {batch_id}: {rows_read:,} rows read, {created:,} products created, "
        f"{updated:,} updated, {unchanged:,} unchanged"
    )
    return ProductImportOutcome(batch_id, created, updated, unchanged, message)


def undo_product_import(session: Session, batch: ImportBatchRow, now: datetime) -> int:
    """Put back the catalogue fields a product import changed; remove its opening stock."""
    restored = 0
    changes = session.scalars(
        select(ProductImportChangeRow).where(ProductImportChangeRow.import_batch_id == batch.id)
    )
    for change in changes:
        row = session.get(ProductRow, change.product_id, with_for_update=True)
        if row is None:
            continue
        if change.before is None:
            opening = session.scalars(
                select(StockMovementRow).where(
                    StockMovementRow.import_batch_id == batch.id,
                    StockMovementRow.product_id == row.product_id,
                )
            ).all()
            others = session.scalars(
                select(StockMovementRow.id)
                .where(
                    StockMovementRow.product_id == row.product_id,
                    (StockMovementRow.import_batch_id != batch.id)
                    | StockMovementRow.import_batch_id.is_(None),
                )
                .limit(1)
            ).first()
            if (
                others is None
                and session.scalars(
                    select(SaleLineRow.id).where(SaleLineRow.product_id == row.product_id).limit(1)
                ).first()
                is None
            ):
                for movement in opening:
                    session.delete(movement)
                session.execute(delete(AlertRow).where(AlertRow.product_id == row.product_id))
                session.flush()
            continue
        before = json.loads(change.before)
        for name in _RESTORABLE:
            if name not in before:  # stored before the field existed
                continue
            value = before[name]
            if name in ("unit_price", "unit_cost") and value is not None:
                value = Decimal(value)
            setattr(row, name, value)
        session.flush()
        sync_restock_alert_in(session, to_product(row), now)
        restored += 1
    session.execute(
        delete(ProductImportChangeRow).where(ProductImportChangeRow.import_batch_id == batch.id)
    )
    return restored


def _strip_money(value: object) -> object:
    if isinstance(value, str):
        text = re.sub(parsers.CURRENCY_SIGNS, "", value)
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        return text
    return value


def _header_for(field_name: str | None, columns: Mapping[str, str]) -> str | None:
    if field_name is None:
        return None
    key = field_name.replace(" ", "_")
    aliases = {
        "lead_time": "lead_time_days",
        "minimum_order_quantity": "min_order_quantity",
        "lead_time_sd": "lead_time_sd_days",
    }
    return columns.get(aliases.get(key, key), field_name)


def _show(value: object) -> str | None:
    return None if value is None else str(value)


def _jsonable(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value
