"""Products: the one mapping between a product row and the domain's `Product`, and the
use cases that add and edit products.

The mapping is derived from `PRODUCT_FIELDS` (the dataclass's fields), so a new product
field is added in the dataclass, the table model and a migration, and nowhere here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stockcore.domain import (
    PRODUCT_FIELDS,
    Actor,
    Clock,
    DuplicateProduct,
    InvalidValue,
    MovementKind,
    Product,
    local_now,
    parse_product_id,
)
from stockcore.inventory.alerts import sync_restock_alert_in
from stockcore.inventory.ledger import lock_product, record_movement
from stockcore.persistence.db import Database
from stockcore.persistence.models import ProductRow

# What an edit may change: everything but the id and the quantity on hand, which changes
# only through sales, receipts and adjustments, so the ledger holds.
EDITABLE_FIELDS: Final = tuple(
    field for field in PRODUCT_FIELDS if field not in ("product_id", "quantity")
)


def to_product(row: ProductRow) -> Product:
    """The product a stored row holds."""
    return Product(**{field: getattr(row, field) for field in PRODUCT_FIELDS})


def product_values(product: Product) -> dict[str, Any]:
    """A product's values by field name: the columns of its row."""
    return {field: getattr(product, field) for field in PRODUCT_FIELDS}


def insert_product(
    session: Session,
    product: Product,
    now: datetime,
    *,
    actor: Actor | None,
    batch_id: int | None = None,
) -> None:
    """Add a product with its opening stock as one ledger row (made by `actor`), and alert
    if it starts low.

    batch_id marks a product created by an import (so undoing the import can remove it).
    """
    if session.get(ProductRow, product.product_id) is not None:
        raise DuplicateProduct(product.product_id)
    session.add(ProductRow(**product_values(product), created_at=now, created_by_batch_id=batch_id))
    session.flush()
    if product.quantity > 0:
        reason = "opening stock" if batch_id is None else f"opening stock, import batch {batch_id}"
        record_movement(
            session,
            product,
            MovementKind.OPENING,
            product.quantity,
            now,
            reason=reason,
            actor=actor,
            import_batch_id=batch_id,
        )
    sync_restock_alert_in(session, product, now)


def add_product(
    db: Database, product: Product, *, actor: Actor | None = None, clock: Clock = local_now
) -> Product:
    """Add a new product with its opening stock (one ledger row, made by `actor`; None:
    unknown). Refuses a duplicate id.

    A product created below its threshold gets its restock alert at once.
    """
    now = clock()
    try:
        with db.write() as session:
            insert_product(session, product, now, actor=actor)
    except IntegrityError:
        # Another writer added the same id between our check and our insert.
        raise DuplicateProduct(product.product_id) from None
    return product


def update_products(
    db: Database,
    edits: Mapping[str, Mapping[str, object]],
    *,
    clock: Clock = local_now,
) -> list[Product]:
    """Save edits to several products at once: all of them or, on any bad value, none.

    `edits` maps a product id to {field: new value}. Quantity on hand is not editable
    here: it changes only through sales, receipts and adjustments, so the ledger holds.
    A changed threshold raises or resolves the product's restock alert at once.
    """
    now = clock()
    saved: list[Product] = []
    with db.write() as session:
        for raw_id, changes in edits.items():
            product_id = parse_product_id(raw_id)
            unknown = set(changes) - set(EDITABLE_FIELDS)
            if unknown:
                field = sorted(unknown)[0]
                raise InvalidValue(
                    field.replace("_", " "), changes[field], f"cannot be edited for {product_id}"
                )
            row = lock_product(session, product_id)
            try:
                edited = Product.create(**{**product_values(to_product(row)), **changes})
            except InvalidValue as error:
                raise InvalidValue(
                    f"{product_id} {error.field}", error.value, error.reason
                ) from None
            for field in EDITABLE_FIELDS:
                setattr(row, field, getattr(edited, field))
            sync_restock_alert_in(session, edited, now)
            saved.append(edited)
    return saved
