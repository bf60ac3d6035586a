"""When to reorder and how much: the stock-level arithmetic, framework-free.

Units: demand in units per day, lead times in days, money per unit.

The spec's calculator (`stock_levels`), the textbook normal approximation:

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

The reorder list and the backtest use the service rule further down (`order_for_service`),
which works from the forecast's distribution of demand instead of a normal approximation
and counts the sales lost before an order arrives.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from statistics import NormalDist
from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from stockcore.domain import (
    DEFAULT_SERVICE_LEVEL,
    MAX_LEAD_TIME_DAYS,
    InvalidValue,
    parse_amount,
)

REVIEW_PERIOD_DAYS: Final = 7  # how often the owner places orders: the review period
MAX_DAILY_DEMAND: Final = 1_000_000.0


def parse_daily_demand(value: object) -> float:
    return parse_amount(value, "daily demand", maximum=MAX_DAILY_DEMAND, unit=" a day")


def parse_lead_time(value: object) -> float:
    return parse_amount(
        value, "lead time", above_zero=True, maximum=MAX_LEAD_TIME_DAYS, unit=" days"
    )


def parse_spread(value: object, field: str) -> float:
    return parse_amount(value, field)


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


# --- Past stretches ------------------------------------------------------------------------

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


# --- Running out -----------------------------------------------------------------------------


def run_out_day(
    on_hand: int,
    days: Sequence[date],
    units: Sequence[float] | np.ndarray,
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


# --- The service rule: how much to order so the week after it arrives is covered -----------
#
# Periodic review with lost sales. At a review, an order placed now arrives after the lead
# time L and has to serve the demand of the R review days after it arrives, until the next
# review's order arrives. What is there when it arrives is what the stock on hand and the
# orders already on their way leave after the lead time's demand; demand beyond the stock
# is lost, never made up later (the customer bought elsewhere). So, with D_L and D_R the
# demand of the lead time and of the review days after it,
#
#     stock at arrival A = what is left of on hand + earlier orders after D_L (never < 0)
#     the week runs out  when D_R > A + q
#
# and the order q is the smallest whose chance of running out that week is at most
# 1 - target (the target is a service level: 95% = at most one such week in twenty). The
# expected share of that week's demand served, 1 - E[(D_R - A - q)+] / E[D_R], is shown
# beside it. The distribution comes as samples of equal weight: the quantiles of demand
# over the lead time + review, each split between the lead time and the review days in
# proportion to their expected demand (a future that sells more sells more on every day:
# one uncertain level, which is what the forecast's uncertainty mostly is). Within the
# lead time, demand is spread over the days in proportion to the forecast too, so an
# order on its way arrives after the share of D_L expected before its day. (Pairing the
# lead time's own quantiles with those of lead time + review level by level was tried on
# the development stretch of `bench/policy_bench.py`: no better, and it breaks down when
# lumpy orders make the two distributions' shapes differ.) The chance of running out
# before an order placed now could arrive comes from the lead time's own distribution.
#
# Why a chance of running out and not the expected fill rate (the loss-function method,
# which this rule replaced): the fill rate asked of every product alike makes a product
# whose demand comes in rare large lumps hold many times its expected demand (its loss
# function decays slowly: a product expected to sell 139 units in 18 days was stocked to
# 4,681), while a shop's fill rate is bought far more cheaply on the products where stock
# serves steady demand. Holding every product to the same chance of running out is the
# textbook answer to "the most demand served for the stock held" (the newsvendor's
# critical fractile, one for all products). On the policy benchmark it holds 0.55-0.69x
# the stock of min/max and 0.81-0.89x that of a textbook (s,S) on AutoETS at the same shop
# fill rate, where the fill-rate rule held 0.78-0.88x and 1.04-1.21x (chosen on a second
# sample of products, measured on the reported one: docs/benchmarks.md). The shop's fill
# rate lands near the target on the reported sample and 1-3 points under it on the second
# (lumpier) one: the target is a chance of running out, not a fill rate.
#
# Two things follow that a backorder formula (order up to S = a quantile of D_{L+R}) gets
# wrong: demand lost while out of stock before the order arrives is not ordered again, and
# an order that arrives after a season's peak is sized for what sells after it arrives.


@dataclass(frozen=True)
class Cover:
    """Demand samples of equal weight: `lead` and `review` paired (one future each) over
    the lead time and the review days after it; `lead_alone` the lead time's own
    distribution (for the chance of running out before an order arrives)."""

    lead: np.ndarray
    review: np.ndarray
    lead_alone: np.ndarray | None = None

    @classmethod
    def from_quantiles(cls, lead: ArrayLike, lead_review: ArrayLike) -> Cover:
        """From quantiles of lead-time demand and of lead time + review demand."""
        alone = np.maximum(np.asarray(lead, dtype=float), 0.0)
        both = np.maximum(np.asarray(lead_review, dtype=float), 0.0)
        if alone.size == 0 or both.size == 0:
            raise ValueError("a cover needs demand quantiles")
        total = float(both.mean())
        share = min(1.0, float(alone.mean()) / total) if total > 0 else 1.0
        return cls(both * share, both * (1.0 - share), alone)

    @cached_property
    def review_mean(self) -> float:
        return float(self.review.mean()) if self.review.size else 0.0

    @cached_property
    def lead_mean(self) -> float:
        return float(self.lead.mean()) if self.lead.size else 0.0


LATENESS_LEVELS: Final = (0.1, 0.3, 0.5, 0.7, 0.9)  # of a normal lead time, for its spread


def with_lead_time_spread(cover: Cover, lead_time: float, spread: float | None) -> Cover:
    """The cover when the lead time varies from order to order (sd `spread` days, normal):
    each demand sample paired with five equally likely lead times, the lead time's demand
    stretched or shrunk in proportion (a late delivery adds days of demand before it)."""
    if not spread or lead_time <= 0:
        return cover
    normal = NormalDist(1.0, spread / lead_time)
    factors = np.array([max(0.0, normal.inv_cdf(level)) for level in LATENESS_LEVELS])
    alone = None if cover.lead_alone is None else np.outer(cover.lead_alone, factors).ravel()
    return Cover(
        np.outer(cover.lead, factors).ravel(),
        np.repeat(cover.review, factors.size),
        alone,
    )


@dataclass(frozen=True)
class Arrival:
    """Units on their way, arriving once `share` of the lead time's demand has sold (0:
    before the first day's demand, 1: after the lead time)."""

    share: float
    units: float


