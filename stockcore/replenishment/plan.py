"""What to order, how much and by when: the action list, from the stored forecasts.

Per product, with L its supplier lead time in days and R the review period (the owner
orders weekly: 7 days), at its service level (the chance of not running out in the week
after an order arrives: its own, else its ABC class's from Settings, 95% unless set;
replayed on real history, the share of demand served comes out close to it), from the
distribution of its demand over L and over L + R that the latest forecast refresh stored:

* stock at arrival: what the stock on hand and the open purchase orders (each on its
  expected day) leave after the lead time's demand, per demand sample; demand beyond the
  stock before then is lost, never made up;
* suggested quantity: the smallest order after whose arrival the R days run out with a
  chance of at most 1 - the service level (`levels.order_for_service`), rounded up to
  whole packs and the supplier's minimum, or the EOQ when ordering cost and holding rate
  are set and it is larger; the share of those days' demand it is expected to serve is
  shown beside it;
* reorder point: the stock on hand and on order that, with nothing else arriving, runs
  out in the R days after the lead time with a chance of at most 1 - the service level
  (`levels.level_for_service`); the order-up-to level is the same (a weekly review tops
  the position up to it); safety stock = reorder point - the expected demand over L + R;
* chance of running out before an order placed today could arrive, from the same
  samples; and what ordering half the suggestion would risk;
* status: order now (an order is needed today: without one the week after the lead
  time falls short of the target); covered (without its open purchase orders it would be
  order now, and with them no order is needed today: the line names them and when they
  arrive); order soon (the position, less the week's expected
  demand, would fall below the reorder point by the next review); no recent demand (the
  forecast sells nothing over L + R); overstock (more than three times the reorder point
  and over 90 days of cover); else healthy;
* season: when the forecast's peak comes before an order placed today could arrive, the
  order is sized for what sells after it arrives and the line says the season ends; when
  it is still ahead, the line gives the last day an order arrives in time for it;
* run-out day: walking the forecast day by day from today's stock, adding each open
  purchase order on the day it is expected; order-by day = run-out day - L; a line to
  order whose order-by day has passed says "overdue: order today";
* revenue at risk: the forecast units of the lead time after the run-out day at the
  unit price: what is lost if nobody orders until the product runs out;
* ABC class by revenue over the last 365 days (A: the top 80% of revenue, B: the next
  15%, C: the rest).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import String, func, select, type_coerce

from stockcore import inventory
from stockcore.domain import Clock, Product, local_now
from stockcore.forecasting import views
from stockcore.persistence.db import Database, as_date
from stockcore.persistence.models import (
    ForecastModelRow,
    PredictionRow,
    ProductRow,
    SaleLineRow,
)
from stockcore.replenishment import levels, purchase_orders
from stockcore.replenishment.levels import REVIEW_PERIOD_DAYS, run_out_day
from stockcore.replenishment.lines import (
    STATUS_ORDER,
    URGENT,
    ReorderLine,
    ReorderStatus,
    Season,
)

OVERSTOCK_FACTOR: Final = 3
OVERSTOCK_COVER_DAYS: Final = 90
SEASON_DROP: Final = 0.6  # after the peak, a week selling under 60% of the peak week's rate


def _share(lost: float, cover: levels.Cover) -> float:
    """Units lost as a share of the lead time's expected demand (from the same samples)."""
    lead = cover.lead_alone if cover.lead_alone is not None else cover.lead
    expected = float(lead.mean()) if lead.size else 0.0
    return min(1.0, lost / expected) if expected > 0 else 0.0


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
    days: list[date]  # calendar days from today
    units: np.ndarray  # the forecast per calendar day
    grids: Mapping[str, Sequence[float]]  # "lead" and "lead+review" demand quantiles
    seasonal: bool  # the forecast carries a yearly season
    arrivals: tuple[tuple[date, int], ...]
    set_aside: tuple[int, int] = (0, 0)  # large orders left out of the history, and units
    open_orders: tuple[purchase_orders.Incoming, ...] = ()


