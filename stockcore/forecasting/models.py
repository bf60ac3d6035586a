"""Forecasting models and how one is chosen per series. No database, no Streamlit.

A series is a product's (or a category's, or the whole shop's) units sold per trading
day, oldest first, with NaN on days it was out of stock. Days the shop did not trade
are not in the series at all, so a "week" is `season` trading days (6 for a shop that
closes on Saturdays).

Candidates:

* statsforecast's intermittent-demand methods (TSB, Croston SBA, ADIDA, IMAPA) and
  AutoETS: fast, never negative, made for products that sell on some days only;
* the same methods on demand with the yearly season taken out, the season coming
  from the product's category or the whole shop (one product is too sparse to learn
  that December sells three times September; its category is not);
* Prophet with weekly and (given a year of history) yearly seasonality, for products
  that sell on most days: the only candidate that learns a season of its own.

Each candidate forecasts the last few horizons of the history from the days before
them (a rolling-origin backtest), and is scored with MASE against seasonal naive
("same days last week"). The best one wins, but the default (TSB) is kept unless
another beats it by more than `CLEAR_WIN`: with a handful of windows, small
differences are noise. Intervals are the spread of the winner's own backtest errors
(the range that held 80% and 95% of its daily misses), so every number can be
explained by what the model did on this product's own past.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from stockcore.forecasting.metrics import bias, mase, rolling_origins, seasonal_naive, wape

DEFAULT_MODEL: Final = "TSB"
PROPHET: Final = "Prophet"
SEASONAL_NAIVE: Final = "Seasonal naive"
CLEAR_WIN: Final = 0.05  # another model must beat the default's MASE by 5% to be chosen
BACKTEST_WINDOWS: Final = 3
WEEKS_PER_WINDOW: Final = 4  # each backtest window is four weeks of trading days
MINIMUM_TRAINING_WEEKS: Final = 4
PROPHET_SELLING_SHARE: Final = 0.8  # Prophet is tried on products that sell on 80% of days
PROPHET_MINIMUM_DAYS: Final = 90
YEARLY_MINIMUM_DAYS: Final = 365  # calendar days of history before a yearly season is fitted
SEASON_FACTOR_RANGE: Final = (0.2, 5.0)
INTERVALS: Final = {"80": (0.10, 0.90), "95": (0.025, 0.975)}


def quiet_prophet() -> None:
    """Prophet and cmdstanpy log every fit; a refresh of a thousand products must not.

    Importing prophet sets its logger back to INFO, so this imports it first."""
    logging.getLogger("prophet.plot").disabled = True  # "Importing plotly failed": not used
    import prophet  # noqa: F401

    for name in ("prophet", "cmdstanpy"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
    logging.getLogger("cmdstanpy").disabled = True


@dataclass(frozen=True)
class Accuracy:
    """Backtest accuracy over `windows` rolling origins (missing days left out)."""

    mase: float
    wape: float
    bias: float
    windows: int


@dataclass(frozen=True)
class SeriesForecast:
    """Predicted units per future trading day, with 80% and 95% intervals."""

    model: str
    units: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    accuracy: Accuracy | None
    naive: Accuracy | None
    scores: dict[str, float] = field(default_factory=dict)  # mean MASE of every candidate
    error_sd: float = 0.0  # sd of the chosen model's daily backtest errors, in units


@dataclass(frozen=True)
class Season:
    """A yearly season borrowed from an aggregate: a factor per date (1.0 = average)."""

    source: str  # "category Home" or "shop"
    factors: pd.Series  # indexed by day (Timestamp)

    def at(self, days: pd.DatetimeIndex) -> np.ndarray:
        values = self.factors.reindex(days).to_numpy(dtype=float)
        return np.where(np.isnan(values), 1.0, values)


def weekly_season(calendar: pd.DatetimeIndex) -> int:
    """Trading days in a week, read off the last eight weeks of the calendar."""
    if calendar.empty:
        return 7
    recent = calendar[calendar > calendar.max() - pd.Timedelta(days=56)]
    return max(1, min(7, int(pd.Index(recent.dayofweek).nunique())))


def future_trading_days(
    calendar: pd.DatetimeIndex, first: pd.Timestamp, days: int
) -> pd.DatetimeIndex:
    """The next `days` calendar days from `first` on which the shop is expected to trade:
    the weekdays it traded on in the last eight weeks (every day if it has no history)."""
    span = pd.date_range(first, periods=days, freq="D")
    if calendar.empty:
        return span
    recent = calendar[calendar > calendar.max() - pd.Timedelta(days=56)]
    open_weekdays = set(pd.Index(recent.dayofweek).unique())
    return span[[day in open_weekdays for day in span.dayofweek]]


# --- Candidate models -------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """What a model sees: the history up to a cut-off and the trading days to forecast.

    `factors` / `future_factors` are the borrowed yearly season on those days (all 1.0
    without one), looked up once per series rather than once per model and window."""

    history: np.ndarray
    days: pd.DatetimeIndex
    future: pd.DatetimeIndex
    factors: np.ndarray
    future_factors: np.ndarray


Fit = Callable[[Window], np.ndarray]

STATSFORECAST_MODELS: Final = ("TSB", "Croston SBA", "ADIDA", "IMAPA", "AutoETS")
SEASONAL_MODELS: Final = ("TSB", "ADIDA")  # run on demand with the yearly season taken out


def _statsforecast(name: str) -> Callable[[np.ndarray, int], np.ndarray]:
    from statsforecast.models import ADIDA, IMAPA, TSB, AutoETS, CrostonSBA

    makers: dict[str, Callable[[], Any]] = {
        "TSB": lambda: TSB(alpha_d=0.1, alpha_p=0.1),
        "Croston SBA": CrostonSBA,
        "ADIDA": ADIDA,
        "IMAPA": IMAPA,
        "AutoETS": lambda: AutoETS(model="ZNN"),
    }
    make = makers[name]

    def forecast(known: np.ndarray, steps: int) -> np.ndarray:
        if known.size == 0:
            return np.zeros(steps)
        if np.all(known == known[0]):  # flat history: the methods divide by its variation
            return np.full(steps, float(known[0]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = make().forecast(y=known, h=steps)["mean"]
        return np.asarray(result, dtype=float).reshape(-1)

    return forecast


def _plain(name: str) -> Fit:
    method = _statsforecast(name)

    def fit(window: Window) -> np.ndarray:
        return method(window.history[~np.isnan(window.history)], len(window.future))

    return fit


def _deseasonalised(name: str) -> Fit:
    method = _statsforecast(name)

    def fit(window: Window) -> np.ndarray:
        known = ~np.isnan(window.history)
        level = method(window.history[known] / window.factors[known], len(window.future))
        return np.asarray(level * window.future_factors, dtype=float)

    return fit


def _prophet(holidays_country: str | None) -> Fit:
    def fit(window: Window) -> np.ndarray:
        quiet_prophet()
        from prophet import Prophet

        known = ~np.isnan(window.history)
        days = window.days
        frame = pd.DataFrame({"ds": days[known], "y": window.history[known]})
        span = (days.max() - days.min()).days if len(days) else 0
        model = Prophet(
            weekly_seasonality=True,
            yearly_seasonality=span >= YEARLY_MINIMUM_DAYS,
            daily_seasonality=False,
            uncertainty_samples=0,  # intervals come from the backtest errors
        )
        if holidays_country:
            model.add_country_holidays(country_name=holidays_country)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(frame)
            predicted = model.predict(pd.DataFrame({"ds": window.future}))["yhat"]
        return predicted.to_numpy(dtype=float)

    return fit


def candidates(
    history: np.ndarray,
    *,
    season: Season | None = None,
    holidays_country: str | None = None,
    allow_prophet: bool = True,
) -> dict[str, Fit]:
    """The models worth trying on this series, by name."""
    found: dict[str, Fit] = {name: _plain(name) for name in STATSFORECAST_MODELS}
    if season is not None:
        for name in SEASONAL_MODELS:
            found[f"{name} × {season.source} season"] = _deseasonalised(name)
    if allow_prophet and prophet_suits(history):
        found[PROPHET] = _prophet(holidays_country)
    return found


def forecast_with(
    name: str,
    history: ArrayLike,
    days: pd.DatetimeIndex,
    future: pd.DatetimeIndex,
    *,
    season: Season | None = None,
    holidays_country: str | None = None,
) -> np.ndarray:
    """One named model's forecast (no backtest, no choice): for benchmarks and comparisons.
    Names: the statsforecast models, "<model> × <source> season" and "Prophet"."""
    values = np.asarray(history, dtype=float)
    if name == PROPHET:
        fit = _prophet(holidays_country)
    elif " × " in name:
        fit = _deseasonalised(name.split(" × ")[0])
    else:
        fit = _plain(name)
    window = _window(values, days, future, season)
    return _clip(fit(window))


def _window(
    values: np.ndarray, days: pd.DatetimeIndex, future: pd.DatetimeIndex, season: Season | None
) -> Window:
    if season is None:
        return Window(values, days, future, np.ones(len(values)), np.ones(len(future)))
    return Window(values, days, future, season.at(days), season.at(future))


def prophet_suits(history: np.ndarray) -> bool:
    """Enough days, and sales on most of them: a series Prophet can learn a season from."""
    known = history[~np.isnan(history)]
    recent = known[-300:]
    return (
        known.size >= PROPHET_MINIMUM_DAYS and float(np.mean(recent > 0)) >= PROPHET_SELLING_SHARE
    )


# --- Choosing a model -------------------------------------------------------------------


def backtest_windows(length: int, season: int) -> tuple[list[int], int]:
    """Cut-offs and window length (trading days) for the rolling-origin backtest."""
    horizon = WEEKS_PER_WINDOW * season
    cuts = rolling_origins(
        length, horizon, BACKTEST_WINDOWS, minimum_history=MINIMUM_TRAINING_WEEKS * season
    )
    return cuts, horizon


def can_backtest(length: int, season: int) -> bool:
    return bool(backtest_windows(length, season)[0])


def _clip(values: np.ndarray) -> np.ndarray:
    cleaned: np.ndarray = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    return np.asarray(np.clip(cleaned, 0.0, None), dtype=float)


@dataclass
class Scores:
    """One model's forecasts of backtest windows against what sold, window by window."""

    mases: list[float] = field(default_factory=list)
    actual: list[np.ndarray] = field(default_factory=list)
    predicted: list[np.ndarray] = field(default_factory=list)

    def add(
        self, actual: np.ndarray, predicted: np.ndarray, training: np.ndarray, season: int
    ) -> None:
        self.mases.append(mase(actual, predicted, training, season))
        self.actual.append(actual)
        self.predicted.append(predicted)

    def mean_mase(self) -> float:
        finite = [value for value in self.mases if math.isfinite(value)]
        if not finite:
            return math.inf if self.mases else math.nan
        return float(np.mean(finite)) if len(finite) == len(self.mases) else math.inf

    def accuracy(self) -> Accuracy:
        actual = np.concatenate(self.actual)
        predicted = np.concatenate(self.predicted)
        return Accuracy(
            self.mean_mase(), wape(actual, predicted), bias(actual, predicted), len(self.mases)
        )

    def errors(self) -> np.ndarray:
        actual = np.concatenate(self.actual)
        predicted = np.concatenate(self.predicted)
        known = ~np.isnan(actual)
        return np.asarray(actual[known] - predicted[known], dtype=float)


