"""Opening a shop's database, and the two demo shops.

* The demo gift shop: ~60 real products of a UK online gift shop with two years of
  their real sales (UCI Online Retail / Online Retail II, CC BY 4.0; see
  data/README.md), loaded from the CSVs committed in data/ with the dates shifted
  so the history ends yesterday. Stock levels, thresholds, costs, suppliers and
  lead times are invented (some products are already low).
* The spec's scenario: three products (Laptop, Mouse, Mobile) replayed by
  `python -m stockcore demo`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from stockcore.domain import PRODUCT_COLUMNS, Clock, Product, StockcoreError, local_now
from stockcore.inventory import HistoryLine, seed_shop
from stockcore.persistence.db import REPO_ROOT, Database, is_new, upgrade

DATA_DIR = REPO_ROOT / "data"
DEMO_PRODUCTS = DATA_DIR / "demo_products.csv"
DEMO_SALES = DATA_DIR / "demo_sales.csv"
DEMO_SHOP_NAME = "Demo gift shop"
DEMO_CURRENCY = "£"

SALES_COLUMNS = ("date", "product_id", "quantity", "unit_price", "customer_id")


def _data_lines(path: Path) -> Iterator[str]:
    """The CSV's lines without the leading '# ' attribution lines."""
    with path.open(encoding="utf-8", newline="") as handle:
        in_header_comments = True
        for line in handle:
            if in_header_comments and line.startswith("#"):
                continue
            in_header_comments = False
            yield line


def _rows(path: Path, expected: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO("".join(_data_lines(path))))
    if tuple(reader.fieldnames or ()) != expected:
        raise StockcoreError(f"{path.name}: expected columns {', '.join(expected)}")
    yield from enumerate(reader, start=2)


def read_demo_products(path: Path = DEMO_PRODUCTS) -> list[Product]:
    products = []
    for line, row in _rows(path, PRODUCT_COLUMNS):
        try:
            products.append(
                Product.create(
                    row["product_id"],
                    row["name"],
                    category=row["category"],
                    unit_price=row["unit_price"],
                    unit_cost=row["unit_cost"] or None,
                    quantity=row["quantity"],
                    restock_threshold=row["restock_threshold"],
                    supplier=row["supplier"] or None,
                    lead_time_days=row["lead_time_days"],
                    min_order_quantity=row["min_order_quantity"],
                    pack_size=row["pack_size"],
                    lead_time_sd_days=row["lead_time_sd_days"],
                    service_level=row["service_level"],
                )
            )
        except StockcoreError as error:
            raise StockcoreError(f"{path.name} data line {line}: {error}") from None
    return products


def read_demo_sales(path: Path = DEMO_SALES, *, ends_on: date | None = None) -> list[HistoryLine]:
    """The demo's sales history; with `ends_on`, every date moves so the last is `ends_on`."""
    raw = [
        (date.fromisoformat(row["date"]), row["product_id"], int(row["quantity"]), row)
        for _, row in _rows(path, SALES_COLUMNS)
    ]
    if not raw:
        return []
    shift = timedelta(0) if ends_on is None else ends_on - max(day for day, *_ in raw)
    return [
        HistoryLine(
            sold_on=day + shift,
            product_id=product_id,
            quantity=quantity,
            unit_price=Decimal(row["unit_price"]),
            customer_id=row["customer_id"] or None,
        )
        for day, product_id, quantity, row in raw
    ]


def load_demo_shop(db: Database, *, clock: Clock = local_now) -> int:
    """Fill an empty shop with the demo gift shop. Returns the number of sales lines."""
    yesterday = clock().date() - timedelta(days=1)
    return seed_shop(
        db,
        read_demo_products(),
        read_demo_sales(ends_on=yesterday),
        currency_symbol=DEMO_CURRENCY,
        shop_name=DEMO_SHOP_NAME,
        clock=clock,
    )


@dataclass(frozen=True)
class OpenedShop:
    db: Database
    created: bool
    demo_loaded: bool


def open_shop(
    url: str | None = None, *, demo_if_new: bool = False, clock: Clock = local_now
) -> OpenedShop:
    """Connect, bring the schema up to date, and on a brand-new database load the demo shop.

    A database that already has the schema (an empty shop made with `init`, or a shop
    in use) is never touched beyond migrations.
    """
    db = Database.connect(url)
    created = is_new(db)
    upgrade(db)
    demo_loaded = False
    if created and demo_if_new:
        load_demo_shop(db, clock=clock)
        demo_loaded = True
    return OpenedShop(db, created, demo_loaded)


# --- The spec's three products --------------------------------------------------------------

SPEC_PRODUCTS = (
    Product.create(
        "101", "Laptop", category="Computers", unit_price=50000, quantity=7, restock_threshold=2
    ),
    Product.create(
        "102", "Mouse", category="Accessories", unit_price=500, quantity=20, restock_threshold=4
    ),
    Product.create(
        "103", "Mobile", category="Phones", unit_price=18000, quantity=4, restock_threshold=1
    ),
)
SPEC_PURCHASES = (("101", 2), ("103", 4), ("102", 17))
SPEC_CURRENCY = "₹"
