"""Engines, sessions and schema migrations for SQLite and PostgreSQL.

A `Database` hands out one session per user action:

    with db.write() as session:   # commits on success, rolls back on any exception
        ...

On SQLite a write transaction starts with BEGIN IMMEDIATE, so it holds the write
lock from its first statement and a read-then-write use case can never be
overtaken by another writer; reads use a plain BEGIN and never block writers (WAL).
On PostgreSQL, stock changes are single conditional UPDATEs that lock the row.

Every write transaction that commits changes the shop's data version
(`stockcore.persistence.data_version`), which caches are keyed by.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, create_engine, event, insert, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from stockcore.domain import StockcoreError, counted
from stockcore.persistence.data_version import DataVersions

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = REPO_ROOT / "data" / "stockcore.db"
DATABASE_URL_ENV = "STOCKCORE_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000

# The write session of `Database.together()` in progress on this thread (or task), if any.
_JOINED: ContextVar[tuple[Database, Session] | None] = ContextVar("_JOINED", default=None)


def database_url(explicit: str | None = None) -> str:
    """The database to use: the argument, else $STOCKCORE_DATABASE_URL, else data/stockcore.db."""
    url = explicit or os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    return normalise_url(url)


def normalise_url(url: str) -> str:
    """Let people paste a plain postgresql:// URL; we always talk to it through psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("stockcore_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


