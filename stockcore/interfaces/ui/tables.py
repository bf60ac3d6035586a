"""The pages' tables as they show them: which columns, in the shop's words. The numbers
come from the use cases; nothing here computes one.

Every table is shown with `placeholder=EMPTY` (an empty value reads "—", never "None"),
its columns configured here: labels in words, units in the label, money in the shop's
currency (the `*_columns()` functions read it from the shop's settings), shares as
percentages, dates as DATE / DATETIME."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Final

import pandas as pd
import streamlit as st

from stockcore import accounts
from stockcore.domain import SERVICE_LEVEL_MEANING, Product
from stockcore.forecasting.views import CoverQuantiles
from stockcore.interfaces import ui
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


def stock_status(product: Product) -> str:
    """A product's stock in words: out of stock, below its restock threshold, or ok."""
    if product.quantity <= 0:
        return "out of stock"
    return "below threshold" if product.needs_restock else "ok"


def stock_frame(products: list[Product]) -> pd.DataFrame:
    """The read-only stock list: price, on hand, threshold, and its status in words."""
    columns = ["product_id", "name", "category", "unit_price", "quantity", "restock_threshold"]
    return reports.inventory_frame(products)[columns].assign(
        status=[stock_status(p) for p in products]
    )


def inventory_table(products: list[Product]) -> pd.DataFrame:
    """The inventory editor's rows (reports.inventory_frame), with the stock's status in
    words after the threshold instead of a below-threshold tick."""
    frame = reports.inventory_frame(products).drop(columns=["needs_restock"])
    frame.insert(
        list(frame.columns).index("restock_threshold") + 1,
        "status",
        [stock_status(p) for p in products],
    )
    return frame


