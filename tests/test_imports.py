"""Imports, undo and exports on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import String, func, select, type_coerce

from stockcore import imports, inventory
from stockcore.domain import InvalidValue, Product, parse_customer_id
from stockcore.domain.values import has_control_character
from stockcore.imports import ImportOptions, parsers, reading
from stockcore.imports.exports import to_csv
from stockcore.imports.reading import DateOrder, FileRefused, NeedsDateOrder, NeedsMapping
from stockcore.inventory import reports
from stockcore.persistence.db import Database, upgrade
from stockcore.persistence.models import (
    AlertRow,
    ImportBatchRow,
    ImportedLineRow,
    ProductRow,
    SaleLineRow,
    ShopDailySalesRow,
    StockMovementRow,
)

DATA = Path(__file__).parent / "data"
SLICE_2011 = (DATA / "online_retail_2010_2011_slice.csv").read_bytes()
SLICE_2010 = (DATA / "online_retail_ii_2009_2010_slice.csv").read_bytes()
EVER = (date(2000, 1, 1), date(2100, 1, 1))


def everything(db: Database) -> dict[str, object]:
    """Every row that matters, to compare a database before an import and after its undo."""
    with db.read() as s:
        return {
            "products": sorted(
                (p.product_id, p.name, p.category, p.unit_price, p.quantity, p.restock_threshold)
                for p in s.scalars(select(ProductRow))
            ),
            "sales": sorted(
                (x.product_id, x.sold_at, x.quantity, x.unit_price)
                for x in s.scalars(select(SaleLineRow))
            ),
            "ledger": s.execute(
                select(StockMovementRow.product_id, func.sum(StockMovementRow.change))
                .group_by(StockMovementRow.product_id)
                .order_by(StockMovementRow.product_id)
            ).all(),
            "alerts": sorted(
                (a.product_id, a.resolved_at is None) for a in s.scalars(select(AlertRow))
            ),
            "keys": s.scalar(select(func.count()).select_from(ImportedLineRow)),
            "totals": s.scalar(select(func.count()).select_from(ShopDailySalesRow)),
        }


def expected_totals(raw: bytes) -> tuple[int, Decimal, int]:
    """Units, revenue and lines of a shop export without returns, computed independently."""
    frame = pd.read_csv(pd.io.common.BytesIO(raw), dtype={"StockCode": str, "InvoiceNo": str})
    frame = frame[frame["StockCode"].str.match(r"^\d") & (frame["UnitPrice"] > 0)]
    revenue = sum(
        Decimal(str(p)) * q for p, q in zip(frame["UnitPrice"], frame["Quantity"], strict=True)
    )
    return int(frame["Quantity"].sum()), revenue.quantize(Decimal("0.01")), len(frame)


def test_a_slice_of_the_real_shop_imports_with_the_right_totals(db: Database) -> None:
    outcome = imports.import_sales(db, SLICE_2011, "online_retail_2010_2011_slice.csv")
    units, revenue, lines = expected_totals(SLICE_2011)
    summary = reports.sales_summary(db, *EVER)
    assert (summary.units, summary.revenue, summary.sale_lines) == (units, revenue, lines)
    assert outcome.message.startswith(
        f"batch {outcome.batch_id}: 2,500 rows read, {lines:,} sale lines"
    )
    heart = reports.get_product(db, "85123A")
    assert heart is not None
    assert (heart.name, heart.category, heart.quantity) == (
        "WHITE HANGING HEART T-LIGHT HOLDER",
        "Uncategorised",
        0,
    )
    raw = pd.read_csv(pd.io.common.BytesIO(SLICE_2011), dtype={"StockCode": str})
    latest = raw[raw["StockCode"] == "85123A"].sort_values("InvoiceDate", kind="stable")
    assert heart.unit_price == Decimal(
        str(latest["UnitPrice"].iloc[-1])
    )  # latest price in the file
    assert reports.ledger_mismatches(db) == []  # history does not touch stock


def test_returns_net_against_the_sales_they_cancel(db: Database) -> None:
    preview = imports.preview_sales_import(db, SLICE_2010, "slice.csv")
    frame = pd.read_csv(pd.io.common.BytesIO(SLICE_2010), dtype={"StockCode": str, "Invoice": str})
    products = frame[frame["StockCode"].str.match(r"^\d") & (frame["Price"] > 0)]
    sold = int(products.loc[products["Quantity"] > 0, "Quantity"].sum())
    returned = int(-products.loc[products["Quantity"] < 0, "Quantity"].sum())
    assert preview.return_lines == int((products["Quantity"] < 0).sum()) > 0
    assert preview.units_cancelled + preview.units_unmatched == returned
    assert preview.units == sold - preview.units_cancelled
    assert preview.non_product_rows == int((~frame["StockCode"].str.match(r"^\d")).sum())


def test_netting_prefers_the_same_customers_latest_purchase() -> None:
    lines = pd.DataFrame(
        {
            "line": [2, 3, 4, 5],
            "sold_at": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
            "product_id": ["A", "A", "A", "A"],
            "quantity": [5, 4, 3, -6],
            "unit_price_minor": [100, 100, 100, 100],
            "order_id": ["1", "2", "3", "C4"],
            "customer_id": ["x", "y", "x", "x"],
        }
    )
    netted = imports.net_returns(lines)
    assert netted.lines["quantity"].tolist() == [2, 4]  # x's 3 then 3 of x's 5; y untouched
    assert (netted.units_cancelled, netted.units_unmatched) == (6, 0)


def test_importing_the_same_file_or_the_same_rows_again_adds_nothing(db: Database) -> None:
    first = imports.import_sales(db, SLICE_2010, "slice.csv")
    before = everything(db)
    again = imports.import_sales(db, SLICE_2010, "copy.csv")
    assert (again.batch_id, again.message) == (
        None,
        f"nothing imported: this file was already imported as batch {first.batch_id}",
    )
    head = b"\n".join(SLICE_2010.splitlines()[:1001]) + b"\n"  # the first 1,000 rows, another file
    part = imports.import_sales(db, head, "head.csv")
    assert part.batch_id is None and part.message.startswith("nothing imported: all ")
    assert everything(db) == before


def test_undo_removes_exactly_one_batch(db: Database) -> None:
    inventory.add_product(
        db, Product.create("85123A", "Heart", unit_price="2.95", quantity=50, restock_threshold=5)
    )
    before = everything(db)
    outcome = imports.import_sales(db, SLICE_2011, "slice.csv")
    assert everything(db) != before
    undone = imports.undo_import(db, outcome.batch_id)
    assert undone.sale_lines_removed == outcome.preview.rows_to_import
    assert undone.products_removed == len(outcome.preview.new_products)
    assert everything(db) == before
    with pytest.raises(Exception, match="already undone"):
        imports.undo_import(db, outcome.batch_id)
    assert imports.import_sales(db, SLICE_2011, "slice.csv").batch_id is not None  # allowed again


def test_batch_kinds_and_statuses_are_stored_as_before(db: Database) -> None:
    """The enums name the values already in import_batches: old databases read back."""
    sales = imports.import_sales(db, template("2024-03-01,MUG,2,3.00,W1"), "sales.csv")
    totals = imports.import_sales(db, b"date,sales\n2024-03-01,10.00\n", "totals.csv")
    products = imports.import_products(db, b"product_id,name,unit_price\nPEN,Pen,1.00\n", "p.csv")
    imports.undo_import(db, totals.batch_id)
    with db.read() as s:
        stored = dict(s.execute(select(ImportBatchRow.id, ImportBatchRow.kind)).all())
        statuses = dict(s.execute(select(ImportBatchRow.id, ImportBatchRow.status)).all())
    assert stored == {
        sales.batch_id: "sales",
        totals.batch_id: "shop_totals",
        products.batch_id: "products",
    }
    assert statuses == {
        sales.batch_id: "committed",
        totals.batch_id: "undone",
        products.batch_id: "committed",
    }
    listed = {b.batch_id: (b.kind, b.status) for b in imports.list_batches(db)}
    assert listed[totals.batch_id] == (imports.BatchKind.SHOP_TOTALS, imports.BatchStatus.UNDONE)
    assert listed[products.batch_id] == (imports.BatchKind.PRODUCTS, imports.BatchStatus.COMMITTED)


def test_importing_stockcore_leaves_pandas_options_alone() -> None:
    """Other libraries in the process keep pandas as they configured it."""
    script = (
        "import warnings; warnings.simplefilter('ignore'); import pandas as pd\n"
        "names = ('future.infer_string', 'mode.copy_on_write')\n"
        "before = [pd.get_option(n) for n in names]\n"
        "import stockcore.imports, stockcore.forecasting.refresh, stockcore.interfaces.cli\n"
        "assert [pd.get_option(n) for n in names] == before, before\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parent.parent)


def test_rows_where_selects_by_mask_or_position_and_numbers_afresh() -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c"], "n": [1, 2, 3]}, index=[7, 8, 9]).astype(
        {"id": reading.TEXT}
    )
    kept = reading.rows_where(frame, np.array([True, False, True]), n=np.array([10, 20, 30]))
    assert kept.to_dict("list") == {"id": ["a", "c"], "n": [10, 30]}
    assert list(kept.index) == [0, 1] and kept["id"].dtype == reading.TEXT
    reordered = reading.rows_where(frame, np.array([2, 0]), extra=frame["n"] * 2)
    assert reordered.to_dict("list") == {"id": ["c", "a"], "n": [3, 1], "extra": [6, 2]}
    assert frame.to_dict("list") == {"id": ["a", "b", "c"], "n": [1, 2, 3]}  # left as it was


def template(*rows: str) -> bytes:
    return (
        "date,product_id,quantity,unit_price,order_id\n" + "".join(r + "\n" for r in rows)
    ).encode()


def test_apply_to_stock_sells_each_line_and_undo_puts_it_back(db: Database) -> None:
    inventory.add_product(
        db, Product.create("A", "Mug", unit_price="3", quantity=10, restock_threshold=4)
    )
    before = everything(db)
    data = template("2024-03-01 10:00,A,4,3.00,1", "2024-03-02 11:00,A,3,3.00,2")
    outcome = imports.import_sales(db, data, "orders.csv", ImportOptions(apply_to_stock=True))
    assert reports.get_product(db, "A").quantity == 3  # type: ignore[union-attr]
    assert reports.movements(db, "A")["change"].tolist() == [-3, -4, 10]
    assert [a.product_id for a in reports.active_alerts(db)] == ["A"]
    assert reports.ledger_mismatches(db) == []
    imports.undo_import(db, outcome.batch_id)
    assert reports.get_product(db, "A").quantity == 10  # type: ignore[union-attr]
    assert reports.active_alerts(db) == [] and reports.ledger_mismatches(db) == []
    snapshot = everything(db)
    assert (snapshot["products"], snapshot["sales"], snapshot["ledger"]) == (
        before["products"],
        before["sales"],
        before["ledger"],
    )


def test_apply_to_stock_refuses_the_whole_batch_if_any_line_would_oversell(db: Database) -> None:
    inventory.add_product(
        db, Product.create("A", "Mug", unit_price="3", quantity=5, restock_threshold=0)
    )
    inventory.add_product(
        db, Product.create("B", "Bag", unit_price="4", quantity=1, restock_threshold=0)
    )
    before = everything(db)
    data = template("2024-03-01,A,2,3.00,1", "2024-03-01,B,1,4.00,1", "2024-03-02,B,1,4.00,2")
    with pytest.raises(FileRefused, match="would oversell 1 product") as refusal:
        imports.import_sales(db, data, "orders.csv", ImportOptions(apply_to_stock=True))
    assert "not enough stock of B Bag: 2 requested, 1 on hand" in str(refusal.value.problems[0])
    assert everything(db) == before


def test_unknown_products_are_errors_when_creating_is_switched_off(db: Database) -> None:
    with pytest.raises(FileRefused) as refusal:
        imports.import_sales(
            db, template("2024-03-01,NEW1,2,3.00,1"), "x.csv", ImportOptions(create_products=False)
        )
    assert (
        str(refusal.value.problems[0])
        == "line 2, column 'product_id', value 'NEW1': unknown product "
        "(creating products is switched off)"
    )
    assert reports.inventory(db) == []


def test_exports_reimport_into_a_fresh_shop(demo_url: str, tmp_path: Path) -> None:
    demo = Database.connect(demo_url)
    inventory.purchase(demo, "85123A", 3)
    products = to_csv(imports.export_frame(demo, "products")).encode()
    sales = to_csv(imports.export_frame(demo, "sales")).encode()
    fresh = Database.connect(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    assert imports.import_products(fresh, products, "products.csv").created == 60
    imports.import_sales(fresh, sales, "sales.csv")
    assert reports.inventory(fresh) == reports.inventory(demo)
    old, new = reports.sales_summary(demo, *EVER), reports.sales_summary(fresh, *EVER)
    assert (new.units, new.revenue, new.sale_lines) == (old.units, old.revenue, old.sale_lines)
    pd.testing.assert_frame_equal(new.by_product, old.by_product)


def test_formula_like_text_is_escaped_in_exports_and_unescaped_on_import(db: Database) -> None:
    inventory.add_product(
        db, Product.create("F1", "=HYPERLINK(x)", category="+Bad", unit_price="1")
    )
    text = to_csv(imports.export_frame(db, "products"))
    assert "'=HYPERLINK(x)" in text and "'+Bad" in text
    inventory.erase_shop(db)
    imports.import_products(db, text.encode(), "p.csv")
    product = reports.get_product(db, "F1")
    assert product is not None and (product.name, product.category) == ("=HYPERLINK(x)", "+Bad")


@pytest.mark.parametrize(
    ("dates", "order"),
    [
        (["2024-01-31", "2024-02-01"], DateOrder.ISO),
        (["31/01/2024", "01/02/2024"], DateOrder.DAY_FIRST),
        (["01/31/2024", "02/01/2024"], DateOrder.MONTH_FIRST),
        (["31.01.2024 09:30", "1.2.2024"], DateOrder.DAY_FIRST),
        (["03/04/2024", "05/06/2024"], None),
    ],
)
def test_the_date_order_is_decided_from_the_whole_column(
    dates: list[str], order: DateOrder | None
) -> None:
    assert parsers.detect_date_order(pd.Series(dates)) == order


@pytest.mark.parametrize(
    "reference",
    ["C1\x00", "a\tb", "line\nbreak", "x\x1fy", "del\x7f", "14646", "C-536379", "émile"],
)
def test_a_reference_in_a_file_is_refused_exactly_when_a_typed_customer_id_is(
    reference: str,
) -> None:
    """One rule for control characters: the file's column check and the typed value agree."""
    in_file = parsers.parse_references(pd.Series([reference]))
    try:
        parse_customer_id(reference)
        typed_refused = False
    except InvalidValue:
        typed_refused = True
    assert bool(in_file.bad.iloc[0]) == typed_refused == has_control_character(reference)


