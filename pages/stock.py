"""Stock: what is on hand, read-only (for staff; managers edit on the Inventory page)."""

import streamlit as st

from stockcore.domain import counted
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth, tables

auth.guard_page(__file__)

st.title("Stock")
left, right = st.columns(2)
category = left.selectbox(
    "Category", options=ui.categories(), index=None, placeholder="All", key="stock_category"
)
search = right.text_input("Search by name or id", key="stock_search")

products = ui.products(category=category, search=search or None)
if not products:
    st.info("No products match." if category or search else "The shop has no products yet.")
    st.stop()

st.dataframe(
    tables.stock_frame(products),
    hide_index=True,
    width="stretch",
    column_config=tables.stock_columns(),
    placeholder=tables.EMPTY,
)
st.caption(
    f"{counted(len(products), 'product')}. Stock changes through purchases, deliveries and counts."
)
