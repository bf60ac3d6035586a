"""One forecast refresh at a time, across requests, threads and processes.

A refresh takes the `forecasts` row of the `leases` table before it reads anything and
gives it back when it ends, however it ends. Taking it is one conditional UPDATE
("free, or expired"), atomic on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (the second
writer waits for the first and re-checks the condition), so two refreshes never both
hold it. The holder renews the lease as it reports progress; a holder that crashed stops
renewing, and its lease expires `LEASE_SECONDS` after its last renewal, so it blocks the
next refresh for minutes, never for ever. Times are real UTC, not the shop's clock.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from stockcore.domain import Conflict
from stockcore.persistence.db import Database
from stockcore.persistence.models import LeaseRow

FORECASTS: Final = "forecasts"
LEASE_SECONDS: Final = 180  # a lease not renewed for this long is free again
RENEW_SECONDS: Final = 5.0  # progress renews the lease at most this often

_log = logging.getLogger(__name__)


def utc_now() -> datetime:
    """Real time in UTC, without tzinfo (as DateTime columns store it)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class RunningRefresh:
    """The refresh that holds the lease: since when, and how far it has got (series)."""

    started_at: datetime  # UTC
    done: int
    total: int
    expires_at: datetime  # UTC: when the lease is free if it is not renewed


class RefreshRunning(Conflict):
    """Another forecast refresh is running; this one did not start."""

    def __init__(self, running: RunningRefresh) -> None:
        self.running = running
        progress = (
            f"{running.done:,} of {running.total:,} series done"
            if running.total
            else "reading the sales history"
        )
        super().__init__(
            f"a forecast refresh is already running (started {running.started_at:%H:%M:%S} "
            f"UTC, {progress}); try again when it has finished"
        )


class Lease:
    """A held lease: renew it with progress, give it back with `release`."""

    def __init__(self, db: Database, holder: str, now: Callable[[], datetime]) -> None:
        self._db = db
        self.holder = holder
        self._now = now
        self._renewed = time.monotonic()
        self._total = 0

    def progress(self, done: int, total: int, *, force: bool = False) -> None:
        """Record how far the refresh has got and renew the lease (at most every few
        seconds, unless `force`, the total changed or the work is done)."""
        quiet = time.monotonic() - self._renewed < RENEW_SECONDS
        if not force and quiet and done < total and total == self._total:
            return
        self._renewed, self._total = time.monotonic(), total
        with self._db.write() as session:
            renewed = session.execute(
                update(LeaseRow)
                .where(LeaseRow.name == FORECASTS, LeaseRow.holder == self.holder)
                .values(
                    done=done,
                    total=total,
                    expires_at=self._now() + timedelta(seconds=LEASE_SECONDS),
                )
            )
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            _log.warning("the forecast refresh lease expired before it was renewed")

    def release(self) -> None:
        with self._db.write() as session:
            session.execute(
                update(LeaseRow)
                .where(LeaseRow.name == FORECASTS, LeaseRow.holder == self.holder)
                .values(holder=None, expires_at=None)
            )


def running(db: Database, *, now: Callable[[], datetime] = utc_now) -> RunningRefresh | None:
    """The refresh holding the lease now, if one does."""
    with db.read() as session:
        row = session.get(LeaseRow, FORECASTS)
        if row is None or row.holder is None or row.expires_at is None:
            return None
        if row.expires_at < now() or row.started_at is None:
            return None
        return RunningRefresh(row.started_at, row.done, row.total, row.expires_at)


def acquire(db: Database, *, now: Callable[[], datetime] = utc_now) -> Lease:
    """Take the forecast refresh lease, or refuse with RefreshRunning."""
    try:
        with db.write() as session:
            if session.get(LeaseRow, FORECASTS) is None:
                session.add(LeaseRow(name=FORECASTS, holder=None, done=0, total=0))
    except IntegrityError:  # another process made the row at the same moment: it exists
        pass
    holder = str(uuid.uuid4())
    moment = now()
    with db.write() as session:
        taken = session.execute(
            update(LeaseRow)
            .where(
                LeaseRow.name == FORECASTS,
                or_(
                    LeaseRow.holder.is_(None),
                    LeaseRow.expires_at.is_(None),
                    LeaseRow.expires_at < moment,
                ),
            )
            .values(
                holder=holder,
                started_at=moment,
                expires_at=moment + timedelta(seconds=LEASE_SECONDS),
                done=0,
                total=0,
            )
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return Lease(db, holder, now)
        row = session.get(LeaseRow, FORECASTS)
        assert row is not None and row.started_at is not None and row.expires_at is not None
        held = RunningRefresh(row.started_at, row.done, row.total, row.expires_at)
    raise RefreshRunning(held)


@contextmanager
def refresh_lease(db: Database, *, now: Callable[[], datetime] = utc_now) -> Iterator[Lease]:
    """Hold the forecast refresh lease for the block; refuses with RefreshRunning."""
    lease = acquire(db, now=now)
    try:
        yield lease
    finally:
        try:
            lease.release()
        except Exception as error:  # never hide the block's own failure; it expires anyway
            _log.error("the forecast refresh lease could not be released: %s", type(error).__name__)
