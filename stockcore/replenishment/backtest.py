"""Comparing stocking policies on real history: the rules a shop would use instead of
stockcore, and stockcore's own, replayed on the same demand. The replay works on arrays;
`shop_histories` reads them from a shop's database.

Days here are trading days (the shop's closed days are not in the history), so lead
times and the review period are converted to trading days with the shop's trading days
per week.

* static threshold (the seed's rule): whenever stock on hand plus on order is below the
  threshold, order a fixed quantity. Without a threshold typed by hand, the threshold is
  the lead-time demand at the average rate of the 90 trading days before the replay, and
  the quantity 30 trading days of that average demand. Reviewed daily.
* min/max at a factor: min = factor x the average of the last 90 trading days x the
  lead time, max = min + 30 days of that average; order up to max whenever the position
  is at or below min. The average is recomputed every day. Reviewed daily.
* stockcore at a service level: every review period, forecast from the past only (the
  same model choice and the shop's yearly season, as a refresh makes them) and order what
  `levels.order_for_service` says: enough for the review days after the order arrives to
  run out with a chance of at most 1 - the target, from what the stock and the orders on
  their way leave after the lead time (lost sales). Rounded up to the supplier's minimum and packs.
* perfect foresight (the limit): knows the future; each review orders exactly what the
  days from this order's arrival to the next one's will demand, minus what will be left
  then. 100% fill with the least stock any policy with this lead time and review period
  can hold.

Each policy starts with the stock it would keep: a rule at its max, stockcore at its
reorder point of the first day (what covers the lead time and the review days after it).

Calibration: at each review, stockcore states the chance of running out before an order
placed that day could arrive; the replay records whether it did.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import select

from stockcore import inventory
from stockcore.domain import Conflict, parse_whole_number
from stockcore.forecasting import large_orders, selection
from stockcore.forecasting import models as forecasting
from stockcore.forecasting.distribution import GRID_LEVELS, REORDER
from stockcore.forecasting.history import daily_demand, trading_days
from stockcore.persistence.db import Database
from stockcore.persistence.models import ProductRow
from stockcore.replenishment import levels
from stockcore.replenishment.simulation import Decide, order_up_to, replay, static_threshold

REVIEW_DAYS: Final = levels.REVIEW_PERIOD_DAYS  # calendar days between reviews
STATIC_ORDER_DAYS: Final = 30  # the static policy orders this many days of average demand
BASELINE_DAYS: Final = 90
TARGETS: Final = (0.80, 0.90, 0.95, 0.98, 0.99)
FACTORS: Final = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)

STATIC: Final = "static threshold (seed)"
MINMAX: Final = "min/max (90-day average)"
STOCKCORE: Final = "stockcore"
STOCKCORE_EOQ: Final = "stockcore with EOQ"
LIMIT: Final = "perfect foresight (limit)"


@dataclass(frozen=True)
class ProductHistory:
    product_id: str
    days: pd.DatetimeIndex  # trading days, oldest first
    units: np.ndarray  # units demanded per trading day (whole numbers)
    lead_time_days: int  # calendar days
    unit_cost: float
    threshold: float | None = None  # a restock threshold typed by hand, if any
    min_order_quantity: int = 1
    pack_size: int = 1


@dataclass(frozen=True)
class PolicyOutcome:
    policy: str  # the family: STATIC, MINMAX, STOCKCORE or LIMIT
    setting: str  # "x2", "95%", "periodic"
    target: float | None  # stockcore's service level
    fill_rate: float
    stockout_days: int
    avg_inventory_units: float
    avg_inventory_value: float
    orders: int
    orders_per_product_month: float
    # stockcore's promise, checked: the share of the weeks after its orders arrived (one
    # a review) that ran out at some point; None for the rules without a service level.
    weeks_short: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Backtest:
    outcomes: list[PolicyOutcome]
    products: int
    days: int  # trading days replayed
    # (stated chance of running out before an order placed that day arrives, whether it
    # did), one per product and review of stockcore at the 95% target
    calibration: list[tuple[float, bool]] = field(default_factory=list)
    # Large one-off orders of the replayed products left out of the demand every rule
    # replays (forecasting.large_orders), and their units.
    set_aside_orders: int = 0
    set_aside_units: int = 0
    calendar_days: int = 0  # the calendar days asked for (backtest_shop)


@dataclass(frozen=True)
class ReviewForecast:
    """What stockcore knew at one review: the demand samples of the lead time and of the
    review days after it, and the forecast per day of the lead time."""

    cover: levels.Cover
    lead_units: np.ndarray
    days: int  # trading days the cover spans (lead time + review)


Seasons = Callable[[pd.Timestamp, pd.DatetimeIndex], "forecasting.Season | None"]


def review_forecasts(
    product: ProductHistory,
    start: int,
    season: int,
    lead: int,
    review: int,
    *,
    future_days: pd.DatetimeIndex | None = None,
    seasons: Seasons | None = None,
) -> dict[int, ReviewForecast]:
    """The forecast every review day of the replay (from `start`) would have made."""
    calendar = product.days if future_days is None else product.days.append(future_days)
    found: dict[int, ReviewForecast] = {}
    for day in range(0, len(product.units) - start, review):
        cut = start + day
        history = product.units[:cut].astype(float)
        days = product.days[:cut]
        future = calendar[cut : cut + lead + review]
        if len(future) < lead + review:  # near the end of the data: extend the calendar
            extra = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=2 * (lead + review))
            future = pd.DatetimeIndex(extra[: lead + review])
        if selection.can_backtest(len(history), season):
            yearly = seasons(days[-1], pd.DatetimeIndex(days.append(future))) if seasons else None
            made = selection.forecast_series(
                history, days, pd.DatetimeIndex(future), season=season, yearly=yearly
            )
            cover = levels.Cover.from_quantiles(
                made.total(lead, REORDER).quantiles(GRID_LEVELS),
                made.total(lead + review, REORDER).quantiles(GRID_LEVELS),
            )
            units = np.asarray(made.units[:lead], dtype=float)
        else:  # too short to choose a model: the recent days as they came
            sums = levels.stretch_sums(history, lead + review)
            heads = levels.stretch_sums(history, lead)
            cover = levels.Cover.from_quantiles(
                np.quantile(heads, GRID_LEVELS) if heads.size else np.zeros(len(GRID_LEVELS)),
                np.quantile(sums, GRID_LEVELS) if sums.size else np.zeros(len(GRID_LEVELS)),
            )
            units = np.full(lead, float(history.mean()) if len(history) else 0.0)
        found[day] = ReviewForecast(cover, units, lead + review)
    return found


def service_policy(
    forecasts: Mapping[int, ReviewForecast],
    target: float,
    product: ProductHistory,
    lead: int,
    stated: list[tuple[int, float]] | None = None,
    eoq: Callable[[float], float] | None = None,
) -> Decide:
    """stockcore's rule at `target`, replayed: it remembers its own orders to know when
    each will arrive. `stated` collects (day, chance of running out before an order placed
    that day could arrive). `eoq` (units per order from units per trading day), when the
    shop has set an ordering cost and a holding rate, sets the least an order holds, as
    the Reorder page does."""
    placed: list[tuple[int, int]] = []  # (arrival day, units)

    def decide(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
        made = forecasts[day]
        coming = [(arrive - day, units) for arrive, units in placed if arrive > day]
        arrivals = levels.arrivals_in(made.lead_units, coming)
        outlook = levels.lead_time_outlook(on_hand, arrivals, made.cover)
        if stated is not None:
            stated.append((day, outlook.stockout_chance))
        wanted = levels.order_for_service(made.cover, outlook.left, target)
        if wanted > 0 and eoq is not None:
            per_day = (made.cover.lead_mean + made.cover.review_mean) / made.days
            wanted = max(wanted, eoq(per_day))
        quantity = levels.round_order(
            wanted, minimum=product.min_order_quantity, pack_size=product.pack_size
        )
        if quantity:
            placed.append((day + lead, quantity))
        return quantity

    return decide


def min_max_levels(factor: float, lead: int) -> Callable[[int, np.ndarray], tuple[float, float]]:
    """min = factor x the last 90 days' average x the lead time; max = min + 30 days."""

    def lookup(day: int, seen: np.ndarray) -> tuple[float, float]:
        average = float(seen[-BASELINE_DAYS:].mean()) if len(seen) else 0.0
        low = factor * average * lead
        return low, low + average * STATIC_ORDER_DAYS

    return lookup


