"""Refreshing the shop's demand forecasts: one use case.

`refresh_forecasts` builds each product's demand history (`history.daily_demand`) and the
season of each category, chooses and fits a model per product
(`selection.forecast_series`, in worker processes from `parallel_from()` series on),
derives the distribution of its demand over its lead time and over lead time + review
(`distribution`), and only then writes every prediction in one transaction. A refresh
that is interrupted (Ctrl-C, a closed browser tab, a crash) writes nothing, so the
previous forecasts stay in place; running it again is always safe.

No series can fail a refresh: a model that raises is left out, a series every model
fails gets its recent average, and a product whose forecast fails altogether, or that
is too new to backtest, gets its category's forecast divided among the category's
selling products (the shop's, if the category is too young too). The summary lists
every product that fell back, and why.

A refresh of every product also forecasts the shop's daily sales figure (money: a day's
recorded shop total, else its sale lines; `history.shop_daily_sales`), so a shop known
only by its daily totals is forecast too. One refresh runs at a time across every
process on the database (`lease`): a second one is refused with RefreshRunning.

Units: predicted units sold per calendar day (0 on days the shop is expected to be
closed), from the refresh day on. Reading forecasts back lives in `views`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import select

from stockcore.domain import (
    Clock,
    Conflict,
    InvalidValue,
    UnknownProduct,
    local_now,
    parse_quantity,
)
from stockcore.forecasting import distribution, large_orders, lease, models, selection
from stockcore.forecasting.history import daily_demand, shop_daily_sales, trading_days
from stockcore.forecasting.models import Season
from stockcore.forecasting.selection import SeriesForecast
from stockcore.forecasting.store import store_forecasts
from stockcore.forecasting.workers import Progress, SeriesResult, SeriesTask, run_tasks
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    ProductRow,
)
from stockcore.replenishment.levels import REVIEW_PERIOD_DAYS

DEFAULT_HORIZON_DAYS: Final = 180
MAX_HORIZON_DAYS: Final = 365
OWN_HISTORY: Final = "own history"
SHOP: Final = "shop"
SHOP_SALES: Final = "shop:sales"  # the task of the shop's daily sales figure (money)
_log = logging.getLogger(__name__)


class NoHistory(Conflict):
    """Nothing has been sold yet, so there is nothing to forecast from."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} has no sales history yet: import sales or sell something first")


def parse_horizon(value: object) -> int:
    days = parse_quantity(value, "days")
    if not 1 <= days <= MAX_HORIZON_DAYS:
        raise InvalidValue("days", value, f"must be between 1 and {MAX_HORIZON_DAYS}")
    return days


# --- Refreshing: one use case -------------------------------------------------------------


@dataclass(frozen=True)
class CoverDemand:
    """Quantiles of total demand over a product's lead time, or lead time + review."""

    cover: str  # "lead" or "lead+review"
    days: int  # calendar days from the refresh day
    trading_days: int
    mean: float
    quantiles: dict[float, float]  # distribution.LEVELS -> units
    method: str
    grid: tuple[float, ...]  # units at distribution.GRID_LEVELS


@dataclass(frozen=True)
class ProductForecast:
    product_id: str
    model: str
    basis: str
    history_days: int
    selling_share: float
    days: pd.DatetimeIndex  # every calendar day of the horizon
    units: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    accuracy: selection.Accuracy | None
    naive: selection.Accuracy | None
    error_sd: float  # sd of daily forecast errors in backtest, units per trading day
    covers: list[CoverDemand] = field(default_factory=list)
    season: str | None = None
    season_phase: str | None = None
    fallback: str | None = None  # why this is not its own chosen model's forecast
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fallback:
    """A product whose forecast is not its own chosen model's, and why."""

    product_id: str
    reason: str


