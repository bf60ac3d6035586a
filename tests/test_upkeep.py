"""Forecasts kept fresh on their own: when a refresh is due, and the dashboard's background
refresh (a real thread, a real SQLite file) that fills the pages in without a click."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stockcore import inventory
from stockcore.domain import Product
from stockcore.forecasting import views
from stockcore.persistence.db import Database, upgrade
from stockcore.replenishment import upkeep
from tests.support import DAYS, build_shop, open_page, sqlite_url, start

NOW = datetime.combine(DAYS[-1] + timedelta(days=1), datetime.min.time()) + timedelta(hours=9)


def later(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def test_no_sales_no_refresh_then_due_until_a_refresh_then_a_day_after_a_change(
    db: Database,
) -> None:
    assert not upkeep.freshness(db, clock=lambda: NOW).due  # nothing to learn from yet
    build_shop(db)
    first = upkeep.freshness(db, clock=lambda: NOW)
    assert first.due and first.reason == "no forecasts yet"

    done = upkeep.refresh_if_due(db, workers=1, clock=lambda: NOW)
    assert done.refreshed is not None and done.refreshed.products >= 4
    assert not upkeep.freshness(db, clock=lambda: later(72)).due  # same data: never due

    inventory.add_product(  # the data changed
        db, Product.create("JAR", "Jar", unit_price="1.00", quantity=3), clock=lambda: later(1)
    )
    soon = upkeep.freshness(db, clock=lambda: later(2))
    assert not soon.due and "once they are a day old" in soon.reason
    stale = upkeep.freshness(db, clock=lambda: later(25))
    assert stale.due and "changed" in stale.reason
    assert upkeep.refresh_if_due(db, workers=1, clock=lambda: later(2)).refreshed is None


def test_every_refresh_records_what_it_read(db: Database) -> None:
    build_shop(db)
    upkeep.refresh_forecasts_and_alerts(db, horizon_days=7, workers=1, clock=lambda: NOW)
    assert not upkeep.freshness(db, clock=lambda: later(48)).due


@pytest.fixture
def shop_url(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path / "shop.db")
    db = Database.connect(url)
    upgrade(db)
    build_shop(db)
    db.dispose()
    return url


def test_the_dashboard_makes_due_forecasts_in_the_background_and_the_pages_fill_in(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start(shop_url, monkeypatch, demo=False)
    monkeypatch.setenv("STOCKCORE_AUTO_REFRESH", "1")
    db = Database.connect(shop_url)
    assert views.latest_run(db) is None
    open_page(app, "pages/forecast.py")  # this run starts the job; the page does not wait
    assert not app.exception
    notes = [i.value for i in app.info] + [c.value for c in app.sidebar.caption]
    assert any("in the background" in note for note in notes), notes
    deadline = time.monotonic() + 180
    while views.latest_run(db) is None and time.monotonic() < deadline:
        time.sleep(1)
    assert views.latest_run(db) is not None, "the background refresh never finished"
    time.sleep(2)  # the job's last step (clearing the caches) runs after the store
    open_page(app, "pages/forecast.py")
    assert app.caption[0].value.startswith("Forecasts made"), [c.value for c in app.caption]
    assert not upkeep.freshness(db).due
