"""Every dashboard page under Streamlit's AppTest, on a real SQLite file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore import inventory
from stockcore.inventory import reports, shop_sales
from stockcore.persistence.data_version import data_version
from stockcore.persistence.db import Database
from tests.support import BUY, open_page, picker, sqlite_url, start

TITLES = {  # every page, and the title it shows
    "pages/overview.py": "Overview",
    "pages/inventory.py": "Inventory",
    "pages/purchase.py": "Purchase",
    "pages/alerts.py": "Restock alerts",
    "pages/sales.py": "Sales",
    "pages/forecast.py": "Forecast",
    "pages/reorder.py": "Reorder",
    "pages/backtest.py": "Policy backtest",
    "pages/settings.py": "Settings",
    "pages/about.py": "About stockcore",
    "pages/users.py": "Users",
}
PAGES = list(TITLES)


@pytest.fixture
def app(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return start(demo_url, monkeypatch)


@pytest.fixture
def db(demo_url: str) -> Database:
    return Database.connect(demo_url)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo_shop(app: AppTest, page: str) -> None:
    open_page(app, page)
    assert [t.value for t in app.title] == [TITLES[page]] and not app.error


def test_the_overview_shows_the_kpis_and_the_stock_chart(app: AppTest) -> None:
    labels = [m.label for m in app.metric]
    assert labels == [
        "Products",
        "Units in stock",
        "Stock value",
        "Below threshold",
        "Revenue, last 30 days",
    ]
    assert app.metric[0].value == "60"
    assert int(app.metric[3].value) >= 5  # the demo shop starts with products already low
    assert app.metric[2].value.startswith("£")
    assert len(app.get("vega_lite_chart")) == 1, "the stock-against-threshold chart is drawn"


def test_buying_the_last_units_shows_the_sale_and_the_alert_and_the_report_has_it(
    app: AppTest, db: Database
) -> None:
    product = next(p for p in reports.inventory(db) if p.quantity > 0 and not p.needs_restock)
    open_page(app, "pages/purchase.py")
    picker(app, "purchase_product").select(product.product_id)
    app.text_input(key="purchase_quantity").input(str(product.quantity))
    app.button(key=BUY).click().run()

    assert not app.exception and not app.error
    assert app.success[0].value.startswith(f"Sold {product.quantity} × {product.product_id}")
    assert "0 left in stock" in app.success[0].value
    alert = (
        f"Restock alert: {product.product_id} {product.name} is down to 0 "
        f"(threshold {product.restock_threshold})."
    )
    assert [w.value for w in app.warning] == [alert]
    assert [t.value for t in app.toast] == [alert]
    assert reports.get_product(db, product.product_id).quantity == 0  # type: ignore[union-attr]
    # The picker keeps the product chosen and shows its new stock.
    assert picker(app, "purchase_product").value == product.product_id
    assert (
        f"{product.product_id} · {product.name} (0 in stock)"
        in picker(app, "purchase_product").options
    )

    open_page(app, "pages/alerts.py")
    assert product.product_id in app.dataframe[0].value["product_id"].tolist()

    open_page(app, "pages/sales.py")
    assert len(app.get("vega_lite_chart")) == 3  # trend, top products, category breakdown
    by_product = app.dataframe[0].value
    assert product.product_id in by_product["product_id"].tolist()
    today = reports.sales_summary(db, date.today(), date.today())
    assert today.by_product["product_id"].tolist() == [product.product_id]


def test_the_sales_page_counts_a_recorded_shop_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop that only sends daily totals (a date-and-sales file, add-sales-data) sees
    them on the Sales page, said to be totals without product detail."""
    url = sqlite_url(tmp_path / "totals.db")
    app = start(url, monkeypatch, demo=False)
    shop_sales.add_sales_data(Database.connect(url), date.today().isoformat(), "1234.50")
    open_page(app, "pages/sales.py")
    assert not app.info and not app.exception
    assert app.metric[0].value == "£1,234"  # the headline rounds to whole pounds
    assert any("recorded shop total" in caption.value for caption in app.caption)