def test_day_first_and_month_first_files_import_the_same_days(db: Database) -> None:
    day_first = template("31/01/2024,A,1,1.00,1", "01/02/2024,A,1,1.00,2")
    month_first = template("01/31/2024,A,1,1.00,3", "02/01/2024,A,1,1.00,4")
    imports.import_sales(db, day_first, "uk.csv")
    imports.import_sales(db, month_first, "us.csv")
    trend = reports.sales_summary(db, *EVER).trend
    assert trend["period_start"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-31", "2024-02-01"]
    assert trend["units"].tolist() == [2, 2]


def test_ambiguous_dates_are_asked_for_then_read_as_told(db: Database) -> None:
    data = template("03/04/2024,A,1,1.00,1")
    with pytest.raises(NeedsDateOrder):
        imports.preview_sales_import(db, data, "x.csv")
    preview = imports.preview_sales_import(
        db, data, "x.csv", ImportOptions(date_order=DateOrder.DAY_FIRST)
    )
    assert preview.first_day == date(2024, 4, 3)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.replace(",", ";").replace("2.55", "2,55").encode("cp1252"),
        lambda text: text.replace(",", "\t").encode("utf-16"),
    ],
    ids=["utf-8", "utf-8 with BOM", "cp1252, semicolons, decimal comma", "utf-16, tabs"],
)
def test_delimiters_encodings_and_decimal_commas(db: Database, encode: object) -> None:
    text = (
        "date,product_id,quantity,unit_price,description\n2024-03-01,A,2,2.55,Crème brûlée dish\n"
    )
    preview = imports.preview_sales_import(db, encode(text), "x.csv")  # type: ignore[operator]
    assert (preview.units, preview.revenue, preview.new_products) == (
        2,
        Decimal("5.10"),
        {"A": "Crème brûlée dish"},
    )


