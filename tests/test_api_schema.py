"""Schemathesis against the API's own OpenAPI schema, on SQLite and (when configured)
PostgreSQL: whatever it sends, no server error, and every answer matches the schema.

(Built at import time: schemathesis' lazy fixture schema does not run under pytest 9. The
PostgreSQL shop lives in a schema of its own, dropped when the module is done.)
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stockcore import accounts, inventory
from stockcore.domain import Product
from stockcore.interfaces import api
from stockcore.persistence.db import Database, upgrade
from tests.conftest import postgres_base_url
from tests.support import sqlite_url

SECRET = "a-test-secret-that-is-long-enough-0123456789"
FOLDER = Path(tempfile.mkdtemp(prefix="stockcore-schema-"))
# These end the token they come with: each gets a fresh one of another account, so the
# owner's token keeps working for every other case.
SIGNING_OUT = {"/logout", "/me/sign-out-everywhere", "/me/password"}


@dataclass
class Shop:
    db: Database
    owner: dict[str, str]
    clerk: accounts.User
    drop: str | None = None  # the PostgreSQL schema to drop afterwards


def _small_shop(url: str, drop: str | None = None) -> Shop:
    """A shop with two products, its owner's token and a clerk."""
    db = Database.connect(url)
    upgrade(db)
    for product_id, quantity in (("101", 7), ("102", 2000)):
        product = Product.create(
            product_id, f"Product {product_id}", unit_price="9.99", quantity=quantity
        )
        inventory.add_product(db, product)
    owner = accounts.register(db, "olivia", "olivia@example.com", "olivia's password")
    clerk = accounts.create_user(db, owner, "sam", "sam@example.com", "sam's password", "staff")
    token = {"Authorization": f"Bearer {accounts.issue_token(owner, SECRET).token}"}
    return Shop(db, token, clerk, drop)


def _postgres_shop() -> Shop | None:
    base = postgres_base_url()
    if base is None:
        return None
    name = f"t_schema_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={name}"})
    return _small_shop(url.render_as_string(hide_password=False), drop=name)


def _drop(shop: Shop) -> None:
    shop.db.dispose()
    base = postgres_base_url()
    if shop.drop is not None and base is not None:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{shop.drop}" CASCADE'))
        admin.dispose()


SQLITE = _small_shop(sqlite_url(FOLDER / "shop.db"))
POSTGRES = _postgres_shop()
for _shop in (SQLITE, POSTGRES):
    if _shop is not None:
        atexit.register(_drop, _shop)  # also if the module's tests are deselected


def _schema(shop: Shop | None) -> schemathesis.BaseSchema:
    # Without PostgreSQL, the second schema is the SQLite one again, and its test skips.
    app = api.create_app((shop or SQLITE).db, secret_key=SECRET, chart_dir=FOLDER, docs=True)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


sqlite_schema = _schema(SQLITE)
postgres_schema = _schema(POSTGRES)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    shutil.rmtree(FOLDER, ignore_errors=True)


def _call(shop: Shop, case: schemathesis.Case) -> None:
    token = shop.owner
    if case.path in SIGNING_OUT:
        clerk = accounts.get_user(shop.db, shop.clerk.user_id) or shop.clerk
        token = {"Authorization": f"Bearer {accounts.issue_token(clerk, SECRET).token}"}
    case.call_and_validate(
        headers={**(case.headers or {}), **token},
        checks=[checks.not_a_server_error, checks.response_schema_conformance],
    )


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@sqlite_schema.parametrize()
@SETTINGS
def test_no_request_gets_a_server_error_on_sqlite(case: schemathesis.Case) -> None:
    _call(SQLITE, case)


@postgres_schema.parametrize()
@SETTINGS
def test_no_request_gets_a_server_error_on_postgres(case: schemathesis.Case) -> None:
    if POSTGRES is None:
        pytest.skip("PostgreSQL tests need STOCKCORE_TEST_POSTGRES_URL")
    _call(POSTGRES, case)
