"""Daily demand history: stock-out days are missing demand; closed days are not days."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from stockcore import inventory
from stockcore.domain import Product
from stockcore.forecasting import history as demand
from stockcore.inventory import HistoryLine
from stockcore.persistence.db import Database
from tests.support import FixedClock

ONE = Decimal("1.00")


def at(day: int, hour: int = 10) -> FixedClock:
    return FixedClock(datetime(2026, 3, day, hour))  # 2026-03-02 is a Monday


def units(frame: pd.DataFrame, product_id: str) -> dict[str, float]:
    rows = frame[frame["product_id"] == product_id]
    return dict(zip(rows["day"].dt.strftime("%m-%d"), rows["units"], strict=True))


def test_days_without_stock_are_missing_demand_not_zero(db: Database) -> None:
    inventory.add_product(
        db, Product.create("A", "Mug", unit_price="2", quantity=3), clock=at(2, 8)
    )
    inventory.add_product(
        db, Product.create("B", "Bag", unit_price="2", quantity=50), clock=at(2, 8)
    )
    inventory.purchase(db, "A", 3, clock=at(2))  # A sells out on Monday
    for day in (2, 3, 4, 5, 6):  # B sells every weekday, so the shop traded each day
        inventory.purchase(db, "B", 1, clock=at(day))
    inventory.receive_stock(db, "A", 10, clock=at(5, 9))  # A is back on Thursday
    inventory.purchase(db, "A", 2, clock=at(6))

    history = demand.daily_demand(db)
    a = units(history, "A")
    assert a["03-02"] == 3 and a["03-06"] == 2
    assert math.isnan(a["03-03"]) and math.isnan(a["03-04"])  # out of stock: unknown demand
    assert a["03-05"] == 0  # in stock again and nobody bought: a real zero
    assert history.loc[history["product_id"] == "A", "stocked_out"].tolist() == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert units(history, "B") == {f"03-0{d}": 1.0 for d in (2, 3, 4, 5, 6)}
    # The shop's total counts what the products in stock sold; A's missing days add nothing.
    assert demand.shop_demand(db)["units"].tolist() == [4.0, 1.0, 1.0, 1.0, 3.0]


def test_days_the_shop_did_not_trade_are_left_out(db: Database) -> None:
    inventory.add_product(db, Product.create("A", "Mug", unit_price="2"))
    inventory.record_history(
        db,
        [
            HistoryLine(date(2026, 3, 6), "A", 2, Decimal("2.00")),  # Friday
            HistoryLine(
                date(2026, 3, 9), "A", 1, Decimal("2.00")
            ),  # Monday; the weekend was closed
        ],
    )
    days = demand.trading_days(db)
    assert [d.strftime("%a %d") for d in days] == ["Fri 06", "Mon 09"]
    assert units(demand.daily_demand(db), "A") == {"03-06": 2.0, "03-09": 1.0}


def test_history_without_a_ledger_counts_quiet_days_as_zero(db: Database) -> None:
    for pid in ("A", "B"):
        inventory.add_product(db, Product.create(pid, pid, unit_price="1"), clock=at(20))
    inventory.record_history(
        db,
        [HistoryLine(date(2026, 3, d), "B", 1, ONE) for d in (2, 3, 4)]
        + [HistoryLine(date(2026, 3, 2), "A", 5, ONE)],
    )
    # A's stock before its first ledger row is unknown: its quiet days count as no demand.
    assert units(demand.daily_demand(db), "A") == {"03-02": 5.0, "03-03": 0.0, "03-04": 0.0}


def test_category_and_shop_totals(db: Database) -> None:
    inventory.add_product(db, Product.create("A", "Mug", category="Kitchen", unit_price="1"))
    inventory.add_product(db, Product.create("B", "Pan", category="Kitchen", unit_price="1"))
    inventory.add_product(db, Product.create("C", "Bag", category="Bags", unit_price="1"))
    inventory.record_history(
        db,
        [
            HistoryLine(date(2026, 3, 2), "A", 2, ONE),
            HistoryLine(date(2026, 3, 2), "B", 3, ONE),
            HistoryLine(date(2026, 3, 3), "C", 4, ONE),
        ],
    )
    kitchen = demand.category_demand(db, "Kitchen")
    assert kitchen["units"].tolist() == [5.0, 0.0]
    assert demand.shop_demand(db)["units"].tolist() == [5.0, 4.0]
    assert demand.category_demand(db, "Nothing").empty


def test_the_demo_shop_history_has_gaps_for_closed_days_and_none_invented(demo_url: str) -> None:
    db = Database.connect(demo_url)
    history = demand.daily_demand(db, ["85123A"])
    assert len(history) > 500 and history["units"].notna().all()
    days = demand.trading_days(db)
    assert len(days) < (days[-1] - days[0]).days * 0.9  # closed days are not in the calendar
    db.dispose()
