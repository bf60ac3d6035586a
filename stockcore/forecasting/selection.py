"""Choosing a model per series by backtest, and its forecast with ranges. No database.

Every candidate (`models.candidates`) forecasts the last few four-week stretches of the
history from the days before them (a rolling-origin backtest) and is scored by RMSSE,
for which the true mean is the best answer, so a forecast of zero cannot win on a
product that sells on a few days only. The mean of the best three is a candidate too
(forecast combinations are hard to beat; the M4 competition). TSB is the default and
stays unless another candidate beats it by 5%: with a handful of windows, smaller
differences are noise (on the benchmark's development origins this gave the best
28-day totals and lead-time quantiles of the defaults tried: TSB, the mean of the best
two or three, seasonal TSB).

Two guards:

* Seasons. Recent windows all sit in one phase of the season: judged on October and
  November alone, a season-blind model can win and then miss January's drop. So when
  the history reaches back far enough, two more windows are the same weeks a year
  before (the phase ahead, as it went last year); and when the season ahead differs from
  the season of the recent windows, only those windows choose the model. Without a year
  of history, only models that follow the season may be chosen then.
* Failures. A candidate that raises on this series is left out, with the reason; if all
  of them fail, the recent average is used and the forecast says why.

The daily ranges and the distribution of total demand over any stretch come from
`distribution`, fed with the history, the season and the chosen model's backtest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from stockcore.forecasting import distribution, models
from stockcore.forecasting.distribution import Demand, DemandInputs
from stockcore.forecasting.metrics import bias, mase, rmsse, rolling_origins, seasonal_naive, wape
from stockcore.forecasting.models import Season

COMBINATION: Final = "Mean of the best 3"
DEFAULT_MODEL: Final = "TSB"
RECENT_AVERAGE: Final = "Recent average"
CLEAR_WIN: Final = 0.05  # a single model must beat the default's score by 5% to be chosen
COMBINED: Final = 3
BACKTEST_WINDOWS: Final = 3
WEEKS_PER_WINDOW: Final = 4  # each backtest window is four weeks of trading days
MINIMUM_TRAINING_WEEKS: Final = 4
RECENT_WEEKS: Final = 8  # the fallback: average of the last eight weeks' known days
SEASON_SHIFT: Final = 1.25  # the season ahead this much above (or below) the windows'
YEAR_DAYS: Final = 364  # a year ago, on the same weekday
YEAR_AGO_WINDOWS: Final = 2
DISTRIBUTIONS: Final = distribution.METHODS


class TooShort(ValueError):
    """Too few trading days to backtest a model on."""


@dataclass(frozen=True)
class Accuracy:
    """Backtest accuracy over `windows` rolling origins (missing days left out).
    RMSSE chose the model; MASE, WAPE and bias are for information."""

    rmsse: float
    mase: float
    wape: float
    bias: float
    windows: int


@dataclass(frozen=True)
class SeriesForecast:
    """Predicted units per future trading day, with 80% and 95% ranges of each day's
    demand, and the distribution of totals over any number of days (`total`)."""

    model: str
    units: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    accuracy: Accuracy | None
    naive: Accuracy | None
    inputs: DemandInputs
    scores: dict[str, float] = field(default_factory=dict)  # mean RMSSE of every candidate
    skipped: dict[str, str] = field(default_factory=dict)  # candidate -> why it failed
    fallback: str | None = None  # why the recent average was used, if it was
    season: str | None = None  # the season followed ("category Christmas"), if any
    seasonal_only: bool = False  # the season changes ahead: season-blind models barred

    @property
    def error_sd(self) -> float:
        """sd of the chosen model's daily backtest errors, in units (for information)."""
        errors = [a - p for a, p in self.inputs.backtest]
        if not errors:
            return 0.0
        joined = np.concatenate(errors)
        joined = joined[~np.isnan(joined)]
        return float(np.std(joined, ddof=1)) if joined.size > 1 else 0.0

    def total(self, steps: int, method: str | None = None) -> Demand:
        """The distribution of total demand over the first `steps` future trading days."""
        return distribution.total_demand(self.inputs, steps, method)


def backtest_windows(length: int, season: int) -> tuple[list[int], int]:
    """Cut-offs and window length (trading days) for the rolling-origin backtest."""
    horizon = WEEKS_PER_WINDOW * season
    cuts = rolling_origins(
        length, horizon, BACKTEST_WINDOWS, minimum_history=MINIMUM_TRAINING_WEEKS * season
    )
    return cuts, horizon


def year_ago_windows(days: pd.DatetimeIndex, horizon: int, season: int) -> list[int]:
    """Cut-offs of up to two windows starting on the same day a year before the forecast:
    the phase of the season that lies ahead, as it went last year."""
    if days.empty:
        return []
    start = days[-1] + pd.Timedelta(days=1) - pd.Timedelta(days=YEAR_DAYS)
    cut = int(days.searchsorted(start))
    cuts = [
        cut + step * horizon
        for step in range(YEAR_AGO_WINDOWS)
        if cut >= MINIMUM_TRAINING_WEEKS * season and cut + (step + 1) * horizon <= len(days)
    ]
    return cuts


