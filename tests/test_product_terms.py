"""A product's ordering terms: minimum order quantity, pack size, lead-time spread and its
own service level, through the domain, the editor's service, product imports and exports."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stockcore import imports, inventory
from stockcore.domain import InvalidValue, Product
from stockcore.imports.exports import to_csv
from stockcore.imports.reading import FileRefused
from stockcore.inventory import reports
from stockcore.persistence.db import Database


def test_terms_default_to_no_minimum_single_units_and_unknown_spread() -> None:
    mug = Product.create("A", "Mug", unit_price="3")
    assert (mug.min_order_quantity, mug.pack_size) == (1, 1)
    assert mug.lead_time_sd_days is None and mug.service_level is None


def test_terms_are_read_from_text_and_blank_cells_mean_unknown() -> None:
    mug = Product.create(
        "A", "Mug", unit_price="3", min_order_quantity="24", pack_size="6",
        lead_time_sd_days="1,5", service_level="98%",
    )  # fmt: skip
    assert (mug.min_order_quantity, mug.pack_size, mug.lead_time_sd_days) == (24, 6, 1.5)
    assert mug.service_level == pytest.approx(0.98)
    blank = Product.create(
        "B", "Bag", unit_price="3", min_order_quantity="", pack_size=None,
        lead_time_sd_days=float("nan"), service_level=" ",
    )  # fmt: skip
    assert (blank.min_order_quantity, blank.pack_size) == (1, 1)
    assert blank.lead_time_sd_days is None and blank.service_level is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_order_quantity", 0, "minimum order quantity 0 must be at least 1"),
        ("pack_size", "half", "pack size 'half' is not a whole number"),
        ("pack_size", 2.5, "pack size 2.5 must be a whole number of units, not a fraction"),
        ("lead_time_sd_days", "-1", "lead time sd '-1' must not be negative"),
        ("lead_time_sd_days", "soon", "lead time sd 'soon' is not a number"),
        ("service_level", "1.2", "service level '1.2' must be from 50% to 99.9%"),
        ("service_level", 0.3, "service level 0.3 must be from 50% to 99.9%"),
    ],
)
def test_bad_terms_are_refused_by_field_and_value(field: str, value: object, message: str) -> None:
    with pytest.raises(InvalidValue) as refusal:
        Product.create("A", "Mug", unit_price="3", **{field: value})
    assert str(refusal.value).startswith(message)


def test_terms_are_stored_and_edited_all_or_nothing(db: Database) -> None:
    inventory.add_product(
        db, Product.create("A", "Mug", unit_price="3", min_order_quantity=12, pack_size=6)
    )
    inventory.add_product(db, Product.create("B", "Bag", unit_price="4"))
    stored = reports.get_product(db, "A")
    assert stored is not None and (stored.min_order_quantity, stored.pack_size) == (12, 6)

    with pytest.raises(InvalidValue, match="B pack size 0 must be at least 1"):
        inventory.update_products(
            db, {"A": {"service_level": 0.99}, "B": {"pack_size": 0}}
        )  # fmt: skip
    unchanged = reports.get_product(db, "A")
    assert unchanged is not None and unchanged.service_level is None

    inventory.update_products(
        db, {"A": {"service_level": 0.99, "lead_time_sd_days": 2.0}, "B": {"pack_size": 10}}
    )
    mug, bag = reports.get_product(db, "A"), reports.get_product(db, "B")
    assert mug is not None and bag is not None
    assert (mug.service_level, mug.lead_time_sd_days, mug.min_order_quantity) == (0.99, 2.0, 12)
    assert bag.pack_size == 10
    inventory.update_products(db, {"A": {"service_level": None}})  # a cleared cell
    cleared = reports.get_product(db, "A")
    assert cleared is not None and cleared.service_level is None


def test_product_files_carry_the_terms_and_only_change_their_own_columns(db: Database) -> None:
    data = (
        b"product_id,name,unit_price,lead_time_days,min_order_quantity,pack_size,"
        b"lead_time_sd_days,service_level\n"
        b"A,Mug,3,10,24,6,1.5,0.98\n"
        b"B,Bag,4,5,,,,\n"
    )
    imports.import_products(db, data, "terms.csv")
    mug, bag = reports.get_product(db, "A"), reports.get_product(db, "B")
    assert mug is not None and bag is not None
    assert (mug.min_order_quantity, mug.pack_size, mug.lead_time_sd_days) == (24, 6, 1.5)
    assert mug.service_level == 0.98
    assert (bag.min_order_quantity, bag.pack_size, bag.lead_time_sd_days) == (1, 1, None)

    # An older file without the terms (or the lead time) renames, and leaves them alone.
    outcome = imports.import_products(db, b"product_id,name,unit_price\nA,Mug v2,3\n", "old.csv")
    assert outcome.updated == 1
    renamed = reports.get_product(db, "A")
    assert renamed is not None and renamed.name == "Mug v2"
    assert (renamed.lead_time_days, renamed.min_order_quantity, renamed.pack_size) == (10, 24, 6)

    imports.undo_import(db, outcome.batch_id)
    assert reports.get_product(db, "A") == mug

    exported = to_csv(imports.export_frame(db, "products"))
    assert exported.splitlines()[0].endswith(
        "lead_time_days,min_order_quantity,pack_size,lead_time_sd_days,service_level"
    )
    inventory.erase_shop(db)
    imports.import_products(db, exported.encode(), "export.csv")
    assert reports.get_product(db, "A") == mug and reports.get_product(db, "B") == bag


def test_a_bad_term_in_a_product_file_names_line_column_and_value(db: Database) -> None:
    data = b"product_id,name,unit_price,moq,pack_size\nA,Mug,3,12,6\nB,Bag,4,0,1\nC,Cup,2,1,x\n"
    with pytest.raises(FileRefused) as refusal:
        imports.import_products(db, data, "p.csv")
    assert [str(p) for p in refusal.value.problems] == [
        "line 3, column 'moq', value '0': must be at least 1",
        "line 4, column 'pack_size', value 'x': is not a whole number",
    ]
    assert reports.inventory(db) == []


def test_the_inventory_tables_edits_become_term_changes(db: Database) -> None:
    inventory.add_product(db, Product.create("A", "Mug", unit_price="3", service_level="0.9"))
    table = reports.inventory_frame(reports.inventory(db))
    assert {"min_order_quantity", "pack_size", "lead_time_sd_days", "service_level"} <= set(
        table.columns
    )
    edits = reports.inventory_edits(
        table, {0: {"pack_size": 24, "service_level": float("nan"), "lead_time_sd_days": 1.5}}
    )
    assert edits == {"A": {"pack_size": 24, "service_level": None, "lead_time_sd_days": 1.5}}
    inventory.update_products(db, edits)
    mug = reports.get_product(db, "A")
    assert mug is not None and (mug.pack_size, mug.service_level, mug.lead_time_sd_days) == (
        24,
        None,
        1.5,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service_levels": {"B": "1"}}, "service level of class B '1' must be from 50% to 99.9%"),
        ({"service_levels": {"A": "101"}}, "service level of class A '101' must be from 50%"),
        ({"service_levels": {"D": "0.9"}}, "ABC class 'D' must be A, B or C"),
        ({"ordering_cost": "-5"}, "ordering cost '-5' must not be negative"),
        ({"holding_rate": "150%"}, "holding rate '150%' must be more than 0% and at most 100%"),
        ({"holding_rate": "lots"}, "holding rate 'lots' is not a number"),
    ],
)
def test_bad_ordering_settings_are_refused_and_nothing_is_saved(
    db: Database, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidValue) as refusal:
        inventory.update_settings(db, shop_name="Changed", **changes)  # type: ignore[arg-type]
    assert str(refusal.value).startswith(message)
    assert inventory.get_settings(db) == inventory.ShopSettings("£", "My shop")


def test_ordering_settings_are_stored_and_cleared(db: Database) -> None:
    saved = inventory.update_settings(
        db, service_levels={"A": "98%", "C": 0.9}, ordering_cost="12.50", holding_rate="0.25"
    )
    assert [saved.service_level_for(abc) for abc in "ABC"] == [0.98, 0.95, 0.9]
    assert (saved.ordering_cost, saved.holding_rate) == (Decimal("12.50"), 0.25)
    cleared = inventory.update_settings(db, ordering_cost="", holding_rate=None)
    assert cleared.ordering_cost is None and cleared.holding_rate is None
    assert cleared.service_level_a == 0.98  # left alone