def test_buying_more_than_on_hand_is_refused_on_the_page_and_changes_nothing(
    app: AppTest, db: Database
) -> None:
    product = next(p for p in reports.inventory(db) if p.quantity > 0)
    open_page(app, "pages/purchase.py")
    picker(app, "purchase_product").select(product.product_id)
    app.text_input(key="purchase_quantity").input(str(product.quantity + 1))
    app.button(key=BUY).click().run()
    assert not app.exception and not app.success
    assert "not enough stock" in app.error[0].value
    assert reports.get_product(db, product.product_id) == product


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Quantity '0' must be at least 1."),
        ("-3", "Quantity '-3' must be at least 1."),
        ("2.5", "Quantity 2.5 must be a whole number of units, not a fraction."),
    ],
)
def test_a_bad_quantity_is_named_under_the_field_and_sells_nothing(
    app: AppTest, db: Database, typed: str, message: str
) -> None:
    product = next(p for p in reports.inventory(db) if p.quantity > 3)
    open_page(app, "pages/purchase.py")
    picker(app, "purchase_product").select(product.product_id)
    app.text_input(key="purchase_quantity").input(typed)
    app.button(key=BUY).click().run()
    assert not app.exception and not app.success
    assert [e.value for e in app.error] == [message]
    assert reports.get_product(db, product.product_id) == product
    app.text_input(key="purchase_quantity").input("1")  # corrected: the old refusal goes
    app.button(key=BUY).click().run()
    assert not app.error and app.success


def test_submitting_without_a_product_asks_for_one(app: AppTest) -> None:
    open_page(app, "pages/purchase.py")
    app.button(key=BUY).click().run()
    assert [e.value for e in app.error] == ["Choose a product to buy."]


def test_adding_a_product_and_receiving_stock_from_the_inventory_page(
    app: AppTest, db: Database
) -> None:
    open_page(app, "pages/inventory.py")
    app.text_input(key="new_product_id").input("NEW-1")
    app.text_input(key="new_product_name").input("Enamel Mug")
    app.selectbox(key="new_product_category").select("Kitchen & Baking")
    app.text_input(key="new_product_price").input("3.50")
    app.text_input(key="new_product_qty").input("2")
    app.text_input(key="new_product_threshold").input("5")
    app.text_input(key="new_product_service_level").input("98")
    app.button(key="FormSubmitter:add_product_form-Add product").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    added = reports.get_product(db, "NEW-1")
    assert added is not None and (added.quantity, added.needs_restock) == (2, True)
    assert added.service_level == 0.98
    assert app.text_input(key="new_product_id").value == ""  # the form is empty again
    # ... in the browser too, which keeps what was typed in a widget whose key stays the
    # same unless the server sends it a value (it once kept showing the added product).
    assert all(
        app.text_input(key=k).proto.set_value for k in ("new_product_id", "new_product_price")
    )

    picker(app, "receive_product").select("NEW-1")
    app.text_input(key="receive_qty").input("10")
    app.button(key="FormSubmitter:receive_form-Receive stock").click().run()
    assert not app.exception and not app.error
    assert reports.get_product(db, "NEW-1").quantity == 12  # type: ignore[union-attr]
    assert "NEW-1" not in [a.product_id for a in reports.active_alerts(db)]


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("new_product_price", "-3", "Unit price '-3' must not be negative."),
        ("new_product_price", "three", "Unit price 'three' is not"),
        ("new_product_qty", "2.5", "Quantity 2.5 must be a whole number of units"),
        ("new_product_pack", "0", "Pack size '0' must be at least 1"),
        ("new_product_service_level", "150", "Service level '150' must be from 50% to 99.9%"),
    ],
)
def test_a_bad_value_in_add_product_is_named_under_its_field_and_nothing_is_added(
    app: AppTest, db: Database, key: str, typed: str, message: str
) -> None:
    open_page(app, "pages/inventory.py")
    before = len(reports.inventory(db))
    app.text_input(key="new_product_id").input("NEW-2")
    app.text_input(key="new_product_name").input("Jug")
    app.text_input(key="new_product_price").input("2.00")
    app.text_input(key=key).input(typed)
    app.button(key="FormSubmitter:add_product_form-Add product").click().run()
    assert not app.exception
    assert len(app.error) == 1 and app.error[0].value.startswith(message), app.error[0].value
    assert len(reports.inventory(db)) == before
    assert app.text_input(key=key).value == typed  # what was typed stays, to be corrected


