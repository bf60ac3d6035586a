"""The stock ledger's movement kinds and the restock alerts' rules."""

from __future__ import annotations

import math
from enum import StrEnum

from stockcore.domain.product import Product


class MovementKind(StrEnum):
    """Why a product's quantity on hand changed. Quantity = sum of its movements."""

    OPENING = "opening"
    SALE = "sale"
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertKind(StrEnum):
    BELOW_THRESHOLD = "below_threshold"
    # The forecast uses up the stock (on hand + on order) before an order placed today
    # could arrive: the supplier's lead time is longer than the stock lasts.
    RUNS_OUT_BEFORE_DELIVERY = "runs_out_before_delivery"


class AlertAction(StrEnum):
    RAISE = "raise"
    RESOLVE = "resolve"
    KEEP = "keep"


def restock_alert_action(product: Product, has_active_alert: bool) -> AlertAction:
    """Decide what happens to a product's restock alert after its stock or threshold changed.

    One active (open or acknowledged) alert per product at a time: a further sale does
    not raise a second one; the alert resolves once stock is back at or above the
    threshold.
    """
    if product.needs_restock and not has_active_alert:
        return AlertAction.RAISE
    if not product.needs_restock and has_active_alert:
        return AlertAction.RESOLVE
    return AlertAction.KEEP


def urgency(quantity: int, restock_threshold: int) -> float:
    """Stock relative to its threshold: 0 is out of stock, below 1 is below threshold.

    Alerts are listed most urgent (smallest) first.
    """
    if restock_threshold <= 0:
        return math.inf
    return quantity / restock_threshold


def restock_message(product_id: str, name: str, quantity: int, restock_threshold: int) -> str:
    """The words of a restock alert, the same in the dashboard, the CLI and the API."""
    return (
        f"restock alert: {product_id} {name} is down to {quantity} (threshold {restock_threshold})"
    )


def lead_time_message(product: Product) -> str:
    """The words of a 'runs out before delivery' alert raised by a sale."""
    return (
        f"lead-time alert: {product.product_id} {product.name} will run out before a new "
        f"order could arrive ({product.lead_time_days}-day lead time): order now"
    )


def listing(*parts: str | tuple[object, str]) -> str:
    """Parts of a summary joined by commas: a text as it is, a `(count, text)` pair only when
    the count is not zero (or, for a list, not empty)."""
    shown = [
        part if isinstance(part, str) else part[1]
        for part in parts
        if isinstance(part, str) or part[0]
    ]
    return ", ".join(shown)


def plural(count: float, word: str) -> str:
    """`word` as it goes with `count`: "day" for 1, "days" otherwise."""
    return word if count == 1 else word + "s"


def counted(count: int, word: str, verb: tuple[str, str] | None = None) -> str:
    """A count with its word, and the verb (singular, plural) that agrees with it:
    counted(1204, "product") is "1,204 products", counted(1, "day", ("has", "have")) is
    "1 day has"."""
    text = f"{count:,} {plural(count, word)}"
    if verb is not None:
        text += " " + (verb[0] if count == 1 else verb[1])
    return text


def as_sentence(message: str) -> str:
    """A message as a sentence on a page: a capital first letter and a full stop."""
    text = message[:1].upper() + message[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
