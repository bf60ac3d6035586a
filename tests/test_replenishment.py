"""Reorder-point arithmetic against the spec's calculator and the textbook values."""

from __future__ import annotations

import numpy as np
import pytest

from stockcore.domain import InvalidValue, parse_service_level
from stockcore.replenishment import levels
from stockcore.replenishment.levels import (
    economic_order_quantity,
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


def cover(lead: list[float], review: list[float]) -> levels.Cover:
    return levels.Cover(np.array(lead, dtype=float), np.array(review, dtype=float))


def test_a_cover_splits_each_future_in_proportion_to_expected_demand() -> None:
    # Lead time: 20 expected of the 30 of lead time + review.
    made = levels.Cover.from_quantiles([10, 20, 30], [15, 30, 45])
    assert made.lead.tolist() == pytest.approx([10, 20, 30])
    assert made.review.tolist() == pytest.approx([5, 10, 15])
    assert made.lead_alone is not None and made.lead_alone.tolist() == [10, 20, 30]
    # Lumpy: the lead time's own shape is kept for the chance of running out.
    lumpy = levels.Cover.from_quantiles([0, 0, 90], [30, 30, 90])
    assert lumpy.review.tolist() == pytest.approx([12, 12, 36])  # 20 of 50 expected
    outlook = levels.lead_time_outlook(10, [], lumpy)
    assert outlook.stockout_chance == pytest.approx(1 / 3)
    assert outlook.expected_lost == pytest.approx(80 / 3)
    assert levels.Cover.from_quantiles([10], [8]).review.tolist() == [0.0]  # never negative
    with pytest.raises(ValueError):
        levels.Cover.from_quantiles([], [3])


def test_with_certain_demand_the_order_is_exactly_the_gap() -> None:
    certain = cover([50], [35])
    outlook = levels.lead_time_outlook(60, [], certain)
    assert outlook.left.tolist() == [10] and outlook.stockout_chance == 0
    # The week after arrival wants 35 and 10 are left: 25 whatever the target.
    assert levels.order_for_service(certain, outlook.left, 0.95) == pytest.approx(25)
    assert levels.order_for_service(certain, outlook.left, 0.5) == pytest.approx(25)
    assert levels.level_for_service(certain, 0.95) == pytest.approx(50 + 35)
    assert levels.order_for_service(certain, np.array([40.0]), 0.95) == 0  # 40 cover it


def test_the_order_keeps_the_chance_of_running_out_that_week_at_most_one_minus_the_target() -> None:
    # The week after arrival sells 0 or 100, equally likely.
    split = cover([0, 0], [0, 100])
    nothing = np.zeros(2)
    assert levels.order_for_service(split, nothing, 0.5) == 0  # runs out half the time: allowed
    assert levels.order_for_service(split, nothing, 0.9) == pytest.approx(100)
    assert levels.stockout_chance_after(split, nothing, 99) == 0.5
    assert levels.stockout_chance_after(split, nothing, 100) == 0.0
    # The expected fill rate is shown beside it (E[D] = 50, E[(D - q)+] = (100 - q) / 2).
    assert levels.expected_fill(split, nothing, 90) == pytest.approx(0.9)
    # The reorder point: the lead time sells 10 or 30 with the week's 0 or 100 (paired).
    paired = cover([10, 30], [0, 100])
    assert levels.level_for_service(paired, 0.9) == pytest.approx(130)
    assert levels.level_for_service(paired, 0.5) == 0  # a week of 0 never runs out


def test_sales_lost_before_the_order_arrives_are_not_ordered_again() -> None:
    # 10 on hand, 30 wanted over the lead time: 20 go unserved and the week after the
    # order arrives (20 units) starts from nothing. A backorder rule would order 40.
    short = cover([30], [20])
    outlook = levels.lead_time_outlook(10, [], short)
    assert outlook.stockout_chance == 1.0 and outlook.expected_lost == pytest.approx(20)
    assert levels.order_for_service(short, outlook.left, 0.99) == pytest.approx(20)


def test_orders_on_their_way_count_from_their_day() -> None:
    # Nothing on hand, 30 arriving halfway through a 20-unit lead time: 10 lost first,
    # then 20 left when the new order arrives.
    half = cover([20], [10])
    outlook = levels.lead_time_outlook(0, [levels.Arrival(0.5, 30)], half)
    assert outlook.expected_lost == pytest.approx(10) and outlook.left.tolist() == [20]
    assert levels.order_for_service(half, outlook.left, 0.99) == 0
    early = levels.lead_time_outlook(0, [levels.Arrival(0.0, 30)], half)
    assert early.stockout_chance == 0 and early.left.tolist() == [10]
    assert levels.arrivals_in(np.array([1.0, 1.0, 2.0]), [(2, 5), (9, 1)]) == [
        levels.Arrival(0.5, 5.0), levels.Arrival(1.0, 1.0),
    ]  # fmt: skip


def test_a_higher_target_orders_more_and_a_wider_range_needs_more() -> None:
    narrow = levels.Cover.from_quantiles(np.full(100, 50.0), np.linspace(80, 90, 100))
    wide = levels.Cover.from_quantiles(np.full(100, 50.0), np.linspace(55, 115, 100))
    left = np.zeros(100)
    orders = [levels.order_for_service(wide, left, t) for t in (0.8, 0.9, 0.95, 0.99)]
    assert orders == sorted(orders) and orders[0] < orders[-1]
    assert levels.order_for_service(narrow, left, 0.95) < levels.order_for_service(wide, left, 0.95)
    assert levels.stockout_chance_after(wide, left, orders[2]) <= 0.05
    assert levels.stockout_chance_after(wide, left, orders[2] - 0.01) > 0.05
    with pytest.raises(InvalidValue, match="service level"):
        levels.order_for_service(wide, left, 1.0)


def test_stretch_sums_leave_out_stock_out_days() -> None:
    history = np.array([1.0, 2.0, np.nan, 3.0, 4.0])
    assert stretch_sums(history, 2).tolist() == [3.0, 5.0, 7.0]
    assert stretch_sums(np.array([2.0, np.nan]), 4).tolist() == [8.0]  # scaled to 4 days
    assert stretch_sums(np.array([]), 3).size == 0
    assert trading_days_in(7, 6) == 6 and trading_days_in(14, 5) == 10
    assert trading_days_in(1, 5) == 1


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
        (parse_service_level, "1.5", "'1.5' must be from 50% to 99.9%"),  # not 1.5%
        (parse_service_level, "0", "must be from 50% to 99.9%"),
        (parse_service_level, "100%", "must be from 50% to 99.9%"),
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
    assert parse_service_level(" 95 % ") == pytest.approx(0.95)
    assert parse_service_level("95") == pytest.approx(0.95)  # above 1: only a percentage
    assert parse_service_level(99.5) == pytest.approx(0.995)
    for unreadable in ("1", "1.5", "0.3", "100", "100.5"):  # never read as another number
        with pytest.raises(InvalidValue):
            parse_service_level(unreadable)


def test_optimize_prints_the_three_numbers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.support import run

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
        (["--daily-demand", "5", "--lead-time", "5", "--service-level", "1"], "from 50% to 99.9%"),
        (["--daily-demand", "5", "--lead-time", "5", "--demand-std", "x"], "is not a number"),
    ],
)
def test_optimize_refuses_bad_numbers_in_one_line(argv: list[str], message: str) -> None:
    from tests.support import run

    code, out, err = run("optimize", *argv)
    assert code == 1 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_the_rule_for_many_products_at_once_gives_each_the_smallest_order_meeting_its_target() -> (
    None
):
    """The reorder list reads every product together: for each, whatever the samples (100,
    500 with a lead-time spread, or the forecast's mean alone), the stock left, the target,
    or no demand at all, the order and the reorder point are the smallest that keep the
    chance of running out in the week after arrival at most 1 - its target."""
    rng = np.random.default_rng(11)
    covers, lefts, targets = [], [], []
    for i in range(300):
        scale = float(rng.choice([0.0, 0.3, 4.0, 250.0]))
        lead = np.sort(rng.gamma(1.5, scale, 100))
        both = lead + np.sort(rng.gamma(1.5, scale, 100))
        cover = levels.Cover.from_quantiles(lead, both)
        if i % 3 == 1:
            cover = levels.with_lead_time_spread(cover, 10, 3.0)
        elif i % 3 == 2:
            cover = levels.Cover(np.array([lead.mean()]), np.array([both.mean() - lead.mean()]))
        covers.append(cover)
        lefts.append(np.maximum(rng.normal(scale * 3, scale + 1, cover.review.size), 0.0))
        targets.append(float(rng.choice([0.5, 0.9, 0.95, 0.999])))
    orders = levels.orders_for_service(covers, lefts, targets)
    points = levels.levels_for_service(covers, targets)
    for made, left, target, order, point in zip(
        covers, lefts, targets, orders, points, strict=True
    ):
        allowed = 1 - target + 1e-12
        if made.review_mean <= 0:
            assert order == 0 and point == 0
            continue
        assert levels.stockout_chance_after(made, left, order) <= allowed
        assert order == 0 or levels.stockout_chance_after(made, left, order - 1e-6) > allowed
        at_point = np.maximum(point - made.lead, 0.0)
        assert levels.stockout_chance_after(made, at_point, 0.0) <= allowed
        below = np.maximum(point - 1e-6 - made.lead, 0.0)
        assert point == 0 or levels.stockout_chance_after(made, below, 0.0) > allowed
        assert order == levels.order_for_service(made, left, target)
    assert sum(levels.orders_for_service(covers, lefts, targets)) > 0
    with pytest.raises(InvalidValue, match="service level"):
        levels.orders_for_service(covers[:1], lefts[:1], [1.0])
