"""Writing a refresh's forecasts: the run, each product's chosen model and scores, its
lead-time demand quantiles, its daily predictions and the shop's daily sales forecast, in
one transaction that replaces what the products had; and forgetting a product's forecasts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import delete
from sqlalchemy.orm import Session

from stockcore.forecasting import distribution, selection
from stockcore.persistence.db import Database, bulk_insert, storage_dates, storage_datetimes
from stockcore.persistence.models import (
    ForecastModelRow,
    ForecastRunRow,
    LeadTimeDemandRow,
    PredictionRow,
    ShopForecastRow,
)

if TYPE_CHECKING:  # the records a refresh makes; refresh imports this module
    import pandas as pd

    from stockcore.forecasting.refresh import ProductForecast, ShopSalesForecast


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _scores(
    accuracy: selection.Accuracy | None, names: tuple[str, ...], *, prefix: str = ""
) -> dict[str, float | None]:
    """Backtest scores to store: NULL when not backtested or not finite."""
    return {prefix + name: finite(getattr(accuracy, name)) if accuracy else None for name in names}


def store_forecasts(
    db: Database,
    forecasts: list[ProductForecast],
    started: datetime,
    finished: datetime,
    first_day: date,
    horizon_days: int,
    seconds: float,
    *,
    set_aside: dict[str, tuple[int, int]] | None = None,
    shop_sales: ShopSalesForecast | None = None,
) -> int:
    set_aside = set_aside or {}
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
            accuracy, naive = made.accuracy, made.naive
            aside = set_aside.get(made.product_id, (0, 0))
            session.add(
                ForecastModelRow(
                    product_id=made.product_id,
                    run_id=run.id,
                    model=made.model,
                    basis=made.basis,
                    history_days=made.history_days,
                    selling_share=made.selling_share,
                    backtest_windows=accuracy.windows if accuracy else 0,
                    **_scores(accuracy, ("rmsse", "mase", "wape", "bias")),
                    **_scores(naive, ("rmsse", "mase", "wape"), prefix="naive_"),
                    error_sd=finite(made.error_sd),
                    season=made.season,
                    season_phase=made.season_phase,
                    fallback=made.fallback[:1000] if made.fallback else None,
                    skipped=selection.describe_failures(made.skipped)[:2000] or None,
                    distribution=made.covers[0].method if made.covers else None,
                    set_aside_orders=aside[0],
                    set_aside_units=aside[1],
                    created_at=finished,
                    **_daily_series(made.days, made.units),
                )
            )
            for cover in made.covers:
                q = cover.quantiles
                session.add(
                    LeadTimeDemandRow(
                        product_id=made.product_id,
                        cover=cover.cover,
                        days=cover.days,
                        trading_days=cover.trading_days,
                        mean=round(cover.mean, 4),
                        **{
                            column: round(q[level], 4)
                            for level, column in distribution.LEVEL_COLUMNS.items()
                        },
                        method=cover.method,
                        run_id=run.id,
                        grid=json.dumps(
                            [round(value, 4) for value in cover.grid], separators=(",", ":")
                        ),
                    )
                )
        session.flush()
        columns = ("product_id", "day", "predicted_units", "lower", "upper", "lower_95", "upper_95")
        rows: list[tuple[object, ...]] = []
        for made in forecasts:
            days = storage_dates(made.days.date, dialect)
            rows.extend(
                _made_by_run(
                    [made.product_id] * len(days),
                    days,
                    np.round(made.units, 4).tolist(),
                    np.round(made.lower, 4).tolist(),
                    np.round(made.upper, 4).tolist(),
                    np.round(made.lower_95, 4).tolist(),
                    np.round(made.upper_95, 4).tolist(),
                    run=(made.model, run.id, stamp),
                )
            )
        bulk_insert(session, PredictionRow.__table__, [*columns, *RUN_COLUMNS], rows)
        if shop_sales is not None:
            session.execute(delete(ShopForecastRow))
            bulk_insert(
                session,
                ShopForecastRow.__table__,
                ["day", "predicted_sales", "lower", "upper", *RUN_COLUMNS],
                _made_by_run(
                    storage_dates(shop_sales.days.date, dialect),
                    np.round(shop_sales.sales, 2).tolist(),
                    np.round(shop_sales.lower, 2).tolist(),
                    np.round(shop_sales.upper, 2).tolist(),
                    run=(shop_sales.model, run.id, stamp),
                ),
            )
        return run.id


def _daily_series(days: pd.DatetimeIndex, units: np.ndarray) -> dict[str, object]:
    """The forecast as forecast_models' daily_from and daily_units: the predicted units
    rounded as the prediction rows store them, one per calendar day. None for a forecast
    whose days are not consecutive (the reorder list then reads its prediction rows)."""
    if len(days) == 0 or not (np.diff(days.values) == np.timedelta64(1, "D")).all():
        return {"daily_from": None, "daily_units": None}
    rounded = np.round(np.asarray(units, dtype=float), 4).tolist()
    return {
        "daily_from": days[0].date(),
        "daily_units": json.dumps(rounded, separators=(",", ":")),
    }


# The columns every stored forecast row ends with (persistence.models.MadeByRun).
RUN_COLUMNS = ("model", "run_id", "created_at")


def _made_by_run(*columns: Sequence[object], run: tuple[object, ...]) -> list[tuple[object, ...]]:
    """The rows of equally long `columns`, each ending with `run`'s values (RUN_COLUMNS)."""
    length = len(columns[0])
    return list(zip(*columns, *([value] * length for value in run), strict=True))


def forget_forecasts(session: Session, product_ids: Sequence[str]) -> None:
    """Remove products' forecasts inside a caller's transaction (before deleting them)."""
    for start in range(0, len(product_ids), 500):
        chunk = list(product_ids[start : start + 500])
        session.execute(delete(PredictionRow).where(PredictionRow.product_id.in_(chunk)))
        session.execute(delete(ForecastModelRow).where(ForecastModelRow.product_id.in_(chunk)))
        session.execute(delete(LeadTimeDemandRow).where(LeadTimeDemandRow.product_id.in_(chunk)))
