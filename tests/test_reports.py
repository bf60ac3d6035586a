"""Sales summaries and overview numbers, computed in SQL on both backends."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from stockcore import inventory
from stockcore.domain import Product
from stockcore.inventory import HistoryLine, reports, shop_sales
from stockcore.persistence.db import Database
from tests.support import FixedClock


@pytest.fixture
def shop(db: Database) -> Database:
    inventory.add_product(
        db,
        Product.create(
            "1",
            "Red Mug",
            category="Kitchen",
            unit_price="2.50",
            unit_cost="1.00",
            quantity=10,
            restock_threshold=4,
        ),
    )
    inventory.add_product(
        db,
        Product.create(
            "2", "Tote Bag", category="Bags", unit_price="4.00", quantity=3, restock_threshold=5
        ),
    )
    inventory.add_product(
        db,
        Product.create(
            "3", "Tea Towel", category="Kitchen", unit_price="3.00", quantity=0, restock_threshold=0
        ),
    )
    inventory.record_history(
        db,
        [
            HistoryLine(date(2026, 2, 23), "1", 4, Decimal("2.50")),  # Monday, week of 23 Feb
            HistoryLine(date(2026, 2, 28), "2", 1, Decimal("4.00")),  # Saturday, same week
            HistoryLine(date(2026, 3, 1), "1", 2, Decimal("2.00")),  # Sunday: discounted price
            HistoryLine(date(2026, 3, 1), "3", 3, Decimal("3.00")),
        ],
    )
    return db


def test_sales_summary_per_product_category_and_period(shop: Database, clock: FixedClock) -> None:
    inventory.purchase(shop, "1", 2, clock=clock)  # 2026-03-02, a Monday
    summary = reports.sales_summary(shop, date(2026, 2, 1), date(2026, 3, 31), "week")

    assert (summary.units, summary.revenue, summary.sale_lines) == (12, Decimal("32.00"), 5)
    assert summary.by_product[["product_id", "units", "revenue"]].values.tolist() == [
        ["1", 8, 19.0],
        ["3", 3, 9.0],
        ["2", 1, 4.0],
    ]
    assert summary.by_category[["category", "units", "revenue"]].values.tolist() == [
        ["Kitchen", 11, 28.0],
        ["Bags", 1, 4.0],
    ]
    weekly = summary.trend.groupby("period_start")[["units", "revenue"]].sum()
    assert weekly.index.strftime("%Y-%m-%d").tolist() == ["2026-02-23", "2026-03-02"]
    assert weekly["units"].tolist() == [10, 2]
    assert weekly["revenue"].tolist() == [27.0, 5.0]

    monthly = reports.sales_summary(shop, date(2026, 2, 1), date(2026, 3, 31), "month").trend
    assert monthly.groupby("period_start")["revenue"].sum().tolist() == [14.0, 18.0]
    daily = reports.sales_summary(shop, date(2026, 3, 1), date(2026, 3, 1), "day")
    assert (daily.units, daily.revenue) == (5, Decimal("13.00"))


def test_a_recorded_shop_total_is_the_days_revenue_in_the_summary_and_trend(
    shop: Database,
) -> None:
    """A day with a recorded shop total (a date-and-sales file, the API's add-sales-data)
    counts that total, as recorded, instead of its sale lines; a day with a total and no
    lines is not "no sales"; the product and category tables keep counting lines."""
    today = lambda: datetime(2026, 3, 31, 12)  # noqa: E731
    shop_sales.add_sales_data(shop, "2026-03-01", "1234.50", clock=today)  # has lines (13.00)
    shop_sales.add_sales_data(shop, "2026-03-10", "99.99", clock=today)  # has none

    summary = reports.sales_summary(shop, date(2026, 2, 1), date(2026, 3, 31), "day")
    assert summary.recorded_days == 2 and not summary.empty
    assert summary.revenue == Decimal("14.00") + Decimal("1234.50") + Decimal("99.99")
    assert summary.sale_lines == 4 and summary.units == 10  # lines only
    assert summary.by_product["revenue"].sum() == 27.0
    days = summary.trend.groupby(summary.trend["period_start"].dt.strftime("%m-%d"))
    revenue = days["revenue"].sum().to_dict()
    assert revenue == {"02-23": 10.0, "02-28": 4.0, "03-01": 1234.5, "03-10": 99.99}
    recorded = summary.trend[summary.trend["category"] == reports.RECORDED_TOTAL]
    assert recorded["units"].tolist() == [5, 0]  # the day's units sold are kept

    only_total = reports.sales_summary(shop, date(2026, 3, 10), date(2026, 3, 10))
    assert (only_total.sale_lines, only_total.recorded_days, only_total.empty) == (0, 1, False)
    assert only_total.revenue == Decimal("99.99")
    nothing = reports.sales_summary(shop, date(2026, 3, 11), date(2026, 3, 12))
    assert nothing.empty and nothing.revenue == 0


def test_an_empty_range_has_zero_totals_and_empty_tables(shop: Database) -> None:
    summary = reports.sales_summary(shop, date(2020, 1, 1), date(2020, 1, 31))
    assert (summary.units, summary.revenue, summary.sale_lines) == (0, Decimal("0.00"), 0)
    assert summary.by_product.empty and summary.trend.empty


def test_overview_counts_stock_value_and_recent_revenue(shop: Database) -> None:
    overview = reports.overview(shop, date(2026, 3, 1))
    assert overview.products == 3
    assert overview.units_in_stock == 13
    assert overview.stock_value == Decimal("22.00")  # 10 x cost 1.00 + 3 x price 4.00
    assert (overview.below_threshold, overview.out_of_stock) == (1, 1)
    assert overview.revenue_last_30_days == Decimal("27.00")  # the four history lines
    assert reports.sales_date_bounds(shop) == (date(2026, 2, 23), date(2026, 3, 1))


def test_closest_to_running_out_lists_lowest_stock_against_threshold_first(shop: Database) -> None:
    frame = reports.closest_to_running_out(shop, 10)
    assert frame["product_id"].tolist() == ["2", "1"]  # 3/5 then 10/4; no threshold: left out
    assert frame["status"].tolist() == ["below threshold", "ok"]


def test_history_does_not_touch_stock_or_the_ledger(shop: Database) -> None:
    assert reports.get_product(shop, "1").quantity == 10  # type: ignore[union-attr]
    assert reports.ledger_mismatches(shop) == []
    assert reports.movements(shop, "1")["kind"].tolist() == ["opening"]


def test_alerts_are_listed_most_urgent_first(db: Database, clock: FixedClock) -> None:
    for pid, quantity, threshold in [("a", 3, 4), ("b", 0, 10), ("c", 1, 10), ("d", 5, 20)]:
        inventory.add_product(
            db,
            Product.create(
                pid, pid.upper(), unit_price="1", quantity=quantity, restock_threshold=threshold
            ),
            clock=clock,
        )
    assert [a.product_id for a in reports.active_alerts(db)] == ["b", "c", "d", "a"]
    assert reports.alerts_frame(reports.active_alerts(db))["short_by"].tolist() == [10, 9, 15, 1]


def test_sold_at_keeps_the_time_and_sold_on_the_day(shop: Database) -> None:
    clock = FixedClock(datetime(2026, 3, 3, 23, 59, 30))
    inventory.purchase(shop, "1", 1, clock=clock)
    assert reports.sales_summary(shop, date(2026, 3, 3), date(2026, 3, 3)).units == 1


@pytest.mark.parametrize(
    ("period", "start", "end", "today", "partial"),
    [
        # A week range cut mid-week at both ends; today is long after.
        ("week", date(2026, 1, 7), date(2026, 1, 21), date(2026, 6, 1), [True, False, True]),
        # The range ends on a Sunday, before today: every week whole.
        ("week", date(2026, 1, 5), date(2026, 1, 25), date(2026, 6, 1), [False, False, False]),
        # Today is still selling: its day is "so far", yesterday is whole.
        ("day", date(2026, 1, 19), date(2026, 1, 21), date(2026, 1, 21), [False, False, True]),
        # A month holding today.
        ("month", date(2025, 11, 1), date(2026, 1, 21), date(2026, 1, 21), [False, False, True]),
    ],
)
def test_partial_periods_are_the_ones_the_range_or_today_cuts_short(
    period: reports.Period, start: date, end: date, today: date, partial: list[bool]
) -> None:
    days = pd.Series(pd.date_range(start, end))
    starts = reports.period_starts(days, period).drop_duplicates()
    flags = reports.partial_periods(starts, period, start=start, end=end, today=today)
    assert flags.tolist() == partial
