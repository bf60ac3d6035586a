"""The reorder action list on hand-made forecasts, stored the way a refresh stores them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from stockcore import forecasts, reorder, services
from stockcore.db import Database
from stockcore.domain import Product
from stockcore.services import HistoryLine

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9)


def add(db: Database, pid: str, *, quantity: int, lead_time: int, price: str = "2.00") -> None:
    services.add_product(
        db,
        Product.create(
            pid, f"Product {pid}", category="Kitchen", unit_price=price, quantity=quantity,
            lead_time_days=lead_time, supplier="Acme",
        ),
        clock=lambda: NOW - timedelta(days=30),
    )  # fmt: skip


def store(
    db: Database,
    per_day: dict[str, float],
    *,
    error_sd: float = 0.0,
    days: int = 60,
    start: date = TODAY,
) -> None:
    """A flat forecast per product from `start`, written by the refresh's own storage."""
    span = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    made = [
        forecasts.ProductForecast(
            product_id=pid, model="TSB", basis=forecasts.OWN_HISTORY, history_days=100,
            selling_share=1.0, days=span, units=np.full(days, units),
            lower=np.full(days, units), upper=np.full(days, units),
            lower_95=np.full(days, units), upper_95=np.full(days, units),
            accuracy=None, naive=None, error_sd=error_sd,
        )
        for pid, units in per_day.items()
    ]  # fmt: skip
    forecasts._store(db, made, NOW, NOW, start, days, 1.0)


def plan(db: Database, **options: object) -> dict[str, reorder.ReorderLine]:
    return {line.product_id: line for line in reorder.reorder_plan(db, today=TODAY, **options)}  # type: ignore[arg-type]


def test_a_product_that_runs_out_within_its_lead_time_is_ordered_now(db: Database) -> None:
    add(db, "FAST", quantity=30, lead_time=10)
    store(db, {"FAST": 5.0})
    line = plan(db)["FAST"]
    assert line.lead_time_demand == 50 and line.reorder_point == 50  # no forecast error
    assert line.run_out_day == TODAY + timedelta(days=5)  # 30 units at 5 a day
    assert line.order_by == TODAY - timedelta(days=5)  # already too late: order now
    assert line.status == "order now"
    assert line.order_up_to == 50 + 7 * 5
    assert line.suggested_quantity == 85 - 30
    assert line.days_of_cover == 5
    assert line.revenue_at_risk == Decimal("100.00")  # 10 days x 5 units x 2.00 after run-out
    assert "order by" in line.explain() and "Suggested order: 55" in line.explain()


def test_order_soon_healthy_overstock_and_no_demand(db: Database) -> None:
    add(db, "SOON", quantity=60, lead_time=5)  # runs out at the end of day 12 (index 11)
    add(db, "OK", quantity=200, lead_time=5)
    add(db, "HEAP", quantity=5000, lead_time=5)
    add(db, "DEAD", quantity=40, lead_time=5)
    store(db, {"SOON": 5.0, "OK": 5.0, "HEAP": 5.0, "DEAD": 0.0})
    lines = plan(db)
    assert lines["SOON"].status == "order soon"
    assert lines["SOON"].order_by == TODAY + timedelta(days=6)
    assert lines["OK"].status == "healthy" and lines["OK"].suggested_quantity == 0
    assert lines["HEAP"].status == "overstock" and lines["HEAP"].run_out_day is None
    assert lines["DEAD"].status == "no recent demand"
    order = [line.product_id for line in reorder.reorder_plan(db, today=TODAY)]
    assert order == ["SOON", "OK", "HEAP", "DEAD"]


def test_forecast_errors_add_safety_stock_and_service_level_raises_it(db: Database) -> None:
    add(db, "MUG", quantity=100, lead_time=9)
    store(db, {"MUG": 4.0}, error_sd=2.0)
    at_95 = plan(db)["MUG"]
    assert at_95.safety_stock == pytest.approx(1.6449 * 2.0 * 3, rel=1e-3)  # sqrt(9) days
    at_98 = plan(db, service_level=0.98)["MUG"]
    assert at_98.safety_stock > at_95.safety_stock
    assert at_98.reorder_point == pytest.approx(36 + at_98.safety_stock)


