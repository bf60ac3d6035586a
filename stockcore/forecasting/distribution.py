"""How much could sell: the distribution of total demand over the next n trading days.

A reorder decision needs more than the average: the total that could sell before an
order arrives (the lead time), and before the one after it (lead time + review), with
its upper quantiles. Three ways to get it, compared on held-out weeks by the forecast
benchmark (`bench/forecast_bench.py`), which keeps the best as `DEFAULT`:

* "past stretches": every past stretch of n trading days in the last year, its total
  divided by what the season expected then, rescaled to the forecast's total. Lumpy
  orders (a reseller's 500 units) come back as often as they came, and a quiet
  February is not read with last December's spread (rescaled down as well as up);
* "negative binomial": a count distribution with the forecast's mean and the variance
  those stretches showed per unit of demand (variance grows with the mean, as it does
  when more customers order, rather than with its square);
* "backtest errors": the chosen model's own misses on its backtest windows (actual total
  minus forecast total on every stretch of n days in them) added to the forecast's
  total: conformal, but from a handful of windows only;
* "every past origin": conformal over a few hundred origins: at every day of the last
  year, what the next n days sold minus what a smoothed level (with the season) known
  that morning expected, added to the forecast's total.

* "blend": the mean of the negative binomial's and "every past origin"'s quantiles (a
  combination of quantile forecasts: each one's blind spots partly cancel).

On the benchmark's development origins (never the ones it reports) the blend had the
lowest pinball loss averaged over the 0.80, 0.90, 0.95 and 0.98 quantiles (0.220 against
0.223 for the negative binomial, 0.239 for every past origin, 0.242 for past stretches)
and the best calibrated ranges (80% and 94% of totals in the 80% and 95% ranges): it is
the default for lead-time totals. Daily ranges use the negative binomial.

Units are units sold. Quantiles are never negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

PAST_STRETCHES: Final = "past stretches"
NEGATIVE_BINOMIAL: Final = "negative binomial"
BACKTEST_ERRORS: Final = "backtest errors"
EVERY_ORIGIN: Final = "every past origin"
BLEND: Final = "blend"
METHODS: Final = (PAST_STRETCHES, NEGATIVE_BINOMIAL, BACKTEST_ERRORS, EVERY_ORIGIN, BLEND)
SMOOTHING: Final = 0.1  # of the level whose misses at every past origin are counted
WARM_UP_DAYS: Final = 24
DEFAULT: Final = BLEND  # for totals over a lead time
# For ordering, what matters is how much stock a target costs, not the pinball loss: on
# the development stretch of the policy benchmark (`bench/policy_bench.py`, 2010-08-12 to
# 2010-12-09, never the stretches it reports), the reorder rule on the negative binomial
# held 13-18% less stock than on the blend at the same fill rate (every past origin: more
# than the blend; past stretches: about as little, but its fill stops short). The reorder
# rule, and the lead-time demand a refresh stores for it, use it.
REORDER: Final = NEGATIVE_BINOMIAL
DAILY: Final = NEGATIVE_BINOMIAL  # for the ranges of single days
LOOKBACK_DAYS: Final = 310  # trading days of history the stretches come from (about a year)
MINIMUM_STRETCHES: Final = 8
# The forecast's own error in level, as a share of it: estimated per product from how far
# its backtest totals missed beyond the day-to-day noise, shrunk towards a prior of 10%
# worth one window (the prior was set on the development origins of the forecast
# benchmark, never on the origins it reports).
LEVEL_ERROR_PRIOR: Final = 0.1
PRIOR_WINDOWS: Final = 1.0
GRID: Final = 400  # quantile levels a parametric distribution is kept at
# The quantiles the reorder rule and the pages use; stored with every forecast.
# The column (and attribute) each level is stored under.
LEVEL_COLUMNS: Final = {
    0.5: "q50",
    0.8: "q80",
    0.9: "q90",
    0.95: "q95",
    0.98: "q98",
    0.99: "q99",
    0.995: "q995",
}
LEVELS: Final = tuple(LEVEL_COLUMNS)
# The quantile levels at which a cover's demand distribution is stored (an equally weighted
# 100-point sample; the reorder rule pairs the "lead" and "lead+review" grids level by level).
GRID_LEVELS: Final = tuple((i + 0.5) / 100 for i in range(100))


@dataclass(frozen=True)
class Demand:
    """Total demand over a stretch: its mean and an equally weighted sample of totals
    (sorted), from which quantiles and the expected shortage are read."""

    mean: float
    values: np.ndarray
    method: str

    def quantile(self, level: float) -> float:
        if not 0 <= level <= 1:
            raise ValueError("level must be between 0 and 1")
        if self.values.size == 0:
            return 0.0
        return max(0.0, float(np.quantile(self.values, level, method="linear")))

    def quantiles(self, levels: Sequence[float]) -> tuple[float, ...]:
        """`quantile` at each of `levels` (in increasing order) at once: never negative,
        never decreasing."""
        if not all(0 <= level <= 1 for level in levels):
            raise ValueError("levels must be between 0 and 1")
        if self.values.size == 0:
            return (0.0,) * len(levels)
        found = np.quantile(self.values, np.asarray(levels, dtype=float), method="linear")
        return tuple(np.maximum.accumulate(np.clip(found, 0.0, None)).tolist())

    def probability_above(self, units: float) -> float:
        """The chance that more than `units` are demanded."""
        if self.values.size == 0:
            return 0.0
        return float(np.mean(self.values > units + 1e-9))

    def expected_shortage(self, units: float) -> float:
        """Expected units demanded beyond `units` (the loss function E[(D - units)+])."""
        if self.values.size == 0:
            return 0.0
        return float(np.mean(np.clip(self.values - units, 0.0, None)))

    def interval(self, content: float) -> tuple[float, float]:
        """A range holding `content` of the demand: the central one, or, where no demand at
        all is likelier than the lower tail's share, [0, the `content` quantile]."""
        low = self.quantile((1 - content) / 2)
        if low <= 0:
            return 0.0, self.quantile(content)
        return low, self.quantile((1 + content) / 2)


