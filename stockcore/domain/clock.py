"""The shop's clock: use cases take a `Clock` argument so a test can pass its own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]


def local_now() -> datetime:
    """The shop's wall-clock time. Sales are stored in shop-local time."""
    return datetime.now().replace(microsecond=0)