@dataclass(frozen=True)
class LeadTimeOutlook:
    """What happens before an order placed now could arrive, per demand sample."""

    left: np.ndarray  # stock left when it arrives, per paired sample (never negative)
    lost: np.ndarray  # units demanded but not in stock before then, per paired sample
    lost_alone: np.ndarray  # the same from the lead time's own distribution

    @property
    def stockout_chance(self) -> float:
        """The chance of running out before an order placed now could arrive."""
        return float(np.mean(self.lost_alone > 1e-9)) if self.lost_alone.size else 0.0

    @property
    def expected_lost(self) -> float:
        """Units expected to be lost before the order arrives (not ordered again)."""
        return float(self.lost_alone.mean()) if self.lost_alone.size else 0.0


def arrivals_in(lead_units: np.ndarray, coming: Sequence[tuple[int, float]]) -> list[Arrival]:
    """Orders on their way, `coming` as (days from today, units), as the share of the lead
    time's forecast demand that sells before each arrives."""
    total = float(np.sum(lead_units))
    cumulative = np.concatenate(([0.0], np.cumsum(lead_units)))
    found = []
    for offset, units in coming:
        index = min(max(0, int(offset)), len(lead_units))
        share = float(cumulative[index] / total) if total > 0 else index / max(1, len(lead_units))
        found.append(Arrival(share, float(units)))
    return found


def lead_time_outlook(on_hand: float, arrivals: Sequence[Arrival], cover: Cover) -> LeadTimeOutlook:
    """Walk the lead time for every demand sample: the stock on hand, topped up by each
    order on its way when it arrives, less the demand, never below zero."""
    left, lost = _walk(on_hand, arrivals, cover.lead)
    if cover.lead_alone is None:
        return LeadTimeOutlook(left, lost, lost)
    return LeadTimeOutlook(left, lost, _walk(on_hand, arrivals, cover.lead_alone)[1])


def outlook_from_today(
    on_hand: float,
    open_orders: Sequence[tuple[date, float]],
    today: date,
    lead_units: np.ndarray,
    cover: Cover,
) -> LeadTimeOutlook:
    """`lead_time_outlook` for open purchase orders given by their expected day, the lead
    time's demand spread over its days as `lead_units` (the forecast per calendar day)."""
    shipments = [((day - today).days, units) for day, units in open_orders]
    return lead_time_outlook(on_hand, arrivals_in(lead_units, shipments), cover)


