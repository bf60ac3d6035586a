"""Refreshing, storing and reading forecasts, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
import sys
import threading
import types
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from stockcore import imports, inventory
from stockcore.domain import InvalidValue, Product, UnknownProduct
from stockcore.forecasting import distribution, refresh, views, workers
from stockcore.inventory import HistoryLine
from stockcore.persistence import backup
from stockcore.persistence.db import Database, upgrade
from stockcore.persistence.models import (
    ForecastModelRow,
    ForecastRunRow,
    LeadTimeDemandRow,
    PredictionRow,
)
from stockcore.replenishment import plan
from tests.support import (
    DAYS,
    ONE_PROCESS,
    PRICE,
    TRADING_DAYS,
    FixedClock,
    build_shop,
    one_process_run_tasks,
    sqlite_url,
)

DATA = Path(__file__).parent / "data"


TODAY = DAYS[-1] + timedelta(days=1)
CLOCK = FixedClock(datetime.combine(TODAY, datetime.min.time()).replace(hour=9))


def stored(db: Database) -> pd.DataFrame:
    return views.export_forecasts(db)


def test_a_refresh_forecasts_every_product_and_stores_its_model_and_accuracy(db: Database) -> None:
    build_shop(db)
    summary = refresh.refresh_forecasts(db, horizon_days=30, workers=1, clock=CLOCK)
    assert summary.products == 4 and len(summary.fallbacks) == 1 and not summary.without_forecast
    assert summary.first_day == TODAY and summary.horizon_days == 30

    frame = stored(db)
    assert list(frame.columns) == [
        "product_id",
        "date",
        "predicted_units",
        "lower",
        "upper",
        "model",
    ]
    assert frame.groupby("product_id").size().to_dict() == {
        "BAG": 30,
        "MUG": 30,
        "NEW": 30,
        "PAN": 30,
    }
    assert (frame["predicted_units"] >= 0).all() and (frame["lower"] >= 0).all()
    assert (frame["lower"] <= frame["predicted_units"] + 1e-9).all()
    assert (frame["predicted_units"] <= frame["upper"] + 1e-9).all()
    saturdays = frame[pd.to_datetime(frame["date"]).dt.dayofweek == 5]
    assert (saturdays["predicted_units"] == 0).all()  # the shop is closed on Saturdays

    catalog = views.catalog(db).set_index("product_id")
    mug = catalog.loc["MUG"]
    assert mug["basis"] == "own history" and mug["history_days"] == TRADING_DAYS
    assert mug["rmsse"] > 0 and mug["naive_rmsse"] > 0 and mug["beats_naive"] is True
    assert mug["mase"] > 0 and pd.isna(mug["fallback"])
    new = catalog.loc["NEW"]
    assert new["basis"] == "category Kitchen" and new["model"].startswith(
        "Category Kitchen average"
    )
    assert pd.isna(new["rmsse"]) and new["beats_naive"] is None
    assert "too few to test a model on" in new["fallback"]
    assert [f.product_id for f in summary.fallbacks] == ["NEW"]

    with db.read() as session:
        spread = session.get(ForecastModelRow, "MUG").error_sd  # type: ignore[union-attr]
    assert spread is not None and 1 < spread < 10  # Poisson(12) days: sd about 3.5

    view = views.product_forecast(db, "MUG", days=30, today=TODAY)
    assert len(view.forecast) == 30 and view.on_hand == 300
    assert 8 < view.forecast["predicted_units"].iloc[1:7].mean() < 18
    assert view.run_out_day is not None and view.run_out_day > TODAY
    assert view.history["units"].notna().all() and len(view.history) > 100
    assert "RMSSE" in views.explain(view.model)  # type: ignore[arg-type]
    # What the reorder rule needs: lead-time demand quantiles, stored with the forecast.
    lead, cover = view.covers
    assert (lead.cover, lead.days) == ("lead", 7) and (cover.cover, cover.days) == (
        "lead+review",
        14,
    )
    assert 0 < lead.mean < cover.mean and lead.q80 <= lead.q90 <= lead.q95 <= lead.q98 <= lead.q99
    # About 13 a day over 6 trading days in 7: the 95% quantile is above the mean, not wild.
    assert lead.mean < lead.q95 < 2 * lead.mean
    # 300 mugs on hand against about 80 over the lead time: no stored future runs out.
    assert view.stockout_chance == (0.0, "0%")
    pan = views.product_forecast(db, "PAN", days=30, today=TODAY)
    assert pan.stockout_chance is not None and 0 < pan.stockout_chance[0] <= 0.5
    # The same number as the Reorder page's.
    [line] = plan.reorder_plan(db, today=TODAY, product_ids=["PAN"])
    assert pan.stockout_chance[0] == pytest.approx(line.stockout_chance)


def test_a_refresh_stores_the_whole_distribution_of_lead_time_demand(
    db: Database, tmp_path: Path
) -> None:
    build_shop(db)
    refresh.refresh_forecasts(db, horizon_days=30, workers=1, clock=CLOCK)
    grids = views.lead_time_grids(db)
    assert set(grids) == set(views.catalog(db)["product_id"]) == {"BAG", "MUG", "NEW", "PAN"}
    with db.read() as session:
        rows = list(session.scalars(select(LeadTimeDemandRow)))
    assert len(rows) == 8
    for row in rows:
        grid = grids[row.product_id][row.cover]
        assert len(grid) == len(distribution.GRID_LEVELS) == 100
        assert all(0 <= low <= high for low, high in itertools.pairwise(grid))
        # An equally weighted sample of the distribution: its median is the stored median,
        # its mean the stored mean (the sample's, not exactly the forecast's total).
        assert grid[49] <= row.q50 <= grid[50]
        assert (grid[49] + grid[50]) / 2 == pytest.approx(row.q50, rel=0.02, abs=0.05)
        assert float(np.mean(grid)) == pytest.approx(row.mean, rel=0.1, abs=0.2)
        assert grid[98] <= row.q99 <= grid[99]
        assert grid[99] == pytest.approx(row.q995, abs=1e-4)  # the last level is 99.5%
    assert grids["MUG"]["lead"][50] < grids["MUG"]["lead+review"][50]
    view = views.product_forecast(db, "MUG", days=30, today=TODAY)
    assert {cover.cover: cover.grid for cover in view.covers} == grids["MUG"]
    assert views.lead_time_grids(db, ["PAN", "MUG"]) == {p: grids[p] for p in ("PAN", "MUG")}
    assert views.lead_time_grids(db, []) == {}

    # Backups carry the grids, and erasing the shop removes them.
    backup.backup(db, tmp_path / "shop.backup")
    other = Database.connect(sqlite_url(tmp_path / "other.db"))
    upgrade(other)
    backup.restore(other, tmp_path / "shop.backup")
    assert views.lead_time_grids(other) == grids
    other.dispose()
    inventory.erase_shop(db)
    assert views.lead_time_grids(db) == {}


def test_a_new_product_gets_a_share_of_its_categorys_forecast(db: Database) -> None:
    build_shop(db)
    refresh.refresh_forecasts(db, horizon_days=14, workers=1, clock=CLOCK)
    view = views.product_forecast(db, "NEW", days=14, today=TODAY)
    kitchen = views.group_forecast(db, "Kitchen", days=14, today=TODAY)
    # Kitchen has three products that sold lately: the new one gets a third of the total.
    assert view.units_on_horizon == pytest.approx(kitchen.units_on_horizon / 3, rel=0.35)
    assert view.model is not None and "too few to test" in views.explain(view.model)


def test_a_refresh_replaces_the_previous_forecasts(db: Database) -> None:
    build_shop(db)
    first = refresh.refresh_forecasts(db, horizon_days=20, workers=1, clock=CLOCK)
    second = refresh.refresh_forecasts(db, horizon_days=10, workers=1, clock=CLOCK)
    assert second.run_id != first.run_id
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(PredictionRow)) == 40
        assert set(session.scalars(select(PredictionRow.run_id))) == {second.run_id}
        assert set(session.scalars(select(ForecastModelRow.run_id))) == {second.run_id}
        assert session.scalar(select(func.count()).select_from(ForecastRunRow)) == 2
    assert views.latest_run(db).run_id == second.run_id  # type: ignore[union-attr]


def test_an_interrupted_refresh_keeps_the_old_forecasts(db: Database) -> None:
    build_shop(db)
    refresh.refresh_forecasts(db, horizon_days=20, workers=1, clock=CLOCK)
    before = stored(db)

    def interrupt(done: int, total: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        refresh.refresh_forecasts(db, horizon_days=5, workers=1, progress=interrupt, clock=CLOCK)
    pd.testing.assert_frame_equal(stored(db), before)
    assert views.latest_run(db).horizon_days == 20  # type: ignore[union-attr]


def test_refreshing_one_product_leaves_the_others(db: Database) -> None:
    build_shop(db)
    everything = refresh.refresh_forecasts(db, horizon_days=10, workers=1, clock=CLOCK)
    one = refresh.refresh_forecasts(
        db, product_ids=["BAG"], horizon_days=10, workers=1, clock=CLOCK
    )
    assert one.products == 1
    with db.read() as session:
        runs = dict(
            session.execute(select(ForecastModelRow.product_id, ForecastModelRow.run_id)).all()
        )
    assert runs == {
        "BAG": one.run_id,
        "MUG": everything.run_id,
        "NEW": everything.run_id,
        "PAN": everything.run_id,
    }


def test_refusals_name_what_is_wrong_and_change_nothing(db: Database) -> None:
    with pytest.raises(refresh.NoHistory, match="no sales history"):
        refresh.refresh_forecasts(db, workers=1, clock=CLOCK)
    build_shop(db)
    with pytest.raises(UnknownProduct):
        refresh.refresh_forecasts(db, product_ids=["NOPE"], workers=1, clock=CLOCK)
    with pytest.raises(UnknownProduct):
        views.product_forecast(db, "NOPE", days=7, today=TODAY)
    with pytest.raises(InvalidValue, match="days"):
        refresh.parse_horizon("0")
    with pytest.raises(InvalidValue, match="between 1 and 365"):
        refresh.parse_horizon("400")
    with pytest.raises(InvalidValue, match="category"):
        views.group_forecast(db, "Garden", days=7, today=TODAY)
    assert stored(db).empty and views.latest_run(db) is None


def test_products_with_forecasts_can_still_be_erased_or_undone(db: Database) -> None:
    build_shop(db)
    batch = imports.import_sales(
        db, b"date,product_id,quantity,unit_price\n2025-06-02,FRESH,1,2.00\n", "fresh.csv"
    ).batch_id
    refresh.refresh_forecasts(db, horizon_days=5, workers=1, clock=CLOCK)
    assert "FRESH" in set(stored(db)["product_id"])
    imports.undo_import(db, batch)  # removes the product it created, forecasts included
    assert "FRESH" not in set(stored(db)["product_id"])
    inventory.erase_shop(db)
    assert stored(db).empty and views.latest_run(db) is None


def test_the_whole_shop_and_a_category_are_forecast_on_demand(db: Database) -> None:
    build_shop(db)
    shop = views.group_forecast(db, None, days=21, today=TODAY)
    bags = views.group_forecast(db, "Bags", days=21, today=TODAY)
    assert shop.title == "The whole shop" and bags.title == "Category Bags"
    assert len(shop.forecast) == 21 and shop.on_hand is None and shop.run_out_day is None
    assert shop.units_on_horizon > bags.units_on_horizon > 0
    assert shop.model is not None and shop.model.mase is not None


def test_a_slice_of_the_real_shop_is_forecast_in_parallel(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(workers.PARALLEL_FROM_ENV, "10")  # 47 series: force the two workers
    build_shop(sqlite_db, extra_products=40)  # 44 products plus categories
    seen: list[tuple[int, int]] = []
    threads: set[int] = set()

    def report(done: int, total: int) -> None:
        seen.append((done, total))
        threads.add(threading.get_ident())

    summary = refresh.refresh_forecasts(
        sqlite_db, horizon_days=7, workers=2, clock=CLOCK, progress=report
    )
    assert summary.products == 44 and summary.one_process_reason is None
    # 44 products, 2 categories, the shop's units and its daily sales figure
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] == 48
    # Small chunks: the progress moves many times, always in the thread that asked (for the
    # dashboard, the thread running its script).
    assert len(seen) > 10 and [d for d, _ in seen] == sorted({d for d, _ in seen})
    assert threads == {threading.get_ident()}
    assert len(stored(sqlite_db)) == 44 * 7


def test_chunks_are_small_enough_for_the_progress_to_move_steadily() -> None:
    assert workers.chunk_size(71, 2) == 4  # the demo shop: 18 chunks for two workers
    assert workers.chunk_size(40, 2) == 2
    assert workers.chunk_size(5, 8) == 1
    assert workers.chunk_size(100_000, 2) == workers.CHUNK


class _DiesInAWorker(np.ndarray):
    """Sales that end the process unpickling them: a worker's, never this one."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (3,)


