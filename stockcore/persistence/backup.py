"""Backups: the whole shop in one SQLite file, and restoring it exactly.

* From SQLite, `backup` uses SQLite's online backup API: a consistent snapshot of the
  live database, while the dashboard and the API go on working.
* From PostgreSQL, `backup` writes the same kind of file portably: a new SQLite file gets
  the schema by migration, then every table's rows are copied from one REPEATABLE READ
  snapshot. So a PostgreSQL shop can be restored into SQLite and the other way round.
* `restore` checks that the file is a stockcore backup, brings a copy of it up to this
  version's schema (a backup made by an older version restores too), then replaces every
  row of the target database with the backup's in one transaction: an interrupted restore
  leaves the database as it was. PostgreSQL's id sequences are moved past the restored ids.

A backup file is never overwritten, and the backup being restored is never changed.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, create_engine, func, inspect, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import NullPool

from stockcore.domain import Conflict, Invalid, NotFound, StockcoreError
from stockcore.persistence.db import Database, current_revision, known_revisions, upgrade
from stockcore.persistence.models import Base

CHUNK: Final = 5_000
SQLITE_MAGIC: Final = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str | None
    rows: dict[str, int]  # rows per table

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def message(self, verb: str) -> str:
        products = self.rows.get("products", 0)
        sales = self.rows.get("sale_lines", 0)
        return (
            f"{verb} {self.path}: {self.total:,} rows in {len(self.rows)} tables "
            f"({products:,} products, {sales:,} sales lines; schema {self.revision})"
        )


def _tables() -> list[Table]:
    """Every table of the schema, parents before the tables that refer to them."""
    return list(Base.metadata.sorted_tables)


def _counts(connection: Connection) -> dict[str, int]:
    """Rows per table; a backup made by an older version lacks the newer tables (users)."""
    present = set(inspect(connection).get_table_names())
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in _tables()
        if table.name in present
    }


def backup(db: Database, file: str | Path) -> BackupSummary:
    """Write the whole shop to a new SQLite file at `file`."""
    target = Path(file)
    if target.exists():
        raise Conflict(f"{target} already exists; choose a new file name for the backup")
    if not target.parent.is_dir():
        raise Invalid(f"cannot write {target}: the folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if db.backend == "sqlite":
            _sqlite_snapshot(db, partial)
        else:
            _portable_copy(db, partial)
        summary = _summary(partial)
        partial.rename(target)
    except OSError as failure:
        raise StockcoreError(
            f"cannot write the backup {target}: {failure.strerror or failure}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(target, summary.revision, summary.rows)


def _sqlite_snapshot(db: Database, target: Path) -> None:
    with db.engine.connect() as connection:
        source = connection.connection.driver_connection
        assert isinstance(source, sqlite3.Connection)
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()


def _copy_rows(
    source: Connection, destination: Connection, skip: frozenset[str] = frozenset()
) -> None:
    for table in _tables():
        if table.name in skip:
            continue
        result = source.execution_options(yield_per=CHUNK).execute(select(table))
        for chunk in result.partitions(CHUNK):
            destination.execute(table.insert(), [dict(row._mapping) for row in chunk])


def _portable_copy(db: Database, target: Path) -> None:
    copy = Database.connect(f"sqlite:///{target}")
    try:
        upgrade(copy)
        if current_revision(copy) != current_revision(db):
            raise Conflict(
                "the database's schema is not this version's; open it with this version first "
                "(python -m stockcore db upgrade)"
            )
        snapshot = db.engine.execution_options(isolation_level="REPEATABLE READ")
        with snapshot.connect() as source, copy.engine.begin() as destination:
            _copy_rows(source, destination)
    finally:
        copy.dispose()


def _summary(path: Path) -> BackupSummary:
    """Revision and rows per table of a backup file, which is left as one self-contained
    file (rollback journal, not WAL), so copying it copies everything."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode = DELETE")
            revision = MigrationContext.configure(connection).get_current_revision()
            return BackupSummary(path, revision, _counts(connection))
    finally:
        engine.dispose()


def _copy_file(source: Path, target: Path) -> None:
    """Copy an SQLite file through SQLite itself (whatever its journal mode)."""
    origin = sqlite3.connect(source)
    destination = sqlite3.connect(target)
    try:
        origin.backup(destination)
    except sqlite3.DatabaseError:
        raise Invalid(f"{source} is not a stockcore backup (unreadable)") from None
    finally:
        destination.close()
        origin.close()


def _check_backup_file(path: Path) -> None:
    if not path.is_file():
        raise NotFound(f"backup file {path} does not exist")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise Invalid(f"{path} is not a stockcore backup (not an SQLite database)")


def restore(db: Database, file: str | Path) -> BackupSummary:
    """Replace everything in `db` with the backup in `file`, in one transaction."""
    source_path = Path(file)
    _check_backup_file(source_path)
    with tempfile.TemporaryDirectory(prefix="stockcore-restore-") as folder:
        working = Path(folder) / "backup.db"
        _copy_file(source_path, working)
        copy = Database.connect(f"sqlite:///{working}")
        try:
            try:
                revision = current_revision(copy)
            except DatabaseError:
                raise Invalid(f"{source_path} is not a stockcore backup") from None
            if revision is None:
                raise Invalid(f"{source_path} is not a stockcore backup (no schema)")
            if revision not in known_revisions():
                raise Conflict(
                    f"{source_path} was made by a newer stockcore (schema {revision}); "
                    "upgrade stockcore to restore it"
                )
            upgrade(copy)  # an older backup: bring the copy up to this version's schema
            upgrade(db)
            with copy.engine.connect() as connection:
                rows = _counts(connection)
            summary = BackupSummary(source_path, current_revision(copy), rows)
            try:
                writer = db.engine.execution_options(stockcore_write=True)
                with copy.engine.connect() as source, writer.begin() as destination:
                    _replace(source, destination)
            except OperationalError as failure:
                raise StockcoreError(
                    f"the restore failed and changed nothing: {failure.orig}"
                ) from None
        finally:
            copy.dispose()
    return summary


def _replace(source: Connection, destination: Connection) -> None:
    """Every row of `destination` replaced by `source`'s. A backup without accounts (made
    before there were any) keeps the current accounts, so nobody is locked out and the
    next visitor cannot claim the shop as its new owner."""
    if destination.dialect.name == "sqlite":
        destination.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    accounts = Base.metadata.tables["users"]
    has_accounts = bool(source.scalar(select(func.count()).select_from(accounts)))
    skip = frozenset() if has_accounts else frozenset({accounts.name})
    for table in reversed(_tables()):
        if table.name not in skip:
            destination.execute(table.delete())
    _copy_rows(source, destination, skip)
    if destination.dialect.name == "postgresql":
        for table in _tables():
            column = table.c.get("id")
            if column is None or not column.primary_key or column.type.python_type is not int:
                continue
            highest = select(func.max(column)).scalar_subquery()
            destination.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence(table.name, "id"),
                        func.coalesce(highest, 1),
                        highest.is_not(None),
                    )
                )
            )
