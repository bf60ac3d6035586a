"""The Backtest page under AppTest, and its chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore.interfaces import charts
from stockcore.persistence.db import Database
from stockcore.replenishment import backtest
from tests.support import build_shop, open_page, sqlite_url, start

PAGE = "pages/backtest.py"
RUN = "FormSubmitter:backtest_form-Run backtest"


def backtest_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The Backtest page, signed in, on a new shop with `build_shop`'s history."""
    url = sqlite_url(tmp_path / "shop.db")
    app = start(url, monkeypatch, demo=False)
    build_shop(Database.connect(url))
    return open_page(app, PAGE)


def test_running_a_backtest_shows_the_trade_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = backtest_page(tmp_path, monkeypatch)
    assert "run the backtest" in app.info[0].value
    app.slider(key="bt_days").set_value(28)
    app.number_input(key="bt_products").set_value(3)
    app.button(key=RUN).click().run()
    assert not app.exception and not app.error
    assert app.subheader[0].value == "3 products, the last 28 days"
    table = next(d.value for d in app.dataframe if "fill_rate" in d.value.columns)
    # the seed's rule, 8 min/max factors, 5 targets, perfect foresight
    assert len(table) == 1 + len(backtest.FACTORS) + len(backtest.TARGETS) + 1
    assert set(table["policy"]) == {
        backtest.STATIC,
        backtest.MINMAX,
        backtest.STOCKCORE,
        backtest.LIMIT,
    }
    # The service level checked beside each stockcore row, and only there.
    ours = table[table["policy"] == backtest.STOCKCORE]["weeks_short"]
    assert ours.notna().all() and ours.between(0, 1).all()
    assert table[table["policy"] != backtest.STOCKCORE]["weeks_short"].isna().all()
    charts_shown = app.get("vega_lite_chart")
    assert len(charts_shown) == 2  # the frontier and the calibration
    assert "honest" in app.subheader[1].value


def test_a_backtest_is_forgotten_once_the_shop_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = backtest_page(tmp_path, monkeypatch)
    app.slider(key="bt_days").set_value(28)
    app.number_input(key="bt_products").set_value(3)
    app.button(key=RUN).click().run()
    assert app.subheader[0].value == "3 products, the last 28 days"
    open_page(app, "pages/settings.py")
    app.text_input(key="erase_confirmation").input("ERASE")
    app.button(key="FormSubmitter:erase_form-Erase everything and start empty").click().run()
    assert not app.exception
    open_page(app, PAGE)  # the erased shop's replay is not shown as if it were this one's
    assert not app.subheader and "run the backtest" in app.info[0].value


def test_a_backtest_without_enough_history_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = backtest_page(tmp_path, monkeypatch)
    app.slider(key="bt_days").set_value(364)
    app.button(key=RUN).click().run()
    assert not app.exception
    assert "history to replay" in app.error[0].value


def test_frontier_and_calibration_charts() -> None:
    outcome = backtest.PolicyOutcome
    frame = backtest.outcomes_frame(
        [
            outcome(backtest.MINMAX, "x1", None, 0.8, 10, 100.0, 250.0, 5, 1.0),
            outcome(backtest.MINMAX, "x2", None, 0.9, 5, 150.0, 375.0, 5, 1.0),
            outcome(backtest.STOCKCORE, "95%", 0.95, 0.95, 2, 90.0, 225.0, 7, 1.4),
            outcome(backtest.LIMIT, "periodic", None, 1.0, 0, 40.0, 100.0, 9, 1.8),
        ]
    )
    spec = charts.policy_frontier(frame).to_dict()
    rules, foresight = spec["layer"]
    assert rules["mark"]["type"] == "line" and foresight["mark"]["shape"] == "diamond"
    assert rules["encoding"]["x"]["field"] == "avg_inventory_value"
    assert rules["encoding"]["y"]["field"] == "fill_rate"
    assert len(rules["encoding"]["tooltip"]) == 6
    shown = spec["datasets"]
    assert sum(len(rows) for rows in shown.values()) == 4  # 3 rule points, 1 limit
    calibration = backtest.calibration_frame([(0.05, False), (0.05, True), (0.5, True)])
    spec = charts.calibration(calibration).to_dict()
    diagonal, points = spec["layer"]
    assert diagonal["mark"]["strokeDash"] == [4, 4]
    assert points["encoding"]["y"]["field"] == "happened"
