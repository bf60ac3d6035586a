"""Running the API: one forecast refresh at a time (across threads and processes, on
SQLite and PostgreSQL), one log line per server error without SQL parameters, security
headers on every answer, and the OpenAPI docs only when switched on."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from stockcore import inventory
from stockcore.domain import StockcoreError
from stockcore.forecasting import lease, refresh
from stockcore.interfaces import api
from stockcore.persistence.db import Database
from stockcore.replenishment import plan
from tests.support import FixedClock, run_process
from tests.test_api import (  # noqa: F401  (fixtures: the API on the test's database)
    SECRET,
    Api,
    add_spec_products,
    api_,
    quick_hashes,
    roles,
)

REPO = Path(__file__).resolve().parent.parent


def add_history(db: Database, clock: FixedClock, days: int = 70) -> None:
    add_spec_products(db, clock)
    today = clock.now.date()
    inventory.record_history(
        db,
        [
            inventory.HistoryLine(today - timedelta(days=day), "102", 1 + day % 3, Decimal("500"))
            for day in range(1, days + 1)
        ],
    )


# --- One forecast refresh at a time -------------------------------------------------------------


def test_a_second_refresh_while_one_runs_gets_409_with_its_progress(
    api_: Api,  # noqa: F811
    roles: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    add_history(api_.db, api_.clock)
    started, finish = threading.Event(), threading.Event()
    outcome: list[object] = []

    def slow(done: int, total: int) -> None:
        if done == 1:
            started.set()
            assert finish.wait(60)

    def first_refresh() -> None:
        try:
            outcome.append(refresh.refresh_forecasts(api_.db, horizon_days=14, progress=slow))
        except BaseException as error:  # reported to the test below
            outcome.append(error)

    worker = threading.Thread(target=first_refresh)
    worker.start()
    try:
        assert started.wait(60)
        second = api_.client.post("/train-sales-model", json={"days": 7}, headers=roles["owner"])
        assert second.status_code == 409, second.text
        body = second.json()
        assert "already running" in body["detail"]
        assert body["running"]["total"] >= 2 and 0 <= body["running"]["done"] <= 1
        # The dashboard's *Refresh all forecasts* and the CLI share the use case and the lease.
        with pytest.raises(lease.RefreshRunning):
            plan.refresh_forecasts_and_alerts(api_.db, horizon_days=7, workers=1)
    finally:
        finish.set()
        worker.join(120)
    assert isinstance(outcome[0], refresh.RefreshSummary)
    assert lease.running(api_.db) is None  # given back when it ended
    again = api_.client.post("/train-sales-model", json={"days": 7}, headers=roles["owner"])
    assert again.status_code == 200, again.text


def test_a_failed_refresh_gives_the_lease_back(db: Database, clock: FixedClock) -> None:
    with pytest.raises(refresh.NoHistory):
        refresh.refresh_forecasts(db, horizon_days=7, clock=clock)
    assert lease.running(db) is None
    with lease.refresh_lease(db):
        assert lease.running(db) is not None


HOLD_LEASE = """
import sys
from stockcore.forecasting import lease
from stockcore.persistence.db import Database
held = lease.acquire(Database.connect(sys.argv[1]))
held.progress(3, 10, force=True)
print("held", flush=True)
sys.stdin.readline()
import os
os._exit(0)  # a crash: the lease is never given back
"""


def test_a_refresh_in_another_process_blocks_until_it_ends_or_its_lease_expires(
    db: Database, db_url: str, clock: FixedClock
) -> None:
    add_history(db, clock)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LEASE, db_url],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(lease.RefreshRunning, match="3 of 10 series done"):
            refresh.refresh_forecasts(db, horizon_days=7, workers=1, clock=clock)
        cli = run_process("forecast", "--all", db_url=db_url)
        assert cli.returncode != 0 and "already running" in cli.stdout + cli.stderr
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(30)
    # The crashed holder never gave it back: it still blocks, until its lease expires.
    running = lease.running(db)
    assert running is not None and (running.done, running.total) == (3, 10)
    with pytest.raises(lease.RefreshRunning):
        lease.acquire(db)
    later = running.expires_at + timedelta(seconds=1)
    taken = lease.acquire(db, now=lambda: later)
    taken.release()
    assert lease.running(db) is None


# --- Server errors: one log line, no SQL parameters -----------------------------------------


def test_a_server_error_is_one_log_line_without_its_sql_parameters(
    db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = api.create_app(db, secret_key=SECRET, clock=clock)

    @app.get("/boom")
    def boom() -> None:
        raise IntegrityError(
            "INSERT INTO users (password_hash) VALUES (?)", ("hunter2-secret",), Exception("dup")
        )

    caplog.set_level(logging.DEBUG)
    with TestClient(app) as client:  # raises if the bug escapes to the server (it must not)
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; it was logged"}
    assert "hunter2" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"  # even on a bug's answer
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    line = errors[0].getMessage()
    assert errors[0].exc_info is None and "\n" not in line
    assert "hunter2" not in caplog.text and "Traceback" not in caplog.text
    assert "GET /boom" in line and "IntegrityError" in line and "INSERT INTO users" in line
    assert "test_api_operations.py" in line or "boom" in line


# --- Security headers and docs ------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(
    api_: Api,  # noqa: F811
    roles: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    add_history(api_.db, api_.clock, days=5)
    owner = roles["owner"]
    client = api_.client
    answers = [
        client.get("/health"),
        client.post("/login", json={"username": "olivia", "password": "wrong password!"}),
        client.get("/products", headers=owner),
        client.get("/products"),
        client.get("/products/nope", headers=owner),
        client.post("/products", json={"product_id": 1}, headers=owner),
        client.get("/no-such-path"),
        client.get("/visualize-sales", params={"format": "png"}, headers=owner),
    ]
    for answer in answers:
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff", answer.url
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"
        assert headers["content-security-policy"].startswith("default-src 'none'")
    assert [answer.status_code for answer in answers] == [200, 401, 200, 401, 404, 422, 404, 200]


def test_the_docs_are_served_only_when_switched_on(db: Database, clock: FixedClock) -> None:
    closed = api.create_app(db, secret_key=SECRET, clock=clock)
    with TestClient(closed) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404, path
    assert "/predict-sales" in closed.openapi()["paths"]  # tests and tools read it directly
    opened = api.create_app(db, secret_key=SECRET, clock=clock, docs=True)
    with TestClient(opened) as client:
        assert (
            client.get("/openapi.json").json()["paths"].keys() == closed.openapi()["paths"].keys()
        )
        docs = client.get("/docs")
        assert docs.status_code == 200 and "content-security-policy" not in docs.headers
        assert client.get("/redoc").status_code == 200


def test_the_api_settings_come_from_the_environment(tmp_path: Path) -> None:
    assert api.settings_from_env({}) == (None, False)
    folder, docs = api.settings_from_env(
        {"STOCKCORE_CHART_DIR": str(tmp_path), "STOCKCORE_API_DOCS": "1"}
    )
    assert (folder, docs) == (tmp_path, True)
    with pytest.raises(StockcoreError, match="not a folder"):
        api.create_app(
            Database.connect("sqlite://"), secret_key=SECRET, chart_dir=tmp_path / "missing"
        )


def test_one_product_whose_forecast_cannot_be_used_falls_back_instead_of_failing(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after a product's series was forecast (its lead-time distribution, say)
    costs that product its own forecast, never the refresh."""
    add_history(db, clock)
    own = refresh._product_forecast

    def breaks_for_the_mouse(task, results, *rest):  # type: ignore[no-untyped-def]
        if task.key == "102" and results[task.key].forecast is not None:
            raise ZeroDivisionError("a broken distribution")
        return own(task, results, *rest)

    monkeypatch.setattr(refresh, "_product_forecast", breaks_for_the_mouse)
    summary = refresh.refresh_forecasts(db, horizon_days=14, workers=1, clock=clock)
    assert summary.products == 2 and not summary.without_forecast
    (fallback,) = [item for item in summary.fallbacks if item.product_id == "102"]
    assert "ZeroDivisionError: a broken distribution" in fallback.reason
