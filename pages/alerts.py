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
        column_config=tables.ALERT_COLUMNS,
        placeholder=tables.EMPTY,
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
        column_config=tables.ALERT_COLUMNS,
        placeholder=tables.EMPTY,
        key="lead_time_alerts_table",
    )

with st.expander("Recently resolved"):
    resolved = ui.recent_resolved_alerts()
    if resolved:
        st.dataframe(
            tables.resolved_alerts_frame(resolved),
            hide_index=True,
            column_config=tables.ALERT_COLUMNS,
            placeholder=tables.EMPTY,
        )
    else:
        st.caption("None yet.")
