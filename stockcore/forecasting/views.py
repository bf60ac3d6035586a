"""Stored forecasts read back: a product's forecast and history, a category's or the shop's
forecast made on demand, the model catalogue, the latest run, the export, and the words
that explain where a forecast comes from."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from stockcore.domain import Conflict, InvalidValue, UnknownProduct, local_now, same_named
from stockcore.forecasting import distribution, models, selection
from stockcore.forecasting.history import daily_demand, trading_days
from stockcore.forecasting.refresh import OWN_HISTORY, SHOP, NoHistory, series_total, spread
from stockcore.forecasting.store import finite
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    ForecastModelRow,
    ForecastRunRow,
    LeadTimeDemandRow,
    PredictionRow,
    ProductRow,
)
from stockcore.replenishment import levels, purchase_orders
from stockcore.replenishment.levels import run_out_day


@dataclass(frozen=True)
class ChosenModel:
    model: str
    basis: str
    history_days: int
    selling_share: float
    backtest_windows: int
    rmsse: float | None
    naive_rmsse: float | None
    mase: float | None
    wape: float | None
    bias: float | None
    naive_mase: float | None
    naive_wape: float | None
    created_at: datetime
    season: str | None = None
    season_phase: str | None = None
    fallback: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class CoverQuantiles:
    """Stored quantiles of total demand over the lead time ("lead") or lead time + review."""

    cover: str
    days: int
    mean: float
    q80: float
    q90: float
    q95: float
    q98: float
    q99: float
    method: str
    q50: float = 0.0
    q995: float = 0.0
    grid: tuple[float, ...] = ()  # units at distribution.GRID_LEVELS; () if stored before

    def chance_above(self, units: float) -> tuple[float, str]:
        """The chance that more than `units` are demanded over this cover, read off the
        stored quantiles (linear between them), with the words to show it: below the
        median the quantiles cannot tell, so it says "more than 50%"."""
        points = [
            (level, float(getattr(self, column)))
            for level, column in distribution.LEVEL_COLUMNS.items()
        ]
        if units < points[0][1]:
            return 0.5, "more than 50%"
        if units >= points[-1][1]:
            return 0.005, "under 0.5%"
        for (low, below), (high, above) in itertools.pairwise(points):
            if below <= units < above:
                level = low + (high - low) * (units - below) / (above - below)
                chance = 1.0 - level
                return chance, f"{chance:.0%}" if chance >= 0.01 else f"{chance:.1%}"
        return 0.5, "more than 50%"  # equal quantiles at the median: cannot tell


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
    covers: tuple[CoverQuantiles, ...] = ()  # products only: lead-time demand
    # The chance that demand before a new order could arrive (the lead time) exceeds the
    # stock on hand plus what open orders bring in that time, in numbers and in words.
    stockout_chance: tuple[float, str] | None = None

    @property
    def last_day(self) -> date | None:
        """The last day forecast (None: no forecast stored for these days)."""
        return None if self.forecast.empty else self.forecast["day"].max().date()

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
    return ChosenModel(**same_named(ChosenModel, row))


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
        lead_spread = product.lead_time_sd_days
        model = _chosen(chosen) if chosen is not None else None
        covers = tuple(
            CoverQuantiles(**same_named(CoverQuantiles, row) | {"grid": stored_grid(row.grid)})
            for row in session.scalars(
                select(LeadTimeDemandRow)
                .where(LeadTimeDemandRow.product_id == product_id)
                .order_by(LeadTimeDemandRow.days)
            )
        )
    forecast = pd.DataFrame(rows, columns=FORECAST_COLUMNS).assign(
        day=lambda f: pd.to_datetime(f["day"])
    )
    arriving = purchase_orders.arrivals(db, [product_id]).get(product_id, [])
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
            arriving,
        ),
        units_on_horizon=float(forecast["predicted_units"].sum()),
        covers=covers,
        stockout_chance=_stockout_chance(
            covers, on_hand, arriving, today, forecast["predicted_units"].to_numpy(), lead_spread
        ),
    )


def stored_grid(text: str | None) -> tuple[float, ...]:
    """A stored `lead_time_demand.grid` read back: () for a row stored without one."""
    return tuple(map(float, json.loads(text))) if text else ()


def lead_time_grids(
    db: Database, product_ids: Sequence[str] | None = None
) -> dict[str, dict[str, tuple[float, ...]]]:
    """The stored distributions of lead-time demand, {product_id: {"lead": grid,
    "lead+review": grid}}, each grid the demand (units) at `distribution.GRID_LEVELS`, for
    every product (or the ones given) whose latest refresh stored them; rows stored before
    grids were (revision 0009) are left out."""
    query = select(
        LeadTimeDemandRow.product_id, LeadTimeDemandRow.cover, LeadTimeDemandRow.grid
    ).where(LeadTimeDemandRow.grid.is_not(None))
    if product_ids is not None:
        query = query.where(LeadTimeDemandRow.product_id.in_(list(product_ids)))
    found: dict[str, dict[str, tuple[float, ...]]] = {}
    with db.read() as session:
        rows = session.execute(query).all()
    # One JSON document of every grid (thousands on a real-size shop): the same numbers as
    # reading each on its own, without the decoder's cost per call.
    grids = json.loads(f"[{','.join(grid or '[]' for _, _, grid in rows)}]")
    for (product_id, cover, _), grid in zip(rows, grids, strict=True):
        found.setdefault(product_id, {})[cover] = tuple(map(float, grid))
    return found


def _stockout_chance(
    covers: tuple[CoverQuantiles, ...],
    on_hand: int,
    arriving: Sequence[tuple[date, int]],
    today: date,
    units: np.ndarray,
    spread: float | None,
) -> tuple[float, str] | None:
    """The chance of running out before an order placed today could arrive, as the
    Reorder page states it: from the stored distribution of the lead time's demand, the
    open orders counted from their expected days."""
    lead = next((cover for cover in covers if cover.cover == "lead"), None)
    both = next((cover for cover in covers if cover.cover == "lead+review"), None)
    if lead is None:
        return None
    if not lead.grid or both is None or len(both.grid) != len(lead.grid):
        before = today + timedelta(days=lead.days)  # stored before grids: the quantiles
        coming = sum(units for day, units in arriving if day < before)
        return lead.chance_above(on_hand + coming)
    cover = levels.with_lead_time_spread(
        levels.Cover.from_quantiles(lead.grid, both.grid), lead.days, spread
    )
    outlook = levels.outlook_from_today(on_hand, arriving, today, units[: lead.days], cover)
    chance = outlook.stockout_chance
    return chance, "under 1%" if 0 < chance < 0.01 else f"{chance:.0%}"


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
    series_days, units = series_total(demand, calendar)
    future = models.future_trading_days(calendar, pd.Timestamp(today), days, holidays_country)
    all_days = pd.date_range(pd.Timestamp(today), periods=days, freq="D")
    season = models.weekly_season(calendar)
    source = SHOP if category is None else f"category {category}"
    yearly = models.yearly_season(
        units,
        series_days,
        pd.DatetimeIndex(series_days.append(future)),
        source=source,
    )
    if not selection.can_backtest(len(units), season):
        raise NoHistory(f"{title} has only {len(units)} trading days of sales, which")
    made = selection.forecast_series(units, series_days, future, season=season, yearly=yearly)
    forecast = pd.DataFrame(
        {
            "day": all_days,
            **{
                name: spread(
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
    return ForecastView(
        title=title,
        history=history[history["day"] >= recent].reset_index(drop=True),
        forecast=forecast,
        model=ChosenModel(
            model=made.model,
            basis=OWN_HISTORY,
            history_days=len(units),
            selling_share=float(np.mean(units[~np.isnan(units)] > 0)),
            backtest_windows=made.accuracy.windows if made.accuracy else 0,
            rmsse=finite(made.accuracy.rmsse) if made.accuracy else None,
            naive_rmsse=finite(made.naive.rmsse) if made.naive else None,
            mase=finite(made.accuracy.mase) if made.accuracy else None,
            wape=finite(made.accuracy.wape) if made.accuracy else None,
            bias=finite(made.accuracy.bias) if made.accuracy else None,
            naive_mase=finite(made.naive.mase) if made.naive else None,
            naive_wape=finite(made.naive.wape) if made.naive else None,
            created_at=local_now(),
            season=made.season,
            season_phase=models.describe_season(yearly, pd.Timestamp(today))
            if yearly is not None and made.season
            else None,
            fallback=made.fallback,
            skipped=selection.describe_failures(made.skipped) or None,
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
    "rmsse",
    "naive_rmsse",
    "mase",
    "naive_mase",
    "wape",
    "bias",
    "season",
    "fallback",
    "beats_naive",
]


def catalog(db: Database) -> pd.DataFrame:
    """Every forecast product's chosen model and its backtest accuracy (RMSSE, which
    chose it, against seasonal naive; MASE and WAPE for information), by product id."""
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
                ForecastModelRow.rmsse,
                ForecastModelRow.naive_rmsse,
                ForecastModelRow.mase,
                ForecastModelRow.naive_mase,
                ForecastModelRow.wape,
                ForecastModelRow.bias,
                ForecastModelRow.season,
                ForecastModelRow.fallback,
            )
            .join(ForecastModelRow, ForecastModelRow.product_id == ProductRow.product_id)
            .order_by(ProductRow.product_id)
        ).all()
    frame = pd.DataFrame(rows, columns=CATALOG_COLUMNS[:-1])
    beats = [
        None if pd.isna(ours) or pd.isna(naive) else bool(ours < naive)
        for ours, naive in zip(frame["rmsse"], frame["naive_rmsse"], strict=True)
    ]
    return frame.assign(beats_naive=pd.Series(beats, index=frame.index, dtype=object))


@dataclass(frozen=True)
class CatalogSummary:
    """The model catalogue in three numbers and a list."""

    products: int  # forecast products
    beats_naive: float | None  # share of the backtested ones beating seasonal naive (RMSSE)
    fallbacks: pd.DataFrame  # product_id, name, fallback: those that fell back, and why

    @property
    def fell_back(self) -> int:
        return len(self.fallbacks)


def summarise_catalog(catalog: pd.DataFrame) -> CatalogSummary:
    """What the Forecast page says above the catalogue (`catalog`'s frame)."""
    tested = catalog[catalog["rmsse"].notna()]
    return CatalogSummary(
        products=len(catalog),
        beats_naive=float(tested["beats_naive"].astype(bool).mean()) if len(tested) else None,
        fallbacks=catalog.loc[catalog["fallback"].notna(), ["product_id", "name", "fallback"]],
    )


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    finished_at: datetime
    first_day: date
    horizon_days: int
    products: int
    seconds: float


class NoForecasts(Conflict):
    """Nothing to predict or order from: no forecast refresh has covered the shop (or the
    product) yet."""


REFRESH_HINT: Final = (
    "refresh the forecasts first (the Forecast page, `python -m stockcore forecast --all`, "
    "or POST /train-sales-model)"
)


def require_forecasts(db: Database) -> RunInfo:
    """The latest forecast refresh; refuses (NoForecasts) when there has been none, since
    the reorder list, purchase orders and predictions all work from stored forecasts."""
    run = latest_run(db)
    if run is None:
        raise NoForecasts(f"no forecasts yet: {REFRESH_HINT}")
    return run


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


def explain(chosen: ChosenModel) -> str:
    """One paragraph, in the shop's words, on where a forecast comes from and how good it was."""
    if chosen.basis != OWN_HISTORY:
        text = (
            f"Only {chosen.history_days} trading days of sales: too few to test a model on. "
            f"This forecast is the {chosen.basis}'s forecast shared equally among its "
            "products that sold in the last 90 days, until the product has its own history."
        )
        if chosen.fallback and "failed" in chosen.fallback:
            text = f"This product's own forecast failed, so {chosen.fallback}."
        return text
    if chosen.fallback:
        return (
            f"No model could forecast this product ({chosen.fallback}), so the forecast is "
            "its average over the last eight weeks."
        )
    text = (
        f"{chosen.model}, chosen from the candidate models by forecasting "
        f"{chosen.backtest_windows} four-week stretches of its own {chosen.history_days} "
        f"trading days of history (it sold on {chosen.selling_share:.0%} of them)."
    )
    if chosen.rmsse is not None and chosen.naive_rmsse is not None:
        verdict = "better than" if chosen.rmsse < chosen.naive_rmsse else "no better than"
        text += (
            f" Its root mean squared scaled error (RMSSE) was {chosen.rmsse:.2f} against "
            f"{chosen.naive_rmsse:.2f} for repeating the same days of the week before: "
            f"{verdict} that simple rule (lower is better; a forecast of zero cannot win on "
            "this measure)."
        )
    if chosen.wape is not None:
        text += f" Daily misses added up to {chosen.wape:.0%} of the units actually sold"
        if chosen.bias is not None:
            direction = "over" if chosen.bias > 0 else "under"
            text += f", and in total it forecast {abs(chosen.bias):.0%} {direction} what sold"
        text += "."
    if chosen.season_phase:
        text += f" {chosen.season_phase}"
    if chosen.skipped:
        text += f" Models that failed on this product and were left out: {chosen.skipped}."
    return text
