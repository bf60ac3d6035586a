"""What to order, how much and by when: the action list, from the stored forecasts.

Per product, with L its supplier lead time in days and R the review period (how often
the owner places orders, 7 days), at its target cycle service level (its own, else its
ABC class's from Settings, 95% unless set):

* lead-time demand: the forecast units over the next L days;
* reorder point: the stock that lasts the lead time at the service level, by
  `levels.cover_level`: the largest of the lead-time demand + z x sigma (sigma from
  the forecast's backtest errors and, when known, the lead time's spread:
  sqrt(selling days x error sd^2 + d^2 x sd_L^2)), the service-level quantile of what L
  days sold over the last 300 trading days, and their fill-rate level (lumpy orders);
  safety stock = reorder point - lead-time demand;
* order-up-to level: the same rule over L + R days (an order placed now must last until
  the next review's order arrives): the level the policy benchmarked in `policies`
  orders up to;
* suggested quantity: order-up-to level - on hand - on order, or the EOQ when ordering
  cost and holding rate are set and it is larger; rounded up to whole packs, at least
  the supplier's minimum;
* run-out day: walking the forecast day by day from today's stock, adding each open
  purchase order on the day it is expected; order-by day = run-out day - L;
* status: order now (stock on hand and on order is at or below the reorder point, or the
  order-by day has come), order soon (below the order-up-to level, or the order-by day
  is within the review period: this week's order should top it up), no recent demand
  (the forecast sells nothing over L + R), overstock (more than three times the
  order-up-to level, and over 90 days of cover), else healthy;
* revenue at risk: the forecast units of the lead time after the run-out day at the
  unit price: what is lost if nobody orders until the product runs out;
* ABC class by revenue over the last 365 days (A: the top 80% of revenue, B: the next
  15%, C: the rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from stockcore import services
from stockcore.db import Database
from stockcore.domain import AlertKind, Product
from stockcore.forecasting import models as forecasting
from stockcore.forecasting.history import daily_demand, trading_days
from stockcore.models import AlertRow, ForecastModelRow, PredictionRow, ProductRow, SaleLineRow
from stockcore.replenishment import levels, purchase_orders
from stockcore.replenishment.levels import REVIEW_PERIOD_DAYS, CoverLevel, cover_level, run_out_day

OVERSTOCK_FACTOR: Final = 3
OVERSTOCK_COVER_DAYS: Final = 90
STATUS_ORDER: Final = ("order now", "order soon", "healthy", "overstock", "no recent demand")
HISTORY_DAYS: Final = 450  # calendar days of past demand read for the quantiles (>300 trading)


@dataclass(frozen=True)
class ReorderLine:
    product_id: str
    name: str
    category: str
    supplier: str | None
    abc: str
    unit_price: Decimal
    on_hand: int
    on_order: int
    arrivals: tuple[tuple[date, int], ...]  # open purchase orders: (expected day, units)
    lead_time_days: int
    lead_time_sd_days: float | None
    daily_demand: float  # forecast units per calendar day over the lead time
    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    suggested_quantity: int
    run_out_day: date | None  # None: not within the forecast horizon
    order_by: date | None
    days_of_cover: int | None
    status: str
    revenue_at_risk: Decimal
    service_level: float
    service_level_source: str  # "its own" or "class A" etc.
    cover: CoverLevel  # the reorder point's workings
    eoq: float | None  # the economic order quantity, when ordering cost and holding rate are set
    min_order_quantity: int = 1
    pack_size: int = 1

    def explain(self) -> str:
        """The numbers of this line in plain words."""
        spread = (
            f" (give or take {self.lead_time_sd_days:g} days)" if self.lead_time_sd_days else ""
        )
        text = (
            f"Forecast {self.daily_demand:,.1f} a day over the {self.lead_time_days}-day lead "
            f"time{spread}: {self.lead_time_demand:,.0f} units. "
            f"Safety stock {self.safety_stock:,.0f} covers {self.cover.basis} at a "
            f"{self.service_level:.0%} service level ({self.service_level_source}), so reorder "
            f"at {self.reorder_point:,.0f}; an order should bring stock up to "
            f"{self.order_up_to:,.0f}, enough until the order placed at the next weekly "
            f"review arrives. On hand {self.on_hand:,}"
        )
        if self.arrivals:
            coming = ", ".join(f"{units:,} on {day:%a %d %b}" for day, units in self.arrivals)
            text += f", on order {coming}."
        else:
            text += "."
        if self.run_out_day is not None:
            text += f" Runs out around {self.run_out_day:%a %d %b}"
            text += f", so order by {self.order_by:%a %d %b}." if self.order_by else "."
        if self.suggested_quantity:
            text += f" Suggested order: {self.suggested_quantity:,} units"
            gap = max(0.0, self.order_up_to - self.on_hand - self.on_order)
            reasons = []
            if self.eoq is not None and self.eoq > gap:
                reasons.append(f"the economic order quantity is {self.eoq:,.0f}")
            if self.pack_size > 1:
                reasons.append(f"packs of {self.pack_size}")
            if self.min_order_quantity > 1:
                reasons.append(f"at least {self.min_order_quantity}")
            text += f" ({'; '.join(reasons)})." if reasons else "."
        return text


def abc_classes(revenue: pd.Series) -> pd.Series:
    """A/B/C per product from its revenue: A makes the top 80%, B the next 15%."""
    if revenue.empty or float(revenue.sum()) <= 0:
        return pd.Series("C", index=revenue.index)
    ordered = revenue.sort_values(ascending=False)
    before = (ordered.cumsum() - ordered) / float(ordered.sum())
    classes = np.where(before < 0.80, "A", np.where(before < 0.95, "B", "C"))
    return pd.Series(classes, index=ordered.index).reindex(revenue.index)


def _revenue_last_year(db: Database, today: date) -> pd.Series:
    with db.read() as session:
        rows = session.execute(
            select(SaleLineRow.product_id, func.sum(SaleLineRow.revenue))
            .where(SaleLineRow.sold_on >= today - timedelta(days=365))
            .group_by(SaleLineRow.product_id)
        ).all()
    return pd.Series({pid: float(total or 0) for pid, total in rows}, dtype=float)


@dataclass(frozen=True)
class _Inputs:
    """What one product's line is computed from."""

    product: Product
    abc: str
    service_level: float
    service_level_source: str
    days: list[date]
    units: np.ndarray
    error_sd: float
    history: np.ndarray  # units per trading day, oldest first; NaN: stocked out
    arrivals: tuple[tuple[date, int], ...]


