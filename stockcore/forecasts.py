"""Demand forecasts for the shop: refreshing them (one use case) and reading them back.

`refresh_forecasts` builds each product's demand history (`demand.daily_demand`),
chooses and fits a model per product (`forecasting.forecast_series`) in worker
processes, and only then writes every prediction in one transaction. A refresh that is
interrupted (Ctrl-C, a closed browser tab, a crash) writes nothing, so the previous
forecasts stay in place; running it again is always safe.

Products with too little history to backtest (new products) get their category's
forecast divided among the category's selling products, labelled as such; if the
category is too young too, the whole shop's.

Units: predicted units sold per calendar day (0 on days the shop is expected to be
closed), from the refresh day on.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from stockcore import forecasting, purchasing
from stockcore.db import Database, bulk_insert, storage_dates, storage_datetimes
from stockcore.demand import daily_demand, trading_days
from stockcore.domain import InvalidValue, StockcoreError, UnknownProduct, parse_quantity
from stockcore.forecasting import Season, SeriesForecast
from stockcore.models import ForecastModelRow, ForecastRunRow, PredictionRow, ProductRow
from stockcore.replenishment import run_out_day
from stockcore.services import Clock, local_now

DEFAULT_HORIZON_DAYS: Final = 180
MAX_HORIZON_DAYS: Final = 365
OWN_HISTORY: Final = "own history"
SHOP: Final = "shop"
PARALLEL_FROM: Final = 40  # fewer products than this are forecast in this process
CHUNK: Final = 25

Progress = Callable[[int, int], None]
_log = logging.getLogger(__name__)


class NoHistory(StockcoreError):
    """Nothing has been sold yet, so there is nothing to forecast from."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} has no sales history yet: import sales or sell something first")


def parse_horizon(value: object) -> int:
    days = parse_quantity(value, "days")
    if not 1 <= days <= MAX_HORIZON_DAYS:
        raise InvalidValue("days", value, f"must be between 1 and {MAX_HORIZON_DAYS}")
    return days


# --- The work for one series, run in worker processes ------------------------------------


@dataclass(frozen=True)
class SeriesTask:
    key: str  # product id, "category:<name>" or "shop"
    days: pd.DatetimeIndex
    units: np.ndarray
    future: pd.DatetimeIndex
    season: int
    yearly: Season | None
    holidays_country: str | None


@dataclass(frozen=True)
class SeriesResult:
    key: str
    forecast: SeriesForecast | None  # None: too little history to backtest


def run_task(task: SeriesTask) -> SeriesResult:
    if not forecasting.can_backtest(len(task.units), task.season):
        return SeriesResult(task.key, None)
    return SeriesResult(
        task.key,
        forecasting.forecast_series(
            task.units,
            task.days,
            task.future,
            season=task.season,
            yearly=task.yearly,
            holidays_country=task.holidays_country,
        ),
    )


def _run_chunk(tasks: list[SeriesTask]) -> list[SeriesResult]:
    return [run_task(task) for task in tasks]


def run_tasks(
    tasks: Sequence[SeriesTask], *, workers: int, progress: Progress | None = None
) -> Iterator[SeriesResult]:
    """Run tasks on `workers` processes (in this one if few), reporting (done, total)."""
    total = len(tasks)
    if progress:
        progress(0, total)
    if workers <= 1 or total < PARALLEL_FROM:
        for done, task in enumerate(tasks, start=1):
            yield run_task(task)
            if progress:
                progress(done, total)
        return
    chunks = [list(tasks[i : i + CHUNK]) for i in range(0, total, CHUNK)]
    # spawn, not fork: the dashboard's process has threads, and forking those is unsafe.
    context = multiprocessing.get_context("spawn")
    done = 0
    finished: set[str] = set()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures: list[Future[list[SeriesResult]]] = [
                pool.submit(_run_chunk, chunk) for chunk in chunks
            ]
            try:
                for future in as_completed(futures):
                    results = future.result()
                    done += len(results)
                    finished.update(result.key for result in results)
                    yield from results
                    if progress:
                        progress(done, total)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    except BrokenProcessPool:
        # A worker died (killed for memory, say): finish the rest here rather than fail.
        _log.warning("a forecast worker process died; forecasting the rest in this process")
        for task in tasks:
            if task.key not in finished:
                yield run_task(task)
                done += 1
                if progress:
                    progress(done, total)


