"""Purchase orders: one per supplier with a number, costs and a total; sent as a CSV or a
printable page; received into stock through the ledger, whole or in part; closed early;
marked overdue once their expected day has passed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from stockcore import inventory
from stockcore.domain import (
    Conflict,
    Invalid,
    InvalidValue,
    Product,
    StockcoreError,
    UnknownProduct,
    local_now,
)
from stockcore.inventory import reports
from stockcore.persistence.db import Database, upgrade
from stockcore.replenishment import order_files, plan, plan_table, purchase_orders, receiving
from tests.support import NOW, TODAY, FixedClock, run, snapshot, sqlite_url, store

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


def receipts(db: Database, product_id: str) -> list[tuple[int, str]]:
    """The product's receipt rows in the ledger: (units, reason), oldest first."""
    ledger = reports.movements(db, product_id)
    rows = ledger[ledger["kind"] == "receipt"].iloc[::-1]
    return list(zip(rows["change"].astype(int), rows["reason"], strict=True))


def test_one_open_order_per_supplier_with_a_number_costs_and_a_total(db: Database) -> None:
    shop(db)
    orders = purchase_orders.create_purchase_orders(
        db, {"MUG": 55, "JUG": "12", "BAG": 20, "PEN": 0}, clock=CLOCK
    )
    assert [(o.number, o.supplier, o.state, o.units) for o in orders] == [
        ("PO-000001", "Acme", "open", 67),
        ("PO-000002", "Bagco", "open", 20),
    ]
    acme = orders[0]
    assert acme.ordered_on == TODAY
    assert acme.expected_on == TODAY + timedelta(days=14)  # the slowest line's lead time
    assert [(line.product_id, line.unit_cost, line.line_total) for line in acme.lines] == [
        ("JUG", Decimal("1.25"), Decimal("15.00")),
        ("MUG", Decimal("1.25"), Decimal("68.75")),
    ]
    assert acme.total == Decimal("83.75")
    shop_settings = inventory.get_settings(db)
    assert acme.total_text(shop_settings) == shop_settings.money(Decimal("83.75"))
    assert purchase_orders.on_order(db) == {"MUG": 55, "JUG": 12, "BAG": 20}
    assert reports.get_product(db, "MUG").quantity == 30  # ordering does not add stock
    # The number is how an order is found again, with or without its prefix.
    for spelled in ("PO-000001", "po-1", "#1", "1", 1):
        assert purchase_orders.purchase_order(db, spelled).order_id == 1


def test_a_line_without_a_unit_cost_leaves_the_total_open(db: Database) -> None:
    shop(db)
    inventory.add_product(
        db, Product.create("CUP", "Cup", unit_price="3.00", quantity=0, supplier="Acme")
    )
    [order] = purchase_orders.create_purchase_orders(db, {"MUG": 4, "CUP": 2}, clock=CLOCK)
    assert order.total is None and order.priced_total == Decimal("5.00")
    assert order.total_text(inventory.get_settings(db)).endswith("+ 1 line without a unit cost")


def test_the_csv_and_the_printable_page_a_supplier_can_read(db: Database) -> None:
    shop(db)
    inventory.update_settings(db, shop_name="Corner <Shop>", currency_symbol="€")
    inventory.add_product(
        db,
        Product.create(
            "CUP", "=Mug & saucer", unit_price="9.00", unit_cost="4.10", supplier="Acme"
        ),
    )
    [order] = purchase_orders.create_purchase_orders(db, {"MUG": 55, "CUP": 3}, clock=CLOCK)
    documents = order_files.order_documents(db, order.number)
    assert (documents.csv_file_name, documents.html_file_name) == (
        "PO-000001.csv",
        "PO-000001.html",
    )
    rows = list(csv.reader(io.StringIO(documents.csv)))
    assert rows == [
        ["Purchase order", "PO-000001"],
        ["From", "Corner <Shop>"],
        ["Supplier", "Acme"],
        ["Order date", "2026-03-02"],
        ["Expected date", "2026-03-12"],
        ["Currency", "€"],
        [],
        ["Product ID", "Name", "Quantity", "Unit cost", "Line total"],
        ["CUP", "'=Mug & saucer", "3", "4.10", "12.30"],  # a formula is never run
        ["MUG", "Mug", "55", "1.25", "68.75"],
        ["Total", "", "58", "", "81.05"],
    ]
    page = documents.html
    assert page.startswith("<!DOCTYPE html>") and "Purchase order PO-000001" in page
    assert "Corner &lt;Shop&gt;" in page and "<Shop>" not in page  # escaped
    assert "Mug &amp; saucer" in page and "Acme" in page
    assert "Mon 02 Mar 2026" in page and "Thu 12 Mar 2026" in page
    assert "€4.10" in page and "€12.30" in page and "€81.05" in page
    assert ">58<" in page  # total units


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
    assert [alert.product_id for alert in reports.active_alerts(db)] == ["PEN", "BAG", "JUG"]
    receipt = receiving.receive_purchase_order(db, order.number, clock=CLOCK)
    assert receipt.completed and receipt.received == {"BAG": 20}
    assert receipt.order.status == "received" and receipt.order.closed_at == NOW
    assert receipt.summary().endswith("the order is complete.")
    assert reports.get_product(db, "BAG").quantity == 22
    assert receipts(db, "BAG") == [(20, "purchase order PO-000001")]
    assert "BAG" not in [alert.product_id for alert in reports.active_alerts(db)]  # resolved
    assert reports.ledger_mismatches(db) == []
    assert purchase_orders.on_order(db) == {}
    with pytest.raises(Conflict, match="PO-000001 is received, not open"):
        receiving.receive_purchase_order(db, order.order_id, clock=CLOCK)
    assert reports.get_product(db, "BAG").quantity == 22


