"""The Reorder page under AppTest, on the demo shop with its forecasts."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore.inventory import reports
from stockcore.persistence.db import Database
from stockcore.replenishment import plan, purchase_orders, upkeep
from tests.support import open_page, sqlite_url, start

PAGE = "pages/reorder.py"


@pytest.fixture
def shop_url(forecast_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "shop.db"
    shutil.copyfile(forecast_template, target)
    return sqlite_url(target)


@pytest.fixture
def app(shop_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(start(shop_url, monkeypatch), PAGE)


def test_the_action_list_shows_what_to_order_first(app: AppTest, shop_url: str) -> None:
    assert not app.error
    labels = [metric.label for metric in app.metric]
    assert labels[:3] == ["Order now", "Order soon (this week)", "Healthy"]
    lines = plan.reorder_plan(Database.connect(shop_url), today=date.today())
    urgent = [line for line in lines if line.status in ("order now", "order soon")]
    assert int(app.metric[0].value) == sum(line.status == "order now" for line in lines)
    summary = plan.summarise(lines)
    assert sum(summary.lines.values()) == len(lines)
    assert [int(m.value) for m in app.metric[:3]] == [
        summary.lines[status] for status in plan.STATUS_ORDER[:3]
    ]
    assert summary.revenue_at_risk == sum(
        line.revenue_at_risk for line in lines if line.status == "order now"
    )
    table = next(d.value for d in app.dataframe if "why" in d.value.columns)
    assert list(table["product_id"]) == [line.product_id for line in urgent]
    assert list(table["order"]) == [line.suggested_quantity for line in urgent]
    [chart] = app.get("vega_lite_chart")
    assert "reorder point" in str(chart.proto)


def test_creating_and_receiving_purchase_orders(app: AppTest, shop_url: str) -> None:
    db = Database.connect(shop_url)
    app.button(key="reorder_create").click().run()
    assert not app.exception and not app.error
    orders = purchase_orders.purchase_orders(db, status="open")
    assert orders and all(order.units > 0 for order in orders)
    first = orders[-1]
    product = first.lines[0].product_id
    before = reports.get_product(db, product).quantity
    app.button(key=f"po_receive_{first.order_id}").click().run()
    assert not app.exception
    assert purchase_orders.purchase_order(db, first.order_id).status == "received"
    assert reports.get_product(db, product).quantity == before + first.lines[0].quantity


def test_without_forecasts_the_page_offers_to_make_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(start(sqlite_url(tmp_path / "shop.db"), monkeypatch), PAGE)
    assert "there are none yet" in app.info[0].value


def test_the_alerts_page_lists_products_that_run_out_before_delivery(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = upkeep.sync_lead_time_alerts(Database.connect(shop_url), today=date.today())
    assert synced.active > 0  # the demo shop has products at 0 with week-long lead times
    app = open_page(start(shop_url, monkeypatch), "pages/alerts.py")
    assert not app.exception
    headings = [h.value for h in app.subheader]
    assert "Will run out before a new order could arrive" in headings
    table = next(
        d.value
        for d in app.dataframe
        if "alert_id" in d.value.columns and "short_by" not in d.value.columns
    )
    assert len(table) == synced.active
