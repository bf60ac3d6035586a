"""What a use case refuses, by category: each interface maps a category once (HTTP status,
CLI exit code, dashboard message) and never lists the individual refusals.

Every refusal's message is written for the shop owner, and a use case that raises one
guarantees that nothing was changed.
"""

from __future__ import annotations


class StockcoreError(Exception):
    """A refusal whose message is written for the shop owner.

    Raise one of the categories below (or a subclass); a bare StockcoreError is an
    operational failure (a file that cannot be written, a database that cannot be read)."""


class Invalid(StockcoreError):
    """What was typed or sent cannot be accepted (a field, a file, an option)."""


class NotFound(StockcoreError):
    """The thing asked for does not exist (a product, an alert, a user, an order)."""


class Conflict(StockcoreError):
    """Well-formed, but the shop's current state does not allow it (not enough stock, a
    duplicate id, nothing to forecast yet, an order already received)."""


class Forbidden(StockcoreError):
    """The signed-in person may not do this."""


class Unauthenticated(StockcoreError):
    """Who is asking is not known: a wrong password, a missing or expired token."""


class Throttled(StockcoreError):
    """Too many attempts; try again after `retry_after_seconds`."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(message)


class InvalidValue(Invalid):
    """A field holds a value the shop cannot accept."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field} {show(value)} {reason}")


class UnknownProduct(NotFound):
    def __init__(self, product_id: str) -> None:
        self.product_id = product_id
        super().__init__(f"unknown product {product_id!r}: no product has that id")


class DuplicateProduct(Conflict):
    def __init__(self, product_id: str) -> None:
        self.product_id = product_id
        super().__init__(f"product {product_id!r} already exists; ids must be unique")


class InsufficientStock(Conflict):
    def __init__(self, product_id: str, name: str, requested: int, on_hand: int) -> None:
        self.product_id = product_id
        self.requested = requested
        self.on_hand = on_hand
        super().__init__(
            f"not enough stock of {product_id} {name}: {requested} requested, "
            f"{on_hand} on hand; nothing was sold"
        )


class UnknownAlert(NotFound):
    def __init__(self, alert_id: int) -> None:
        self.alert_id = alert_id
        super().__init__(f"unknown alert {alert_id}: no such alert")


def show(value: object) -> str:
    """A value as quoted in a refusal: text in quotes, long values cut at 60 characters."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
