"""Settings: shop name, currency symbol, holiday calendar, how orders are sized, which
customers' large orders are served from stock, backups (download, restore), and starting
over empty."""

import streamlit as st

from stockcore.interfaces import ui
from stockcore.interfaces.ui import access, auth, backups, large_orders, shop_settings

me = auth.guard_page(__file__)

st.title("Settings")
shop_settings.settings_form(ui.settings())

st.subheader("Large orders")
st.caption(
    "A single order of a product larger than four weeks of its usual sales (a reseller's "
    "bulk buy) is set aside: forecasts and reorder quantities learn from the regular "
    "demand, so one such order does not make every later order hold weeks of extra stock. "
    "Order those for the customer when they come. Tick a customer to serve their large "
    "orders from stock instead. Changes count from the next forecast refresh."
)
large_orders.section()

access.signup_section(me)

backups.section(me)

shop_settings.erase_section()
