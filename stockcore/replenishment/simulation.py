"""Replaying a product's real demand day by day under a stocking policy. No database.

The rules of the replay:

* Each day, first the orders due that day arrive, then the day's demand is served from
  stock on hand. Demand beyond what is on hand is lost (the customer buys elsewhere).
* A day with lost demand is a stock-out day.
* On review days the policy looks at the stock position (on hand + on order) and may
  place an order, which arrives `lead_time_days` later.
* Fill rate = units served / units demanded. Average inventory = the mean of the units
  on hand at the end of each day (and at the unit cost, its value).

A policy only ever sees the past: `decide` gets the day's index and the demand before
that day, never the day's own demand or later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# decide(day, on_hand, on_order, past_demand) -> units to order now (0 for none)
Decide = Callable[[int, int, int, np.ndarray], int]


@dataclass(frozen=True)
class Replay:
    demanded: int
    served: int
    stockout_days: int
    average_on_hand: float
    orders: int
    units_ordered: int
    stocked_out: np.ndarray  # per day: whether demand went unserved

    @property
    def fill_rate(self) -> float:
        return self.served / self.demanded if self.demanded else 1.0


def replay(
    demand: np.ndarray,
    *,
    opening_stock: int,
    lead_time_days: int,
    decide: Decide,
    history: np.ndarray | None = None,
    review_every: int = 1,
) -> Replay:
    """Run a policy over `demand` (units wanted per day, whole numbers). `history` is the
    demand before the first replayed day, which the policy may learn from."""
    wanted = np.asarray(demand, dtype=np.int64)
    past = np.asarray(history if history is not None else [], dtype=float)
    arrivals = np.zeros(len(wanted) + lead_time_days + 1, dtype=np.int64)
    on_hand = int(opening_stock)
    on_order = 0
    served = stockout_days = orders = units_ordered = 0
    end_of_day = np.empty(len(wanted), dtype=np.int64)
    stocked_out = np.zeros(len(wanted), dtype=bool)
    for day, units in enumerate(wanted):
        if arrivals[day]:
            on_hand += int(arrivals[day])
            on_order -= int(arrivals[day])
        if day % review_every == 0:
            seen = np.concatenate([past, wanted[:day].astype(float)])
            quantity = int(decide(day, on_hand, on_order, seen))
            if quantity > 0:
                arrivals[day + lead_time_days] += quantity
                on_order += quantity
                orders += 1
                units_ordered += quantity
        sold = min(int(units), on_hand)
        on_hand -= sold
        served += sold
        if sold < units:
            stockout_days += 1
            stocked_out[day] = True
        end_of_day[day] = on_hand
    return Replay(
        demanded=int(wanted.sum()),
        served=served,
        stockout_days=stockout_days,
        average_on_hand=float(end_of_day.mean()) if len(end_of_day) else 0.0,
        orders=orders,
        units_ordered=units_ordered,
        stocked_out=stocked_out,
    )


def static_threshold(threshold: float, quantity: int) -> Decide:
    """The spec's policy: when stock on hand plus on order is below the restock threshold,
    order a fixed quantity."""

    def decide(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
        return quantity if on_hand + on_order < threshold else 0

    return decide


def order_up_to(levels: Callable[[int, np.ndarray], tuple[float, float]]) -> Decide:
    """Order up to a level when the position is at or below a reorder point; `levels`
    gives (reorder point, order-up-to level) from the day and the past demand."""

    def decide(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
        reorder_point, target = levels(day, past)
        position = on_hand + on_order
        if position > reorder_point:
            return 0
        return max(0, int(np.ceil(target - position)))

    return decide