@dataclass(frozen=True)
class DemandInputs:
    """What a distribution is built from, kept with a series' forecast."""

    history: np.ndarray  # units per trading day (NaN: stock-out)
    factors: np.ndarray  # the season on those days (1.0 without one)
    future_mean: np.ndarray  # the forecast, per future trading day
    # The chosen model's backtest: (actual, predicted) per window.
    backtest: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    future_factors: np.ndarray | None = None  # the season ahead (1.0 without one)


def _scaled(total: float, ratios: np.ndarray, method: str) -> Demand:
    return Demand(total, np.sort(np.clip(total * ratios, 0.0, None)), method)


def _rolling(series: np.ndarray, steps: int) -> np.ndarray:
    """The sum of every run of `steps` consecutive values."""
    sums = np.concatenate(([0.0], np.cumsum(series)))
    return np.asarray(sums[steps:] - sums[:-steps], dtype=float)


def _level(inputs: DemandInputs) -> float:
    """Mean demand per day over the lookback, season taken out (0 if nothing is known)."""
    values = inputs.history[-LOOKBACK_DAYS:]
    factors = inputs.factors[-LOOKBACK_DAYS:]
    known = ~np.isnan(values)
    return float(np.mean(values[known] / factors[known])) if known.any() else 0.0


def _stretch_ratios(inputs: DemandInputs, steps: int) -> np.ndarray:
    """Each past stretch's total over what the season expected in it (mean 1 by design)."""
    values = inputs.history[-LOOKBACK_DAYS:]
    factors = inputs.factors[-LOOKBACK_DAYS:]
    known = ~np.isnan(values)
    level = _level(inputs)
    if steps < 1 or values.size < steps or level <= 0:
        return np.array([], dtype=float)
    expected = level * factors
    sold = _rolling(np.where(known, values, 0.0), steps)
    seen = _rolling(known.astype(float), steps)
    hoped = _rolling(np.where(known, expected, 0.0), steps)
    usable = (seen >= steps / 2) & (hoped > 0)
    return np.asarray(sold[usable] / hoped[usable], dtype=float)


