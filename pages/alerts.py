"""Alerts: products below their restock threshold, most urgent first."""

import streamlit as st

from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth, forms, tables
from stockcore.inventory import reports

auth.guard_page(__file__)

st.title("Restock alerts")
alerts = ui.active_alerts()

if not alerts:
    st.success("No product is below its restock threshold.", icon=":material/check_circle:")
else:
    st.caption(
        "Most urgent first: least stock relative to its threshold. An alert stays until the "
        "stock is back at or above the threshold; acknowledging it marks it as seen."
    )
    st.dataframe(
        reports.alerts_frame(alerts),
        hide_index=True,
        column_config={
            "alert_id": st.column_config.NumberColumn("Alert", format="%d"),
            "product_id": "Product",
            "name": "Name",
            "category": "Category",
            "quantity": st.column_config.NumberColumn("On hand", format="%d"),
            "restock_threshold": st.column_config.NumberColumn("Threshold", format="%d"),
            "short_by": st.column_config.NumberColumn("Short by", format="%d"),
            "status": "Status",
            "raised_at": st.column_config.DatetimeColumn("Raised", format="YYYY-MM-DD HH:mm"),
            "supplier": "Supplier",
            "lead_time_days": st.column_config.NumberColumn("Lead time (days)", format="%d"),
        },
        key="alerts_table",
    )
    forms.acknowledge_form(alerts)

late = ui.lead_time_alerts()
if late:
    st.subheader("Will run out before a new order could arrive")
    st.caption(
        "The forecast uses up the stock on hand and on order before the supplier's lead "
        "time is over: order now, and expect to miss some sales. The Reorder page says how "
        "much. Checked after every sale, receipt and adjustment, and at each forecast refresh."
    )
    st.dataframe(
        tables.lead_time_alerts_frame(late),
        hide_index=True,
        column_config={
            "alert_id": st.column_config.NumberColumn("Alert", format="%d"),
            "quantity": st.column_config.NumberColumn("On hand", format="%d"),
            "needed": st.column_config.NumberColumn(
                "Sells over lead time", format="%d", help="When the alert was raised"
            ),
            "raised_at": st.column_config.DatetimeColumn("Raised", format="YYYY-MM-DD HH:mm"),
            "lead_time_days": st.column_config.NumberColumn("Lead time (days)", format="%d"),
        },
        key="lead_time_alerts_table",
    )

with st.expander("Recently resolved"):
    resolved = ui.recent_resolved_alerts()
    if resolved:
        st.dataframe(tables.resolved_alerts_frame(resolved), hide_index=True)
    else:
        st.caption("None yet.")
