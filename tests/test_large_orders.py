"""Large one-off orders: recognised in the history, kept out of forecasts and orders unless
the owner serves that customer from stock, and counted on the reorder line."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from stockcore import imports
from stockcore.domain import InvalidValue, parse_customer_id
from stockcore.forecasting import large_orders, refresh
from stockcore.forecasting.large_orders import large_orders as find_large
from stockcore.forecasting.large_orders import orders_of_lines
from stockcore.imports.reading import FileRefused
from stockcore.interfaces import cli
from stockcore.persistence.db import Database
from stockcore.persistence.models import ForecastModelRow, LeadTimeDemandRow, SaleLineRow
from stockcore.replenishment import plan
from tests.support import FixedClock, open_page, start

FIRST = date(2026, 1, 5)  # a Monday


def calendar(days: int) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(FIRST) + pd.Timedelta(days=i) for i in range(days)])


def orders(rows: list[tuple[str, int, str, int]]) -> pd.DataFrame:
    """(product, day number, customer, units) -> an orders frame."""
    return pd.DataFrame(
        [(p, pd.Timestamp(FIRST) + pd.Timedelta(days=d), c, u) for p, d, c, u in rows],
        columns=large_orders.ORDER_COLUMNS,
    )


# --- The rule ------------------------------------------------------------------------------


def test_an_order_of_more_than_four_weeks_of_usual_sales_is_large() -> None:
    regular = [("MUG", d, "shop", 10) for d in range(100)]  # 10 a day
    frame = orders([*regular, ("MUG", 40, "RESELLER", 400), ("MUG", 60, "OTHER", 250)])
    large = find_large(frame, calendar(100))
    # 400 >= 28 days x 10 a day; 250 is big but under four weeks of sales.
    assert frame[large]["units"].tolist() == [400]


def test_on_a_slow_product_an_order_must_also_be_five_times_the_usual_order() -> None:
    slow = [("PEN", d, "shop", 1) for d in range(0, 100, 10)]  # 0.1 a day, orders of 1
    frame = orders([*slow, ("PEN", 45, "A", 4), ("PEN", 55, "B", 6)])
    large = find_large(frame, calendar(100))
    # Both exceed 28 days of sales (2.8 units); only 6 is five times the usual order of 1.
    assert frame[large]["units"].tolist() == [6]


def test_a_customer_served_from_stock_is_never_set_aside() -> None:
    frame = orders([("MUG", d, "shop", 10) for d in range(100)] + [("MUG", 40, "RES", 400)])
    assert find_large(frame, calendar(100)).sum() == 1
    assert find_large(frame, calendar(100), served={"RES"}).sum() == 0
    # An order without a customer cannot be exempted by an empty id.
    frame.loc[frame["units"] == 400, "customer_id"] = ""
    assert find_large(frame, calendar(100), served={""}).sum() == 1


def test_lines_are_grouped_into_orders_by_order_id_then_customer_and_day() -> None:
    day = pd.Timestamp(FIRST)
    lines = pd.DataFrame(
        [
            ("MUG", day, 100, "O1", "C1"),  # one order at two prices
            ("MUG", day, 200, "O1", "C1"),
            ("MUG", day, 50, "", "C2"),  # no order id: the customer's day
            ("MUG", day, 60, "", "C2"),
            ("MUG", day, 7, "", ""),  # neither: on its own
            ("MUG", day, 8, "", ""),
        ],
        columns=["product_id", "day", "quantity", "order_id", "customer_id"],
    )
    assert sorted(orders_of_lines(lines)["units"].tolist()) == [7, 8, 110, 300]


def test_customer_ids_are_checked() -> None:
    with pytest.raises(InvalidValue, match="customer"):
        parse_customer_id("  ")
    with pytest.raises(InvalidValue, match="longer than 64"):
        parse_customer_id("x" * 65)
    with pytest.raises(InvalidValue, match="control character"):
        parse_customer_id("C1\x00")
    assert parse_customer_id(" 14646 ") == "14646"
    assert parse_customer_id(14646) == "14646"


# --- Through the database: import, refresh, reorder line, the owner's choice ----------------

DAYS = 150
TODAY = FIRST + timedelta(days=DAYS)
CLOCK = FixedClock(datetime.combine(TODAY, datetime.min.time()).replace(hour=9))


def sales_csv() -> bytes:
    rows = ["date,product_id,quantity,unit_price,order_id,customer_id"]
    for i in range(DAYS):
        day = FIRST + timedelta(days=i)
        rows.append(f"{day},MUG,{8 + i % 5},2.00,R{i},C{i % 7}")
        if i % 3 == 0:
            rows.append(f"{day},JUG,{2 + i % 2},5.00,S{i},C{i % 5}")
    rows.append(f"{FIRST + timedelta(days=100)},MUG,900,1.50,BIG1,RESELLER")
    return ("\n".join(rows) + "\n").encode()


def lead_time_mean(db: Database, product_id: str) -> float:
    with db.read() as session:
        return float(
            session.scalars(
                select(LeadTimeDemandRow.mean).where(
                    LeadTimeDemandRow.product_id == product_id, LeadTimeDemandRow.cover == "lead"
                )
            ).one()
        )


def set_aside_of(db: Database, product_id: str) -> tuple[int | None, int | None]:
    with db.read() as session:
        row = session.get(ForecastModelRow, product_id)
        assert row is not None
        return row.set_aside_orders, row.set_aside_units


def test_a_large_order_is_set_aside_until_its_customer_is_served_from_stock(db: Database) -> None:
    imports.import_sales(db, sales_csv(), "sales.csv", clock=CLOCK)
    with db.read() as session:
        customers = set(session.scalars(select(SaleLineRow.customer_id)))
    assert "RESELLER" in customers and "C3" in customers  # the import keeps who bought

    refresh.refresh_forecasts(db, horizon_days=40, workers=1, clock=CLOCK)
    assert set_aside_of(db, "MUG") == (1, 900)
    assert set_aside_of(db, "JUG") == (0, 0)
    aside_mean = lead_time_mean(db, "MUG")
    [line] = plan.reorder_plan(db, today=TODAY, product_ids=["MUG"])
    assert (line.set_aside_orders, line.set_aside_units) == (1, 900)
    assert (
        "1 very large one-off order in its history (900 units, over four weeks of its usual "
        "sales) was set aside:" in line.explain()
    )
    assert "Settings, Large orders" in line.explain()
    two = dataclasses.replace(line, set_aside_orders=2, set_aside_units=1_800)
    assert (
        "2 very large one-off orders in its history (1,800 units, each over four weeks of "
        "its usual sales) were set aside:" in two.set_aside_note()
    )
    [listed] = large_orders.large_order_customers(db)
    assert (listed.customer_id, listed.orders, listed.units) == ("RESELLER", 1, 900)
    assert not listed.served_from_stock

    added, removed = large_orders.update_served_customers(db, serve=["RESELLER"], now=CLOCK())
    assert (added, removed) == (["RESELLER"], [])
    refresh.refresh_forecasts(db, horizon_days=40, workers=1, clock=CLOCK)
    assert set_aside_of(db, "MUG") == (0, 0)
    assert large_orders.large_order_customers(db)[0].served_from_stock
    # Served from stock, the 900 units are demand again: the forecast is higher.
    assert lead_time_mean(db, "MUG") > aside_mean
    [line] = plan.reorder_plan(db, today=TODAY, product_ids=["MUG"])
    assert line.set_aside_orders == 0 and "set aside" not in line.explain()

    # Stop serving: the order is set aside again; doing it twice changes nothing more.
    assert large_orders.update_served_customers(db, stop=["RESELLER"], now=CLOCK()) == (
        [],
        ["RESELLER"],
    )
    assert large_orders.update_served_customers(db, stop=["RESELLER"], now=CLOCK()) == ([], [])
    with pytest.raises(InvalidValue, match="both"):
        large_orders.update_served_customers(db, serve=["X"], stop=["X"], now=CLOCK())


def test_an_overlong_customer_id_is_refused_with_its_line_and_nothing_is_imported(
    db: Database,
) -> None:
    data = (
        "date,product_id,quantity,unit_price,order_id,customer_id\n"
        f"2026-01-05,MUG,2,2.00,A1,C1\n2026-01-05,MUG,3,2.00,A2,{'X' * 70}\n"
    ).encode()
    preview = imports.preview_sales_import(db, data, "sales.csv")
    [problem] = preview.problems
    assert (problem.line, problem.column) == (3, "customer_id")
    assert "longer than 64" in problem.reason
    with pytest.raises(FileRefused):
        imports.import_sales(db, data, "sales.csv")
    with db.read() as session:
        assert session.scalars(select(SaleLineRow)).first() is None


def test_the_sales_export_carries_the_customer(sqlite_db: Database) -> None:
    imports.import_sales(sqlite_db, sales_csv(), "sales.csv", clock=CLOCK)
    exported = imports.export_frame(sqlite_db, "sales")
    assert "customer_id" in exported.columns
    assert "RESELLER" in set(exported["customer_id"])


def test_the_cli_lists_large_orders_and_serves_a_customer(
    sqlite_db: Database,
) -> None:
    imports.import_sales(sqlite_db, sales_csv(), "sales.csv", clock=CLOCK)
    url = str(sqlite_db.engine.url)
    out = io.StringIO()
    assert cli.main(["--db", url, "large-orders"], out=out) == 0
    assert "RESELLER" in out.getvalue() and "no: set aside" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["--db", url, "large-orders", "--serve", "RESELLER"], out=out) == 0
    assert "1 added" in out.getvalue() and "yes" in out.getvalue()
    assert large_orders.served_customers(sqlite_db) == {"RESELLER"}


# --- The demo shop and the Settings page ------------------------------------------------------


def test_the_demo_shop_has_customers_and_large_orders(demo_url: str) -> None:
    db = Database.connect(demo_url)
    customers = large_orders.large_order_customers(db)
    assert len(customers) >= 5
    # Rare: a few dozen orders over two years of 60 products, most units from resellers.
    assert sum(c.orders for c in customers) < 100
    db.dispose()


def test_the_settings_page_serves_a_customers_large_orders_from_stock(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app: AppTest = start(demo_url, monkeypatch)
    open_page(app, "pages/settings.py")
    # The list is found on demand (it reads every sale line): none of it before asking.
    assert not app.multiselect
    app.button(key="large_orders_show").click().run()
    biggest = large_orders.large_order_customers(Database.connect(demo_url))[0].customer_id
    app.multiselect(key="settings_served_customers").set_value([biggest])
    app.button(key="FormSubmitter:large_orders_form-Save large-order choices").click().run()
    assert not app.exception
    assert large_orders.served_customers(Database.connect(demo_url)) == {biggest}
    # The page shows the choice as saved.
    assert app.multiselect(key="settings_served_customers").value == [biggest]
    assert "from stock" in app.dataframe[0].value["served"].tolist()


def test_the_shops_backtest_replays_the_regular_demand(sqlite_db: Database) -> None:
    from stockcore.replenishment import backtest

    imports.import_sales(sqlite_db, sales_csv(), "sales.csv", clock=CLOCK)
    shop = backtest.shop_histories(sqlite_db, products=2)
    mug = next(h for h in shop.products if h.product_id == "MUG")
    sold = sum(8 + i % 5 for i in range(DAYS))
    assert int(mug.units.sum()) == sold  # the 900 units are not replayed
    assert shop.set_aside == {"MUG": (1, 900)}
    result = backtest.backtest_shop(sqlite_db, days=28, products=2)
    assert (result.set_aside_orders, result.set_aside_units) == (1, 900)


def test_a_purchase_records_its_customer_and_a_bad_one_changes_nothing(db: Database) -> None:
    from stockcore import inventory
    from stockcore.domain import Product
    from stockcore.inventory import reports

    inventory.add_product(db, Product.create("MUG", "Mug", unit_price="2.00", quantity=10))
    inventory.purchase(db, "MUG", 2, customer_id=" RES-1 ")
    inventory.purchase(db, "MUG", 1)
    with pytest.raises(InvalidValue, match="control character"):
        inventory.purchase(db, "MUG", 1, customer_id="RES\x00")
    with db.read() as session:
        assert sorted(
            (line.quantity, line.customer_id) for line in session.scalars(select(SaleLineRow))
        ) == [(1, None), (2, "RES-1")]
    assert reports.get_product(db, "MUG").quantity == 7  # type: ignore[union-attr]


def test_the_purchase_page_records_the_customer_and_refuses_a_bad_one(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockcore.inventory import reports
    from tests.support import BUY, picker

    db = Database.connect(demo_url)
    product = next(p for p in reports.inventory(db) if p.quantity > 2)
    app = start(demo_url, monkeypatch)
    open_page(app, "pages/purchase.py")
    picker(app, "purchase_product").select(product.product_id)
    app.text_input(key="purchase_customer").input("RES\x01")
    app.button(key=BUY).click().run()
    assert not app.exception and "control character" in app.error[0].value
    assert reports.get_product(db, product.product_id).quantity == product.quantity  # type: ignore[union-attr]
    app.text_input(key="purchase_customer").input("14646")
    app.button(key=BUY).click().run()
    assert not app.exception and not app.error
    with db.read() as session:
        assert session.scalars(
            select(SaleLineRow.customer_id).where(SaleLineRow.source == "purchase")
        ).all() == ["14646"]
    db.dispose()