def test_a_partial_receipt_keeps_the_rest_on_order_until_every_line_is_in(db: Database) -> None:
    shop(db)
    [order] = purchase_orders.create_purchase_orders(db, {"MUG": 55, "JUG": 12}, clock=CLOCK)
    first = receiving.receive_purchase_order(
        db, order.number, {"MUG": "20", "JUG": ""}, clock=CLOCK
    )
    assert first.received == {"MUG": 20} and not first.completed
    assert first.order.status == "open" and first.order.state == "partly received"
    assert first.summary().endswith("47 units are still to come.")
    assert [(line.product_id, line.received, line.outstanding) for line in first.order.lines] == [
        ("JUG", 0, 12),
        ("MUG", 20, 35),
    ]
    # One ledger row for the product received, none for the other.
    assert receipts(db, "MUG") == [(20, "purchase order PO-000001")]
    assert receipts(db, "JUG") == []
    assert reports.get_product(db, "MUG").quantity == 50
    # Only what is still to come counts as on order, everywhere.
    assert purchase_orders.on_order(db) == {"MUG": 35, "JUG": 12}
    assert purchase_orders.arrivals(db)["MUG"] == [(order.expected_on, 35)]
    [incoming] = purchase_orders.incoming(db)["MUG"]
    assert (incoming.number, incoming.units) == ("PO-000001", 35)

    later = FixedClock(NOW + timedelta(days=2))
    second = receiving.receive_purchase_order(db, "PO-000001", {"MUG": 35}, clock=later)
    assert second.order.state == "partly received" and second.order.outstanding_units == 12
    last = receiving.receive_purchase_order(db, "PO-000001", clock=later)  # the rest
    assert last.received == {"JUG": 12} and last.completed
    assert last.order.status == "received" and last.order.closed_at == later.now
    assert receipts(db, "MUG") == [
        (20, "purchase order PO-000001"),
        (35, "purchase order PO-000001"),
    ]
    assert reports.get_product(db, "MUG").quantity == 85
    assert reports.get_product(db, "JUG").quantity == 17
    assert reports.ledger_mismatches(db) == []
    assert purchase_orders.on_order(db) == {}


@pytest.mark.parametrize(
    ("quantities", "error", "message"),
    [
        ({"MUG": 56}, InvalidValue, "is more than the 55 still to come on PO-000001"),
        ({"BAG": 1}, InvalidValue, "'BAG' is not on PO-000001"),
        ({"MUG": -3}, InvalidValue, "units of MUG received"),
        ({"MUG": "2.5"}, InvalidValue, "units of MUG received"),
        ({"MUG": 0, "JUG": ""}, Invalid, "nothing to receive on PO-000001"),
    ],
)
def test_a_bad_receipt_is_refused_and_changes_nothing(
    db: Database, quantities: dict[str, object], error: type[Exception], message: str
) -> None:
    shop(db)
    [order] = purchase_orders.create_purchase_orders(db, {"MUG": 55, "JUG": 12}, clock=CLOCK)
    before = snapshot(db)
    with pytest.raises(error, match=message):
        receiving.receive_purchase_order(db, order.order_id, quantities, clock=CLOCK)
    assert snapshot(db) == before
    assert purchase_orders.purchase_order(db, order.order_id).received_units == 0


