"""Shared fixtures: a fresh real database per test, on SQLite and (when configured) PostgreSQL.

* `db`: parametrised over backends. SQLite is a new file under tmp_path; PostgreSQL
  (only when STOCKCORE_TEST_POSTGRES_URL is set) is a new schema in that server,
  dropped afterwards. Both are migrated with the real Alembic migrations.
* `demo_url`: a SQLite file holding the demo gift shop, copied per test from a
  template built once per session (loading two years of sales takes a few seconds).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stockcore.forecasting import refresh
from stockcore.inventory.demo import open_shop
from stockcore.persistence.db import Database, normalise_url, upgrade
from tests.support import TEST_PASSWORD, FixedClock, account_for, sqlite_url  # noqa: F401

# The browser tests' fixtures (`shop`, `server`, `browser`), for tests/test_browser*.py.
pytest_plugins = ("tests.browser_support",)

POSTGRES_ENV = "STOCKCORE_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def postgres_base_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    return normalise_url(url) if url else None


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections live in a brand-new schema; the schema is dropped afterwards."""
    base = postgres_base_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "shop.db")
    return str(request.getfixturevalue("postgres_schema_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.connect(db_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database.connect(sqlite_url(tmp_path / "shop.db"))
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shop = open_shop(sqlite_url(path), demo_if_new=True)
    shop.db.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "demo.db"
    shutil.copyfile(demo_template, target)
    return sqlite_url(target)


@pytest.fixture(scope="session")
def forecast_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo shop with every product forecast from today (made once: about 30 s)."""
    path = tmp_path_factory.mktemp("forecast") / "forecast.db"
    shutil.copyfile(demo_template, path)
    db = Database.connect(sqlite_url(path))
    refresh.refresh_forecasts(db, horizon_days=180, workers=2)
    db.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def forecast_url(forecast_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the demo shop with its forecasts, for one test."""
    target = tmp_path / "shop.db"
    shutil.copyfile(forecast_template, target)
    return sqlite_url(target)


# --- Signed-in dashboard sessions -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _keep_the_main_module() -> Iterator[None]:
    """Streamlit's script runner (AppTest) installs a script as `__main__` and leaves it there;
    a later test that starts processes with "spawn" would then run that script in every child
    first (app.py only defines `main` there; another script would run whole). Put it back."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main
