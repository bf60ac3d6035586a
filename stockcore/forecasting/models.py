"""The candidate models, and the season a product borrows from its category. No database.

A series is a product's (or a category's, or the whole shop's) units sold per trading
day, oldest first, with NaN on days it was out of stock. Days the shop did not trade
are not in the series at all, so a "week" is `season` trading days (6 for a shop that
closes on Saturdays).

Candidates (each returns a mean forecast per future trading day, never negative):

* statsforecast's intermittent-demand methods (TSB, Croston SBA, ADIDA, IMAPA) and
  AutoETS: fast, made for products that sell on some days only;
* TSB, ADIDA and AutoETS on demand with the season taken out and put back: the yearly
  (and weekly) pattern of the product's category, or of the whole shop when the category
  is too young. One product is too sparse to learn that December sells three times
  September, and that January sells almost nothing; its category is not.

Prophet is not a candidate: fitted per product in every backtest window it cost more
than everything else together and won nowhere the seasonal candidates did not (see the
forecast benchmark). `forecast_with("Prophet", ...)` remains, for comparisons.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

PROPHET: Final = "Prophet"
YEARLY_MINIMUM_DAYS: Final = 365  # calendar days of history before a yearly season is fitted
SEASON_FACTOR_RANGE: Final = (0.1, 8.0)


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
class Season:
    """The seasons of an aggregate (a category or the shop): a factor per date, 1.0 being
    an average day, from its yearly and weekly pattern."""

    source: str  # "category Home" or "shop"
    factors: pd.Series  # indexed by day (Timestamp)
    yearly: pd.Series  # the yearly part alone, by day: what the Forecast page describes

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
    calendar: pd.DatetimeIndex,
    first: pd.Timestamp,
    days: int,
    holidays_country: str | None = None,
) -> pd.DatetimeIndex:
    """The next `days` calendar days from `first` on which the shop is expected to trade:
    the weekdays it traded on in the last eight weeks (every day if it has no history),
    less the country's public holidays if the shop has closed on most of them before."""
    span = pd.date_range(first, periods=days, freq="D")
    if calendar.empty:
        return span
    recent = calendar[calendar > calendar.max() - pd.Timedelta(days=56)]
    open_weekdays = set(pd.Index(recent.dayofweek).unique())
    expected = span[[day in open_weekdays for day in span.dayofweek]]
    closed = closed_holidays(calendar, expected, open_weekdays, holidays_country)
    return expected[~expected.isin(closed)] if len(closed) else expected


def closed_holidays(
    calendar: pd.DatetimeIndex,
    dates: pd.DatetimeIndex,
    open_weekdays: set[int],
    country: str | None,
) -> pd.DatetimeIndex:
    """The public holidays among `dates` on which the shop is expected to be closed: none,
    unless it traded on fewer than half of the past holidays that fell on its open days."""
    if not country or dates.empty:
        return pd.DatetimeIndex([])
    import holidays

    years = range(calendar.min().year, dates.max().year + 1)
    try:
        known = holidays.country_holidays(country, years=years)
    except NotImplementedError:
        return pd.DatetimeIndex([])
    days = pd.DatetimeIndex(sorted(pd.Timestamp(day) for day in known))
    past = days[(days >= calendar.min()) & (days <= calendar.max())]
    past = past[[day in open_weekdays for day in past.dayofweek]]
    if past.empty or past.isin(calendar).mean() >= 0.5:
        return pd.DatetimeIndex([])
    return dates[dates.isin(days)]


