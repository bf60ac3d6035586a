"""The demo's Christmas products through the year: forecast from history that ends on
1 December, in late January and in mid-September, as an owner would refresh them then.
They must follow their category's season both ways (up before Christmas, down after),
not carry December into January or a quiet summer into November."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from stockcore import services
from stockcore.db import Database
from stockcore.demo import DEMO_SALES, SALES_COLUMNS, _rows, read_demo_products
from stockcore.forecasting import refresh, views
from stockcore.services import HistoryLine

SEASONAL = ("21098", "22086", "85048")  # toilet roll, paper chains, glass ball lights


def christmas_shop(db: Database, ends: date) -> None:
    products = [p for p in read_demo_products() if p.category == "Christmas"]
    ids = {p.product_id for p in products}
    lines = [
        HistoryLine(
            date.fromisoformat(row["date"]),
            row["product_id"],
            int(row["quantity"]),
            Decimal(row["unit_price"]),
        )
        for _, row in _rows(DEMO_SALES, SALES_COLUMNS)
        if row["product_id"] in ids
        and date.fromisoformat(row["date"]) < ends
        and int(row["quantity"]) > 0
    ]
    services.seed_shop(
        db,
        products,
        lines,
        currency_symbol="£",
        shop_name="Xmas",
        clock=lambda: datetime(2009, 11, 1),
    )


def monthly(db: Database, product_id: str, today: date) -> pd.Series:
    view = views.product_forecast(db, product_id, days=120, today=today)
    forecast = view.forecast.set_index("day")["predicted_units"]
    return forecast.groupby(forecast.index.month).mean()


def refreshed(db: Database, today: date) -> None:
    clock = lambda: datetime(today.year, today.month, today.day, 9)  # noqa: E731
    summary = refresh.refresh_forecasts(db, horizon_days=120, workers=1, clock=clock)
    assert summary.products == 4


def test_on_1_december_the_forecast_drops_after_christmas(sqlite_db: Database) -> None:
    christmas_shop(sqlite_db, date(2011, 12, 1))
    refreshed(sqlite_db, date(2011, 12, 1))
    for product_id in SEASONAL:
        months = monthly(sqlite_db, product_id, date(2011, 12, 1))
        assert months[1] < 0.25 * months[12], product_id  # January: a fraction of December
        phase = views.product_forecast(sqlite_db, product_id, days=7, today=date(2011, 12, 1))
        assert phase.model is not None and phase.model.season == "category Christmas"
        assert "falling" in (phase.model.season_phase or "")


def test_in_late_january_december_is_not_carried_forward(sqlite_db: Database) -> None:
    christmas_shop(sqlite_db, date(2011, 1, 26))
    refreshed(sqlite_db, date(2011, 1, 26))
    for product_id in SEASONAL:
        history = views.product_forecast(sqlite_db, product_id, days=1, today=date(2011, 1, 26))
        december = history.history.set_index("day")["units"]["2010-12-01":"2010-12-20"].mean()
        months = monthly(sqlite_db, product_id, date(2011, 1, 26))
        assert months[2] < 0.2 * december, product_id


@pytest.mark.parametrize("product_id", SEASONAL)
def test_in_september_the_forecast_rises_towards_november(
    sqlite_db: Database, product_id: str
) -> None:
    christmas_shop(sqlite_db, date(2011, 9, 16))
    refreshed(sqlite_db, date(2011, 9, 16))
    months = monthly(sqlite_db, product_id, date(2011, 9, 16))
    assert months[11] > 1.5 * months[9]
    assert months[1] < 0.3 * months[11]