# --- Refreshing: one use case -------------------------------------------------------------


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
    accuracy: forecasting.Accuracy | None
    naive: forecasting.Accuracy | None
    error_sd: float  # sd of daily forecast errors in backtest, units per trading day


@dataclass(frozen=True)
class RefreshSummary:
    run_id: int
    products: int
    by_model: dict[str, int]
    fallbacks: int
    without_forecast: list[str]
    first_day: date
    horizon_days: int
    seconds: float


@dataclass(frozen=True)
class _Shop:
    """What a refresh reads before it forecasts anything."""

    calendar: pd.DatetimeIndex
    season: int
    future: pd.DatetimeIndex  # trading days to forecast
    days: pd.DatetimeIndex  # all calendar days of the horizon
    demand: pd.DataFrame
    categories: dict[str, str]  # product id -> category


def _read_shop(
    db: Database, product_ids: list[str] | None, first_day: date, horizon_days: int
) -> _Shop:
    last_day = first_day - timedelta(days=1)  # today is still selling: learn from full days
    calendar = trading_days(db, end=last_day)
    with db.read() as session:
        query = select(ProductRow.product_id, ProductRow.category)
        rows = session.execute(query).all()
    categories: dict[str, str] = {str(row[0]): str(row[1]) for row in rows}
    if product_ids is not None:
        unknown = [product_id for product_id in product_ids if product_id not in categories]
        if unknown:
            raise UnknownProduct(unknown[0])
    demand = daily_demand(db, None, end=last_day)
    start = pd.Timestamp(first_day)
    return _Shop(
        calendar=calendar,
        season=forecasting.weekly_season(calendar),
        future=forecasting.future_trading_days(calendar, start, horizon_days),
        days=pd.date_range(start, periods=horizon_days, freq="D"),
        demand=demand,
        categories=categories,
    )


