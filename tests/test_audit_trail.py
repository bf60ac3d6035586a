"""The audit trail: every stock change (ledger row) and every sale line records who made it,
from each interface, on SQLite and PostgreSQL; the ledger shows it as "by"."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select

from stockcore import accounts, imports, inventory
from stockcore.domain import DEMO_ACTOR, Actor, ActorKind, Product, actor_label
from stockcore.imports import ImportOptions
from stockcore.interfaces import api
from stockcore.interfaces.cli.commands import cli_actor
from stockcore.inventory import reports, shop_sales
from stockcore.persistence.db import Database, _alembic_config, upgrade
from stockcore.persistence.models import SaleLineRow, StockMovementRow
from stockcore.replenishment import purchase_orders, receiving
from tests.support import (  # noqa: F401 (autouse)
    BUY,
    SECRET,
    FixedClock,
    account_for,
    open_page,
    picker,
    quick_hashes,
    run,
    sqlite_url,
    start,
)

ALICE = Actor.user("00000000-0000-4000-8000-000000000001", "alice")
PASSWORD = "correct horse battery"


def ledger(db: Database) -> list[tuple[str, str, int, str | None, str | None, str | None]]:
    """Every ledger row, oldest first: product, kind, change and who."""
    with db.read() as session:
        return [
            (m.product_id, m.kind, m.change, m.actor_kind, m.actor_name, m.actor_user_id)
            for m in session.scalars(select(StockMovementRow).order_by(StockMovementRow.id))
        ]


def sale_line_actors(db: Database) -> list[tuple[str, str | None, str | None]]:
    with db.read() as session:
        return [
            (line.source, line.actor_kind, line.actor_name)
            for line in session.scalars(select(SaleLineRow).order_by(SaleLineRow.id))
        ]


def mug(quantity: int = 10) -> Product:
    return Product.create(
        "MUG", "Mug", unit_price="3", quantity=quantity, restock_threshold=2, supplier="Acme"
    )


# --- The actor value ----------------------------------------------------------------------------


def test_actors_have_labels_the_ledger_shows() -> None:
    assert ALICE.label == "alice" and ALICE.kind is ActorKind.USER
    assert Actor.cli("bob").label == "cli:bob"
    assert Actor.cli(None).label == "cli:unknown"
    assert Actor.api_key("storefront").label == "key:storefront"
    assert DEMO_ACTOR.label == "demo"
    assert actor_label(None, None) == "unknown"
    assert actor_label("user", "alice") == "alice"
    assert actor_label("robot", "r2") == "robot:r2"  # a kind from a newer release
    assert len(Actor.system("x" * 500).name) == 100
    with pytest.raises(ValueError, match="needs a name"):
        Actor.user("id", " ")


# --- Every stock change, through the use cases --------------------------------------------------


def test_every_stock_change_records_its_actor(db: Database) -> None:
    inventory.add_product(db, mug(), actor=ALICE)
    inventory.purchase(db, "MUG", 2, actor=Actor.api_key("storefront"))
    inventory.receive_stock(db, "MUG", 5, actor=Actor.cli("bob"))
    inventory.adjust_stock(db, "MUG", change=-1, reason="broken", actor=ALICE)
    inventory.adjust_stock(db, "MUG", counted=20, reason="stocktake", actor=ALICE)
    (order,) = purchase_orders.create_purchase_orders(db, {"MUG": 6})
    receiving.receive_purchase_order(db, order.order_id, actor=ALICE)
    user = ("user", "alice", ALICE.user_id)
    assert ledger(db) == [
        ("MUG", "opening", 10, *user),
        ("MUG", "sale", -2, "api_key", "storefront", None),
        ("MUG", "receipt", 5, "cli", "bob", None),
        ("MUG", "adjustment", -1, *user),
        ("MUG", "adjustment", 8, *user),
        ("MUG", "receipt", 6, *user),
    ]
    assert sale_line_actors(db) == [("purchase", "api_key", "storefront")]
    by = reports.movements(db, "MUG")["by"].tolist()
    assert by == ["alice", "alice", "alice", "cli:bob", "key:storefront", "alice"]


def test_imports_and_their_undo_record_who_did_them(db: Database) -> None:
    inventory.add_product(db, mug(), actor=ALICE)
    data = b"date,product_id,quantity,unit_price,order_id\n2024-03-01,MUG,4,3.00,1\n"
    outcome = imports.import_sales(
        db, data, "orders.csv", ImportOptions(apply_to_stock=True), actor=Actor.cli("bob")
    )
    imports.import_products(
        db, b"product_id,name,unit_price,quantity\nPEN,Pen,1.00,7\n", "p.csv", actor=ALICE
    )
    imports.undo_import(db, outcome.batch_id, actor=ALICE)
    rows = [(pid, kind, change, who) for pid, kind, change, _k, who, _id in ledger(db)]
    assert rows == [
        ("MUG", "opening", 10, "alice"),
        ("MUG", "sale", -4, "bob"),
        ("PEN", "opening", 7, "alice"),
        ("MUG", "adjustment", 4, "alice"),  # the undo puts the stock back
    ]
    imports.import_sales(db, data, "again.csv", actor=Actor.cli("bob"))
    assert sale_line_actors(db) == [("history", "cli", "bob")]


def test_sales_data_records_who_added_it(db: Database) -> None:
    inventory.add_product(db, mug(), actor=ALICE)
    shop_sales.add_sales_data(db, "2026-03-01", "9.00", product_id="MUG", quantity=3, actor=ALICE)
    inventory.record_history(
        db, [inventory.HistoryLine(datetime(2026, 3, 2).date(), "MUG", 1, mug().unit_price)]
    )
    assert sale_line_actors(db) == [("history", "user", "alice"), ("history", None, None)]
    assert reports.movements(db)["by"].tolist() == ["alice"]


def test_the_demo_shop_is_made_by_demo(demo_url: str) -> None:
    db = Database.connect(demo_url)
    try:
        assert set(reports.movements(db, limit=1000)["by"]) == {"demo"}
        with db.read() as session:
            kinds = set(session.execute(select(SaleLineRow.actor_kind, SaleLineRow.actor_name)))
        assert kinds == {("system", "demo")}
    finally:
        db.dispose()


def test_a_deleted_accounts_rows_still_say_who_made_them(db: Database) -> None:
    owner = accounts.register(db, "olivia", "olivia@example.com", PASSWORD)
    clerk = accounts.create_user(db, owner, "sam", "sam@example.com", PASSWORD, "staff")
    inventory.add_product(db, mug(), actor=owner.actor)
    inventory.purchase(db, "MUG", 1, actor=clerk.actor)
    accounts.delete_user(db, owner, clerk.user_id)
    assert reports.movements(db)["by"].tolist() == ["sam", "olivia"]
    assert sale_line_actors(db) == [("purchase", "user", "sam")]


def test_rows_from_before_actors_were_recorded_are_unknown(db: Database) -> None:
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0010")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO products (product_id, name, category, unit_price_minor, quantity, "
                "restock_threshold, lead_time_days, created_at, min_order_quantity, pack_size) "
                "VALUES ('OLD', 'Old', 'Misc', 100, 3, 0, 7, :at, 1, 1)"
            ),
            {"at": datetime(2025, 1, 1)},
        )
        connection.execute(
            sa.text(
                "INSERT INTO stock_movements (product_id, at, kind, change, quantity_after) "
                "VALUES ('OLD', :at, 'opening', 3, 3)"
            ),
            {"at": datetime(2025, 1, 1)},
        )
    upgrade(db)
    assert reports.movements(db)["by"].tolist() == ["unknown"]
    assert ledger(db) == [("OLD", "opening", 3, None, None, None)]
    exported = imports.export_frame(db, "movements")
    assert exported["by"].tolist() == ["unknown"]


# --- From each interface ------------------------------------------------------------------------


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    now = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = api.create_app(db, secret_key=SECRET, clock=FixedClock(), now=now)
    with TestClient(app) as test_client:
        yield test_client


def test_the_api_records_the_tokens_account(db: Database, client: TestClient) -> None:
    made = client.post(
        "/register", json={"username": "olivia", "email": "o@example.com", "password": PASSWORD}
    ).json()
    token = client.post("/login", json={"username": "olivia", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    product = {"product_id": "MUG", "name": "Mug", "unit_price": 3, "quantity": 10}
    assert client.post("/products", headers=headers, json=product).status_code == 201
    bought = client.post("/purchases", headers=headers, json={"product_id": "MUG", "quantity": 2})
    assert bought.status_code == 201, bought.text
    sales = {"date": "2026-03-01", "sales": 9, "product_id": "MUG", "quantity": 3}
    assert client.post("/add-sales-data", headers=headers, json=sales).status_code == 201
    assert {row[3:] for row in ledger(db)} == {("user", "olivia", made["id"])}
    assert sale_line_actors(db) == [("purchase", "user", "olivia"), ("history", "user", "olivia")]


def test_the_api_records_the_api_key_that_made_a_change(db: Database, client: TestClient) -> None:
    inventory.add_product(db, mug(), actor=ALICE)
    key = accounts.create_api_key(db, None, "storefront", "purchases:write,sales:write").secret
    bought = client.post(
        "/purchases", headers={"X-API-Key": key}, json={"product_id": "MUG", "quantity": 2}
    )
    assert bought.status_code == 201, bought.text
    sales = {"date": "2026-03-01", "sales": 9, "product_id": "MUG", "quantity": 3}
    added = client.post("/add-sales-data", headers={"Authorization": f"Bearer {key}"}, json=sales)
    assert added.status_code == 201, added.text
    assert ledger(db)[-1][:5] == ("MUG", "sale", -2, "api_key", "storefront")
    assert sale_line_actors(db) == [
        ("purchase", "api_key", "storefront"),
        ("history", "api_key", "storefront"),
    ]
    assert reports.movements(db)["by"].tolist()[0] == "key:storefront"


def test_the_cli_records_the_operating_system_user(db_url: str, db: Database) -> None:
    me = cli_actor()
    assert me.kind is ActorKind.CLI and me.name == getpass.getuser()
    argv = ("--db", db_url)
    add = ("add-product", "MUG", "Mug", "--category", "Kitchen", "--price", "3")
    assert run(*argv, *add, "--quantity", "10", "--threshold", "2")[0] == 0
    assert run(*argv, "purchase", "MUG", "2")[0] == 0
    assert run(*argv, "restock", "MUG", "5", "--reason", "delivery 7")[0] == 0
    assert run(*argv, "adjust", "MUG", "--count", "12", "--reason", "stocktake")[0] == 0
    assert {row[3:5] for row in ledger(db)} == {("cli", me.name)}
    assert sale_line_actors(db) == [("purchase", "cli", me.name)]

    code, out, _err = run(*argv, "ledger", "--product", "MUG")
    assert code == 0
    header, _rule, newest, *_rest = out.splitlines()
    assert header.split() == ["At", "Product", "Kind", "Change", "After", "By", "Reason"]
    assert f"cli:{me.name}" in newest and "stocktake" in newest and "-1" in newest
    assert len(out.splitlines()) == 2 + 4
    assert run(*argv, "ledger", "--limit", "0")[0] == 1


def test_the_cli_ledger_of_an_empty_shop(tmp_path: Path) -> None:
    code, out, _err = run("--db", sqlite_url(tmp_path / "shop.db"), "ledger")
    assert code == 0 and "No stock movements yet" in out


def test_the_dashboard_records_the_signed_in_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path / "shop.db")
    account_for(url, "staff")
    db = Database.connect(url)
    inventory.add_product(db, mug(), actor=ALICE)
    app = start(url, monkeypatch, demo=False, role="staff")
    open_page(app, "pages/purchase.py")
    picker(app, "purchase_product").select("MUG")
    app.text_input(key="purchase_quantity").input("3")
    app.button(key=BUY).click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert ledger(db)[-1][:5] == ("MUG", "sale", -3, "user", "test-staff")
    assert sale_line_actors(db) == [("purchase", "user", "test-staff")]

    owner = start(url, monkeypatch, demo=False, role="owner")
    open_page(owner, "pages/inventory.py")
    shown = owner.dataframe[-1].value
    assert shown["by"].tolist() == ["test-staff", "alice"]
    db.dispose()
