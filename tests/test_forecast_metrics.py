"""Accuracy measures and backtest windows, on series whose answers are known by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from stockcore.forecasting.metrics import (
    bias,
    mase,
    naive_scale,
    rolling_origins,
    seasonal_naive,
    wape,
)

NAN = math.nan


def test_wape_and_bias_count_units() -> None:
    assert wape([10, 0, 10], [8, 2, 10]) == pytest.approx(4 / 20)
    assert bias([10, 0, 10], [8, 2, 10]) == 0.0
    assert bias([10, 10], [15, 15]) == pytest.approx(0.5)  # over-forecasting is positive
    assert wape([0, 0], [0, 0]) == 0.0 and wape([0, 0], [1, 0]) == math.inf


def test_missing_days_are_left_out_of_every_measure() -> None:
    assert wape([10, NAN, 10], [10, 99, 0]) == pytest.approx(10 / 20)
    assert bias([NAN, 4], [7, 4]) == 0.0


def test_mase_is_one_for_a_forecast_as_good_as_last_week() -> None:
    history = [1, 2, 3, 1, 2, 3, 1, 2, 5]  # season 3: in-sample naive errors 0,0,0,0,0,2
    assert naive_scale(history, 3) == pytest.approx(2 / 6)
    assert mase([1, 2, 3], [1, 2, 3], history, 3) == 0.0
    assert mase([1, 2, 3], [2, 2, 3], history, 3) == pytest.approx((1 / 3) / (2 / 6))


def test_mase_ignores_stock_out_days_in_sample() -> None:
    # The NaN day pairs with nothing; the remaining differences are |3-1| and |5-3|.
    assert naive_scale([1, NAN, 3, NAN, 5], 2) == pytest.approx(2.0)
    assert math.isnan(mase([1], [1], [1, 2], 7))  # too short to scale
    assert mase([2], [3], [2, 2, 2, 2], 1) == math.inf  # flat history, wrong forecast


def test_seasonal_naive_repeats_the_last_season() -> None:
    assert seasonal_naive([9, 9, 1, 2, 3], 7, 3).tolist() == [1, 2, 3, 1, 2, 3, 1]
    assert seasonal_naive([1, NAN, 3], 3, 3).tolist() == [1, 2, 3]  # a gap takes the mean
    assert seasonal_naive([], 2, 7).tolist() == [0, 0]
    assert np.all(seasonal_naive([NAN, NAN], 2, 7) == 0)


def test_rolling_origins_step_back_from_the_end() -> None:
    assert rolling_origins(100, 28, 3, minimum_history=14) == [16, 44, 72]
    assert rolling_origins(100, 28, 3, minimum_history=40) == [44, 72]
    assert rolling_origins(30, 28, 3, minimum_history=14) == []
    with pytest.raises(ValueError):
        rolling_origins(100, 0, 3, minimum_history=1)


def test_rmsse_matches_utilsforecast_and_a_zero_forecast_cannot_win_on_sparse_demand() -> None:
    import pandas as pd
    from utilsforecast.losses import rmsse as nixtla_rmsse

    from stockcore.forecasting.metrics import rmsse

    history = np.array([0, 0, 3, 0, 0, 5, 0, 2, 0, 0, 4, 0], dtype=float)
    actual = np.array([0, 3, 0, 0, 4, 0, 0], dtype=float)
    mean_forecast = np.full(7, actual.mean())
    ours = rmsse(actual, mean_forecast, history)
    frame = pd.DataFrame({"unique_id": "a", "ds": range(7), "y": actual, "model": mean_forecast})
    train = pd.DataFrame({"unique_id": "a", "ds": range(-10, 0), "y": history[2:]})
    theirs = nixtla_rmsse(frame, models=["model"], seasonality=1, train_df=train)["model"].iloc[0]
    assert ours == pytest.approx(theirs)
    assert rmsse(actual, np.zeros(7), history) > ours  # silence loses to the mean
    assert math.isnan(rmsse(actual, mean_forecast, [0, 0, 0]))


def test_pinball_and_coverage() -> None:
    from stockcore.forecasting.metrics import coverage, pinball

    # Under-forecasting by 10 at the 0.9 quantile costs 9; over-forecasting by 10 costs 1.
    assert pinball([20], [10], 0.9) == pytest.approx(9.0)
    assert pinball([0], [10], 0.9) == pytest.approx(1.0)
    assert coverage([1, 5, NAN, 9], [0, 0, 0, 0], [4, 5, 5, 5]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        pinball([1], [1], 1.0)
