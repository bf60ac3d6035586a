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

`describe` makes the same checks as `restore` and says what a backup holds (rows per
table, its schema, when it was taken) without changing anything, so an interface can show
it before asking to go ahead.

A backup file is never overwritten, and the backup being restored is never changed.
The moment a backup was taken is kept in the file's SQLite header (`PRAGMA user_version`,
minutes since 1970 UTC): a backup made before this has none.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, create_engine, func, inspect, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import NullPool

from stockcore.domain import Conflict, Invalid, NotFound, StockcoreError
from stockcore.persistence.db import (
    Database,
    current_revision,
    head_revision,
    known_revisions,
    upgrade,
)
from stockcore.persistence.models import Base

CHUNK: Final = 5_000
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


class _RowCount:
    """A read-only attribute of a BackupSummary: its rows in one table (0 if none)."""

    def __init__(self, table: str) -> None:
        self.table = table

    def __get__(self, summary: BackupSummary, owner: type | None = None) -> int:
        return summary.rows.get(self.table, 0)


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    revision: str | None
    rows: dict[str, int]  # rows per table
    taken_at: datetime | None = None  # UTC; None for a backup made before it was recorded

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    products = _RowCount("products")
    sale_lines = _RowCount("sale_lines")
    movements = _RowCount("stock_movements")
    accounts = _RowCount("users")

    @property
    def needs_upgrade(self) -> bool:
        """Made by an older version: a restore upgrades a copy of it first."""
        return self.revision != head_revision()

    def restore_notes(self) -> list[str]:
        """What a restore of this backup does beyond replacing every row, in words."""
        notes = []
        if self.needs_upgrade:
            notes.append(
                f"it was made by an older version (schema {self.revision}): a copy of it is "
                f"brought up to this version's schema ({head_revision()}) first"
            )
        if not self.accounts:
            notes.append("it has no accounts: the current accounts are kept")
        return notes

    def message(self, verb: str) -> str:
        taken = f"; taken {self.taken_at:%Y-%m-%d %H:%M} UTC" if self.taken_at is not None else ""
        return (
            f"{verb} {self.path}: {self.total:,} rows in {len(self.rows)} tables "
            f"({self.products:,} products, {self.sale_lines:,} sales lines, "
            f"{self.movements:,} stock movements; schema {self.revision}{taken})"
        )


# Tables that hold what this server is doing now, not the shop: a restore keeps the running
# server's rows (a forecast refresh's lease) and never brings back a backup's, which would
# hold off the next refresh until it expired.
RUNNING_STATE: Final = frozenset({"leases"})


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


def shop_rows(db: Database) -> dict[str, int]:
    """Rows per table of the shop as it is now (to set beside a backup before a restore)."""
    with db.engine.connect() as connection:
        return _counts(connection)


def backup(
    db: Database, file: str | Path, *, now: Callable[[], datetime] | None = None
) -> BackupSummary:
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
        _stamp(partial, (now or _utc_now)())
        summary = _summary(partial)
        partial.rename(target)
    except OSError as failure:
        raise StockcoreError(
            f"cannot write the backup {target}: {failure.strerror or failure}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(target, summary.revision, summary.rows, summary.taken_at)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _stamp(path: Path, moment: datetime) -> None:
    minutes = int((moment.astimezone(UTC) - EPOCH) // timedelta(minutes=1))
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA user_version = {minutes:d}")
        connection.commit()


def _taken_at(connection: Connection) -> datetime | None:
    minutes = connection.exec_driver_sql("PRAGMA user_version").scalar()
    return EPOCH + timedelta(minutes=minutes) if isinstance(minutes, int) and minutes > 0 else None


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
            return BackupSummary(path, revision, _counts(connection), _taken_at(connection))
    finally:
        engine.dispose()


def _copy_file(source: Path, target: Path, label: str) -> None:
    """Copy an SQLite file through SQLite itself (whatever its journal mode)."""
    origin = sqlite3.connect(source)
    destination = sqlite3.connect(target)
    try:
        origin.backup(destination)
    except sqlite3.DatabaseError:
        raise Invalid(f"{label} is not a stockcore backup (unreadable)") from None
    finally:
        destination.close()
        origin.close()


def _check_backup_file(path: Path, label: str) -> None:
    if not path.is_file():
        raise NotFound(f"backup file {label} does not exist")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise Invalid(f"{label} is not a stockcore backup (not an SQLite database)")


@contextmanager
def _checked_copy(
    file: str | Path, shown_as: str | None
) -> Iterator[tuple[Database, BackupSummary]]:
    """A working copy of the backup in `file` and what it holds as taken (the file itself
    is never changed), once every check passed: a stockcore backup this version knows.
    Refusals name the file `shown_as` (an uploaded file's own name), or its path."""
    source_path = Path(file)
    label = shown_as or str(source_path)
    _check_backup_file(source_path, label)
    with tempfile.TemporaryDirectory(prefix="stockcore-restore-") as folder:
        working = Path(folder) / "backup.db"
        _copy_file(source_path, working, label)
        copy = Database.connect(f"sqlite:///{working}")
        try:
            try:
                revision = current_revision(copy)
                with copy.engine.connect() as connection:
                    rows = _counts(connection)
                    taken_at = _taken_at(connection)
            except DatabaseError:
                raise Invalid(f"{label} is not a stockcore backup") from None
            if revision is None:
                raise Invalid(f"{label} is not a stockcore backup (no schema)")
            if revision not in known_revisions():
                raise Conflict(
                    f"{label} was made by a newer stockcore (schema {revision}); "
                    "upgrade stockcore to restore it"
                )
            yield copy, BackupSummary(source_path, revision, rows, taken_at)
        finally:
            copy.dispose()


def describe(file: str | Path, *, shown_as: str | None = None) -> BackupSummary:
    """What the backup in `file` holds (rows per table, its schema, when it was taken),
    after the same checks as `restore`; nothing is changed anywhere."""
    with _checked_copy(file, shown_as) as (_, summary):
        return summary


def restore(db: Database, file: str | Path, *, shown_as: str | None = None) -> BackupSummary:
    """Replace everything in `db` with the backup in `file`, in one transaction."""
    with _checked_copy(file, shown_as) as (copy, taken):
        upgrade(copy)  # an older backup: bring the copy up to this version's schema
        upgrade(db)
        with copy.engine.connect() as connection:
            rows = _counts(connection)
        summary = BackupSummary(taken.path, current_revision(copy), rows, taken.taken_at)
        try:
            with copy.engine.connect() as source, db.write_connection() as destination:
                _replace(source, destination)
        except OperationalError as failure:
            raise StockcoreError(
                f"the restore failed and changed nothing: {failure.orig}"
            ) from None
    return summary


def _replace(source: Connection, destination: Connection) -> None:
    """Every row of `destination` replaced by `source`'s. A backup without accounts (made
    before there were any) keeps the current accounts, so nobody is locked out and the
    next visitor cannot claim the shop as its new owner."""
    if destination.dialect.name == "sqlite":
        destination.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    accounts = Base.metadata.tables["users"]
    has_accounts = bool(source.scalar(select(func.count()).select_from(accounts)))
    skip = RUNNING_STATE | (frozenset() if has_accounts else frozenset({accounts.name}))
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