def forecast_series(
    history: ArrayLike,
    days: pd.DatetimeIndex,
    future: pd.DatetimeIndex,
    *,
    season: int,
    yearly: Season | None = None,
    holidays_country: str | None = None,
    allow_prophet: bool = True,
    models: Sequence[str] | None = None,
) -> SeriesForecast:
    """Choose a model for one series by backtest and forecast `future` with it.

    `history` is units per trading day on `days` (NaN = out of stock); `future` is the
    trading days to forecast. `models` restricts the candidates (by name), e.g. to
    force one model. Raises ValueError if the series is too short to backtest.
    """
    values = np.asarray(history, dtype=float)
    if len(values) != len(days):
        raise ValueError(f"{len(values)} values for {len(days)} days")
    cuts, horizon = backtest_windows(len(values), season)
    if not cuts:
        raise ValueError(f"{len(values)} trading days are too few to backtest a forecast")
    tried = candidates(
        values, season=yearly, holidays_country=holidays_country, allow_prophet=allow_prophet
    )
    if models is not None:
        tried = {name: fit for name, fit in tried.items() if name in models}
        if not tried:
            raise ValueError(f"none of {', '.join(models)} can forecast this series")
    whole = _window(values, days, future, yearly)
    results = {name: Scores() for name in tried}
    naive = Scores()
    for cut in cuts:
        training, actual = values[:cut], values[cut : cut + horizon]
        window = Window(
            training,
            days[:cut],
            days[cut : cut + horizon],
            whole.factors[:cut],
            whole.factors[cut : cut + horizon],
        )
        naive.add(actual, seasonal_naive(training, len(actual), season), training, season)
        for name, fit in tried.items():
            results[name].add(actual, _clip(fit(window)), training, season)
    scores = {name: result.mean_mase() for name, result in results.items()}
    chosen = _choose(scores)
    point = _clip(tried[chosen](whole))
    errors = results[chosen].errors()
    bands = {
        level: (
            np.minimum(_clip(point + np.quantile(errors, low)), point),
            np.maximum(point + np.quantile(errors, high), point),
        )
        if errors.size
        else (point, point)
        for level, (low, high) in INTERVALS.items()
    }
    return SeriesForecast(
        model=chosen,
        units=point,
        lower=bands["80"][0],
        upper=bands["80"][1],
        lower_95=bands["95"][0],
        upper_95=bands["95"][1],
        accuracy=results[chosen].accuracy(),
        naive=naive.accuracy(),
        scores=scores,
        error_sd=float(np.std(errors, ddof=1)) if errors.size > 1 else 0.0,
    )


