"""Property-based: whatever sequence of purchases, receipts, adjustments, stocktakes,
imports (into stock) and undos a shop goes through, on SQLite and PostgreSQL, every
product's quantity on hand equals the sum of its ledger, is never negative, and matches a
model kept beside it; every refusal leaves the database as it was."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from stockcore import imports, inventory
from stockcore.domain import InsufficientStock, InvalidValue, Product
from stockcore.imports.reading import FileRefused
from stockcore.inventory import reports
from stockcore.persistence.db import Database

PRODUCTS = ("A", "B", "C")
START = datetime(2026, 3, 2, 9)
pids = st.sampled_from(PRODUCTS)


class Shop(RuleBasedStateMachine):
    database: Database

    def __init__(self) -> None:
        super().__init__()
        self.db = self.database
        inventory.erase_shop(self.db)
        self.now = START
        self.orders = itertools.count(1)
        self.expected = dict.fromkeys(PRODUCTS, 10)
        self.batches: dict[int, dict[str, int]] = {}  # committed batch -> units per product
        for pid in PRODUCTS:
            inventory.add_product(
                self.db,
                Product.create(pid, f"Product {pid}", unit_price="2.50", quantity=10,
                               restock_threshold=5),
                clock=self.clock,
            )  # fmt: skip

    def clock(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    def on_hand(self) -> dict[str, int]:
        return {p.product_id: p.quantity for p in reports.inventory(self.db)}

    @rule(pid=pids, quantity=st.integers(1, 25))
    def purchase(self, pid: str, quantity: int) -> None:
        try:
            inventory.purchase(self.db, pid, quantity, clock=self.clock)
        except InsufficientStock:
            assert quantity > self.expected[pid]
            return
        self.expected[pid] -= quantity

    @rule(pid=pids, quantity=st.integers(1, 40))
    def receive(self, pid: str, quantity: int) -> None:
        inventory.receive_stock(self.db, pid, quantity, clock=self.clock)
        self.expected[pid] += quantity

    @rule(pid=pids, change=st.integers(-30, 30).filter(bool))
    def adjust(self, pid: str, change: int) -> None:
        try:
            inventory.adjust_stock(self.db, pid, change=change, reason="test", clock=self.clock)
        except InvalidValue:
            assert self.expected[pid] + change < 0
            return
        self.expected[pid] += change

    @rule(pid=pids, counted=st.integers(0, 60))
    def stocktake(self, pid: str, counted: int) -> None:
        try:
            inventory.adjust_stock(self.db, pid, counted=counted, reason="count", clock=self.clock)
        except InvalidValue:
            assert counted == self.expected[pid]
            return
        self.expected[pid] = counted

    @rule(lines=st.lists(st.tuples(pids, st.integers(1, 12)), min_size=1, max_size=6))
    def import_into_stock(self, lines: list[tuple[str, int]]) -> None:
        rows = "".join(
            f"2026-02-{1 + n % 27:02d} 10:{n % 60:02d},{pid},{qty},2.50,ORDER{next(self.orders)}\n"
            for n, (pid, qty) in enumerate(lines)
        )
        data = ("date,product_id,quantity,unit_price,order_id\n" + rows).encode()
        wanted = {pid: sum(q for p, q in lines if p == pid) for pid, _ in lines}
        before = self.on_hand()
        try:
            outcome = imports.import_sales(
                self.db, data, "orders.csv", imports.ImportOptions(apply_to_stock=True),
                clock=self.clock,
            )  # fmt: skip
        except FileRefused:
            assert any(units > self.expected[pid] for pid, units in wanted.items())
            assert self.on_hand() == before  # nothing half-written
            return
        assert outcome.batch_id is not None
        self.batches[outcome.batch_id] = wanted
        for pid, units in wanted.items():
            self.expected[pid] -= units

    @precondition(lambda self: bool(self.batches))
    @rule(data=st.data())
    def undo_an_import(self, data: st.DataObject) -> None:
        batch_id = data.draw(st.sampled_from(sorted(self.batches)))
        imports.undo_import(self.db, batch_id, clock=self.clock)
        for pid, units in self.batches.pop(batch_id).items():
            self.expected[pid] += units

    @invariant()
    def stock_matches_the_ledger_and_the_model(self) -> None:
        on_hand = self.on_hand()
        assert on_hand == self.expected
        assert all(quantity >= 0 for quantity in on_hand.values())
        assert reports.ledger_mismatches(self.db) == []


@pytest.mark.postgres
def test_stock_always_equals_its_ledger(db: Database) -> None:
    machine = type("ShopOn" + db.backend.title(), (Shop,), {"database": db})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