@dataclass
class Database:
    """One shop's database: the session factory every use case takes as its first argument."""

    url: str
    engine: Engine
    _read: sessionmaker[Session] = field(init=False, repr=False)
    _write: sessionmaker[Session] = field(init=False, repr=False)
    _write_engine: Engine = field(init=False, repr=False)
    versions: DataVersions = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = self.engine.execution_options(stockcore_write=True)
        self._write = sessionmaker(self._write_engine, expire_on_commit=False)
        self.versions = DataVersions(self.engine)

    @classmethod
    def connect(cls, url: str | None = None) -> Database:
        """Open (but do not migrate) the database at `url` (see `database_url`)."""
        resolved = database_url(url)
        parsed = make_url(resolved)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                folder = Path(parsed.database).parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as failure:
                    raise StockcoreError(
                        f"cannot create the folder {folder} for the SQLite database: "
                        f"{failure.strerror or failure}"
                    ) from None
            engine = create_engine(
                resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
            )
            _configure_sqlite(engine)
        else:
            engine = create_engine(resolved, pool_pre_ping=True)
        return cls(resolved, engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading, never blocking writers. Closing it ends the transaction
        (the connection rolls back); loaded objects stay readable afterwards."""
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one change: committed on success (which changes the data version),
        rolled back on any exception. Inside `together()` it is the caller's session:
        committed with the rest, or not."""
        joined = _JOINED.get()
        if joined is not None and joined[0] is self:
            yield joined[1]
            return
        with self._write.begin() as session:
            yield session
        self.versions.committed()

    @contextmanager
    def together(self) -> Iterator[Session]:
        """One write transaction that every `write()` inside it joins, so a use case and what
        is stored about it (e.g. an idempotency key) commit together or not at all. Reads
        (`read()`) inside it still see only what was committed before it began."""
        with self._write.begin() as session:
            token = _JOINED.set((self, session))
            try:
                yield session
            finally:
                _JOINED.reset(token)
        self.versions.committed()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection for one change made without the ORM (a restore): committed on
        success, rolled back on any exception."""
        with self._write_engine.begin() as connection:
            yield connection
        self.versions.committed()

    def dispose(self) -> None:
        self.versions.close()
        self.engine.dispose()


# --- Schema ---------------------------------------------------------------------------------


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("stockcore.persistence").joinpath("migrations"))
    )
    config.attributes["connection"] = connection
    return config


def is_new(db: Database) -> bool:
    """True when the database has no stockcore schema yet."""
    return not inspect(db.engine).has_table("products")


def upgrade(db: Database) -> None:
    """Bring the schema up to the newest migration (idempotent; safe at every start).

    On SQLite some migrations rebuild a table (ALTER TABLE is limited there), which is only
    possible with foreign-key enforcement off; it is switched off for the migration, every
    reference is checked before the migration commits, and enforcement is switched back on.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection
        if sqlite:
            # Outside any transaction, or SQLite ignores it.
            raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                revision = MigrationContext.configure(connection)  # reads it at each call
                before = revision.get_current_revision()
                command.upgrade(_alembic_config(connection), "head")
                migrated = revision.get_current_revision() != before
                # Only a migration can break a reference here; the check reads every table
                # (a second or more on a shop of a million sale lines), so not at every start.
                if sqlite and migrated:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise StockcoreError(
                            f"the schema upgrade would break {counted(len(broken), 'reference')} "
                            f"(first: table {broken[0][0]}); nothing was changed"
                        )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    if migrated:
        db.versions.committed()  # a migration may change what the views read


def known_revisions() -> set[str]:
    """Every schema revision this version's migrations know."""
    from alembic.script import ScriptDirectory

    with Database.connect("sqlite://").engine.connect() as connection:
        scripts = ScriptDirectory.from_config(_alembic_config(connection))
        return {script.revision for script in scripts.walk_revisions()}


def head_revision() -> str | None:
    """The newest schema revision this version knows."""
    from alembic.script import ScriptDirectory

    with Database.connect("sqlite://").engine.connect() as connection:
        return ScriptDirectory.from_config(_alembic_config(connection)).get_current_head()


def current_revision(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# --- Bulk writes ----------------------------------------------------------------------------


def bulk_insert(
    session: Session, table: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert many rows, already in storage form, in the session's transaction.

    The INSERT is compiled by SQLAlchemy for the session's dialect; the rows go straight
    to the driver's executemany, skipping per-row parameter processing (5x faster for a
    million sale lines). Values must already be what the column stores: integer minor
    units for money, and dates/times as `storage_datetimes` / `storage_dates` give them.
    """
    connection = session.connection()
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=columns)
    position = {name: index for index, name in enumerate(columns)}
    # sqlite3 and psycopg take any iterable here (the DBAPI stub says Sequence): rows stream
    # through without a second full copy in memory.
    cursor: Any = connection.connection.cursor()
    driver_integrity_error = connection.dialect.loaded_dbapi.IntegrityError
    try:
        if compiled.positional:
            order = [position[name] for name in compiled.positiontup or []]
            if order == list(range(len(columns))):
                cursor.executemany(str(compiled), rows)
            else:
                pick = operator.itemgetter(*order)
                cursor.executemany(str(compiled), (pick(row) for row in rows))
        else:
            cursor.executemany(
                str(compiled), [dict(zip(columns, row, strict=True)) for row in rows]
            )
    except driver_integrity_error as failure:
        # As SQLAlchemy's own statements raise it, so use cases catch one exception
        # (a duplicate written by a concurrent import is a Conflict, not a crash).
        raise IntegrityError(str(compiled), None, failure) from failure
    finally:
        cursor.close()


def storage_datetimes(values: Any, dialect_name: str) -> list[Any]:
    """numpy datetime64 values as the column stores them: SQLAlchemy's SQLite text format,
    or Python datetimes for a database with a real timestamp type."""
    import numpy as np

    array = np.asarray(values, dtype="datetime64[us]")
    if dialect_name == "sqlite":
        return [text.replace("T", " ") for text in np.datetime_as_string(array, unit="us")]
    return list(array.astype(object))


def storage_dates(values: Any, dialect_name: str) -> list[Any]:
    import numpy as np

    array = np.asarray(values, dtype="datetime64[D]")
    if dialect_name == "sqlite":
        return list(np.datetime_as_string(array, unit="D"))
    return list(array.astype(object))


def as_date(value: object) -> date:
    """A stored day as a date: SQLite hands dates back as text, PostgreSQL as dates."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


_Row = TypeVar("_Row")


def locked_row(session: Session, model: type[_Row], key: object, missing: StockcoreError) -> _Row:
    """`model`'s row `key`, locked until the transaction ends (FOR UPDATE on PostgreSQL;
    SQLite's write transaction holds the whole file already); `missing` is raised (a
    NotFound) when there is no such row."""
    row = session.get(model, key, with_for_update=True)
    if row is None:
        raise missing
    return row


_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def within_days(query: _Query, column: Any, start: date | None, end: date | None) -> _Query:
    """The query limited to days from `start` to `end` (either may be open)."""
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column <= end)
    return query