def reorder_plan(
    db: Database,
    *,
    today: date,
    service_level: float | None = None,
    arrivals: Mapping[str, Sequence[tuple[date, int]]] | None = None,
    product_ids: Sequence[str] | None = None,
) -> list[ReorderLine]:
    """The action list for every product with a stored forecast (or these), most urgent
    first. `service_level` (a target service level) overrides every product's; `arrivals`
    defaults to the open purchase orders (the units still to come on each)."""
    settings = inventory.get_settings(db)
    orders: Mapping[str, list[purchase_orders.Incoming]] = {}
    if arrivals is not None:
        coming = arrivals
    else:
        orders = purchase_orders.incoming(db, product_ids)
        coming = {pid: _by_day(incoming) for pid, incoming in orders.items()}
    query = select(
        ProductRow,
        ForecastModelRow.season,
        ForecastModelRow.set_aside_orders,
        ForecastModelRow.set_aside_units,
        ForecastModelRow.daily_from,
        ForecastModelRow.daily_units,
    ).join(ForecastModelRow, ForecastModelRow.product_id == ProductRow.product_id)
    predictions = (
        # The day as stored (text on SQLite): hundreds of thousands of rows, a few hundred
        # distinct days, each converted once below.
        select(
            PredictionRow.product_id,
            type_coerce(PredictionRow.day, String),
            PredictionRow.predicted_units,
        )
        .where(PredictionRow.day >= today)
        .order_by(PredictionRow.product_id, PredictionRow.day)
    )
    if product_ids is not None:
        query = query.where(ProductRow.product_id.in_(list(product_ids)))
        predictions = predictions.where(PredictionRow.product_id.in_(list(product_ids)))
    with db.read() as session:
        catalogue, series = [], {}
        for row, season, aside_orders, aside_units, daily_from, daily_units in session.execute(
            query
        ):
            catalogue.append(
                (inventory.to_product(row), season, (aside_orders or 0, aside_units or 0))
            )
            if daily_from is not None and daily_units is not None:
                series[row.product_id] = (as_date(daily_from), daily_units)
        forecast = _from_series(series, today)
        # Forecasts made before forecast_models kept the daily series: their prediction
        # rows, as the driver gives them (no row objects: hundreds of thousands of them).
        missing = [
            product.product_id for product, _, _ in catalogue if product.product_id not in series
        ]
        if missing:
            if len(missing) < len(catalogue):
                predictions = predictions.where(PredictionRow.product_id.in_(missing))
            rows = session.connection().execute(predictions).cursor.fetchall()
            forecast.update(_by_product(rows))
    if not catalogue:
        return []
    ids = [product.product_id for product, _, _ in catalogue]
    grids = views.lead_time_grids(db, ids if product_ids is not None else None)
    revenue = _revenue_last_year(db, today)
    classes = abc_classes(revenue.reindex(list(revenue.index.union(ids)), fill_value=0.0)).reindex(
        ids
    )
    every = []
    for product, season, aside in catalogue:
        pid = product.product_id
        abc = str(classes.get(pid, "C"))
        if service_level is not None:
            level, source = service_level, "set for this list"
        elif product.service_level is not None:
            level, source = product.service_level, "its own"
        else:
            level, source = settings.service_level_for(abc), f"class {abc}"
        days, values = forecast.get(pid, ([], np.zeros(0)))
        every.append(
            _Inputs(
                product, abc, level, source, days, np.asarray(values, dtype=float),
                grids.get(pid, {}), season is not None, tuple(coming.get(pid, ())), aside,
                tuple(orders.get(pid, ())),
            )
        )  # fmt: skip
    outlooks = [_outlook(inputs, today) for inputs in every]
    covers = [outlook.cover for outlook in outlooks]
    targets = [inputs.service_level for inputs in every]
    # The order and the reorder point of every line, all products at once (the same
    # numbers as one product at a time, in a fraction of the time on thousands of them).
    lefts = [outlook.stock.left for outlook in outlooks]
    wanted = levels.orders_for_service(covers, lefts, targets)
    points = levels.levels_for_service(covers, targets)
    lines = [
        _line(inputs, outlook, point, order, settings, today)
        for inputs, outlook, point, order in zip(every, outlooks, points, wanted, strict=True)
    ]
    return sorted(lines, key=_urgency)


def _by_product(
    rows: Sequence[tuple[str, object, float]],
) -> dict[str, tuple[list[date], np.ndarray]]:
    """(product id, stored day, units) rows ordered by product and day, as each product's
    days and units. Most products share their days: each run of days is converted once."""
    if not rows:
        return {}
    ids, stored = list(map(itemgetter(0), rows)), list(map(itemgetter(1), rows))
    units = list(map(itemgetter(2), rows))
    products = np.array(ids, dtype=object)
    starts = [0, *(np.flatnonzero(products[1:] != products[:-1]) + 1).tolist(), len(ids)]
    values = np.array(units, dtype=float)
    converted: dict[tuple[object, ...], list[date]] = {}
    found = {}
    for start, end in itertools.pairwise(starts):
        span = tuple(stored[start:end])
        days = converted.get(span)
        if days is None:
            days = converted[span] = [as_date(day) for day in span]
        found[str(ids[start])] = (list(days), values[start:end])
    return found


