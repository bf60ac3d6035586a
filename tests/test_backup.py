"""Backups and restores on real databases: what is restored is exactly what was backed up."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from stockcore import accounts, inventory
from stockcore.domain import Product, StockcoreError
from stockcore.forecasting import lease
from stockcore.inventory import reports
from stockcore.persistence import backup
from stockcore.persistence.db import Database, current_revision, head_revision, upgrade
from stockcore.persistence.models import Base
from stockcore.replenishment import purchase_orders
from tests.support import sqlite_url

NOW = datetime(2026, 3, 2, 9)


def snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def fill(db: Database) -> None:
    """A little of everything: products, sales, receipts, alerts, a purchase order."""
    inventory.add_product(
        db,
        Product.create("MUG", "Mug", unit_price="3.50", quantity=10, restock_threshold=4,
                       supplier="Acme", pack_size=6, lead_time_sd_days=1.5),
        clock=lambda: NOW,
    )  # fmt: skip
    inventory.add_product(db, Product.create("BAG", "Bag", unit_price="4"), clock=lambda: NOW)
    inventory.purchase(db, "MUG", 7, clock=lambda: NOW)  # raises a restock alert
    inventory.receive_stock(db, "BAG", 12, clock=lambda: NOW)
    inventory.update_settings(db, shop_name="Backed up", service_levels={"A": "0.98"})
    accounts.register(db, "owner", "owner@example.com", "a long passphrase")
    purchase_orders.create_purchase_orders(db, {"MUG": 12}, clock=lambda: NOW)


def test_a_restore_gives_back_exactly_what_was_backed_up(db: Database, tmp_path: Path) -> None:
    fill(db)
    before = snapshot(db)
    summary = backup.backup(db, tmp_path / "shop.backup")
    assert summary.rows["products"] == 2 and summary.revision == current_revision(db)

    inventory.purchase(db, "MUG", 3, clock=lambda: NOW + timedelta(hours=1))
    inventory.add_product(db, Product.create("NEW", "New", unit_price="1"))
    inventory.update_settings(db, shop_name="Changed")
    assert snapshot(db) != before

    restored = backup.restore(db, tmp_path / "shop.backup")
    assert restored.total == summary.total
    assert snapshot(db) == before
    # Ids carry on after the restored ones (PostgreSQL's sequences were moved on).
    sale = inventory.purchase(db, "MUG", 1, clock=lambda: NOW + timedelta(hours=2))
    assert sale.sale_line_id == max(row[0] for row in before["sale_lines"]) + 1


def test_a_backup_restores_into_the_other_kind_of_database(db: Database, tmp_path: Path) -> None:
    fill(db)
    backup.backup(db, tmp_path / "shop.backup")
    other = Database.connect(sqlite_url(tmp_path / "other.db"))
    upgrade(other)
    backup.restore(other, tmp_path / "shop.backup")
    assert snapshot(other) == snapshot(db)
    again = backup.backup(other, tmp_path / "again.backup")  # and back
    inventory.erase_shop(db)
    backup.restore(db, again.path)
    assert snapshot(db) == snapshot(other)


def test_a_restore_neither_brings_back_nor_drops_a_forecast_refresh_lease(
    db: Database, tmp_path: Path
) -> None:
    """A backup taken during a forecast refresh holds its lease; restoring it must not
    hold off this server's next refresh, nor free the lease of one running now."""
    fill(db)
    during = lease.acquire(db)
    backup.backup(db, tmp_path / "during.backup")
    during.release()

    backup.restore(db, tmp_path / "during.backup")
    assert lease.running(db) is None
    running_now = lease.acquire(db)  # not held off by the backup's lease

    backup.restore(db, tmp_path / "during.backup")
    assert lease.running(db) is not None  # this server's refresh still holds it
    with pytest.raises(lease.RefreshRunning):
        lease.acquire(db)
    running_now.release()


def test_a_backup_never_overwrites_a_file(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "taken.backup"
    target.write_text("precious")
    with pytest.raises(StockcoreError, match="already exists"):
        backup.backup(db, target)
    assert target.read_text() == "precious"
    with pytest.raises(StockcoreError, match="does not exist"):
        backup.backup(db, tmp_path / "missing" / "shop.backup")


def test_what_is_not_a_backup_is_refused_and_changes_nothing(db: Database, tmp_path: Path) -> None:
    fill(db)
    before = snapshot(db)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database")
    other_sqlite = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other_sqlite)) as connection, connection:
        connection.execute("create table t (x)")
    newer = tmp_path / "newer.backup"
    backup.backup(db, newer)
    with closing(sqlite3.connect(newer)) as connection, connection:
        connection.execute("update alembic_version set version_num = '9999'")
    cases = [
        (tmp_path / "nowhere.backup", "does not exist"),
        (text_file, "not a stockcore backup (not an SQLite database)"),
        (other_sqlite, "not a stockcore backup (no schema)"),
        (newer, "made by a newer stockcore (schema 9999)"),
    ]
    for path, message in cases:
        pattern = message.replace("(", r"\(").replace(")", r"\)")
        with pytest.raises(StockcoreError, match=pattern):
            backup.describe(path)  # the same checks, before anything is asked
        with pytest.raises(StockcoreError, match=pattern):
            backup.restore(db, path)
    assert snapshot(db) == before
    # An uploaded file is named by its own name, not the temporary path it was saved to.
    with pytest.raises(StockcoreError, match=r"^notes\.txt is not a stockcore backup"):
        backup.describe(text_file, shown_as="notes.txt")
    with pytest.raises(StockcoreError, match=r"^notes\.txt is not a stockcore backup"):
        backup.restore(db, text_file, shown_as="notes.txt")
    assert snapshot(db) == before