def test_stock_on_order_counts_towards_the_position(db: Database) -> None:
    add(db, "FAST", quantity=30, lead_time=10)
    store(db, {"FAST": 5.0})
    line = plan(db, on_order={"FAST": 40})["FAST"]
    assert line.on_order == 40 and line.suggested_quantity == 85 - 70
    assert line.run_out_day == TODAY + timedelta(days=13)  # 70 units: the 14th day


def test_abc_classes_split_revenue_80_15_5() -> None:
    revenue = pd.Series({"a": 700.0, "b": 150.0, "c": 100.0, "d": 50.0})
    assert reorder.abc_classes(revenue).to_dict() == {"a": "A", "b": "A", "c": "B", "d": "C"}
    assert set(reorder.abc_classes(pd.Series({"x": 0.0}))) == {"C"}


def test_abc_comes_from_last_years_revenue(db: Database) -> None:
    add(db, "BIG", quantity=500, lead_time=5)
    add(db, "SMALL", quantity=500, lead_time=5)
    services.record_history(
        db,
        [HistoryLine(TODAY - timedelta(days=3), "BIG", 100, Decimal("2.00")),
         HistoryLine(TODAY - timedelta(days=3), "SMALL", 1, Decimal("2.00"))],
    )  # fmt: skip
    store(db, {"BIG": 1.0, "SMALL": 1.0})
    lines = plan(db)
    assert lines["BIG"].abc == "A" and lines["SMALL"].abc == "C"


def test_the_reorder_command_lists_what_to_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import sqlite_url
    from tests.test_cli import run

    url = sqlite_url(tmp_path / "shop.db")
    code, _, err = run("--db", url, "reorder")
    assert code == 1 and "no forecasts yet" in err
    db = Database.connect(url)
    add(db, "FAST", quantity=30, lead_time=10)
    add(db, "OK", quantity=900, lead_time=5)
    today = services.local_now().date()
    span = pd.date_range(pd.Timestamp(today), periods=40, freq="D")
    made = [
        forecasts.ProductForecast(
            product_id=pid, model="TSB", basis=forecasts.OWN_HISTORY, history_days=100,
            selling_share=1.0, days=span, units=np.full(40, 5.0), lower=np.full(40, 5.0),
            upper=np.full(40, 5.0), lower_95=np.full(40, 5.0), upper_95=np.full(40, 5.0),
            accuracy=None, naive=None, error_sd=0.0,
        )
        for pid in ("FAST", "OK")
    ]  # fmt: skip
    forecasts._store(db, made, NOW, NOW, today, 40, 1.0)
    code, out, err = run("--db", url, "reorder")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["product", "status", "abc"]
    assert lines[2].split()[:2] == ["FAST", "order"] and " 55 " in lines[2]
    assert lines[-1] == "1 more products are healthy (--all shows them)"
    code, out, _ = run("--db", url, "reorder", "--all", "--service-level", "2")
    assert code == 1
    code, out, _ = run("--db", url, "reorder", "--all")
    assert code == 0 and "OK" in out and "overstock" in out  # 900 on hand at 5 a day


def test_lead_time_alerts_are_raised_once_and_resolved_when_stock_arrives(db: Database) -> None:
    from stockcore import reports

    add(db, "FAST", quantity=30, lead_time=10)  # lasts 6 days, the supplier needs 10
    add(db, "OK", quantity=900, lead_time=5)
    store(db, {"FAST": 5.0, "OK": 5.0})
    first = reorder.sync_lead_time_alerts(db, today=TODAY, now=NOW)
    assert first.raised == ["FAST"] and first.resolved == [] and first.active == 1
    again = reorder.sync_lead_time_alerts(db, today=TODAY, now=NOW)
    assert again.raised == [] and again.active == 1  # one active alert per product
    [alert] = reports.lead_time_alerts(db)
    assert alert.product_id == "FAST" and alert.quantity == 30
    assert [a.product_id for a in reports.active_alerts(db)] == []  # threshold alerts apart
    services.receive_stock(db, "FAST", 200, clock=lambda: NOW)
    after = reorder.sync_lead_time_alerts(db, today=TODAY, now=NOW)
    assert after.resolved == ["FAST"] and reports.lead_time_alerts(db) == []
