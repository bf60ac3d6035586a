"""When to reorder and how much: the reorder-point arithmetic, framework-free.

Units: demand in units per day, lead times in days, money per unit.

* Lead-time demand = daily demand x lead time.
* Demand uncertainty over the lead time, with demand varying day to day (sd_d) and the
  lead time varying order to order (sd_L): sigma = sqrt(L * sd_d^2 + d^2 * sd_L^2).
* Safety stock = z x sigma, z being the standard normal quantile of the target cycle
  service level (the chance of not running out before an order arrives).
* Reorder point = lead-time demand + safety stock: order when stock on hand plus on order
  falls to it.
* Optimal stock level = reorder point + safety stock. When no variability is known at all
  (neither sd given), the safety stock cannot be computed and defaults to one day of
  demand; it is then kept out of the reorder point, so the spec's calculator holds:
  80 a day with a 5-day lead time gives reorder point 400 and optimal stock level 480.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist
from typing import Final

import numpy as np

from stockcore.domain import InvalidValue, parse_number

DEFAULT_SERVICE_LEVEL: Final = 0.95
REVIEW_PERIOD_DAYS: Final = 7  # how often the owner places orders: the review period
MAX_LEAD_TIME_DAYS: Final = 365
MAX_DAILY_DEMAND: Final = 1_000_000.0


def parse_daily_demand(value: object) -> float:
    demand = parse_number(value, "daily demand")
    if demand < 0:
        raise InvalidValue("daily demand", value, "must not be negative")
    if demand > MAX_DAILY_DEMAND:
        raise InvalidValue("daily demand", value, f"is more than {MAX_DAILY_DEMAND:,.0f} a day")
    return demand


def parse_lead_time(value: object) -> float:
    days = parse_number(value, "lead time")
    if days <= 0:
        raise InvalidValue("lead time", value, "must be more than 0 days")
    if days > MAX_LEAD_TIME_DAYS:
        raise InvalidValue("lead time", value, f"is more than {MAX_LEAD_TIME_DAYS} days")
    return days


def parse_spread(value: object, field: str) -> float:
    spread = parse_number(value, field)
    if spread < 0:
        raise InvalidValue(field, value, "must not be negative")
    return spread


@dataclass(frozen=True)
class StockLevels:
    """The numbers behind an order, each explained by `explain()`."""

    daily_demand: float
    lead_time_days: float
    service_level: float
    z: float
    sigma: float | None  # sd of demand over the lead time; None without any variability
    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    optimal_stock_level: float

    def explain(self) -> str:
        text = (
            f"Over a {self.lead_time_days:g}-day lead time at {self.daily_demand:,.2f} a day, "
            f"{self.lead_time_demand:,.2f} units are expected to sell."
        )
        if self.sigma is None:
            return text + (
                " No variability is known, so the reorder point is that lead-time demand and "
                f"the safety stock defaults to one day of demand ({self.safety_stock:,.2f})."
            )
        return text + (
            f" That demand varies with a standard deviation of {self.sigma:,.2f} units; "
            f"covering it {self.service_level:.0%} of the time takes {self.z:.3f} of those, "
            f"a safety stock of {self.safety_stock:,.2f}. Reorder point: "
            f"{self.lead_time_demand:,.2f} + {self.safety_stock:,.2f} = {self.reorder_point:,.2f}."
        )


def stock_levels(
    daily_demand: float,
    lead_time_days: float,
    *,
    demand_std: float | None = None,
    lead_time_std: float | None = None,
    service_level: float = DEFAULT_SERVICE_LEVEL,
) -> StockLevels:
    """Safety stock, reorder point and optimal stock level for one product."""
    z = NormalDist().inv_cdf(service_level)
    lead_time_demand = daily_demand * lead_time_days
    if demand_std is None and lead_time_std is None:
        safety_stock = daily_demand
        return StockLevels(
            daily_demand, lead_time_days, service_level, z, None,
            lead_time_demand, safety_stock, lead_time_demand, lead_time_demand + safety_stock,
        )  # fmt: skip
    sd_d = demand_std or 0.0
    sd_l = lead_time_std or 0.0
    sigma = math.sqrt(lead_time_days * sd_d**2 + daily_demand**2 * sd_l**2)
    safety_stock = max(0.0, z * sigma)
    reorder_point = lead_time_demand + safety_stock
    return StockLevels(
        daily_demand, lead_time_days, service_level, z, sigma,
        lead_time_demand, safety_stock, reorder_point, reorder_point + safety_stock,
    )  # fmt: skip


def economic_order_quantity(
    annual_demand: float, ordering_cost: float, holding_cost_per_unit_year: float
) -> float:
    """Wilson's EOQ: sqrt(2 x annual demand x cost per order / holding cost per unit-year)."""
    if annual_demand <= 0 or ordering_cost <= 0 or holding_cost_per_unit_year <= 0:
        return 0.0
    return math.sqrt(2 * annual_demand * ordering_cost / holding_cost_per_unit_year)


