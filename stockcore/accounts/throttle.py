"""The login throttle: failed sign-ins counted in this process, per account and per client
address; 5 failures within 15 minutes lock that key until the oldest one ages out."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    """Real time in UTC, for token expiry and the throttle (not the shop's local clock)."""
    return datetime.now(UTC)


class LoginThrottle:
    """Failed sign-ins per key ("account:…", "address:…") within a sliding window.

    In-process and in memory: each dashboard or API server process counts its own
    failures, and a restart forgets them. Thread-safe.
    """

    def __init__(
        self,
        *,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = utc_now,
        max_keys: int = 100_000,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds until these keys may try again, or None if they may try now."""
        now = self.clock()
        waits = []
        with self._lock:
            for key in keys:
                stamps = self._recent(key, now)
                if len(stamps) >= self.max_failures:
                    opens = stamps[-self.max_failures] + self.window
                    waits.append(max(1, math.ceil((opens - now).total_seconds())))
        return max(waits) if waits else None

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.max_keys:
                for key in list(self._failures):
                    self._recent(key, now)
            for key in keys:
                stamps = self._failures.setdefault(key, deque(maxlen=self.max_failures))
                stamps.append(now)

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
