"""Data out: the tables an owner can download, as CSV that is safe to open in a spreadsheet.

Products and sales export in the layouts the importer reads, so they re-import
cleanly. A cell that begins with = + - @ (or a tab/carriage return) would be run as a
formula by Excel, LibreOffice or Google Sheets; such text cells get a leading
apostrophe, the usual escape. Numbers are left alone, so negative quantities stay
numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import pandas as pd
from sqlalchemy import select

from stockcore.domain import PRODUCT_COLUMNS, Invalid, actor_label
from stockcore.forecasting.views import export_forecasts
from stockcore.persistence.db import Database
from stockcore.persistence.models import AlertRow, ProductRow, SaleLineRow, StockMovementRow

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text (UTF-8, comma, header row), formula-like text escaped."""
    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.assign(**{column: frame[column].map(escape_cell) for column in text_columns})
    return safe.to_csv(index=False)


EXPORTS = ("products", "sales", "movements", "alerts", "forecasts")

# A sales file in the template layout, offered for download on the Upload page.
TEMPLATE_CSV = (
    "date,product_id,quantity,unit_price,order_id\n"
    "2024-03-01,85123A,6,2.55,10001\n"
    "2024-03-01,71053,6,3.39,10001\n"
    "2024-03-02,85123A,-2,2.55,C10001\n"
)


def _file_field(field: str) -> Callable[[Any], object]:
    """A product's field as the products importer reads it."""
    return lambda row: _file_cell(getattr(row, field))


# The exports of one table's rows: the table, what orders them, and each column's cell.
_ROW_EXPORTS: Final[dict[str, tuple[Any, Any, Mapping[str, Callable[[Any], object]]]]] = {
    "products": (
        ProductRow,
        ProductRow.product_id,
        {field: _file_field(field) for field in PRODUCT_COLUMNS},
    ),
    "sales": (
        SaleLineRow,
        SaleLineRow.id,
        {
            "date": lambda s: _stamp(s.sold_at),
            "product_id": lambda s: s.product_id,
            "quantity": lambda s: s.quantity,
            "unit_price": lambda s: f"{s.unit_price:.2f}",
            "order_id": lambda s: s.order_id or "",
            "customer_id": lambda s: s.customer_id or "",
        },
    ),
    "movements": (
        StockMovementRow,
        StockMovementRow.id,
        {
            "at": lambda m: _stamp(m.at),
            "product_id": lambda m: m.product_id,
            "kind": lambda m: m.kind,
            "change": lambda m: m.change,
            "quantity_after": lambda m: m.quantity_after,
            "reason": lambda m: m.reason or "",
            "import_batch": lambda m: m.import_batch_id or "",
            "by": lambda m: actor_label(m.actor_kind, m.actor_name),
        },
    ),
    "alerts": (
        AlertRow,
        AlertRow.id,
        {
            "alert_id": lambda a: a.id,
            "product_id": lambda a: a.product_id,
            "kind": lambda a: a.kind,
            "status": lambda a: a.status,
            "raised_at": lambda a: _stamp(a.raised_at),
            "quantity_at_raise": lambda a: a.quantity_at_raise,
            "threshold_at_raise": lambda a: a.threshold_at_raise,
            "acknowledged_at": lambda a: _stamp(a.acknowledged_at),
            "resolved_at": lambda a: _stamp(a.resolved_at),
        },
    ),
}


def export_frame(db: Database, what: str) -> pd.DataFrame:
    """A table to export as CSV; products and sales re-import cleanly."""
    if what == "forecasts":
        return export_forecasts(db)
    with db.read() as session:
        if what in _ROW_EXPORTS:
            model, order, cells = _ROW_EXPORTS[what]
            rows = session.scalars(select(model).order_by(order)).all()
            return pd.DataFrame(
                [{column: cell(row) for column, cell in cells.items()} for row in rows],
                columns=list(cells),
            )
    raise Invalid(f"cannot export {what!r}: choose one of {', '.join(EXPORTS)}")


def _stamp(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _file_cell(value: object) -> object:
    """A product's value in a products file: money with two decimals, empty for none."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else value