def test_the_same_check_answers_before_a_receipt_is_confirmed(db: Database) -> None:
    shop(db)
    [order] = purchase_orders.create_purchase_orders(db, {"MUG": 55, "JUG": 12}, clock=CLOCK)
    waiting = {line.product_id: line.outstanding for line in order.lines}
    assert receiving.receipt_units(order.order_id, waiting, None) == {"MUG": 55, "JUG": 12}
    assert receiving.receipt_units(order.order_id, waiting, {"MUG": 5, "JUG": 0}) == {"MUG": 5}
    with pytest.raises(InvalidValue, match="more than the 12 still to come"):
        receiving.receipt_units(order.order_id, waiting, {"JUG": 13})
    # 0 (or " 0 ") is "none of it came": a negative count is refused as below 0, not with
    # a rule ("at least 1") that 0 would break.
    assert receiving.receipt_units(order.order_id, waiting, {"MUG": "2", "JUG": " 0 "}) == {
        "MUG": 2
    }
    with pytest.raises(InvalidValue, match="units of MUG received '-2' must not be below 0"):
        receiving.receipt_units(order.order_id, waiting, {"MUG": "-2"})
    with pytest.raises(InvalidValue, match="not a fraction"):
        receiving.receipt_units(order.order_id, waiting, {"MUG": "2.5"})


def test_closing_an_order_cancels_what_has_not_come(db: Database) -> None:
    shop(db)
    [acme, bagco] = purchase_orders.create_purchase_orders(db, {"MUG": 55, "BAG": 20}, clock=CLOCK)
    receiving.receive_purchase_order(db, acme.number, {"MUG": 40}, clock=CLOCK)
    closed = receiving.close_purchase_order(db, acme.number, clock=CLOCK)
    assert closed.status == "received" and closed.state == "closed short"
    assert (closed.received_units, closed.outstanding_units) == (40, 0)
    assert reports.get_product(db, "MUG").quantity == 70  # the 40 received stay
    cancelled = receiving.close_purchase_order(db, bagco.order_id, clock=CLOCK)
    assert cancelled.status == "cancelled" and cancelled.state == "cancelled"
    assert purchase_orders.on_order(db) == {}
    with pytest.raises(Conflict, match="PO-000002 is cancelled, not open"):
        receiving.receive_purchase_order(db, bagco.order_id)


def test_cancelled_and_unknown_orders(db: Database) -> None:
    shop(db)
    [order] = purchase_orders.create_purchase_orders(db, {"PEN": 4}, clock=CLOCK)
    assert order.supplier == purchase_orders.NO_SUPPLIER
    assert receiving.close_purchase_order(db, order.order_id, clock=CLOCK).state == ("cancelled")
    with pytest.raises(StockcoreError, match="cancelled, not open"):
        receiving.receive_purchase_order(db, order.order_id)
    with pytest.raises(StockcoreError, match="PO-000999 does not exist"):
        receiving.receive_purchase_order(db, 999)
    for bad in ("abc", "PO-", "0", "99999999999", "1.5"):
        with pytest.raises(InvalidValue, match="is not an order number"):
            receiving.receive_purchase_order(db, bad)


def test_an_open_order_past_its_expected_day_is_overdue(db: Database) -> None:
    shop(db)
    [acme, bagco] = purchase_orders.create_purchase_orders(db, {"MUG": 5, "BAG": 20}, clock=CLOCK)
    assert not acme.overdue and acme.expected_on == TODAY + timedelta(days=10)
    on_the_day = purchase_orders.purchase_orders(db, today=acme.expected_on)
    assert [order.overdue for order in on_the_day] == [True, False]  # Bagco's is 5 days late
    later = acme.expected_on + timedelta(days=3)
    late = purchase_orders.purchase_order(db, acme.number, today=later)
    assert late.overdue and late.days_late == 3 and late.state == "open, overdue"
    assert late.late_note().startswith(
        "PO-000001 from Acme is overdue: expected on Thu 12 Mar 2026 (3 days ago), 5 units"
    )
    overdue = purchase_orders.purchase_orders(db, status="overdue", today=later)
    assert [order.number for order in overdue] == ["PO-000002", "PO-000001"]
    receiving.receive_purchase_order(db, bagco.number, {"BAG": 5}, clock=CLOCK)
    assert purchase_orders.purchase_order(db, bagco.number, today=later).state == (
        "partly received, overdue"
    )
    receiving.receive_purchase_order(db, acme.number, clock=CLOCK)
    assert not purchase_orders.purchase_order(db, acme.number, today=later).overdue  # received
    assert purchase_orders.purchase_orders(db, status="overdue", today=TODAY) == []
    with pytest.raises(InvalidValue, match="status"):
        purchase_orders.purchase_orders(db, status="lost")


