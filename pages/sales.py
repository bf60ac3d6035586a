"""Sales: revenue and units by product and category over a chosen date range."""

from datetime import date

import streamlit as st

from stockcore.domain import counted
from stockcore.imports import exports
from stockcore.interfaces import charts, ui
from stockcore.interfaces.ui import auth, tables

auth.guard_page(__file__)

st.title("Sales")

left, middle, right = st.columns([2, 1, 1])
with left:
    start, end = ui.date_range_picker("sales_range", date.today())
period = (
    middle.segmented_control("Per", ["day", "week", "month"], default="week", key="sales_period")
    or "week"
)
measure = (
    right.segmented_control("Show", ["revenue", "units"], default="revenue", key="sales_measure")
    or "revenue"
)

summary = ui.sales_summary(start, end, period)
columns = st.columns(3)
columns[0].metric("Revenue", ui.money(summary.revenue, pence=False))
columns[1].metric("Units sold", f"{summary.units:,}")
columns[2].metric("Sale lines", f"{summary.sale_lines:,}")

if summary.empty:
    st.info(f"No sales between {summary.start} and {summary.end}.")
    st.stop()
if summary.recorded_days:
    st.caption(
        f"In this range {counted(summary.recorded_days, 'day', ('has', 'have'))} a recorded shop "
        "total (a "
        "date-and-sales file or the API's add-sales-data): revenue and the trend count that "
        "total for those days; the product and category tables count sale lines only."
    )

by_category = st.toggle("Trend per category", key="sales_by_category")
st.altair_chart(
    charts.sales_trend(summary.trend, measure=measure, by_category=by_category), width="stretch"
)

product_tab, category_tab = st.tabs(["By product", "By category"])
columns = tables.sales_columns()
with product_tab:
    st.altair_chart(charts.top_products(summary.by_product, measure=measure), width="stretch")
    st.dataframe(
        summary.by_product,
        hide_index=True,
        column_config=columns,
        placeholder=tables.EMPTY,
    )
    st.download_button(
        "Download sales by product (CSV)",
        exports.to_csv(summary.by_product),
        file_name=f"sales_by_product_{summary.start}_{summary.end}.csv",
        mime="text/csv",
        key="download_by_product",
    )
with category_tab:
    st.altair_chart(charts.category_breakdown(summary.by_category, measure=measure))
    st.dataframe(
        summary.by_category, hide_index=True, column_config=columns, placeholder=tables.EMPTY
    )
    st.download_button(
        "Download sales by category (CSV)",
        exports.to_csv(summary.by_category),
        file_name=f"sales_by_category_{summary.start}_{summary.end}.csv",
        mime="text/csv",
        key="download_by_category",
    )