@dataclass(frozen=True)
class RefreshSummary:
    run_id: int
    products: int
    by_model: dict[str, int]
    fallbacks: list[Fallback]
    without_forecast: list[str]
    first_day: date
    horizon_days: int
    seconds: float
    # Why the series were forecast in one process instead of the worker processes asked
    # for (a worker died); None when they ran as planned.
    one_process_reason: str | None = None
    # The model of the shop's daily sales forecast; None when this refresh made none
    # (a refresh of some products only, or a shop without sales).
    shop_model: str | None = None


@dataclass(frozen=True)
class ShopSalesForecast:
    """The shop's daily sales figure (money) for every calendar day of the horizon."""

    model: str
    days: pd.DatetimeIndex
    sales: np.ndarray
    lower: np.ndarray  # 80% range
    upper: np.ndarray


@dataclass(frozen=True)
class _Shop:
    """What a refresh reads before it forecasts anything."""

    calendar: pd.DatetimeIndex
    season: int
    future: pd.DatetimeIndex  # trading days to forecast
    days: pd.DatetimeIndex  # all calendar days of the horizon
    demand: pd.DataFrame
    categories: dict[str, str]  # product id -> category
    lead_times: dict[str, int]  # product id -> supplier lead time in days
    set_aside: dict[str, tuple[int, int]]  # product id -> large orders, units left out
    sales_days: pd.DatetimeIndex  # trading days from the first with a sales figure
    sales: np.ndarray  # the shop's daily sales figure (money) on those days


def _read_shop(
    db: Database,
    product_ids: list[str] | None,
    first_day: date,
    horizon_days: int,
    holidays_country: str | None,
) -> _Shop:
    last_day = first_day - timedelta(days=1)  # today is still selling: learn from full days
    calendar = trading_days(db, end=last_day)
    with db.read() as session:
        query = select(ProductRow.product_id, ProductRow.category, ProductRow.lead_time_days)
        rows = session.execute(query).all()
    categories: dict[str, str] = {str(row[0]): str(row[1]) for row in rows}
    lead_times: dict[str, int] = {str(row[0]): int(row[2]) for row in rows}
    if product_ids is not None:
        unknown = [product_id for product_id in product_ids if product_id not in categories]
        if unknown:
            raise UnknownProduct(unknown[0])
    aside = large_orders.find_set_aside(db, calendar, end=last_day)
    demand = daily_demand(db, None, end=last_day, set_aside=aside.units_per_day())
    figures = pd.Series(
        {pd.Timestamp(day.day): float(day.sales) for day in shop_daily_sales(db, end=last_day)},
        dtype=float,
    )
    sales_days = calendar[calendar >= figures.index.min()] if len(figures) else calendar[:0]
    start = pd.Timestamp(first_day)
    return _Shop(
        calendar=calendar,
        season=models.weekly_season(calendar),
        future=models.future_trading_days(calendar, start, horizon_days, holidays_country),
        days=pd.date_range(start, periods=horizon_days, freq="D"),
        demand=demand,
        categories=categories,
        lead_times=lead_times,
        set_aside=aside.per_product(),
        sales_days=sales_days,
        sales=figures.reindex(sales_days, fill_value=0.0).to_numpy(dtype=float),
    )


