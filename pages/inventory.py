"""Inventory: browse, search and edit products; add products; receive and adjust stock."""

import streamlit as st

from stockcore import inventory
from stockcore.domain import counted
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth, forms, tables
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
table = tables.inventory_table(products)
st.caption(
    f"{counted(len(table), 'product')}. Edit names, prices, thresholds and the supplier's terms "
    "(lead time and its spread, minimum order, pack size) in the table, then Save. An "
    "empty service level (e.g. 98%) uses the one set for the product's ABC class in "
    "Settings. Stock "
    "on hand changes only through sales, receipts and adjustments below, so every unit "
    "is in the ledger."
)

version = st.session_state.setdefault("inventory_editor_version", 0)
editor_key = f"inventory_editor_{version}"
st.data_editor(
    table,
    key=editor_key,
    hide_index=True,
    disabled=["product_id", "quantity", "status", "stock_value"],
    # No bounds or steps on the editable numbers: the browser would clamp or round what
    # was typed (-3 saved as 3); the use case refuses it instead, naming product and value.
    column_config=tables.inventory_columns(),
    placeholder=tables.EMPTY,
)

edited_rows = st.session_state.get(editor_key, {}).get("edited_rows", {})
if st.button("Save changes", type="primary", disabled=not edited_rows, key="inventory_save"):
    edits = reports.inventory_edits(table, edited_rows)
    saved = ui.attempt(lambda: inventory.update_products(ui.database(), edits))
    if saved is not None:
        ui.changed()
        ui.flash(f"Saved changes to {counted(len(saved), 'product')}.")
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
    st.dataframe(
        ui.movements(chosen),
        hide_index=True,
        column_config=tables.MOVEMENT_COLUMNS,
        placeholder=tables.EMPTY,
    )
