"""The Reorder page under AppTest, on the demo shop with its forecasts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from stockcore.domain import counted
from stockcore.inventory import reports
from stockcore.persistence.db import Database
from stockcore.replenishment import plan, plan_table, purchase_orders, upkeep
from stockcore.replenishment.lines import STATUS_ORDER
from tests.support import open_page, sqlite_url, start

PAGE = "pages/reorder.py"


@pytest.fixture
def shop_url(forecast_url: str) -> str:
    return forecast_url


@pytest.fixture
def app(shop_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(start(shop_url, monkeypatch), PAGE)


def test_the_action_list_shows_what_to_order_first(app: AppTest, shop_url: str) -> None:
    assert not app.error
    labels = [metric.label for metric in app.metric]
    assert labels[:4] == [
        "Order now",
        "Order soon (this week)",
        "Covered by open orders",
        "Healthy",
    ]
    lines = plan.reorder_plan(Database.connect(shop_url), today=date.today())
    urgent = [line for line in lines if line.status in ("order now", "order soon")]
    assert int(app.metric[0].value) == sum(line.status == "order now" for line in lines)
    summary = plan_table.summarise(lines)
    assert sum(summary.lines.values()) == len(lines)
    assert [int(m.value) for m in app.metric[:4]] == [
        summary.lines[status] for status in STATUS_ORDER[:4]
    ]
    assert summary.revenue_at_risk == sum(
        line.revenue_at_risk for line in lines if line.status == "order now"
    )
    table = next(d.value for d in app.dataframe if "why" in d.value.columns)
    assert list(table["product_id"]) == [line.product_id for line in urgent]
    assert list(table["order"]) == [line.suggested_quantity for line in urgent]
    [chart] = app.get("vega_lite_chart")
    assert "reorder point" in str(chart.proto)
    # Under the chart: why an order can leave the bar short of the reorder point.
    assert any("can end short of its tick" in caption.value for caption in app.caption)


def receive_button(app: AppTest, order: purchase_orders.PurchaseOrder) -> Any:
    return app.button(key=f"FormSubmitter:po_receive_form_{order.order_id}-Receive…")


def units_input(app: AppTest, order: purchase_orders.PurchaseOrder, product_id: str) -> Any:
    version = f"{order.order_id}_{order.received_units}"
    return app.text_input(key=f"po_units_{version}_{product_id}")


def test_creating_orders_then_receiving_one_after_confirming(app: AppTest, shop_url: str) -> None:
    db = Database.connect(shop_url)
    app.button(key="reorder_create").click().run()
    assert not app.exception and not app.error
    orders = purchase_orders.purchase_orders(db, status="open")
    assert orders and all(order.units > 0 for order in orders)
    # The lines just ordered read "covered by PO-...", not "order now" with 0 units.
    table = next(d.value for d in app.dataframe if "why" in d.value.columns)
    covered = table[table["status"] == "covered"]
    assert len(covered) > 0 and covered["next_step"].str.startswith("covered by PO-").all()
    assert (covered["order"] == 0).all()
    assert int(app.metric[2].value) == len(covered)
    labels = [expander.label for expander in app.expander]
    assert any(label.startswith(f"{orders[0].number} · ") for label in labels)

    first = orders[-1]
    products = {line.product_id: reports.get_product(db, line.product_id).quantity
                for line in first.lines}  # fmt: skip
    receive_button(app, first).click().run()
    assert not app.exception and not app.error
    question = f"Receive {counted(first.units, 'unit')} of {first.number} into stock?"
    assert any(w.value.startswith(question) for w in app.warning)
    # Nothing is received before the owner confirms; Cancel drops the question.
    assert purchase_orders.purchase_order(db, first.order_id).received_units == 0
    app.button(key=f"po_cancel_receipt_{first.order_id}").click().run()
    assert not any(w.value.startswith(question) for w in app.warning)
    assert purchase_orders.purchase_order(db, first.order_id).received_units == 0

    receive_button(app, first).click().run()
    app.button(key=f"po_confirm_receipt_{first.order_id}").click().run()
    assert not app.exception and not app.error
    assert purchase_orders.purchase_order(db, first.order_id).status == "received"
    for line in first.lines:
        assert reports.get_product(db, line.product_id).quantity == (
            products[line.product_id] + line.quantity
        )


def test_a_partial_receipt_from_the_page(app: AppTest, shop_url: str) -> None:
    db = Database.connect(shop_url)
    app.button(key="reorder_create").click().run()
    order = max(purchase_orders.purchase_orders(db, status="open"), key=lambda o: len(o.lines))
    first, *rest = order.lines
    units_input(app, order, first.product_id).input("1")
    for line in rest:
        units_input(app, order, line.product_id).input("0" if line.quantity % 2 else "")
    receive_button(app, order).click().run()
    assert any(
        w.value.startswith(f"Receive 1 unit of {order.number} into stock?") for w in app.warning
    )
    app.button(key=f"po_confirm_receipt_{order.order_id}").click().run()
    assert not app.exception and not app.error
    after = purchase_orders.purchase_order(db, order.order_id)
    assert after.state == "partly received" and after.received_units == 1
    assert after.outstanding_units == order.units - 1
    # More than is still to come, or part of a unit, is refused with a message naming the
    # value and the rule, and nothing is asked or received.
    for typed, rule in ((str(first.quantity), f"still to come on {order.number}"), ("2.5", "")):
        units_input(app, after, first.product_id).input(typed)
        receive_button(app, after).click().run()
        refusals = [
            e.value for e in app.error if f"units of {first.product_id} received" in e.value
        ]
        assert len(refusals) == 1 and typed in refusals[0] and rule in refusals[0]
        assert not any(w.value.startswith("Receive ") for w in app.warning)
    assert purchase_orders.purchase_order(db, order.order_id).received_units == 1
    # Closing asks first, then cancels the rest.
    app.button(key=f"po_close_{order.order_id}").click().run()
    assert any(w.value.startswith(f"Close {order.number} and cancel") for w in app.warning)
    app.button(key=f"po_confirm_close_{order.order_id}").click().run()
    assert purchase_orders.purchase_order(db, order.order_id).state == "closed short"


def test_an_overdue_order_is_marked_on_the_page(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database.connect(shop_url)
    product = reports.inventory(db)[0]
    [made] = purchase_orders.create_purchase_orders(
        db, {product.product_id: 5}, clock=lambda: datetime.now() - timedelta(days=60)
    )
    late = purchase_orders.purchase_order(db, made.order_id)
    assert late.overdue
    app = open_page(start(shop_url, monkeypatch), PAGE)
    assert not app.exception
    # Once above the list, and again in the order itself.
    assert sum(w.value == late.late_note() for w in app.warning) == 2
    assert any(f"{late.number} · " in e.label and "overdue" in e.label for e in app.expander)
    # Its CSV and its printable page are offered for download.
    downloads = [b.proto for b in app.get("download_button")]
    for kind, suffix in (("csv", ".csv"), ("html", ".html")):
        [button] = [b for b in downloads if b.id.endswith(f"-po_{kind}_{late.order_id}")]
        assert button.url.endswith(suffix)


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