def perfect_foresight(demand: np.ndarray, lead: int, every: int) -> Decide:
    """Order what the days from this order's arrival to the next order's arrival demand,
    minus what will be left at the arrival (all earlier orders are in by then)."""

    def decide(day: int, on_hand: int, on_order: int, seen: np.ndarray) -> int:
        left = on_hand + on_order - int(demand[day : day + lead].sum())
        wanted = int(demand[day + lead : day + lead + every].sum())
        return max(0, wanted - left)

    return decide


# demanded, served, stock-out days, average units, average value, orders; and, for
# stockcore, the weeks after its orders' arrivals replayed and how many of them ran out
_Totals = tuple[int, int, int, float, float, int, int, int]


def _run(
    product: ProductHistory, demand: np.ndarray, past: np.ndarray, opening: float, lead: int,
    decide: Decide, every: int,
) -> tuple[_Totals, np.ndarray]:  # fmt: skip
    result = replay(
        demand, opening_stock=max(0, math.ceil(opening)), lead_time_days=lead, decide=decide,
        history=past, review_every=every,
    )  # fmt: skip
    totals = (
        result.demanded, result.served, result.stockout_days, result.average_on_hand,
        result.average_on_hand * product.unit_cost, result.orders, 0, 0,
    )  # fmt: skip
    return totals, result.stocked_out


