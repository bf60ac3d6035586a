"""Purchase orders: one per supplier, received into stock through the ledger."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from stockcore import inventory
from stockcore.domain import InvalidValue, Product, StockcoreError, UnknownProduct, local_now
from stockcore.inventory import reports
from stockcore.persistence.db import Database, upgrade
from stockcore.replenishment import plan, purchase_orders
from tests.support import NOW, TODAY, FixedClock, run, sqlite_url, store

CLOCK = FixedClock(NOW)


def shop(db: Database) -> None:
    for pid, supplier, lead_time, quantity in (
        ("MUG", "Acme", 10, 30),
        ("JUG", "Acme", 14, 5),
        ("BAG", "Bagco", 5, 2),
        ("PEN", None, 3, 1),
    ):
        inventory.add_product(
            db,
            Product.create(
                pid, pid.title(), category="Shop", unit_price="2.00", unit_cost="1.25",
                quantity=quantity, restock_threshold=10, supplier=supplier,
                lead_time_days=lead_time,
            ),
            clock=lambda: NOW - timedelta(days=1),
        )  # fmt: skip


def test_one_open_order_per_supplier(db: Database) -> None:
    shop(db)
    orders = purchase_orders.create_purchase_orders(
        db, {"MUG": 55, "JUG": "12", "BAG": 20, "PEN": 0}, clock=CLOCK
    )
    assert [(o.supplier, o.status, o.units) for o in orders] == [
        ("Acme", "open", 67),
        ("Bagco", "open", 20),
    ]
    acme = orders[0]
    assert acme.expected_on == TODAY + timedelta(days=14)  # the slowest line's lead time
    assert [line.product_id for line in acme.lines] == ["JUG", "MUG"]
    assert acme.cost == pytest.approx(67 * 1.25)
    assert acme.csv().splitlines() == [
        "product_id,name,quantity,unit_cost", "JUG,Jug,12,1.25", "MUG,Mug,55,1.25",
    ]  # fmt: skip
    assert purchase_orders.on_order(db) == {"MUG": 55, "JUG": 12, "BAG": 20}
    assert reports.get_product(db, "MUG").quantity == 30  # ordering does not add stock


@pytest.mark.parametrize(
    ("quantities", "error", "message"),
    [
        ({"MUG": -3}, InvalidValue, "order quantity of MUG"),
        ({"MUG": "2.5"}, InvalidValue, "order quantity of MUG"),
        ({"MUG": 5, "NOPE": 1}, UnknownProduct, "NOPE"),
        ({"MUG": 0}, StockcoreError, "nothing to order"),
    ],
)
def test_bad_order_lines_refuse_the_whole_order(
    db: Database, quantities: dict[str, object], error: type[Exception], message: str
) -> None:
    shop(db)
    with pytest.raises(error, match=message):
        purchase_orders.create_purchase_orders(db, quantities, clock=CLOCK)
    assert purchase_orders.purchase_orders(db) == []


def test_receiving_an_order_adds_its_stock_through_the_ledger_and_closes_it(db: Database) -> None:
    shop(db)
    [order] = purchase_orders.create_purchase_orders(db, {"BAG": 20}, clock=CLOCK)
    received = purchase_orders.receive_purchase_order(db, order.order_id, clock=CLOCK)
    assert received.status == "received" and received.closed_at == NOW
    assert reports.get_product(db, "BAG").quantity == 22
    ledger = reports.movements(db, "BAG")
    assert ledger.iloc[0]["reason"] == f"purchase order {order.order_id}"
    assert reports.ledger_mismatches(db) == []
    assert purchase_orders.on_order(db) == {}
    with pytest.raises(StockcoreError, match="is received, not open"):
        purchase_orders.receive_purchase_order(db, order.order_id, clock=CLOCK)
    assert reports.get_product(db, "BAG").quantity == 22


def test_cancelled_and_unknown_orders(db: Database) -> None:
    shop(db)
    [order] = purchase_orders.create_purchase_orders(db, {"PEN": 4}, clock=CLOCK)
    assert order.supplier == purchase_orders.NO_SUPPLIER
    assert (
        purchase_orders.cancel_purchase_order(db, order.order_id, clock=CLOCK).status == "cancelled"
    )
    with pytest.raises(StockcoreError, match="cancelled, not open"):
        purchase_orders.receive_purchase_order(db, order.order_id)
    with pytest.raises(StockcoreError, match="does not exist"):
        purchase_orders.receive_purchase_order(db, 999)
    with pytest.raises(InvalidValue, match="not an order number"):
        purchase_orders.receive_purchase_order(db, "abc")


def test_open_orders_count_in_the_reorder_list(db: Database) -> None:
    shop(db)
    store(db, {"MUG": 5.0})
    before = {line.product_id: line for line in plan.reorder_plan(db, today=TODAY)}["MUG"]
    purchase_orders.create_purchase_orders(db, {"MUG": before.suggested_quantity}, clock=CLOCK)
    after = {line.product_id: line for line in plan.reorder_plan(db, today=TODAY)}["MUG"]
    assert after.on_order == before.suggested_quantity and after.suggested_quantity == 0


def test_erasing_the_shop_removes_its_orders(db: Database) -> None:
    shop(db)
    purchase_orders.create_purchase_orders(db, {"MUG": 5}, clock=CLOCK)
    inventory.erase_shop(db)
    assert purchase_orders.purchase_orders(db) == []


def test_purchase_orders_from_the_command_line(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "shop.db")
    db = Database.connect(url)
    upgrade(db)
    shop(db)
    code, _, err = run("--db", url, "purchase-orders", "--create")
    assert code == 1 and "no forecasts yet" in err
    store(db, {"MUG": 5.0, "BAG": 1.0}, start=local_now().date())
    code, out, err = run("--db", url, "purchase-orders", "--create", "--out", str(tmp_path / "po"))
    assert code == 0, err
    assert "Acme" in out and "Bagco" in out and "wrote" in out
    files = sorted(p.name for p in (tmp_path / "po").iterdir())
    assert files == ["purchase-order-1.csv", "purchase-order-2.csv"]
    code, out, _ = run("--db", url, "purchase-orders", "--status", "open")
    assert code == 0 and out.count("open") == 2
    code, out, _ = run("--db", url, "receive-order", "2")
    assert code == 0 and out.startswith("received purchase order 2 from Bagco")
    code, _, err = run("--db", url, "receive-order", "2")
    assert code == 1 and "is received, not open" in err