def _choose(scores: dict[str, float]) -> str:
    ranked = sorted(scores, key=lambda name: (_rank_value(scores[name]), name))
    best = ranked[0]
    default = scores.get(DEFAULT_MODEL)
    if default is None or best == DEFAULT_MODEL:
        return best
    if _rank_value(scores[best]) < (1 - CLEAR_WIN) * _rank_value(default):
        return best
    return DEFAULT_MODEL


def _rank_value(score: float) -> float:
    return math.inf if math.isnan(score) else score


def yearly_season(
    history: ArrayLike, days: pd.DatetimeIndex, dates: pd.DatetimeIndex, *, source: str
) -> Season | None:
    """The yearly season of an aggregate series (a category or the shop), as a factor per
    date in `dates`; None if the aggregate has less than a year of history."""
    values = np.asarray(history, dtype=float)
    known = ~np.isnan(values)
    if not known.any() or (days[known].max() - days[known].min()).days < YEARLY_MINIMUM_DAYS:
        return None
    quiet_prophet()
    from prophet import Prophet

    dates = pd.DatetimeIndex(dates).unique().sort_values()
    model = Prophet(
        weekly_seasonality=True,
        yearly_seasonality=True,
        daily_seasonality=False,
        seasonality_mode="multiplicative",
        uncertainty_samples=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(pd.DataFrame({"ds": days[known], "y": values[known]}))
        yearly = model.predict(pd.DataFrame({"ds": dates}))["yearly"].to_numpy(dtype=float)
    factors = np.clip(1.0 + yearly, *SEASON_FACTOR_RANGE)
    return Season(source, pd.Series(factors, index=pd.DatetimeIndex(dates)))