def _walk(
    on_hand: float, arrivals: Sequence[Arrival], demand: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    stock = np.full(demand.shape, max(0.0, float(on_hand)))
    lost = np.zeros(demand.shape)
    sold_share = 0.0
    for arrival in sorted(arrivals, key=lambda a: a.share):
        share = min(1.0, max(0.0, arrival.share))
        wanted = demand * (share - sold_share)
        lost += np.maximum(wanted - stock, 0.0)
        stock = np.maximum(stock - wanted, 0.0) + max(0.0, arrival.units)
        sold_share = share
    wanted = demand * (1.0 - sold_share)
    lost += np.maximum(wanted - stock, 0.0)
    return np.maximum(stock - wanted, 0.0), lost


def expected_fill(cover: Cover, left: np.ndarray, order: float) -> float:
    """The expected fill rate of the review days after an order of `order` units arrives
    to `left` units (per demand sample)."""
    wanted = cover.review_mean
    if wanted <= 0:
        return 1.0
    short = np.maximum(cover.review - left - order, 0.0).mean()
    return float(1.0 - short / wanted)


def stockout_chance_after(cover: Cover, left: np.ndarray, order: float) -> float:
    """The chance that the review days after the order arrives run out."""
    if cover.review.size == 0:
        return 0.0
    return float(np.mean(cover.review > left + order + 1e-9))


def _check_targets(targets: Sequence[float]) -> None:
    for each in targets:
        if not 0 < each < 1:
            raise InvalidValue("service level", each, "must be between 0 and 1")


def _at_target(values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per row (one product's samples of equal weight): the smallest of its samples that
    at most 1 - target of them exceed (the target's quantile, read off the samples)."""
    ordered = np.sort(values, axis=1)
    count = ordered.shape[1]
    index = np.clip(np.ceil(targets * count - 1e-9).astype(int) - 1, 0, count - 1)
    found: np.ndarray = ordered[np.arange(ordered.shape[0]), index]
    return found


def order_for_service(cover: Cover, left: np.ndarray, target: float) -> float:
    """The smallest order (units, not rounded) after whose arrival the review days run out
    with a chance of at most 1 - `target` (0 when that already holds without one)."""
    return orders_for_service([cover], [left], [target])[0]


def level_for_service(cover: Cover, target: float) -> float:
    """The stock on hand and on order below which an order is needed now: the smallest
    position that, with nothing else arriving, runs out in the review days after the lead
    time with a chance of at most 1 - `target` (the reorder point of this rule)."""
    return levels_for_service([cover], [target])[0]


def orders_for_service(
    covers: Sequence[Cover], lefts: Sequence[np.ndarray], targets: Sequence[float]
) -> list[float]:
    """`order_for_service` of many products at once: the products whose covers hold as
    many samples are read together (a reorder list of thousands of products at once)."""
    _check_targets(targets)
    found = [0.0] * len(covers)
    for rows in _same_size(covers).values():
        review = np.stack([covers[i].review for i in rows])
        left = np.stack([lefts[i] for i in rows])
        gaps = _at_target(review - left, np.array([targets[i] for i in rows]))
        for i, gap in zip(rows, gaps, strict=True):
            if covers[i].review_mean > 0:
                found[i] = max(0.0, float(gap))
    return found


def levels_for_service(covers: Sequence[Cover], targets: Sequence[float]) -> list[float]:
    """`level_for_service` of many products at once (as `orders_for_service`). A sample
    runs out when its review days ask for anything and the position is under its lead
    time's and review days' demand together."""
    _check_targets(targets)
    found = [0.0] * len(covers)
    for rows in _same_size(covers).values():
        lead = np.stack([covers[i].lead for i in rows])
        review = np.stack([covers[i].review for i in rows])
        needs = np.where(review > 0, lead + review, 0.0)
        positions = _at_target(needs, np.array([targets[i] for i in rows]))
        for i, position in zip(rows, positions, strict=True):
            if covers[i].review_mean > 0:
                found[i] = max(0.0, float(position))
    return found


def _same_size(covers: Sequence[Cover]) -> dict[int, list[int]]:
    """The covers' positions, by how many samples each holds."""
    sizes: dict[int, list[int]] = {}
    for i, cover in enumerate(covers):
        sizes.setdefault(cover.review.size, []).append(i)
    return sizes
