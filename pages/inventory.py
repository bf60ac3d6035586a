"""Inventory: browse, search and edit products; add products; receive and adjust stock."""

import streamlit as st

from stockcore import inventory
from stockcore.domain import MAX_LEAD_TIME_DAYS, MAX_QUANTITY
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth, forms
from stockcore.inventory import reports

auth.guard_page(__file__)

st.title("Inventory")

left, right = st.columns([1, 2])
category = left.selectbox(
    "Category", ["All categories", *ui.categories()], key="inventory_category"
)
search = right.text_input("Search by name or id", key="inventory_search")
products = ui.products(
    category=None if category == "All categories" else category, search=search or None
)
table = reports.inventory_frame(products)
st.caption(
    f"{len(table)} product(s). Edit names, prices, thresholds and the supplier's terms "
    "(lead time and its spread, minimum order, pack size) in the table, then Save. An "
    "empty target fill rate uses the one set for the product's ABC class in Settings. Stock "
    "on hand changes only through sales, receipts and adjustments below, so every unit "
    "is in the ledger."
)

version = st.session_state.setdefault("inventory_editor_version", 0)
editor_key = f"inventory_editor_{version}"
st.data_editor(
    table,
    key=editor_key,
    hide_index=True,
    disabled=["product_id", "quantity", "needs_restock", "stock_value"],
    column_config={
        "product_id": st.column_config.TextColumn("ID"),
        "name": st.column_config.TextColumn("Name", required=True, max_chars=200),
        "category": st.column_config.TextColumn("Category", required=True, max_chars=200),
        "unit_price": st.column_config.NumberColumn(
            "Price", min_value=0, max_value=10_000_000, step=0.01, format="%.2f", required=True
        ),
        "unit_cost": st.column_config.NumberColumn(
            "Cost", min_value=0, max_value=10_000_000, step=0.01, format="%.2f"
        ),
        "quantity": st.column_config.NumberColumn("On hand", format="%d"),
        "restock_threshold": st.column_config.NumberColumn(
            "Threshold", min_value=0, max_value=MAX_QUANTITY, step=1, format="%d", required=True
        ),
        "lead_time_days": st.column_config.NumberColumn(
            "Lead time (days)",
            min_value=0,
            max_value=MAX_LEAD_TIME_DAYS,
            step=1,
            format="%d",
            required=True,
        ),
        "lead_time_sd_days": st.column_config.NumberColumn(
            "Lead time sd (days)",
            help="How much the supplier's lead time varies; empty if not known.",
            min_value=0,
            max_value=MAX_LEAD_TIME_DAYS,
            step=0.5,
            format="%.1f",
        ),
        "supplier": st.column_config.TextColumn("Supplier", max_chars=200),
        "min_order_quantity": st.column_config.NumberColumn(
            "Min order", min_value=1, max_value=MAX_QUANTITY, step=1, format="%d", required=True
        ),
        "pack_size": st.column_config.NumberColumn(
            "Pack size", min_value=1, max_value=MAX_QUANTITY, step=1, format="%d", required=True
        ),
        "service_level": st.column_config.NumberColumn(
            "Target fill rate",
            help="Share of demand to serve from stock (0.95 = 95%); "
            "empty: its ABC class's setting.",
            min_value=0.5,
            max_value=0.999,
            step=0.005,
            format="%.3f",
        ),
        "needs_restock": st.column_config.CheckboxColumn("Below threshold"),
        "stock_value": st.column_config.NumberColumn("Stock value", format="%.2f"),
    },
)

edited_rows = st.session_state.get(editor_key, {}).get("edited_rows", {})
if st.button("Save changes", type="primary", disabled=not edited_rows, key="inventory_save"):
    edits = reports.inventory_edits(table, edited_rows)
    saved = ui.attempt(lambda: inventory.update_products(ui.database(), edits))
    if saved is not None:
        ui.changed()
        ui.flash(f"Saved changes to {len(saved)} product(s).")
        st.session_state["inventory_editor_version"] = version + 1
        st.rerun()

add_tab, receive_tab, adjust_tab, ledger_tab = st.tabs(
    ["Add a product", "Receive stock", "Adjust stock", "Stock ledger"]
)
with add_tab:
    forms.add_product_form()
with receive_tab:
    forms.receive_stock_form()
with adjust_tab:
    forms.adjust_stock_form()
with ledger_tab:
    chosen = ui.product_picker("Product", key="ledger_product")
    st.dataframe(ui.movements(chosen), hide_index=True)