def reorder_plan(
    db: Database,
    *,
    today: date,
    service_level: float | None = None,
    arrivals: Mapping[str, Sequence[tuple[date, int]]] | None = None,
    product_ids: Sequence[str] | None = None,
) -> list[ReorderLine]:
    """The action list for every product with a stored forecast (or these), most urgent
    first. `service_level` overrides every product's; `arrivals` defaults to the open
    purchase orders."""
    settings = services.get_settings(db)
    coming = arrivals if arrivals is not None else purchase_orders.arrivals(db, product_ids)
    query = select(ProductRow, ForecastModelRow.error_sd).join(
        ForecastModelRow, ForecastModelRow.product_id == ProductRow.product_id
    )
    predictions = (
        select(PredictionRow.product_id, PredictionRow.day, PredictionRow.predicted_units)
        .where(PredictionRow.day >= today)
        .order_by(PredictionRow.product_id, PredictionRow.day)
    )
    if product_ids is not None:
        query = query.where(ProductRow.product_id.in_(list(product_ids)))
        predictions = predictions.where(PredictionRow.product_id.in_(list(product_ids)))
    with db.read() as session:
        catalogue = [(services.to_product(row), sd) for row, sd in session.execute(query)]
        forecast: dict[str, tuple[list[date], list[float]]] = {}
        for product_id, day, units in session.execute(predictions):
            days, values = forecast.setdefault(product_id, ([], []))
            days.append(day)
            values.append(float(units))
    if not catalogue:
        return []
    ids = [product.product_id for product, _ in catalogue]
    revenue = _revenue_last_year(db, today)
    classes = abc_classes(revenue.reindex(list(revenue.index.union(ids)), fill_value=0.0)).reindex(
        ids
    )
    calendar = trading_days(db, start=today - timedelta(days=HISTORY_DAYS))
    season = forecasting.weekly_season(calendar)
    past = daily_demand(
        db, ids, start=today - timedelta(days=HISTORY_DAYS), end=today - timedelta(days=1)
    )
    histories = {
        str(pid): frame["units"].to_numpy(dtype=float) for pid, frame in past.groupby("product_id")
    }
    lines = []
    for product, error_sd in catalogue:
        pid = product.product_id
        abc = str(classes.get(pid, "C"))
        if service_level is not None:
            level, source = service_level, "set for this list"
        elif product.service_level is not None:
            level, source = product.service_level, "its own"
        else:
            level, source = settings.service_level_for(abc), f"class {abc}"
        days, values = forecast.get(pid, ([], []))
        inputs = _Inputs(
            product, abc, level, source, days, np.asarray(values, dtype=float), error_sd or 0.0,
            histories.get(pid, np.array([])), tuple(coming.get(pid, ())),
        )  # fmt: skip
        lines.append(_line(inputs, season, settings, today))
    return sorted(lines, key=_urgency)


