"""The Settings page's Large orders section: which customers' large one-off orders are
served from stock rather than set aside (`stockcore.forecasting.large_orders`)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from stockcore.domain import counted, local_now
from stockcore.forecasting import large_orders
from stockcore.forecasting.large_orders import LargeOrderCustomer
from stockcore.interfaces import ui
from stockcore.interfaces.ui import tables

SHOWN = "_large_orders_shown"  # this session asked for the list (kept after saves)
SHOW_BUTTON = "large_orders_show"


def section() -> None:
    """The customers with large orders in the history, and the choice of whose to serve.
    Finding them reads every sale line (seconds on a shop with a million): only when
    asked, so the Settings page opens at once; once asked, the list stays for the session."""
    if not st.session_state.get(SHOWN):
        if not st.button(
            "Show the customers with large orders",
            key=SHOW_BUTTON,
            icon=":material/search:",
            help="Reads the whole sales history: a few seconds on a large shop.",
        ):
            return
        st.session_state[SHOWN] = True
    customers = ui.large_order_customers()
    if not customers:
        st.info("No large orders in the sales history.", icon=":material/info:")
        return
    unnamed = next((c for c in customers if not c.customer_id), None)
    if unnamed is not None:
        st.caption(
            f"{unnamed.orders:,} large orders ({unnamed.units:,} units) have no customer "
            "recorded: they are always set aside."
        )
    named = [c for c in customers if c.customer_id]
    if named:
        st.dataframe(
            customers_frame(named),
            hide_index=True,
            column_config=tables.LARGE_ORDER_COLUMNS,
            placeholder=tables.EMPTY,
        )
        served_form(named)


def customers_frame(customers: Sequence[LargeOrderCustomer]) -> pd.DataFrame:
    """One row per customer, for the table."""
    return pd.DataFrame(
        [
            {
                "customer": c.customer_id,
                "orders": c.orders,
                "units": c.units,
                "products": c.products,
                "last_order": c.last_order,
                "served": "from stock" if c.served_from_stock else "set aside",
            }
            for c in customers
        ]
    )


def served_form(customers: Sequence[LargeOrderCustomer]) -> None:
    """Tick the customers to serve from stock; the rest are set aside."""
    was = sorted(c.customer_id for c in customers if c.served_from_stock)
    with st.form("large_orders_form"):
        chosen = st.multiselect(
            "Customers whose large orders are served from stock",
            options=[c.customer_id for c in customers],
            default=was,
            placeholder="None: every large order is set aside",
            key="settings_served_customers",
        )
        submitted = st.form_submit_button("Save large-order choices")
    if not submitted:
        return
    result = ui.attempt(
        lambda: large_orders.update_served_customers(
            ui.database(),
            serve=[c for c in chosen if c not in was],
            stop=[c for c in was if c not in chosen],
            now=local_now(),
        )
    )
    if result is not None:
        added, removed = result
        ui.changed()
        ui.flash(
            f"Large orders of {counted(len(added), 'more customer')} served from stock and "
            f"{len(removed)} set aside again: refresh the forecasts (Forecast page) "
            "for the reorder list to follow."
            if added or removed
            else "Nothing changed."
        )
        st.rerun()
