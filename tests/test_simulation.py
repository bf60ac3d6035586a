"""The policy replay on tiny histories checked by hand."""

from __future__ import annotations

import numpy as np

from stockcore.replenishment.simulation import order_up_to, replay, static_threshold


def never(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
    return 0


def test_demand_beyond_stock_is_lost_and_counts_stock_out_days() -> None:
    result = replay(np.array([3, 3, 3, 3]), opening_stock=7, lead_time_days=2, decide=never)
    # 3 + 3 served, then 1 of 3, then 0 of 3.
    assert result.served == 7 and result.demanded == 12
    assert result.stockout_days == 2
    assert result.fill_rate == 7 / 12
    assert result.average_on_hand == (4 + 1 + 0 + 0) / 4
    assert result.orders == 0


def test_orders_arrive_after_the_lead_time_before_the_days_demand() -> None:
    seen: list[tuple[int, int, int]] = []

    def once(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
        seen.append((day, on_hand, on_order))
        return 10 if day == 0 else 0

    result = replay(np.array([2, 2, 2, 2]), opening_stock=3, lead_time_days=2, decide=once)
    # day 0: order 10 (arrives day 2); sell 2 -> 1. day 1: sell 1 of 2 -> 0, stock-out.
    # day 2: +10, sell 2 -> 8. day 3: sell 2 -> 6.
    assert seen == [(0, 3, 0), (1, 1, 10), (2, 10, 0), (3, 8, 0)]
    assert result.served == 7 and result.stockout_days == 1
    assert result.average_on_hand == (1 + 0 + 8 + 6) / 4
    assert result.orders == 1 and result.units_ordered == 10


def test_a_policy_sees_only_the_past() -> None:
    lengths: list[int] = []

    def look(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
        lengths.append(len(past))
        return 0

    replay(np.array([1, 2, 3]), opening_stock=9, lead_time_days=1, decide=look, history=np.ones(5))
    assert lengths == [5, 6, 7]


def test_review_days_only() -> None:
    days: list[int] = []

    def look(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
        days.append(day)
        return 0

    replay(np.zeros(10), opening_stock=0, lead_time_days=1, decide=look, review_every=4)
    assert days == [0, 4, 8]


def test_static_threshold_orders_a_fixed_quantity_below_the_threshold() -> None:
    decide = static_threshold(5, 20)
    result = replay(np.array([3, 3, 3, 3, 3]), opening_stock=8, lead_time_days=1, decide=decide)
    # day 0: 8 >= 5 no order; sell 3 -> 5. day 1: 5 >= 5 no; sell -> 2. day 2: 2 < 5 order
    # 20 (day 3); sell 2 of 3. day 3: +20, position 20 >= 5; sell -> 17. day 4: -> 14.
    assert result.orders == 1 and result.stockout_days == 1 and result.served == 14


def test_order_up_to_fills_the_gap_at_the_reorder_point() -> None:
    decide = order_up_to(lambda day, past: (4.0, 10.0))
    assert decide(0, 5, 0, np.array([])) == 0
    assert decide(0, 3, 0, np.array([])) == 7
    assert decide(0, 1, 3, np.array([])) == 6