def test_a_duplicate_product_is_refused_on_the_page(app: AppTest) -> None:
    open_page(app, "pages/inventory.py")
    app.text_input(key="new_product_id").input("85123A")
    app.text_input(key="new_product_name").input("Copy")
    app.text_input(key="new_product_price").input("1.00")
    app.button(key="FormSubmitter:add_product_form-Add product").click().run()
    assert "85123A" in app.error[0].value and "already exists" in app.error[0].value


def test_inventory_filters_by_category_and_search(app: AppTest, db: Database) -> None:
    open_page(app, "pages/inventory.py")
    app.selectbox(key="inventory_category").select("Bags").run()
    shown = app.dataframe[0].value  # the editor
    bags = reports.inventory(db, category="Bags")
    assert list(shown["product_id"]) == [p.product_id for p in bags] and len(bags) > 1
    assert set(shown["category"]) == {"Bags"}
    assert app.caption[0].value.startswith(f"{len(bags)} products. ")
    app.text_input(key="inventory_search").input(bags[0].product_id).run()
    assert len(app.dataframe[0].value) == 1 and app.caption[0].value.startswith("1 product. ")
    app.text_input(key="inventory_search").input("zzz-nothing").run()
    assert app.dataframe[0].value.empty
    assert app.caption[0].value.startswith("0 products. ")


def test_acknowledging_an_alert(app: AppTest, db: Database) -> None:
    open_page(app, "pages/alerts.py")
    first = reports.active_alerts(db)[0]
    app.multiselect(key="acknowledge_ids").select(first.alert_id)
    unseen = sum(1 for alert in reports.active_alerts(db) if alert.status == "open")
    assert f"{unseen} not yet acknowledged" in app.sidebar.caption[0].value
    app.button(key="FormSubmitter:acknowledge_form-Acknowledge selected").click().run()
    assert not app.exception
    assert reports.active_alerts(db)[0].status == "acknowledged"
    # The frame counts it at once: the badge and the sidebar show one fewer to look at.
    assert f"{unseen - 1} not yet acknowledged" in app.sidebar.caption[0].value


def test_changing_the_currency_symbol(app: AppTest) -> None:
    open_page(app, "pages/settings.py")
    app.text_input(key="settings_currency").input("₹")
    app.button(key="FormSubmitter:settings_form-Save settings").click().run()
    open_page(app, "pages/overview.py")
    assert app.metric[2].value.startswith("₹")


def test_service_levels_and_order_costs_are_set_on_the_settings_page(
    app: AppTest, db: Database
) -> None:
    from stockcore import inventory

    open_page(app, "pages/settings.py")
    assert app.text_input(key="settings_service_level_B").value == "95%"
    app.text_input(key="settings_service_level_A").input("99")  # 99, 99% and 0.99 alike
    app.text_input(key="settings_service_level_C").input("0.9")
    app.text_input(key="settings_ordering_cost").input("25")
    app.text_input(key="settings_holding_rate").input("20%")
    app.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert not app.exception
    saved = inventory.get_settings(db)
    assert (saved.service_level_a, saved.service_level_b, saved.service_level_c) == (
        0.99,
        0.95,
        0.9,
    )
    assert (saved.ordering_cost, saved.holding_rate) == (Decimal("25.00"), 0.2)
    assert app.text_input(key="settings_service_level_A").value == "99%"  # as saved
    # ... in the browser too, which kept showing "99" (see test_adding_a_product...).
    assert app.text_input(key="settings_service_level_A").proto.set_value
    app.text_input(key="settings_holding_rate").input("0")
    app.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert [e.value for e in app.error] == [
        "Holding rate '0' must be more than 0% and at most 100% a year (e.g. 25%, 25 or 0.25)."
    ]
    assert inventory.get_settings(db).holding_rate == 0.2  # nothing saved
    app.text_input(key="settings_service_level_B").input("150")
    app.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert [e.value for e in app.error] == [
        "Service level of class B '150' must be from 50% to 99.9% (e.g. 95%, 95 or 0.95)."
    ]
    assert inventory.get_settings(db).service_level_b == 0.95