def weeks_short(short: np.ndarray, lead: int, review: int) -> tuple[int, int]:
    """The weeks after the arrival of each review's order (review days 0, R, 2R, ...; each
    arriving L days later and carrying R days) that lie in the replay, and how many of them
    ran out on some day (`short`: per day, whether demand went unserved)."""
    starts = range(lead, len(short) - review + 1, review)
    return len(starts), sum(bool(short[start : start + review].any()) for start in starts)


def _with_weeks(totals: _Totals, short: np.ndarray, lead: int, review: int) -> _Totals:
    return (*totals[:6], *weeks_short(short, lead, review))


def replay_product(
    product: ProductHistory,
    *,
    replay_days: int,
    season: int,
    targets: Sequence[float] = TARGETS,
    factors: Sequence[float] = FACTORS,
    future_days: pd.DatetimeIndex | None = None,
    seasons: Seasons | None = None,
    costs: tuple[float, float] | None = None,
) -> tuple[dict[tuple[str, str], _Totals], list[tuple[float, bool]]]:
    """Every policy on one product's last `replay_days` trading days: totals per (family,
    setting), and stockcore's calibration pairs at the 95% target (or its nearest).
    `costs` (cost per order, yearly holding rate) adds stockcore with EOQ order sizes."""
    start = len(product.units) - replay_days
    lead = levels.trading_days_in(product.lead_time_days, season)
    review = levels.trading_days_in(REVIEW_DAYS, season)
    past = product.units[:start].astype(float)
    demand = product.units[start:]
    baseline = float(past[-BASELINE_DAYS:].mean()) if len(past) else 0.0
    out: dict[tuple[str, str], _Totals] = {}

    threshold = product.threshold if product.threshold else baseline * lead
    quantity = levels.round_order(
        max(1.0, baseline * STATIC_ORDER_DAYS),
        minimum=product.min_order_quantity,
        pack_size=product.pack_size,
    )
    out[(STATIC, "x1")], _ = _run(
        product, demand, past, threshold + quantity, lead, static_threshold(threshold, quantity), 1
    )
    for factor in factors:
        rule = min_max_levels(factor, lead)
        out[(MINMAX, f"x{factor:g}")], _ = _run(
            product, demand, past, rule(0, past)[1], lead, order_up_to(rule), 1
        )
    calibration: list[tuple[float, bool]] = []
    if targets:
        forecasts = review_forecasts(
            product, start, season, lead, review, future_days=future_days, seasons=seasons
        )
        watched = min(targets, key=lambda t: abs(t - 0.95))
        sized = _eoq_rule(costs, product.unit_cost, season) if costs is not None else None
        for target in targets:
            stated: list[tuple[int, float]] = []
            decide = service_policy(
                forecasts, target, product, lead, stated if target == watched else None
            )
            opening = levels.level_for_service(forecasts[0].cover, target)
            totals, short = _run(product, demand, past, opening, lead, decide, review)
            out[(STOCKCORE, f"{target:.0%}")] = _with_weeks(totals, short, lead, review)
            for day, chance in stated[1:]:  # the first review opens with its own order
                if day + lead <= len(demand):
                    calibration.append((chance, bool(short[day : day + lead].any())))
            if sized is not None:
                totals, short = _run(
                    product, demand, past, opening, lead,
                    service_policy(forecasts, target, product, lead, eoq=sized), review,
                )  # fmt: skip
                out[(STOCKCORE_EOQ, f"{target:.0%}")] = _with_weeks(totals, short, lead, review)
    out[(LIMIT, "periodic")], _ = _run(
        product, demand, past, demand[:lead].sum(), lead,
        perfect_foresight(demand, lead, review), review,
    )  # fmt: skip
    return out, calibration


