"""The Forecast page under AppTest, on real SQLite files: the demo shop with its forecasts
made once per session, and a small shop that is forecast by clicking the button."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore.forecasting import refresh, views
from stockcore.persistence.db import Database
from tests.support import (
    ONE_PROCESS,
    build_shop,
    one_process_run_tasks,
    open_page,
    picker,
    sqlite_url,
    start,
)

PAGE = "pages/forecast.py"
REFRESH_FIRST = "FormSubmitter:refresh_forecasts_form-Forecast every product"
REFRESH = "FormSubmitter:refresh_forecasts_form-Refresh all forecasts"


@pytest.fixture
def app(forecast_url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page(start(forecast_url, monkeypatch), PAGE)


def test_a_products_forecast_shows_stock_out_date_chart_and_how_it_was_made(app: AppTest) -> None:
    assert not app.error
    picker(app, "fc_product").select("20725").run()  # Lunch Bag Red Retrospot
    assert not app.exception
    assert app.subheader[0].value.startswith("Lunch Bag Red Retrospot")
    labels = [metric.label for metric in app.metric]
    assert labels[:4] == [
        "Forecast, next 56 days",
        "On hand",
        "Projected to run out",
        "Days of cover",
    ]
    assert app.metric[0].value.endswith("units")
    assert len(app.get("vega_lite_chart")) == 1
    explanation = next(m.value for m in app.markdown if "How this forecast was made" in m.value)
    assert "RMSSE" in explanation and "same days of the week before" in explanation
    # What an order needs: demand over the lead time and over lead time + review.
    assert any("Chance of running out before a new order" in m.value for m in app.markdown)
    covers = next(frame.value for frame in app.dataframe if "Over" in frame.value.columns)
    assert list(covers["Over"]) == ["the 14-day lead time", "lead time + review (21 days)"]
    assert (covers["95%"] >= covers["Average"]).all()
    assert (covers["98%"] >= covers["95%"]).all() and (covers["95%"] >= covers["90%"]).all()


def test_a_christmas_product_shows_the_season_it_follows_and_where_it_is(app: AppTest) -> None:
    picker(app, "fc_product").select("22086").run()  # Paper Chain Kit 50's Christmas
    assert not app.exception
    season = next(i.value for i in app.info if "Season." in i.value)
    assert "category Christmas" in season and "peaks around" in season


def test_the_horizon_slider_changes_the_days_shown(app: AppTest) -> None:
    picker(app, "fc_product").select("20725").run()
    app.slider(key="fc_days").set_value(150).run()
    assert not app.exception
    assert app.metric[0].label == "Forecast, next 150 days"


def test_a_category_and_the_whole_shop_are_forecast_on_demand(app: AppTest) -> None:
    app.segmented_control(key="fc_scope").set_value("Category").run()
    app.selectbox(key="fc_category").select("Bags").run()
    assert not app.exception and not app.error
    assert app.subheader[0].value == "Category Bags"
    app.segmented_control(key="fc_scope").set_value("Whole shop").run()
    assert not app.exception
    assert app.subheader[0].value == "The whole shop"
    assert app.metric[0].label.startswith("Forecast, next")


def test_the_catalog_shows_every_products_model_against_seasonal_naive(app: AppTest) -> None:
    table = next(d.value for d in app.dataframe if "naive_mase" in d.value.columns)
    assert len(table) == 60
    assert {"model", "mase", "naive_mase", "wape", "bias", "beats_naive"} <= set(table.columns)
    counts = {m.label: m.value for m in app.metric}
    assert counts["Products forecast"] == "60"
    assert counts["Beat seasonal naive in backtest"].endswith("%")
    fell_back = table[table["fallback"].notna()]
    assert counts["Fell back to a simpler forecast"] == f"{len(fell_back):,}"
    summary = views.summarise_catalog(table)
    assert summary.fell_back == len(fell_back)
    tested = table[table["rmsse"].notna()]
    assert summary.beats_naive == pytest.approx((tested["beats_naive"] == True).mean())  # noqa: E712


def test_forecasting_a_shop_from_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = sqlite_url(tmp_path / "small.db")
    app = start(url, monkeypatch, demo=False)
    db = Database.connect(url)
    build_shop(db)
    open_page(app, PAGE)
    assert "No forecasts yet" in app.info[0].value
    app.button(key=REFRESH_FIRST).click().run()
    assert not app.exception and not app.error
    assert views.forecast_count(db) == 4
    assert "Forecasts made" in app.caption[0].value and "for 4 products" in app.caption[0].value
    app.button(key=REFRESH).click().run()  # and again: replaces them
    assert views.latest_run(db).run_id == 2  # type: ignore[union-attr]


def test_a_refresh_that_finished_in_one_process_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path / "small.db")
    app = start(url, monkeypatch, demo=False)
    build_shop(Database.connect(url))
    open_page(app, PAGE)
    run_tasks = refresh.run_tasks
    monkeypatch.setattr(refresh, "run_tasks", one_process_run_tasks)
    app.button(key=REFRESH_FIRST).click().run()
    assert not app.exception and not app.error
    assert [w.value for w in app.warning] == [ONE_PROCESS]  # after the rerun, by the button
    monkeypatch.setattr(refresh, "run_tasks", run_tasks)
    app.button(key=REFRESH).click().run()  # a refresh that ran as planned: no warning
    assert not app.exception and not app.warning


def test_forecasting_an_empty_shop_is_refused_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_page(start(sqlite_url(tmp_path / "empty.db"), monkeypatch, demo=False), PAGE)
    app.button(key=REFRESH_FIRST).click().run()
    assert not app.exception
    assert "no sales history" in app.error[0].value
    # ... in sight, not folded away in the status box that says "Forecasts not refreshed".
    [status] = app.get("status")
    assert status.label == "Forecasts not refreshed" and status.proto.expanded


def test_the_holiday_country_is_checked_in_settings(app: AppTest) -> None:
    open_page(app, "pages/settings.py")
    app.text_input(key="settings_holiday_country").input("XX")
    app.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert "Holiday country" in app.error[0].value and "XX" in app.error[0].value
    app.text_input(key="settings_holiday_country").input("gb")
    app.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert not app.error
    assert app.text_input(key="settings_holiday_country").value == "GB"
