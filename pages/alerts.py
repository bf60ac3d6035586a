"""Alerts: products below their restock threshold, most urgent first."""

import streamlit as st

from stockcore import reports, services, ui

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
    unseen = {a.alert_id: f"{a.product_id} · {a.name}" for a in alerts if a.status == "open"}
    if unseen:
        with st.form("acknowledge_form"):
            chosen = st.multiselect(
                "Acknowledge",
                options=list(unseen),
                format_func=unseen.__getitem__,
                key="acknowledge_ids",
            )
            if st.form_submit_button("Acknowledge selected"):
                count = ui.attempt(lambda: services.acknowledge_alerts(ui.database(), chosen))
                if count is not None:
                    ui.changed()
                    ui.flash(f"Acknowledged {count} alert(s).", icon=":material/thumb_up:")
                    st.rerun()

with st.expander("Recently resolved"):
    resolved = reports.recent_resolved_alerts(ui.database())
    if resolved:
        st.dataframe(
            reports.alerts_frame(resolved).drop(columns=["short_by", "status"]),
            hide_index=True,
        )
    else:
        st.caption("None yet.")