def test_describe_says_what_a_backup_holds_and_when_it_was_taken(
    db: Database, tmp_path: Path
) -> None:
    fill(db)
    taken = datetime(2026, 3, 2, 9, 41, 30, tzinfo=UTC)
    made = backup.backup(db, tmp_path / "shop.backup", now=lambda: taken)
    assert made.taken_at == taken.replace(second=0)
    content = made.path.read_bytes()
    described = backup.describe(made.path)
    assert described.rows == made.rows == backup.shop_rows(db)
    assert (described.products, described.sale_lines, described.accounts) == (2, 1, 1)
    assert described.movements == made.rows["stock_movements"] > 0
    assert described.revision == head_revision() and not described.needs_upgrade
    assert described.taken_at == taken.replace(second=0)
    assert described.restore_notes() == []
    assert "taken 2026-03-02 09:41 UTC" in described.message("the backup")
    assert made.path.read_bytes() == content  # describing changes nothing
    # A backup from before the moment was recorded: none is claimed.
    with closing(sqlite3.connect(made.path)) as connection:
        connection.execute("PRAGMA user_version = 0")
    assert backup.describe(made.path).taken_at is None


def test_a_backup_made_by_an_older_version_restores_into_the_current_schema(
    tmp_path: Path,
) -> None:
    from alembic import command

    from stockcore.persistence.db import _alembic_config

    old = Database.connect(sqlite_url(tmp_path / "old.db"))
    with old.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0005")  # before the ordering terms
        connection.exec_driver_sql(
            "insert into products (product_id, name, category, unit_price_minor, quantity, "
            "restock_threshold, lead_time_days, created_at) values "
            "('MUG', 'Mug', 'Kitchen', 350, 10, 4, 7, '2026-03-01 09:00:00')"
        )
        connection.exec_driver_sql(
            "insert into stock_movements (product_id, at, kind, change, quantity_after) "
            "values ('MUG', '2026-03-01 09:00:00', 'opening', 10, 10)"
        )
    old_backup = backup.backup(old, tmp_path / "old.backup")
    assert old_backup.revision == "0005"
    described = backup.describe(old_backup.path)
    assert described.revision == "0005" and described.needs_upgrade
    assert described.products == 1 and described.accounts == 0
    assert [note.split(":")[0] for note in described.restore_notes()] == [
        "it was made by an older version (schema 0005)",
        "it has no accounts",
    ]

    current = Database.connect(sqlite_url(tmp_path / "current.db"))
    upgrade(current)
    owner = accounts.register(current, "owner", "owner@example.com", "a long passphrase")
    backup.restore(current, old_backup.path)
    # The old backup has no accounts: the current ones stay, nobody can claim the shop.
    assert [user.username for user in accounts.list_users(current)] == [owner.username]
    mug = reports.get_product(current, "MUG")
    assert mug is not None and (mug.quantity, mug.pack_size, mug.min_order_quantity) == (10, 1, 1)
    with closing(sqlite3.connect(old_backup.path)) as connection:  # the backup is unchanged
        assert connection.execute("select version_num from alembic_version").fetchone() == ("0005",)


def test_the_restore_command_needs_yes(tmp_path: Path) -> None:
    from tests.support import run

    url = sqlite_url(tmp_path / "shop.db")
    code, out, err = run("--db", url, "init")
    assert code == 0, err
    code, out, err = run("--db", url, "backup", str(tmp_path / "shop.backup"))
    assert code == 0 and "backed up to" in out
    code, out, err = run("--db", url, "restore", str(tmp_path / "shop.backup"))
    assert code == 1 and "add --yes" in err and "nothing was changed" in err
    # What the file holds is shown first, checked as the restore checks it.
    assert out.startswith(f"the backup {tmp_path / 'shop.backup'}: ") and "products" in out
    (tmp_path / "notes.txt").write_text("not a backup")
    code, out, err = run("--db", url, "restore", str(tmp_path / "notes.txt"), "--yes")
    assert code == 1 and "not a stockcore backup (not an SQLite database)" in err
    code, out, err = run("--db", url, "restore", str(tmp_path / "shop.backup"), "--yes")
    assert code == 0 and "restored from" in out
    code, out, err = run("--db", url, "db", "upgrade")
    assert code == 0 and "schema up to date" in out
