"""The pages' tables as they show them: which columns, in the shop's words. The numbers
come from the use cases; nothing here computes one."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
import streamlit as st

from stockcore import accounts
from stockcore.domain import Product
from stockcore.forecasting.views import CoverQuantiles
from stockcore.inventory import ShopSettings, reports
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


def purchase_order_frame(order: PurchaseOrder, shop: ShopSettings) -> pd.DataFrame:
    """An order's lines: units ordered and received, unit cost and line total in the shop's
    currency (a dash without a unit cost)."""

    def money(amount: Decimal | None) -> str:
        return "—" if amount is None else shop.money(amount)

    return pd.DataFrame(
        [
            {
                "product": line.product_id,
                "name": line.name,
                "ordered": line.quantity,
                "received": line.received,
                "unit_cost": money(line.unit_cost),
                "line_total": money(line.line_total),
            }
            for line in order.lines
        ],
        columns=["product", "name", "ordered", "received", "unit_cost", "line_total"],
    )


# `purchase_order_frame`'s columns.
PURCHASE_ORDER_COLUMNS = {
    "product": "Product",
    "name": "Name",
    "ordered": st.column_config.NumberColumn("Ordered", format="%d"),
    "received": st.column_config.NumberColumn("Received", format="%d"),
    "unit_cost": st.column_config.TextColumn("Unit cost"),
    "line_total": st.column_config.TextColumn("Line total"),
}


# How much could sell over a cover: whole units.
COVER_COLUMNS = {
    name: st.column_config.NumberColumn(name, format="%.0f")
    for name in ("Average", "80% chance of at most", "90%", "95%", "98%")
}

# A forecast by day, with its 80% and 95% ranges.
FORECAST_DAY_COLUMNS = {
    "day": st.column_config.DateColumn("Day", format="ddd YYYY-MM-DD"),
    "predicted_units": st.column_config.NumberColumn("Forecast", format="%.1f"),
    "lower": st.column_config.NumberColumn("80% from", format="%.1f"),
    "upper": st.column_config.NumberColumn("80% to", format="%.1f"),
    "lower_95": st.column_config.NumberColumn("95% from", format="%.1f"),
    "upper_95": st.column_config.NumberColumn("95% to", format="%.1f"),
}

# Every product's chosen model and its backtest accuracy (forecasting.views.catalog).
CATALOG_COLUMNS = {
    "product_id": "Product",
    "name": "Name",
    "category": "Category",
    "model": "Model",
    "basis": "Learned from",
    "history_days": st.column_config.NumberColumn("History (trading days)", format="%d"),
    "selling_share": st.column_config.ProgressColumn(
        "Sells on (share of days)", min_value=0.0, max_value=1.0, format="percent"
    ),
    "rmsse": st.column_config.NumberColumn(
        "RMSSE", format="%.2f", help="what chose the model; lower is better"
    ),
    "naive_rmsse": st.column_config.NumberColumn("Seasonal naive RMSSE", format="%.2f"),
    "mase": st.column_config.NumberColumn(
        "MASE", format="%.2f", help="for information only: a forecast of zero can win it"
    ),
    "naive_mase": st.column_config.NumberColumn("Seasonal naive MASE", format="%.2f"),
    "wape": st.column_config.NumberColumn("WAPE", format="percent"),
    "bias": st.column_config.NumberColumn("Bias", format="percent"),
    "season": "Season followed",
    "fallback": "Fell back because",
    "beats_naive": st.column_config.CheckboxColumn("Beats naive"),
}

# The inventory editor (reports.inventory_frame). Editable numbers have no bounds or steps:
# the browser would clamp or round what was typed (-3 saved as 3); the use case refuses it
# with the product, the field and the value instead.
INVENTORY_COLUMNS = {
    "product_id": st.column_config.TextColumn("ID"),
    "name": st.column_config.TextColumn("Name", required=True),
    "category": st.column_config.TextColumn("Category", required=True),
    "unit_price": st.column_config.NumberColumn("Price", format="%.2f", required=True),
    "unit_cost": st.column_config.NumberColumn("Cost", format="%.2f"),
    "quantity": st.column_config.NumberColumn("On hand", format="%d"),
    "restock_threshold": st.column_config.NumberColumn("Threshold", format="%d", required=True),
    "lead_time_days": st.column_config.NumberColumn("Lead time (days)", format="%d", required=True),
    "lead_time_sd_days": st.column_config.NumberColumn(
        "Lead time sd (days)",
        help="How much the supplier's lead time varies; empty if not known.",
        format="%.1f",
    ),
    "supplier": st.column_config.TextColumn("Supplier"),
    "min_order_quantity": st.column_config.NumberColumn("Min order", format="%d", required=True),
    "pack_size": st.column_config.NumberColumn("Pack size", format="%d", required=True),
    "service_level": st.column_config.NumberColumn(
        "Target fill rate",
        help="Share of demand to serve from stock: 0.95 or 95 for 95%; "
        "empty: its ABC class's setting.",
        format="percent",
    ),
    "needs_restock": st.column_config.CheckboxColumn("Below threshold"),
    "stock_value": st.column_config.NumberColumn("Stock value", format="%.2f"),
}
