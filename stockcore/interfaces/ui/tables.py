"""The pages' tables as they show them: which columns, in the shop's words. The numbers
come from the use cases; nothing here computes one."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from stockcore import accounts
from stockcore.domain import Product
from stockcore.forecasting.views import CoverQuantiles
from stockcore.inventory import reports
from stockcore.replenishment.purchase_orders import PurchaseOrder


def lead_time_alerts_frame(alerts: list[reports.AlertView]) -> pd.DataFrame:
    """Alerts of products that run out before a new order could arrive: no threshold
    columns, but what the forecast said would sell over the lead time when it was raised."""
    return (
        reports.alerts_frame(alerts)
        .drop(columns=["restock_threshold", "short_by"])
        .assign(needed=[alert.needed_at_raise for alert in alerts])
    )


def resolved_alerts_frame(alerts: list[reports.AlertView]) -> pd.DataFrame:
    return reports.alerts_frame(alerts).drop(columns=["short_by", "status"])


def covers_frame(covers: Sequence[CoverQuantiles]) -> pd.DataFrame:
    """How much could sell before a new order arrives, per cover, in units."""
    return pd.DataFrame(
        [
            {
                "Over": (
                    f"the {c.days}-day lead time"
                    if c.cover == "lead"
                    else f"lead time + review ({c.days} days)"
                ),
                "Average": c.mean,
                "80% chance of at most": c.q80,
                "90%": c.q90,
                "95%": c.q95,
                "98%": c.q98,
            }
            for c in covers
        ]
    )


def stock_frame(products: list[Product]) -> pd.DataFrame:
    """The read-only stock list: price, on hand, threshold, and whether to restock."""
    columns = ["product_id", "name", "category", "unit_price", "quantity", "restock_threshold"]
    return reports.inventory_frame(products)[columns].assign(
        status=["Restock" if p.needs_restock else "OK" for p in products]
    )


def users_frame(users: Sequence[accounts.User]) -> pd.DataFrame:
    return pd.DataFrame(
        [(u.username, u.email, u.role.value, u.active, u.created_at) for u in users],
        columns=["username", "email", "role", "active", "created_at"],
    )


def purchase_order_frame(order: PurchaseOrder) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"product": line.product_id, "name": line.name, "units": line.quantity}
            for line in order.lines
        ],
        columns=["product", "name", "units"],
    )