def _negative_binomial(total: float, variance: float) -> Demand:
    from scipy import stats

    levels = (np.arange(GRID) + 0.5) / GRID
    if total <= 0:
        return Demand(0.0, np.zeros(GRID), NEGATIVE_BINOMIAL)
    if variance <= total * 1.0001:  # no more spread than Poisson: Poisson
        values = stats.poisson.ppf(levels, total)
    else:
        success = total / variance
        size = total * success / (1 - success)
        values = stats.nbinom.ppf(levels, size, success)
    return Demand(total, np.sort(np.asarray(values, dtype=float)), NEGATIVE_BINOMIAL)


def total_demand(inputs: DemandInputs, steps: int, method: str | None = None) -> Demand:
    """The distribution of the total over the first `steps` future trading days."""
    method = method or DEFAULT
    if method not in METHODS:
        raise ValueError(f"unknown distribution {method!r}")
    steps = max(0, min(steps, len(inputs.future_mean)))
    total = float(np.sum(inputs.future_mean[:steps]))
    if steps == 0 or total <= 0:
        return Demand(0.0, np.zeros(1), method)
    if method == BLEND:
        parts = [total_demand(inputs, steps, one) for one in (NEGATIVE_BINOMIAL, EVERY_ORIGIN)]
        levels = (np.arange(GRID) + 0.5) / GRID
        grid = np.mean([np.quantile(part.values, levels) for part in parts], axis=0)
        return Demand(total, np.sort(grid), method)
    if method == BACKTEST_ERRORS:
        errors = _backtest_errors(inputs.backtest, steps)
        if errors.size >= MINIMUM_STRETCHES:
            return Demand(total, np.sort(np.clip(total + errors, 0.0, None)), method)
    if method == EVERY_ORIGIN:
        errors = _origin_errors(inputs, steps)
        if errors.size >= MINIMUM_STRETCHES:
            season_ahead = float(np.mean(_future_factors(inputs, steps)))
            values = np.clip(total + season_ahead * errors, 0.0, None)
            return Demand(total, np.sort(values), method)
    ratios = _stretch_ratios(inputs, steps)
    if method == PAST_STRETCHES and ratios.size >= MINIMUM_STRETCHES:
        return _scaled(total, ratios, method)
    # Negative binomial, also where there are too few stretches for the others.
    variance = total * _dispersion(inputs, steps, ratios) + (level_error(inputs) * total) ** 2
    return _negative_binomial(total, variance)


def level_error(inputs: DemandInputs) -> float:
    """The forecast's error in level as a share of it (an sd): the part of its backtest
    windows' total misses that day-to-day noise does not explain, shrunk to the prior."""
    excess, scale, windows = 0.0, 0.0, 0
    dispersions: dict[int, float] = {}  # by window length: the windows mostly share one
    for actual, predicted in inputs.backtest:
        known = ~np.isnan(actual)
        hoped = float(predicted[known].sum())
        if hoped <= 0:
            continue
        length = int(known.sum())
        if length not in dispersions:
            dispersions[length] = _dispersion(inputs, length, _stretch_ratios(inputs, length))
        noise = hoped * dispersions[length]
        excess += (float(actual[known].sum()) - hoped) ** 2 - noise
        scale += hoped**2
        windows += 1
    own = max(0.0, excess / scale) if scale > 0 else 0.0
    share = (PRIOR_WINDOWS * LEVEL_ERROR_PRIOR**2 + windows * own) / (PRIOR_WINDOWS + windows)
    return min(1.0, float(np.sqrt(share)))


def _dispersion(inputs: DemandInputs, steps: int, ratios: np.ndarray) -> float:
    """Variance per unit of mean of a stretch's total, as the past stretches showed it
    (at least 1, as for Poisson; 2 when there are too few stretches to tell)."""
    if ratios.size < 2:
        return 2.0
    return max(1.0, float(np.var(ratios, ddof=1)) * _past_level(inputs, steps))