def _eoq_rule(
    costs: tuple[float, float], unit_cost: float, season: int
) -> Callable[[float], float]:
    """Units per order by Wilson's EOQ, from the demand per trading day."""
    ordering, rate = costs

    def units(per_day: float) -> float:
        yearly = per_day * season * 52
        return levels.economic_order_quantity(yearly, ordering, rate * unit_cost)

    return units


def shop_seasons(shop_units: pd.Series) -> Seasons:
    """The shop's yearly season as known on each review day (from its sales before it),
    fitted once per day and kept."""
    fitted: dict[pd.Timestamp, forecasting.Season | None] = {}

    def season_on(last_day: pd.Timestamp, dates: pd.DatetimeIndex) -> forecasting.Season | None:
        if last_day not in fitted:
            known = shop_units[shop_units.index <= last_day]
            fitted[last_day] = forecasting.yearly_season(
                known.to_numpy(dtype=float), pd.DatetimeIndex(known.index),
                pd.DatetimeIndex(known.index).union(
                    pd.date_range(last_day + pd.Timedelta(days=1), periods=400)
                ),
                source="shop",
            )  # fmt: skip
        return fitted[last_day]

    return season_on


def summarise(
    results: Sequence[dict[tuple[str, str], _Totals]], replay_days: int, season: int
) -> list[PolicyOutcome]:
    """Totals over products, one outcome per policy setting (fill over all units)."""
    if not results:
        return []
    months = replay_days * 7 / season / 30.44
    outcomes = []
    for family, setting in results[0]:
        rows = [r[(family, setting)] for r in results]
        demanded = sum(r[0] for r in rows)
        orders = sum(r[5] for r in rows)
        weeks = sum(r[6] for r in rows)
        outcomes.append(
            PolicyOutcome(
                policy=family,
                setting=setting,
                target=float(setting.rstrip("%")) / 100
                if family in (STOCKCORE, STOCKCORE_EOQ)
                else None,
                fill_rate=sum(r[1] for r in rows) / demanded if demanded else 1.0,
                stockout_days=sum(r[2] for r in rows),
                avg_inventory_units=sum(r[3] for r in rows),
                avg_inventory_value=sum(r[4] for r in rows),
                orders=orders,
                orders_per_product_month=orders / len(results) / months if months else 0.0,
                weeks_short=sum(r[7] for r in rows) / weeks if weeks else None,
            )
        )
    return outcomes


def compare_policies(
    products: Sequence[ProductHistory],
    *,
    replay_days: int,
    targets: Sequence[float] = TARGETS,
    factors: Sequence[float] = FACTORS,
    season: int = 6,
    shop_units: pd.Series | None = None,
    costs: tuple[float, float] | None = None,
) -> Backtest:
    """Replay the last `replay_days` trading days of every product under each policy and
    add the results up over products. `shop_units` (the shop's units per trading day)
    gives stockcore its yearly season."""
    seasons = shop_seasons(shop_units) if shop_units is not None else None
    results = []
    calibration: list[tuple[float, bool]] = []
    for product in products:
        if len(product.units) - replay_days < 1:
            continue
        totals, pairs = replay_product(
            product, replay_days=replay_days, season=season, targets=targets, factors=factors,
            seasons=seasons, costs=costs,
        )  # fmt: skip
        results.append(totals)
        calibration.extend(pairs)
    return Backtest(summarise(results, replay_days, season), len(results), replay_days, calibration)


CALIBRATION_BINS: Final = (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)


def calibration_frame(pairs: Sequence[tuple[float, bool]]) -> pd.DataFrame:
    """Stated chances of running out, binned, against how often it happened."""
    columns = ["bin", "stated", "happened", "reviews"]
    if not pairs:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(pairs, columns=["stated", "happened"])
    frame["bin"] = pd.cut(frame["stated"], CALIBRATION_BINS, include_lowest=True).astype(str)
    grouped = frame.groupby("bin", sort=False, observed=True).agg(
        stated=("stated", "mean"), happened=("happened", "mean"), reviews=("stated", "size")
    )
    return grouped.reset_index().sort_values("stated")[columns].reset_index(drop=True)


def demand_histories(
    demand: pd.DataFrame, terms: Callable[[str], Mapping[str, Any]]
) -> list[ProductHistory]:
    """One history per product of a `demand.daily_demand` frame (stock-out days, whose
    demand is unknown, count as 0); `terms(product_id)` gives the rest of its fields."""
    return [
        ProductHistory(
            product_id=str(product_id),
            days=pd.DatetimeIndex(frame["day"]),
            units=frame["units"].fillna(0.0).round().astype(int).to_numpy(),
            **terms(str(product_id)),
        )
        for product_id, frame in demand.groupby("product_id")
    ]


