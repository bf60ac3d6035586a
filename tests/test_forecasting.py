"""Model choice and forecasts on synthetic series: smooth, seasonal, intermittent."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from stockcore.forecasting import models as forecasting
from stockcore.forecasting.models import DEFAULT_MODEL, PROPHET, _choose
from stockcore.replenishment import run_out_day

INTERMITTENT_MODELS = {"TSB", "Croston SBA", "ADIDA", "IMAPA", "AutoETS"}


def weekdays(count: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    """`count` trading days of a shop that is closed on Saturdays."""
    days = pd.date_range(start, periods=count * 2, freq="D")
    return days[days.dayofweek != 5][:count]


def future_of(days: pd.DatetimeIndex, count: int) -> pd.DatetimeIndex:
    return forecasting.future_trading_days(days, days.max() + pd.Timedelta(days=1), count)


def check_bands(made: forecasting.SeriesForecast) -> None:
    assert np.all(made.units >= 0)
    assert np.all(made.lower >= 0) and np.all(made.lower_95 >= 0)
    assert np.all(made.lower_95 <= made.lower + 1e-9)
    assert np.all(made.lower <= made.units + 1e-9)
    assert np.all(made.units <= made.upper + 1e-9)
    assert np.all(made.upper <= made.upper_95 + 1e-9)


def test_a_smooth_seller_is_forecast_at_its_level() -> None:
    rng = np.random.default_rng(1)
    days = weekdays(200)
    history = rng.poisson(20, size=len(days)).astype(float)
    made = forecasting.forecast_series(
        history, days, future_of(days, 28), season=6, allow_prophet=False
    )
    assert made.model in INTERMITTENT_MODELS
    assert 17 < made.units.mean() < 23
    check_bands(made)
    assert made.accuracy is not None and made.naive is not None
    assert made.accuracy.windows == 3
    # A mean-level model beats "same day last week" on noise around a level.
    assert made.accuracy.mase < made.naive.mase


def test_a_weekly_pattern_is_learned_by_prophet() -> None:
    rng = np.random.default_rng(2)
    days = weekdays(240)
    monday_rush = np.where(days.dayofweek == 0, 60.0, 10.0)
    history = rng.poisson(monday_rush).astype(float)
    future = future_of(days, 21)
    made = forecasting.forecast_series(history, days, future, season=6)
    assert made.model == PROPHET
    mondays = made.units[future.dayofweek == 0]
    others = made.units[future.dayofweek != 0]
    assert mondays.min() > 2 * others.max()
    check_bands(made)
    assert made.scores[PROPHET] < made.scores[DEFAULT_MODEL]


def test_an_intermittent_seller_gets_an_intermittent_method_and_no_negative_units() -> None:
    rng = np.random.default_rng(3)
    days = weekdays(300)
    sells = rng.random(len(days)) < 0.08
    history = np.where(sells, rng.integers(1, 12, len(days)), 0).astype(float)
    made = forecasting.forecast_series(history, days, future_of(days, 28), season=6)
    assert not forecasting.prophet_suits(history)
    assert made.model in INTERMITTENT_MODELS
    assert 0 < made.units.mean() < 2 * history.mean()
    check_bands(made)


def test_stock_out_days_are_not_read_as_no_demand() -> None:
    days = weekdays(150)
    history = np.full(len(days), 10.0)
    history[::7] = 12.0
    out_of_stock = history.copy()
    out_of_stock[-30:] = np.nan  # a month without stock: demand unknown
    sold_nothing = history.copy()
    sold_nothing[-30:] = 0.0  # the same month read naively as zero sales
    future = future_of(days, 14)
    kept = forecasting.forecast_series(out_of_stock, days, future, season=6, allow_prophet=False)
    dragged = forecasting.forecast_series(sold_nothing, days, future, season=6, allow_prophet=False)
    assert kept.units.mean() > 9
    assert dragged.units.mean() < 5


def test_a_borrowed_yearly_season_lifts_the_forecast_in_the_busy_months() -> None:
    rng = np.random.default_rng(4)
    days = weekdays(560, start="2023-01-02")
    lift = np.where(days.month >= 10, 3.0, 1.0)
    shop = rng.poisson(200 * lift).astype(float)
    future = forecasting.future_trading_days(days, pd.Timestamp("2024-09-02"), 90)
    season = forecasting.yearly_season(
        shop, days, pd.DatetimeIndex(days.append(future)), source="shop"
    )
    assert season is not None
    assert (
        season.at(pd.DatetimeIndex(["2023-11-15"]))[0]
        > 1.5 * season.at(pd.DatetimeIndex(["2023-06-15"]))[0]
    )
    product = rng.poisson(2 * lift).astype(float)
    history_days = days[days < "2024-09-02"]
    made = forecasting.forecast_series(
        product[: len(history_days)],
        history_days,
        future,
        season=6,
        yearly=season,
        models=["TSB × shop season"],
    )
    october_on = made.units[future.month >= 10].mean()
    september = made.units[future.month == 9].mean()
    assert october_on > 1.8 * september


def test_too_short_a_history_is_refused_with_the_reason() -> None:
    days = weekdays(30)
    with pytest.raises(ValueError, match="30 trading days are too few"):
        forecasting.forecast_series(np.ones(30), days, future_of(days, 7), season=6)
    assert not forecasting.can_backtest(30, 6)
    assert forecasting.can_backtest(48, 6)


def test_the_default_model_stays_unless_another_wins_clearly() -> None:
    assert _choose({"TSB": 1.00, "ADIDA": 0.97}) == "TSB"
    assert _choose({"TSB": 1.00, "ADIDA": 0.90}) == "ADIDA"
    assert _choose({"TSB": float("inf"), "ADIDA": 0.90}) == "ADIDA"
    assert _choose({"TSB": float("nan"), "ADIDA": 2.0}) == "ADIDA"


def test_weekly_season_and_future_days_follow_the_shops_opening_days() -> None:
    days = weekdays(60)
    assert forecasting.weekly_season(days) == 6
    future = forecasting.future_trading_days(days, pd.Timestamp("2024-06-03"), 14)
    assert len(future) == 12 and 5 not in set(future.dayofweek)
    assert forecasting.weekly_season(pd.DatetimeIndex([])) == 7


def test_run_out_day_is_when_the_forecast_uses_up_the_stock() -> None:
    days = [date(2026, 3, d) for d in range(1, 8)]
    assert run_out_day(10, days, [3, 3, 3, 3, 3, 3, 3]) == date(2026, 3, 4)
    assert run_out_day(9, days, [3, 3, 3, 3, 3, 3, 3]) == date(2026, 3, 3)
    assert run_out_day(100, days, [3] * 7) is None
    assert run_out_day(0, days, [3] * 7) == date(2026, 3, 1)  # out of stock already
    assert run_out_day(5, [], []) is None


def test_prophet_learns_the_shops_public_holidays_quietly(
    capfd: pytest.CaptureFixture[str],
) -> None:
    rng = np.random.default_rng(6)
    days = weekdays(420, start="2023-01-02")
    history = rng.poisson(15, len(days)).astype(float)
    future = future_of(days, 14)
    with_holidays = forecasting.forecast_with(PROPHET, history, days, future, holidays_country="GB")
    assert len(with_holidays) == len(future) and np.all(with_holidays >= 0)
    captured = capfd.readouterr()
    assert "Yearly seasonality" not in captured.err + captured.out  # no log line per fit
    assert "cmdstanpy" not in captured.err + captured.out
