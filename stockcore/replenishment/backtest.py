"""Comparing stocking policies on real history: the spec's static threshold against
stockcore's forecast-driven reorder point. The replay works on arrays; `shop_histories`
reads them from a shop's database.

Days here are trading days (the shop's closed days are not in the history), so lead
times and the review period are converted to trading days with the shop's trading days
per week.

* Static threshold: whenever stock on hand plus on order is below the threshold, order a
  fixed quantity. Without a threshold typed by hand, the threshold is the lead-time demand
  at the average rate of the 90 trading days before the replay, times `factor`, and the
  quantity is 30 trading days of that average demand.
* Forecast (stockcore): every review period, forecast from the past only (the same model
  choice as a refresh) and order up to the level that covers the lead time plus the
  review period (the next order can only be placed a review later), rounded up to the
  supplier's minimum and pack size. That level is `levels.cover_level`, the same
  rule the Reorder page uses: the largest of the forecast plus z x its error sd, the
  service-level quantile of what every such stretch sold in the last 300 trading days,
  and the fill-rate level of those stretches (lumpy demand, a reseller's 500-unit order,
  that a normal approximation of daily errors misses).

Each policy starts with the stock it would keep: the static one at its threshold plus one
order, the forecast one at its order-up-to level of the first day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import select

from stockcore.db import Database
from stockcore.domain import StockcoreError
from stockcore.forecasting import models as forecasting
from stockcore.forecasting import selection
from stockcore.forecasting.history import daily_demand, trading_days
from stockcore.models import ProductRow
from stockcore.replenishment import levels
from stockcore.replenishment.simulation import Decide, replay, static_threshold

REVIEW_DAYS: Final = levels.REVIEW_PERIOD_DAYS  # calendar days between reviews
STATIC_ORDER_DAYS: Final = 30  # the static policy orders this many days of average demand
BASELINE_DAYS: Final = 90


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
    policy: str
    service_level: float | None
    fill_rate: float
    stockout_days: int
    avg_inventory_units: float
    avg_inventory_value: float
    orders: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class _Plan:
    lead_time_demand: float
    review_demand: float
    error_sd: float
    selling_days: int  # forecast days with demand within lead time + review period
    past_sums: np.ndarray  # demand over every (lead time + review) stretch, last year


def _forecast_plans(
    product: ProductHistory, start: int, season: int, lead: int, review: int
) -> dict[int, _Plan]:
    """The forecast a review day would have made, for every review day of the replay."""
    plans: dict[int, _Plan] = {}
    for day in range(0, len(product.units) - start, review):
        cut = start + day
        history = product.units[:cut].astype(float)
        days = product.days[:cut]
        future = product.days[cut : cut + lead + review]
        if len(future) < lead + review:  # near the end of the data: extend the calendar
            extra = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=2 * (lead + review))
            future = pd.DatetimeIndex(extra[: lead + review])
        if selection.can_backtest(len(history), season):
            made = selection.forecast_series(history, days, future, season=season)
            units, spread = made.units, made.error_sd
        else:
            units = np.full(lead + review, float(history.mean()) if len(history) else 0.0)
            spread = float(history.std()) if len(history) > 1 else 0.0
        plans[day] = _Plan(
            float(units[:lead].sum()),
            float(units[lead:].sum()),
            spread,
            int((units > 0).sum()),
            levels.stretch_sums(history, lead + review),
        )
    return plans


def _forecast_policy(
    plans: dict[int, _Plan], service_level: float, product: ProductHistory
) -> Decide:
    """Periodic review, order-up-to: at each review, order up to what covers the lead
    time plus the review period (the next order can only come a review later)."""

    def decide(day: int, on_hand: int, on_order: int, past: np.ndarray) -> int:
        plan = plans[day]
        level = levels.cover_level(
            expected=plan.lead_time_demand + plan.review_demand,
            sigma=levels.demand_sigma(plan.error_sd, plan.selling_days, 0.0, None),
            past_sums=plan.past_sums,
            cycle_demand=plan.review_demand,
            service_level=service_level,
        ).level
        return levels.order_quantity(
            level, on_hand, on_order,
            minimum=product.min_order_quantity, pack_size=product.pack_size,
        )  # fmt: skip

    return decide


_Totals = tuple[int, int, int, float, float, int]


def _run(
    product: ProductHistory,
    demand: np.ndarray,
    past: np.ndarray,
    opening: int,
    lead: int,
    decide: Decide,
    every: int,
) -> _Totals:
    result = replay(
        demand, opening_stock=opening, lead_time_days=lead, decide=decide,
        history=past, review_every=every,
    )  # fmt: skip
    return (
        result.demanded, result.served, result.stockout_days, result.average_on_hand,
        result.average_on_hand * product.unit_cost, result.orders,
    )  # fmt: skip


def compare_policies(
    products: Sequence[ProductHistory],
    *,
    replay_days: int,
    service_levels: Sequence[float] = (0.90, 0.95, 0.98),
    static_factors: Sequence[float] = (1.0,),
    season: int = 6,
) -> list[PolicyOutcome]:
    """Replay the last `replay_days` trading days of every product under each policy and
    add the results up over products (fill rate over all units demanded)."""
    review = levels.trading_days_in(REVIEW_DAYS, season)
    totals: dict[tuple[str, float | None], list[_Totals]] = {}
    for product in products:
        start = len(product.units) - replay_days
        if start < 1:
            continue
        lead = levels.trading_days_in(product.lead_time_days, season)
        past = product.units[:start].astype(float)
        baseline = float(past[-BASELINE_DAYS:].mean()) if len(past) else 0.0
        demand = product.units[start:]

        base_threshold = product.threshold if product.threshold else baseline * lead
        quantity = levels.round_order(
            max(1.0, baseline * STATIC_ORDER_DAYS),
            minimum=product.min_order_quantity,
            pack_size=product.pack_size,
        )
        for factor in static_factors:
            threshold = factor * base_threshold
            decide = static_threshold(threshold, quantity)
            # Each policy starts where it would keep stock: just topped up.
            opening = math.ceil(threshold) + quantity
            totals.setdefault(("static threshold", factor), []).append(
                _run(product, demand, past, opening, lead, decide, 1)
            )
        if not service_levels:
            continue
        plans = _forecast_plans(product, start, season, lead, review)
        for level in service_levels:
            ours = _forecast_policy(plans, level, product)
            opening = ours(0, 0, 0, past)  # what it would order from nothing on day one
            totals.setdefault(("forecast", level), []).append(
                _run(product, demand, past, opening, lead, ours, review)
            )
    outcomes = []
    for (policy, setting), rows in totals.items():
        demanded = sum(r[0] for r in rows)
        outcomes.append(
            PolicyOutcome(
                policy=policy if policy == "forecast" else f"static threshold x{setting:g}",
                service_level=setting if policy == "forecast" else None,
                fill_rate=sum(r[1] for r in rows) / demanded if demanded else 1.0,
                stockout_days=sum(r[2] for r in rows),
                avg_inventory_units=sum(r[3] for r in rows),
                avg_inventory_value=sum(r[4] for r in rows),
                orders=sum(r[5] for r in rows),
            )
        )
    return outcomes


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


def shop_histories(db: Database, *, products: int) -> tuple[list[ProductHistory], int]:
    """The `products` best-selling products' demand per trading day (stock-out days, whose
    demand is unknown, count as 0), and the shop's trading days per week."""
    calendar = trading_days(db)
    demand = daily_demand(db)
    if demand.empty:
        return [], forecasting.weekly_season(calendar)
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
    return histories, forecasting.weekly_season(calendar)


