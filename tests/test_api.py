"""The REST API under FastAPI's TestClient, on SQLite and PostgreSQL: every endpoint, every role."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from stockcore import accounts, inventory
from stockcore.domain import PRODUCT_FIELDS, Product
from stockcore.forecasting import refresh, views
from stockcore.interfaces import api
from stockcore.interfaces.api.schemas import products as product_schemas
from stockcore.inventory import reports
from stockcore.persistence.db import Database
from stockcore.persistence.models import SaleLineRow, UserRow
from stockcore.replenishment import purchase_orders
from tests.support import (  # noqa: F401 (autouse)
    ONE_PROCESS,
    SECRET,
    FixedClock,
    one_process_run_tasks,
    quick_hashes,
    snapshot,
)

PASSWORD = "correct horse battery"


@dataclass
class Api:
    client: TestClient
    db: Database
    clock: FixedClock  # the shop's local time
    now: FixedClock  # real time (UTC), for tokens and the throttle
    chart_dir: Path

    def register(self, username: str, password: str = PASSWORD) -> dict[str, object]:
        response = self.client.post(
            "/register",
            json={"username": username, "email": f"{username}@example.com", "password": password},
        )
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    def sign_in(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post("/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def api_(db: Database, clock: FixedClock, tmp_path: Path) -> Iterator[Api]:
    now = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = api.create_app(
        db,
        secret_key=SECRET,
        clock=clock,
        now=now,
        throttle=accounts.LoginThrottle(clock=now),
        chart_dir=tmp_path,
    )
    with TestClient(app) as client:
        yield Api(client, db, clock, now, tmp_path)


@pytest.fixture
def roles(api_: Api) -> dict[str, dict[str, str]]:
    """Headers of a signed-in owner (the first account), manager and staff."""
    api_.register("olivia")
    owner = api_.sign_in("olivia")
    for name, role in (("mark", "manager"), ("sam", "staff")):
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        made = api_.client.post("/users", json={**body, "role": role}, headers=owner)
        assert made.status_code == 201 and made.json()["role"] == role, made.text
    return {"owner": owner, "manager": api_.sign_in("mark"), "staff": api_.sign_in("sam")}


def add_spec_products(db: Database, clock: FixedClock) -> None:
    for product_id, name, price, quantity, threshold in (
        ("101", "Laptop", "50000", 7, 2),
        ("102", "Mouse", "500", 20, 4),
    ):
        inventory.add_product(
            db,
            Product.create(
                product_id, name, unit_price=price, quantity=quantity, restock_threshold=threshold
            ),
            clock=clock,
        )


# --- Accounts -----------------------------------------------------------------------------------


def test_the_first_account_is_the_owner_and_later_ones_need_an_invitation(api_: Api) -> None:
    first = api_.register("Olivia")
    assert first["role"] == "owner" and first["username"] == "olivia"
    assert set(first) == {"id", "username", "email", "role", "created_at", "active", "message"}
    assert first["message"] == "User registered successfully"
    assert len(str(first["id"])) == 36  # a UUID
    body = {"username": "sam", "email": "sam@example.com", "password": PASSWORD}
    refused = api_.client.post("/register", json=body)
    assert refused.status_code == 403 and "sign-up is closed" in refused.json()["detail"]
    assert len(accounts.list_users(api_.db)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "x", "email": "x@example.com", "password": PASSWORD}, "username"),
        ({"username": "has space", "email": "x@example.com", "password": PASSWORD}, "username"),
        ({"username": "xavier", "email": "not-an-email", "password": PASSWORD}, "email"),
        ({"username": "xavier", "email": "x@example.com", "password": "short"}, "password"),
        ({"username": "xavier", "email": "x@example.com"}, "password"),
        ({"username": 12345, "email": "x@example.com", "password": PASSWORD}, "username"),
        ({"username": "xavier", "email": "x@example.com", "password": "p" * 2000}, "password"),
    ],
)
def test_a_bad_registration_names_the_field_and_creates_nothing(
    api_: Api, body: dict[str, object], field: str
) -> None:
    response = api_.client.post("/register", json=body)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    assert "pppp" not in response.text and '"short"' not in response.text  # no password echoed
    assert not accounts.has_users(api_.db)


def test_a_taken_username_or_email_is_refused(api_: Api) -> None:
    api_.register("olivia")
    accounts.set_open_signup(api_.db, None, True)  # closed, a stranger learns nothing (403)
    for body in (
        {"username": "OLIVIA", "email": "other@example.com", "password": PASSWORD},
        {"username": "other", "email": "Olivia@Example.com", "password": PASSWORD},
    ):
        response = api_.client.post("/register", json=body)
        assert response.status_code == 409
        assert "already has an account" in response.json()["detail"]
    assert len(accounts.list_users(api_.db)) == 1


def test_login_gives_a_token_that_opens_the_other_endpoints(api_: Api) -> None:
    api_.register("olivia")
    response = api_.client.post("/login", json={"username": "olivia", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"token", "expires_at"} and body["role"] == "owner"
    me = api_.client.get("/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["username"] == "olivia"
    by_email = api_.client.post(
        "/login", json={"username": "olivia@example.com", "password": PASSWORD}
    )
    assert by_email.status_code == 200


def test_every_endpoint_but_register_login_and_health_needs_a_token(api_: Api) -> None:
    assert api_.client.get("/health").json() == {"status": "ok"}
    public = {("/register", "post"), ("/login", "post"), ("/health", "get")}
    schema = api_.client.app.openapi()  # type: ignore[attr-defined]  # /openapi.json is off
    checked = 0
    for path, methods in schema["paths"].items():
        for method in methods:
            if (path, method) in public:
                continue
            url = path.replace("{product_id}", "101").replace("{user_id}", "x")
            for headers in ({}, {"Authorization": "Bearer not.a.token"}):
                response = api_.client.request(method, url, headers=headers, json={})
                assert response.status_code == 401, (method, path, response.text)
                assert response.headers["WWW-Authenticate"] == "Bearer"
            checked += 1
    assert checked >= 18


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(api_: Api) -> None:
    api_.register("olivia")
    wrong = api_.client.post("/login", json={"username": "olivia", "password": "wrong password"})
    nobody = api_.client.post("/login", json={"username": "nobody", "password": PASSWORD})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json() == {"detail": "wrong username or password"}


def test_tokens_expire(api_: Api) -> None:
    api_.register("olivia")
    headers = api_.sign_in("olivia")
    api_.now.advance(hours=11, minutes=59)
    assert api_.client.get("/me", headers=headers).status_code == 200
    api_.now.advance(minutes=1)
    expired = api_.client.get("/me", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


def test_a_token_issued_in_the_past_is_expired_and_a_forged_one_is_refused(api_: Api) -> None:
    api_.register("olivia")
    olivia = accounts.list_users(api_.db)[0]
    old = accounts.issue_token(olivia, SECRET, now=datetime.now(UTC) - timedelta(days=2))
    with pytest.raises(accounts.InvalidToken, match="expired"):
        accounts.token_user_id(old.token, SECRET)
    forged = accounts.issue_token(olivia, "another-secret-that-is-long-enough-0123456789")
    response = api_.client.get("/me", headers={"Authorization": f"Bearer {forged.token}"})
    assert response.status_code == 401 and "not valid" in response.json()["detail"]


def test_repeated_failures_for_an_account_are_throttled_even_with_the_right_password(
    api_: Api,
) -> None:
    api_.register("olivia")
    for _ in range(5):
        response = api_.client.post("/login", json={"username": "olivia", "password": "guess1234"})
        assert response.status_code == 401
    locked = api_.client.post("/login", json={"username": "olivia", "password": PASSWORD})
    assert locked.status_code == 429
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert "too many failed sign-ins" in locked.json()["detail"]
    api_.now.advance(minutes=15)
    assert api_.client.post("/login", json={"username": "olivia", "password": PASSWORD}).is_success


def test_repeated_failures_from_one_address_are_throttled_across_accounts(api_: Api) -> None:
    api_.register("olivia")
    for number in range(accounts.LoginThrottle().per_address):
        response = api_.client.post(
            "/login", json={"username": f"guess{number}", "password": "guess1234"}
        )
        assert response.status_code == 401
    locked = api_.client.post("/login", json={"username": "olivia", "password": PASSWORD})
    assert locked.status_code == 429 and "Retry-After" in locked.headers


def test_the_throttle_forgets_failures_once_they_age_out(db: Database) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    throttle = accounts.LoginThrottle(
        per_account_and_address=2, window=timedelta(minutes=10), clock=clock
    )
    throttle.begin(db, "a", "10.0.0.1")
    clock.advance(minutes=4)
    throttle.begin(db, "a", "10.0.0.1")
    with pytest.raises(accounts.TooManyAttempts) as held:
        throttle.begin(db, "a", "10.0.0.1")
    assert held.value.retry_after_seconds == 6 * 60
    clock.advance(minutes=6)
    attempt = throttle.begin(db, "a", "10.0.0.1")
    throttle.succeeded(db, attempt)
    throttle.begin(db, "a", "10.0.0.1")  # a success forgets the earlier failures
    throttle.begin(db, "a", "10.0.0.1")


def test_passwords_are_stored_only_as_argon2_hashes_and_never_logged(
    api_: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api_.register("olivia", password="my-secret-password-1")
    api_.client.post("/login", json={"username": "olivia", "password": "my-secret-password-1"})
    api_.client.post("/login", json={"username": "olivia", "password": "wrong-password-22"})
    api_.client.post("/register", json={"username": "bad user", "email": "b@x.com", "password": 5})
    with api_.db.read() as session:
        stored = session.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2id$") and "my-secret-password-1" not in stored
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "registered olivia" in logged
    assert "my-secret-password-1" not in logged and "wrong-password-22" not in logged


def test_only_an_owner_manages_users_and_the_shop_keeps_an_owner(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    client = api_.client
    listed = client.get("/users", headers=roles["owner"]).json()
    assert [(u["username"], u["role"]) for u in listed] == [  # same time: by name
        ("mark", "manager"),
        ("olivia", "owner"),
        ("sam", "staff"),
    ]
    sam = next(u for u in listed if u["username"] == "sam")
    for role in ("manager", "staff"):
        assert client.get("/users", headers=roles[role]).status_code == 403
        refused = client.patch(f"/users/{sam['id']}", json={"role": "owner"}, headers=roles[role])
        assert refused.status_code == 403 and "may not manage users" in refused.json()["detail"]
    olivia = listed[1]
    alone = client.patch(f"/users/{olivia['id']}", json={"role": "staff"}, headers=roles["owner"])
    assert alone.status_code == 422 and "without an owner" in str(alone.json())
    assert (
        client.patch("/users/nobody", json={"role": "staff"}, headers=roles["owner"]).status_code
        == 404
    )
    bad = client.patch(f"/users/{sam['id']}", json={"role": "king"}, headers=roles["owner"])
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "role"]
    made = client.post(
        "/users",
        json={
            "username": "nina",
            "email": "n@example.com",
            "password": PASSWORD,
            "role": "manager",
        },
        headers=roles["owner"],
    )
    assert made.status_code == 201 and made.json()["role"] == "manager"


def test_a_role_change_applies_to_tokens_already_issued(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    body = {"product_id": "200", "name": "Mug", "unit_price": "3.50", "quantity": 5}
    assert api_.client.post("/products", json=body, headers=roles["staff"]).status_code == 403
    sam = next(u for u in accounts.list_users(api_.db) if u.username == "sam")
    api_.client.patch(f"/users/{sam.user_id}", json={"role": "manager"}, headers=roles["owner"])
    assert api_.client.post("/products", json=body, headers=roles["staff"]).status_code == 201


# --- Products, purchases, alerts --------------------------------------------------------------


def test_staff_read_products_and_make_purchases_but_change_nothing_else(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    add_spec_products(api_.db, api_.clock)
    staff = roles["staff"]
    client = api_.client
    listed = client.get("/products", headers=staff)
    assert [p["product_id"] for p in listed.json()] == ["101", "102"]
    assert listed.headers["X-Total-Count"] == "2"
    assert client.get("/products/102", headers=staff).json()["quantity"] == 20
    assert client.get("/alerts", headers=staff).status_code == 200
    bought = client.post("/purchases", json={"product_id": "102", "quantity": 17}, headers=staff)
    assert bought.status_code == 201
    forbidden = [
        ("post", "/products", {"product_id": "9", "name": "X", "unit_price": 1}),
        ("patch", "/products/101", {"restock_threshold": 3}),
        ("post", "/alerts/acknowledge", {"alert_ids": [1]}),
        ("post", "/add-sales-data", {"date": "2026-03-01", "sales": 10}),
        ("get", "/get-sales-data", None),
        ("post", "/train-sales-model", {}),
        ("post", "/predict-sales", {"days": 7}),
        ("post", "/optimize-inventory", {"daily_demand": 80, "lead_time": 5}),
        ("get", "/visualize-sales", None),
        ("get", "/products/101/forecast", None),
        ("get", "/reorder-suggestions", None),
        ("get", "/users", None),
    ]
    before = snapshot(api_.db)
    for method, path, body in forbidden:
        response = client.request(method, path, json=body, headers=staff)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["detail"].startswith("a staff account may not")
    assert snapshot(api_.db) == before


def test_a_manager_creates_and_updates_products(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    client, manager = api_.client, roles["manager"]
    body = {
        "product_id": 101,
        "name": "Laptop",
        "category": "Computers",
        "unit_price": "50000",
        "quantity": 7,
        "restock_threshold": 2,
        "unit_cost": 41000.5,
        "lead_time_days": 5,
    }
    made = client.post("/products", json=body, headers=manager)
    assert made.status_code == 201
    assert made.json()["product_id"] == "101" and made.json()["unit_cost"] == 41000.5
    again = client.post("/products", json=body, headers=manager)
    assert again.status_code == 409 and "already exists" in again.json()["detail"]
    changed = client.patch("/products/101", json={"restock_threshold": 8}, headers=manager)
    assert changed.status_code == 200 and changed.json()["needs_restock"] is True
    assert [a.product_id for a in reports.active_alerts(api_.db)] == ["101"]
    cleared = client.patch("/products/101", json={"unit_cost": None}, headers=manager)
    assert cleared.json()["unit_cost"] is None
    assert client.patch("/products/999", json={"name": "X"}, headers=manager).status_code == 404
    assert client.get("/products/999", headers=manager).status_code == 404
    empty = client.patch("/products/101", json={}, headers=manager)
    assert empty.status_code == 422 and "no field" in str(empty.json())
    unknown = client.patch("/products/101", json={"quantity": 1000}, headers=manager)
    assert unknown.status_code == 422  # stock changes only through purchases and receipts
    assert reports.get_product(api_.db, "101").quantity == 7  # type: ignore[union-attr]


def test_the_suppliers_terms_go_through_the_api(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    client, manager = api_.client, roles["manager"]
    body = {"product_id": "MUG", "name": "Mug", "unit_price": 3, "min_order_quantity": 24,
            "pack_size": 6, "lead_time_sd_days": 1.5}  # fmt: skip
    made = client.post("/products", json=body, headers=manager).json()
    assert (made["min_order_quantity"], made["pack_size"], made["lead_time_sd_days"]) == (
        24, 6, 1.5,
    )  # fmt: skip
    assert made["service_level"] is None
    changed = client.patch("/products/MUG", json={"service_level": 0.98}, headers=manager)
    assert changed.json()["service_level"] == 0.98 and changed.json()["pack_size"] == 6
    cleared = client.patch("/products/MUG", json={"service_level": None}, headers=manager)
    assert cleared.json()["service_level"] is None
    for bad in ({"service_level": 1.5}, {"pack_size": 0}, {"lead_time_sd_days": -1}):
        refused = client.patch("/products/MUG", json=bad, headers=manager)
        assert refused.status_code == 422 and next(iter(bad)) in str(refused.json()["detail"])
    mug = reports.get_product(api_.db, "MUG")
    assert mug is not None and (mug.pack_size, mug.service_level) == (6, None)


def test_the_product_schemas_carry_every_product_field() -> None:
    """A field added to Product fails here until the API shows it (ProductOut), takes it
    for a new product (ProductIn, as Product.create does) and, if editable, in a PATCH."""
    shown = set(product_schemas.ProductOut.model_fields)
    assert shown - set(PRODUCT_FIELDS) == {"needs_restock"}
    assert set(PRODUCT_FIELDS) <= shown
    assert set(product_schemas.ProductIn.model_fields) == set(PRODUCT_FIELDS)
    assert set(product_schemas.ProductChangesIn.model_fields) == set(inventory.EDITABLE_FIELDS)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product_id": "1 2", "name": "X", "unit_price": 1}, "product id"),
        ({"product_id": "9", "name": "  ", "unit_price": 1}, "name"),
        ({"product_id": "9", "name": "X", "unit_price": -1}, "unit_price"),
        ({"product_id": "9", "name": "X", "unit_price": "1.234"}, "unit price"),
        ({"product_id": "9", "name": "X", "unit_price": "abc"}, "unit_price"),
        ({"product_id": "9", "name": "X", "unit_price": 1, "quantity": 1.5}, "quantity"),
        ({"product_id": "9", "name": "X", "unit_price": 1, "quantity": 10**12}, "quantity"),
        ({"product_id": "9", "name": "X"}, "unit_price"),
        ({"product_id": "9", "name": "X", "unit_price": 1, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_product_names_the_field_and_adds_nothing(
    api_: Api, roles: dict[str, dict[str, str]], body: dict[str, object], field: str
) -> None:
    response = api_.client.post("/products", json=body, headers=roles["manager"])
    assert response.status_code == 422, response.text
    assert field in str(response.json()["detail"])
    assert reports.inventory(api_.db) == []


def test_a_purchase_lowers_stock_once_and_raises_the_alert(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    add_spec_products(api_.db, api_.clock)
    response = api_.client.post(
        "/purchases", json={"product_id": 102, "quantity": 17}, headers=roles["staff"]
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["quantity"], body["revenue"], body["quantity_left"]) == (17, 8500.0, 3)
    assert body["alert"]["message"] == "restock alert: 102 Mouse is down to 3 (threshold 4)"
    assert reports.get_product(api_.db, "102").quantity == 3  # type: ignore[union-attr]
    assert reports.ledger_mismatches(api_.db) == []
    assert [a["product_id"] for a in api_.client.get("/alerts", headers=roles["staff"]).json()] == [
        "102"
    ]


def test_refused_purchases_say_why_and_change_nothing(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    add_spec_products(api_.db, api_.clock)
    before = snapshot(api_.db)
    staff = roles["staff"]
    too_many = api_.client.post(
        "/purchases", json={"product_id": "101", "quantity": 8}, headers=staff
    )
    assert too_many.status_code == 409
    assert too_many.json() == {
        "detail": "not enough stock of 101 Laptop: 8 requested, 7 on hand; nothing was sold",
        "product_id": "101",
        "requested": 8,
        "on_hand": 7,
    }
    unknown = api_.client.post(
        "/purchases", json={"product_id": "999", "quantity": 1}, headers=staff
    )
    assert unknown.status_code == 404 and "unknown product '999'" in unknown.json()["detail"]
    for quantity in (0, -1, 1.5, "abc", None, 10**9, True):
        bad = api_.client.post(
            "/purchases", json={"product_id": "101", "quantity": quantity}, headers=staff
        )
        assert bad.status_code == 422, (quantity, bad.text)
        assert bad.json()["detail"][0]["loc"] == ["body", "quantity"]
    for raw in (b'{"product_id": "101", "quantity": NaN}', b'{"product_id": "101", ', b"[]"):
        bad = api_.client.post(
            "/purchases", content=raw, headers={**staff, "Content-Type": "application/json"}
        )
        assert bad.status_code == 422, raw
    for customer in ("x" * 65, "RES\u0000", 42):
        bad = api_.client.post(
            "/purchases",
            json={"product_id": "101", "quantity": 1, "customer_id": customer},
            headers=staff,
        )
        assert bad.status_code == 422, (customer, bad.text)
        assert "customer" in bad.text
    assert snapshot(api_.db) == before
    sold = api_.client.post(
        "/purchases", json={"product_id": "101", "quantity": 1, "customer_id": "14646"},
        headers=staff,
    )  # fmt: skip
    assert sold.status_code == 201
    with api_.db.read() as session:
        assert session.scalars(select(SaleLineRow.customer_id)).all() == ["14646"]


def test_a_manager_acknowledges_alerts(api_: Api, roles: dict[str, dict[str, str]]) -> None:
    add_spec_products(api_.db, api_.clock)
    inventory.purchase(api_.db, "102", 17, clock=api_.clock)
    alert_id = reports.active_alerts(api_.db)[0].alert_id
    done = api_.client.post(
        "/alerts/acknowledge", json={"alert_ids": [alert_id]}, headers=roles["manager"]
    )
    assert done.json() == {"acknowledged": 1}
    missing = api_.client.post(
        "/alerts/acknowledge", json={"alert_ids": [alert_id + 100]}, headers=roles["manager"]
    )
    assert missing.status_code == 404
    assert (
        api_.client.post(
            "/alerts/acknowledge", json={"alert_ids": []}, headers=roles["manager"]
        ).status_code
        == 422
    )


# --- Sales data, forecasts, optimisation --------------------------------------------------------


def test_adding_and_reading_sales_data(api_: Api, roles: dict[str, dict[str, str]]) -> None:
    add_spec_products(api_.db, api_.clock)
    client, manager = api_.client, roles["manager"]
    total = client.post(
        "/add-sales-data", json={"date": "2026-02-27", "sales": 1234.5}, headers=manager
    )
    assert total.status_code == 201 and total.json()["message"] == "Sales data added successfully"
    assert "import batch" in total.json()["recorded"]
    twice = client.post(
        "/add-sales-data", json={"date": "2026-02-27", "sales": 99}, headers=manager
    )
    assert (
        twice.status_code == 409
        and "already has a shop-level sales total" in twice.json()["detail"]
    )
    line = client.post(
        "/add-sales-data",
        json={"date": "2026-02-28", "sales": "10.00", "product_id": "102", "quantity": 3},
        headers=manager,
    )
    assert line.status_code == 201 and line.json()["quantity"] == 3
    assert reports.get_product(api_.db, "102").quantity == 20  # type: ignore[union-attr]
    inventory.purchase(api_.db, "101", 1, clock=api_.clock)  # 2026-03-02

    days = client.get("/get-sales-data", headers=manager)
    assert days.headers["X-Total-Count"] == "3"
    assert days.json() == [
        {"date": "2026-02-27", "sales": 1234.5, "units": None, "source": "total"},
        {"date": "2026-02-28", "sales": 10.0, "units": 3, "source": "lines"},
        {"date": "2026-03-02", "sales": 50000.0, "units": 1, "source": "lines"},
    ]
    page = client.get(
        "/get-sales-data", params={"from": "2026-02-28", "limit": 1, "offset": 1}, headers=manager
    )
    assert page.json() == [{"date": "2026-03-02", "sales": 50000.0, "units": 1, "source": "lines"}]
    assert page.headers["X-Total-Count"] == "2"
    mouse = client.get("/get-sales-data", params={"product_id": "102"}, headers=manager)
    assert [d["date"] for d in mouse.json()] == ["2026-02-28"]
    assert (
        client.get("/get-sales-data", params={"product_id": "9"}, headers=manager).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-13-01", "sales": 1}, "date"),
        ({"date": "2026-03-03", "sales": 1}, "date"),  # tomorrow
        ({"date": "1900-01-01", "sales": 1}, "date"),
        ({"date": "2026-03-01", "sales": -5}, "sales"),
        ({"date": "2026-03-01", "sales": "1e400"}, "sales"),
        ({"date": "2026-03-01"}, "sales"),
        ({"date": "2026-03-01", "sales": 1, "quantity": 2}, "product_id"),
        ({"date": "2026-03-01", "sales": 1, "product_id": "101"}, "quantity"),
        ({"date": "2026-03-01", "sales": 1, "product_id": "101", "quantity": 0}, "quantity"),
    ],
)
def test_bad_sales_data_names_the_field_and_adds_nothing(
    api_: Api, roles: dict[str, dict[str, str]], body: dict[str, object], field: str
) -> None:
    add_spec_products(api_.db, api_.clock)
    before = snapshot(api_.db)
    response = api_.client.post("/add-sales-data", json=body, headers=roles["manager"])
    assert response.status_code == 422, response.text
    assert field in str(response.json()["detail"])
    assert snapshot(api_.db) == before


def test_bad_sales_filters_are_refused(api_: Api, roles: dict[str, dict[str, str]]) -> None:
    for params in (
        {"from": "yesterday"},
        {"limit": 0},
        {"limit": 10**6},
        {"offset": -1},
        {"from": "2026-03-02", "to": "2026-03-01"},
    ):
        response = api_.client.get("/get-sales-data", params=params, headers=roles["manager"])
        assert response.status_code == 422, params


def test_optimize_inventory_gives_the_specs_numbers(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    response = api_.client.post(
        "/optimize-inventory", json={"daily_demand": 80, "lead_time": 5}, headers=roles["manager"]
    )
    assert response.status_code == 200
    assert (response.json()["reorder_point"], response.json()["optimal_stock_level"]) == (400, 480)
    with_spread = api_.client.post(
        "/optimize-inventory",
        json={"daily_demand": 80, "lead_time": 5, "demand_std": 10, "service_level": 0.9},
        headers=roles["manager"],
    ).json()
    assert with_spread["reorder_point"] == pytest.approx(400 + 1.2816 * 10 * 5**0.5, abs=0.01)
    for body in (
        {"daily_demand": -1, "lead_time": 5},
        {"daily_demand": 80, "lead_time": 0},
        {"daily_demand": 80, "lead_time": 10**9},
        {"daily_demand": "lots", "lead_time": 5},
        {"daily_demand": 80},
        {"daily_demand": 80, "lead_time": 5, "service_level": 1},
        {"daily_demand": 80, "lead_time": 5, "demand_std": 1e308},
    ):
        bad = api_.client.post("/optimize-inventory", json=body, headers=roles["manager"])
        assert bad.status_code == 422, body
    nan = api_.client.post(
        "/optimize-inventory",
        content=b'{"daily_demand": NaN, "lead_time": 5}',
        headers={**roles["manager"], "Content-Type": "application/json"},
    )
    assert nan.status_code == 422 and nan.json()["detail"][0]["loc"] == ["body", "daily_demand"]


def test_predicting_before_training_says_what_to_do(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    add_spec_products(api_.db, api_.clock)
    client, manager = api_.client, roles["manager"]
    response = client.post("/predict-sales", json={"days": 7}, headers=manager)
    assert response.status_code == 409 and "/train-sales-model" in response.json()["detail"]
    for days in (10**9, -1, 0, "a week", 2.5):
        bad = client.post("/predict-sales", json={"days": days}, headers=manager)
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "days"]
    assert client.get("/products/101/forecast", headers=manager).status_code == 409
    # The shared guard (plan.reorder_list): the same refusal as the CLI and the dashboard.
    refused = client.get("/reorder-suggestions", headers=manager)
    assert refused.status_code == 409
    assert refused.json()["detail"] == f"no forecasts yet: {views.REFRESH_HINT}"
    trained = client.post("/train-sales-model", json={}, headers=manager)
    assert trained.status_code == 409 and "no sales history" in trained.json()["detail"]


def test_training_says_when_it_finished_in_one_process(
    api_: Api, roles: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_spec_products(api_.db, api_.clock)
    today = api_.clock.now.date()
    inventory.record_history(
        api_.db,
        [
            inventory.HistoryLine(today - timedelta(days=day), "101", 1, Decimal("50000"))
            for day in range(1, 71)
        ],
    )
    monkeypatch.setattr(refresh, "run_tasks", one_process_run_tasks)
    trained = api_.client.post("/train-sales-model", json={"days": 7}, headers=roles["manager"])
    assert trained.status_code == 200, trained.text
    assert trained.json()["one_process_reason"] == ONE_PROCESS


def test_training_then_predicting_and_reordering(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    add_spec_products(api_.db, api_.clock)
    today = api_.clock.now.date()
    inventory.record_history(
        api_.db,
        [
            inventory.HistoryLine(today - timedelta(days=day), product_id, 1 + day % 3, price)
            for day in range(1, 71)
            for product_id, price in (("101", Decimal("50000")), ("102", Decimal("500")))
        ],
    )
    client, manager = api_.client, roles["manager"]
    trained = client.post("/train-sales-model", json={"days": 30}, headers=manager)
    assert trained.status_code == 200, trained.text
    assert trained.json()["products"] == 2 and trained.json()["horizon_days"] == 30
    assert trained.json()["one_process_reason"] is None
    # The same use case as the dashboard's refresh: the lead-time alerts are checked too
    # (the Laptop's 7 units last about 3.5 days of a 7-day lead time).
    assert "101" in [alert.product_id for alert in reports.lead_time_alerts(api_.db)]

    shop = client.post("/predict-sales", json={"days": 7}, headers=manager).json()
    assert [row["date"] for row in shop] == [str(today + timedelta(days=i)) for i in range(7)]
    assert all(row["predicted_sales"] >= 0 for row in shop)
    mouse = client.post("/predict-sales", json={"days": 3, "product_id": "102"}, headers=manager)
    assert len(mouse.json()) == 3 and set(mouse.json()[0]) == {
        "date",
        "predicted_sales",
        "predicted_units",
        "predicted_revenue",
    }
    # A product's predicted sales are its units at today's price (the measure of sales).
    assert all(
        row["predicted_sales"] == row["predicted_revenue"]
        and row["predicted_revenue"] == pytest.approx(row["predicted_units"] * 500, abs=0.5)
        for row in mouse.json()
    )
    assert (
        client.post("/predict-sales", json={"days": 3, "product_id": "9"}, headers=manager)
    ).status_code == 404

    forecast = client.get("/products/102/forecast", params={"days": 5}, headers=manager).json()
    assert len(forecast["forecast"]) == 5 and forecast["on_hand"] == 20
    lead, cover = forecast["lead_time_demand"]
    assert (lead["cover"], cover["cover"]) == ("lead", "lead+review")
    assert 0 <= lead["mean"] <= cover["mean"] and lead["q80"] <= lead["q95"] <= lead["q99"]
    assert 0 < forecast["stockout_chance"] <= 0.5
    plan = client.get("/reorder-suggestions", params={"all": True}, headers=manager).json()
    assert sorted(line["product_id"] for line in plan) == ["101", "102"]
    assert all(line["explanation"] for line in plan)
    mouse = next(line for line in plan if line["product_id"] == "102")
    # The same chance of running out as the product's forecast states.
    assert mouse["stockout_chance"] == pytest.approx(forecast["stockout_chance"], abs=1e-4)
    assert mouse["target_fill_rate"] == 0.95 and mouse["season_ends"] is False
    # What was just ordered is counted, and the line says which order covers it.
    laptop = next(line for line in plan if line["product_id"] == "101")
    assert laptop["status"] == "order now" and laptop["suggested_quantity"] > 0
    assert laptop["next_step"] in ("order today", "overdue: order today")
    assert laptop["covered_by"] == []
    purchase_orders.create_purchase_orders(
        api_.db, {"101": laptop["suggested_quantity"]}, clock=api_.clock
    )
    listed = client.get("/reorder-suggestions", headers=manager).json()
    laptop = next(line for line in listed if line["product_id"] == "101")
    assert laptop["status"] == "covered" and laptop["covered_by"] == ["PO-000001"]
    assert laptop["next_step"].startswith("covered by PO-000001, arriving")
    assert laptop["suggested_quantity"] == 0 and isinstance(laptop["order_by_passed"], bool)


def test_visualize_sales_saves_the_chart_or_returns_it(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    add_spec_products(api_.db, api_.clock)
    client, manager = api_.client, roles["manager"]
    nothing = client.get("/visualize-sales", headers=manager)
    assert nothing.status_code == 409 and "no sales" in nothing.json()["detail"]
    inventory.purchase(api_.db, "102", 2, clock=api_.clock)
    saved = client.get("/visualize-sales", headers=manager)
    assert saved.status_code == 200
    body = saved.json()
    assert body["message"] == "Sales trend visualization generated and saved as sales_trend.png"
    # Every recorded day by default; the file's name only, never a path on the server.
    assert (body["from"], body["to"]) == ("2026-03-02", "2026-03-02")
    assert body["path"] == "sales_trend.png"
    assert (api_.chart_dir / "sales_trend.png").read_bytes().startswith(b"\x89PNG")
    png = client.get("/visualize-sales", params={"format": "png", "period": "day"}, headers=manager)
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    bad = client.get("/visualize-sales", params={"format": "gif"}, headers=manager)
    assert bad.status_code == 422


def test_no_traceback_ever_reaches_a_client(db: Database, clock: FixedClock) -> None:
    app = api.create_app(db, secret_key=SECRET, clock=clock)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; it was logged"}
    assert "secret internals" not in response.text and "Traceback" not in response.text


# --- The signing secret ---------------------------------------------------------------------


def test_the_secret_is_made_once_beside_the_database_and_kept_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    first = accounts.load_secret_key(url, environ={})
    path = tmp_path / "shop.db.secret"
    assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
    assert len(first) >= 32 and accounts.load_secret_key(url, environ={}) == first
    from_env = accounts.load_secret_key(url, environ={"STOCKCORE_SECRET_KEY": "k" * 40})
    assert from_env == "k" * 40
    with pytest.raises(accounts.StockcoreError, match="too short"):
        accounts.load_secret_key(url, environ={"STOCKCORE_SECRET_KEY": "short"})
    elsewhere = tmp_path / "keys" / "api.secret"
    other = accounts.load_secret_key(url, environ={"STOCKCORE_SECRET_KEY_FILE": str(elsewhere)})
    assert other != first and elsewhere.read_text().strip() == other
    postgres = accounts.secret_key_path("postgresql+psycopg://u@h/db", environ={})
    assert postgres.name == "stockcore.secret"


def test_two_first_registrations_at_once_make_exactly_one_owner(db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def sign_up(name: str) -> accounts.User:
        return accounts.register(db, name, f"{name}@example.com", PASSWORD)

    def attempt(name: str) -> str:
        try:
            return sign_up(name).role.value
        except accounts.SignUpClosed:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(attempt, ["ann", "bob", "cat", "dan"]))
    assert sorted(made) == ["owner", "refused", "refused", "refused"]


def test_one_shop_total_added_to_real_history_does_not_fail_training(
    api_: Api, roles: dict[str, dict[str, str]]
) -> None:
    """Once, one POST /add-sales-data on a shop with real history made statsforecast raise
    (NotImplementedError: tiny datasets) and /train-sales-model answer 500. A series that
    breaks a model now only loses that model; the answer lists what fell back and why."""
    from stockcore import imports

    path = Path(__file__).parent / "data" / "online_retail_ten_products_daily.csv"
    imports.import_sales(api_.db, path.read_bytes(), path.name)
    client, manager = api_.client, roles["manager"]
    added = client.post(
        "/add-sales-data", json={"date": "2025-02-20", "sales": 200}, headers=manager
    )
    assert added.status_code == 201, added.text
    trained = client.post("/train-sales-model", json={"days": 28}, headers=manager)
    assert trained.status_code == 200, trained.text
    body = trained.json()
    assert body["products"] == 10 and not body["without_forecast"]
    assert isinstance(body["fallbacks"], list)
    assert all(
        set(item) == {"product_id", "reason"} and item["reason"] for item in body["fallbacks"]
    )
    predicted = client.post("/predict-sales", json={"days": 7}, headers=manager)
    assert predicted.status_code == 200 and len(predicted.json()) == 7