def _past_level(inputs: DemandInputs, steps: int) -> float:
    """The mean total of a past stretch of `steps` days (season taken out)."""
    return _level(inputs) * steps


def _future_factors(inputs: DemandInputs, steps: int) -> np.ndarray:
    factors = inputs.future_factors[:steps] if inputs.future_factors is not None else None
    return factors if factors is not None and factors.size else np.ones(max(1, steps))


def _origin_errors(inputs: DemandInputs, steps: int) -> np.ndarray:
    """At every past day of the last year: the total of the next `steps` days minus what an
    exponentially smoothed level (with the season) known that morning expected, in units
    of an average-season day (conformal, over a few hundred origins)."""
    values = inputs.history
    factors = inputs.factors
    known = ~np.isnan(values)
    if values.size < WARM_UP_DAYS + steps or not known.any():
        return np.array([], dtype=float)
    level = (
        pd.Series(values / factors)
        .ewm(alpha=SMOOTHING, adjust=False, ignore_na=True)
        .mean()
        .shift(1)
        .to_numpy(dtype=float)
    )
    sold = _rolling(np.where(known, values, 0.0), steps)
    seen = _rolling(known.astype(float), steps)
    season = _rolling(factors, steps) / steps
    starts = np.arange(sold.size)
    expected = level[: sold.size] * season * steps
    usable = (
        (starts >= max(WARM_UP_DAYS, values.size - LOOKBACK_DAYS - steps))
        & (seen >= steps / 2)
        & np.isfinite(expected)
    )
    scaled = sold[usable] * steps / seen[usable]
    return np.asarray((scaled - expected[usable]) / season[usable], dtype=float)


def _backtest_errors(backtest: list[tuple[np.ndarray, np.ndarray]], steps: int) -> np.ndarray:
    found: list[np.ndarray] = []
    for actual, predicted in backtest:
        if actual.size < steps:
            continue
        known = ~np.isnan(actual)
        found.append(
            _rolling(np.where(known, actual, 0.0), steps)
            - _rolling(np.where(known, predicted, 0.0), steps)
        )
    return np.concatenate(found) if found else np.array([], dtype=float)


def daily_ranges(
    inputs: DemandInputs, method: str | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """80% and 95% ranges of each future day's demand, from the one-day distribution: the
    negative binomial at each day's forecast unless another method is asked for (a day is
    not a lead time: the conformal methods' misses are those of totals)."""
    mean = inputs.future_mean
    method = method or DAILY
    ranges: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    unit = DemandInputs(inputs.history, inputs.factors, np.ones(1), inputs.backtest)
    shape = total_demand(unit, 1, method) if method != NEGATIVE_BINOMIAL and mean.size else None
    if shape is None or shape.method == NEGATIVE_BINOMIAL:
        return _negative_binomial_ranges(
            mean, _dispersion(inputs, 1, _stretch_ratios(inputs, 1)), level_error(inputs)
        )
    for name, content in (("80", 0.8), ("95", 0.95)):
        low, high = shape.interval(content)
        ranges[name] = (mean * low, mean * high)
    return ranges


def _negative_binomial_ranges(
    mean: np.ndarray, dispersion: float, level: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from scipy import stats

    ranges: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    positive = mean > 0
    safe = np.where(positive, mean, 1.0)
    variance = safe * dispersion + (level * safe) ** 2
    success = np.clip(safe / variance, 1e-9, 1 - 1e-9)
    size = safe * success / (1 - success)
    for name, content in (("80", 0.8), ("95", 0.95)):
        low = stats.nbinom.ppf((1 - content) / 2, size, success)
        top = np.where(low <= 0, content, (1 + content) / 2)
        high = stats.nbinom.ppf(top, size, success)
        ranges[name] = (
            np.where(positive, np.asarray(low, dtype=float), 0.0),
            np.where(positive, np.asarray(high, dtype=float), 0.0),
        )
    return ranges