def _series(
    demand: pd.DataFrame, calendar: pd.DatetimeIndex
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """A total over products per trading day, from the first sale on (NaN: all out of stock)."""
    if demand.empty:
        return pd.DatetimeIndex([]), np.array([], dtype=float)
    totals = demand.groupby("day")["units"].sum(min_count=1)
    days = calendar[calendar >= totals.index.min()]
    return days, totals.reindex(days).to_numpy(dtype=float)


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
    today, replacing their stored forecasts in one transaction at the end."""
    started = clock()
    tick = time.perf_counter()
    first_day = started.date()
    wanted = list(dict.fromkeys(product_ids)) if product_ids is not None else None
    shop = _read_shop(db, wanted, first_day, horizon_days)
    if shop.demand.empty:
        raise NoHistory("The shop")
    targets = wanted if wanted is not None else sorted(shop.categories)
    horizon_dates = pd.DatetimeIndex(shop.calendar.append(shop.future))

    shop_days, shop_units = _series(shop.demand, shop.calendar)
    shop_season = forecasting.yearly_season(shop_units, shop_days, horizon_dates, source=SHOP)
    seasons: dict[str, Season | None] = {}
    category_tasks: list[SeriesTask] = []
    by_product = dict(tuple(shop.demand.groupby("product_id", sort=False)))
    for category in sorted({shop.categories[p] for p in targets}):
        members = [p for p, c in shop.categories.items() if c == category]
        frame = shop.demand[shop.demand["product_id"].isin(members)]
        days, units = _series(frame, shop.calendar)
        own = forecasting.yearly_season(units, days, horizon_dates, source=f"category {category}")
        seasons[category] = own if own is not None else shop_season
        category_tasks.append(
            SeriesTask(
                f"category:{category}",
                days,
                units,
                shop.future,
                shop.season,
                seasons[category],
                holidays_country,
            )
        )
    category_tasks.append(
        SeriesTask(
            SHOP, shop_days, shop_units, shop.future, shop.season, shop_season, holidays_country
        )
    )

    product_tasks = []
    for product_id in targets:
        history = by_product.get(product_id)
        days = pd.DatetimeIndex(history["day"]) if history is not None else pd.DatetimeIndex([])
        units = history["units"].to_numpy(dtype=float) if history is not None else np.array([])
        product_tasks.append(
            SeriesTask(
                product_id,
                days,
                units,
                shop.future,
                shop.season,
                seasons[shop.categories[product_id]],
                holidays_country,
            )
        )
    results = {
        result.key: result
        for result in run_tasks(category_tasks + product_tasks, workers=workers, progress=progress)
    }

    selling = _selling_per_category(shop.demand, shop.categories)
    forecasts: list[ProductForecast] = []
    without: list[str] = []
    for task in product_tasks:
        made = _product_forecast(task, results, shop, selling)
        if made is None:
            without.append(task.key)
        else:
            forecasts.append(made)
    seconds = time.perf_counter() - tick
    run_id = _store(db, forecasts, started, clock(), first_day, horizon_days, seconds)
    by_model: dict[str, int] = {}
    for made in forecasts:
        by_model[made.model] = by_model.get(made.model, 0) + 1
    return RefreshSummary(
        run_id=run_id,
        products=len(forecasts),
        by_model=dict(sorted(by_model.items(), key=lambda item: -item[1])),
        fallbacks=sum(made.basis != OWN_HISTORY for made in forecasts),
        without_forecast=without,
        first_day=first_day,
        horizon_days=horizon_days,
        seconds=seconds,
    )


def _spread(
    task_future: pd.DatetimeIndex, days: pd.DatetimeIndex, values: np.ndarray
) -> np.ndarray:
    """Trading-day values onto every calendar day (0 where the shop is closed)."""
    return pd.Series(values, index=task_future).reindex(days, fill_value=0.0).to_numpy(dtype=float)


def _product_forecast(
    task: SeriesTask, results: dict[str, SeriesResult], shop: _Shop, selling: dict[str, int]
) -> ProductForecast | None:
    known = task.units[~np.isnan(task.units)]
    share = float(np.mean(known > 0)) if known.size else 0.0
    own = results[task.key].forecast
    basis, divide, forecast = OWN_HISTORY, 1, own
    if forecast is None:
        category = shop.categories[task.key]
        basis, forecast = f"category {category}", results[f"category:{category}"].forecast
        sharing = selling.get(category, 0)
        if forecast is None:
            basis, forecast, sharing = SHOP, results[SHOP].forecast, sum(selling.values())
        divide = max(1, sharing)
        if forecast is None:
            return None
    model = (
        forecast.model
        if basis == OWN_HISTORY
        else f"{basis[:1].upper()}{basis[1:]} average ({forecast.model})"
    )

    def spread(values: np.ndarray) -> np.ndarray:
        return _spread(shop.future, shop.days, values / divide)

    return ProductForecast(
        product_id=task.key,
        model=model,
        basis=basis,
        history_days=len(task.units),
        selling_share=share,
        days=shop.days,
        units=spread(forecast.units),
        lower=spread(forecast.lower),
        upper=spread(forecast.upper),
        lower_95=spread(forecast.lower_95),
        upper_95=spread(forecast.upper_95),
        accuracy=forecast.accuracy if basis == OWN_HISTORY else None,
        naive=forecast.naive if basis == OWN_HISTORY else None,
        error_sd=forecast.error_sd / divide,
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


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _store(
    db: Database,
    forecasts: list[ProductForecast],
    started: datetime,
    finished: datetime,
    first_day: date,
    horizon_days: int,
    seconds: float,
) -> int:
    ids = [made.product_id for made in forecasts]
    with db.write() as session:
        run = ForecastRunRow(
            started_at=started,
            finished_at=finished,
            first_day=first_day,
            horizon_days=horizon_days,
            products=len(forecasts),
            seconds=round(seconds, 3),
        )
        session.add(run)
        session.flush()
        forget_forecasts(session, ids)
        dialect = session.get_bind().dialect.name
        [stamp] = storage_datetimes([finished], dialect)
        for made in forecasts:
            session.add(
                ForecastModelRow(
                    product_id=made.product_id,
                    run_id=run.id,
                    model=made.model,
                    basis=made.basis,
                    history_days=made.history_days,
                    selling_share=made.selling_share,
                    backtest_windows=made.accuracy.windows if made.accuracy else 0,
                    mase=_finite(made.accuracy.mase) if made.accuracy else None,
                    wape=_finite(made.accuracy.wape) if made.accuracy else None,
                    bias=_finite(made.accuracy.bias) if made.accuracy else None,
                    naive_mase=_finite(made.naive.mase) if made.naive else None,
                    naive_wape=_finite(made.naive.wape) if made.naive else None,
                    error_sd=_finite(made.error_sd),
                    created_at=finished,
                )
            )
        session.flush()
        columns = [
            "product_id",
            "day",
            "predicted_units",
            "lower",
            "upper",
            "lower_95",
            "upper_95",
            "model",
            "run_id",
            "created_at",
        ]
        rows: list[tuple[object, ...]] = []
        for made in forecasts:
            days = storage_dates(made.days.date, dialect)
            rows.extend(
                zip(
                    [made.product_id] * len(days),
                    days,
                    np.round(made.units, 4).tolist(),
                    np.round(made.lower, 4).tolist(),
                    np.round(made.upper, 4).tolist(),
                    np.round(made.lower_95, 4).tolist(),
                    np.round(made.upper_95, 4).tolist(),
                    [made.model] * len(days),
                    [run.id] * len(days),
                    [stamp] * len(days),
                    strict=True,
                )
            )
        bulk_insert(session, PredictionRow.__table__, columns, rows)
        return run.id


# --- Reading forecasts back ----------------------------------------------------------------


@dataclass(frozen=True)
class ChosenModel:
    model: str
    basis: str
    history_days: int
    selling_share: float
    backtest_windows: int
    mase: float | None
    wape: float | None
    bias: float | None
    naive_mase: float | None
    naive_wape: float | None
    created_at: datetime


@dataclass(frozen=True)
class ForecastView:
    """What the Forecast page and the CLI show for a product, a category or the shop."""

    title: str
    history: pd.DataFrame  # day, units (NaN on stock-out days), stocked_out
    forecast: pd.DataFrame  # day, predicted_units, lower, upper, lower_95, upper_95
    model: ChosenModel | None
    on_hand: int | None  # products only
    run_out_day: date | None  # first day the forecast uses up what is on hand
    units_on_horizon: float

    @property
    def days_of_cover(self) -> int | None:
        if self.on_hand is None or self.forecast.empty:
            return None
        if self.run_out_day is None:
            return None
        first: date = self.forecast["day"].iloc[0].date()
        return (self.run_out_day - first).days


FORECAST_COLUMNS: Final = ["day", "predicted_units", "lower", "upper", "lower_95", "upper_95"]


def _chosen(row: ForecastModelRow) -> ChosenModel:
    return ChosenModel(
        model=row.model,
        basis=row.basis,
        history_days=row.history_days,
        selling_share=row.selling_share,
        backtest_windows=row.backtest_windows,
        mase=row.mase,
        wape=row.wape,
        bias=row.bias,
        naive_mase=row.naive_mase,
        naive_wape=row.naive_wape,
        created_at=row.created_at,
    )


def product_forecast(
    db: Database, product_id: str, *, days: int, today: date, history_days: int = 365
) -> ForecastView:
    """The stored forecast of one product from `today` for `days` days, with its recent
    history. An empty forecast means no refresh has covered the product yet."""
    with db.read() as session:
        product = session.get(ProductRow, product_id)
        if product is None:
            raise UnknownProduct(product_id)
        chosen = session.get(ForecastModelRow, product_id)
        rows = session.execute(
            select(*(getattr(PredictionRow, name) for name in FORECAST_COLUMNS))
            .where(
                PredictionRow.product_id == product_id,
                PredictionRow.day >= today,
                PredictionRow.day < today + timedelta(days=days),
            )
            .order_by(PredictionRow.day)
        ).all()
        title, on_hand = f"{product.name} ({product_id})", product.quantity
        model = _chosen(chosen) if chosen is not None else None
    forecast = pd.DataFrame(rows, columns=FORECAST_COLUMNS).assign(
        day=lambda f: pd.to_datetime(f["day"])
    )
    history = daily_demand(
        db, [product_id], start=today - timedelta(days=history_days), end=today - timedelta(days=1)
    )[["day", "units", "stocked_out"]]
    return ForecastView(
        title=title,
        history=history.reset_index(drop=True),
        forecast=forecast,
        model=model,
        on_hand=on_hand,
        run_out_day=run_out_day(
            on_hand,
            [d.date() for d in forecast["day"]],
            forecast["predicted_units"].tolist(),
            purchasing.arrivals(db, [product_id]).get(product_id, []),
        ),
        units_on_horizon=float(forecast["predicted_units"].sum()),
    )


def group_forecast(
    db: Database,
    category: str | None,
    *,
    days: int,
    today: date,
    holidays_country: str | None = None,
    history_days: int = 365,
) -> ForecastView:
    """A category's (or, with None, the whole shop's) forecast, made now from its total
    history with the same model choice as products."""
    last_day = today - timedelta(days=1)
    calendar = trading_days(db, end=last_day)
    with db.read() as session:
        if category is None:
            ids = None
        else:
            ids = list(
                session.scalars(
                    select(ProductRow.product_id).where(ProductRow.category == category)
                )
            )
            if not ids:
                raise InvalidValue("category", category, "has no products")
    demand = daily_demand(db, ids, end=last_day)
    title = "The whole shop" if category is None else f"Category {category}"
    if demand.empty:
        raise NoHistory(title)
    series_days, units = _series(demand, calendar)
    future = forecasting.future_trading_days(calendar, pd.Timestamp(today), days)
    all_days = pd.date_range(pd.Timestamp(today), periods=days, freq="D")
    season = forecasting.weekly_season(calendar)
    source = SHOP if category is None else f"category {category}"
    yearly = forecasting.yearly_season(
        units, series_days, pd.DatetimeIndex(series_days.append(future)), source=source
    )
    if not forecasting.can_backtest(len(units), season):
        raise NoHistory(f"{title} has only {len(units)} trading days of sales, which")
    made = forecasting.forecast_series(
        units, series_days, future, season=season, yearly=yearly, holidays_country=holidays_country
    )
    forecast = pd.DataFrame(
        {
            "day": all_days,
            **{
                name: _spread(
                    future, all_days, getattr(made, "units" if name == "predicted_units" else name)
                )
                for name in FORECAST_COLUMNS[1:]
            },
        }
    )
    recent = pd.Timestamp(today - timedelta(days=history_days))
    history = pd.DataFrame({"day": series_days, "units": units}).assign(
        stocked_out=lambda f: f["units"].isna()
    )
    assert made.accuracy is not None and made.naive is not None
    return ForecastView(
        title=title,
        history=history[history["day"] >= recent].reset_index(drop=True),
        forecast=forecast,
        model=ChosenModel(
            model=made.model,
            basis=OWN_HISTORY,
            history_days=len(units),
            selling_share=float(np.mean(units[~np.isnan(units)] > 0)),
            backtest_windows=made.accuracy.windows,
            mase=_finite(made.accuracy.mase),
            wape=_finite(made.accuracy.wape),
            bias=_finite(made.accuracy.bias),
            naive_mase=_finite(made.naive.mase),
            naive_wape=_finite(made.naive.wape),
            created_at=local_now(),
        ),
        on_hand=None,
        run_out_day=None,
        units_on_horizon=float(forecast["predicted_units"].sum()),
    )


CATALOG_COLUMNS: Final = [
    "product_id",
    "name",
    "category",
    "model",
    "basis",
    "history_days",
    "selling_share",
    "mase",
    "naive_mase",
    "wape",
    "naive_wape",
    "bias",
    "beats_naive",
]


def catalog(db: Database) -> pd.DataFrame:
    """Every forecast product's chosen model and its backtest accuracy, by product id."""
    with db.read() as session:
        rows = session.execute(
            select(
                ProductRow.product_id,
                ProductRow.name,
                ProductRow.category,
                ForecastModelRow.model,
                ForecastModelRow.basis,
                ForecastModelRow.history_days,
                ForecastModelRow.selling_share,
                ForecastModelRow.mase,
                ForecastModelRow.naive_mase,
                ForecastModelRow.wape,
                ForecastModelRow.naive_wape,
                ForecastModelRow.bias,
            )
            .join(ForecastModelRow, ForecastModelRow.product_id == ProductRow.product_id)
            .order_by(ProductRow.product_id)
        ).all()
    frame = pd.DataFrame(rows, columns=CATALOG_COLUMNS[:-1])
    beats = [
        None if pd.isna(ours) or pd.isna(naive) else bool(ours < naive)
        for ours, naive in zip(frame["mase"], frame["naive_mase"], strict=True)
    ]
    return frame.assign(beats_naive=pd.Series(beats, index=frame.index, dtype=object))


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    finished_at: datetime
    first_day: date
    horizon_days: int
    products: int
    seconds: float


