"""Probes an attacker (or a careless script) would send, on SQLite and PostgreSQL.

* Text hygiene: NUL and other control characters in every text field are a 422 naming the
  field (never a 500), in the API, the CLI, the dashboard and CSV imports; the connection
  keeps working afterwards.
* The login throttle lives in the database: shared by two apps (processes) on one shop;
  an attacker's failures from one address do not lock the owner out from another; a
  client cannot pick its address with X-Forwarded-For unless it comes through a
  configured trusted proxy (also under the real uvicorn server).
* Integrity conflicts are 409 (parallel add-sales-data for one day), a body over the
  limit is 413, numeric dates are refused, and ids with "/" are refused at creation.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from stockcore import accounts, imports, inventory
from stockcore.domain import InvalidValue, Product, parse_product_id, parse_text
from stockcore.domain.values import PRODUCT_ID_PATTERN
from stockcore.interfaces import api
from stockcore.interfaces.api import guards
from stockcore.interfaces.cli import main
from stockcore.inventory import reports
from stockcore.persistence.db import Database, bulk_insert
from stockcore.persistence.models import LoginFailureRow, ServedCustomerRow, ShopDailySalesRow
from tests.support import (  # noqa: F401 (autouse)
    SECRET,
    FixedClock,
    open_page,
    quick_hashes,
    start,
)
from tests.test_api_server import free_port

PASSWORD = "correct horse battery"
REPO = Path(__file__).resolve().parent.parent
ATTACKER = "203.0.113.9"
OWNER_HOME = "198.51.100.7"
PROXY = "10.0.0.2"


@dataclass
class Shop:
    db: Database
    now: FixedClock  # real UTC time, for tokens and the throttle
    clock: FixedClock  # the shop's local time

    def app(self, **options: Any) -> Any:
        return api.create_app(
            self.db,
            secret_key=SECRET,
            clock=self.clock,
            now=self.now,
            throttle=accounts.LoginThrottle(clock=self.now),
            **options,
        )

    def client(self, address: str = "127.0.0.1", **options: Any) -> TestClient:
        return TestClient(self.app(**options), client=(address, 50000))


@pytest.fixture
def shop(db: Database, clock: FixedClock) -> Shop:
    accounts.register(db, "olivia", "olivia@example.com", PASSWORD)
    inventory.add_product(db, Product.create("101", "Laptop", unit_price="500", quantity=50))
    return Shop(db, FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)), clock)


@pytest.fixture
def client(shop: Shop) -> Iterator[TestClient]:
    with shop.client() as made:
        yield made


def owner_headers(client: TestClient) -> dict[str, str]:
    response = client.post("/login", json={"username": "olivia", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def login(client: TestClient, password: str, **headers: str) -> httpx.Response:
    return client.post("/login", json={"username": "olivia", "password": password}, headers=headers)


# --- Text hygiene in the API --------------------------------------------------------------------

REGISTER = {"username": "sam", "email": "sam@example.com", "password": "sam's password"}
NEW_PRODUCT = {"product_id": "202", "name": "Mug", "category": "Kitchen", "supplier": "Pots"}

# (method, path, a good body, the text field to spoil, whether the owner's token is sent)
TEXT_FIELDS = [
    ("POST", "/login", {"username": "olivia", "password": PASSWORD}, "username", False),
    ("POST", "/login", {"username": "olivia", "password": PASSWORD}, "password", False),
    *(("POST", "/register", REGISTER, field, False) for field in REGISTER),
    *(
        ("POST", "/products", {**NEW_PRODUCT, "unit_price": 2}, field, True)
        for field in NEW_PRODUCT
    ),
    *(
        ("PATCH", "/products/101", {"name": "Laptop", "category": "IT", "supplier": "X"}, f, True)
        for f in ("name", "category", "supplier")
    ),
    *(
        ("POST", "/purchases", {"product_id": "101", "quantity": 1, "customer_id": "c1"}, f, True)
        for f in ("product_id", "customer_id")
    ),
    (
        "POST",
        "/add-sales-data",
        {"date": "2024-01-05", "sales": 20, "product_id": "101", "quantity": 2},
        "product_id",
        True,
    ),
]


@pytest.mark.parametrize("bad", ["\x00", "\n", "\x1b[31m", "\ud800"])
@pytest.mark.parametrize(("method", "path", "body", "field", "signed_in"), TEXT_FIELDS)
def test_a_control_character_in_any_text_field_is_a_422_naming_it_and_changes_nothing(
    shop: Shop,
    client: TestClient,
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    signed_in: bool,
    bad: str,
) -> None:
    headers = owner_headers(client) if signed_in else {}
    before = reports.inventory(shop.db), accounts.list_users(shop.db)
    spoilt = {**body, field: f"ab{bad}cd"}
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate) as JSON allows.
    response = client.request(
        method,
        path,
        content=json.dumps(spoilt),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"][0]["loc"]
    assert (reports.inventory(shop.db), accounts.list_users(shop.db)) == before
    assert client.get("/health").json() == {"status": "ok"}  # the next request works


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/products/10%001", ["path"]),
        ("/products?search=a%00b", ["query", "search"]),
        ("/products?category=%1b", ["query", "category"]),
        ("/get-sales-data?product_id=1%0001", ["query", "product_id"]),
    ],
)
def test_a_control_character_in_the_path_or_query_is_a_422_naming_it(
    client: TestClient, url: str, where: list[str]
) -> None:
    response = client.get(url, headers=owner_headers(client))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == where
    assert client.get("/products/101", headers=owner_headers(client)).status_code == 200


def test_the_domain_rule_refuses_control_characters_and_keeps_ordinary_text() -> None:
    assert parse_text("  Enamel  mug, 12 cl ", "name") == "Enamel mug, 12 cl"
    assert parse_text("Crème brûlée ☕", "name") == "Crème brûlée ☕"
    for bad in ("a\x00b", "a\tb", "line\nbreak", "\x1b[2J", "a\x9bb"):
        with pytest.raises(InvalidValue) as refused:
            parse_text(bad, "name")
        assert refused.value.field == "name" and "control character" in refused.value.reason
    with pytest.raises(accounts.InvalidPassword, match="control characters"):
        accounts.parse_password("long enough\x00")
    with pytest.raises(InvalidValue, match="email"):
        accounts.parse_email("o\x00@example.com")


def test_a_nul_on_the_use_cases_never_reaches_the_database(shop: Shop) -> None:
    with pytest.raises(InvalidValue) as refused:
        accounts.authenticate(shop.db, "oli\x00via", PASSWORD)
    assert refused.value.field == "username"
    with pytest.raises(accounts.InvalidPassword):
        accounts.authenticate(shop.db, "olivia", "pass\x00word")
    with pytest.raises(InvalidValue, match="search"):
        reports.inventory(shop.db, search="\x00")
    assert reports.get_product(shop.db, "10\x001") is None
    with pytest.raises(InvalidValue, match="reason"):
        inventory.adjust_stock(shop.db, "101", change=-1, reason="broken\x00")
    assert reports.get_product(shop.db, "101").quantity == 50  # type: ignore[union-attr]


def test_a_nul_over_a_real_keep_alive_connection_leaves_it_working(
    db_url: str, tmp_path: Path
) -> None:
    with _server(db_url, tmp_path) as base, httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(5):
            refused = client.post("/login", json={"username": "a\x00b", "password": "x" * 9})
            assert refused.status_code == 422
            assert refused.json()["detail"][0]["loc"] == ["body", "username"]
            assert client.get("/health").json() == {"status": "ok"}


# --- Text hygiene in the CLI, the dashboard and CSV imports -------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["202", "Mug\x1b[31m"], "name"),
        (["202", "Mug", "--supplier", "Pots\x00"], "supplier"),
        (["20\x002", "Mug"], "product id"),
        (["AB/12", "Mug"], "product id"),
    ],
)
def test_the_cli_refuses_control_characters_and_slashes_naming_the_field(
    shop: Shop, db_url: str, argv: list[str], field: str
) -> None:
    code, _, err = run(
        "--db", db_url, "add-product", *argv, "--category", "Kitchen", "--price", "2",
        "--quantity", "1", "--threshold", "0",
    )  # fmt: skip
    assert code == 1 and err.startswith(f"error: {field} ")
    assert [p.product_id for p in reports.inventory(shop.db)] == ["101"]


@pytest.mark.parametrize(
    ("product_id", "name", "field", "reason"),
    [
        ("NEW-1", "Enamel\x00Mug", "name", "control character"),
        ("AB/12", "Mug", "product id", "no /"),
    ],
)
def test_the_dashboard_refuses_a_control_character_or_a_slash_in_a_new_product(
    demo_url: str,
    monkeypatch: pytest.MonkeyPatch,
    product_id: str,
    name: str,
    field: str,
    reason: str,
) -> None:
    app = start(demo_url, monkeypatch)
    open_page(app, "pages/inventory.py")
    app.text_input(key="new_product_id").input(product_id)
    app.text_input(key="new_product_name").input(name)
    app.button(key="FormSubmitter:add_product_form-Add product").click().run()
    assert not app.exception
    shown = app.error[0].value.lower()  # the dashboard writes the refusal as a sentence
    assert field in shown and reason in shown
    assert reports.get_product(Database.connect(demo_url), product_id) is None


def test_a_products_csv_with_a_control_character_or_a_slash_names_line_column_and_value(
    shop: Shop,
) -> None:
    data = (
        b"product_id,name,unit_price,supplier\n"
        b"301,Good pen,1.00,Pens Ltd\n"
        b"302,Bad\x07pen,1.00,Pens Ltd\n"
        b"303,Pen,1.00,Pens\x1bLtd\n"
        b"AB/12,Pen,1.00,Pens Ltd\n"
    )
    with pytest.raises(imports.FileRefused) as refused:
        imports.import_products(shop.db, data, "products.csv")
    found = {(p.line, p.column) for p in refused.value.problems}
    assert found == {(3, "name"), (4, "supplier"), (5, "product_id")}
    shown = [str(p) for p in refused.value.problems]
    assert "value 'Bad\\x07pen'" in shown[0] and "control character" in shown[0]
    assert "no /" in shown[2]
    with pytest.raises(imports.FileRefused) as binary:
        imports.import_products(shop.db, data.replace(b"\x07", b"\x00"), "products.csv")
    assert str(binary.value.problems[0]) == "line 3: holds a NUL byte, which no text holds"
    assert [p.product_id for p in reports.inventory(shop.db)] == ["101"]


def test_a_sales_csv_with_a_control_character_in_a_name_or_a_slash_in_an_id_is_refused(
    shop: Shop,
) -> None:
    data = (
        b"date,product_id,description,quantity,unit_price\n"
        b"2024-01-05,101,Laptop,1,500\n"
        b"2024-01-05,401,New\x07thing,1,5\n"
        b"2024-01-05,AB/12,Other,1,5\n"
    )
    preview = imports.preview_sales_import(shop.db, data, "sales.csv")
    found = {(p.line, p.column) for p in preview.problems}
    assert found == {(3, "description"), (4, "product_id")}
    assert "401" not in preview.new_products and "AB/12" not in preview.new_products


# --- Ids with "/" -------------------------------------------------------------------------------


def test_an_id_with_a_slash_is_refused_at_creation_and_the_demo_has_none(
    client: TestClient, demo_url: str
) -> None:
    with pytest.raises(InvalidValue, match="no /"):
        parse_product_id("AB/12")
    response = client.post(
        "/products",
        json={"product_id": "AB/12", "name": "Pen", "unit_price": 1},
        headers=owner_headers(client),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["product id"]
    assert "no /" in response.json()["detail"][0]["msg"]
    demo = reports.inventory(Database.connect(demo_url))
    assert demo and all(PRODUCT_ID_PATTERN.fullmatch(p.product_id) for p in demo)


# --- Dates, sizes and conflicts -----------------------------------------------------------------


@pytest.mark.parametrize("day", [86400, 86400.0, "86400", "2024-01-05T00:00:00", "05/01/2024"])
def test_a_date_that_is_not_yyyy_mm_dd_is_refused(client: TestClient, day: object) -> None:
    headers = owner_headers(client)
    response = client.post("/add-sales-data", json={"date": day, "sales": 10}, headers=headers)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][:2] == [
        "body",
        "date",
    ]
    query = client.get("/get-sales-data", params={"from": str(day)}, headers=headers)
    assert query.status_code == 422 and "from" in query.json()["detail"][0]["loc"]
    fine = client.post("/add-sales-data", json={"date": "2024-01-05", "sales": 10}, headers=headers)
    assert fine.status_code == 201


def test_a_body_over_the_limit_is_a_413_before_it_is_parsed(shop: Shop) -> None:
    with shop.client(max_body_bytes=2000) as client:
        headers = owner_headers(client)
        name = "x" * 3000
        big = client.post(
            "/products", json={"product_id": "9", "name": name, "unit_price": 1}, headers=headers
        )
        assert big.status_code == 413 and "2,000 bytes" in big.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"product_id": "9", "unit_price": 1, "name": "'
            for _ in range(10):
                yield b"y" * 300
            yield b'"}'

        streamed = client.post(
            "/products", content=chunks(), headers={**headers, "Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        small = client.post(
            "/products", json={"product_id": "9", "name": "Pen", "unit_price": 1}, headers=headers
        )
        assert small.status_code == 201
    assert reports.get_product(shop.db, "9").name == "Pen"  # type: ignore[union-attr]


def test_the_default_limit_is_one_mebibyte(client: TestClient) -> None:
    assert guards.DEFAULT_MAX_BODY_BYTES == 1024 * 1024
    response = client.post("/login", content=b"{" + b" " * (1024 * 1024) + b"}")
    assert response.status_code == 413


def test_parallel_sales_totals_for_one_day_are_one_201_and_409s(
    shop: Shop, client: TestClient
) -> None:
    headers = owner_headers(client)

    def add(amount: int) -> int:
        body = {"date": "2024-01-05", "sales": 100 + amount}
        return client.post("/add-sales-data", json=body, headers=headers).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = sorted(pool.map(add, range(16)))
    assert statuses == [201] + [409] * 15
    with shop.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ShopDailySalesRow)) == 1


def test_a_duplicate_in_a_bulk_insert_is_an_integrity_error_and_writes_nothing(
    shop: Shop,
) -> None:
    now = datetime(2026, 1, 1)
    # SQLAlchemy's IntegrityError, which the use cases catch.
    with pytest.raises(IntegrityError), shop.db.write() as session:
        bulk_insert(
            session,
            ServedCustomerRow.__table__,
            ["customer_id", "added_at"],
            [("c1", now), ("c1", now)],
        )
    with shop.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ServedCustomerRow)) == 0


# --- The login throttle ---------------------------------------------------------------------------


def test_the_throttle_is_shared_by_two_apps_on_one_database(shop: Shop, db_url: str) -> None:
    other = Shop(Database.connect(db_url), shop.now, shop.clock)  # as another process would
    with shop.client() as first, other.client() as second:
        for client in (first, second, first, second, first):
            assert login(client, "wrong guess").status_code == 401
        for client in (first, second):
            assert login(client, PASSWORD).status_code == 429
    other.db.dispose()


def test_an_attackers_failures_do_not_lock_the_owner_out_from_elsewhere(shop: Shop) -> None:
    with shop.client(ATTACKER) as attacker, shop.client(OWNER_HOME) as owner:
        for _ in range(5):
            assert login(attacker, "wrong guess").status_code == 401
        held = login(attacker, PASSWORD)
        assert held.status_code == 429 and int(held.headers["Retry-After"]) <= 15 * 60
        assert login(owner, PASSWORD).status_code == 200  # again and again
        assert login(owner, PASSWORD).status_code == 200
        assert login(attacker, PASSWORD).status_code == 429  # a success elsewhere frees nobody
        shop.now.advance(minutes=15)
        assert login(attacker, PASSWORD).status_code == 200


def test_parallel_guesses_cannot_slip_past_the_limit(shop: Shop) -> None:
    with shop.client(ATTACKER) as attacker, ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(lambda _: login(attacker, "wrong guess").status_code, range(12)))
    assert statuses == [401] * 5 + [429] * 7


def test_one_address_is_held_after_failures_across_many_accounts(shop: Shop) -> None:
    with shop.client(ATTACKER) as attacker, shop.client(OWNER_HOME) as owner:
        for number in range(accounts.LoginThrottle().per_address):
            body = {"username": f"guess{number}", "password": "wrong guess"}
            assert attacker.post("/login", json=body).status_code == 401
        assert login(attacker, PASSWORD).status_code == 429
        assert login(owner, PASSWORD).status_code == 200


def test_an_account_has_a_ceiling_across_all_addresses(shop: Shop) -> None:
    throttle = accounts.LoginThrottle(per_account=8, clock=shop.now)
    for number in range(8):
        with pytest.raises(accounts.AuthenticationFailed):
            accounts.authenticate(
                shop.db, "olivia", "wrong guess", throttle=throttle, address=f"192.0.2.{number}"
            )
    with pytest.raises(accounts.TooManyAttempts):
        accounts.authenticate(shop.db, "olivia", PASSWORD, throttle=throttle, address=OWNER_HOME)


def test_old_failures_are_pruned(shop: Shop) -> None:
    throttle = accounts.LoginThrottle(clock=shop.now)
    for _ in range(3):
        with pytest.raises(accounts.AuthenticationFailed):
            accounts.authenticate(
                shop.db, "nobody", "wrong guess", throttle=throttle, address=ATTACKER
            )
    shop.now.advance(minutes=16)
    accounts.authenticate(shop.db, "olivia", PASSWORD, throttle=throttle, address=OWNER_HOME)
    with shop.db.read() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailureRow)) == 0


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(shop: Shop) -> None:
    with shop.client(ATTACKER) as direct:
        for number in range(5):
            spoofed = {"X-Forwarded-For": f"192.0.2.{number}"}
            assert login(direct, "wrong guess", **spoofed).status_code == 401
        assert login(direct, PASSWORD, **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429
    with shop.client(PROXY, trusted_proxies=["10.0.0.0/8"]) as proxied:
        attacker = {"X-Forwarded-For": f"{ATTACKER}, {PROXY}"}
        owner = {"X-Forwarded-For": f"{OWNER_HOME}, {PROXY}"}
        shop.now.advance(minutes=15)
        for _ in range(5):
            assert login(proxied, "wrong guess", **attacker).status_code == 401
        assert login(proxied, PASSWORD, **attacker).status_code == 429
        assert login(proxied, PASSWORD, **owner).status_code == 200
        # The client cannot prepend its own choice: the nearest untrusted hop counts.
        assert (
            login(proxied, PASSWORD, **{"X-Forwarded-For": f"1.2.3.4, {ATTACKER}"}).status_code
            == 429
        )


@pytest.mark.parametrize(
    "option", [["--trusted-proxy", "proxy.example.com"], ["--max-body-bytes", "0"]]
)
def test_the_api_command_refuses_a_bad_proxy_or_limit(option: list[str]) -> None:
    code, _, err = run("api", *option)
    assert code == 1 and err.startswith("error: ")


def test_the_client_address_is_the_nearest_hop_not_a_trusted_proxy() -> None:
    trusted = guards.parse_trusted_proxies("10.0.0.0/8, ::1")
    assert guards.client_address("203.0.113.9", "1.1.1.1", trusted) == "203.0.113.9"
    assert guards.client_address("10.0.0.2", "1.1.1.1, 203.0.113.9", trusted) == "203.0.113.9"
    assert guards.client_address("10.0.0.2", "203.0.113.9, 10.0.0.7", trusted) == "203.0.113.9"
    assert guards.client_address("10.0.0.2", "10.0.0.9", trusted) == "10.0.0.9"
    assert guards.client_address("10.0.0.2", "not-an-address", trusted) == "10.0.0.2"
    assert guards.client_address("10.0.0.2", "1.1.1.1", ()) == "10.0.0.2"
    with pytest.raises(InvalidValue, match="trusted proxy"):
        guards.parse_trusted_proxies("proxy.example.com")


# --- The real server ----------------------------------------------------------------------------


class _server:
    """`python -m stockcore api` on a free loopback port, as a context manager."""

    def __init__(self, db_url: str, tmp_path: Path, *options: str) -> None:
        self.command = [
            sys.executable, "-m", "stockcore", "api", "--host", "127.0.0.1",
            "--port", str(free_port()), "--db", db_url, *options,
        ]  # fmt: skip
        self.env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "STOCKCORE_SECRET_KEY": SECRET,
            "FORWARDED_ALLOW_IPS": "*",  # uvicorn's own setting: must not matter
        }
        self.env.pop(guards.TRUSTED_PROXIES_ENV, None)
        self.cwd = tmp_path

    def __enter__(self) -> str:
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{self.command[self.command.index('--port') + 1]}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    return base
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.process.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.2)

    def __exit__(self, *_exc: object) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        output = self.process.stdout.read().decode()  # type: ignore[union-attr]
        assert "Traceback" not in output, output


def _sign_in_attempts(base: str, forwarded: list[str]) -> list[int]:
    with httpx.Client(base_url=base, timeout=10) as client:
        return [
            client.post(
                "/login",
                json={"username": "olivia", "password": "wrong guess"},
                headers={"X-Forwarded-For": address},
            ).status_code
            for address in forwarded
        ]


def test_the_real_server_trusts_x_forwarded_for_only_from_a_configured_proxy(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    accounts.register(db, "olivia", "olivia@example.com", PASSWORD)
    rotating = [f"192.0.2.{n}" for n in range(6)]
    with _server(db_url, tmp_path) as base:
        # Not trusted (even with uvicorn's FORWARDED_ALLOW_IPS=*): one address, held at 6.
        assert _sign_in_attempts(base, rotating) == [401] * 5 + [429]
    with db.write() as session:
        session.query(LoginFailureRow).delete()
    with _server(db_url, tmp_path, "--trusted-proxy", "127.0.0.1") as base:
        # Through a trusted proxy each forwarded address is its own client.
        assert _sign_in_attempts(base, rotating) == [401] * 6
        assert _sign_in_attempts(base, [rotating[0]] * 5) == [401] * 4 + [429]


def test_recorded_failures_name_the_account_and_the_address(shop: Shop) -> None:
    with shop.client(ATTACKER) as attacker:
        assert login(attacker, "wrong guess").status_code == 401
    with shop.db.read() as session:
        row = session.scalars(select(LoginFailureRow)).one()
    olivia = accounts.list_users(shop.db)[0]
    assert (row.account, row.address) == (olivia.user_id, ATTACKER)
    assert row.failed_at == shop.now().replace(tzinfo=None)