# --- Candidate models -------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """What a model sees: the history up to a cut-off and the trading days to forecast.

    `factors` / `future_factors` are the borrowed season on those days (all 1.0 without
    one), looked up once per series rather than once per model and window."""

    history: np.ndarray
    days: pd.DatetimeIndex
    future: pd.DatetimeIndex
    factors: np.ndarray
    future_factors: np.ndarray


Fit = Callable[[Window], np.ndarray]

STATSFORECAST_MODELS: Final = ("TSB", "Croston SBA", "ADIDA", "IMAPA", "AutoETS")
SEASONAL_MODELS: Final = ("TSB", "ADIDA", "AutoETS")  # also run with the season taken out
# Known days a model needs. statsforecast's ETS refuses a series of at most (parameters
# + 4) values with NotImplementedError("tiny datasets"); ZNN has 2 (alpha and the level),
# so AutoETS needs 7. A product that was out of stock on most days (NaN) can have that
# few known days in a backtest window even when its series is long: it is not asked then.
MIN_KNOWN_DAYS: Final = {"AutoETS": 7}


class TooFewKnownDays(ValueError):
    """A model was given fewer known days than it can learn from."""


SEASON_MARK: Final = " × "


def seasonal_name(model: str, source: str) -> str:
    return f"{model}{SEASON_MARK}{source} season"


def is_seasonal(name: str) -> bool:
    return SEASON_MARK in name


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
    least = MIN_KNOWN_DAYS.get(name, 1)

    def forecast(known: np.ndarray, steps: int) -> np.ndarray:
        if known.size == 0:
            raise TooFewKnownDays("no known days to learn from")
        if np.all(known == known[0]):  # flat history: the methods divide by its variation
            return np.full(steps, float(known[0]))
        if known.size < least:
            raise TooFewKnownDays(f"{name} needs {least} known days, not {known.size}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = make().forecast(y=known, h=steps)["mean"]
        values = np.asarray(result, dtype=float).reshape(-1)
        if values.size != steps or not np.all(np.isfinite(values)):
            raise ValueError(f"{name} gave no usable forecast")
        return values

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
            uncertainty_samples=0,
        )
        if holidays_country:
            model.add_country_holidays(country_name=holidays_country)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(frame)
            predicted = model.predict(pd.DataFrame({"ds": window.future}))["yhat"]
        return predicted.to_numpy(dtype=float)

    return fit


def candidates(season: Season | None = None) -> dict[str, Fit]:
    """The models worth trying on a series, by name."""
    found: dict[str, Fit] = {name: _plain(name) for name in STATSFORECAST_MODELS}
    if season is not None:
        for name in SEASONAL_MODELS:
            found[seasonal_name(name, season.source)] = _deseasonalised(name)
    return found


def window(
    values: np.ndarray, days: pd.DatetimeIndex, future: pd.DatetimeIndex, season: Season | None
) -> Window:
    if season is None:
        return Window(values, days, future, np.ones(len(values)), np.ones(len(future)))
    return Window(values, days, future, season.at(days), season.at(future))


def clip(values: ArrayLike) -> np.ndarray:
    cleaned: np.ndarray = np.nan_to_num(
        np.asarray(values, dtype=float), nan=0.0, posinf=0.0, neginf=0.0
    )
    return np.asarray(np.clip(cleaned, 0.0, None), dtype=float)


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
    elif is_seasonal(name):
        fit = _deseasonalised(name.split(SEASON_MARK)[0])
    else:
        fit = _plain(name)
    return clip(fit(window(values, days, future, season)))


# --- Seasons of aggregates --------------------------------------------------------------


def yearly_season(
    history: ArrayLike,
    days: pd.DatetimeIndex,
    dates: pd.DatetimeIndex,
    *,
    source: str,
) -> Season | None:
    """The seasons of an aggregate series (a category or the shop) as a factor per date in
    `dates`; None if the aggregate has less than a year of history.

    The classical seasonal index, as it went in the last year (or the mean of the last
    two): each week's sales over the mean week of that year, smoothed over three weeks,
    times each weekday's share of a week. Sharp peaks and troughs (the week before
    Christmas, January) are kept as they were; Prophet's smooth yearly curve, tried here
    first, invented February-May peaks for the demo's Christmas category."""
    values = np.asarray(history, dtype=float)
    known = ~np.isnan(values)
    if not known.any() or (days[known].max() - days[known].min()).days < YEARLY_MINIMUM_DAYS:
        return None
    dates = pd.DatetimeIndex(dates).unique().sort_values()
    series = pd.Series(values, index=days)
    yearly = _yearly_index(series)
    weekday = _weekday_index(series)
    bins = _week_of_year(dates)
    year_factors = np.clip(yearly[bins], *SEASON_FACTOR_RANGE)
    day_factors = weekday[dates.dayofweek.to_numpy()]
    index = pd.DatetimeIndex(dates)
    return Season(
        source,
        pd.Series(np.clip(year_factors * day_factors, *SEASON_FACTOR_RANGE), index=index),
        pd.Series(year_factors, index=index),
    )


