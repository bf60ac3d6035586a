"""Overview: the shop's headline numbers and the products closest to running out."""

from datetime import date

import streamlit as st

from stockcore.domain import counted
from stockcore.interfaces import charts, ui
from stockcore.interfaces.ui import auth

auth.guard_page(__file__)

st.title("Overview")
summary = ui.overview(date.today())

columns = st.columns(5)
columns[0].metric("Products", f"{summary.products:,}")
columns[1].metric("Units in stock", f"{summary.units_in_stock:,}")
columns[2].metric(
    "Stock value",
    ui.money(summary.stock_value, pence=False),
    help="At unit cost where known, else at price.",
)
columns[3].metric(
    "Below threshold",
    f"{summary.below_threshold:,}",
    help=f"{summary.out_of_stock} of them are out of stock.",
)
columns[4].metric(
    "Revenue, last 30 days",
    ui.money(summary.revenue_last_30_days, pence=False),
    help=f"{summary.units_sold_last_30_days:,} units sold.",
)

if summary.below_threshold:
    st.page_link(
        "pages/alerts.py",
        label=f"{counted(summary.below_threshold, 'product')} below the restock threshold: "
        "see alerts",
        icon=":material/notifications_active:",
    )

closest = ui.closest_to_running_out(15)
if closest.empty:
    st.info("No products with a restock threshold yet. Add products on the Inventory page.")
else:
    st.subheader("Closest to running out")
    st.altair_chart(charts.stock_vs_threshold(closest), width="stretch")
