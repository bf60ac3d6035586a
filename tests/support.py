"""Helpers shared by the test modules (fixtures live in conftest.py): clocks, database URLs,
accounts, the CLI and AppTest drivers, and the shops several modules build."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from stockcore import accounts, inventory
from stockcore.domain import Product
from stockcore.forecasting import refresh
from stockcore.forecasting.distribution import GRID_LEVELS, LEVELS
from stockcore.forecasting.store import store_forecasts
from stockcore.forecasting.workers import Progress, SeriesResult, SeriesTask, run_tasks
from stockcore.interfaces.cli import main
from stockcore.interfaces.ui import auth
from stockcore.inventory import HistoryLine
from stockcore.inventory.demo import open_shop
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    AlertRow,
    ProductRow,
    SaleLineRow,
    StockMovementRow,
)

APP = str(Path(__file__).resolve().parent.parent / "app.py")


FIRST = date(2025, 6, 2)  # a Monday
TRADING_DAYS = 160
PRICE = Decimal("2.00")


def trading_days(count: int = TRADING_DAYS) -> list[date]:
    days = [FIRST + timedelta(days=i) for i in range(count * 2)]
    return [d for d in days if d.weekday() != 5][:count]  # closed on Saturdays


DAYS = trading_days()


def covers(units: float, lead_time: int, spread: float) -> list[refresh.CoverDemand]:
    """Normal demand over the lead time and the lead time + 7 days: `units` a day, sd
    `spread` a day (independent days), at the stored grid's levels."""
    made = []
    for cover, days in (("lead", lead_time), ("lead+review", lead_time + 7)):
        grid = tuple(
            max(0.0, days * units + spread * np.sqrt(days) * NormalDist().inv_cdf(level))
            for level in GRID_LEVELS
        )
        made.append(
            refresh.CoverDemand(
                cover,
                days,
                days,
                days * units,
                {level: float(np.quantile(grid, level)) for level in LEVELS},
                "test",
                grid,
            )
        )
    return made


BUY = "FormSubmitter:purchase_form-Buy"
LOGIN_SUBMIT = "FormSubmitter:login_form-Sign in"


def start(
    url: str, monkeypatch: pytest.MonkeyPatch, *, demo: bool = True, role: str | None = "owner"
) -> AppTest:
    """The dashboard on `url`, signed in with an account of `role` (None: not signed in)."""
    monkeypatch.setenv("STOCKCORE_DATABASE_URL", url)
    monkeypatch.setenv("STOCKCORE_DEMO", "1" if demo else "0")
    monkeypatch.setenv("STOCKCORE_AUTO_REFRESH", "0")  # tests/test_upkeep.py turns it on
    app = AppTest.from_file(APP, default_timeout=120)
    if role is not None:
        app.session_state[auth.USER_KEY] = account_for(url, role, demo=demo)
    app.run()
    assert not app.exception, app.exception
    return app


def picker(app: AppTest, key: str) -> Any:
    """A product picker; its widget key carries a data version that changes after writes."""
    return next(s for s in app.selectbox if s.key and s.key.startswith(f"{key}_v"))


def open_page(app: AppTest, page: str) -> AppTest:
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def build_shop(db: Database, *, extra_products: int = 0) -> None:
    """A smooth seller, a slow seller (both in Kitchen), a seller in Bags and a product
    new to Kitchen with five days of sales."""
    rng = np.random.default_rng(5)
    products = [
        Product.create("MUG", "Mug", category="Kitchen", unit_price=PRICE, quantity=300),
        Product.create("PAN", "Pan", category="Kitchen", unit_price=PRICE, quantity=4),
        Product.create("BAG", "Bag", category="Bags", unit_price=PRICE, quantity=50),
        Product.create("NEW", "New jug", category="Kitchen", unit_price=PRICE, quantity=10),
    ] + [
        Product.create(f"X{i:02}", f"Extra {i}", category="Bags", unit_price=PRICE, quantity=20)
        for i in range(extra_products)
    ]
    lines = []
    for day in DAYS:
        lines.append(HistoryLine(day, "MUG", int(rng.poisson(12)) + 1, PRICE))
        if rng.random() < 0.15:
            lines.append(HistoryLine(day, "PAN", int(rng.integers(1, 4)), PRICE))
        if rng.random() < 0.6:
            lines.append(HistoryLine(day, "BAG", int(rng.integers(1, 6)), PRICE))
        for i in range(extra_products):
            if rng.random() < 0.3:
                lines.append(HistoryLine(day, f"X{i:02}", 1, PRICE))
    lines += [HistoryLine(day, "NEW", 2, PRICE) for day in DAYS[-5:]]
    inventory.seed_shop(
        db,
        products,
        lines,
        currency_symbol="£",
        shop_name="Test shop",
        clock=lambda: datetime(2025, 5, 1, 9),
    )


ONE_PROCESS = "A forecast worker process stopped unexpectedly (in a test)."


