"""Reorder-point arithmetic against the spec's calculator and the textbook values."""

from __future__ import annotations

import numpy as np
import pytest

from stockcore.domain import InvalidValue, parse_service_level
from stockcore.replenishment.levels import (
    cover_level,
    demand_sigma,
    economic_order_quantity,
    order_quantity,
    parse_daily_demand,
    parse_lead_time,
    parse_spread,
    round_order,
    stock_levels,
    stretch_sums,
    trading_days_in,
)


def test_the_specs_calculator_80_a_day_for_5_days() -> None:
    levels = stock_levels(80, 5)
    assert levels.reorder_point == 400
    assert levels.safety_stock == 80  # no variability known: one day of demand
    assert levels.optimal_stock_level == 480
    assert "one day of demand" in levels.explain()


def test_the_textbook_reorder_point_with_demand_spread() -> None:
    levels = stock_levels(50, 6, demand_std=5, service_level=0.90)
    assert round(levels.reorder_point, 2) == 315.70
    assert round(levels.safety_stock, 2) == 15.70
    assert "315.70" in levels.explain()


def test_the_textbook_reorder_point_with_lead_time_spread_too() -> None:
    levels = stock_levels(50, 6, demand_std=5, lead_time_std=2, service_level=0.90)
    assert round(levels.reorder_point, 2) == 429.11
    assert round(levels.sigma or 0, 3) == 100.747


def test_a_higher_service_level_needs_more_safety_stock() -> None:
    low = stock_levels(50, 6, demand_std=5, service_level=0.90)
    high = stock_levels(50, 6, demand_std=5, service_level=0.98)
    assert high.safety_stock > low.safety_stock and high.reorder_point > low.reorder_point


def test_orders_are_rounded_up_to_whole_packs_and_the_minimum() -> None:
    assert round_order(0) == 0 and round_order(-5, minimum=10) == 0
    assert round_order(1.2) == 2
    assert round_order(7, pack_size=6) == 12
    assert round_order(7, minimum=24, pack_size=6) == 24
    assert round_order(25, minimum=24, pack_size=6) == 30
    assert round_order(12, pack_size=6) == 12


def test_stock_on_order_is_subtracted() -> None:
    assert order_quantity(480, on_hand=100, on_order=0) == 380
    assert order_quantity(480, on_hand=100, on_order=300) == 80
    assert order_quantity(480, on_hand=100, on_order=400) == 0
    assert order_quantity(480, on_hand=100, on_order=300, pack_size=48) == 96


def test_the_cover_level_is_the_forecast_plus_z_sigma_without_a_past() -> None:
    level = cover_level(
        expected=100, sigma=10, past_sums=np.array([]), cycle_demand=50, service_level=0.95
    )
    assert level.level == pytest.approx(116.449, abs=1e-3)
    assert level.safety_stock == pytest.approx(16.449, abs=1e-3)
    assert level.basis == "the forecast's backtest errors"


def test_the_cover_level_rises_to_what_past_stretches_sold() -> None:
    steady = np.full(50, 100.0)
    lumpy = np.array([100.0] * 45 + [400.0] * 5)  # one stretch in ten had a big order
    calm = cover_level(
        expected=100, sigma=5, past_sums=steady, cycle_demand=50, service_level=0.95
    )  # fmt: skip
    assert calm.level == pytest.approx(108.22, abs=0.01)  # the forecast's errors rule
    stormy = cover_level(
        expected=100, sigma=5, past_sums=lumpy, cycle_demand=50, service_level=0.95
    )  # fmt: skip
    assert stormy.past_level == pytest.approx(400.0)
    assert stormy.level == 400.0 and stormy.basis.startswith("what the same stretch")
    # Past stretches are scaled up to a higher forecast, never down to a lower one.
    rising = cover_level(
        expected=260, sigma=0, past_sums=lumpy, cycle_demand=50, service_level=0.5
    )  # fmt: skip
    assert rising.past_level == pytest.approx(200.0)  # median 100 x (260 / mean 130)
    falling = cover_level(
        expected=50, sigma=0, past_sums=lumpy, cycle_demand=50, service_level=0.5
    )  # fmt: skip
    assert falling.past_level == pytest.approx(100.0)


def test_stretch_sums_leave_out_stock_out_days() -> None:
    history = np.array([1.0, 2.0, np.nan, 3.0, 4.0])
    assert stretch_sums(history, 2).tolist() == [3.0, 5.0, 7.0]
    assert stretch_sums(np.array([2.0, np.nan]), 4).tolist() == [8.0]  # scaled to 4 days
    assert stretch_sums(np.array([]), 3).size == 0
    assert trading_days_in(7, 6) == 6 and trading_days_in(14, 5) == 10
    assert trading_days_in(1, 5) == 1


def test_the_sigma_adds_the_lead_times_spread() -> None:
    assert demand_sigma(2.0, 9, 4.0, None) == pytest.approx(6.0)
    assert demand_sigma(2.0, 9, 4.0, 2.0) == pytest.approx(10.0)  # sqrt(36 + 64)


def test_economic_order_quantity() -> None:
    assert economic_order_quantity(1000, 10, 0.5) == pytest.approx(200.0)
    assert economic_order_quantity(0, 10, 0.5) == 0.0


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (parse_daily_demand, "-3", "daily demand '-3' must not be negative"),
        (parse_daily_demand, "lots", "is not a number"),
        (parse_lead_time, "0", "lead time '0' must be more than 0 days"),
        (parse_lead_time, "9999", "is more than 365 days"),
        (parse_service_level, "1.5", "must be between 0 and 1"),
        (parse_service_level, "0", "must be between 0 and 1"),
        (parse_service_level, "nan", "finite"),
        (lambda v: parse_spread(v, "demand sd"), "-1", "must not be negative"),
    ],
)
def test_bad_numbers_are_refused_with_the_field_and_value(parse, value, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidValue) as refusal:
        parse(value)
    assert message in str(refusal.value)


def test_service_levels_read_as_fractions_or_percent() -> None:
    assert parse_service_level("0.95") == 0.95
    assert parse_service_level("95%") == pytest.approx(0.95)
    with pytest.raises(InvalidValue):
        parse_service_level("95")  # 95 what? a fraction or "95%", please


def test_optimize_prints_the_three_numbers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import run

    code, out, _ = run("optimize", "--daily-demand", "80", "--lead-time", "5")
    assert code == 0
    assert out.splitlines()[:3] == [
        "reorder point: 400.00 units",
        "safety stock: 80.00 units",
        "optimal stock level: 480.00 units",
    ]
    code, out, _ = run(
        "optimize", "--daily-demand", "50", "--lead-time", "6", "--demand-std", "5",
        "--lead-time-std", "2", "--service-level", "90%",
    )  # fmt: skip
    assert code == 0 and out.startswith("reorder point: 429.11 units")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--daily-demand", "-5", "--lead-time", "5"], "daily demand '-5' must not be negative"),
        (["--daily-demand", "5", "--lead-time", "0"], "lead time '0' must be more than 0 days"),
        (["--daily-demand", "5", "--lead-time", "5", "--service-level", "1"], "between 0 and 1"),
        (["--daily-demand", "5", "--lead-time", "5", "--demand-std", "x"], "is not a number"),
    ],
)
def test_optimize_refuses_bad_numbers_in_one_line(argv: list[str], message: str) -> None:
    from tests.test_cli import run

    code, out, err = run("optimize", *argv)
    assert code == 1 and out == "" and message in err and len(err.strip().splitlines()) == 1