WEEKS: Final = 52


def _week_of_year(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(np.minimum((dates.dayofyear.to_numpy() - 1) // 7, WEEKS - 1), dtype=int)


def _yearly_index(series: pd.Series) -> np.ndarray:
    """Per week of the year, sales over the mean week, averaged over the last (up to two)
    whole years and smoothed over three weeks (circularly)."""
    end = series.index.max()
    profiles = []
    for back in range(2):
        stop = end - pd.Timedelta(days=364 * back)
        year = series[(series.index > stop - pd.Timedelta(days=364)) & (series.index <= stop)]
        year = year.dropna()
        if year.empty or (year.index.max() - year.index.min()).days < 300:
            break
        per_day = year.groupby(_week_of_year(pd.DatetimeIndex(year.index))).mean()
        weekly = per_day.reindex(range(WEEKS))
        if weekly.isna().any():  # weeks the shop was closed: from their neighbours
            weekly = pd.concat([weekly] * 3).interpolate(limit_direction="both").iloc[WEEKS:-WEEKS]
        mean = float(weekly.mean())
        if mean > 0:
            profiles.append(weekly.to_numpy(dtype=float) / mean)
    if not profiles:
        return np.ones(WEEKS)
    profile = np.mean(profiles, axis=0)
    smooth = 0.25 * np.roll(profile, 1) + 0.5 * profile + 0.25 * np.roll(profile, -1)
    return np.asarray(smooth / smooth.mean(), dtype=float)


def _weekday_index(series: pd.Series) -> np.ndarray:
    """Each weekday's sales over the mean trading day, over the last year (1.0 if unknown)."""
    recent = series[series.index > series.index.max() - pd.Timedelta(days=364)].dropna()
    if recent.empty or float(recent.mean()) <= 0:
        return np.ones(7)
    by_day = recent.groupby(pd.DatetimeIndex(recent.index).dayofweek).mean() / recent.mean()
    return np.asarray(by_day.reindex(range(7)).fillna(1.0).to_numpy(dtype=float), dtype=float)


def describe_season(season: Season, today: pd.Timestamp) -> str:
    """Where `today` sits in a season, in words: how busy now is, which way it is heading,
    and when the peak and the quiet time come (from the last year's pattern)."""
    yearly = season.yearly
    year = yearly[(yearly.index < today) & (yearly.index >= today - pd.Timedelta(days=365))]
    ahead = yearly[(yearly.index >= today) & (yearly.index < today + pd.Timedelta(days=28))]
    if year.empty:
        return f"Follows the {season.source}'s yearly season."
    now = float(ahead.iloc[0]) if not ahead.empty else float(year.iloc[-1])
    later = float(ahead.iloc[-1]) if len(ahead) > 1 else now
    heading = "rising" if later > now * 1.1 else "falling" if later < now / 1.1 else "steady"
    peak, low = pd.Timestamp(year.idxmax()), pd.Timestamp(year.idxmin())
    mild = float(year.max()) < 1.3 * float(year.min())
    return (
        f"Follows the {season.source}'s yearly season"
        + (" (a mild one)" if mild else "")
        + f": now {now:.1f}× an average day and {heading} over the next four weeks; "
        f"it peaks around {peak:%-d %b} ({float(year.max()):.1f}×) and is quietest around "
        f"{low:%-d %b} ({float(year.min()):.1f}×), as it went last year."
    )