def round_order(quantity: float, *, minimum: int = 1, pack_size: int = 1) -> int:
    """Whole packs covering `quantity`, at least the supplier's minimum (0 stays 0)."""
    if quantity <= 0:
        return 0
    pack = max(1, pack_size)
    wanted = max(float(quantity), float(max(1, minimum)))
    return int(math.ceil(wanted / pack - 1e-9) * pack)


def order_quantity(
    target_level: float,
    on_hand: int,
    on_order: int,
    *,
    minimum: int = 1,
    pack_size: int = 1,
) -> int:
    """Units to order to bring stock on hand plus on order up to `target_level`."""
    return round_order(target_level - on_hand - on_order, minimum=minimum, pack_size=pack_size)


# --- The level that covers a stretch of days: one rule for the reorder list and the backtest --

EMPIRICAL_DAYS: Final = 300  # trading days of past demand the quantiles look at


def trading_days_in(calendar_days: float, days_per_week: int) -> int:
    """How many trading days `calendar_days` hold for a shop open `days_per_week` days."""
    return max(1, round(calendar_days * days_per_week / 7))


def stretch_sums(history: np.ndarray, days: int) -> np.ndarray:
    """Units demanded over every run of `days` consecutive trading days among the last
    EMPIRICAL_DAYS (one sum if the history is shorter than that)."""
    values: np.ndarray = np.asarray(history, dtype=float)[-EMPIRICAL_DAYS:]
    recent: np.ndarray = values[~np.isnan(values)]  # stock-out days: demand unknown
    if recent.size == 0:
        return recent
    if recent.size < days:
        return np.array([recent.sum() * days / recent.size])
    sums: np.ndarray = np.convolve(recent, np.ones(days), mode="valid")
    return sums


def fill_rate_level(cover_demand: np.ndarray, cycle_demand: float, fill_rate: float) -> float:
    """The lowest level whose expected shortfall over the stretch (from these past
    demands) is at most (1 - fill rate) of a cycle's demand: the level that meets a
    fill-rate target when a few huge orders make demand lumpy."""
    allowed = (1 - fill_rate) * cycle_demand
    ordered = np.sort(np.asarray(cover_demand, dtype=float))
    if ordered.size == 0 or allowed <= 0:
        return float(ordered[-1]) if ordered.size else 0.0
    # Expected shortfall at each past value as the level: the mean excess of the values
    # above it (suffix sums, so O(n)). It only falls as the level rises.
    above = np.cumsum(ordered[::-1])[::-1] - ordered  # sum of the values after each one
    count = np.arange(ordered.size - 1, -1, -1)  # how many values come after each one
    shortfall = (above - count * ordered) / ordered.size
    passing = np.nonzero(shortfall <= allowed)[0]
    return float(ordered[passing[0]]) if passing.size else float(ordered[-1])


