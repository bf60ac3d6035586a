"""Model choice, seasons, failures and demand distributions on synthetic series whose
answers are known: smooth, weekly, intermittent, seasonal, broken."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from stockcore.forecasting import distribution, models, selection
from stockcore.forecasting.distribution import Demand, DemandInputs
from stockcore.forecasting.selection import COMBINATION, RECENT_AVERAGE, _preference
from stockcore.replenishment.levels import run_out_day


def weekdays(count: int, start: str = "2024-01-01") -> pd.DatetimeIndex:
    """`count` trading days of a shop that is closed on Saturdays."""
    days = pd.date_range(start, periods=count * 2, freq="D")
    return days[days.dayofweek != 5][:count]


def future_of(days: pd.DatetimeIndex, count: int) -> pd.DatetimeIndex:
    return models.future_trading_days(days, days.max() + pd.Timedelta(days=1), count)


def check_bands(made: selection.SeriesForecast) -> None:
    assert np.all(made.units >= 0)
    assert np.all(made.lower >= 0) and np.all(made.lower_95 >= 0)
    assert np.all(made.lower_95 <= made.lower + 1e-9)
    assert np.all(made.lower <= made.upper + 1e-9)
    assert np.all(made.upper <= made.upper_95 + 1e-9)


def test_a_smooth_seller_is_forecast_at_its_level_and_beats_naive_on_rmsse() -> None:
    rng = np.random.default_rng(1)
    days = weekdays(200)
    history = rng.poisson(20, size=len(days)).astype(float)
    made = selection.forecast_series(history, days, future_of(days, 28), season=6)
    assert 17 < made.units.mean() < 23
    check_bands(made)
    assert made.lower.mean() < 20 < made.upper.mean()  # the daily range holds the level
    assert made.accuracy is not None and made.naive is not None
    assert made.accuracy.windows == 3
    assert made.accuracy.rmsse < made.naive.rmsse
    assert made.fallback is None and not made.skipped


def test_a_weekly_pattern_is_followed_through_the_borrowed_season() -> None:
    rng = np.random.default_rng(2)
    days = weekdays(420, start="2023-01-02")
    rush = np.where(days.dayofweek == 0, 3.0, 1.0)
    shop = rng.poisson(100 * rush).astype(float)
    future = future_of(days, 21)
    season = models.yearly_season(shop, days, pd.DatetimeIndex(days.append(future)), source="shop")
    assert season is not None
    product = rng.poisson(20 * rush).astype(float)
    made = selection.forecast_series(product, days, future, season=6, yearly=season)
    mondays = made.units[future.dayofweek == 0]
    others = made.units[future.dayofweek != 0]
    assert mondays.min() > 2 * others.max()
    assert made.season == "shop"


def test_an_intermittent_seller_gets_no_negative_units_and_honest_ranges() -> None:
    rng = np.random.default_rng(3)
    days = weekdays(300)
    sells = rng.random(len(days)) < 0.08
    history = np.where(sells, rng.integers(1, 12, len(days)), 0).astype(float)
    made = selection.forecast_series(history, days, future_of(days, 28), season=6)
    assert 0 < made.units.mean() < 2 * history.mean()
    check_bands(made)
    # It sells on 8% of days: no sale is the likeliest day, so every range starts at 0, and
    # the 80% range of a day is [0, 0]: it is not a product that sells a little every day.
    assert np.all(made.lower_95 == 0) and np.all(made.upper == 0)
    assert np.all(made.upper_95 > 0)


def test_stock_out_days_are_not_read_as_no_demand() -> None:
    days = weekdays(150)
    history = np.full(len(days), 10.0)
    history[::7] = 12.0
    out_of_stock = history.copy()
    out_of_stock[-30:] = np.nan  # a month without stock: demand unknown
    sold_nothing = history.copy()
    sold_nothing[-30:] = 0.0  # the same month read naively as zero sales
    future = future_of(days, 14)
    kept = selection.forecast_series(out_of_stock, days, future, season=6)
    dragged = selection.forecast_series(sold_nothing, days, future, season=6)
    assert kept.units.mean() > 9
    assert dragged.units.mean() < 5


def christmas_shop(years: int = 2) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """A shop whose sales triple from October to mid-December and collapse in January, and
    a product that follows it (the demo's Christmas category in miniature)."""
    rng = np.random.default_rng(4)
    days = weekdays(310 * years, start="2022-01-03")
    busy = np.where((days.month >= 10) & ~((days.month == 12) & (days.day > 20)), 3.0, 1.0)
    busy = np.where(days.month == 1, 0.2, busy)
    shop = rng.poisson(300 * busy).astype(float)
    product = rng.poisson(6 * busy).astype(float)
    return days, shop, product


def test_a_borrowed_season_forecasts_the_drop_after_christmas() -> None:
    """Judged in October-December alone, a season-blind model would carry December's level
    into January; the windows a year before choose a model that follows the season."""
    days, shop, product = christmas_shop()
    cut = int(days.searchsorted(pd.Timestamp("2023-12-20")))
    history_days, future = days[:cut], future_of(days[:cut], 60)
    season = models.yearly_season(
        shop[:cut], history_days, pd.DatetimeIndex(history_days.append(future)), source="shop"
    )
    assert season is not None
    made = selection.forecast_series(product[:cut], history_days, future, season=6, yearly=season)
    january = made.units[future.month == 1].mean()
    december = product[cut - 30 : cut].mean()
    assert january < 0.5 * december
    assert made.season == "shop"
    phase = models.describe_season(season, pd.Timestamp("2023-12-20"))
    assert "falling" in phase and "peaks around" in phase


def test_without_a_year_of_own_history_a_coming_season_bars_season_blind_models() -> None:
    days, shop, product = christmas_shop()
    cut = int(days.searchsorted(pd.Timestamp("2023-09-20")))
    season = models.yearly_season(
        shop[:cut], days[:cut], pd.DatetimeIndex(days[:cut].append(days[cut:])), source="shop"
    )
    assert season is not None
    young = slice(cut - 120, cut)  # a product on sale since May only
    made = selection.forecast_series(
        product[young], days[young], future_of(days[:cut], 40), season=6, yearly=season
    )
    assert made.seasonal_only
    assert all(models.is_seasonal(name) for name in made.scores if name != COMBINATION)


def test_a_borrowed_yearly_season_lifts_the_forecast_in_the_busy_months() -> None:
    rng = np.random.default_rng(4)
    days = weekdays(560, start="2023-01-02")
    lift = np.where(days.month >= 10, 3.0, 1.0)
    shop = rng.poisson(200 * lift).astype(float)
    future = models.future_trading_days(days, pd.Timestamp("2024-09-02"), 90)
    season = models.yearly_season(shop, days, pd.DatetimeIndex(days.append(future)), source="shop")
    assert season is not None
    product = rng.poisson(2 * lift).astype(float)
    history_days = days[days < "2024-09-02"]
    made = selection.forecast_series(
        product[: len(history_days)],
        history_days,
        future,
        season=6,
        yearly=season,
        models_allowed=["TSB × shop season"],
    )
    assert made.units[future.month >= 10].mean() > 1.8 * made.units[future.month == 9].mean()


def test_too_short_a_history_is_refused_with_the_reason() -> None:
    days = weekdays(30)
    with pytest.raises(selection.TooShort, match="30 trading days are too few"):
        selection.forecast_series(np.ones(30), days, future_of(days, 7), season=6)
    assert not selection.can_backtest(30, 6)
    assert selection.can_backtest(48, 6)


def test_the_default_stays_unless_another_model_wins_clearly() -> None:
    assert _preference({"TSB": 1.00, COMBINATION: 0.97})[0] == "TSB"
    assert _preference({"TSB": 1.00, COMBINATION: 0.90})[0] == COMBINATION
    assert _preference({"TSB": float("inf"), "ADIDA": 0.90})[0] == "ADIDA"
    assert _preference({"TSB": float("nan"), "ADIDA": 2.0})[0] == "ADIDA"
    assert _preference({"ADIDA": 2.0, "IMAPA": 1.0}) == ["IMAPA", "ADIDA"]


# --- No series can fail a forecast ------------------------------------------------------


@pytest.mark.parametrize(
    "name, history",
    [
        ("all zeros", np.zeros(120)),
        ("one huge spike", np.where(np.arange(120) == 60, 80_995.0, 0.0)),
        ("one sale then years of nothing", np.where(np.arange(700) == 3, 5.0, 0.0)),
        ("a gap of a year out of stock", np.r_[np.full(40, 3.0), np.full(300, np.nan), [2.0] * 30]),
        ("the last weeks all unknown", np.r_[np.full(100, 4.0), np.full(60, np.nan)]),
        ("a flat line", np.full(120, 7.0)),
        ("a shop total among units", np.r_[np.full(119, 2.0), [1_234.5]]),
    ],
)
def test_series_made_to_break_models_still_get_a_forecast(name: str, history: np.ndarray) -> None:
    days = weekdays(len(history))
    future = future_of(days, 60)
    made = selection.forecast_series(history, days, future, season=6)
    assert made.units.shape == (len(future),), name
    assert np.all(np.isfinite(made.units)) and np.all(made.units >= 0), name
    check_bands(made)
    for steps in (1, 18, 60):
        demand = made.total(steps)
        assert np.isfinite(demand.quantile(0.95)) and demand.quantile(0.95) >= 0


def test_a_model_that_raises_is_left_out_and_if_all_do_the_recent_average_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    days = weekdays(200)
    history = np.random.default_rng(8).poisson(5, len(days)).astype(float)
    real = models.candidates

    def one_breaks(season: models.Season | None = None) -> dict[str, models.Fit]:
        found = real(season)

        def broken(window: models.Window) -> np.ndarray:
            raise NotImplementedError("tiny datasets")

        found["AutoETS"] = broken
        return found

    monkeypatch.setattr(models, "candidates", one_breaks)
    made = selection.forecast_series(history, days, future_of(days, 14), season=6)
    assert made.skipped == {"AutoETS": "NotImplementedError: tiny datasets"}
    assert "AutoETS" not in made.scores and made.fallback is None

    def all_break(season: models.Season | None = None) -> dict[str, models.Fit]:
        return {name: one_breaks(season)["AutoETS"] for name in real(season)}

    monkeypatch.setattr(models, "candidates", all_break)
    made = selection.forecast_series(history, days, future_of(days, 14), season=6)
    assert made.model == RECENT_AVERAGE
    assert made.fallback is not None and "every model failed" in made.fallback
    assert "TSB: NotImplementedError: tiny datasets" in made.fallback
    assert made.units == pytest.approx(np.full(len(made.units), history[-48:].mean()))


# --- Distributions of lead-time demand --------------------------------------------------


def test_lead_time_demand_ranges_hold_what_they_promise_on_poisson_demand() -> None:
    """Forecast from a year of Poisson(4) days, then draw many futures: the stored 80% and
    95% ranges of the 18-day total must hold about that share of them."""
    rng = np.random.default_rng(9)
    days = weekdays(310)
    made = selection.forecast_series(
        rng.poisson(4, len(days)).astype(float), days, future_of(days, 28), season=6
    )
    totals = rng.poisson(4, size=(4000, 18)).sum(axis=1)
    for method in (distribution.PAST_STRETCHES, distribution.NEGATIVE_BINOMIAL):
        demand = made.total(18, method)
        low, high = demand.quantile(0.1), demand.quantile(0.9)
        assert 0.7 <= np.mean((totals >= low) & (totals <= high)) <= 0.95, method
        low, high = demand.quantile(0.025), demand.quantile(0.975)
        assert 0.9 <= np.mean((totals >= low) & (totals <= high)) <= 0.995, method
    # Conformal over every past origin: also the misses of a smoothed level (wider).
    demand = made.total(18, distribution.EVERY_ORIGIN)
    assert demand.method == distribution.EVERY_ORIGIN
    low, high = demand.quantile(0.1), demand.quantile(0.9)
    assert 0.75 <= np.mean((totals >= low) & (totals <= high)) <= 0.99


def test_past_stretches_are_rescaled_down_as_well_as_up() -> None:
    """Last December's lumpy stretches must not set a quiet February's upper quantile: the
    stretches are divided by the season they sold in, then scaled to the forecast."""
    inputs = DemandInputs(
        history=np.r_[np.full(100, 2.0), np.full(100, 20.0)],
        factors=np.r_[np.full(100, 1.0), np.full(100, 10.0)],
        future_mean=np.full(30, 2.0),
    )
    quiet = distribution.total_demand(inputs, 10, distribution.PAST_STRETCHES)
    assert quiet.mean == pytest.approx(20.0)
    assert quiet.quantile(0.99) < 25  # not the 200 a December stretch sold
    busy = distribution.total_demand(
        DemandInputs(inputs.history, inputs.factors, np.full(30, 20.0)),
        10,
        distribution.PAST_STRETCHES,
    )
    assert busy.quantile(0.5) == pytest.approx(10 * quiet.quantile(0.5))


def test_a_demand_reads_quantiles_shortage_and_ranges_with_no_sale_likeliest() -> None:
    demand = Demand(mean=2.0, values=np.array([0.0] * 70 + [5.0] * 20 + [20.0] * 10), method="x")
    assert demand.quantile(0.5) == 0.0
    assert demand.probability_above(5) == pytest.approx(0.1)
    assert demand.expected_shortage(5) == pytest.approx(0.1 * 15)
    low, high = demand.interval(0.8)
    assert low == 0.0 and high == pytest.approx(5.0)  # [0, q80], not [q10, q90]
    with pytest.raises(ValueError):
        demand.quantile(1.5)
    # The stored grid: the same quantiles, all at once, and a sample good for shortages.
    grid = demand.quantiles(distribution.GRID_LEVELS)
    assert grid == pytest.approx([demand.quantile(level) for level in distribution.GRID_LEVELS])
    assert float(np.mean(np.clip(np.array(grid) - 5, 0, None))) == pytest.approx(1.5, abs=0.1)
    assert Demand(0.0, np.array([]), "x").quantiles((0.1, 0.9)) == (0.0, 0.0)
    with pytest.raises(ValueError):
        demand.quantiles((0.5, 1.5))


def test_weekly_season_and_future_days_follow_the_shops_opening_days() -> None:
    days = weekdays(60)
    assert models.weekly_season(days) == 6
    future = models.future_trading_days(days, pd.Timestamp("2024-06-03"), 14)
    assert len(future) == 12 and 5 not in set(future.dayofweek)
    assert models.weekly_season(pd.DatetimeIndex([])) == 7


def test_run_out_day_is_when_the_forecast_uses_up_the_stock() -> None:
    days = [date(2026, 3, d) for d in range(1, 8)]
    assert run_out_day(10, days, [3, 3, 3, 3, 3, 3, 3]) == date(2026, 3, 4)
    assert run_out_day(9, days, [3, 3, 3, 3, 3, 3, 3]) == date(2026, 3, 3)
    assert run_out_day(100, days, [3] * 7) is None
    assert run_out_day(0, days, [3] * 7) == date(2026, 3, 1)  # out of stock already
    assert run_out_day(5, [], []) is None


def test_prophet_for_comparisons_runs_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(6)
    days = weekdays(420, start="2023-01-02")
    history = rng.poisson(15, len(days)).astype(float)
    future = future_of(days, 14)
    predicted = models.forecast_with(models.PROPHET, history, days, future, holidays_country="GB")
    assert len(predicted) == len(future) and np.all(predicted >= 0)
    captured = capfd.readouterr()
    assert "Yearly seasonality" not in captured.err + captured.out  # no log line per fit
    assert "cmdstanpy" not in captured.err + captured.out


def test_public_holidays_are_closed_days_ahead_only_for_a_shop_that_closed_on_them() -> None:
    import holidays

    days = weekdays(700, start="2023-01-02")  # Monday to Friday and Sunday
    holidays_gb = pd.DatetimeIndex(list(holidays.country_holidays("GB", years=[2023, 2024])))
    closed_on_them = days[~days.isin(holidays_gb)]
    christmas = pd.Timestamp("2024-12-23")
    open_days = models.future_trading_days(closed_on_them, christmas, 14, "GB")
    assert pd.Timestamp("2024-12-25") not in open_days
    assert pd.Timestamp("2024-12-24") in open_days
    # A shop that traded on its past holidays keeps them; no country: no change.
    assert pd.Timestamp("2024-12-25") in models.future_trading_days(days, christmas, 14, "GB")
    assert pd.Timestamp("2024-12-25") in models.future_trading_days(closed_on_them, christmas, 14)


def test_autoets_is_not_asked_to_learn_from_fewer_known_days_than_it_can() -> None:
    """statsforecast's ETS raises NotImplementedError("tiny datasets") on 6 values or fewer:
    a product out of stock on most days of a backtest window has that few known days."""
    autoets = models._statsforecast("AutoETS")
    with pytest.raises(models.TooFewKnownDays, match="AutoETS needs 7 known days, not 5"):
        autoets(np.array([1.0, 0.0, 2.0, 0.0, 1.0]), 5)
    assert np.all(np.isfinite(autoets(np.array([1.0, 0.0, 2.0, 0.0, 1.0, 3.0, 1.0]), 5)))
    days = weekdays(160)
    history = np.full(len(days), np.nan)
    history[::25] = [2.0, 0.0, 1.0, 3.0, 0.0, 2.0, 1.0]  # 7 known days in 160
    made = selection.forecast_series(history, days, future_of(days, 28), season=6)
    assert not any("NotImplementedError" in reason for reason in made.skipped.values())
    assert np.all(np.isfinite(made.units))