def can_backtest(length: int, season: int) -> bool:
    return bool(backtest_windows(length, season)[0])


@dataclass
class _Scores:
    """One model's forecasts of the backtest windows against what sold."""

    rmsses: list[float] = field(default_factory=list)
    scaled: list[float] = field(default_factory=list)  # ranks models (RMSSE, or raw RMSE)
    mases: list[float] = field(default_factory=list)
    actual: list[np.ndarray] = field(default_factory=list)
    predicted: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        actual: np.ndarray,
        predicted: np.ndarray,
        training: np.ndarray,
        season: int,
        *,
        judged: bool = True,
    ) -> None:
        """Score one window; only `judged` windows count towards choosing the model."""
        score = rmsse(actual, predicted, training)
        self.rmsses.append(score)
        known = ~np.isnan(actual)
        if judged and known.any():  # a window all out of stock says nothing
            # A history that never changed has no RMSSE: rank by plain RMSE.
            rmse = float(np.sqrt(np.mean((actual[known] - predicted[known]) ** 2)))
            self.scaled.append(score if math.isfinite(score) else rmse)
        self.mases.append(mase(actual, predicted, training, season))
        self.actual.append(actual)
        self.predicted.append(predicted)

    def score(self) -> float:
        finite = [value for value in self.scaled if math.isfinite(value)]
        return float(np.mean(finite)) if finite else math.inf

    def accuracy(self) -> Accuracy:
        actual = np.concatenate(self.actual)
        predicted = np.concatenate(self.predicted)
        return Accuracy(
            _mean_finite(self.rmsses),
            _mean_finite(self.mases),
            wape(actual, predicted),
            bias(actual, predicted),
            len(self.rmsses),
        )


def _mean_finite(values: list[float]) -> float:
    finite = [value for value in values if math.isfinite(value)]
    return float(np.mean(finite)) if finite and len(finite) == len(values) else math.nan


def describe_failures(skipped: dict[str, str]) -> str:
    """Models that failed and why, in one line ("" if none did)."""
    return "; ".join(f"{name}: {why}" for name, why in skipped.items())


def _short_reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__


def _season_shifts(factors: np.ndarray, future_factors: np.ndarray, tested: int) -> bool:
    """Does the season ahead differ from the season the backtest windows were in?"""
    if not tested or not future_factors.size:
        return False
    ahead = float(np.mean(future_factors[:tested]))
    judged = float(np.mean(factors[-tested:]))
    if judged <= 0 or ahead <= 0:
        return False
    return max(ahead / judged, judged / ahead) >= SEASON_SHIFT


def recent_average(values: np.ndarray, season: int) -> float:
    known = values[~np.isnan(values)]
    recent = values[-RECENT_WEEKS * season :]
    recent = recent[~np.isnan(recent)]
    if recent.size:
        return float(recent.mean())
    return float(known.mean()) if known.size else 0.0