def _line(
    inputs: _Inputs, season: int, settings: services.ShopSettings, today: date
) -> ReorderLine:
    product = inputs.product
    lead_time = max(1, product.lead_time_days)
    values = inputs.units
    lead = values[:lead_time]
    review = values[lead_time : lead_time + REVIEW_PERIOD_DAYS]
    lead_time_demand = float(lead.sum())
    review_demand = float(review.sum())
    daily = lead_time_demand / lead_time
    spread = product.lead_time_sd_days
    reorder = cover_level(
        expected=lead_time_demand,
        sigma=levels.demand_sigma(inputs.error_sd, int((lead > 0).sum()), daily, spread),
        past_sums=levels.stretch_sums(inputs.history, levels.trading_days_in(lead_time, season)),
        cycle_demand=review_demand,
        service_level=inputs.service_level,
    )
    cover = values[: lead_time + REVIEW_PERIOD_DAYS]
    up_to = cover_level(
        expected=lead_time_demand + review_demand,
        sigma=levels.demand_sigma(inputs.error_sd, int((cover > 0).sum()), daily, spread),
        past_sums=levels.stretch_sums(
            inputs.history, levels.trading_days_in(lead_time + REVIEW_PERIOD_DAYS, season)
        ),
        cycle_demand=review_demand,
        service_level=inputs.service_level,
    )
    order_up_to = max(up_to.level, reorder.level)
    on_order = sum(units for _, units in inputs.arrivals)
    position = product.quantity + on_order
    out = run_out_day(product.quantity, inputs.days, values.tolist(), inputs.arrivals)
    order_by = out - timedelta(days=lead_time) if out is not None else None
    cover_days = (out - today).days if out is not None else None
    if lead_time_demand + review_demand < 0.5:
        status = "no recent demand"
    elif position <= reorder.level or (order_by is not None and order_by <= today):
        status = "order now"
    elif position < order_up_to or (
        order_by is not None and order_by <= today + timedelta(days=REVIEW_PERIOD_DAYS)
    ):
        status = "order soon"
    elif position > OVERSTOCK_FACTOR * order_up_to and (
        cover_days is None or cover_days > OVERSTOCK_COVER_DAYS
    ):
        status = "overstock"
    else:
        status = "healthy"
    yearly = 365 * (lead_time_demand + review_demand) / (lead_time + REVIEW_PERIOD_DAYS)
    eoq = _eoq(settings, product, yearly)
    suggested = 0
    if status in ("order now", "order soon"):
        wanted = max(order_up_to - position, eoq or 0.0)
        suggested = levels.round_order(
            wanted, minimum=product.min_order_quantity, pack_size=product.pack_size
        )
    at_risk = 0.0
    if out is not None and out in inputs.days:
        start = inputs.days.index(out)
        at_risk = float(values[start : start + lead_time].sum())
    return ReorderLine(
        product_id=product.product_id,
        name=product.name,
        category=product.category,
        supplier=product.supplier,
        abc=inputs.abc,
        unit_price=product.unit_price,
        on_hand=product.quantity,
        on_order=on_order,
        arrivals=inputs.arrivals,
        lead_time_days=lead_time,
        lead_time_sd_days=spread,
        daily_demand=daily,
        lead_time_demand=lead_time_demand,
        safety_stock=reorder.safety_stock,
        reorder_point=reorder.level,
        order_up_to=order_up_to,
        suggested_quantity=suggested,
        run_out_day=out,
        order_by=order_by,
        days_of_cover=cover_days,
        status=status,
        revenue_at_risk=(product.unit_price * Decimal(str(round(at_risk, 4)))).quantize(
            Decimal("0.01")
        ),
        service_level=inputs.service_level,
        service_level_source=inputs.service_level_source,
        cover=reorder,
        eoq=eoq,
        min_order_quantity=product.min_order_quantity,
        pack_size=product.pack_size,
    )


