"""Chart builders (asserted on their Vega-Lite spec) and spreadsheet-safe CSV exports."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from stockcore.imports import exports
from stockcore.interfaces import charts
from stockcore.inventory import reports


def stock_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": ["2", "1"],
            "name": ["Tote", "Mug"],
            "quantity": [1, 9],
            "restock_threshold": [5, 4],
            "label": ["2 Tote", "1 Mug"],
            "status": ["below threshold", "ok"],
        }
    )


def test_stock_chart_layers_bars_and_threshold_ticks_with_tooltips() -> None:
    spec = charts.stock_vs_threshold(stock_frame()).to_dict()
    bars, ticks, counts = spec["layer"]
    assert counts["mark"]["type"] == "text" and counts["encoding"]["text"]["field"] == "quantity"
    assert bars["encoding"]["color"]["legend"]["orient"] == "bottom"  # a phone keeps the width
    assert bars["mark"]["type"] == "bar" and ticks["mark"]["type"] == "tick"
    assert bars["encoding"]["x"]["field"] == "quantity"
    assert ticks["encoding"]["x"]["field"] == "restock_threshold"
    assert bars["encoding"]["y"]["sort"] == ["2 Tote", "1 Mug"]  # most urgent on top
    assert bars["encoding"]["color"]["scale"]["domain"] == ["below threshold", "ok"]
    for layer in (bars, ticks):
        tooltip_fields = {t["field"] for t in layer["encoding"]["tooltip"]}
        assert {"quantity", "restock_threshold", "status"} <= tooltip_fields


def trend() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2026-01-05", "2026-01-05", "2026-01-12"]),
            "category": ["Bags", "Kitchen", "Bags"],
            "units": [1, 2, 3],
            "revenue": [4.0, 5.0, 12.0],
        }
    )


def test_sales_trend_totals_per_period_or_splits_by_category() -> None:
    total = charts.sales_trend(trend(), by_category=False).to_dict()
    line = total["layer"][0]
    assert line["encoding"]["x"] == {"field": "period_start", "title": None, "type": "temporal"}
    assert line["encoding"]["y"]["field"] == "revenue" and "color" not in line["encoding"]
    rows = total["datasets"][line["data"]["name"]]
    assert [r["revenue"] for r in rows] == [9.0, 12.0]
    split = charts.sales_trend(trend(), measure="units", by_category=True).to_dict()["layer"][0]
    assert split["encoding"]["color"]["field"] == "category"
    assert split["encoding"]["y"]["field"] == "units"
    assert all("tooltip" in c["encoding"] for c in (line, split))


def test_a_partial_last_period_is_dashed_and_labelled_so_far_not_drawn_as_a_fall() -> None:
    cut = trend().assign(partial=[False, False, True])
    spec = charts.sales_trend(cut, by_category=False).to_dict()
    _, dashed, hollow, part, so_far = spec["layer"]
    rows = [spec["datasets"][layer["data"]["name"]] for layer in spec["layer"]]
    assert [r["revenue"] for r in rows[0]] == [9.0]  # the solid line stops before it
    assert dashed["mark"]["strokeDash"] and [r["revenue"] for r in rows[1]] == [9.0, 12.0]
    assert hollow["mark"]["filled"] is False and [r["revenue"] for r in rows[2]] == [12.0]
    assert rows[3] == [] and [r["note"] for r in rows[4]] == ["so far"]
    assert so_far["mark"]["align"] == "right" and part["mark"]["align"] == "left"
    assert spec["title"] == ["Revenue over time", "(dashed: a period cut short, so far)"]


def test_top_products_keeps_the_best_sellers() -> None:
    frame = pd.DataFrame(
        {
            "product_id": list("abc"),
            "name": list("ABC"),
            "category": ["x"] * 3,
            "units": [5, 1, 9],
            "revenue": [10.0, 50.0, 9.0],
        }
    )
    spec = charts.top_products(frame, limit=2).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["product_id"] for r in rows] == ["b", "a"]
    assert spec["encoding"]["x"]["field"] == "revenue" and spec["encoding"]["tooltip"]


def test_category_chart_encodes_category_and_measure() -> None:
    frame = pd.DataFrame({"category": ["Bags"], "units": [3], "revenue": [12.0]})
    spec = charts.category_breakdown(frame, measure="units").to_dict()
    assert (
        spec["encoding"]["y"]["field"] == "category" and spec["encoding"]["x"]["field"] == "units"
    )


def test_csv_exports_escape_formulas_and_read_back() -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-sale", "@me", "Mug"], "units": [-1, 2, 3, 4, 5]}
    )
    text = exports.to_csv(frame)
    back = pd.read_csv(io.StringIO(text))
    assert back["name"].tolist() == ['\'=HYPERLINK("x")', "'+1", "'-sale", "'@me", "Mug"]
    assert back["units"].tolist() == [-1, 2, 3, 4, 5]  # numbers stay numbers


def test_period_starts_are_mondays_and_first_of_month() -> None:
    days = pd.Series([date(2026, 3, 1), date(2026, 3, 4)])
    assert reports.period_starts(days, "week").dt.strftime("%Y-%m-%d").tolist() == [
        "2026-02-23",
        "2026-03-02",
    ]
    assert reports.period_starts(days, "month").dt.strftime("%Y-%m-%d").tolist() == [
        "2026-03-01",
        "2026-03-01",
    ]


def test_inventory_editor_rows_become_product_edits() -> None:
    table = pd.DataFrame({"product_id": ["A", "B"], "unit_cost": [1.0, 2.0]})
    edits = reports.inventory_edits(table, {1: {"unit_cost": float("nan"), "lead_time_days": 3}})
    assert edits == {"B": {"unit_cost": None, "lead_time_days": 3}}


def test_forecast_chart_layers_history_bands_forecast_and_run_out_rule() -> None:
    history = pd.DataFrame(
        {"day": pd.to_datetime(["2026-03-02", "2026-03-03"]), "units": [4.0, float("nan")]}
    )
    forecast = pd.DataFrame(
        {
            "day": pd.to_datetime(["2026-03-04", "2026-03-05"]),
            "predicted_units": [3.0, 3.5],
            "lower": [1.0, 1.5],
            "upper": [5.0, 6.0],
            "lower_95": [0.0, 0.5],
            "upper_95": [8.0, 9.0],
        }
    )
    spec = charts.demand_forecast(history, forecast, run_out_day=date(2026, 3, 5)).to_dict()
    sold, band_95, band_80, line, rule, label = spec["layer"]
    assert sold["mark"]["type"] == "line" and sold["encoding"]["y"]["field"] == "units"
    assert band_95["mark"]["type"] == band_80["mark"]["type"] == "area"
    assert (band_80["encoding"]["y"]["field"], band_80["encoding"]["y2"]["field"]) == (
        "lower",
        "upper",
    )
    assert band_95["encoding"]["y2"]["field"] == "upper_95"
    assert line["encoding"]["y"]["field"] == "predicted_units"
    assert rule["mark"]["type"] == "rule" and label["mark"]["type"] == "text"
    assert {"day": "2026-03-05T00:00:00", "label": "runs out Thu 05 Mar"} in [
        row for rows in spec["datasets"].values() for row in rows
    ]
    assert all("tooltip" in layer["encoding"] for layer in spec["layer"][:-1])
    # It opens on the 13 weeks before the forecast and the forecast itself.
    domain = sold["encoding"]["x"]["scale"]["domain"]
    assert domain == ["2025-12-03T00:00:00", "2026-03-05T00:00:00"]
    without = charts.demand_forecast(history, forecast).to_dict()
    assert len(without["layer"]) == 4  # no stock-out within the horizon: no rule


def test_reorder_chart_stacks_stock_and_the_order_against_reorder_point_ticks() -> None:
    from stockcore.replenishment.plan_table import PLAN_COLUMNS

    frame = pd.DataFrame(
        [
            dict.fromkeys(PLAN_COLUMNS)
            | {"product_id": f"P{n}", "name": f"Product {n}", "status": "order now",
               "on_hand": 10 * n, "on_order": 5, "order": 12, "reorder_point": 40.0,
               "stockout_chance": 0.1}
            for n in range(20)
        ]
    )  # fmt: skip
    spec = charts.reorder_position(frame, limit=15).to_dict()
    bars, reorder_ticks = spec["layer"]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x"]["stack"] == "zero"
    kinds = bars["encoding"]["color"]["scale"]["domain"]
    assert kinds == ["on hand", "on order", "suggested order"]
    assert reorder_ticks["encoding"]["x"]["field"] == "reorder_point"
    assert len(bars["encoding"]["y"]["sort"]) == 15  # the 15 most urgent, in order
    assert all("tooltip" in layer["encoding"] for layer in spec["layer"])