def quick_task(key: str, units: np.ndarray | None = None) -> workers.SeriesTask:
    """A series too short to backtest: no model to fit, so it is done at once."""
    days = pd.DatetimeIndex(pd.to_datetime(DAYS[:3]))
    future = pd.date_range(TODAY, periods=3, freq="D")
    units = np.ones(3) if units is None else units
    return workers.SeriesTask(key=key, days=days, units=units, future=future, season=6, yearly=None)


def test_workers_started_from_the_dashboard_do_not_run_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Under Streamlit, `__main__` is app.py's module (no `__spec__`, its `__file__` set), so
    every spawned worker runs app.py first, as `__mp_main__`: it must not reach the gate."""
    dashboard = types.ModuleType("__main__")
    dashboard.__file__ = str(Path(__file__).resolve().parent.parent / "app.py")
    monkeypatch.setitem(sys.modules, "__main__", dashboard)
    monkeypatch.setenv("STOCKCORE_DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.db'}")
    monkeypatch.setattr(workers, "PARALLEL_FROM", 4)
    notes: list[str] = []
    results = list(
        workers.run_tasks(
            [quick_task(f"P{i}") for i in range(8)], workers=2, fell_back=notes.append
        )
    )
    assert len(results) == 8 and notes == []
    assert not (tmp_path / "untouched.db").exists()  # the workers opened no shop


def test_a_worker_that_dies_is_reported_and_the_rest_is_forecast_here(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(workers, "PARALLEL_FROM", 4)
    tasks = [quick_task(f"P{i}") for i in range(12)]
    tasks[5] = quick_task("P5", np.ones(3).view(_DiesInAWorker))
    seen: list[int] = []
    notes: list[str] = []
    results = list(
        workers.run_tasks(
            tasks, workers=2, progress=lambda done, _: seen.append(done), fell_back=notes.append
        )
    )
    assert sorted(result.key for result in results) == sorted(t.key for t in tasks)
    assert seen[0] == 0 and seen[-1] == 12 and seen == sorted(seen)
    [note] = notes
    assert "worker process stopped unexpectedly" in note and "in one process instead of 2" in note
    assert note in caplog.text


def test_a_refresh_says_when_it_finished_in_one_process(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_shop(db)
    monkeypatch.setattr(refresh, "run_tasks", one_process_run_tasks)
    summary = refresh.refresh_forecasts(db, horizon_days=5, workers=2, clock=CLOCK)
    assert summary.products == 4 and summary.one_process_reason == ONE_PROCESS


def test_real_sales_from_the_shop_export_are_forecast(sqlite_db: Database) -> None:
    path = DATA / "online_retail_ten_products_daily.csv"
    imports.import_sales(sqlite_db, path.read_bytes(), path.name)
    clock = FixedClock(datetime(2011, 12, 10, 9))  # the day after the data ends
    summary = refresh.refresh_forecasts(sqlite_db, horizon_days=28, workers=1, clock=clock)
    assert summary.products == 10 and not summary.fallbacks
    frame = stored(sqlite_db)
    assert len(frame) == 10 * 28
    assert np.isfinite(frame["predicted_units"]).all() and (frame["predicted_units"] >= 0).all()
    catalog = views.catalog(sqlite_db)
    assert catalog["history_days"].min() > 100
    # Chosen by backtest: most of them beat "same days last week" on their own history.
    assert catalog["beats_naive"].astype(bool).mean() >= 0.7


def test_weeks_out_of_stock_do_not_drag_the_forecast_down(db: Database) -> None:
    """The ledger says the mug had no stock for the last 30 trading days: those days are
    unknown demand, so its forecast stays near the 10 a day it sold while in stock."""
    inventory.add_product(
        db,
        Product.create("MUG", "Mug", category="Kitchen", unit_price=PRICE, quantity=900),
        clock=lambda: datetime(2025, 5, 1, 9),
    )
    inventory.add_product(
        db,
        Product.create("BAG", "Bag", category="Bags", unit_price=PRICE, quantity=900),
        clock=lambda: datetime(2025, 5, 1, 9),
    )
    in_stock = DAYS[:-30]  # then 30 trading days without stock
    inventory.record_history(
        db,
        [HistoryLine(day, "MUG", 10, PRICE) for day in in_stock]
        + [HistoryLine(day, "BAG", 3, PRICE) for day in DAYS],  # the shop kept trading
    )
    gone = datetime.combine(in_stock[-1], datetime.min.time()).replace(hour=20)
    inventory.adjust_stock(db, "MUG", counted=0, reason="stocktake", clock=lambda: gone)

    refresh.refresh_forecasts(db, horizon_days=14, workers=1, clock=CLOCK)
    view = views.product_forecast(db, "MUG", days=14, today=TODAY)
    assert view.history["stocked_out"].sum() == 30
    assert view.history["units"].isna().sum() == 30
    open_days = view.forecast[view.forecast["predicted_units"] > 0]
    assert open_days["predicted_units"].mean() == pytest.approx(10, rel=0.1)
    assert view.run_out_day == TODAY  # nothing on hand: it has run out already


def test_the_chance_of_running_out_is_read_off_the_stored_quantiles() -> None:
    cover = views.CoverQuantiles(
        "lead", 14, 40.0, 60.0, 70.0, 80.0, 95.0, 110.0, "blend", q50=38.0, q995=130.0
    )
    assert cover.chance_above(20) == (0.5, "more than 50%")
    assert cover.chance_above(60) == (pytest.approx(0.2), "20%")
    assert cover.chance_above(65)[0] == pytest.approx(0.15)
    assert cover.chance_above(120)[1] == "0.8%"
    assert cover.chance_above(500) == (0.005, "under 0.5%")


def test_a_product_whose_forecast_breaks_falls_back_and_the_refresh_says_why(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong inside one product's forecast, the refresh finishes: that product
    gets its category's share, and the summary names it with the reason."""
    from stockcore.forecasting import selection

    build_shop(db)
    real = selection.forecast_series

    def breaks_on_pan(history: np.ndarray, *args: object, **kwargs: object) -> object:
        if len(history) == TRADING_DAYS and np.nanmax(history) <= 3:  # the pan's series
            raise NotImplementedError("tiny datasets")
        return real(history, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(selection, "forecast_series", breaks_on_pan)
    summary = refresh.refresh_forecasts(db, horizon_days=14, workers=1, clock=CLOCK)
    assert summary.products == 4
    reasons = {f.product_id: f.reason for f in summary.fallbacks}
    assert "NotImplementedError: tiny datasets" in reasons["PAN"]
    assert "category Kitchen" in reasons["PAN"] and "too few" in reasons["NEW"]
    view = views.product_forecast(db, "PAN", days=14, today=TODAY)
    assert len(view.forecast) == 14 and view.model is not None
    assert "failed" in views.explain(view.model)