def _from_series(
    series: Mapping[str, tuple[date, str]], today: date
) -> dict[str, tuple[list[date], np.ndarray]]:
    """Each product's stored daily series (first day, JSON list of units) from `today` on,
    as its days and units. Products whose series start on the same day share one list of
    days (read only)."""
    calendars: dict[tuple[date, int], list[date]] = {}
    found = {}
    # One JSON document of every series: the decoder's cost per call, paid once.
    every = json.loads(f"[{','.join(text for _, text in series.values())}]")
    for (product_id, (first, _)), values in zip(series.items(), every, strict=True):
        units = np.array(values, dtype=float)[max(0, (today - first).days) :]
        start = max(first, today)
        days = calendars.get((start, units.size))
        if days is None:
            days = [start + timedelta(days=offset) for offset in range(units.size)]
            calendars[(start, units.size)] = days
        found[product_id] = (days, units)
    return found


def _by_day(orders: Sequence[purchase_orders.Incoming]) -> list[tuple[date, int]]:
    """Units still to come per expected day, earliest first."""
    days: dict[date, int] = {}
    for order in orders:
        days[order.expected_on] = days.get(order.expected_on, 0) + order.units
    return sorted(days.items())


def reorder_list(
    db: Database,
    *,
    today: date,
    only_urgent: bool = False,
    service_level: float | None = None,
) -> list[ReorderLine]:
    """The reorder list as every interface shows it: refuses (NoForecasts) before any
    forecast refresh; `only_urgent` keeps the `listed` lines (to order now or soon, and
    those covered by open orders)."""
    views.require_forecasts(db)
    lines = reorder_plan(db, today=today, service_level=service_level)
    return [line for line in lines if line.listed or not only_urgent]


def order_from_plan(
    db: Database,
    *,
    include_soon: bool = False,
    clock: Clock = local_now,
) -> list[purchase_orders.PurchaseOrder]:
    """Purchase orders (one per supplier) for what the reorder list says to order now (and
    soon, if asked), at its suggested quantities. An empty list: nothing to order."""
    wanted = URGENT if include_soon else (ReorderStatus.ORDER_NOW,)
    quantities = {
        line.product_id: line.suggested_quantity
        for line in reorder_list(db, today=clock().date())
        if line.status in wanted and line.suggested_quantity > 0
    }
    if not quantities:
        return []
    return purchase_orders.create_purchase_orders(db, quantities, clock=clock)


def _cover(inputs: _Inputs, lead_time: int) -> tuple[levels.Cover, bool]:
    """The demand samples over the lead time and the review days after it: the stored
    distribution, or the forecast's mean alone when none is stored."""
    lead, both = inputs.grids.get("lead"), inputs.grids.get("lead+review")
    if lead and both and len(lead) == len(both):
        cover = levels.Cover.from_quantiles(lead, both)
        distribution = True
    else:
        values = inputs.units
        cover = levels.Cover(
            np.array([float(values[:lead_time].sum())]),
            np.array([float(values[lead_time : lead_time + REVIEW_PERIOD_DAYS].sum())]),
        )
        distribution = False
    return levels.with_lead_time_spread(cover, lead_time, inputs.product.lead_time_sd_days), (
        distribution
    )


