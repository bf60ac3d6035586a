"""Past sales (from the demo shop or an import): history for reports and forecasts,
never a change of stock on hand; and filling an empty shop with products and history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from stockcore.domain import Actor, Clock, Conflict, Product, local_now
from stockcore.inventory.ledger import actor_columns
from stockcore.inventory.products import insert_product
from stockcore.inventory.settings import CURRENCY_SYMBOL, SHOP_NAME
from stockcore.persistence.db import Database
from stockcore.persistence.models import ProductRow, SaleLineRow, SettingRow


@dataclass(frozen=True)
class HistoryLine:
    """One line of past sales (from the demo shop or an import): history, not stock."""

    sold_on: date
    product_id: str
    quantity: int
    unit_price: Decimal
    order_id: str | None = None
    customer_id: str | None = None


def _insert_history(
    session: Session, lines: Iterable[HistoryLine], chunk_size: int, actor: Actor | None
) -> int:
    made_by = actor_columns(actor)
    rows = [
        {
            "product_id": line.product_id,
            "sold_at": datetime.combine(line.sold_on, datetime.min.time()),
            "sold_on": line.sold_on,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "revenue": (line.unit_price * line.quantity).quantize(Decimal("0.01")),
            "source": "history",
            "order_id": line.order_id,
            "customer_id": line.customer_id,
            **made_by,
        }
        for line in lines
    ]
    for start in range(0, len(rows), chunk_size):
        session.execute(insert(SaleLineRow), rows[start : start + chunk_size])
    return len(rows)


def record_history(
    db: Database,
    lines: Iterable[HistoryLine],
    *,
    actor: Actor | None = None,
    chunk_size: int = 5000,
) -> int:
    """Store past sales lines for reports and forecasts, recorded by `actor` (None:
    unknown). They do not change stock on hand."""
    with db.write() as session:
        return _insert_history(session, lines, chunk_size, actor)


def seed_shop(
    db: Database,
    products: Iterable[Product],
    history: Iterable[HistoryLine],
    *,
    currency_symbol: str,
    shop_name: str,
    actor: Actor | None = None,
    clock: Clock = local_now,
) -> int:
    """Fill an empty shop (the demo shop) in one transaction: products with their opening
    stock, their past sales, and the shop's settings, all recorded as made by `actor`.
    Returns the number of history lines."""
    now = clock()
    with db.write() as session:
        if session.scalars(select(ProductRow.product_id).limit(1)).first() is not None:
            raise Conflict("the shop already has products; the demo needs an empty shop")
        for product in products:
            insert_product(session, product, now, actor=actor)
        count = _insert_history(session, history, 5000, actor)
        session.merge(SettingRow(key=CURRENCY_SYMBOL, value=currency_symbol))
        session.merge(SettingRow(key=SHOP_NAME, value=shop_name))
    return count
