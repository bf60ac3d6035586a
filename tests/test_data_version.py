"""The shop's data version (stockcore.persistence.data_version), on a real SQLite file and a
real PostgreSQL server: every kind of write committed through another `Database` (as the
API's or the CLI's process would) changes it, and reading the shop does not."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from stockcore import accounts, imports, inventory
from stockcore.domain import Product, StockcoreError
from stockcore.forecasting import views
from stockcore.inventory import reports
from stockcore.persistence.backup import backup, restore
from stockcore.persistence.data_version import data_version
from stockcore.persistence.db import Database
from stockcore.replenishment import plan, receiving
from stockcore.replenishment import purchase_orders as ordering
from tests.support import TEST_PASSWORD, build_shop, store

DATA = Path(__file__).resolve().parent / "data"
SALES_FILE = (DATA / "online_retail_2010_2011_slice.csv").read_bytes()


@pytest.fixture
def shop(db: Database) -> Database:
    """The dashboard's handle on a small shop: four products with sales, one of them (LOW)
    below its threshold with an open alert, their forecasts, and the owner's account."""
    build_shop(db)
    inventory.add_product(
        db,
        Product.create(
            "LOW", "Low jug", category="Kitchen", unit_price=2, quantity=1, restock_threshold=5
        ),
    )
    inventory.update_products(db, {pid: {"supplier": "Acme"} for pid in ("MUG", "PAN")})
    store(db, {"MUG": 12.0, "PAN": 0.3, "BAG": 2.0}, spread=1.0)
    accounts.register(db, "owner", "owner@example.com", TEST_PASSWORD)
    return db


@pytest.fixture
def elsewhere(shop: Database) -> Iterator[Database]:
    """Another handle on the same database, as another process has (its own engine)."""
    other = Database.connect(shop.url)
    yield other
    other.dispose()


def _owner(db: Database) -> accounts.User:
    return next(u for u in accounts.list_users(db) if u.role is accounts.Role.OWNER)


def _undo_an_import(db: Database) -> None:
    (batch, *_) = imports.list_batches(db)
    imports.undo_import(db, batch.batch_id)


def _receive_an_order(db: Database) -> None:
    (order,) = ordering.purchase_orders(db, status="open")
    receiving.receive_purchase_order(db, order.order_id)


def _restore_a_backup(db: Database, folder: Path) -> None:
    restore(db, folder / "backup.db")


# Each kind of write: what the dashboard's shop needs first (on the dashboard's handle), and
# the write, made elsewhere. `folder` is the test's own temporary folder.
Prepare = Callable[[Database, Path], object]
Write = Callable[[Database, Path], object]
NOTHING: Prepare = lambda db, folder: None  # noqa: E731

WRITES: dict[str, tuple[Prepare, Write]] = {
    "a purchase": (NOTHING, lambda db, _: inventory.purchase(db, "MUG", 2)),
    "stock received": (NOTHING, lambda db, _: inventory.receive_stock(db, "PAN", 5)),
    "a stock count": (
        NOTHING,
        lambda db, _: inventory.adjust_stock(db, "BAG", reason="count", counted=49),
    ),
    "a product added": (
        NOTHING,
        lambda db, _: inventory.add_product(
            db, Product.create("JUG", "Jug", category="Kitchen", unit_price=3, quantity=9)
        ),
    ),
    "a product's terms edited": (
        NOTHING,
        lambda db, _: inventory.update_products(db, {"MUG": {"lead_time_days": 12}}),
    ),
    "an alert acknowledged": (
        NOTHING,
        lambda db, _: inventory.acknowledge_alerts(
            db, [a.alert_id for a in reports.active_alerts(db)]
        ),
    ),
    "a setting changed": (NOTHING, lambda db, _: inventory.update_settings(db, shop_name="New")),
    "a sales import": (
        NOTHING,
        lambda db, _: imports.import_sales(db, SALES_FILE, "slice.csv"),
    ),
    "an import undone": (
        lambda db, _: imports.import_sales(db, SALES_FILE, "slice.csv"),
        lambda db, _: _undo_an_import(db),
    ),
    "forecasts refreshed": (NOTHING, lambda db, _: store(db, {"MUG": 20.0, "BAG": 1.0})),
    "a purchase order placed": (
        NOTHING,
        lambda db, _: ordering.create_purchase_orders(db, {"MUG": 40}),
    ),
    "a purchase order received": (
        lambda db, _: ordering.create_purchase_orders(db, {"MUG": 40}),
        lambda db, _: _receive_an_order(db),
    ),
    "an account added": (
        NOTHING,
        lambda db, _: accounts.create_user(
            db, _owner(db), "clerk", "clerk@example.com", TEST_PASSWORD, "staff"
        ),
    ),
    "a role changed": (
        lambda db, _: accounts.create_user(
            db, _owner(db), "clerk", "clerk@example.com", TEST_PASSWORD, "staff"
        ),
        lambda db, _: accounts.set_role(
            db,
            _owner(db),
            next(u.user_id for u in accounts.list_users(db) if u.username == "clerk"),
            "manager",
        ),
    ),
    "a backup restored": (
        lambda db, folder: backup(db, folder / "backup.db"),
        _restore_a_backup,
    ),
}


@pytest.mark.parametrize("kind", WRITES)
def test_every_kind_of_write_made_elsewhere_changes_the_version(
    shop: Database, elsewhere: Database, tmp_path: Path, kind: str
) -> None:
    prepare, write = WRITES[kind]
    prepare(shop, tmp_path)
    before = data_version(shop)
    write(elsewhere, tmp_path)
    assert data_version(shop) != before


def test_a_write_made_through_the_same_handle_changes_the_version(shop: Database) -> None:
    before = data_version(shop)
    inventory.purchase(shop, "MUG", 1)
    after = data_version(shop)
    assert after != before
    inventory.purchase(shop, "MUG", 1)
    assert data_version(shop) not in (before, after)


def test_reading_the_shop_and_refused_writes_leave_the_version_as_it_was(
    shop: Database, elsewhere: Database
) -> None:
    before = data_version(shop)
    today = date(2026, 3, 2)
    reports.inventory(elsewhere)
    reports.overview(elsewhere, today)
    reports.active_alerts(elsewhere)
    reports.movements(elsewhere)
    views.catalog(elsewhere)
    plan.reorder_list(elsewhere, today=today)
    ordering.purchase_orders(elsewhere)
    accounts.list_users(elsewhere)
    with pytest.raises(StockcoreError):
        inventory.purchase(elsewhere, "PAN", 10_000)  # more than on hand: refused
    with pytest.raises(StockcoreError):
        inventory.receive_stock(elsewhere, "NO-SUCH", 1)
    assert data_version(shop) == data_version(shop) == before


def test_the_version_changes_when_a_transaction_commits_not_before(
    shop: Database, elsewhere: Database
) -> None:
    before = data_version(shop)
    with elsewhere.together():
        inventory.purchase(elsewhere, "MUG", 1)
        inventory.receive_stock(elsewhere, "PAN", 2)
        # Not committed: a page reading now sees neither, and must not be told otherwise.
        assert data_version(shop) == before
    assert data_version(shop) != before
