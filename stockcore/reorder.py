"""What to order, how much and by when: the action list, from the stored forecasts.

Per product, with L its supplier lead time in days and R the review period (how often
the owner places orders, 7 days):

* lead-time demand: the forecast units over the next L days;
* safety stock: z x sd of the forecast's daily backtest errors x sqrt(trading days in L),
  z for the target cycle service level (95% unless set);
* reorder point = lead-time demand + safety stock;
* order-up-to level = reorder point + the forecast units over the R days after the lead
  time; suggested quantity = order-up-to level - on hand - on order, rounded up;
* run-out day: walking the forecast from today's stock; order-by day = run-out day - L;
* status: order now (stock is at or below the reorder point, or the order-by day has
  come), order soon (the order-by day is within the review period), no recent demand (the
  forecast sells nothing over the lead time and review period), overstock (more than
  three times the order-up-to level on hand, and over 90 days of cover), else healthy;
* revenue at risk: the forecast units of the lead time after the run-out day at the
  unit price: what is lost if nobody orders until the product runs out;
* ABC class by revenue over the last 365 days (A: the top 80% of revenue, B: the next
  15%, C: the rest).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import NormalDist
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from stockcore import purchasing, replenishment
from stockcore.db import Database
from stockcore.domain import AlertKind, AlertStatus
from stockcore.forecasts import run_out_day
from stockcore.models import AlertRow, ForecastModelRow, PredictionRow, ProductRow, SaleLineRow

REVIEW_PERIOD_DAYS: Final = 7
OVERSTOCK_FACTOR: Final = 3
OVERSTOCK_COVER_DAYS: Final = 90
STATUS_ORDER: Final = ("order now", "order soon", "healthy", "overstock", "no recent demand")


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
    lead_time_days: int
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

    def explain(self) -> str:
        """The numbers of this line in plain words."""
        text = (
            f"Forecast {self.daily_demand:,.1f} a day over the {self.lead_time_days}-day lead "
            f"time: {self.lead_time_demand:,.0f} units. Safety stock {self.safety_stock:,.0f} "
            f"covers forecast misses {self.service_level:.0%} of the time, so reorder at "
            f"{self.reorder_point:,.0f}; an order should bring stock up to "
            f"{self.order_up_to:,.0f} (another {REVIEW_PERIOD_DAYS} days of sales after it "
            f"arrives). On hand {self.on_hand:,}"
        )
        text += f", on order {self.on_order:,}." if self.on_order else "."
        if self.run_out_day is not None:
            text += f" Runs out around {self.run_out_day:%a %d %b}"
            text += f", so order by {self.order_by:%a %d %b}." if self.order_by else "."
        if self.suggested_quantity:
            text += f" Suggested order: {self.suggested_quantity:,} units."
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


def reorder_plan(
    db: Database,
    *,
    today: date,
    service_level: float = replenishment.DEFAULT_SERVICE_LEVEL,
    on_order: dict[str, int] | None = None,
) -> list[ReorderLine]:
    """The action list for every product with a stored forecast, most urgent first.
    `on_order` defaults to the units on open purchase orders."""
    pending = on_order if on_order is not None else purchasing.on_order(db)
    with db.read() as session:
        catalogue = session.execute(
            select(
                ProductRow.product_id,
                ProductRow.name,
                ProductRow.category,
                ProductRow.supplier,
                ProductRow.unit_price,
                ProductRow.quantity,
                ProductRow.lead_time_days,
                ForecastModelRow.error_sd,
            ).join(ForecastModelRow, ForecastModelRow.product_id == ProductRow.product_id)
        ).all()
        predictions = session.execute(
            select(PredictionRow.product_id, PredictionRow.day, PredictionRow.predicted_units)
            .where(PredictionRow.day >= today)
            .order_by(PredictionRow.product_id, PredictionRow.day)
        ).all()
    by_product: dict[str, tuple[list[date], list[float]]] = {}
    for product_id, day, units in predictions:
        days, values = by_product.setdefault(product_id, ([], []))
        days.append(day)
        values.append(float(units))
    revenue = _revenue_last_year(db, today)
    classes = abc_classes(revenue.reindex([c[0] for c in catalogue], fill_value=0.0))
    z = NormalDist().inv_cdf(service_level)
    lines = []
    for product_id, name, category, supplier, price, on_hand, lead_time, spread in catalogue:
        days, values = by_product.get(product_id, ([], []))
        lines.append(
            _line(
                product_id, name, category, supplier, price, on_hand, max(1, lead_time),
                pending.get(product_id, 0), days, values, spread or 0.0,
                str(classes.get(product_id, "C")), z, service_level, today,
            )
        )  # fmt: skip
    return sorted(lines, key=_urgency)


def _line(
    product_id: str,
    name: str,
    category: str,
    supplier: str | None,
    price: Decimal,
    on_hand: int,
    lead_time: int,
    on_order: int,
    days: Sequence[date],
    units: Sequence[float],
    error_sd: float,
    abc: str,
    z: float,
    service_level: float,
    today: date,
) -> ReorderLine:
    values = np.asarray(units, dtype=float)
    lead = values[:lead_time]
    review = values[lead_time : lead_time + REVIEW_PERIOD_DAYS]
    lead_time_demand = float(lead.sum())
    selling_days = int((lead > 0).sum())  # closed days carry no forecast error
    safety_stock = max(0.0, z * error_sd * math.sqrt(selling_days))
    reorder_point = lead_time_demand + safety_stock
    order_up_to = reorder_point + float(review.sum())
    position = on_hand + on_order
    out = run_out_day(position, list(days), values.tolist())
    order_by = out - timedelta(days=lead_time) if out is not None else None
    cover = (out - today).days if out is not None else None
    if lead_time_demand + float(review.sum()) < 0.5:
        status = "no recent demand"
    elif position <= reorder_point or (order_by is not None and order_by <= today):
        status = "order now"
    elif order_by is not None and order_by <= today + timedelta(days=REVIEW_PERIOD_DAYS):
        status = "order soon"
    elif position > OVERSTOCK_FACTOR * order_up_to and (cover is None or cover > 90):
        status = "overstock"
    else:
        status = "healthy"
    suggested = (
        replenishment.order_quantity(order_up_to, on_hand, on_order)
        if status in ("order now", "order soon")
        else 0
    )
    at_risk = 0.0
    if out is not None and out in days:
        start = list(days).index(out)
        at_risk = float(values[start : start + lead_time].sum())
    return ReorderLine(
        product_id=product_id,
        name=name,
        category=category,
        supplier=supplier,
        abc=abc,
        unit_price=price,
        on_hand=on_hand,
        on_order=on_order,
        lead_time_days=lead_time,
        daily_demand=lead_time_demand / lead_time,
        lead_time_demand=lead_time_demand,
        safety_stock=safety_stock,
        reorder_point=reorder_point,
        order_up_to=order_up_to,
        suggested_quantity=suggested,
        run_out_day=out,
        order_by=order_by,
        days_of_cover=cover,
        status=status,
        revenue_at_risk=(price * Decimal(str(round(at_risk, 4)))).quantize(Decimal("0.01")),
        service_level=service_level,
    )


def _urgency(line: ReorderLine) -> tuple[int, date, Decimal]:
    return (
        STATUS_ORDER.index(line.status),
        line.order_by or date.max,
        -line.revenue_at_risk,
    )


PLAN_COLUMNS: Final = [
    "product_id", "name", "status", "order", "order_by", "run_out_day", "supplier", "abc",
    "on_hand", "on_order", "daily_demand", "lead_time_days", "safety_stock", "reorder_point",
    "order_up_to", "revenue_at_risk", "why",
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
    """Raise a "runs out before a new order could arrive" alert for every product whose
    forecast uses up its stock (on hand + on order) before today + its lead time, and
    resolve the ones that no longer do. One transaction."""
    at = now or datetime.combine(today, datetime.min.time())
    short = {
        line.product_id: line
        for line in reorder_plan(db, today=today)
        if line.status != "no recent demand"
        and line.run_out_day is not None
        and line.run_out_day < today + timedelta(days=line.lead_time_days)
    }
    kind = AlertKind.RUNS_OUT_BEFORE_DELIVERY.value
    raised: list[str] = []
    resolved: list[str] = []
    with db.write() as session:
        active = {
            row.product_id: row
            for row in session.scalars(
                select(AlertRow).where(AlertRow.kind == kind, AlertRow.resolved_at.is_(None))
            )
        }
        for product_id, line in sorted(short.items()):
            if product_id not in active:
                session.add(
                    AlertRow(
                        product_id=product_id,
                        kind=kind,
                        status=AlertStatus.OPEN.value,
                        raised_at=at,
                        quantity_at_raise=line.on_hand,
                        threshold_at_raise=round(line.reorder_point),
                    )
                )
                raised.append(product_id)
        for product_id, row in active.items():
            if product_id not in short:
                row.status = AlertStatus.RESOLVED.value
                row.resolved_at = at
                resolved.append(product_id)
    return LeadTimeAlerts(raised, sorted(resolved), len(short))