def test_erasing_needs_confirmation_then_leaves_an_empty_shop(app: AppTest, db: Database) -> None:
    open_page(app, "pages/settings.py")
    app.button(key="FormSubmitter:erase_form-Erase everything and start empty").click().run()
    assert "Nothing was erased" in app.error[0].value and reports.inventory(db)
    app.text_input(key="erase_confirmation").input("ERASE")
    app.button(key="FormSubmitter:erase_form-Erase everything and start empty").click().run()
    assert not app.exception and reports.inventory(db) == []


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_shop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    app = start(f"sqlite:///{tmp_path / 'empty.db'}", monkeypatch, demo=False)
    open_page(app, page)
    assert [t.value for t in app.title] == [TITLES[page]] and not app.error


def test_each_cached_loader_answers_for_its_own_use_case(
    demo_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockcore.interfaces import ui

    monkeypatch.setenv("STOCKCORE_DATABASE_URL", demo_url)
    # The same arguments (only the database URL) for three loaders: three caches.
    assert ui.categories() == reports.categories(db)
    assert ui.active_alerts() == reports.active_alerts(db)
    assert ui.settings().shop_name
    assert ui.products(category="Bags") == reports.inventory(db, category="Bags")
    assert ui.products(search="zzz-nothing") == []


def _show_one_refusal_of_each_category() -> None:
    from stockcore.domain import Conflict, Forbidden, Invalid, NotFound, Throttled, Unauthenticated
    from stockcore.interfaces import ui

    for refusal in (
        Invalid("a bad value"),
        NotFound("no such thing"),
        Conflict("already done."),
        Forbidden("a staff account may not do this"),
        Unauthenticated("wrong password"),
        Throttled("too many tries", 60),
    ):
        ui.show_refusal(refusal)


def test_each_category_of_refusal_shows_one_way() -> None:
    app = AppTest.from_function(_show_one_refusal_of_each_category).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Refused: a bad value.",
        "Refused: already done.",
        "Not allowed: a staff account may not do this.",
        "Not signed in: wrong password.",
    ]
    assert [w.value for w in app.warning] == [
        "Not found: no such thing.",
        "Not now: too many tries.",
    ]


def test_a_change_made_outside_the_dashboard_shows_on_its_very_next_run(
    app: AppTest, db: Database
) -> None:
    """`db` is another handle on the shop's file, as the API's or the CLI's process (or a
    second dashboard server) has: what it writes, the next run shows, though nothing was
    written through this dashboard (it once showed the old numbers for up to a minute)."""
    open_page(app, "pages/inventory.py")
    product = next(p for p in reports.inventory(db) if p.quantity >= 3 and not p.needs_restock)

    def on_page() -> int:
        shown = app.dataframe[0].value
        return int(shown.loc[shown["product_id"] == product.product_id, "quantity"].iloc[0])

    def restock_caption() -> str:
        return next(c.value for c in app.sidebar.caption if "restock" in c.value)

    assert on_page() == product.quantity
    alerts_before = restock_caption()
    inventory.purchase(db, product.product_id, 3)
    inventory.update_products(db, {product.product_id: {"restock_threshold": 10_000}})
    app.run()
    assert on_page() == product.quantity - 3
    assert restock_caption() != alerts_before  # the sidebar's count of products to restock
    app.run()  # and a run after which nothing changed shows the same
    assert on_page() == product.quantity - 3


@pytest.mark.parametrize("page", PAGES)
def test_opening_a_page_writes_nothing_so_its_next_run_reads_its_cached_views(
    app: AppTest, db: Database, page: str
) -> None:
    open_page(app, page)
    version = data_version(db)
    app.run()
    assert not app.exception
    assert data_version(db) == version
