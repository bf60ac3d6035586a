"""Crash safety: a process killed with SIGKILL in the middle of a large import, or of a run
of purchases, leaves the database whole, on SQLite and PostgreSQL.

The import test waits until the importer is writing its batch (SQLite: its uncommitted
pages are piling up in the write-ahead log; PostgreSQL: its connection is inserting sale
lines), kills it, and checks that the batch is there completely or not at all, that the
ledger still balances, and that the same import then succeeds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from stockcore import inventory
from stockcore.domain import Product
from stockcore.inventory import reports
from stockcore.persistence.db import Database, upgrade
from stockcore.persistence.models import (
    ImportBatchRow,
    ImportedLineRow,
    SaleLineRow,
    StockMovementRow,
)

REPO = Path(__file__).resolve().parent.parent
ROWS = 150_000
PRODUCTS = [f"P{n:03d}" for n in range(40)]


def big_sales_file(path: Path) -> Path:
    lines = ["date,product_id,quantity,unit_price,order_id"]
    lines.extend(
        f"2025-{1 + n % 12:02d}-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d},"
        f"{PRODUCTS[n % len(PRODUCTS)]},{1 + n % 5},2.50,ORD{n}"
        for n in range(ROWS)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def shop(url: str) -> Database:
    db = Database.connect(url)
    upgrade(db)
    for pid in PRODUCTS:
        inventory.add_product(
            db, Product.create(pid, f"Product {pid}", unit_price="2.50", quantity=1_000_000)
        )
    return db


def tagged(url: str, tag: str) -> str:
    """The same database, with an application name the test can find the importer by."""
    parsed = make_url(url)
    return (
        str(parsed.update_query_dict({"application_name": tag}))
        if parsed.drivername.startswith("postgresql")
        else url
    )


def stockcore(*args: str, url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "stockcore", "--db", url, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def wait_for(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            _, err = process.communicate()
            pytest.fail(f"the process ended before {what}: {err.decode()[-500:]}")
        time.sleep(0.02)
    if process is not None:
        process.kill()
    pytest.fail(f"timed out waiting until {what}")


def writing(db: Database, tag: str) -> Callable[[], bool]:
    """True once the tagged process is in the middle of writing its batch."""
    if db.backend == "sqlite":
        database = make_url(db.url).database
        assert database is not None
        wal = Path(database + "-wal")
        return lambda: wal.exists() and wal.stat().st_size > 2_000_000

    def inserting() -> bool:
        with db.engine.connect() as connection:
            return bool(
                connection.scalar(
                    text(
                        "select count(*) from pg_stat_activity where application_name = :tag "
                        "and state = 'active' and query ilike 'insert into sale_lines%'"
                    ),
                    {"tag": tag},
                )
            )

    return inserting


def gone(db: Database, tag: str) -> Callable[[], bool]:
    if db.backend == "sqlite":
        return lambda: True

    def no_session() -> bool:
        with db.engine.connect() as connection:
            return not connection.scalar(
                text("select count(*) from pg_stat_activity where application_name = :tag"),
                {"tag": tag},
            )

    return no_session


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return (
            int(session.scalar(select(func.count()).select_from(ImportBatchRow)) or 0),
            int(session.scalar(select(func.count()).select_from(SaleLineRow)) or 0),
            int(session.scalar(select(func.count()).select_from(ImportedLineRow)) or 0),
        )


def test_an_import_killed_while_writing_leaves_all_or_nothing_and_then_succeeds(
    db_url: str, tmp_path: Path
) -> None:
    db = shop(db_url)
    sales = big_sales_file(tmp_path / "big.csv")
    tag = f"crash-{uuid.uuid4().hex[:12]}"
    importer = stockcore("import-sales", str(sales), "--apply-to-stock", url=tagged(db_url, tag))
    wait_for(writing(db, tag), "the importer was writing its batch", importer)
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    assert importer.returncode == -signal.SIGKILL
    probe = Database.connect(db_url)  # a fresh connection, as after a restart
    wait_for(gone(probe, tag), "the killed session ended")
    after_kill = counts(probe)
    assert after_kill in ((0, 0, 0), (1, ROWS, ROWS)), after_kill
    assert reports.ledger_mismatches(probe) == []
    with probe.read() as session:
        sold = session.scalar(select(func.count()).select_from(StockMovementRow).where(
            StockMovementRow.kind == "sale"))  # fmt: skip
    assert sold in (0, ROWS)

    again = stockcore("import-sales", str(sales), "--apply-to-stock", url=db_url)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    assert counts(probe) == (1, ROWS, ROWS)
    assert reports.ledger_mismatches(probe) == []
    probe.dispose()
    db.dispose()


PURCHASE_LOOP = """
import sys
from stockcore import inventory
from stockcore.persistence.db import Database
db = Database.connect(sys.argv[1])
print("ready", flush=True)
while True:
    for n in range(40):
        inventory.purchase(db, f"P{n:03d}", 1 + n % 3)
"""


def test_purchases_killed_mid_stream_leave_every_sale_whole(db_url: str, tmp_path: Path) -> None:
    db = shop(db_url)
    buyer = subprocess.Popen(
        [sys.executable, "-c", PURCHASE_LOOP, db_url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert buyer.stdout is not None and buyer.stdout.readline().strip() == b"ready"
    wait_for(lambda: counts(db)[1] >= 200, "200 purchases were made", buyer)
    buyer.send_signal(signal.SIGKILL)
    buyer.wait()
    probe = Database.connect(db_url)
    with probe.read() as session:
        lines, units = session.execute(
            select(func.count(), func.coalesce(func.sum(SaleLineRow.quantity), 0))
        ).one()
        sale_rows = session.scalar(
            select(func.count())
            .select_from(StockMovementRow)
            .where(StockMovementRow.kind == "sale")
        )
    assert lines >= 200 and sale_rows == lines  # one ledger row per sale, none half-made
    on_hand = sum(p.quantity for p in reports.inventory(probe))
    assert on_hand == len(PRODUCTS) * 1_000_000 - units
    assert reports.ledger_mismatches(probe) == []
    probe.dispose()
    db.dispose()