def test_large_single_orders_are_flagged_in_the_preview(db: Database) -> None:
    rows = [f"2011-12-0{1 + i % 8},23843,12,2.08,{i}" for i in range(10)] + [
        "2011-12-09,23843,80995,2.08,581483"
    ]
    preview = imports.preview_sales_import(db, template(*rows), "x.csv")
    assert preview.warnings == [
        "line 12: 80,995 units of 23843 on 2011-12-09 is far above its usual line of 12; "
        "check it was not cancelled"
    ]


def test_shop_level_daily_totals(db: Database) -> None:
    data = b"date,sales\n2024-03-01,1200.50\n2024-03-02,980\n"
    outcome = imports.import_sales(db, data, "totals.csv")
    assert outcome.message.startswith(
        f"batch {outcome.batch_id}: 2 rows read, 2 days of shop totals"
    )
    assert imports.import_sales(db, b"date,sales\n2024-03-02,980\n", "again.csv").batch_id is None
    with db.read() as s:
        assert s.scalar(select(func.sum(ShopDailySalesRow.sales))) == Decimal("2180.50")
    imports.undo_import(db, outcome.batch_id)
    assert everything(db)["totals"] == 0


def test_unknown_headers_need_a_mapping_which_is_remembered(db: Database) -> None:
    data = b"Day;SKU;Qty;Each\n2024-03-01;A;2;1,50\n"
    with pytest.raises(NeedsMapping) as need:
        imports.preview_sales_import(db, data, "shop.csv")
    assert need.value.headers == ["Day", "SKU", "Qty", "Each"]
    mapping = {"date": "Day", "product_id": "SKU", "quantity": "Qty", "unit_price": "Each"}
    imports.remember_mapping(db, reading.decode(data), mapping)
    preview = imports.preview_sales_import(
        db, b"Day;SKU;Qty;Each\n2024-03-02;B;1;2,00\n", "next.csv"
    )
    assert (preview.file_format.value, preview.units, preview.revenue) == (
        "mapped columns",
        1,
        Decimal("2.00"),
    )
    assert preview.new_products == {"B": "B"}


