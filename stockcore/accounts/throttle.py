"""The login throttle: failed sign-ins kept in the database (table login_failures), so every
dashboard and API process, and a restart, count the same failures.

Three limits within a sliding window (15 minutes by default):

* 5 failures for one account from one client address lock that account *from that
  address*: someone guessing the owner's password does not lock the owner out elsewhere;
* 20 failures from one address, whatever the accounts, lock that address;
* 100 failures for one account from all addresses together lock the account everywhere:
  the ceiling on guessing spread over many addresses.

A lock lasts until enough failures age out of the window. An attempt is counted before its
password is checked and forgotten if the password was right, so parallel guesses cannot
slip past a limit. Rows older than the window are deleted as new attempts come in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import Select, delete, select, text

from stockcore.accounts.errors import TooManyAttempts
from stockcore.persistence.db import Database
from stockcore.persistence.models import LoginFailureRow

# The address of a sign-in whose client address is not known (the dashboard opened on
# localhost): all such attempts share one address.
UNKNOWN_ADDRESS: Final = ""
ADDRESS_MAX_LENGTH: Final = 64
ACCOUNT_KEY_MAX_LENGTH: Final = 254


def utc_now() -> datetime:
    """Real time in UTC, for token expiry and the throttle (not the shop's local clock)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class LoginThrottle:
    """The throttle's limits (failures within `window`) and its clock (real UTC time).

    It holds no state: the failures are rows in the shop's database.
    """

    per_account_and_address: int = 5
    per_address: int = 20
    per_account: int = 100
    window: timedelta = timedelta(minutes=15)
    clock: Callable[[], datetime] = utc_now

    def _now(self) -> datetime:
        """Naive UTC, as the DateTime column stores it."""
        return self.clock().astimezone(UTC).replace(tzinfo=None)

    def begin(self, db: Database, account: str, address: str | None) -> int:
        """Count a sign-in attempt before its password is checked; its id for `succeeded`.

        Raises TooManyAttempts (and counts nothing) while any limit is reached.
        """
        account = account[:ACCOUNT_KEY_MAX_LENGTH]
        place = (address or UNKNOWN_ADDRESS)[:ADDRESS_MAX_LENGTH]
        now = self._now()
        since = now - self.window
        with db.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Check and count as one step across processes (SQLite's write transaction
                # already holds the database's write lock).
                session.execute(text("LOCK TABLE login_failures IN SHARE ROW EXCLUSIVE MODE"))
            session.execute(delete(LoginFailureRow).where(LoginFailureRow.failed_at <= since))
            recent = select(LoginFailureRow.failed_at).where(LoginFailureRow.failed_at > since)
            limits: list[tuple[Select[datetime], int]] = [
                (
                    recent.where(
                        LoginFailureRow.account == account, LoginFailureRow.address == place
                    ),
                    self.per_account_and_address,
                ),
                (recent.where(LoginFailureRow.address == place), self.per_address),
                (recent.where(LoginFailureRow.account == account), self.per_account),
            ]
            waits = []
            for failures, limit in limits:
                # The failure whose ageing out brings this key back under its limit.
                oldest_that_counts = session.scalars(
                    failures.order_by(LoginFailureRow.failed_at.desc()).offset(limit - 1).limit(1)
                ).first()
                if oldest_that_counts is not None:
                    opens = oldest_that_counts + self.window
                    waits.append(max(1, math.ceil((opens - now).total_seconds())))
            if waits:
                raise TooManyAttempts(max(waits))
            attempt = LoginFailureRow(account=account, address=place, failed_at=now)
            session.add(attempt)
            session.flush()
            return attempt.id

    def succeeded(self, db: Database, attempt: int) -> None:
        """The password was right: forget this attempt and the earlier failures of the same
        account from the same address (failures from elsewhere still count)."""
        with db.write() as session:
            row = session.get(LoginFailureRow, attempt)
            if row is None:
                return
            session.execute(
                delete(LoginFailureRow).where(
                    LoginFailureRow.account == row.account,
                    LoginFailureRow.address == row.address,
                )
            )
