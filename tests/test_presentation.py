"""The dashboard's tables read like a shop tool: every shown column has a label in words
(no raw identifier such as `product_id`, no lowercase header), money in the shop's currency,
and no cell reads "None", "nan" or "NaT" (an empty value shows the placeholder, a dash).

Under AppTest on the demo shop with its forecasts: every page, with the tables that only
show after a choice (a product's forecast, a backtest, the reorder list's orders)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from stockcore.domain import Product
from stockcore.interfaces import ui
from stockcore.interfaces.ui import tables
from stockcore.replenishment import backtest
from tests.support import open_page, picker, start

RAW = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")  # snake_case: a raw identifier
NOT_A_VALUE = {"None", "nan", "NaN", "NaT", "<NA>", "null"}
CURRENCY = "£"  # the demo shop's
DATED = {"date", "datetime"}
PAGES = [
    "pages/overview.py",
    "pages/inventory.py",
    "pages/purchase.py",
    "pages/alerts.py",
    "pages/sales.py",
    "pages/forecast.py",
    "pages/reorder.py",
    "pages/backtest.py",
    "pages/upload.py",
    "pages/settings.py",
    "pages/users.py",
]


@dataclass(frozen=True)
class Shown:
    """One table as the page sent it: its rows, and each shown column's configuration."""

    value: pd.DataFrame
    columns: dict[str, dict[str, Any]]
    placeholder: str


def shown_tables(app: AppTest) -> list[Shown]:
    found = []
    for element in app.dataframe:
        config = json.loads(element.proto.columns or "{}")
        names = [str(c) for c in element.value.columns]
        found.append(
            Shown(
                value=element.value,
                columns={name: config.get(name, {}) for name in names},
                placeholder=element.proto.placeholder,
            )
        )
    return found


def problems(table: Shown) -> list[str]:
    """What an owner would stumble on in this table, in words (empty: nothing)."""
    found = []
    for name, config in table.columns.items():
        if config.get("hidden"):
            continue
        label = config.get("label") or name
        if RAW.match(label) or "_" in label:
            found.append(f"column {name!r} is headed {label!r}")
        elif label[:1].islower():
            found.append(f"column {name!r} has a lowercase header {label!r}")
    if not table.placeholder or table.placeholder in NOT_A_VALUE:
        found.append(f"empty cells read {table.placeholder or 'None'!r}")
    for name in table.value.columns:
        for cell in table.value[name]:
            if isinstance(cell, str) and cell.strip() in NOT_A_VALUE:
                found.append(f"a cell of {name!r} reads {cell!r}")
                break
    return found


def assert_presentable(app: AppTest, where: str) -> list[Shown]:
    assert not app.exception, [e.value for e in app.exception]
    shown = shown_tables(app)
    complaints = [f"{where}, {list(t.columns)[:3]}: {p}" for t in shown for p in problems(t)]
    assert not complaints, "\n".join(complaints)
    return shown


@pytest.fixture
def shop_url(forecast_url: str) -> str:
    return forecast_url