def _season(inputs: _Inputs, today: date, lead_time: int) -> Season | None:
    """The forecast's peak week, for a product with a yearly season whose forecast rises
    to a clear peak within the horizon."""
    values = inputs.units
    if not inputs.seasonal or values.size < lead_time + REVIEW_PERIOD_DAYS:
        return None
    weekly = np.convolve(values, np.ones(REVIEW_PERIOD_DAYS), mode="valid")
    peak_at = int(np.argmax(weekly))
    peak_week = float(weekly[peak_at])
    after = float(weekly[min(lead_time, weekly.size - 1)])  # the week after an order arrives
    typical = float(np.median(weekly))
    if peak_week <= 0 or peak_week < 1.5 * typical:  # no marked peak ahead
        return None
    peak = today + timedelta(days=peak_at + REVIEW_PERIOD_DAYS // 2)
    arrival = today + timedelta(days=lead_time)
    ended = peak < arrival and after < SEASON_DROP * peak_week
    if not ended and peak < arrival:
        return None
    return Season(peak, arrival, peak - timedelta(days=lead_time), ended)


@dataclass(frozen=True)
class _Outlook:
    """A product's demand samples and what its stock leaves before an order arrives."""

    cover: levels.Cover
    distribution: bool  # from a stored distribution (else the forecast's mean alone)
    stock: levels.LeadTimeOutlook


def _outlook(inputs: _Inputs, today: date) -> _Outlook:
    lead_time = max(1, inputs.product.lead_time_days)
    cover, distribution = _cover(inputs, lead_time)
    stock = levels.outlook_from_today(
        inputs.product.quantity, inputs.arrivals, today, inputs.units[:lead_time], cover
    )
    return _Outlook(cover, distribution, stock)


def _line(
    inputs: _Inputs,
    made: _Outlook,
    reorder_point: float,
    wanted: float,
    settings: inventory.ShopSettings,
    today: date,
) -> ReorderLine:
    """One product's line; `reorder_point` and `wanted` are `levels.level_for_service` and
    `levels.order_for_service` of its outlook (computed for every product at once)."""
    product = inputs.product
    lead_time = max(1, product.lead_time_days)
    values = inputs.units
    cover, distribution, outlook = made.cover, made.distribution, made.stock
    target = inputs.service_level
    on_order = sum(units for _, units in inputs.arrivals)
    position = product.quantity + on_order
    out = run_out_day(product.quantity, inputs.days, values, inputs.arrivals)
    order_by = out - timedelta(days=lead_time) if out is not None else None
    cover_days = (out - today).days if out is not None else None
    expected = cover.lead_mean + cover.review_mean
    week = float(values[:REVIEW_PERIOD_DAYS].sum())
    if expected < 0.5:
        status = ReorderStatus.NO_RECENT_DEMAND
    elif wanted > 0:
        status = ReorderStatus.ORDER_NOW
    elif inputs.arrivals and _needed_without_orders(inputs, today, lead_time, cover):
        status = ReorderStatus.COVERED
    elif position - week < reorder_point:
        status = ReorderStatus.ORDER_SOON
    elif position > OVERSTOCK_FACTOR * reorder_point and (
        cover_days is None or cover_days > OVERSTOCK_COVER_DAYS
    ):
        status = ReorderStatus.OVERSTOCK
    else:
        status = ReorderStatus.HEALTHY
    lead_time_demand = float(values[:lead_time].sum())
    review_demand = float(values[lead_time : lead_time + REVIEW_PERIOD_DAYS].sum())
    yearly = 365 * (lead_time_demand + review_demand) / (lead_time + REVIEW_PERIOD_DAYS)
    eoq = _eoq(settings, product, yearly)
    suggested = 0
    if status is ReorderStatus.ORDER_NOW:
        suggested = levels.round_order(
            max(wanted, eoq or 0.0), minimum=product.min_order_quantity, pack_size=product.pack_size
        )
    half = suggested // 2
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
        lead_time_sd_days=product.lead_time_sd_days,
        daily_demand=lead_time_demand / lead_time,
        lead_time_demand=lead_time_demand,
        review_demand=review_demand,
        safety_stock=max(0.0, reorder_point - expected),
        reorder_point=reorder_point,
        order_up_to=reorder_point,
        suggested_quantity=suggested,
        run_out_day=out,
        order_by=order_by,
        days_of_cover=cover_days,
        status=status,
        revenue_at_risk=(product.unit_price * Decimal(str(round(at_risk, 4)))).quantize(
            Decimal("0.01")
        ),
        service_level=target,
        service_level_source=inputs.service_level_source,
        stockout_chance=outlook.stockout_chance,
        expected_lost=outlook.expected_lost,
        lost_share=_share(outlook.expected_lost, cover),
        fill_after=levels.expected_fill(cover, outlook.left, suggested),
        stockout_after=levels.stockout_chance_after(cover, outlook.left, suggested),
        half_fill=levels.expected_fill(cover, outlook.left, half) if suggested > 1 else None,
        half_stockout=(
            levels.stockout_chance_after(cover, outlook.left, half) if suggested > 1 else None
        ),
        season=_season(inputs, today, lead_time),
        distribution=distribution,
        eoq=eoq,
        min_order_quantity=product.min_order_quantity,
        pack_size=product.pack_size,
        set_aside_orders=inputs.set_aside[0],
        set_aside_units=inputs.set_aside[1],
        open_orders=inputs.open_orders,
        today=today,
    )


def _needed_without_orders(
    inputs: _Inputs, today: date, lead_time: int, cover: levels.Cover
) -> bool:
    """Whether, without its open purchase orders, the product would need an order today."""
    alone = levels.outlook_from_today(
        inputs.product.quantity, (), today, inputs.units[:lead_time], cover
    )
    return levels.order_for_service(cover, alone.left, inputs.service_level) > 0


def _eoq(settings: inventory.ShopSettings, product: Product, yearly_demand: float) -> float | None:
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
    group = 0 if line.urgent else STATUS_ORDER.index(line.status)
    return (group, line.order_by or date.max, -line.revenue_at_risk)
