"""The shop's data version: a number that changes whenever a write transaction commits, on
SQLite and PostgreSQL, from any process, so that a cache keyed by it never shows the shop as
it was (the dashboard's loaders; see stockcore/interfaces/ui).

    version = data_version(db)   # read once per page run: a few microseconds on SQLite,
                                 # one round trip on PostgreSQL

Compare versions for equality only, and only versions read through the same `Database`
object: equal means nothing was committed in between.

How each backend knows, and why so:

* SQLite: `PRAGMA data_version` on a connection of its own that never writes. SQLite keeps
  this number per connection and changes it whenever *another* connection (of this process
  or any other) has committed a change to the file since; the watcher writes nothing, so
  every commit counts. It costs nothing to the writers (no extra write, no lock), and it
  sees every write path there is, the ORM's, Core's (a restore), a migration, even the
  sqlite3 shell. A database in memory is private to this process: there the version counts
  the write transactions of its `Database`.
* PostgreSQL has no such number for one database (the transaction-id snapshot and the WAL
  position move with every database of the server, with VACUUM and ANALYZE, and would empty
  the caches all the time). So each committed write transaction (`Database.write()`,
  `together()`, `write_connection()`, a migration) takes the next value of the sequence
  `data_version` (migration 0017) right after its COMMIT, and the version is the sequence's
  last value. Alternatives weighed:
  - a counter row updated inside every write transaction is exact (committed with the
    data), but its row lock is held until COMMIT, so every write transaction of every
    process would wait for the one before it to commit: concurrent purchases of different
    products, which otherwise only lock their own product rows, would be serialised.
    NOTIFY has the same flaw (a lock held through commit, for the whole server);
  - the highest ids, or the latest timestamps, of the tables miss changes made in place
    (acknowledging an alert, a setting, a product's terms, a purchase order received) and
    deletions (an import undone), and reading them all costs a query per table;
  - `nextval` is never rolled back and never waits for another transaction, so bumping the
    sequence costs one round trip after a commit and serialises nothing. Taken *after* the
    commit, a reader that sees the new version also sees the data; taken before, a page
    could read the new version, then the old data, and keep the old data under the new
    version. The window in between (a reader reading the old version and the new data)
    only caches the newer data under the older version. If the process dies between its
    COMMIT and the bump, the change shows at the next write or when the cache's entry
    expires (the dashboard's TTL).
  Hence migration 0017: a sequence, no table (and nothing at all on SQLite).

Every committed write transaction changes the version, including those no page shows
(a failed sign-in, the forecast refresh's progress): a page then recomputes what it shows
once more than needed, never shows it stale.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from typing import TYPE_CHECKING

from sqlalchemy import Engine, column, select, table
from sqlalchemy.exc import DBAPIError

from stockcore.persistence.models import DATA_VERSION_SEQUENCE

if TYPE_CHECKING:
    from stockcore.persistence.db import Database

_log = logging.getLogger(__name__)

# The sequence read as the table PostgreSQL shows it as: its last value, and whether that
# value was taken yet (a new sequence shows its start value, not yet taken).
_SEQUENCE = table(DATA_VERSION_SEQUENCE.name, column("last_value"), column("is_called"))


def data_version(db: Database) -> int:
    """The shop's data version now: it changes whenever a write transaction has committed
    (from any process), and stays the same while nothing is written. Cheap: read it once
    per page run and key cached views by it."""
    return db.versions.current()


class DataVersions:
    """A `Database`'s view of its data version (see the module's docstring): `committed()`
    after each write transaction, `current()` to read it."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._lock = threading.Lock()
        self._commits = 0  # this object's write transactions (the version in memory)
        self._watcher: sqlite3.Connection | None = None
        database = engine.url.database or ""
        self._watch_file = (
            engine.dialect.name == "sqlite"
            and database not in ("", ":memory:")
            and "mode=memory" not in database
        )

    def committed(self) -> None:
        """A write transaction of this process has just committed."""
        with self._lock:
            self._commits += 1
        if not self._postgres:
            return  # SQLite's watcher sees the commit by itself
        try:
            with self._autocommit.connect() as connection:
                connection.execute(select(DATA_VERSION_SEQUENCE.next_value()))
        except DBAPIError as failure:
            # The change is committed: failing to announce it must not turn it into an
            # error. Pages catch up at the next write, or when their cache entry expires.
            _log.warning("the data version was not moved on after a commit: %s", failure)

    def current(self) -> int:
        """The data version now."""
        if self._postgres:
            with self._autocommit.connect() as connection:
                last_value, taken = connection.execute(
                    select(_SEQUENCE.c.last_value, _SEQUENCE.c.is_called)
                ).one()
            return int(last_value) if taken else 0
        if not self._watch_file:
            with self._lock:
                return self._commits
        with self._lock:
            if self._watcher is None:
                self._watcher = self._open_watcher()
            return int(self._watcher.execute("PRAGMA data_version").fetchone()[0])

    def _open_watcher(self) -> sqlite3.Connection:
        # A connection made as the engine makes them (busy timeout, WAL), but kept out of
        # its pool: it is this object's alone, for as long as the Database lives.
        pooled = self._engine.raw_connection()
        watcher = pooled.driver_connection
        pooled.detach()
        assert isinstance(watcher, sqlite3.Connection)
        return watcher

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