def _eoq(settings: services.ShopSettings, product: Product, yearly_demand: float) -> float | None:
    """The economic order quantity, when the shop has set an ordering cost and a holding
    rate (holding a unit for a year costs that share of its cost, or of its price)."""
    if settings.ordering_cost is None or settings.holding_rate is None:
        return None
    cost = product.unit_cost if product.unit_cost is not None else product.unit_price
    holding = settings.holding_rate * float(cost)
    eoq = levels.economic_order_quantity(yearly_demand, float(settings.ordering_cost), holding)
    return eoq or None


def _urgency(line: ReorderLine) -> tuple[int, date, Decimal]:
    """The lines to order first (now or soon), by order-by day, then revenue at risk; then
    healthy, overstock and no-demand lines in the same order."""
    group = 0 if line.status in ("order now", "order soon") else STATUS_ORDER.index(line.status)
    return (group, line.order_by or date.max, -line.revenue_at_risk)


PLAN_COLUMNS: Final = [
    "product_id", "name", "status", "order", "order_by", "run_out_day", "supplier", "abc",
    "service_level", "on_hand", "on_order", "daily_demand", "lead_time_days", "safety_stock",
    "reorder_point", "order_up_to", "revenue_at_risk", "why",
]  # fmt: skip


def plan_frame(lines: Sequence[ReorderLine]) -> pd.DataFrame:
    """The action list as a table; `order` starts at the suggested quantity."""
    return pd.DataFrame(
        [
            {
                "product_id": line.product_id,
                "name": line.name,
                "supplier": line.supplier or "",
                "status": line.status,
                "abc": line.abc,
                "service_level": line.service_level,
                "on_hand": line.on_hand,
                "on_order": line.on_order,
                "daily_demand": round(line.daily_demand, 2),
                "lead_time_days": line.lead_time_days,
                "safety_stock": round(line.safety_stock),
                "reorder_point": round(line.reorder_point),
                "order_up_to": round(line.order_up_to),
                "order": line.suggested_quantity,
                "order_by": line.order_by,
                "run_out_day": line.run_out_day,
                "revenue_at_risk": float(line.revenue_at_risk),
                "why": line.explain(),
            }
            for line in lines
        ],
        columns=PLAN_COLUMNS,
    )


@dataclass(frozen=True)
class LeadTimeAlerts:
    raised: list[str]
    resolved: list[str]
    active: int


def sync_lead_time_alerts(
    db: Database, *, today: date, now: datetime | None = None
) -> LeadTimeAlerts:
    """Check every product against its forecast, as a sale does for its own product:
    raise a "runs out before a new order could arrive" alert for each whose forecast uses
    up its stock on hand and on order before today + its lead time, and resolve the ones
    that no longer do. One transaction."""
    at = now or datetime.combine(today, datetime.min.time())
    with db.write() as session:
        products = [services.to_product(row) for row in session.scalars(select(ProductRow))]
        raised, resolved = services.sync_lead_time_alerts_in(session, products, at)
        active = session.scalar(
            select(func.count())
            .select_from(AlertRow)
            .where(
                AlertRow.kind == AlertKind.RUNS_OUT_BEFORE_DELIVERY.value,
                AlertRow.resolved_at.is_(None),
            )
        )
    return LeadTimeAlerts(sorted(raised), sorted(resolved), int(active or 0))
