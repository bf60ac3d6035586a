"""Import batches: what kinds there are, their states, and how they are listed and found.

Every import (a sales file, a file of daily shop totals, a products file) is one
batch, one row in import_batches, committed in one transaction and undone as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from stockcore.persistence.db import Database
from stockcore.persistence.models import ImportBatchRow


class BatchKind(StrEnum):
    """What a batch imported (stored in import_batches.kind)."""

    SALES = "sales"
    SHOP_TOTALS = "shop_totals"
    PRODUCTS = "products"


class BatchStatus(StrEnum):
    """Whether a batch's rows are in (stored in import_batches.status)."""

    COMMITTED = "committed"
    UNDONE = "undone"


@dataclass(frozen=True)
class BatchView:
    batch_id: int
    kind: BatchKind
    file_name: str
    file_format: str
    created_at: datetime
    rows_read: int
    rows_imported: int
    rows_skipped: int
    rows_already_imported: int
    new_products: int
    units: int
    revenue: Decimal
    first_day: date | None
    last_day: date | None
    applied_to_stock: bool
    status: BatchStatus

    def line(self) -> str:
        days = f"{self.first_day} to {self.last_day}" if self.first_day else "no dates"
        stock = ", applied to stock" if self.applied_to_stock else ""
        return (
            f"{self.batch_id}  {self.status:<9}  {self.created_at:%Y-%m-%d %H:%M}  "
            f"{self.kind:<11}  "
            f"{self.file_name}: {self.rows_imported:,} rows, {self.units:,} units, "
            f"revenue {self.revenue:,.2f}, {days}{stock}"
        )


def list_batches(db: Database) -> list[BatchView]:
    """Every import batch, newest first."""
    with db.read() as session:
        return [
            BatchView(
                b.id,
                BatchKind(b.kind),
                b.file_name,
                b.file_format,
                b.created_at,
                b.rows_read,
                b.rows_imported,
                b.rows_skipped,
                b.rows_already_imported,
                b.new_products,
                b.units,
                b.revenue,
                b.first_day,
                b.last_day,
                b.applied_to_stock,
                BatchStatus(b.status),
            )
            for b in session.scalars(select(ImportBatchRow).order_by(ImportBatchRow.id.desc()))
        ]


def imported_as(db: Database, sha256: str) -> int | None:
    """The committed batch that imported a file with this content, if any."""
    with db.read() as session:
        return session.scalars(
            select(ImportBatchRow.id).where(
                ImportBatchRow.content_sha256 == sha256,
                ImportBatchRow.status == BatchStatus.COMMITTED.value,
            )
        ).first()
