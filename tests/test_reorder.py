"""The reorder action list on hand-made forecasts, stored the way a refresh stores them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, update

from stockcore import inventory
from stockcore.domain import Product, local_now
from stockcore.forecasting import refresh, views
from stockcore.forecasting.store import store_forecasts
from stockcore.inventory import HistoryLine
from stockcore.persistence.db import Database
from stockcore.persistence.models import ForecastModelRow
from stockcore.replenishment import plan as reorder_list
from stockcore.replenishment import upkeep
from stockcore.replenishment.lines import ReorderLine
from tests.support import NOW, TODAY, store


def add(db: Database, pid: str, *, quantity: int, lead_time: int, price: str = "2.00") -> None:
    inventory.add_product(
        db,
        Product.create(
            pid, f"Product {pid}", category="Kitchen", unit_price=price, quantity=quantity,
            lead_time_days=lead_time, supplier="Acme",
        ),
        clock=lambda: NOW - timedelta(days=30),
    )  # fmt: skip


def plan(db: Database, **options: object) -> dict[str, ReorderLine]:
    return {line.product_id: line for line in reorder_list.reorder_plan(db, today=TODAY, **options)}  # type: ignore[arg-type]


def test_a_product_that_runs_out_within_its_lead_time_is_ordered_now(db: Database) -> None:
    add(db, "FAST", quantity=30, lead_time=10)
    store(db, {"FAST": 5.0})  # certain demand: no distribution stored
    line = plan(db)["FAST"]
    assert line.lead_time_demand == 50 and line.review_demand == 35
    # Certain demand: the week after the lead time is covered only by all of it, 50 + 35.
    assert line.reorder_point == pytest.approx(85) and line.order_up_to == line.reorder_point
    assert line.run_out_day == TODAY + timedelta(days=5)  # 30 units at 5 a day
    assert line.order_by == TODAY - timedelta(days=5)  # already too late: order now
    assert line.status == "order now"
    # A past order-by day is never shown silently: the line says it is overdue.
    assert line.order_by_passed and line.next_step == "overdue: order today"
    # 20 of the lead time's 50 go unserved and are not made up: the order covers the 35
    # of the week after it arrives, not the 55 a backorder rule would order.
    assert line.expected_lost == pytest.approx(20) and line.stockout_chance == 1.0
    assert line.suggested_quantity == 35
    assert line.fill_after == pytest.approx(1.0) and line.stockout_after == 0.0
    assert line.half_fill == pytest.approx(17 / 35) and line.half_stockout == 1.0
    assert line.days_of_cover == 5
    assert line.revenue_at_risk == Decimal("100.00")  # 10 days x 5 units x 2.00 after run-out
    why = line.explain()
    assert "the order was due by Wed 25 Feb: order today" in why
    assert "Order 35 so that the 7 days after it arrives run out with a chance of at most 5%" in why
    assert "a 0% chance of running out that week, with 100% of its demand expected" in why
    assert "the chance of running out before it arrives is 100%" in why
    assert "about 40% of the demand before then would go unserved" in why
    assert "Ordering half (17) would leave a 100% chance of running out, serving 49%" in why
    assert "at 5% or less (service level 95%, class C), an order is needed whenever" in why
    assert "No demand distribution is stored yet" in why


def test_a_product_with_nothing_on_hand_reads_out_of_stock_now_not_a_chance_of_running_out(
    db: Database,
) -> None:
    add(db, "GONE", quantity=0, lead_time=10)
    add(db, "SOME", quantity=30, lead_time=10)
    store(db, {"GONE": 5.0, "SOME": 5.0})
    lines = plan(db)
    gone, some = lines["GONE"].explain(), lines["SOME"].explain()
    assert "With 0 on hand, it is out of stock now: the chance that a customer asks for" in gone
    assert "turned away before the order arrives is 100%" in gone
    assert "chance of running out before it arrives" not in gone
    assert "out of stock now" not in some
    assert "With 30 on hand, the chance of running out before it arrives is 100%" in some


def test_order_soon_healthy_overstock_and_no_demand(db: Database) -> None:
    add(db, "SOON", quantity=60, lead_time=5)  # runs out at the end of day 12 (index 11)
    add(db, "OK", quantity=200, lead_time=5)
    add(db, "HEAP", quantity=5000, lead_time=5)
    add(db, "DEAD", quantity=40, lead_time=5)
    store(db, {"SOON": 5.0, "OK": 5.0, "HEAP": 5.0, "DEAD": 0.0})
    lines = plan(db)
    # SOON: 35 left when an order placed today would arrive covers that week; after this
    # week's 35 the position (25) is under the reorder point (25 + 33.25).
    assert lines["SOON"].status == "order soon" and lines["SOON"].suggested_quantity == 0
    assert lines["SOON"].order_by == TODAY + timedelta(days=6)
    assert lines["SOON"].next_step == "order by Sun 08 Mar" and not lines["SOON"].order_by_passed
    assert "by next week's review one will be" in lines["SOON"].explain()
    assert lines["OK"].status == "healthy" and lines["OK"].suggested_quantity == 0
    assert lines["HEAP"].status == "overstock" and lines["HEAP"].run_out_day is None
    assert lines["DEAD"].status == "no recent demand"
    order = [line.product_id for line in reorder_list.reorder_plan(db, today=TODAY)]
    assert order == ["SOON", "OK", "HEAP", "DEAD"]


def test_lines_to_order_come_by_order_by_day_then_revenue_at_risk(db: Database) -> None:
    add(db, "LATE", quantity=30, lead_time=3)  # below its reorder point, order by day 3
    add(db, "EARLY", quantity=60, lead_time=10)  # order by day 2
    add(db, "RICH", quantity=60, lead_time=10, price="9.00")  # order by day 2, more at risk
    store(db, {"LATE": 5.0, "EARLY": 5.0, "RICH": 5.0})
    lines = reorder_list.reorder_plan(db, today=TODAY)
    assert [(line.product_id, line.order_by) for line in lines] == [
        ("RICH", TODAY + timedelta(days=1)),
        ("EARLY", TODAY + timedelta(days=1)),
        ("LATE", TODAY + timedelta(days=2)),
    ]
    assert {line.status for line in lines} == {"order now"}


def test_a_wider_demand_range_and_a_higher_target_raise_the_reorder_point(db: Database) -> None:
    add(db, "MUG", quantity=100, lead_time=9)
    store(db, {"MUG": 4.0}, spread=0.0, lead_times={"MUG": 9})
    certain = plan(db)["MUG"]
    assert certain.distribution and certain.reorder_point == pytest.approx(36 + 28)
    store(db, {"MUG": 4.0}, spread=2.0, lead_times={"MUG": 9})
    at_95 = plan(db)["MUG"]
    assert at_95.distribution and at_95.reorder_point > certain.reorder_point
    at_98 = plan(db, service_level=0.98)["MUG"]
    assert at_98.reorder_point > at_95.reorder_point and at_98.safety_stock > at_95.safety_stock
    assert at_98.safety_stock == pytest.approx(at_98.reorder_point - 64, abs=0.5)
    assert at_95.stockout_chance == 0  # 100 on hand against 36 (sd 6) over the lead time
    assert "No demand distribution" not in at_95.explain()
    add(db, "CUP", quantity=42, lead_time=9)  # one sd above the lead time's demand
    store(db, {"CUP": 4.0}, spread=2.0, lead_times={"CUP": 9})
    assert plan(db)["CUP"].stockout_chance == pytest.approx(0.16, abs=0.01)


def test_stock_on_order_counts_towards_the_position_from_its_expected_day(db: Database) -> None:
    add(db, "FAST", quantity=30, lead_time=10)
    store(db, {"FAST": 5.0})
    early = plan(db, arrivals={"FAST": [(TODAY + timedelta(days=3), 40)]})["FAST"]
    # 15 sold before the 40 arrive, 35 after: 20 left for the week after (35 wanted).
    assert early.on_order == 40 and early.expected_lost == 0 and early.suggested_quantity == 15
    assert early.run_out_day == TODAY + timedelta(days=13)  # 70 units: the 14th day
    # The same 40 units arriving after the 30 on hand are gone: 10 lost, 30 left.
    late = plan(db, arrivals={"FAST": [(TODAY + timedelta(days=8), 40)]})["FAST"]
    assert late.run_out_day == TODAY + timedelta(days=5) and late.status == "order now"
    assert late.expected_lost == pytest.approx(10) and late.suggested_quantity == 5
    assert "With 30 on hand and 40 on Tue 10 Mar on order" in late.explain()


def test_the_daily_series_stored_per_product_gives_the_lines_the_prediction_rows_give(
    db: Database,
) -> None:
    """The list reads each product's forecast from forecast_models' daily series (one value
    per product); a forecast stored before the series existed is read from its prediction
    rows: both give the same lines, also for a forecast that started days ago."""
    rng = np.random.default_rng(7)
    start, days = TODAY - timedelta(days=4), 60
    span = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    made = []
    for n in range(6):
        pid = f"P{n}"
        add(db, pid, quantity=10 + 17 * n, lead_time=3 + 2 * n)
        units = np.round(rng.gamma(2.0, 2.0, days) * np.linspace(0.5, 2.0, days), 3)
        made.append(
            refresh.ProductForecast(
                product_id=pid, model="TSB", basis=refresh.OWN_HISTORY, history_days=100,
                selling_share=1.0, days=span, units=units, lower=units, upper=units,
                lower_95=units, upper_95=units, accuracy=None, naive=None, error_sd=0.0,
            )
        )  # fmt: skip
    store_forecasts(db, made, NOW, NOW, start, days, 1.0)
    per_day = {forecast.product_id: forecast for forecast in made}
    with db.read() as session:
        stored = session.execute(
            select(ForecastModelRow.product_id, ForecastModelRow.daily_from)
        ).all()
    assert dict(stored) == dict.fromkeys(per_day, start)
    from_series = reorder_list.reorder_plan(db, today=TODAY)
    with db.write() as session:  # as a forecast made before migration 0016 (one of them)
        session.execute(
            update(ForecastModelRow)
            .where(ForecastModelRow.product_id == "P2")
            .values(daily_from=None, daily_units=None)
        )
    assert reorder_list.reorder_plan(db, today=TODAY) == from_series
    with db.write() as session:  # every one of them
        session.execute(update(ForecastModelRow).values(daily_from=None, daily_units=None))
    from_rows = reorder_list.reorder_plan(db, today=TODAY)
    assert from_rows == from_series
    assert {line.status for line in from_rows} >= {"order now"}
    assert all(line.run_out_day is None or line.run_out_day >= TODAY for line in from_rows)


def test_abc_classes_split_revenue_80_15_5() -> None:
    revenue = pd.Series({"a": 700.0, "b": 150.0, "c": 100.0, "d": 50.0})
    assert reorder_list.abc_classes(revenue).to_dict() == {"a": "A", "b": "A", "c": "B", "d": "C"}
    assert set(reorder_list.abc_classes(pd.Series({"x": 0.0}))) == {"C"}


def test_abc_comes_from_last_years_revenue(db: Database) -> None:
    add(db, "BIG", quantity=500, lead_time=5)
    add(db, "SMALL", quantity=500, lead_time=5)
    inventory.record_history(
        db,
        [HistoryLine(TODAY - timedelta(days=3), "BIG", 100, Decimal("2.00")),
         HistoryLine(TODAY - timedelta(days=3), "SMALL", 1, Decimal("2.00"))],
    )  # fmt: skip
    store(db, {"BIG": 1.0, "SMALL": 1.0})
    lines = plan(db)
    assert lines["BIG"].abc == "A" and lines["SMALL"].abc == "C"


def test_the_reorder_command_lists_what_to_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support import run, sqlite_url

    url = sqlite_url(tmp_path / "shop.db")
    code, _, err = run("--db", url, "reorder")
    assert code == 1 and err.strip() == f"error: no forecasts yet: {views.REFRESH_HINT}"
    code, _, err = run("--db", url, "purchase-orders", "--create")
    assert code == 1 and err.strip() == f"error: no forecasts yet: {views.REFRESH_HINT}"
    db = Database.connect(url)
    add(db, "FAST", quantity=30, lead_time=10)
    add(db, "OK", quantity=900, lead_time=5)
    today = local_now().date()
    span = pd.date_range(pd.Timestamp(today), periods=40, freq="D")
    made = [
        refresh.ProductForecast(
            product_id=pid, model="TSB", basis=refresh.OWN_HISTORY, history_days=100,
            selling_share=1.0, days=span, units=np.full(40, 5.0), lower=np.full(40, 5.0),
            upper=np.full(40, 5.0), lower_95=np.full(40, 5.0), upper_95=np.full(40, 5.0),
            accuracy=None, naive=None, error_sd=0.0,
        )
        for pid in ("FAST", "OK")
    ]  # fmt: skip
    store_forecasts(db, made, NOW, NOW, today, 40, 1.0)
    code, out, err = run("--db", url, "reorder")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["product", "status", "abc"]
    assert lines[2].split()[:2] == ["FAST", "order"] and " 35 " in lines[2]
    assert lines[-1] == "1 more products are healthy (--all shows them)"
    code, out, _ = run("--db", url, "reorder", "--all", "--service-level", "2")
    assert code == 1
    code, out, _ = run("--db", url, "reorder", "--all")
    assert code == 0 and "OK" in out and "overstock" in out  # 900 on hand at 5 a day


def test_lead_time_alerts_are_raised_once_and_resolved_when_stock_arrives(db: Database) -> None:
    from stockcore.inventory import reports

    add(db, "FAST", quantity=30, lead_time=10)  # lasts 6 days, the supplier needs 10
    add(db, "OK", quantity=900, lead_time=5)
    store(db, {"FAST": 5.0, "OK": 5.0})
    first = upkeep.sync_lead_time_alerts(db, today=TODAY, now=NOW)
    assert first.raised == ["FAST"] and first.resolved == [] and first.active == 1
    again = upkeep.sync_lead_time_alerts(db, today=TODAY, now=NOW)
    assert again.raised == [] and again.active == 1  # one active alert per product
    [alert] = reports.lead_time_alerts(db)
    assert alert.product_id == "FAST" and alert.quantity == 30
    assert [a.product_id for a in reports.active_alerts(db)] == []  # threshold alerts apart
    inventory.receive_stock(db, "FAST", 200, clock=lambda: NOW)  # resolves it at once
    assert reports.lead_time_alerts(db) == []
    after = upkeep.sync_lead_time_alerts(db, today=TODAY, now=NOW)
    assert after.raised == after.resolved == [] and after.active == 0


def edit(db: Database, pid: str, **changes: object) -> None:
    inventory.update_products(db, {pid: changes}, clock=lambda: NOW)


def test_a_products_own_service_level_beats_its_classs_setting(db: Database) -> None:
    add(db, "MUG", quantity=100, lead_time=9)
    store(db, {"MUG": 4.0}, spread=2.0, lead_times={"MUG": 9})
    inventory.update_settings(db, service_levels={"A": "0.9", "B": "0.9", "C": "99%"})
    by_class = plan(db)["MUG"]  # no sales last year: class C
    assert by_class.abc == "C" and by_class.service_level == 0.99
    assert "at 1% or less (service level 99%, class C)" in by_class.explain()
    edit(db, "MUG", service_level="0.8")
    own = plan(db)["MUG"]
    assert own.service_level == 0.8 and "(service level 80%, its own)" in own.explain()
    assert own.reorder_point < by_class.reorder_point


def test_a_lead_time_spread_adds_the_demand_of_late_days(db: Database) -> None:
    add(db, "MUG", quantity=100, lead_time=9)
    store(db, {"MUG": 4.0})
    edit(db, "MUG", lead_time_sd_days=2)
    line = plan(db)["MUG"]
    # Five equally likely deliveries between about 6.4 and 11.6 days: a sure 9 days would
    # need 36 + 28; at 95% only the latest may not run out, 11.56 days: 46.25 + 28.
    assert line.reorder_point == pytest.approx(46.25 + 28, abs=0.01)
    edit(db, "MUG", service_level="0.75")  # the fourth of five: 10.05 days
    assert plan(db)["MUG"].reorder_point == pytest.approx(4 * 10.0488 + 28, abs=0.01)
    assert "arrives in 9 days (give or take 2 days)" in line.explain()


def test_orders_are_rounded_up_to_whole_packs_and_the_minimum(db: Database) -> None:
    add(db, "FAST", quantity=30, lead_time=10)
    store(db, {"FAST": 5.0})
    assert plan(db)["FAST"].suggested_quantity == 35
    edit(db, "FAST", pack_size=12)
    assert plan(db)["FAST"].suggested_quantity == 36  # 3 packs
    edit(db, "FAST", min_order_quantity=100)
    line = plan(db)["FAST"]
    assert line.suggested_quantity == 108  # at least 100, in packs of 12
    assert "packs of 12; at least 100" in line.explain()


def test_eoq_sizes_orders_once_ordering_cost_and_holding_rate_are_set(db: Database) -> None:
    add(db, "FAST", quantity=30, lead_time=10)  # price 2.00, no cost: held at its price
    store(db, {"FAST": 5.0})
    inventory.update_settings(db, ordering_cost="50")
    assert plan(db)["FAST"].eoq is None  # needs both
    inventory.update_settings(db, holding_rate="25%")
    line = plan(db)["FAST"]
    # sqrt(2 x 1825 a year x 50 / (0.25 x 2.00)) = sqrt(365,000) = 604.2
    assert line.eoq == pytest.approx(604.15, abs=0.01)
    assert line.suggested_quantity == 605
    assert "the economic order quantity is 604" in line.explain()
    inventory.update_settings(db, ordering_cost="", holding_rate=None)
    assert plan(db)["FAST"].suggested_quantity == 35


def test_lumpy_past_orders_widen_the_stored_range_and_the_reorder_point(db: Database) -> None:
    add(db, "LUMPY", quantity=400, lead_time=10)
    history = [
        HistoryLine(TODAY - timedelta(days=back), "LUMPY", 100 if back % 20 == 0 else 1,
                    Decimal("2.00"))
        for back in range(1, 200)
    ]  # fmt: skip
    inventory.record_history(db, history)
    refresh.refresh_forecasts(db, horizon_days=60, workers=1, clock=lambda: NOW)
    line = plan(db)["LUMPY"]
    assert line.distribution
    # About 6 a day on average, but a 17-day stretch holds a 100-unit order most often.
    assert line.reorder_point > 100 > line.lead_time_demand + line.review_demand


def test_a_purchase_that_leaves_too_little_for_the_lead_time_alerts_at_once(
    db: Database,
) -> None:
    from stockcore.inventory import reports

    add(db, "FAST", quantity=100, lead_time=10)  # 100 units last 20 days at 5 a day
    store(db, {"FAST": 5.0})
    calm = inventory.purchase(db, "FAST", 40, clock=lambda: NOW)  # 60 left: 12 days
    assert not calm.runs_out_before_delivery and reports.lead_time_alerts(db) == []
    short = inventory.purchase(db, "FAST", 20, clock=lambda: NOW)  # 40 left: 8 days
    assert short.runs_out_before_delivery
    [alert] = reports.lead_time_alerts(db)
    assert (alert.product_id, alert.quantity, alert.needed_at_raise) == ("FAST", 40, 50)
    again = inventory.purchase(db, "FAST", 1, clock=lambda: NOW)
    assert not again.runs_out_before_delivery and len(reports.lead_time_alerts(db)) == 1
    inventory.adjust_stock(db, "FAST", change=30, reason="found a box", clock=lambda: NOW)
    assert reports.lead_time_alerts(db) == []  # 69 units last 13 days


def test_an_open_purchase_order_arriving_in_time_prevents_the_alert(db: Database) -> None:
    from stockcore.inventory import reports
    from stockcore.replenishment import purchase_orders, receiving

    add(db, "FAST", quantity=100, lead_time=10)
    store(db, {"FAST": 5.0})
    ordered = purchase_orders.create_purchase_orders(
        db, {"FAST": 100}, clock=lambda: NOW - timedelta(days=5)
    )
    assert ordered[0].expected_on == TODAY + timedelta(days=5)
    # 40 left would last 8 days, but the 100 units come on day 6.
    assert not inventory.purchase(db, "FAST", 60, clock=lambda: NOW).runs_out_before_delivery
    assert reports.lead_time_alerts(db) == []
    receiving.close_purchase_order(db, ordered[0].order_id, clock=lambda: NOW)
    assert inventory.purchase(db, "FAST", 1, clock=lambda: NOW).runs_out_before_delivery


def test_sales_imported_into_stock_raise_lead_time_alerts_and_undo_resolves_them(
    db: Database,
) -> None:
    from stockcore import imports
    from stockcore.inventory import reports

    add(db, "FAST", quantity=100, lead_time=10)
    store(db, {"FAST": 5.0})
    data = b"date,product_id,quantity,unit_price\n2026-03-01,FAST,60,2.00\n"
    outcome = imports.import_sales(
        db, data, "orders.csv", imports.ImportOptions(apply_to_stock=True), clock=lambda: NOW
    )
    assert [a.product_id for a in reports.lead_time_alerts(db)] == ["FAST"]  # 40 left
    imports.undo_import(db, outcome.batch_id, clock=lambda: NOW)
    assert reports.lead_time_alerts(db) == []