def test_product_imports_create_update_and_undo(db: Database) -> None:
    inventory.add_product(
        db, Product.create("A", "Mug", unit_price="3", quantity=10, restock_threshold=4)
    )
    data = (
        b"product_id,name,category,unit_price,unit_cost,quantity,restock_threshold,supplier,lead_time_days\n"
        b"A,Mug v2,Kitchen,3.50,1.20,999,12,Acme,10\n"
        b"B,Bag,Bags,4.00,,5,2,,7\n"
    )
    outcome = imports.import_products(db, data, "products.csv")
    assert (outcome.created, outcome.updated) == (1, 1)
    mug = reports.get_product(db, "A")
    assert mug is not None and (mug.name, mug.unit_price, mug.quantity, mug.restock_threshold) == (
        "Mug v2",
        Decimal("3.50"),
        10,
        12,
    )
    assert [a.product_id for a in reports.active_alerts(db)] == ["A"]  # 10 < new threshold 12
    imports.undo_import(db, outcome.batch_id)
    mug = reports.get_product(db, "A")
    assert mug is not None and (mug.name, mug.unit_price, mug.restock_threshold) == (
        "Mug",
        Decimal("3.00"),
        4,
    )
    assert reports.get_product(db, "B") is None and reports.active_alerts(db) == []
    assert reports.ledger_mismatches(db) == []


