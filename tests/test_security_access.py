"""Who may get in, probed as an attacker and as a storefront would, on SQLite and PostgreSQL:
sign-up closed once the shop has an owner (invitations, open sign-up), API keys limited to
their scopes, and idempotent purchases and sales records (a retried webhook changes
nothing, concurrent retries sell once). Through the API, the CLI and the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from stockcore import accounts, inventory
from stockcore.domain import Product
from stockcore.interfaces import api
from stockcore.inventory import idempotency
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    ApiKeyRow,
    IdempotencyKeyRow,
    ImportBatchRow,
    InvitationRow,
    SaleLineRow,
    StockMovementRow,
)
from tests.support import (  # noqa: F401 (autouse)
    SECRET,
    FixedClock,
    account_for,
    quick_hashes,
    run,
    snapshot,
    start,
)

PASSWORD = "correct horse battery"


@dataclass
class Shop:
    client: TestClient
    db: Database
    clock: FixedClock
    owner: dict[str, str]  # the owner's headers

    def sign_up(self, name: str, **extra: object) -> Any:
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        return self.client.post("/register", json={**body, **extra})

    def sign_in(self, name: str) -> dict[str, str]:
        response = self.client.post("/login", json={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def invite(self, role: str, days: int = 7) -> dict[str, Any]:
        response = self.client.post(
            "/invitations", json={"role": role, "days": days}, headers=self.owner
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def api_key(self, *scopes: str, name: str = "storefront") -> dict[str, Any]:
        response = self.client.post(
            "/api-keys", json={"name": name, "scopes": list(scopes)}, headers=self.owner
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def count(self, model: type) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def shop(db: Database, clock: FixedClock) -> Iterator[Shop]:
    now = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = api.create_app(
        db, secret_key=SECRET, clock=clock, now=now, throttle=accounts.LoginThrottle(clock=now)
    )
    with TestClient(app) as client:
        first = client.post(
            "/register",
            json={"username": "olivia", "email": "olivia@example.com", "password": PASSWORD},
        )
        assert first.status_code == 201 and first.json()["role"] == "owner"
        made = Shop(client, db, clock, {})
        made.owner = made.sign_in("olivia")
        inventory.add_product(
            db,
            Product.create("101", "Laptop", unit_price="500", quantity=7, restock_threshold=2),
            clock=clock,
        )
        yield made


# --- Sign-up closed once the shop has an owner ------------------------------------------------


def test_a_stranger_cannot_register_once_the_shop_has_an_owner(shop: Shop) -> None:
    before = snapshot(shop.db)
    refused = shop.sign_up("mallory")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("sign-up is closed")
    assert "invitation" in refused.json()["detail"]
    # Nor does a taken name give anything away while sign-up is closed.
    assert shop.sign_up("olivia").status_code == 403
    assert [u.username for u in accounts.list_users(shop.db)] == ["olivia"]
    assert snapshot(shop.db) == before


def test_a_closed_sign_up_is_refused_before_any_password_is_hashed(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    monkeypatch.setattr(accounts.users, "hash_password", lambda p: hashed.append(p) or "x")
    assert shop.sign_up("mallory").status_code == 403
    assert shop.sign_up("mallory", invitation="inv_guess").status_code == 403
    assert hashed == []


def test_an_invitation_opens_one_account_with_its_role(shop: Shop) -> None:
    issued = shop.invite("manager")
    code = issued["code"]
    assert issued["role"] == "manager" and issued["status"] == "open"
    assert issued["signup_query"] == f"?invite={code}" and code.startswith(issued["prefix"])
    with shop.db.read() as session:
        stored = session.scalars(select(InvitationRow)).one()
    assert code not in (stored.code_hash, stored.prefix) and len(stored.code_hash) == 64

    made = shop.sign_up("mark", invitation=code)
    assert made.status_code == 201 and made.json()["role"] == "manager"
    again = shop.sign_up("mallory", invitation=code)
    assert again.status_code == 403 and "already used" in again.json()["detail"]
    listed = shop.client.get("/invitations", headers=shop.owner).json()
    assert [(i["status"], i["used_by"]) for i in listed] == [("used", "mark")]
    assert "code" not in listed[0]
    assert shop.sign_in("mark")


def test_an_expired_a_revoked_and_an_unknown_invitation_are_refused(shop: Shop) -> None:
    expiring = shop.invite("staff", days=1)["code"]
    revoked = shop.invite("staff")
    assert (
        shop.client.delete(f"/invitations/{revoked['id']}", headers=shop.owner).json()["status"]
        == "revoked"
    )
    shop.clock.advance(days=1)
    for code, reason in (
        (expiring, "has expired"),
        (revoked["code"], "was revoked"),
        ("inv_not-a-real-code", "not valid"),
        ("x" * 5000, "not valid"),
    ):
        response = shop.sign_up("mallory", invitation=code)
        assert response.status_code in (403, 422), response.text
        if response.status_code == 403:
            assert reason in response.json()["detail"]
    assert [u.username for u in accounts.list_users(shop.db)] == ["olivia"]
    unknown = shop.client.delete("/invitations/999", headers=shop.owner)
    assert unknown.status_code == 404


def test_a_used_invitation_cannot_be_revoked(shop: Shop) -> None:
    issued = shop.invite("staff")
    assert shop.sign_up("sam", invitation=issued["code"]).status_code == 201
    refused = shop.client.delete(f"/invitations/{issued['id']}", headers=shop.owner)
    assert refused.status_code == 422 and "already used" in str(refused.json())


def test_two_sign_ups_with_one_invitation_at_once_make_one_account(shop: Shop) -> None:
    code = shop.invite("staff")["code"]

    def attempt(name: str) -> str:
        try:
            return accounts.register(
                shop.db, name, f"{name}@example.com", PASSWORD, invitation=code, clock=shop.clock
            ).username
        except accounts.InvalidInvitation:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(attempt, ["ann", "bob", "cat", "dan"]))
    assert sorted(outcomes).count("refused") == 3
    assert len(accounts.list_users(shop.db)) == 2


def test_open_sign_up_gives_staff_and_only_the_owner_may_switch_it(shop: Shop) -> None:
    assert shop.client.get("/signup", headers=shop.owner).json() == {"open": False}
    staff = shop.sign_up("sam")
    assert staff.status_code == 403
    assert shop.client.put("/signup", json={"open": True}, headers=shop.owner).json() == {
        "open": True
    }
    made = shop.sign_up("sam")
    assert made.status_code == 201 and made.json()["role"] == "staff"
    sam = shop.sign_in("sam")
    for method, path, body in (
        ("put", "/signup", {"open": False}),
        ("post", "/invitations", {"role": "owner"}),
        ("get", "/invitations", None),
        ("post", "/api-keys", {"name": "mine", "scopes": ["read"]}),
        ("get", "/api-keys", None),
    ):
        response = shop.client.request(method, path, json=body, headers=sam)
        assert response.status_code == 403, (path, response.text)
    assert accounts.signup_is_open(shop.db)
    # An invitation still gives its role while sign-up is open.
    code = shop.invite("manager")["code"]
    assert shop.sign_up("mark", invitation=code).json()["role"] == "manager"
    assert shop.client.put("/signup", json={"open": False}, headers=shop.owner).is_success
    assert shop.sign_up("eve").status_code == 403


def test_the_first_owner_of_a_new_shop_needs_no_invitation(db: Database) -> None:
    made = accounts.register(db, "olivia", "olivia@example.com", PASSWORD, invitation="junk")
    assert made.role is accounts.Role.OWNER
    with pytest.raises(accounts.SignUpClosed):
        accounts.register(db, "sam", "sam@example.com", PASSWORD)


# --- API keys ---------------------------------------------------------------------------------


def test_an_api_key_may_do_only_what_its_scopes_allow(shop: Shop) -> None:
    issued = shop.api_key("purchases:write")
    key = issued["key"]
    assert key.startswith("sck_") and key.startswith(issued["prefix"])
    with shop.db.read() as session:
        stored = session.scalars(select(ApiKeyRow)).one()
    assert key not in (stored.key_hash, stored.prefix) and stored.last_used_at is None
    order = {"product_id": "101", "quantity": 1}
    by_bearer = shop.client.post(
        "/purchases", json=order, headers={"Authorization": f"Bearer {key}"}
    )
    by_header = shop.client.post("/purchases", json=order, headers={"X-API-Key": key})
    assert by_bearer.status_code == by_header.status_code == 201
    assert by_header.json()["quantity_left"] == 5
    for method, path, body in (
        ("get", "/products", None),
        ("post", "/add-sales-data", {"date": "2026-03-01", "sales": 10}),
        ("post", "/products", {"product_id": "X", "name": "X", "unit_price": "1"}),
        ("get", "/users", None),
        ("post", "/invitations", {"role": "owner"}),
        ("post", "/api-keys", {"name": "more", "scopes": ["read"]}),
        ("put", "/signup", {"open": True}),
        ("get", "/me", None),
    ):
        response = shop.client.request(method, path, json=body, headers={"X-API-Key": key})
        assert response.status_code == 403, (path, response.text)
    listed = shop.client.get("/api-keys", headers=shop.owner).json()
    assert listed[0]["last_used_at"] is not None and "key" not in listed[0]
    assert not accounts.signup_is_open(shop.db)


def test_a_read_key_reads_and_a_sales_key_records_sales(shop: Shop) -> None:
    reader = {"X-API-Key": shop.api_key("read")["key"]}
    assert shop.client.get("/products", headers=reader).json()[0]["product_id"] == "101"
    assert shop.client.get("/get-sales-data", headers=reader).status_code == 200
    assert shop.client.post("/purchases", json={"product_id": "101", "quantity": 1},
                            headers=reader).status_code == 403  # fmt: skip
    recorder = {"Authorization": f"Bearer {shop.api_key('sales:write')['key']}"}
    added = shop.client.post(
        "/add-sales-data",
        json={"date": "2026-03-01", "sales": 100, "product_id": "101", "quantity": 2},
        headers=recorder,
    )
    assert added.status_code == 201, added.text


def test_a_revoked_or_unknown_key_answers_401(shop: Shop) -> None:
    issued = shop.api_key("read")
    headers = {"X-API-Key": issued["key"]}
    assert shop.client.get("/products", headers=headers).status_code == 200
    revoked = shop.client.delete(f"/api-keys/{issued['id']}", headers=shop.owner)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    for attempt in (
        headers,
        {"Authorization": f"Bearer {issued['key']}"},
        {"X-API-Key": "sck_" + "A" * 43},
        {"X-API-Key": issued["key"][:-1]},
        {"X-API-Key": "x" * 10_000},
    ):
        response = shop.client.get("/products", headers=attempt)
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"] == "Bearer"
    refused = shop.client.get("/products", headers=headers)
    assert "revoked" in refused.json()["detail"]
    assert shop.client.delete("/api-keys/999", headers=shop.owner).status_code == 404


def test_a_key_with_a_bad_scope_or_no_name_is_refused(shop: Shop) -> None:
    for body in (
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": "", "scopes": ["read"]},
        {"scopes": ["read"]},
    ):
        response = shop.client.post("/api-keys", json=body, headers=shop.owner)
        assert response.status_code == 422, response.text
    assert shop.count(ApiKeyRow) == 0
    with pytest.raises(accounts.StockcoreError, match="not a scope"):
        accounts.create_api_key(shop.db, None, "x", "read,admin")


# --- Idempotency ------------------------------------------------------------------------------


def test_a_retried_purchase_with_an_idempotency_key_sells_once(shop: Shop) -> None:
    headers = {**shop.owner, "Idempotency-Key": "order-1001"}
    order = {"product_id": "101", "quantity": 2}
    first = shop.client.post("/purchases", json=order, headers=headers)
    shop.clock.advance(minutes=5)
    second = shop.client.post("/purchases", json=order, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.json()["quantity_left"] == 5
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert shop.count(SaleLineRow) == 1 and shop.count(StockMovementRow) == 2  # add + sale


def test_an_order_id_makes_a_purchase_idempotent_too(shop: Shop) -> None:
    order = {"product_id": "101", "quantity": 1, "order_id": 5001}
    answers = [shop.client.post("/purchases", json=order, headers=shop.owner) for _ in range(3)]
    assert {a.status_code for a in answers} == {201}
    assert answers[0].json() == answers[2].json()
    assert shop.count(SaleLineRow) == 1
    both = shop.client.post(
        "/purchases", json=order, headers={**shop.owner, "Idempotency-Key": "5001"}
    )
    assert both.status_code == 201 and both.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_request_is_refused_and_changes_nothing(shop: Shop) -> None:
    headers = {**shop.owner, "Idempotency-Key": "order-1"}
    assert shop.client.post(
        "/purchases", json={"product_id": "101", "quantity": 1}, headers=headers
    ).is_success
    before = snapshot(shop.db)
    other = shop.client.post("/purchases", json={"product_id": "101", "quantity": 3},
                             headers=headers)  # fmt: skip
    assert other.status_code == 409
    assert "already used for a different purchases request" in other.json()["detail"]
    mismatch = shop.client.post(
        "/purchases",
        json={"product_id": "101", "quantity": 1, "order_id": "other"},
        headers=headers,
    )
    assert mismatch.status_code == 422 and "order_id" in str(mismatch.json())
    for bad in ("", " ", "a\x01b", "k" * 201):
        response = shop.client.post(
            "/purchases",
            json={"product_id": "101", "quantity": 1, "order_id": bad},
            headers=shop.owner,
        )
        assert response.status_code == 422, (bad, response.text)
    assert snapshot(shop.db) == before


def test_a_refused_purchase_stores_no_key_and_its_retry_is_tried_afresh(shop: Shop) -> None:
    headers = {**shop.owner, "Idempotency-Key": "big-order"}
    order = {"product_id": "101", "quantity": 9}
    refused = shop.client.post("/purchases", json=order, headers=headers)
    assert refused.status_code == 409 and "not enough stock" in refused.json()["detail"]
    assert shop.count(IdempotencyKeyRow) == 0
    inventory.receive_stock(shop.db, "101", 5, clock=shop.clock)
    assert shop.client.post("/purchases", json=order, headers=headers).status_code == 201


def test_a_retried_sales_record_is_recorded_once(shop: Shop) -> None:
    line = {"date": "2026-03-01", "sales": 100, "product_id": "101", "quantity": 2}
    headers = {**shop.owner, "Idempotency-Key": "sale-7"}
    first = shop.client.post("/add-sales-data", json=line, headers=headers)
    second = shop.client.post("/add-sales-data", json=line, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert shop.count(SaleLineRow) == 1
    total = {"date": "2026-02-28", "sales": 1234.5, "order_id": "day-2026-02-28"}
    answers = [shop.client.post("/add-sales-data", json=total, headers=shop.owner)
               for _ in range(2)]  # fmt: skip
    assert [a.status_code for a in answers] == [201, 201], answers[1].text
    assert answers[0].json() == answers[1].json()
    assert shop.count(ImportBatchRow) == 1
    without_key = shop.client.post(
        "/add-sales-data", json={"date": "2026-02-28", "sales": 1234.5}, headers=shop.owner
    )
    assert without_key.status_code == 409  # a second total for the day is still refused


def test_concurrent_retries_of_one_key_sell_once(shop: Shop) -> None:
    """Eight deliveries of one webhook at once: one sale; every one gets its answer."""

    def deliver(_: int) -> idempotency.Answer:
        def sell() -> idempotency.Answer:
            result = inventory.purchase(shop.db, "101", 1, clock=shop.clock)
            return idempotency.Answer(201, {"quantity_left": result.product.quantity})

        return idempotency.once(
            shop.db, idempotency.PURCHASES, "race", {"product_id": "101"}, sell, clock=shop.clock
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(deliver, range(8)))
    assert {(a.status, a.body["quantity_left"]) for a in answers} == {(201, 6)}
    assert sum(not a.replayed for a in answers) == 1
    assert shop.count(SaleLineRow) == 1 and shop.count(IdempotencyKeyRow) == 1
    assert inventory.get_settings(shop.db)  # the database is still usable


def test_a_crash_after_the_sale_keeps_neither_the_sale_nor_the_key(shop: Shop) -> None:
    before = snapshot(shop.db)

    def sell_then_crash() -> idempotency.Answer:
        inventory.purchase(shop.db, "101", 1, clock=shop.clock)
        raise RuntimeError("the process died before answering")

    with pytest.raises(RuntimeError):
        idempotency.once(shop.db, idempotency.PURCHASES, "k", {}, sell_then_crash)
    assert snapshot(shop.db) == before and shop.count(IdempotencyKeyRow) == 0


# --- The command line -------------------------------------------------------------------------


def test_the_cli_invites_opens_sign_up_and_makes_api_keys(db_url: str) -> None:
    code, out, _ = run("--db", db_url, "users", "--invite", "manager", "--days", "3")
    assert code == 0 and "for a manager account" in out
    invitation = next(line.split(": ")[1] for line in out.splitlines() if "shown once" in line)
    assert f"?invite={invitation}" in out
    db = Database.connect(db_url)
    try:
        accounts.register(db, "olivia", "olivia@example.com", PASSWORD)
        made = accounts.register(db, "mark", "mark@example.com", PASSWORD, invitation=invitation)
        assert made.role is accounts.Role.MANAGER
        code, out, _ = run("--db", db_url, "users", "--invitations")
        assert code == 0 and "used" in out and "mark" in out and invitation not in out
        code, _, err = run("--db", db_url, "users", "--revoke-invitation", "1")
        assert code == 1 and "already used" in err

        code, out, _ = run("--db", db_url, "users", "--open-signup", "on")
        assert code == 0 and accounts.signup_is_open(db)
        assert run("--db", db_url, "users", "--open-signup", "off")[0] == 0
        assert not accounts.signup_is_open(db)

        code, out, _ = run(
            "--db", db_url, "users", "--api-key", "shop", "--scopes", "read,purchases:write"
        )
        assert code == 0 and "read purchases:write" in out
        key = next(line.split(": ")[1] for line in out.splitlines() if "shown once" in line)
        assert accounts.use_api_key(db, key, accounts.Permission.PURCHASE).name == "shop"
        code, out, _ = run("--db", db_url, "users", "--api-keys")
        assert code == 0 and "active" in out and key not in out
        assert run("--db", db_url, "users", "--revoke-api-key", "1")[0] == 0
        with pytest.raises(accounts.InvalidApiKey, match="revoked"):
            accounts.use_api_key(db, key, accounts.Permission.PURCHASE)
        code, _, err = run("--db", db_url, "users", "--api-key", "x", "--scopes", "admin")
        assert code == 1 and "not a scope" in err
        code, _, err = run("--db", db_url, "users", "--invite", "boss")
        assert code == 1 and "not a role" in err
    finally:
        db.dispose()


# --- The dashboard ----------------------------------------------------------------------------


def test_the_owner_invites_on_the_users_page_and_the_code_is_shown_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    app = start(url, monkeypatch, demo=False)
    app.switch_page("pages/users.py").run()
    app.selectbox(key="invite_role").set_value("manager")
    app.button(key="FormSubmitter:invite_form-Create an invitation").click().run()
    assert not app.exception
    shown = [block.value for block in app.code]
    code = next(value for value in shown if value.startswith("inv_"))
    assert any(value.endswith(f"?invite={code}") for value in shown)
    db = Database.connect(url)
    [listed] = accounts.list_invitations(db, None)
    assert listed.role is accounts.Role.MANAGER and code.startswith(listed.prefix)
    app.run()  # the next run no longer shows it
    assert not [block for block in app.code if block.value.startswith("inv_")]

    app.multiselect(key="api_key_scopes").set_value(["read", "purchases:write"])
    app.text_input(key="api_key_name").input("storefront")
    app.button(key="FormSubmitter:api_key_form-Create an API key").click().run()
    key = next(block.value for block in app.code if block.value.startswith("sck_"))
    assert accounts.use_api_key(db, key, accounts.Permission.PURCHASE).name == "storefront"
    app.button(key="FormSubmitter:revoke_api_key_form-Revoke API key").click().run()
    with pytest.raises(accounts.InvalidApiKey):
        accounts.use_api_key(db, key, accounts.Permission.PURCHASE)
    app.button(key="FormSubmitter:revoke_invitation_form-Revoke invitation").click().run()
    assert accounts.list_invitations(db, None)[0].status is accounts.InvitationStatus.REVOKED


def test_the_sign_in_screen_takes_an_invitation_from_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    account_for(url, "owner")
    db = Database.connect(url)
    code = accounts.create_invitation(db, None, "manager").code
    monkeypatch.setenv("STOCKCORE_DATABASE_URL", url)
    monkeypatch.setenv("STOCKCORE_DEMO", "0")
    from streamlit.testing.v1 import AppTest

    from tests.support import APP

    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params[accounts.SIGNUP_QUERY] = code
    app.run()
    assert app.text_input(key="register_invitation").value == code
    for key, value in {
        "register_username": "mark",
        "register_email": "mark@example.com",
        "register_password": PASSWORD,
        "register_repeat": PASSWORD,
    }.items():
        app.text_input(key=key).input(value)
    app.button(key="FormSubmitter:register_form-Create the account").click().run()
    assert not app.exception and not app.error
    roles = {u.username: u.role.value for u in accounts.list_users(db)}
    assert roles == {"test-owner": "owner", "mark": "manager"}


def test_the_owner_opens_sign_up_in_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    app = start(url, monkeypatch, demo=False)
    app.switch_page("pages/settings.py").run()
    assert app.toggle(key="signup_open").value is False
    app.toggle(key="signup_open").set_value(True)
    app.button(key="FormSubmitter:signup_form-Save sign-up").click().run()
    assert not app.exception
    assert accounts.signup_is_open(Database.connect(url))