@dataclass(frozen=True)
class CoverLevel:
    """The stock that covers a stretch of days at a service level, and why.

    * forecast: the expected units plus z x sigma of the forecast's errors (and of the
      lead time's spread), the textbook normal approximation;
    * past demand: the service-level quantile of what the same stretch of days sold in
      the last EMPIRICAL_DAYS trading days, scaled up to the forecast's level when that is
      higher (never down: a quiet spell after a huge order does not make the next one
      less likely);
    * lumpy orders: the fill-rate level of those same past stretches.
    The level is the largest: each covers a way demand escapes the others."""

    expected: float
    sigma: float
    z: float
    forecast_level: float
    past_level: float | None
    lumpy_level: float | None
    level: float

    @property
    def safety_stock(self) -> float:
        return max(0.0, self.level - self.expected)

    @property
    def basis(self) -> str:
        """Which rule set the level, in words."""
        if self.lumpy_level is not None and self.level == self.lumpy_level > max(
            self.forecast_level, self.past_level or 0.0
        ):
            return "lumpy past orders (the fill-rate guard)"
        if self.past_level is not None and self.level == self.past_level > self.forecast_level:
            return "what the same stretch of days sold in the past year"
        return "the forecast's backtest errors"


def cover_level(
    *,
    expected: float,
    sigma: float,
    past_sums: np.ndarray,
    cycle_demand: float,
    service_level: float,
) -> CoverLevel:
    """The stock that lasts a stretch whose forecast is `expected` units, `sigma` being
    the sd of that forecast's error, at `service_level` (see CoverLevel)."""
    z = NormalDist().inv_cdf(service_level)
    forecast_level = expected + max(0.0, z * sigma)
    past_level = lumpy_level = None
    if past_sums.size:
        mean_sum = float(past_sums.mean())
        scale = max(1.0, expected / mean_sum) if mean_sum > 0 else 1.0
        sums = past_sums * scale
        past_level = float(np.quantile(sums, service_level))
        lumpy_level = fill_rate_level(sums, cycle_demand, service_level)
    level = max(forecast_level, past_level or 0.0, lumpy_level or 0.0)
    return CoverLevel(expected, sigma, z, forecast_level, past_level, lumpy_level, level)


def demand_sigma(
    error_sd: float, selling_days: int, daily_demand: float, lead_time_sd: float | None
) -> float:
    """sd of demand over a stretch: sqrt(selling days x error sd^2 + d^2 x sd_L^2), the
    forecast's daily errors adding up over the days that sell, and a late delivery adding
    days of demand."""
    spread = lead_time_sd or 0.0
    return math.sqrt(selling_days * error_sd**2 + daily_demand**2 * spread**2)


# --- Running out -----------------------------------------------------------------------------


def run_out_day(
    on_hand: int,
    days: Sequence[date],
    units: Sequence[float],
    arrivals: Sequence[tuple[date, int]] = (),
) -> date | None:
    """The first day by whose end the predicted units reach what is on hand plus what has
    arrived by then (None if the horizon ends first). Units on order arrive at the start
    of the day they are expected; an overdue order counts from the first day. With
    nothing on hand and nothing arriving, the product has run out already: day one."""
    if not days:
        return None
    available = np.full(len(days), float(on_hand))
    for expected_on, quantity in arrivals:
        available[bisect.bisect_left(days, expected_on) :] += quantity
    if available[0] <= 0:
        return days[0]
    used = np.cumsum(np.asarray(units, dtype=float))
    reached = np.nonzero(used >= available)[0]
    return days[int(reached[0])] if reached.size else None


def runs_out_before_delivery(
    on_hand: int,
    days: Sequence[date],
    units: Sequence[float],
    arrivals: Sequence[tuple[date, int]],
    *,
    lead_time_days: int,
    today: date,
) -> bool:
    """Whether the forecast uses up the stock on hand and on order before an order placed
    today could arrive (a product expected to sell nothing over its lead time never does)."""
    lead = max(1, lead_time_days)
    if float(np.sum(np.asarray(units[:lead], dtype=float))) < 0.5:
        return False
    out = run_out_day(on_hand, days, units, arrivals)
    return out is not None and out < today + timedelta(days=lead)