def forecast_series(
    history: ArrayLike,
    days: pd.DatetimeIndex,
    future: pd.DatetimeIndex,
    *,
    season: int,
    yearly: Season | None = None,
    models_allowed: Sequence[str] | None = None,
) -> SeriesForecast:
    """Choose a model for one series by backtest and forecast `future` with it.

    `history` is units per trading day on `days` (NaN = out of stock); `future` is the
    trading days to forecast; `yearly` the season borrowed from an aggregate.
    `models_allowed` restricts the candidates by name (e.g. to force one model).
    Raises TooShort if the series is too short to backtest. Never raises because a
    model failed: see `skipped` and `fallback`.
    """
    values = np.asarray(history, dtype=float)
    if len(values) != len(days):
        raise ValueError(f"{len(values)} values for {len(days)} days")
    cuts, horizon = backtest_windows(len(values), season)
    if not cuts:
        raise TooShort(f"{len(values)} trading days are too few to backtest a forecast")
    whole = models.window(values, days, future, yearly)
    tried = models.candidates(yearly)
    shifts = yearly is not None and _season_shifts(
        whole.factors, whole.future_factors, horizon * len(cuts)
    )
    year_ago = year_ago_windows(days, horizon, season) if yearly is not None else []
    seasonal_only = shifts and not year_ago
    if seasonal_only:
        tried = {name: fit for name, fit in tried.items() if models.is_seasonal(name)}
    judging = set(year_ago) if shifts and year_ago else set(cuts) | set(year_ago)
    cuts = sorted(set(cuts) | set(year_ago))
    if models_allowed is not None:
        tried = {name: fit for name, fit in tried.items() if name in models_allowed}
        if not tried:
            raise ValueError(f"none of {', '.join(models_allowed)} can forecast this series")

    results = {name: _Scores() for name in tried}
    naive = _Scores()
    skipped: dict[str, str] = {}
    for cut in cuts:
        training, actual = values[:cut], values[cut : cut + horizon]
        part = models.Window(
            training,
            days[:cut],
            days[cut : cut + horizon],
            whole.factors[:cut],
            whole.factors[cut : cut + horizon],
        )
        naive.add(
            actual,
            seasonal_naive(training, len(actual), season),
            training,
            season,
            judged=cut in judging,
        )
        for name, fit in tried.items():
            if name in skipped:
                continue
            try:
                predicted = models.clip(fit(part))
            except Exception as error:  # one model failing must not fail the series
                skipped[name] = _short_reason(error)
                continue
            results[name].add(actual, predicted, training, season, judged=cut in judging)
    results = {name: result for name, result in results.items() if name not in skipped}
    scores = {name: result.score() for name, result in results.items()}
    ranked = sorted(scores, key=lambda name: (scores[name], name))
    members = ranked[:COMBINED] if models_allowed is None else []
    if len(members) == COMBINED:
        combined = _Scores()
        for index in range(len(cuts)):
            actual = results[members[0]].actual[index]
            predicted = np.mean([results[m].predicted[index] for m in members], axis=0)
            combined.add(
                actual, predicted, values[: cuts[index]], season, judged=cuts[index] in judging
            )
        results[COMBINATION] = combined
        scores[COMBINATION] = combined.score()

    point, chosen, fallback = _final_forecast(scores, members, tried, whole, skipped)
    if chosen is None:
        point = np.full(len(future), recent_average(values, season))
        chosen = RECENT_AVERAGE
        failed = describe_failures(skipped)
        fallback = f"every model failed ({failed})" if failed else "no model could be tested"
    backtest = (
        list(zip(results[chosen].actual, results[chosen].predicted, strict=True))
        if chosen in results
        else []
    )
    follows_season = _follows_season(chosen, members)
    factors = whole.factors if follows_season else np.ones(len(values))
    ahead = whole.future_factors if follows_season else np.ones(len(future))
    inputs = DemandInputs(values, factors, point, backtest, ahead)
    ranges = distribution.daily_ranges(inputs)
    return SeriesForecast(
        model=chosen,
        units=point,
        lower=ranges["80"][0],
        upper=ranges["80"][1],
        lower_95=ranges["95"][0],
        upper_95=ranges["95"][1],
        accuracy=results[chosen].accuracy() if chosen in results else None,
        naive=naive.accuracy(),
        inputs=inputs,
        scores={name: scores[name] for name in ranked}
        | ({COMBINATION: scores[COMBINATION]} if COMBINATION in scores else {}),
        skipped=skipped,
        fallback=fallback,
        season=yearly.source if yearly is not None and follows_season else None,
        seasonal_only=seasonal_only,
    )


def _final_forecast(
    scores: dict[str, float],
    members: list[str],
    tried: dict[str, models.Fit],
    whole: models.Window,
    skipped: dict[str, str],
) -> tuple[np.ndarray, str | None, str | None]:
    """Fit the chosen model on the whole history; if it fails now, the next best."""
    order = _preference(scores)
    fitted: dict[str, np.ndarray] = {}

    def fit(name: str) -> np.ndarray | None:
        if name not in fitted:
            try:
                fitted[name] = models.clip(tried[name](whole))
            except Exception as error:
                skipped[name] = _short_reason(error)
                return None
        return fitted[name]

    for name in order:
        if name == COMBINATION:
            parts = [part for part in (fit(member) for member in members) if part is not None]
            if len(parts) < len(members):
                continue
            return np.asarray(np.mean(parts, axis=0), dtype=float), COMBINATION, None
        made = fit(name)
        if made is not None:
            return made, name, None
    return np.zeros(len(whole.future)), None, None


def _follows_season(chosen: str, members: list[str]) -> bool:
    if chosen == COMBINATION:
        return sum(models.is_seasonal(name) for name in members) * 2 > len(members)
    return models.is_seasonal(chosen)


def _preference(scores: dict[str, float]) -> list[str]:
    """Candidates best first; the default leads unless another beats it clearly."""
    ranked = sorted(scores, key=lambda name: (_rank_value(scores[name]), name))
    if DEFAULT_MODEL not in scores or not ranked:
        return ranked
    best = ranked[0]
    default = _rank_value(scores[DEFAULT_MODEL])
    if best != DEFAULT_MODEL and not _rank_value(scores[best]) < (1 - CLEAR_WIN) * default:
        ranked.remove(DEFAULT_MODEL)
        ranked.insert(0, DEFAULT_MODEL)
    return ranked


def _rank_value(score: float) -> float:
    return math.inf if math.isnan(score) else score