@pytest.fixture
def app(shop_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return start(shop_url, monkeypatch)


def test_every_page_of_the_demo_shop_shows_its_tables_in_words(app: AppTest) -> None:
    tables_seen = 0
    for page in PAGES:
        open_page(app, page)
        tables_seen += len(assert_presentable(app, page))
    assert tables_seen >= 8  # inventory, ledger, alerts, sales (2), reorder, catalog, users...


def test_the_staff_stock_list_is_in_words(shop_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = start(shop_url, monkeypatch, role="staff")
    open_page(app, "pages/stock.py")
    (table,) = assert_presentable(app, "stock")
    assert set(table.value["status"]) <= {"out of stock", "below threshold", "ok"}
    assert table.columns["unit_price"]["type_config"]["format"] == f"{CURRENCY}%.2f"


def test_a_products_forecast_and_its_covers_are_in_words(app: AppTest) -> None:
    open_page(app, "pages/forecast.py")
    picker(app, "fc_product").select("20725").run()  # Lunch Bag Red Retrospot
    shown = assert_presentable(app, "forecast")
    covers = next(t for t in shown if "80% chance of at most" in t.value.columns)
    assert covers.columns["Over"]["width"] == "medium"
    days = next(t for t in shown if "predicted_units" in t.value.columns)
    assert days.columns["day"]["type_config"]["format"] == tables.DATE
    catalog = next(t for t in shown if "rmsse" in t.value.columns)
    assert catalog.columns["model"]["width"] == "medium"


def test_the_backtest_shows_a_dash_for_rules_without_a_target(app: AppTest) -> None:
    open_page(app, "pages/backtest.py")
    app.slider(key="bt_days").set_value(backtest.MIN_DAYS)
    app.number_input(key="bt_products").set_value(2)
    app.button(key="FormSubmitter:backtest_form-Run backtest").click().run()
    (table,) = [t for t in assert_presentable(app, "backtest") if "fill_rate" in t.value.columns]
    assert table.value["target"].isna().any()  # the seed's rule and min/max have none...
    assert table.placeholder == tables.EMPTY  # ...and show a dash
    assert table.columns["policy"]["width"] == "large"  # the rule's name is not cut off
    value = table.columns["avg_inventory_value"]["type_config"]["format"]
    assert value == f"{CURRENCY}%.0f"


def test_inventory_has_a_status_column_and_money_in_the_currency(app: AppTest) -> None:
    open_page(app, "pages/inventory.py")
    editor = next(t for t in shown_tables(app) if "unit_price" in t.value.columns)
    assert "needs_restock" not in editor.value.columns
    assert set(editor.value["status"]) <= {"out of stock", "below threshold", "ok"}
    assert "below threshold" in set(editor.value["status"])  # the demo starts with some low
    formats = {n: c.get("type_config", {}).get("format") for n, c in editor.columns.items()}
    assert formats["unit_price"] == f"{CURRENCY}%.2f"
    assert formats["stock_value"] == f"{CURRENCY}%.0f"  # whole amounts: pennies are noise
    assert editor.columns["status"]["label"] == "Status"


# --- The configurations themselves --------------------------------------------------------------


def test_money_formats_follow_the_symbol_and_escape_a_percent_sign() -> None:
    assert tables.money_format(symbol="₹") == "₹%.2f"
    assert tables.money_format(symbol="₹", pence=False) == "₹%.0f"
    assert tables.money_format(symbol="%") == "%%%.2f"
    assert tables.money_format(symbol="") == "%.2f"


def test_stock_status_in_words() -> None:
    def product(quantity: int, threshold: int) -> Product:
        return Product.create(
            "P1", "Mug", unit_price=Decimal("2"), quantity=quantity, restock_threshold=threshold
        )

    assert tables.stock_status(product(0, 0)) == "out of stock"
    assert tables.stock_status(product(0, 5)) == "out of stock"
    assert tables.stock_status(product(3, 5)) == "below threshold"
    assert tables.stock_status(product(5, 5)) == "ok"


CONFIGS = {
    "COVER_COLUMNS": lambda: tables.COVER_COLUMNS,
    "FORECAST_DAY_COLUMNS": lambda: tables.FORECAST_DAY_COLUMNS,
    "CATALOG_COLUMNS": lambda: tables.CATALOG_COLUMNS,
    "FALLBACK_COLUMNS": lambda: tables.FALLBACK_COLUMNS,
    "MOVEMENT_COLUMNS": lambda: tables.MOVEMENT_COLUMNS,
    "ALERT_COLUMNS": lambda: tables.ALERT_COLUMNS,
    "USER_COLUMNS": lambda: tables.USER_COLUMNS,
    "LARGE_ORDER_COLUMNS": lambda: tables.LARGE_ORDER_COLUMNS,
    "PROBLEM_COLUMNS": lambda: tables.PROBLEM_COLUMNS,
    "NEW_PRODUCT_COLUMNS": lambda: tables.NEW_PRODUCT_COLUMNS,
    "inventory_columns": tables.inventory_columns,
    "stock_columns": tables.stock_columns,
    "purchase_order_columns": tables.purchase_order_columns,
    "preview_columns": tables.preview_columns,
    "batch_columns": tables.batch_columns,
    "sales_columns": tables.sales_columns,
    "backtest_columns": tables.backtest_columns,
    "reorder_columns": tables.reorder_columns,
}
MONEY = {  # the columns of amounts, and whether they show pennies
    "inventory_columns": {"unit_price": True, "unit_cost": True, "stock_value": False},
    "stock_columns": {"unit_price": True},
    "preview_columns": {"unit_price": True, "sales": True},
    "batch_columns": {"revenue": False},
    "sales_columns": {"revenue": False},
    "backtest_columns": {"avg_inventory_value": False},
    "reorder_columns": {"revenue_at_risk": False},
}


@pytest.fixture
def rupees(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shop whose currency is the rupee (the configs read only its symbol)."""
    monkeypatch.setattr(ui, "settings", lambda: SimpleNamespace(currency_symbol="₹"))


def _label(config: Any) -> str:
    return config if isinstance(config, str) else str(config["label"])


@pytest.mark.usefixtures("rupees")
@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_configured_column_has_a_label_in_words_and_money_in_the_currency(
    name: str,
) -> None:
    config = CONFIGS[name]()
    for column, shown in config.items():
        label = _label(shown)
        assert not RAW.match(label) and "_" not in label, (name, column, label)
        assert not label[:1].islower(), (name, column, label)
    for column, pence in MONEY.get(name, {}).items():
        assert config[column]["type_config"]["format"] == ("₹%.2f" if pence else "₹%.0f")


@pytest.mark.usefixtures("rupees")
def test_dates_use_one_format_everywhere() -> None:
    formats = {
        shown["type_config"]["format"]
        for make in CONFIGS.values()
        for shown in make().values()
        if isinstance(shown, dict) and shown.get("type_config", {}).get("type") in DATED
    }
    assert formats == {tables.DATE, tables.DATETIME}


@pytest.mark.usefixtures("rupees")
def test_names_and_explanations_are_not_cut_off() -> None:
    for make in CONFIGS.values():
        for column, shown in make().items():
            if column in {"name", "why", "reason", "fallback", "next_step", "what is wrong"}:
                assert shown["width"] in {"medium", "large"}, column


def test_the_check_itself_finds_raw_headers_and_none_cells() -> None:
    raw = Shown(
        value=pd.DataFrame({"product_id": ["P1"], "note": ["None"], "cost": [None]}),
        columns={"product_id": {}, "note": {"label": "note"}, "cost": {"label": "Cost"}},
        placeholder="",
    )
    assert problems(raw) == [
        "column 'product_id' is headed 'product_id'",
        "column 'note' has a lowercase header 'note'",
        "empty cells read 'None'",
        "a cell of 'note' reads 'None'",
    ]
    fine = Shown(
        value=pd.DataFrame({"product_id": ["P1"], "cost": [None]}),
        columns={"product_id": {"label": "Product"}, "cost": {"label": "Cost"}},
        placeholder=tables.EMPTY,
    )
    assert problems(fine) == []


def test_an_uploads_preview_and_its_batch_are_in_words(app: AppTest) -> None:
    """A sales file with a new product and a line without an order id: the preview's rows
    and new products, then the batches list once it is imported."""
    open_page(app, "pages/upload.py")
    data = (
        b"date,product_id,quantity,unit_price,order_id\n"
        b"2024-03-01 10:00,NEWP1,2,3.50,\n"
        b"2024-03-02 11:30,NEWP1,1,3.50,WEB-2\n"
    )
    app.file_uploader[0].set_value(("web.csv", data, "text/csv")).run()
    preview = assert_presentable(app, "upload preview")
    rows = next(t for t in preview if "order_id" in t.value.columns)
    assert rows.columns["order_id"]["label"] == "Order"
    assert rows.columns["unit_price"]["type_config"]["format"] == f"{CURRENCY}%.2f"
    assert any(list(t.value.columns) == ["product_id", "name"] for t in preview)
    app.button(key="upload_commit").click().run()
    batches = assert_presentable(app, "upload batches")
    assert any("applied to stock" in t.value.columns for t in batches)


def test_the_purchase_orders_lines_are_in_words(app: AppTest) -> None:
    open_page(app, "pages/reorder.py")
    app.button(key="reorder_create").click().run()
    shown = assert_presentable(app, "reorder with orders")
    lines = [t for t in shown if "line_total" in t.value.columns]
    assert lines, "the new orders' lines are shown"
    assert lines[0].columns["ordered"]["label"] == "Ordered (units)"
