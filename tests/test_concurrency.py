"""Several processes buy the same product at the same moment, on SQLite and PostgreSQL.

Exactly the units on hand are sold, every other attempt is refused with a clear
"not enough stock", and the ledger adds up.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
from sqlalchemy import func, select

from stockcore import inventory
from stockcore.domain import InsufficientStock, Product, StockcoreError
from stockcore.inventory import reports
from stockcore.persistence.db import Database
from stockcore.persistence.models import SaleLineRow, StockMovementRow

BUYERS = 8
ATTEMPTS_PER_BUYER = 5


def buyer(url: str, product_id: str, units: int, barrier: Any, results: Any) -> None:
    """One process: wait for everyone, then try to buy `units` several times."""
    db = Database.connect(url)
    sold = refused = failed = 0
    barrier.wait(timeout=60)
    for _ in range(ATTEMPTS_PER_BUYER):
        try:
            inventory.purchase(db, product_id, units)
            sold += units
        except InsufficientStock:
            refused += 1
        except Exception:  # anything else is a bug the test must see
            failed += 1
    db.dispose()
    results.put((sold, refused, failed))


@pytest.mark.parametrize(("on_hand", "units_per_purchase"), [(13, 1), (10, 3)])
def test_concurrent_buyers_never_oversell(
    db: Database, on_hand: int, units_per_purchase: int
) -> None:
    inventory.add_product(
        db,
        Product.create(
            "85123A",
            "White Hanging Heart T-Light Holder",
            unit_price="2.95",
            quantity=on_hand,
            restock_threshold=5,
        ),
    )
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(BUYERS)
    results = context.Queue()
    processes = [
        context.Process(target=buyer, args=(db.url, "85123A", units_per_purchase, barrier, results))
        for _ in range(BUYERS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    sold = sum(o[0] for o in outcomes)
    refused = sum(o[1] for o in outcomes)
    failed = sum(o[2] for o in outcomes)
    expected_sold = on_hand - on_hand % units_per_purchase
    assert failed == 0
    assert sold == expected_sold
    assert refused == BUYERS * ATTEMPTS_PER_BUYER - expected_sold // units_per_purchase

    product = reports.get_product(db, "85123A")
    assert product is not None and product.quantity == on_hand - expected_sold
    with db.read() as s:
        assert s.scalar(select(func.sum(SaleLineRow.quantity))) == expected_sold
        assert (
            s.scalar(select(func.count()).select_from(StockMovementRow))
            == 1 + expected_sold // units_per_purchase
        )
    assert reports.ledger_mismatches(db) == []
    assert len(reports.active_alerts(db)) == 1  # one alert, however many buyers crossed the line


def receiver(url: str, order_id: int, units: int, barrier: Any, results: Any) -> None:
    """One process: wait for everyone, then try to receive `units` of the order's MUG line
    several times."""
    from stockcore.replenishment import receiving

    db = Database.connect(url)
    received = refused = failed = 0
    barrier.wait(timeout=60)
    for _ in range(ATTEMPTS_PER_BUYER):
        try:
            receiving.receive_purchase_order(db, order_id, {"MUG": units})
            received += units
        except StockcoreError:  # more than is still to come, or the order is received
            refused += 1
        except Exception:  # anything else is a bug the test must see
            failed += 1
    db.dispose()
    results.put((received, refused, failed))


def test_concurrent_partial_receipts_never_receive_more_than_was_ordered(db: Database) -> None:
    from stockcore.replenishment import purchase_orders

    inventory.add_product(db, Product.create("MUG", "Mug", unit_price="2.95", quantity=0))
    [order] = purchase_orders.create_purchase_orders(db, {"MUG": 22})
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(BUYERS)
    results = context.Queue()
    processes = [
        context.Process(target=receiver, args=(db.url, order.order_id, 3, barrier, results))
        for _ in range(BUYERS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sum(o[2] for o in outcomes) == 0
    received = sum(o[0] for o in outcomes)
    assert received == 21  # seven receipts of 3; an eighth would be more than the 1 left
    after = purchase_orders.purchase_order(db, order.order_id)
    assert after.received_units == 21 and after.outstanding_units == 1
    assert reports.get_product(db, "MUG").quantity == 21
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(StockMovementRow)) == 7  # one a receipt
    assert reports.ledger_mismatches(db) == []
