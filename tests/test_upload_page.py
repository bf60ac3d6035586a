"""The Upload page under AppTest: preview, commit, refusal, date order, mapping, undo, export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore import imports
from stockcore.interfaces.ui import auth
from stockcore.inventory import reports
from stockcore.persistence.db import Database
from tests.support import account_for

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SLICE = (Path(__file__).parent / "data" / "online_retail_2010_2011_slice.csv").read_bytes()
EVER = (date(2000, 1, 1), date(2100, 1, 1))


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Database]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("STOCKCORE_DATABASE_URL", url)
    monkeypatch.setenv("STOCKCORE_DEMO", "0")
    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state[auth.USER_KEY] = account_for(url, "manager")
    app.run()
    app.switch_page("pages/upload.py").run()
    assert not app.exception
    return app, Database.connect(url)


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_a_real_export_is_previewed_then_committed_as_a_batch(
    shop: tuple[AppTest, Database],
) -> None:
    app, db = shop
    upload(app, "online_retail.csv", SLICE)
    shown = metrics(app)
    assert shown["Rows read"] == "2,500"
    assert shown["From"] == shown["To"] == "Wed 01 Dec 2010"
    assert reports.inventory(db) == []  # the preview writes nothing
    assert app.warning, "large single lines are flagged"

    rows = app.dataframe[-1].value
    assert rows.columns.tolist() == [
        "line",
        "date",
        "product_id",
        "quantity",
        "unit_price",
        "order_id",
    ]
    assert rows.iloc[0][["line", "product_id", "quantity", "unit_price"]].tolist() == [
        2,
        "85123A",
        6,
        2.55,
    ]

    app.button(key="upload_commit").click().run()
    assert not app.exception and not app.error
    assert app.success[0].value.startswith("batch 1: 2,500 rows read")
    assert app.file_uploader[0].value is None  # ready for the next file
    assert not app.metric  # no second preview of the file that just went in
    (batch,) = imports.list_batches(db)
    assert (batch.batch_id, batch.status, batch.file_name) == (1, "committed", "online_retail.csv")
    assert reports.sales_summary(db, *EVER).units == batch.units > 0


def test_a_bad_file_is_refused_on_the_page_and_nothing_is_written(
    shop: tuple[AppTest, Database],
) -> None:
    app, db = shop
    upload(app, "bad.csv", b"date,product_id,quantity,unit_price\n2024-03-01,A,1.5,2.00\n")
    assert app.error[0].value.startswith("1 bad row: the file is refused as a whole. Fix it,")
    problems = app.dataframe[0].value
    assert problems.iloc[0].tolist() == [
        2,
        "quantity",
        "1.5",
        "must be a whole number of units, not a fraction",
    ]
    assert app.button(key="upload_commit").disabled
    assert imports.list_batches(db) == [] and reports.inventory(db) == []

    app.checkbox(key="upload_skip_bad").check().run()
    assert "will be skipped" in app.error[0].value


def test_a_file_that_is_not_csv_is_refused_with_its_reason(shop: tuple[AppTest, Database]) -> None:
    app, db = shop
    upload(app, "sheet.csv", b"PK\x03\x04" + b"\x00" * 100)
    assert app.error[0].value.startswith("Refused: this is an Excel workbook (.xlsx)")
    assert imports.list_batches(db) == []


def test_ambiguous_dates_are_asked_for(shop: tuple[AppTest, Database]) -> None:
    app, db = shop
    upload(app, "us.csv", b"date,product_id,quantity,unit_price\n03/04/2024,A,2,1.00\n")
    assert "read both as day/month and as month/day" in app.warning[0].value
    assert "--date-order" not in app.warning[0].value  # the CLI's hint stays in the CLI
    app.radio(key="date_order_choice").set_value("month-first")
    app.button(key="FormSubmitter:date_order_form-Use this date order").click().run()
    assert metrics(app)["From"] == "Mon 04 Mar 2024"
    app.button(key="upload_commit").click().run()
    assert reports.sales_date_bounds(db) == (date(2024, 3, 4), date(2024, 3, 4))


def test_unknown_columns_are_mapped_once_and_remembered(shop: tuple[AppTest, Database]) -> None:
    app, db = shop
    data = b"Day,SKU,Qty,Each\n2024-03-01,A,2,1.50\n"
    upload(app, "shop.csv", data)
    assert "not a layout stockcore knows" in app.info[0].value
    for field, column in {
        "date": "Day",
        "product_id": "SKU",
        "quantity": "Qty",
        "unit_price": "Each",
    }.items():
        app.selectbox(key=f"map_{field}").select(column)
    app.button(key="FormSubmitter:mapping_form-Save mapping and preview").click().run()
    assert not app.exception
    assert metrics(app)["Units"] == "2"
    # The same headers next time go straight to the preview.
    fresh = imports.preview_sales_import(db, b"Day,SKU,Qty,Each\n2024-03-02,A,1,1.50\n", "x.csv")
    assert fresh.units == 1


def test_undoing_a_batch_from_the_page(shop: tuple[AppTest, Database]) -> None:
    app, db = shop
    upload(app, "s.csv", b"date,product_id,quantity,unit_price\n2024-03-01,A,2,1.00\n")
    app.button(key="upload_commit").click().run()
    app.button(key="FormSubmitter:undo_form-Undo import").click().run()
    assert "Tick the box" in app.error[0].value and reports.inventory(db)
    app.checkbox(key="undo_sure").check()
    app.button(key="FormSubmitter:undo_form-Undo import").click().run()
    assert not app.exception
    assert imports.list_batches(db)[0].status == "undone" and reports.inventory(db) == []


def test_products_are_imported_and_tables_exported(shop: tuple[AppTest, Database]) -> None:
    app, db = shop
    app.segmented_control(key="upload_kind").set_value("Products").run()
    upload(app, "p.csv", b"product_id,name,unit_price,quantity,restock_threshold\nA,Mug,3.00,5,2\n")
    app.button(key="upload_products_commit").click().run()
    assert app.success[0].value.startswith("batch 1: 1 rows read, 1 products created")
    assert reports.get_product(db, "A").quantity == 5  # type: ignore[union-attr]
    app.selectbox(key="export_what").select("products")
    app.button(key="export_prepare").click().run()
    assert not app.exception
    assert app.get("download_button")


def test_an_import_that_loses_a_race_is_refused_and_previewed_again(
    shop: tuple[AppTest, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, db = shop
    upload(app, "s.csv", b"date,product_id,quantity,unit_price\n2024-03-01,A,2,1.00\n")

    def lose_the_race(*_args: object, **_kwargs: object) -> imports.ImportOutcome:
        raise imports.ShopChanged("another import wrote the same sales meanwhile")

    commit = imports.commit_sales_import
    monkeypatch.setattr(imports, "commit_sales_import", lose_the_race)
    app.button(key="upload_commit").click().run()
    assert not app.exception and not app.success
    assert [e.value for e in app.error] == [
        "Refused: another import wrote the same sales meanwhile."
    ]
    assert imports.list_batches(db) == []
    monkeypatch.setattr(imports, "commit_sales_import", commit)
    app.run()  # the file is still there: previewed afresh, and it goes in
    app.button(key="upload_commit").click().run()
    assert not app.exception and app.success
    assert [b.status for b in imports.list_batches(db)] == ["committed"]
