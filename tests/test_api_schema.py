"""Schemathesis against the API's own OpenAPI schema: whatever it sends, no server error,
and every answer matches the schema.

(Built at import time: schemathesis' lazy fixture schema does not run under pytest 9.)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from stockcore import accounts, inventory
from stockcore.domain import Product
from stockcore.interfaces import api
from stockcore.persistence.db import Database, upgrade
from tests.support import sqlite_url

SECRET = "a-test-secret-that-is-long-enough-0123456789"
FOLDER = Path(tempfile.mkdtemp(prefix="stockcore-schema-"))


def _small_shop() -> tuple[Database, dict[str, str]]:
    """A shop with two products and its owner's token."""
    db = Database.connect(sqlite_url(FOLDER / "shop.db"))
    upgrade(db)
    for product_id, quantity in (("101", 7), ("102", 2000)):
        product = Product.create(
            product_id, f"Product {product_id}", unit_price="9.99", quantity=quantity
        )
        inventory.add_product(db, product)
    owner = accounts.register(db, "olivia", "olivia@example.com", "olivia's password")
    return db, {"Authorization": f"Bearer {accounts.issue_token(owner, SECRET).token}"}


DB, OWNER = _small_shop()
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", api.create_app(DB, secret_key=SECRET, chart_dir=FOLDER, docs=True)
)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    DB.dispose()
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_request_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={**(case.headers or {}), **OWNER},
        checks=[checks.not_a_server_error, checks.response_schema_conformance],
    )
