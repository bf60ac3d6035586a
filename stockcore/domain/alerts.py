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
