"""Use cases on a real database: SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from stockcore import inventory
from stockcore.domain import (
    PRODUCT_FIELDS,
    DuplicateProduct,
    InsufficientStock,
    InvalidValue,
    Product,
    StockcoreError,
    UnknownAlert,
    UnknownProduct,
)
from stockcore.inventory import reports
from stockcore.persistence.db import Database
from stockcore.persistence.models import ProductRow, SaleLineRow, StockMovementRow
from tests.support import FixedClock, snapshot


def laptop(quantity: int = 7, threshold: int = 2) -> Product:
    return Product.create(
        "101",
        "Laptop",
        category="Computers",
        unit_price="50000",
        quantity=quantity,
        restock_threshold=threshold,
    )


def test_a_purchase_records_the_sale_lowers_stock_and_writes_one_ledger_row(
    db: Database, clock: FixedClock
) -> None:
    inventory.add_product(db, laptop(), clock=clock)
    result = inventory.purchase(db, "101", 2, clock=clock)

    assert result.product.quantity == 5
    assert result.sale.revenue == Decimal("100000.00")
    assert result.alert is None
    with db.read() as s:
        line = s.scalars(select(SaleLineRow)).one()
        assert (line.quantity, line.unit_price, line.revenue) == (
            2,
            Decimal("50000.00"),
            Decimal("100000.00"),
        )
        assert line.sold_at == clock.now and line.sold_on == clock.now.date()
        kinds = [
            (m.kind, m.change, m.quantity_after)
            for m in s.scalars(select(StockMovementRow).order_by(StockMovementRow.id))
        ]
    assert kinds == [("opening", 7, 7), ("sale", -2, 5)]
    assert reports.ledger_mismatches(db) == []


def test_falling_below_the_threshold_raises_one_alert_not_one_per_sale(
    db: Database, clock: FixedClock
) -> None:
    inventory.add_product(db, laptop(quantity=5, threshold=4), clock=clock)
    assert inventory.purchase(db, "101", 1, clock=clock).alert is None  # 4: at threshold is fine
    first = inventory.purchase(db, "101", 1, clock=clock).alert
    assert first is not None and (first.quantity, first.restock_threshold) == (3, 4)
    assert inventory.purchase(db, "101", 1, clock=clock).alert is None  # still the same alert
    alerts = reports.active_alerts(db)
    assert [(a.alert_id, a.quantity, a.status) for a in alerts] == [(first.alert_id, 2, "open")]


@pytest.mark.parametrize(
    ("product_id", "quantity", "error", "message"),
    [
        ("999", 1, UnknownProduct, "unknown product '999'"),
        ("101", 8, InsufficientStock, "8 requested, 7 on hand"),
        ("101", 0, InvalidValue, "quantity 0 must be at least 1"),
        ("101", -1, InvalidValue, "must be at least 1"),
        ("101", "1.5", InvalidValue, "not a fraction"),
        ("101", "lots", InvalidValue, "quantity 'lots' is not a whole number"),
    ],
)
def test_a_refused_purchase_says_why_and_changes_nothing(
    db: Database,
    clock: FixedClock,
    product_id: str,
    quantity: object,
    error: type[StockcoreError],
    message: str,
) -> None:
    inventory.add_product(db, laptop(), clock=clock)
    before = snapshot(db)
    with pytest.raises(error, match=message):
        inventory.purchase(db, product_id, quantity, clock=clock)
    assert snapshot(db) == before


def test_adding_a_product_whose_id_exists_is_refused(db: Database, clock: FixedClock) -> None:
    inventory.add_product(db, laptop(), clock=clock)
    before = snapshot(db)
    with pytest.raises(DuplicateProduct, match="'101' already exists"):
        inventory.add_product(db, laptop(quantity=1), clock=clock)
    assert snapshot(db) == before


def test_a_product_created_below_its_threshold_is_alerted_at_once(
    db: Database, clock: FixedClock
) -> None:
    inventory.add_product(db, laptop(quantity=1, threshold=2), clock=clock)
    assert [a.product_id for a in reports.active_alerts(db)] == ["101"]


def test_receiving_stock_resolves_the_alert_once_back_at_the_threshold(
    db: Database, clock: FixedClock
) -> None:
    inventory.add_product(db, laptop(quantity=3, threshold=2), clock=clock)
    inventory.purchase(db, "101", 3, clock=clock)
    assert len(reports.active_alerts(db)) == 1

    partial = inventory.receive_stock(db, "101", 1, clock=clock)
    assert (partial.product.quantity, partial.alert_resolved) == (1, False)
    full = inventory.receive_stock(db, "101", 1, reason="delivery 42", clock=clock)
    assert (full.product.quantity, full.alert_resolved) == (2, True)
    assert reports.active_alerts(db) == []
    assert [a.status for a in reports.recent_resolved_alerts(db)] == ["resolved"]
    assert reports.ledger_mismatches(db) == []

    inventory.purchase(db, "101", 1, clock=clock)  # below again: a new alert
    assert len(reports.active_alerts(db)) == 1


def test_an_acknowledged_alert_stays_active_until_restocked(
    db: Database, clock: FixedClock
) -> None:
    inventory.add_product(db, laptop(quantity=1, threshold=2), clock=clock)
    (alert,) = reports.active_alerts(db)
    assert inventory.acknowledge_alerts(db, [alert.alert_id], clock=clock) == 1
    (seen,) = reports.active_alerts(db)
    assert seen.status == "acknowledged"
    inventory.purchase(db, "101", 1, clock=clock)  # no second alert
    assert [a.alert_id for a in reports.active_alerts(db)] == [alert.alert_id]
    with pytest.raises(UnknownAlert):
        inventory.acknowledge_alerts(db, [alert.alert_id, 9999], clock=clock)


def test_adjustments_need_a_reason_and_cannot_go_below_zero(
    db: Database, clock: FixedClock
) -> None:
    inventory.add_product(db, laptop(quantity=3), clock=clock)
    before = snapshot(db)
    with pytest.raises(InvalidValue, match="reason"):
        inventory.adjust_stock(db, "101", change=-1, reason=" ", clock=clock)
    with pytest.raises(InvalidValue, match="below zero"):
        inventory.adjust_stock(db, "101", change=-4, reason="lost", clock=clock)
    with pytest.raises(InvalidValue, match="equals what is on hand"):
        inventory.adjust_stock(db, "101", counted=3, reason="stocktake", clock=clock)
    assert snapshot(db) == before

    counted = inventory.adjust_stock(db, "101", counted=1, reason="stocktake", clock=clock)
    assert (counted.change, counted.product.quantity) == (-2, 1)
    assert counted.alert is not None  # 1 < threshold 2
    assert inventory.adjust_stock(db, "101", change=+5, reason="found", clock=clock).alert_resolved
    assert reports.ledger_mismatches(db) == []


def test_editing_products_is_all_or_nothing(db: Database, clock: FixedClock) -> None:
    inventory.add_product(db, laptop(), clock=clock)
    inventory.add_product(
        db,
        Product.create("102", "Mouse", unit_price="500", quantity=20, restock_threshold=4),
        clock=clock,
    )
    before = snapshot(db)
    with pytest.raises(InvalidValue, match="102 restock threshold"):
        inventory.update_products(
            db, {"101": {"unit_price": 45000}, "102": {"restock_threshold": -1}}, clock=clock
        )
    with pytest.raises(InvalidValue, match="cannot be edited"):
        inventory.update_products(db, {"101": {"quantity": 100}}, clock=clock)
    # As the Inventory grid sends them: -3 is refused, not saved as 3; 2.5 units neither.
    with pytest.raises(InvalidValue, match=r"^101 unit price -3\.0 must not be negative"):
        inventory.update_products(db, {"101": {"unit_price": -3.0}}, clock=clock)
    with pytest.raises(InvalidValue, match=r"^102 restock threshold 2\.5 must be a whole number"):
        inventory.update_products(db, {"102": {"restock_threshold": 2.5}}, clock=clock)
    assert snapshot(db) == before
    inventory.update_products(db, {"102": {"service_level": 98.0}}, clock=clock)  # 98%
    assert reports.get_product(db, "102").service_level == 0.98  # type: ignore[union-attr]
    inventory.update_products(db, {"102": {"service_level": None}}, clock=clock)
    before = snapshot(db)

    inventory.update_products(
        db,
        {"101": {"unit_price": "45000.50", "lead_time_days": 14}, "102": {"restock_threshold": 25}},
        clock=clock,
    )
    laptop_now = reports.get_product(db, "101")
    assert laptop_now is not None
    assert (laptop_now.unit_price, laptop_now.lead_time_days) == (Decimal("45000.50"), 14)
    # Raising the threshold above stock alerts at once; lowering it again resolves.
    assert [a.product_id for a in reports.active_alerts(db)] == ["102"]
    inventory.update_products(db, {"102": {"restock_threshold": 4}}, clock=clock)
    assert reports.active_alerts(db) == []


def test_every_product_field_is_a_column_of_the_product_row() -> None:
    # The row mapping is derived from PRODUCT_FIELDS: a new field needs its column (and a
    # migration), nothing else.
    columns = set(inspect(ProductRow).column_attrs.keys())
    assert [field for field in PRODUCT_FIELDS if field not in columns] == []


def test_a_product_with_every_field_set_is_stored_and_edited_whole(
    db: Database, clock: FixedClock
) -> None:
    kettle = Product.create(
        "201", "Kettle", category="Kitchen", unit_price="24.99", quantity=12,
        restock_threshold=3, unit_cost="11.50", supplier="Acme", lead_time_days=9,
        min_order_quantity=6, pack_size=3, lead_time_sd_days=1.5, service_level=0.97,
    )  # fmt: skip
    assert None not in inventory.product_values(kettle).values()
    inventory.add_product(db, kettle, clock=clock)
    assert reports.get_product(db, "201") == kettle

    edited = inventory.update_products(
        db, {"201": {"supplier": "Bolt", "pack_size": 4, "service_level": 0.9}}, clock=clock
    )
    assert edited == [replace(kettle, supplier="Bolt", pack_size=4, service_level=0.9)]
    assert reports.get_product(db, "201") == edited[0]


def test_the_database_itself_refuses_negative_stock(db: Database) -> None:
    inventory.add_product(db, laptop())
    with pytest.raises(IntegrityError), db.write() as s:
        s.execute(update(ProductRow).values(quantity=-1))
    assert reports.get_product(db, "101").quantity == 7  # type: ignore[union-attr]


def test_inventory_filters_by_category_and_searches_by_name(db: Database) -> None:
    for pid, name, category in [
        ("1", "Red Mug", "Kitchen"),
        ("2", "Blue Mug", "Kitchen"),
        ("3", "Red Bag", "Bags"),
        ("4", "100% Cotton_Tote", "Bags"),
    ]:
        inventory.add_product(db, Product.create(pid, name, category=category, unit_price="1"))
    assert [p.product_id for p in reports.inventory(db, category="Kitchen")] == ["1", "2"]
    assert [p.product_id for p in reports.inventory(db, search="red")] == ["1", "3"]
    assert [p.product_id for p in reports.inventory(db, category="Bags", search="RED")] == ["3"]
    assert [p.product_id for p in reports.inventory(db, search="0% c")] == ["4"]
    assert [p.product_id for p in reports.inventory(db, search="%")] == ["4"]  # no wildcard
    assert reports.categories(db) == ["Bags", "Kitchen"]


def test_settings_default_and_change(db: Database) -> None:
    assert inventory.get_settings(db).currency_symbol == "£"
    settings = inventory.update_settings(db, currency_symbol="₹", shop_name="Spec shop")
    assert settings.money(Decimal("100000")) == "₹100,000.00"
    with pytest.raises(InvalidValue, match="currency symbol"):
        inventory.update_settings(db, currency_symbol="")


def test_erasing_the_shop_leaves_an_empty_working_shop(db: Database) -> None:
    inventory.add_product(db, laptop(quantity=1))
    inventory.erase_shop(db)
    assert reports.inventory(db) == []
    inventory.add_product(db, laptop())
    assert inventory.purchase(db, "101", 1).product.quantity == 6


def test_after_erasing_the_shop_a_file_imported_before_imports_again(db: Database) -> None:
    from stockcore import imports

    data = b"date,product_id,quantity,unit_price,order_id\n2026-02-01 10:00,MUG,2,3.00,O1\n"
    first = imports.import_sales(db, data, "orders.csv")
    assert first.batch_id is not None
    inventory.erase_shop(db)
    again = imports.import_sales(db, data, "orders.csv")
    assert again.batch_id is not None and "already imported" not in again.message
    assert [p.product_id for p in reports.inventory(db)] == ["MUG"]