def test_the_reorder_list_counts_open_orders_and_says_what_covers_a_line(db: Database) -> None:
    shop(db)
    store(db, {"MUG": 5.0})
    before = {line.product_id: line for line in plan.reorder_plan(db, today=TODAY)}["MUG"]
    assert before.status == "order now" and before.next_step == "overdue: order today"
    [order] = purchase_orders.create_purchase_orders(
        db, {"MUG": before.suggested_quantity}, clock=CLOCK
    )
    after = {line.product_id: line for line in plan.reorder_plan(db, today=TODAY)}["MUG"]
    assert after.on_order == before.suggested_quantity and after.suggested_quantity == 0
    assert after.status == "covered" and after.listed and not after.urgent
    assert after.covered_by == ["PO-000001"]
    assert after.next_step.startswith("covered by PO-000001, arriving Thu 12 Mar")
    # 30 on hand at 5 a day run out in six days, before the order's ten: nothing to order,
    # since a new order would come later still, but the owner is told what would help.
    assert after.next_step.endswith(
        "(runs out around Sat 07 Mar, before it arrives: a new order would come no sooner; "
        "ask the supplier to send it earlier)"
    )
    assert "covered by PO-000001" in after.explain()
    assert plan_table.plan_frame([after]).loc[0, "next_step"] == after.next_step
    # A partial receipt: only the rest is on order.
    receiving.receive_purchase_order(db, order.number, {"MUG": 10}, clock=CLOCK)
    partly = {line.product_id: line for line in plan.reorder_plan(db, today=TODAY)}["MUG"]
    assert partly.on_order == before.suggested_quantity - 10 and partly.on_hand == 40
    # A day after the order was due, with its units still to come, the line says so.
    late = plan.reorder_plan(db, today=order.expected_on + timedelta(days=1))
    line = {line.product_id: line for line in late}["MUG"]
    still = before.suggested_quantity - 10
    assert line.next_step == f"order today; PO-000001 ({still}) was due Thu 12 Mar"


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
    assert "PO-000001  Acme" in out and "PO-000002  Bagco" in out and "wrote" in out
    files = sorted(p.name for p in (tmp_path / "po").iterdir())
    assert files == ["PO-000001.csv", "PO-000001.html", "PO-000002.csv", "PO-000002.html"]
    assert (tmp_path / "po" / "PO-000001.csv").read_text().startswith("Purchase order,PO-000001\n")
    code, out, _ = run("--db", url, "purchase-orders", "--status", "open")
    assert code == 0 and out.count("open") == 2
    # The reorder list names the orders that now cover its lines.
    code, out, _ = run("--db", url, "reorder")
    assert code == 0 and "covered by PO-000001, arriving" in out
    assert "covered by PO-000002, arriving" in out
    [acme] = [order for order in purchase_orders.purchase_orders(db) if order.supplier == "Acme"]
    mug = next(line for line in acme.lines if line.product_id == "MUG")
    code, out, _ = run("--db", url, "purchase-orders", "--order", "PO-000001")
    assert code == 0 and out.startswith("PO-000001 from Acme: open")
    assert f"total: {acme.total_text(inventory.get_settings(db))}" in out

    # Part of one line, then the rest.
    code, out, err = run(
        "--db", url, "receive-order", "PO-000001", "--product", "MUG", "--quantity", "3"
    )
    assert code == 0, err
    assert out.startswith("Received 3 units of PO-000001 from Acme into stock;")
    assert purchase_orders.purchase_order(db, 1).lines[0].received == 3
    code, _, err = run("--db", url, "receive-order", "1", "--product", "MUG")
    assert code == 1 and "one --quantity for each --product" in err
    code, _, err = run(
        "--db", url, "receive-order", "1", "--product", "MUG", "--quantity", str(mug.quantity)
    )
    assert code == 1 and f"more than the {mug.quantity - 3:,} still to come" in err
    code, out, _ = run("--db", url, "receive-order", "1")
    assert code == 0 and "the order is complete" in out
    code, _, err = run("--db", url, "receive-order", "1")
    assert code == 1 and "PO-000001 is received, not open" in err

    # Overdue orders are flagged in the listing.
    purchase_orders.create_purchase_orders(
        db, {"BAG": 4}, clock=lambda: local_now() - timedelta(days=30)
    )
    code, out, _ = run("--db", url, "purchase-orders", "--status", "overdue")
    assert code == 0 and "PO-000003" in out and "open, overdue" in out
    assert "warning: PO-000003 from Bagco is overdue" in out
    code, out, _ = run("--db", url, "close-order", "PO-000003")
    assert code == 0 and out.startswith("closed PO-000003 from Bagco: cancelled")