def series_total(
    demand: pd.DataFrame, calendar: pd.DatetimeIndex
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """A total over products per trading day, from the first sale on (NaN: all out of stock)."""
    if demand.empty:
        return pd.DatetimeIndex([]), np.array([], dtype=float)
    totals = demand.groupby("day")["units"].sum(min_count=1)
    days = calendar[calendar >= totals.index.min()]
    return days, totals.reindex(days).to_numpy(dtype=float)


def _season_of(
    units: np.ndarray,
    days: pd.DatetimeIndex,
    dates: pd.DatetimeIndex,
    source: str,
) -> Season | None:
    """An aggregate's seasons; None (with a log line) if the fit fails: never fatal."""
    try:
        return models.yearly_season(units, days, dates, source=source)
    except Exception as error:
        _log.warning("the %s season could not be fitted: %r", source, error)
        return None


def refresh_forecasts(
    db: Database,
    *,
    product_ids: Sequence[str] | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    holidays_country: str | None = None,
    workers: int = 2,
    progress: Progress | None = None,
    clock: Clock = local_now,
) -> RefreshSummary:
    """Forecast every product (or the ones given) for `horizon_days` calendar days from
    today, replacing their stored forecasts in one transaction at the end; with every
    product, the shop's daily sales figure too. One series that cannot be forecast never
    fails the refresh: it falls back, and the summary says which products did and why.
    Refuses with `lease.RefreshRunning` (a Conflict, with the running one's progress)
    while another refresh runs, in this process or any other."""
    with lease.refresh_lease(db) as held:

        def report(done: int, total: int) -> None:
            held.progress(done, total)
            if progress:
                progress(done, total)

        return _refresh(
            db,
            product_ids=product_ids,
            horizon_days=horizon_days,
            holidays_country=holidays_country,
            workers=workers,
            progress=report,
            clock=clock,
        )


def _refresh(
    db: Database,
    *,
    product_ids: Sequence[str] | None,
    horizon_days: int,
    holidays_country: str | None,
    workers: int,
    progress: Progress,
    clock: Clock,
) -> RefreshSummary:
    started = clock()
    tick = time.perf_counter()
    first_day = started.date()
    wanted = list(dict.fromkeys(product_ids)) if product_ids is not None else None
    shop = _read_shop(db, wanted, first_day, horizon_days, holidays_country)
    whole_shop = wanted is None
    if shop.demand.empty and not (whole_shop and shop.sales.size):
        raise NoHistory("The shop")
    targets = wanted if wanted is not None else sorted(shop.categories)
    horizon_dates = pd.DatetimeIndex(shop.calendar.append(shop.future))

    shop_days, shop_units = series_total(shop.demand, shop.calendar)
    shop_season = _season_of(shop_units, shop_days, horizon_dates, SHOP)
    seasons: dict[str, Season | None] = {}
    category_tasks: list[SeriesTask] = []
    # Each product's rows as positions, and its series taken from the two columns it needs
    # (grouping the frame itself copies all of it, unless pandas copies on write).
    rows_of = shop.demand.groupby("product_id", sort=False).indices
    every_day = shop.demand["day"].to_numpy()
    every_units = shop.demand["units"].to_numpy(dtype=float)
    for category in sorted({shop.categories[p] for p in targets}):
        members = [p for p, c in shop.categories.items() if c == category]
        frame = shop.demand[shop.demand["product_id"].isin(members)]
        days, units = series_total(frame, shop.calendar)
        own = _season_of(units, days, horizon_dates, f"category {category}")
        seasons[category] = own if own is not None else shop_season
        category_tasks.append(
            SeriesTask(
                f"category:{category}", days, units, shop.future, shop.season, seasons[category]
            )
        )
    category_tasks.append(
        SeriesTask(SHOP, shop_days, shop_units, shop.future, shop.season, shop_season)
    )
    if whole_shop and shop.sales.size:
        sales_season = _season_of(shop.sales, shop.sales_days, horizon_dates, "shop sales")
        category_tasks.append(
            SeriesTask(
                SHOP_SALES, shop.sales_days, shop.sales, shop.future, shop.season, sales_season
            )
        )

    product_tasks = []
    for product_id in targets:
        at = rows_of.get(product_id)
        days = (
            pd.DatetimeIndex(every_day[at], name="day") if at is not None else pd.DatetimeIndex([])
        )
        units = every_units[at] if at is not None else np.array([])
        product_tasks.append(
            SeriesTask(
                product_id,
                days,
                units,
                shop.future,
                shop.season,
                seasons[shop.categories[product_id]],
            )
        )
    one_process: list[str] = []
    results = {
        result.key: result
        for result in run_tasks(
            category_tasks + product_tasks,
            workers=workers,
            progress=progress,
            fell_back=one_process.append,
        )
    }

    selling = _selling_per_category(shop.demand, shop.categories)
    all_seasons = {season.source: season for season in seasons.values() if season is not None}
    if shop_season is not None:
        all_seasons[shop_season.source] = shop_season
    forecasts: list[ProductForecast] = []
    without: list[str] = []
    for task in product_tasks:

        def make(found: dict[str, SeriesResult], task: SeriesTask = task) -> ProductForecast | None:
            return _product_forecast(task, found, shop, selling, all_seasons, first_day)

        made = _guarded_product_forecast(task, results, make)
        if made is None:
            without.append(task.key)
        else:
            forecasts.append(made)
    shop_sales = _shop_sales_forecast(results, shop) if whole_shop and shop.sales.size else None
    seconds = time.perf_counter() - tick
    run_id = store_forecasts(
        db,
        forecasts,
        started,
        clock(),
        first_day,
        horizon_days,
        seconds,
        set_aside=shop.set_aside,
        shop_sales=shop_sales,
    )
    by_model: dict[str, int] = {}
    for made in forecasts:
        by_model[made.model] = by_model.get(made.model, 0) + 1
    return RefreshSummary(
        run_id=run_id,
        products=len(forecasts),
        by_model=dict(sorted(by_model.items(), key=lambda item: -item[1])),
        fallbacks=[
            Fallback(made.product_id, made.fallback)
            for made in forecasts
            if made.fallback is not None
        ],
        without_forecast=without,
        first_day=first_day,
        horizon_days=horizon_days,
        seconds=seconds,
        one_process_reason=one_process[0] if one_process else None,
        shop_model=shop_sales.model if shop_sales else None,
    )


def _shop_sales_forecast(results: dict[str, SeriesResult], shop: _Shop) -> ShopSalesForecast:
    """The shop's daily sales figure ahead: its own forecast, or (too short a history to
    test a model on, or it failed) its recent average with the range of its recent days."""
    made = results[SHOP_SALES].forecast
    if made is not None:
        point, lower, upper, model = made.units, made.lower, made.upper, made.model
    else:
        recent = shop.sales[-selection.RECENT_WEEKS * shop.season :]
        level = selection.recent_average(shop.sales, shop.season)
        low, high = np.quantile(recent, [0.1, 0.9]) if recent.size else (level, level)
        steps = len(shop.future)
        point, lower, upper = (np.full(steps, value) for value in (level, low, high))
        model = selection.RECENT_AVERAGE
    return ShopSalesForecast(
        model=model,
        days=shop.days,
        sales=spread(shop.future, shop.days, point),
        lower=spread(shop.future, shop.days, np.minimum(lower, point)),
        upper=spread(shop.future, shop.days, np.maximum(upper, point)),
    )


def spread(task_future: pd.DatetimeIndex, days: pd.DatetimeIndex, values: np.ndarray) -> np.ndarray:
    """Trading-day values onto every calendar day (0 where the shop is closed)."""
    return pd.Series(values, index=task_future).reindex(days, fill_value=0.0).to_numpy(dtype=float)


def covers(
    forecast: SeriesForecast,
    future: pd.DatetimeIndex,
    first_day: date,
    lead_time_days: int,
    divide: int = 1,
) -> list[CoverDemand]:
    """The distribution of demand over the lead time, and over lead time + review."""
    found: list[CoverDemand] = []
    start = pd.Timestamp(first_day)
    for cover, days in (
        ("lead", lead_time_days),
        ("lead+review", lead_time_days + REVIEW_PERIOD_DAYS),
    ):
        steps = int((future < start + pd.Timedelta(days=days)).sum())
        demand = forecast.total(steps, distribution.REORDER)
        found.append(
            CoverDemand(
                cover=cover,
                days=days,
                trading_days=steps,
                mean=demand.mean / divide,
                quantiles={level: demand.quantile(level) / divide for level in distribution.LEVELS},
                method=demand.method,
                grid=tuple(value / divide for value in demand.quantiles(distribution.GRID_LEVELS)),
            )
        )
    return found


def _guarded_product_forecast(
    task: SeriesTask,
    results: dict[str, SeriesResult],
    make: Callable[[dict[str, SeriesResult]], ProductForecast | None],
) -> ProductForecast | None:
    """A product's forecast (`make` from the series results); if building it from its own
    series fails (say, its lead-time distribution), the product falls back to its
    category's as if its series had failed: one product never fails the refresh."""
    try:
        return make(results)
    except Exception as error:
        _log.warning("forecast of %s could not be used: %r", task.key, error)
        failed = {
            **results,
            task.key: SeriesResult(task.key, None, f"{type(error).__name__}: {error}"[:300]),
        }
        try:
            return make(failed)
        except Exception as again:
            _log.warning("fallback forecast of %s failed too: %r", task.key, again)
            return None


def _product_forecast(
    task: SeriesTask,
    results: dict[str, SeriesResult],
    shop: _Shop,
    selling: dict[str, int],
    seasons: dict[str, Season],
    first_day: date,
) -> ProductForecast | None:
    known = task.units[~np.isnan(task.units)]
    share = float(np.mean(known > 0)) if known.size else 0.0
    result = results[task.key]
    own = result.forecast
    basis, divide, forecast = OWN_HISTORY, 1, own
    fallback = own.fallback if own is not None else None
    if forecast is None:
        category = shop.categories[task.key]
        basis, forecast = f"category {category}", results[f"category:{category}"].forecast
        sharing = selling.get(category, 0)
        if forecast is None:
            basis, forecast, sharing = SHOP, results[SHOP].forecast, sum(selling.values())
        divide = max(1, sharing)
        if forecast is None:
            return None
        why = (
            f"its forecast failed ({result.error})"
            if result.error
            else f"only {len(task.units)} trading days of history, too few to test a model on"
        )
        fallback = f"{why}: the {basis}'s forecast shared among its selling products"
    model = (
        forecast.model
        if basis == OWN_HISTORY
        else f"{basis[:1].upper()}{basis[1:]} average ({forecast.model})"
    )

    def calendar_days(values: np.ndarray) -> np.ndarray:
        return spread(shop.future, shop.days, values / divide)

    season = seasons.get(forecast.season) if forecast.season else None
    return ProductForecast(
        product_id=task.key,
        model=model,
        basis=basis,
        history_days=len(task.units),
        selling_share=share,
        days=shop.days,
        units=calendar_days(forecast.units),
        lower=calendar_days(forecast.lower),
        upper=calendar_days(forecast.upper),
        lower_95=calendar_days(forecast.lower_95),
        upper_95=calendar_days(forecast.upper_95),
        accuracy=forecast.accuracy if basis == OWN_HISTORY else None,
        naive=forecast.naive if basis == OWN_HISTORY else None,
        error_sd=forecast.error_sd / divide,
        covers=covers(forecast, shop.future, first_day, shop.lead_times.get(task.key, 0), divide),
        season=forecast.season,
        season_phase=models.describe_season(season, pd.Timestamp(first_day))
        if season is not None
        else None,
        fallback=fallback,
        skipped=dict(forecast.skipped) if basis == OWN_HISTORY else {},
    )


def _selling_per_category(
    demand: pd.DataFrame, categories: dict[str, str], days: int = 90
) -> dict[str, int]:
    """Per category, its products that sold in the last `days` days of history: the
    products a category's forecast is shared among."""
    if demand.empty:
        return {}
    recent = demand[demand["day"] > demand["day"].max() - pd.Timedelta(days=days)]
    sold = recent.loc[recent["units"] > 0, "product_id"].unique()
    counts: dict[str, int] = {}
    for product_id in sold:
        category = categories.get(str(product_id))
        if category is not None:
            counts[category] = counts.get(category, 0) + 1
    return counts
