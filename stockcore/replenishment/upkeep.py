"""Keeping the forecasts, and the alerts that read them, up to date: the one refresh use
case (`refresh_forecasts_and_alerts`), one product's forecast on demand, and refreshing on
its own when the forecasts are due, without anyone pressing *Refresh*.

Forecasts are due when there are none yet (a new shop with sales, the demo just loaded),
or when the data they learn from has changed since the last refresh and that refresh is
more than a day old: a sale an hour after a refresh does not trigger hours of work on a
big shop, but yesterday's sales are in today's forecasts. Every refresh, whoever starts
it (the dashboard, `forecast --all`, `/train-sales-model`), records a mark of the data it
read (`DATA_MARK`), so "changed since" compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stockcore import inventory
from stockcore.domain import AlertKind, Clock, local_now
from stockcore.forecasting import lease, refresh, views, workers
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    AlertRow,
    ProductRow,
    SaleLineRow,
    SettingRow,
    ShopDailySalesRow,
    StockMovementRow,
)

MAX_AGE: Final = timedelta(days=1)
DATA_MARK: Final = "forecasts_data_mark"  # settings key: what the last refresh read


def _data_parts(session: Session) -> tuple[object, ...]:
    """Sale lines (count, last id), shop-level daily totals (count, last day), products
    (count, last id) and the last stock movement: a few aggregates."""
    sales = session.execute(select(func.count(), func.max(SaleLineRow.id))).one()
    totals = session.execute(
        select(func.count(), func.max(ShopDailySalesRow.sold_on)).select_from(ShopDailySalesRow)
    ).one()
    products = session.execute(select(func.count(), func.max(ProductRow.product_id))).one()
    moves = session.scalar(select(func.max(StockMovementRow.id)))
    return (*sales, *totals, *products, moves)


def _as_mark(parts: tuple[object, ...]) -> str:
    return ":".join(str(part) for part in parts)


def data_mark(session: Session) -> str:
    """A fingerprint of what forecasts learn from: sale lines (added, imported or undone),
    shop-level daily totals, products, and stock movements (days out of stock count as
    unknown demand). Any change to them changes it."""
    return _as_mark(_data_parts(session))


def record_data_mark(db: Database, mark: str) -> None:
    """Remember what a finished refresh read."""
    with db.write() as session:
        row = session.get(SettingRow, DATA_MARK)
        if row is None:
            session.add(SettingRow(key=DATA_MARK, value=mark))
        else:
            row.value = mark


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
        products = [inventory.to_product(row) for row in session.scalars(select(ProductRow))]
        raised, resolved = inventory.sync_lead_time_alerts_in(session, products, at)
        active = session.scalar(
            select(func.count())
            .select_from(AlertRow)
            .where(
                AlertRow.kind == AlertKind.RUNS_OUT_BEFORE_DELIVERY.value,
                AlertRow.resolved_at.is_(None),
            )
        )
    return LeadTimeAlerts(sorted(raised), sorted(resolved), int(active or 0))


@dataclass(frozen=True)
class Refreshed:
    summary: refresh.RefreshSummary
    alerts: LeadTimeAlerts


def refresh_forecasts_and_alerts(
    db: Database,
    *,
    horizon_days: int = refresh.DEFAULT_HORIZON_DAYS,
    workers: int = 2,
    progress: workers.Progress | None = None,
    clock: Clock = local_now,
) -> Refreshed:
    """The one use case behind *Refresh all forecasts*, `forecast --all` and the API's
    `/train-sales-model`: forecast every product (with the shop's public holidays), then
    check every product's "runs out before a new order could arrive" alert against the new
    forecasts, as the Alerts page promises."""
    with db.read() as session:
        mark = data_mark(session)  # before reading: a sale meanwhile makes the next one due
    summary = refresh.refresh_forecasts(
        db,
        horizon_days=horizon_days,
        holidays_country=_holidays_country(db),
        workers=workers,
        progress=progress,
        clock=clock,
    )
    alerts = sync_lead_time_alerts(db, today=summary.first_day)
    record_data_mark(db, mark)
    return Refreshed(summary, alerts)


def fresh_product_forecast(
    db: Database,
    product_id: str,
    *,
    days: int,
    clock: Clock = local_now,
) -> views.ForecastView:
    """One product's forecast for `days` days from today (`forecast --product`), made first
    when no refresh has covered those days yet (never forecast, or the stored forecast ends
    too soon): that product alone, with the shop's public holidays, over at least the
    default horizon (days)."""
    today = clock().date()
    view = views.product_forecast(db, product_id, days=days, today=today)
    if len(view.forecast) >= days:
        return view
    refresh.refresh_forecasts(
        db,
        product_ids=[product_id],
        horizon_days=max(days, refresh.DEFAULT_HORIZON_DAYS),
        holidays_country=_holidays_country(db),
        workers=1,
        clock=clock,
    )
    return views.product_forecast(db, product_id, days=days, today=today)


def _holidays_country(db: Database) -> str | None:
    """The country whose public holidays the forecasts learn; None for none."""
    return inventory.get_settings(db).holiday_country or None


@dataclass(frozen=True)
class Freshness:
    """Whether a refresh is due, and why, in words for the owner."""

    due: bool
    reason: str


def freshness(db: Database, *, clock: Clock = local_now) -> Freshness:
    """Whether the forecasts should be refreshed now (see the module's rule)."""
    run = views.latest_run(db)
    with db.read() as session:
        parts = _data_parts(session)
        stored = session.get(SettingRow, DATA_MARK)
    mark = _as_mark(parts)
    sale_lines, _, daily_totals, *_ = parts
    has_sales = bool(sale_lines or daily_totals)
    if not has_sales:
        return Freshness(False, "no sales history yet: forecasts start with the first sales")
    if run is None:
        return Freshness(True, "no forecasts yet")
    if stored is not None and stored.value == mark:
        return Freshness(False, f"up to date with the data (made {run.finished_at:%Y-%m-%d %H:%M})")
    age = clock() - run.finished_at
    if age < MAX_AGE:
        return Freshness(
            False,
            f"the data changed since the forecasts of {run.finished_at:%Y-%m-%d %H:%M}; "
            "they are refreshed once they are a day old",
        )
    return Freshness(True, f"the data changed and the forecasts are {_age(age)} old")


def _age(age: timedelta) -> str:
    days = age.days
    return f"{days} days" if days > 1 else "a day"


@dataclass(frozen=True)
class Upkeep:
    """What `refresh_if_due` did: refreshed (with the summary), or why not."""

    refreshed: refresh.RefreshSummary | None
    reason: str


def refresh_if_due(
    db: Database,
    *,
    workers: int = 2,
    progress: workers.Progress | None = None,
    clock: Clock = local_now,
) -> Upkeep:
    """Refresh the forecasts (and the lead-time alerts) if they are due; not while another
    refresh runs (that one will be fresh)."""
    due = freshness(db, clock=clock)
    if not due.due:
        return Upkeep(None, due.reason)
    try:
        done = refresh_forecasts_and_alerts(db, workers=workers, progress=progress, clock=clock)
    except lease.RefreshRunning as running:
        return Upkeep(None, str(running))
    except refresh.NoHistory as nothing:
        return Upkeep(None, str(nothing))
    return Upkeep(done.summary, f"refreshed: {due.reason}")
