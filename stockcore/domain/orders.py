"""Purchase orders to suppliers: where one stands."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """Where a purchase order stands; the value is what the database stores. Only open
    orders count as stock on order."""

    OPEN = "open"
    RECEIVED = "received"
    CANCELLED = "cancelled"
