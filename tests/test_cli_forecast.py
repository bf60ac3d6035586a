"""`stockcore forecast` and `stockcore export forecasts`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from stockcore.forecasting import refresh, views
from stockcore.persistence.db import Database, upgrade
from tests.support import (
    ONE_PROCESS,
    build_shop,
    one_process_run_tasks,
    run,
    run_process,
    sqlite_url,
)


@pytest.fixture
def shop_url(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path / "shop.db")
    db = Database.connect(url)
    upgrade(db)
    build_shop(db)
    db.dispose()
    return url


def test_forecast_all_refreshes_every_product_and_says_what_it_chose(shop_url: str) -> None:
    code, out, err = run("--db", shop_url, "forecast", "--all", "--days", "20", "--workers", "1")
    assert code == 0, out
    # Progress on main()'s err, not the process's: products, categories, the shop's units and
    # its daily sales figure.
    assert "forecasting: 8 of 8 series" in err
    assert "forecast 4 products for 20 days" in out
    assert "1 fell back to a simpler forecast" in out and "models chosen: " in out
    assert "fell back: NEW: only 5 trading days of history" in out
    assert views.forecast_count(Database.connect(shop_url)) == 4


def test_forecast_all_warns_when_it_finished_in_one_process(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(refresh, "run_tasks", one_process_run_tasks)
    code, out, _ = run("--db", shop_url, "forecast", "--all", "--days", "5")
    assert code == 0, out
    assert f"warning: {ONE_PROCESS}" in out


def test_forecast_for_a_product_prints_each_day_with_its_ranges(shop_url: str) -> None:
    # Never refreshed: the product is forecast on the spot, stored, and printed.
    code, out, err = run("--db", shop_url, "forecast", "--product", "MUG", "--days", "7")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Mug (MUG)"
    assert "root mean squared scaled error" in out and "on hand: 300 units" in out
    assert "demand over the lead time (7 days): average" in out
    assert "demand over the lead time + review (14 days)" in out
    header = next(i for i, line in enumerate(lines) if line.startswith("date"))
    assert "80% range" in lines[header] and "95% range" in lines[header]
    assert len(lines) - header - 2 == 7  # header, rule, seven days
    assert views.forecast_count(Database.connect(shop_url)) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["forecast", "--product", "NOPE"], "NOPE"),
        (["forecast", "--product", "MUG", "--days", "0"], "days"),
        (["forecast", "--all", "--days", "999"], "between 1 and 365"),
        (["forecast", "--all", "--days", "ten"], "days"),
    ],
)
def test_forecast_refusals_exit_1_with_one_line(
    shop_url: str, argv: list[str], message: str
) -> None:
    code, out, err = run("--db", shop_url, *argv)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1
    assert views.forecast_count(Database.connect(shop_url)) == 0


def test_forecasting_an_empty_shop_is_refused(tmp_path: Path) -> None:
    code, _, err = run("--db", sqlite_url(tmp_path / "empty.db"), "forecast", "--all")
    assert code == 1 and "no sales history" in err


def test_export_forecasts_writes_the_spec_columns(shop_url: str, tmp_path: Path) -> None:
    run("--db", shop_url, "forecast", "--all", "--days", "10", "--workers", "1")
    target = tmp_path / "views.csv"
    code, out, _ = run("--db", shop_url, "export", "forecasts", str(target))
    assert code == 0 and "exported 40 rows of forecasts" in out
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == ["product_id", "date", "predicted_units", "lower", "upper", "model"]
    assert {row["product_id"] for row in rows} == {"BAG", "MUG", "NEW", "PAN"}
    assert all(
        float(row["lower"]) <= float(row["predicted_units"]) <= float(row["upper"]) for row in rows
    )


def test_the_command_line_refreshes_in_parallel_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 48 series would run in one process (workers pay from about 200): force the workers.
    monkeypatch.setenv("STOCKCORE_FORECAST_PARALLEL_FROM", "10")
    url = sqlite_url(tmp_path / "big.db")
    db = Database.connect(url)
    upgrade(db)
    build_shop(db, extra_products=40)  # 44 products
    result = run_process("forecast", "--all", "--days", "14", db_url=url)
    assert result.returncode == 0, result.stderr
    assert "forecast 44 products for 14 days" in result.stdout
    assert "forecasting: 48 of 48 series" in result.stderr  # progress, one line per tenth
    assert "warning:" not in result.stdout and "stopped unexpectedly" not in result.stderr
    assert views.forecast_count(db) == 44
