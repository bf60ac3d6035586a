"""The Backtest page under AppTest, and its chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockcore import charts
from stockcore.db import Database
from stockcore.replenishment import backtest
from tests.conftest import sqlite_url
from tests.test_forecasts import build_shop
from tests.test_pages import open_page, start

PAGE = "pages/backtest.py"
RUN = "FormSubmitter:backtest_form-Run backtest"


def test_running_a_backtest_shows_the_trade_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path / "shop.db")
    app = start(url, monkeypatch, demo=False)
    build_shop(Database.connect(url))
    open_page(app, PAGE)
    assert "run the backtest" in app.info[0].value
    app.slider(key="bt_days").set_value(28)
    app.number_input(key="bt_products").set_value(3)
    app.button(key=RUN).click().run()
    assert not app.exception and not app.error
    assert app.subheader[0].value == "3 products, the last 28 days"
    table = next(d.value for d in app.dataframe if "fill_rate" in d.value.columns)
    assert len(table) == 8  # 4 static settings, 4 targets
    assert app.get("arrow_vega_lite_chart") or app.get("vega_lite_chart")


def test_a_backtest_without_enough_history_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path / "shop.db")
    app = start(url, monkeypatch, demo=False)
    build_shop(Database.connect(url))
    open_page(app, PAGE)
    app.slider(key="bt_days").set_value(364)
    app.button(key=RUN).click().run()
    assert not app.exception
    assert "history to replay" in app.error[0].value


def test_trade_off_chart_has_lines_points_and_tooltips() -> None:
    frame = backtest.outcomes_frame(
        [
            backtest.PolicyOutcome("static threshold x1", None, 0.8, 10, 100.0, 250.0, 5),
            backtest.PolicyOutcome("forecast", 0.95, 0.96, 2, 90.0, 225.0, 7),
        ]
    )
    assert list(frame["family"]) == ["static threshold", "forecast"]
    assert list(frame["setting"]) == ["x1", "95% target"]
    spec = charts.policy_tradeoff(frame).to_dict()
    lines, points = spec["layer"]
    assert lines["mark"]["type"] == "line" and points["mark"]["type"] == "point"
    encoding = spec.get("encoding") or points["encoding"]
    assert encoding["x"]["field"] == "avg_inventory_units"
    assert encoding["y"]["field"] == "fill_rate"
    assert len(encoding["tooltip"]) == 7