def latest_run(db: Database) -> RunInfo | None:
    with db.read() as session:
        row = session.scalars(
            select(ForecastRunRow).order_by(ForecastRunRow.id.desc()).limit(1)
        ).first()
        if row is None:
            return None
        return RunInfo(
            row.id, row.finished_at, row.first_day, row.horizon_days, row.products, row.seconds
        )


def forecast_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(ForecastModelRow)) or 0)


EXPORT_COLUMNS: Final = ["product_id", "date", "predicted_units", "lower", "upper", "model"]


def export_forecasts(db: Database) -> pd.DataFrame:
    """Every stored prediction: product_id, date, predicted_units, lower, upper (80%), model."""
    with db.read() as session:
        rows = session.execute(
            select(
                PredictionRow.product_id,
                PredictionRow.day,
                PredictionRow.predicted_units,
                PredictionRow.lower,
                PredictionRow.upper,
                PredictionRow.model,
            ).order_by(PredictionRow.product_id, PredictionRow.day)
        ).all()
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


def forget_forecasts(session: Session, product_ids: Sequence[str]) -> None:
    """Remove products' forecasts inside a caller's transaction (before deleting them)."""
    for start in range(0, len(product_ids), 500):
        chunk = list(product_ids[start : start + 500])
        session.execute(delete(PredictionRow).where(PredictionRow.product_id.in_(chunk)))
        session.execute(delete(ForecastModelRow).where(ForecastModelRow.product_id.in_(chunk)))


