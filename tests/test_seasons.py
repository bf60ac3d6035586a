"""The demo's Christmas products through the year: forecast from history that ends on
1 December, in late January and in mid-September, as an owner would refresh them then.
They must follow their category's season both ways (up before Christmas, down after),
not carry December into January or a quiet summer into November."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from stockcore import inventory
from stockcore.forecasting import refresh, views
from stockcore.inventory import HistoryLine
from stockcore.inventory.demo import DEMO_SALES, SALES_COLUMNS, _rows, read_demo_products
from stockcore.persistence.db import Database
from stockcore.replenishment import levels, plan
from stockcore.replenishment.lines import ReorderLine

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
    inventory.seed_shop(
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


def reorder_lines(db: Database, today: date) -> dict[str, ReorderLine]:
    """The reorder list on `today`, every reorder point checked against the top of the
    stored range of demand over lead time + review (the 99.5% quantile), stretched by the
    latest delivery the lead time's spread allows for (its 90% quantile)."""
    lines = {line.product_id: line for line in plan.reorder_plan(db, today=today)}
    grids = views.lead_time_grids(db)
    for product_id, line in lines.items():
        late = 1 + 1.2816 * (line.lead_time_sd_days or 0) / line.lead_time_days
        top = grids[product_id]["lead+review"][-1] * late
        assert line.reorder_point <= top + 1e-6, product_id
    return lines


def test_on_1_december_the_forecast_drops_after_christmas(sqlite_db: Database) -> None:
    christmas_shop(sqlite_db, date(2011, 12, 1))
    refreshed(sqlite_db, date(2011, 12, 1))
    for product_id in SEASONAL:
        months = monthly(sqlite_db, product_id, date(2011, 12, 1))
        assert months[1] < 0.25 * months[12], product_id  # January: a fraction of December
        phase = views.product_forecast(sqlite_db, product_id, days=7, today=date(2011, 12, 1))
        assert phase.model is not None and phase.model.season == "category Christmas"
        assert "falling" in (phase.model.season_phase or "")
    # An order placed on 1 December arrives after the peak (21 days, give or take 4): it
    # is sized for what sells after it arrives, never for December, and says so.
    lines = reorder_lines(sqlite_db, date(2011, 12, 1))
    for product_id in SEASONAL:
        line = lines[product_id]
        assert line.season is not None and line.season.ended, product_id
        assert "Season ends" in line.explain()
        assert line.season.last_order < date(2011, 12, 1)
        # Never more than the top of the range of what sells in the week after it arrives.
        grid = views.lead_time_grids(sqlite_db)[product_id]
        week = levels.Cover.from_quantiles(grid["lead"], grid["lead+review"]).review.max()
        most = levels.round_order(week, minimum=line.min_order_quantity, pack_size=line.pack_size)
        assert line.suggested_quantity <= most, product_id
        assert line.suggested_quantity < line.lead_time_demand, product_id


def test_in_late_january_december_is_not_carried_forward(sqlite_db: Database) -> None:
    christmas_shop(sqlite_db, date(2011, 1, 26))
    refreshed(sqlite_db, date(2011, 1, 26))
    for product_id in SEASONAL:
        history = views.product_forecast(sqlite_db, product_id, days=1, today=date(2011, 1, 26))
        december = history.history.set_index("day")["units"]["2010-12-01":"2010-12-20"].mean()
        months = monthly(sqlite_db, product_id, date(2011, 1, 26))
        assert months[2] < 0.2 * december, product_id
    # Nothing seasonal to say, and no order sized on December's sales.
    lines = reorder_lines(sqlite_db, date(2011, 1, 26))
    for product_id in SEASONAL:
        line = lines[product_id]
        assert line.season is None or not line.season.ended, product_id
        assert line.suggested_quantity <= max(
            3 * (line.lead_time_demand + line.review_demand), line.min_order_quantity + 24
        ), product_id


@pytest.mark.parametrize("product_id", SEASONAL)
def test_in_september_the_forecast_rises_towards_november(
    sqlite_db: Database, product_id: str
) -> None:
    christmas_shop(sqlite_db, date(2011, 9, 16))
    refreshed(sqlite_db, date(2011, 9, 16))
    months = monthly(sqlite_db, product_id, date(2011, 9, 16))
    assert months[11] > 1.5 * months[9]
    assert months[1] < 0.3 * months[11]
    # The peak is ahead: the line gives the last day an order arrives in time for it.
    line = reorder_lines(sqlite_db, date(2011, 9, 16))[product_id]
    assert line.season is not None and not line.season.ended
    assert date(2011, 11, 1) <= line.season.peak <= date(2011, 12, 24)
    assert line.season.last_order == line.season.peak - timedelta(days=line.lead_time_days)
    assert "last sensible order" in line.explain()