def users_frame(users: Sequence[accounts.User]) -> pd.DataFrame:
    return pd.DataFrame(
        [(u.username, u.email or "", u.role.value, u.active, u.created_at) for u in users],
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


# An empty cell, in every table (st.dataframe / st.data_editor `placeholder=`).
EMPTY: Final = "—"
# One format for days and one for moments, in every table.
DATE: Final = "ddd DD MMM YYYY"
DATETIME: Final = "ddd DD MMM YYYY, HH:mm"


def day_text(day: date | None) -> str:
    """A day in words as the tables show it (Sat 05 Dec 2026); a dash for none."""
    return EMPTY if day is None else f"{day:%a %d %b %Y}"


NAME = st.column_config.TextColumn("Name", width="medium")
PRODUCT = st.column_config.TextColumn("Product")
CATEGORY = st.column_config.TextColumn("Category")
# The columns that name a product, first in most tables.
PRODUCT_NAME_CATEGORY = {"product_id": PRODUCT, "name": NAME, "category": CATEGORY}
SUPPLIER = st.column_config.TextColumn("Supplier")


def money_format(*, pence: bool = True, symbol: str | None = None) -> str:
    """A printf format for an amount in the shop's currency: "£%.2f", or "£%.0f" for whole
    amounts where pennies are noise (a "%" in the symbol is escaped)."""
    shown = (ui.settings().currency_symbol if symbol is None else symbol).replace("%", "%%")
    return f"{shown}%.{2 if pence else 0}f"


def money_column(
    label: str, *, pence: bool = True, help: str | None = None, required: bool = False
) -> Any:
    """A column of amounts in the shop's currency."""
    return st.column_config.NumberColumn(
        label, format=money_format(pence=pence), help=help, required=required
    )


def units_column(label: str, *, help: str | None = None) -> Any:
    return st.column_config.NumberColumn(label, format="%d", help=help)


def date_column(label: str, *, help: str | None = None) -> Any:
    return st.column_config.DateColumn(label, format=DATE, help=help)


def datetime_column(label: str, *, help: str | None = None) -> Any:
    return st.column_config.DatetimeColumn(label, format=DATETIME, help=help)


def purchase_order_columns() -> dict[str, Any]:
    """`purchase_order_frame`'s columns (its money is already text in the currency)."""
    return {
        "product": PRODUCT,
        "name": NAME,
        "ordered": units_column("Ordered (units)"),
        "received": units_column("Received (units)"),
        "unit_cost": st.column_config.TextColumn("Unit cost"),
        "line_total": st.column_config.TextColumn("Line total"),
    }


# How much could sell over a cover: whole units.
COVER_COLUMNS = {
    "Over": st.column_config.TextColumn("Over", width="medium"),
    **{
        name: st.column_config.NumberColumn(name, format="%.0f")
        for name in ("Average", "80% chance of at most", "90%", "95%", "98%")
    },
}

# A forecast by day, with its 80% and 95% ranges.
FORECAST_DAY_COLUMNS = {
    "day": date_column("Day"),
    "predicted_units": st.column_config.NumberColumn("Forecast (units)", format="%.1f"),
    "lower": st.column_config.NumberColumn("80% from", format="%.1f"),
    "upper": st.column_config.NumberColumn("80% to", format="%.1f"),
    "lower_95": st.column_config.NumberColumn("95% from", format="%.1f"),
    "upper_95": st.column_config.NumberColumn("95% to", format="%.1f"),
}

# Every product's chosen model and its backtest accuracy (forecasting.views.catalog).
CATALOG_COLUMNS = {
    **PRODUCT_NAME_CATEGORY,
    "model": st.column_config.TextColumn("Model", width="medium"),
    "basis": st.column_config.TextColumn("Learned from", width="medium"),
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
    "season": st.column_config.TextColumn("Season followed", width="medium"),
    "fallback": st.column_config.TextColumn("Fell back because", width="large"),
    "beats_naive": st.column_config.CheckboxColumn("Beats naive"),
}

# Products whose forecast fell back to a simpler one (views.summarise_catalog).
FALLBACK_COLUMNS = {
    "product_id": PRODUCT,
    "name": NAME,
    "fallback": st.column_config.TextColumn("Why", width="large"),
}


def inventory_columns() -> dict[str, Any]:
    """The inventory editor (`inventory_table`). Editable numbers have no bounds or steps:
    the browser would clamp or round what was typed (-3 saved as 3); the use case refuses
    it with the product, the field and the value instead."""
    return {
        "product_id": st.column_config.TextColumn("Product"),
        "name": st.column_config.TextColumn("Name", required=True, width="medium"),
        "category": st.column_config.TextColumn("Category", required=True),
        "unit_price": money_column("Price", required=True),
        "unit_cost": money_column("Cost"),
        "quantity": units_column("On hand"),
        "restock_threshold": st.column_config.NumberColumn(
            "Restock below", format="%d", required=True
        ),
        "status": st.column_config.TextColumn("Status"),
        "lead_time_days": st.column_config.NumberColumn(
            "Lead time (days)", format="%d", required=True
        ),
        "lead_time_sd_days": st.column_config.NumberColumn(
            "Lead time sd (days)",
            help="How much the supplier's lead time varies; empty if not known.",
            format="%.1f",
        ),
        "supplier": SUPPLIER,
        "min_order_quantity": st.column_config.NumberColumn(
            "Min order (units)", format="%d", required=True
        ),
        "pack_size": st.column_config.NumberColumn("Pack size (units)", format="%d", required=True),
        "service_level": st.column_config.NumberColumn(
            "Service level",
            help=f"{SERVICE_LEVEL_MEANING.capitalize()}: 0.95 or 95 for 95%; empty: its ABC "
            "class's setting.",
            format="percent",
        ),
        "stock_value": money_column("Stock value", pence=False, help="On hand at cost"),
    }


def stock_columns() -> dict[str, Any]:
    """The read-only stock list (`stock_frame`)."""
    return {
        **PRODUCT_NAME_CATEGORY,
        "unit_price": money_column("Price"),
        "quantity": units_column("On hand"),
        "restock_threshold": units_column("Restock below"),
        "status": st.column_config.TextColumn("Status"),
    }


# The ledger of stock movements (reports.movements).
MOVEMENT_COLUMNS = {
    "at": datetime_column("When"),
    "product_id": PRODUCT,
    "kind": st.column_config.TextColumn("What"),
    "change": st.column_config.NumberColumn("Change (units)", format="%+d"),
    "quantity_after": units_column("On hand after"),
    "reason": st.column_config.TextColumn("Reason", width="large"),
    "by": st.column_config.TextColumn("By"),
}

# Restock alerts (reports.alerts_frame) and the lead-time and resolved ones.
ALERT_COLUMNS = {
    "alert_id": st.column_config.NumberColumn("Alert", format="%d"),
    **PRODUCT_NAME_CATEGORY,
    "quantity": units_column("On hand"),
    "restock_threshold": units_column("Restock below"),
    "short_by": units_column("Short by"),
    "status": st.column_config.TextColumn("Status"),
    "raised_at": datetime_column("Raised"),
    "supplier": SUPPLIER,
    "lead_time_days": units_column("Lead time (days)"),
    "needed": units_column("Sells over lead time", help="When the alert was raised"),
}

# The accounts (users_frame).
USER_COLUMNS = {
    "username": st.column_config.TextColumn("Username"),
    "email": st.column_config.TextColumn("Email", width="medium"),
    "role": st.column_config.TextColumn("Role"),
    "active": st.column_config.CheckboxColumn("Active"),
    "created_at": datetime_column("Created"),
}

# Invitations and API keys (ui.access: their frames are built with these labels).
INVITATION_COLUMNS = {"Expires": datetime_column("Expires")}
API_KEY_COLUMNS = {
    "Scopes": st.column_config.TextColumn("Scopes", width="medium"),
    "Last used": datetime_column("Last used"),
}

# Large orders' customers (ui.large_orders.customers_frame).
LARGE_ORDER_COLUMNS = {
    "customer": st.column_config.TextColumn("Customer", width="medium"),
    "orders": units_column("Large orders"),
    "units": units_column("Units"),
    "products": units_column("Products"),
    "last_order": date_column("Last large order"),
    "served": st.column_config.TextColumn("Large orders are"),
}

# An import's problems (ui.upload.problems_frame).
PROBLEM_COLUMNS = {
    "line": st.column_config.NumberColumn("Line", format="%d"),
    "column": st.column_config.TextColumn("Column"),
    "value": st.column_config.TextColumn("Value"),
    "what is wrong": st.column_config.TextColumn("What is wrong", width="large"),
}

# Products an import will create.
NEW_PRODUCT_COLUMNS = {"product_id": PRODUCT, "name": NAME}


def preview_columns() -> dict[str, Any]:
    """The first rows of a sales file as they will be stored (SalesPreview.display_rows)."""
    return {
        "line": st.column_config.NumberColumn("Line", format="%d"),
        "date": st.column_config.DatetimeColumn("Sold", format=DATETIME),
        "product_id": PRODUCT,
        "quantity": units_column("Units"),
        "unit_price": money_column("Unit price"),
        "order_id": st.column_config.TextColumn("Order"),
        "sales": money_column("Sales"),
    }


def batch_columns() -> dict[str, Any]:
    """The import batches (ui.upload.batches_section)."""
    return {
        "batch": st.column_config.NumberColumn("Batch", format="%d"),
        "status": st.column_config.TextColumn("Status"),
        "file": st.column_config.TextColumn("File", width="medium"),
        "kind": st.column_config.TextColumn("Kind"),
        "imported at": datetime_column("Imported"),
        "rows": units_column("Rows"),
        "units": units_column("Units"),
        "revenue": money_column("Revenue", pence=False),
        "from": date_column("From"),
        "to": date_column("To"),
        "applied to stock": st.column_config.CheckboxColumn("Applied to stock"),
    }


def sales_columns() -> dict[str, Any]:
    """Sales by product and by category (reports.sales_summary)."""
    return {
        **PRODUCT_NAME_CATEGORY,
        "units": units_column("Units sold"),
        "revenue": money_column("Revenue", pence=False),
    }


def backtest_columns() -> dict[str, Any]:
    """The backtest's outcomes (replenishment.backtest.outcomes_frame); rules without a
    service level show the placeholder."""
    return {
        "policy": st.column_config.TextColumn("Rule", width="large"),
        "setting": st.column_config.TextColumn("Setting"),
        "target": st.column_config.NumberColumn(
            "Target", format="percent", help="stockcore's service level; the others have none"
        ),
        "fill_rate": st.column_config.NumberColumn("Fill rate", format="percent"),
        "stockout_days": units_column("Stock-out days"),
        "avg_inventory_units": st.column_config.NumberColumn("Average units", format="%.0f"),
        "avg_inventory_value": money_column("Average stock value", pence=False),
        "orders": units_column("Orders"),
        "orders_per_product_month": st.column_config.NumberColumn(
            "Orders per product a month", format="%.2f"
        ),
        "weeks_short": st.column_config.NumberColumn(
            "Weeks that ran out",
            format="percent",
            help="stockcore's promise checked: of the weeks after each weekly order would "
            "arrive, the share that ran out on some day (a 95% service level allows 5%)",
        ),
    }


def reorder_columns() -> dict[str, Any]:
    """The reorder editor (replenishment.plan_table.plan_frame); only "order" is editable."""
    return {
        "product_id": PRODUCT,
        "name": NAME,
        "supplier": SUPPLIER,
        "status": st.column_config.TextColumn("Status"),
        "abc": st.column_config.TextColumn("ABC", help="A: top 80% of last year's revenue"),
        "service_level": st.column_config.NumberColumn("Service level", format="percent"),
        "on_hand": units_column("On hand"),
        "on_order": units_column("On order", help="Units still to come on open purchase orders"),
        "daily_demand": st.column_config.NumberColumn("Per day (units)", format="%.1f"),
        "lead_time_days": units_column("Lead time (days)"),
        "safety_stock": units_column("Safety stock"),
        "reorder_point": units_column("Reorder point"),
        "order_up_to": units_column("Order up to"),
        "stockout_chance": st.column_config.NumberColumn(
            "Chance of running out",
            format="percent",
            help="That a customer finds it out of stock before an order placed today "
            "could arrive (from the forecast's range; with nothing on hand, the chance "
            "that anyone asks for it by then)",
        ),
        "large_orders_set_aside": units_column(
            "Large orders set aside",
            help="Very large one-off orders (over four weeks of usual sales) left out of "
            "the history these numbers learn from; Settings, Large orders, to serve a "
            "customer's from stock",
        ),
        "order": st.column_config.NumberColumn(
            "Order (units)", min_value=0, max_value=1_000_000, step=1, format="%d"
        ),
        "next_step": st.column_config.TextColumn(
            "Next step", width="large", help="By when to order, or the orders covering it"
        ),
        "run_out_day": date_column("Runs out"),
        "revenue_at_risk": money_column("Revenue at risk", pence=False),
        "why": st.column_config.TextColumn("Why", width="large"),
    }
