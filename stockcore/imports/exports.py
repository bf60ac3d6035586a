"""Data out: the tables an owner can download, as CSV that is safe to open in a spreadsheet.

Products and sales export in the layouts the importer reads, so they re-import
cleanly. A cell that begins with = + - @ (or a tab/carriage return) would be run as a
formula by Excel, LibreOffice or Google Sheets; such text cells get a leading
apostrophe, the usual escape. Numbers are left alone, so negative quantities stay
numbers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import select

from stockcore.domain import PRODUCT_COLUMNS, Invalid
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


def export_frame(db: Database, what: str) -> pd.DataFrame:
    """A table to export as CSV; products and sales re-import cleanly."""
    if what == "forecasts":
        return export_forecasts(db)
    with db.read() as session:
        if what == "products":
            rows = session.scalars(select(ProductRow).order_by(ProductRow.product_id)).all()
            return pd.DataFrame(
                [{field: _file_cell(getattr(r, field)) for field in PRODUCT_COLUMNS} for r in rows],
                columns=list(PRODUCT_COLUMNS),
            )
        if what == "sales":
            sales = session.scalars(select(SaleLineRow).order_by(SaleLineRow.id)).all()
            return pd.DataFrame(
                [
                    {
                        "date": s.sold_at.strftime("%Y-%m-%d %H:%M:%S"),
                        "product_id": s.product_id,
                        "quantity": s.quantity,
                        "unit_price": f"{s.unit_price:.2f}",
                        "order_id": s.order_id or "",
                        "customer_id": s.customer_id or "",
                    }
                    for s in sales
                ],
                columns=["date", "product_id", "quantity", "unit_price", "order_id", "customer_id"],
            )
        if what == "movements":
            moves = session.scalars(select(StockMovementRow).order_by(StockMovementRow.id)).all()
            return pd.DataFrame(
                [
                    {
                        "at": m.at.strftime("%Y-%m-%d %H:%M:%S"),
                        "product_id": m.product_id,
                        "kind": m.kind,
                        "change": m.change,
                        "quantity_after": m.quantity_after,
                        "reason": m.reason or "",
                        "import_batch": m.import_batch_id or "",
                    }
                    for m in moves
                ],
                columns=[
                    "at",
                    "product_id",
                    "kind",
                    "change",
                    "quantity_after",
                    "reason",
                    "import_batch",
                ],
            )
        if what == "alerts":
            alerts = session.scalars(select(AlertRow).order_by(AlertRow.id)).all()
            return pd.DataFrame(
                [
                    {
                        "alert_id": a.id,
                        "product_id": a.product_id,
                        "kind": a.kind,
                        "status": a.status,
                        "raised_at": a.raised_at.strftime("%Y-%m-%d %H:%M:%S"),
                        "quantity_at_raise": a.quantity_at_raise,
                        "threshold_at_raise": a.threshold_at_raise,
                        "acknowledged_at": _stamp(a.acknowledged_at),
                        "resolved_at": _stamp(a.resolved_at),
                    }
                    for a in alerts
                ],
                columns=[
                    "alert_id",
                    "product_id",
                    "kind",
                    "status",
                    "raised_at",
                    "quantity_at_raise",
                    "threshold_at_raise",
                    "acknowledged_at",
                    "resolved_at",
                ],
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