RUN_TASKS = run_tasks  # the real one, for tests that put a stand-in in its place


def one_process_run_tasks(
    tasks: Sequence[SeriesTask],
    *,
    workers: int,
    progress: Progress | None = None,
    fell_back: Callable[[str], None] | None = None,
) -> Iterator[SeriesResult]:
    """`run_tasks` as when a worker dies at once: everything here, and said so."""
    if fell_back:
        fell_back(ONE_PROCESS)
    yield from RUN_TASKS(tasks, workers=1, progress=progress)


def snapshot(db: Database) -> dict[str, object]:
    """Everything a refusal must leave exactly as it was."""
    with db.read() as s:
        return {
            "products": [
                (p.product_id, p.quantity, p.restock_threshold, p.unit_price)
                for p in s.scalars(select(ProductRow).order_by(ProductRow.product_id))
            ],
            "sales": s.scalar(select(func.count()).select_from(SaleLineRow)),
            "movements": s.scalar(select(func.count()).select_from(StockMovementRow)),
            "alerts": [(a.id, a.status) for a in s.scalars(select(AlertRow).order_by(AlertRow.id))],
        }


TODAY = date(2026, 3, 2)


NOW = datetime(2026, 3, 2, 9)


def store(
    db: Database,
    per_day: dict[str, float],
    *,
    spread: float | None = None,
    lead_times: dict[str, int] | None = None,
    days: int = 60,
    start: date = TODAY,
) -> None:
    """A flat forecast per product from `start`, written by the refresh's own storage;
    with `spread` (and each product's lead time) its demand distribution too."""
    span = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    made = [
        refresh.ProductForecast(
            product_id=pid, model="TSB", basis=refresh.OWN_HISTORY, history_days=100,
            selling_share=1.0, days=span, units=np.full(days, units),
            lower=np.full(days, units), upper=np.full(days, units),
            lower_95=np.full(days, units), upper_95=np.full(days, units),
            accuracy=None, naive=None, error_sd=spread or 0.0,
            covers=covers(units, (lead_times or {}).get(pid, 10), spread)
            if spread is not None else [],
        )
        for pid, units in per_day.items()
    ]  # fmt: skip
    store_forecasts(db, made, NOW, NOW, start, days, 1.0)


REPO = Path(__file__).resolve().parent.parent


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_process(*argv: str, db_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    if db_url:
        env["STOCKCORE_DATABASE_URL"] = db_url
    return subprocess.run(
        [sys.executable, "-m", "stockcore", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = datetime(2026, 3, 2, 9, 0, 0)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


TEST_PASSWORD = "a test password"


def account_for(url: str, role: str = "owner", *, demo: bool = False) -> str:
    """Open the shop as the dashboard would (migrations; the demo shop on a new database when
    `demo`), make sure an account `test-<role>` with that role exists, and return its id, for
    `AppTest.session_state[stockcore.ui.auth.USER_KEY]`: the test starts signed in."""
    from stockcore import accounts

    shop = open_shop(url, demo_if_new=demo)
    db = shop.db
    try:
        existing = {user.username: user for user in accounts.list_users(db)}
        if not existing:
            existing["test-owner"] = accounts.register(
                db, "test-owner", "test-owner@example.com", TEST_PASSWORD
            )
        name = f"test-{role}"
        if name not in existing:
            owner = next(u for u in existing.values() if u.role is accounts.Role.OWNER)
            existing[name] = accounts.create_user(
                db, owner, name, f"{name}@example.com", TEST_PASSWORD, role
            )
        return existing[name].user_id
    finally:
        db.dispose()


# The API's signing key in tests (long enough for `create_app`).
SECRET = "a-test-secret-that-is-long-enough-0123456789"


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with light parameters: the same code path, a fraction of the time per hash.
    Autouse in each test module that imports it."""
    monkeypatch.setattr(
        accounts.passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024)
    )
    monkeypatch.setattr(accounts.passwords, "_DUMMY_HASH", [])


# --- A real server and browser (tests/test_browser.py, docs/screenshots.py) -------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def streamlit_server(env: Mapping[str, str], log: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port, with `env` over this process's
    environment and its output in `log`: its address once it answers its health check
    (RuntimeError with the log if it has not within 90 s); stopped on the way out."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    output.flush()
                    raise RuntimeError("streamlit did not start: " + log.read_text())
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def fill_account_form(page: Any, username: str, password: str) -> None:
    """Fill the dashboard's *Create the owner account* or *Create an account* form (a
    Playwright page); the caller presses its button."""
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Email", exact=True).fill(f"{username}@example.com")
    page.get_by_label("Password (at least 8 characters)").fill(password)
    page.get_by_label("Password again").fill(password)


def fill_sign_in(page: Any, username: str, password: str) -> None:
    """Fill the dashboard's sign-in form (a Playwright page); the caller presses *Sign in*."""
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
