"""How good a forecast was: the measures and the backtest windows models are chosen by.

Units: demand in units per trading day. Missing days (NaN: stock-outs) are left out of
every measure, on the actual and the in-sample side alike.

Models are chosen, and accuracy is reported, with measures for which the true mean (or
the true quantile) is the best possible answer, as in the M5 competition:

* RMSSE: root mean squared error over the horizon, scaled by the mean squared day-to-day
  change in sample (M5's point measure). Squared error is minimised by the mean, so a
  forecast of zero cannot win on a product that sells on a few days only, as it can on
  absolute errors.
* pinball (quantile) loss of a quantile forecast, scaled by the in-sample mean demand:
  what an upper quantile of lead-time demand (the reorder rule's input) is judged by.
* coverage: the share of actual values inside a stated range.

MASE, WAPE and bias are kept for information only; they never choose a model.

* MASE (for information): mean absolute error over the horizon, scaled by the mean
  absolute error of the seasonal naive forecast in sample (1.0 = as good as "same day
  last week"; lower is better). Comparable across fast and slow sellers.
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


def rmsse(actual: ArrayLike, forecast: ArrayLike, history: ArrayLike) -> float:
    """Root mean squared scaled error (M5): RMSE over the horizon divided by the root mean
    squared day-to-day change of the history from its first sale on. NaN when the history
    is too short or never changes; missing days are left out on both sides."""
    a, f = _paired(actual, forecast)
    h = np.asarray(history, dtype=float)
    selling = np.flatnonzero(h > 0)
    if not a.size or selling.size == 0:
        return math.nan
    h = h[selling[0] :]
    changes = (h[1:] - h[:-1])[~np.isnan(h[1:] - h[:-1])]
    if not changes.size:
        return math.nan
    scale = float(np.mean(changes**2))
    if scale == 0:
        return 0.0 if float(np.abs(a - f).sum()) == 0 else math.inf
    return math.sqrt(float(np.mean((a - f) ** 2)) / scale)


def pinball(actual: ArrayLike, quantile: ArrayLike, level: float) -> float:
    """Mean pinball (quantile) loss of forecasts of the `level` quantile: under-forecasts
    cost `level` per unit, over-forecasts `1 - level`. The true quantile minimises it."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    a, q = _paired(actual, quantile)
    if not a.size:
        return math.nan
    miss = a - q
    return float(np.mean(np.maximum(level * miss, (level - 1) * miss)))


def coverage(actual: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of known actual values inside [lower, upper]."""
    a = np.asarray(actual, dtype=float)
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    known = ~np.isnan(a)
    if not known.any():
        return math.nan
    inside = (a[known] >= lo[known] - 1e-9) & (a[known] <= hi[known] + 1e-9)
    return float(np.mean(inside))
