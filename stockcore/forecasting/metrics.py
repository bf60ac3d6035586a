"""How good a forecast was: the measures and the backtest windows models are chosen by.

Units: demand in units per trading day. Missing days (NaN: stock-outs) are left out of
every measure, on the actual and the in-sample side alike.

* MASE: mean absolute error over the horizon, scaled by the mean absolute error of the
  seasonal naive forecast in sample (1.0 = as good as "same day last week"; lower is
  better). Comparable across fast and slow sellers.
* WAPE: total absolute error over total actual units (0.25 = off by a quarter).
* bias: (forecast units - actual units) / actual units; positive means over-forecasting.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike


def _paired(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.shape != f.shape:
        raise ValueError(f"actual has {a.size} values, forecast {f.size}")
    known = ~np.isnan(a) & ~np.isnan(f)
    return a[known], f[known]


def wape(actual: ArrayLike, forecast: ArrayLike) -> float:
    a, f = _paired(actual, forecast)
    total = float(np.abs(a).sum())
    error = float(np.abs(a - f).sum())
    if total == 0:
        return 0.0 if error == 0 else math.inf
    return error / total


def bias(actual: ArrayLike, forecast: ArrayLike) -> float:
    a, f = _paired(actual, forecast)
    total = float(a.sum())
    if total == 0:
        return 0.0 if float(f.sum()) == 0 else math.inf
    return float((f - a).sum()) / total


def naive_scale(history: ArrayLike, season: int) -> float:
    """Mean absolute difference between each known day and the known day a season before."""
    h = np.asarray(history, dtype=float)
    if h.size <= season:
        return math.nan
    differences = np.abs(h[season:] - h[:-season])
    differences = differences[~np.isnan(differences)]
    return float(differences.mean()) if differences.size else math.nan


def mase(actual: ArrayLike, forecast: ArrayLike, history: ArrayLike, season: int) -> float:
    """Mean absolute scaled error; NaN when the history is too short or never changes."""
    a, f = _paired(actual, forecast)
    scale = naive_scale(history, season)
    if not a.size or math.isnan(scale):
        return math.nan
    if scale == 0:
        # A flat history: any error is infinitely worse than the naive forecast.
        return 0.0 if float(np.abs(a - f).sum()) == 0 else math.inf
    return float(np.abs(a - f).mean()) / scale


def seasonal_naive(history: ArrayLike, horizon: int, season: int) -> np.ndarray:
    """Repeat the last known season; a missing day takes the season's mean (0 if all missing)."""
    h = np.asarray(history, dtype=float)
    if horizon < 1:
        return np.array([], dtype=float)
    if h.size == 0:
        return np.zeros(horizon)
    last = h[-season:] if h.size >= season else h
    fallback = float(np.nanmean(last)) if np.any(~np.isnan(last)) else 0.0
    last = np.where(np.isnan(last), fallback, last)
    return np.resize(last, horizon)


def rolling_origins(length: int, horizon: int, origins: int, *, minimum_history: int) -> list[int]:
    """Cut-offs for a rolling-origin backtest, oldest first.

    Each cut-off c trains on days [0, c) and scores days [c, c + horizon). The last window
    ends with the data; earlier ones step back a horizon at a time, as long as at least
    `minimum_history` days remain to train on. Fewer (or no) windows for short series.
    """
    if horizon < 1 or origins < 1:
        raise ValueError("horizon and origins must be at least 1")
    cuts: list[int] = []
    cut = length - horizon
    while len(cuts) < origins and cut >= minimum_history:
        cuts.append(cut)
        cut -= horizon
    return sorted(cuts)