@dataclass(frozen=True)
class ShopHistory:
    products: list[ProductHistory]  # the best sellers'
    season: int  # trading days per week
    shop_units: pd.Series  # units the whole shop sold per trading day
    set_aside: dict[str, tuple[int, int]] = field(default_factory=dict)  # large orders, units


def shop_histories(db: Database, *, products: int) -> ShopHistory:
    """The `products` best-selling products' regular demand per trading day (large one-off
    orders set aside as the forecasts do; stock-out days, whose demand is unknown, count as
    0), the shop's trading days per week and its daily total."""
    calendar = trading_days(db)
    aside = large_orders.find_set_aside(db, calendar)
    demand = daily_demand(db, set_aside=aside.units_per_day())
    season = forecasting.weekly_season(calendar)
    if demand.empty:
        return ShopHistory([], season, pd.Series(dtype=float))
    shop_units = demand.groupby("day")["units"].sum()
    shop_units.index = pd.DatetimeIndex(shop_units.index)
    top = demand.groupby("product_id")["units"].sum().sort_values(ascending=False).head(products)
    with db.read() as session:
        rows = {
            row.product_id: row
            for row in session.scalars(
                select(ProductRow).where(ProductRow.product_id.in_(list(top.index)))
            )
        }

    def terms(product_id: str) -> dict[str, Any]:
        row = rows[product_id]
        cost = row.unit_cost if row.unit_cost is not None else row.unit_price
        return {
            "lead_time_days": max(1, row.lead_time_days),
            "unit_cost": float(cost),
            "threshold": float(row.restock_threshold) or None,
            "min_order_quantity": row.min_order_quantity,
            "pack_size": row.pack_size,
        }

    histories = demand_histories(demand[demand["product_id"].isin(top.index)], terms)
    return ShopHistory(histories, season, shop_units, aside.per_product())


MIN_HISTORY_BEFORE: Final = 60  # trading days of history before the replayed stretch
DEFAULT_DAYS: Final = 182  # calendar days the backtest replays unless asked otherwise
DEFAULT_PRODUCTS: Final = 20
MIN_DAYS, MAX_DAYS = 28, 365  # at least four review weeks, at most a year
MAX_PRODUCTS: Final = 500


def backtest_shop(
    db: Database,
    *,
    days: object = DEFAULT_DAYS,
    products: object = DEFAULT_PRODUCTS,
    targets: Sequence[float] = TARGETS,
    factors: Sequence[float] = FACTORS,
) -> Backtest:
    """Replay the last `days` days of the shop's best sellers under every policy (and
    stockcore with EOQ order sizes when the shop has set an ordering cost and a holding
    rate). `days` and `products` are read as typed (the same limits in every interface)."""
    days = parse_whole_number(days, "days", minimum=MIN_DAYS, maximum=MAX_DAYS)
    products = parse_whole_number(products, "products", minimum=1, maximum=MAX_PRODUCTS)
    shop = shop_histories(db, products=products)
    settings = inventory.get_settings(db)
    costs = (
        (float(settings.ordering_cost), settings.holding_rate)
        if settings.ordering_cost is not None and settings.holding_rate is not None
        else None
    )
    replay_days = max(1, round(days * shop.season / 7))
    usable = [h for h in shop.products if len(h.units) > replay_days + MIN_HISTORY_BEFORE]
    if not usable:
        raise Conflict(
            f"no product has {days} days of history to replay plus "
            f"{MIN_HISTORY_BEFORE} trading days before them"
        )
    result = compare_policies(
        usable,
        replay_days=replay_days,
        targets=targets,
        factors=factors,
        season=shop.season,
        shop_units=shop.shop_units,
        costs=costs,
    )
    aside = [shop.set_aside.get(h.product_id, (0, 0)) for h in usable]
    return replace(
        result,
        set_aside_orders=sum(orders for orders, _ in aside),
        set_aside_units=sum(units for _, units in aside),
        calendar_days=days,
    )


def outcomes_frame(outcomes: Sequence[PolicyOutcome]) -> pd.DataFrame:
    """One row per policy setting."""
    return pd.DataFrame(
        [o.as_dict() for o in outcomes], columns=list(PolicyOutcome.__dataclass_fields__)
    )