MIN_HISTORY_BEFORE: Final = 60  # trading days of history before the replayed stretch


def backtest_shop(
    db: Database,
    *,
    days: int,
    products: int,
    service_levels: Sequence[float] = (0.90, 0.95, 0.98),
    static_factors: Sequence[float] = (1.0, 2.0, 4.0),
) -> tuple[list[PolicyOutcome], int]:
    """Replay the last `days` days of the shop's best sellers under both policies.
    Returns the outcomes and how many products were replayed."""
    histories, season = shop_histories(db, products=products)
    replay_days = max(1, round(days * season / 7))
    usable = [h for h in histories if len(h.units) > replay_days + MIN_HISTORY_BEFORE]
    if not usable:
        raise StockcoreError(
            f"no product has {days} days of history to replay plus "
            f"{MIN_HISTORY_BEFORE} trading days before them"
        )
    outcomes = compare_policies(
        usable,
        replay_days=replay_days,
        service_levels=service_levels,
        static_factors=static_factors,
        season=season,
    )
    return outcomes, len(usable)


def outcomes_frame(outcomes: Sequence[PolicyOutcome]) -> pd.DataFrame:
    """One row per policy setting, with a `family` (static / forecast) for charts."""
    frame = pd.DataFrame(
        [o.as_dict() for o in outcomes], columns=list(PolicyOutcome.__dataclass_fields__)
    )
    return frame.assign(
        family=np.where(frame["policy"].str.startswith("static"), "static threshold", "forecast"),
        setting=[
            f"{o.service_level:.0%} target" if o.service_level is not None else o.policy[17:]
            for o in outcomes
        ],
    )
