"""The demo gift shop, the migrations, and opening a shop."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, insert, inspect, update
from sqlalchemy.exc import IntegrityError

from stockcore import inventory
from stockcore.domain import InsufficientStock
from stockcore.inventory import reports
from stockcore.inventory.demo import (
    DEMO_PRODUCTS,
    DEMO_SALES,
    open_shop,
    read_demo_products,
    read_demo_sales,
)
from stockcore.persistence.db import (
    Database,
    _alembic_config,
    current_revision,
    database_url,
    is_new,
    normalise_url,
    upgrade,
)
from stockcore.persistence.models import Base, ProductRow
from tests.support import FixedClock


def test_the_demo_files_carry_the_attribution() -> None:
    for path in (DEMO_PRODUCTS, DEMO_SALES):
        head = path.read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("# ") and "UCI Online Retail" in head and "CC BY 4.0" in head
    readme = (DEMO_PRODUCTS.parent / "README.md").read_text(encoding="utf-8")
    assert "doi:10.1057/dbm.2012.17" in readme


def test_the_demo_shop_has_about_sixty_real_products_in_several_categories() -> None:
    products = read_demo_products()
    assert 50 <= len(products) <= 70
    assert len({p.product_id for p in products}) == len(products)
    per_category: dict[str, int] = {}
    for product in products:
        per_category[product.category] = per_category.get(product.category, 0) + 1
    assert len(per_category) >= 6 and min(per_category.values()) >= 3
    low = [p for p in products if p.needs_restock]
    assert 5 <= len(low) <= 15, "some products start low, most do not"
    assert "85123A" in {p.product_id for p in products}  # the shop's famous best seller


def test_the_demo_history_spans_two_years_and_is_shifted_to_end_yesterday() -> None:
    real = read_demo_sales()
    assert min(line.sold_on for line in real) <= date(2009, 12, 2)
    assert max(line.sold_on for line in real) == date(2011, 12, 9)
    yesterday = date.today() - timedelta(days=1)
    shifted = read_demo_sales(ends_on=yesterday)
    assert max(line.sold_on for line in shifted) == yesterday
    assert all(line.quantity > 0 and line.unit_price > 0 for line in shifted)
    known = {p.product_id for p in read_demo_products()}
    assert {line.product_id for line in shifted} <= known


def test_a_new_database_opens_with_the_demo_shop_and_balanced_books(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 6, 15, 10, 0))
    shop = open_shop(f"sqlite:///{tmp_path / 'new.db'}", demo_if_new=True, clock=clock)
    assert (shop.created, shop.demo_loaded) == (True, True)
    db = shop.db
    assert len(reports.inventory(db)) == len(read_demo_products())
    assert reports.sales_date_bounds(db)[1] == date(2026, 6, 14)  # type: ignore[index]
    assert reports.ledger_mismatches(db) == []
    assert len(reports.active_alerts(db)) == sum(p.needs_restock for p in read_demo_products())
    assert reports.overview(db, date(2026, 6, 15)).revenue_last_30_days > 0
    db.dispose()

    again = open_shop(f"sqlite:///{tmp_path / 'new.db'}", demo_if_new=True)
    assert (again.created, again.demo_loaded) == (False, False)
    again.db.dispose()


def test_an_initialised_empty_shop_stays_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    open_shop(url).db.dispose()
    shop = open_shop(url, demo_if_new=True)
    assert reports.inventory(shop.db) == []
    shop.db.dispose()


def head_revision() -> str | None:
    with Database.connect("sqlite://").engine.connect() as connection:
        return ScriptDirectory.from_config(_alembic_config(connection)).get_current_head()


def test_the_migrations_build_exactly_the_schema_the_models_describe(db: Database) -> None:
    assert current_revision(db) == head_revision() == "0017"
    assert not is_new(db)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    # Alembic does not compare sequences: the data version's (PostgreSQL only) by hand.
    if db.backend == "postgresql":
        assert "data_version" in inspect(db.engine).get_sequence_names()


def test_database_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"
    monkeypatch.delenv("STOCKCORE_DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{Path(__file__).resolve().parent.parent}/data/stockcore.db"
    monkeypatch.setenv("STOCKCORE_DATABASE_URL", "postgresql://postgres@127.0.0.1/shop")
    assert database_url() == "postgresql+psycopg://postgres@127.0.0.1/shop"


def test_upgrading_a_first_schema_shop_keeps_its_data_and_constraints(db_url: str) -> None:
    """A shop created by migration 0001, with data written in that schema, upgrades to head."""
    db = Database.connect(db_url)
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0001")
    first = MetaData()
    first.reflect(db.engine)
    at = datetime(2026, 3, 2, 9, 0)
    with db.engine.begin() as connection:
        connection.execute(
            insert(first.tables["products"]),
            [
                {
                    "product_id": "101",
                    "name": "Laptop",
                    "category": "Computers",
                    "unit_price_minor": 5_000_000,
                    "unit_cost_minor": None,
                    "quantity": 1,
                    "restock_threshold": 2,
                    "supplier": None,
                    "lead_time_days": 7,
                    "created_at": at,
                }
            ],
        )
        sale_line_id = connection.execute(
            insert(first.tables["sale_lines"]).values(
                product_id="101",
                sold_at=at,
                sold_on=at.date(),
                quantity=6,
                unit_price_minor=5_000_000,
                revenue_minor=30_000_000,
                source="purchase",
                order_id=None,
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(first.tables["stock_movements"]),
            [
                {
                    "product_id": "101",
                    "at": at,
                    "kind": "opening",
                    "change": 7,
                    "quantity_after": 7,
                    "reason": "opening stock",
                    "sale_line_id": None,
                },
                {
                    "product_id": "101",
                    "at": at,
                    "kind": "sale",
                    "change": -6,
                    "quantity_after": 1,
                    "reason": None,
                    "sale_line_id": sale_line_id,
                },
            ],
        )
        connection.execute(
            insert(first.tables["alerts"]),
            [
                {
                    "product_id": "101",
                    "kind": "below_threshold",
                    "status": "open",
                    "raised_at": at,
                    "quantity_at_raise": 1,
                    "threshold_at_raise": 2,
                    "acknowledged_at": None,
                    "resolved_at": None,
                }
            ],
        )
        connection.execute(
            insert(first.tables["settings"]), [{"key": "currency_symbol", "value": "₹"}]
        )

    upgrade(db)

    assert current_revision(db) == head_revision()
    assert [(p.product_id, p.quantity, p.unit_price) for p in reports.inventory(db)] == [
        ("101", 1, Decimal("50000.00"))
    ]
    summary = reports.sales_summary(db, at.date(), at.date())
    assert (summary.units, summary.revenue) == (6, Decimal("300000.00"))
    assert [(a.product_id, a.status) for a in reports.active_alerts(db)] == [("101", "open")]
    assert reports.ledger_mismatches(db) == []
    assert inventory.get_settings(db).currency_symbol == "₹"
    with pytest.raises(IntegrityError), db.write() as session:
        session.execute(update(ProductRow).values(quantity=-1))
    assert inventory.purchase(db, "101", 1).product.quantity == 0
    with pytest.raises(InsufficientStock):
        inventory.purchase(db, "101", 1)
    db.dispose()
