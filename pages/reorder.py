"""Reorder: what to order, how much and by when; purchase orders per supplier."""

from datetime import date

import streamlit as st

from stockcore.domain import OrderStatus
from stockcore.interfaces import charts, ui
from stockcore.interfaces.ui import auth, background, forms, receipt, tables
from stockcore.replenishment import order_files, plan_table, purchase_orders
from stockcore.replenishment.lines import ReorderStatus

me = auth.guard_page(__file__)

st.title("Reorder")
today = date.today()
if ui.latest_forecast_run() is None and background.page_note():
    st.stop()
if ui.latest_forecast_run() is None:
    st.info(
        "The reorder list works from each product's forecast, and there are none yet.",
        icon=":material/info:",
    )
    forms.refresh_forecasts_form(label="Forecast every product", primary=True)
    st.stop()

lines = ui.reorder_plan(today=today)
summary = plan_table.summarise(lines)
metrics = st.columns(5)
metrics[0].metric("Order now", summary.lines[ReorderStatus.ORDER_NOW])
metrics[1].metric("Order soon (this week)", summary.lines[ReorderStatus.ORDER_SOON])
metrics[2].metric("Covered by open orders", summary.lines[ReorderStatus.COVERED])
metrics[3].metric("Healthy", summary.lines[ReorderStatus.HEALTHY])
metrics[4].metric("Revenue at risk (order now)", ui.money(summary.revenue_at_risk, pence=False))
orders = ui.purchase_orders(today=today)
for late in (order for order in orders if order.overdue):
    st.warning(late.late_note(), icon=":material/schedule:")
st.caption(
    "Most urgent first. Each product's service level is the chance of not running out in "
    "the week after an order arrives (its own from Inventory, else its ABC class's from "
    "Settings). The list assumes you order weekly: an order placed today must carry the "
    "week after it arrives. Its size comes from the forecast's range of demand: what your "
    "stock and open purchase orders leave when it arrives (sales lost before then are not "
    "made up), plus enough for that week to run out no more often than the service level "
    "allows, in the supplier's packs and minimum, or the EOQ when "
    "Settings has the costs. Order now: needed today. Order soon: needed by next week. "
    "Covered: your open purchase orders meet the need. The Backtest page replays this rule "
    "on your own history. Edit the quantities, then create the purchase orders: one per "
    "supplier."
)
show_all = st.toggle("Show every product", key="reorder_show_all")
frame = plan_table.plan_frame(lines if show_all else [line for line in lines if line.listed])
if frame.empty:
    st.success("Nothing needs ordering now.", icon=":material/check_circle:")
else:
    st.altair_chart(charts.reorder_position(frame), width="stretch")
    st.caption(
        "A bar can end short of its tick: a product that runs out before an order could "
        "arrive loses those sales (they are not made up later), so its order only has to "
        "carry the week after it arrives."
    )
    edited = st.data_editor(
        frame,
        hide_index=True,
        disabled=[column for column in frame.columns if column != "order"],
        column_config=tables.reorder_columns(),
        placeholder=tables.EMPTY,
        key="reorder_editor",
    )
    if st.button("Create purchase orders", type="primary", key="reorder_create"):
        created = ui.attempt(
            lambda: purchase_orders.create_purchase_orders(
                ui.database(), plan_table.ordered_quantities(edited)
            )
        )
        if created is not None:
            ui.changed()
            numbers = ", ".join(order.number for order in created)
            ui.flash(f"Created {numbers}: see Purchase orders below.")
            st.rerun()

st.subheader("Purchase orders")
if not orders:
    st.caption("None yet.")
shop = ui.settings()
for order in orders:
    number = order.number
    label = (
        f"{number} · {order.supplier} · {order.state} · {order.units:,} units · "
        f"{order.total_text(shop)} · expected {order.expected_on:%a %d %b}"
    )
    is_open = order.status is OrderStatus.OPEN
    with st.expander(
        label, expanded=is_open, icon=":material/schedule:" if order.overdue else None
    ):
        if order.overdue:
            st.warning(order.late_note(), icon=":material/schedule:")
        st.caption(
            f"Ordered on {order.ordered_on:%a %d %b %Y}, expected on "
            f"{order.expected_on:%a %d %b %Y}. Total {order.total_text(shop)}."
        )
        st.dataframe(
            tables.purchase_order_frame(order, shop),
            hide_index=True,
            column_config=tables.purchase_order_columns(),
            placeholder=tables.EMPTY,
        )
        documents = order_files.supplier_documents(order, shop)
        left, right = st.columns(2)
        left.download_button(
            "Download CSV for the supplier",
            data=documents.csv,
            file_name=documents.csv_file_name,
            mime="text/csv",
            key=f"po_csv_{order.order_id}",
        )
        right.download_button(
            "Download printable order",
            data=documents.html,
            file_name=documents.html_file_name,
            mime="text/html",
            key=f"po_html_{order.order_id}",
            help="A page to print or save as PDF from the browser",
        )
        if is_open:
            receipt.receive_and_close(order)