def explain(chosen: ChosenModel) -> str:
    """One paragraph, in the shop's words, on where a forecast comes from and how good it was."""
    if chosen.basis != OWN_HISTORY:
        return (
            f"Only {chosen.history_days} trading days of sales: too few to test a model on. "
            f"This forecast is the {chosen.basis}'s forecast shared equally among its "
            "products that sold in the last 90 days, until the product has its own history."
        )
    text = (
        f"{chosen.model}, chosen from the candidate models by forecasting the last "
        f"{chosen.backtest_windows} four-week stretches of its own {chosen.history_days} "
        f"trading days of history (it sold on {chosen.selling_share:.0%} of them)."
    )
    if chosen.mase is not None and chosen.naive_mase is not None:
        verdict = "better than" if chosen.mase < chosen.naive_mase else "no better than"
        text += (
            f" Its mean absolute scaled error (MASE) was {chosen.mase:.2f} against "
            f"{chosen.naive_mase:.2f} for repeating the same days of the week before: "
            f"{verdict} that simple rule (lower is better)."
        )
    if chosen.wape is not None:
        text += f" Daily misses added up to {chosen.wape:.0%} of the units actually sold"
        if chosen.bias is not None:
            direction = "over" if chosen.bias > 0 else "under"
            text += f", and in total it forecast {abs(chosen.bias):.0%} {direction} what sold"
        text += "."
    return text