def test_a_bad_product_row_refuses_the_whole_file(db: Database) -> None:
    data = b"product_id,name,unit_price,quantity\nA,Mug,3,1\nB,Bag,-4,1\nA,Mug again,3,1\n"
    with pytest.raises(FileRefused) as refusal:
        imports.import_products(db, data, "p.csv")
    assert [str(p) for p in refusal.value.problems] == [
        "line 3, column 'unit_price', value '-4': must not be negative",
        "line 4, column 'product_id', value 'A': appears again (first on line 2)",
    ]
    assert reports.inventory(db) == []


def test_bulk_imported_times_are_stored_exactly_like_purchased_ones(db: Database) -> None:
    """The fast import path writes storage values itself; they must match the ORM's."""
    imports.import_sales(db, template("2010-12-01 08:26:00,A,2,1.00,1"), "x.csv")
    inventory.add_product(db, Product.create("B", "Bag", unit_price="1", quantity=5))
    inventory.purchase(db, "B", 1, clock=lambda: datetime(2010, 12, 1, 8, 26))
    with db.engine.connect() as connection:
        stored = connection.execute(
            select(
                SaleLineRow.__table__.c.product_id,
                type_coerce(SaleLineRow.__table__.c.sold_at, String),
                type_coerce(SaleLineRow.__table__.c.sold_on, String),
            ).order_by(SaleLineRow.__table__.c.product_id)
        ).all()
    assert stored[0][1:] == stored[1][1:]
    with db.read() as s:
        assert {(r.sold_at, r.sold_on) for r in s.scalars(select(SaleLineRow))} == {
            (datetime(2010, 12, 1, 8, 26), date(2010, 12, 1))
        }


def test_ambiguous_dates_in_daily_totals_are_asked_for_too(db: Database) -> None:
    data = b"date,sales\n03/04/2024,10.00\n05/06/2024,12.00\n"
    with pytest.raises(NeedsDateOrder, match=r"column 'date' \(e\.g\. '03/04/2024'\) read both"):
        imports.preview_sales_import(db, data, "totals.csv")
    told = ImportOptions(date_order=DateOrder.DAY_FIRST)
    preview = imports.preview_sales_import(db, data, "totals.csv", told)
    assert (preview.first_day, preview.last_day) == (date(2024, 4, 3), date(2024, 6, 5))


def test_a_file_without_large_lines_gets_no_large_line_warning(db: Database) -> None:
    data = (
        b"date,product_id,quantity,unit_price,order_id\n"
        b"2024-03-01 10:00,MUG,2,3.00,W1\n2024-03-02 11:30,MUG,1,3.00,W2\n"
    )
    preview = imports.preview_sales_import(db, data, "orders.csv", ImportOptions())
    assert preview.warnings == []
    assert imports.large_line_warnings(preview.lines.iloc[0:0]) == []
