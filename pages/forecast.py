"""Forecast: a product's, a category's or the whole shop's demand ahead, how it was made,
and when the product is projected to run out."""

from datetime import date

import streamlit as st

from stockcore.forecasting import views
from stockcore.imports import exports
from stockcore.interfaces import charts, ui
from stockcore.interfaces.ui import auth, background, forms, tables

auth.guard_page(__file__)

st.title("Forecast")
today = date.today()
run = ui.latest_forecast_run()
if run is None and background.page_note():
    st.stop()
if run is None:
    st.info(
        "No forecasts yet. Refreshing forecasts every product from its sales history "
        "(it takes about a second per ten products).",
        icon=":material/info:",
    )
    forms.refresh_forecasts_form(label="Forecast every product", primary=True)
    st.stop()

st.caption(
    f"Forecasts made {run.finished_at:%Y-%m-%d %H:%M} for {run.products:,} products, "
    f"{run.horizon_days} days from {run.first_day:%Y-%m-%d} (took {run.seconds:.0f} s)."
)

left, middle, right = st.columns([1.4, 2, 1])
scope = (
    left.segmented_control(
        "Forecast for", ["Product", "Category", "Whole shop"], default="Product", key="fc_scope"
    )
    or "Product"
)
horizon = right.slider("Days ahead", min_value=7, max_value=180, value=56, key="fc_days")

view = None
with middle:
    if scope == "Product":
        product_id = ui.product_picker("Product", "fc_product")
        if product_id is not None:
            view = ui.product_forecast(product_id, days=horizon, today=today)
    elif scope == "Category":
        category = st.selectbox("Category", ui.categories(), index=None, key="fc_category")
        if category is not None:
            view = ui.attempt(lambda: ui.group_forecast(category, days=horizon, today=today))
    else:
        view = ui.attempt(lambda: ui.group_forecast(None, days=horizon, today=today))

if view is None:
    if scope != "Whole shop":  # the whole shop's refusal is already on screen
        st.info(f"Pick a {scope.lower()} to see its forecast.", icon=":material/search:")
elif view.forecast.empty:
    st.subheader(view.title)
    st.warning(
        "This product has no stored forecast for these days: refresh the forecasts below.",
        icon=":material/warning:",
    )
else:
    st.subheader(view.title)
    metrics = st.columns(4)
    metrics[0].metric(f"Forecast, next {horizon} days", f"{view.units_on_horizon:,.0f} units")
    if view.on_hand is not None:
        metrics[1].metric("On hand", f"{view.on_hand:,} units")
        metrics[2].metric(
            "Projected to run out",
            f"{view.run_out_day:%a %d %b}" if view.run_out_day else f"after {view.last_day:%d %b}",
        )
        cover = view.days_of_cover
        metrics[3].metric("Days of cover", f"{cover}" if cover is not None else f"{horizon}+")
    if len(view.forecast) < horizon:
        st.caption(
            f"Stored forecasts reach {view.last_day:%Y-%m-%d}; refresh to forecast further ahead."
        )
    st.altair_chart(
        charts.demand_forecast(view.history, view.forecast, run_out_day=view.run_out_day),
        width="stretch",
    )
    if view.model is not None and view.model.season_phase:
        st.info(f"**Season.** {view.model.season_phase}", icon=":material/calendar_month:")
    if view.stockout_chance is not None and view.covers:
        st.markdown(
            f"**Chance of running out before a new order could arrive** "
            f"({view.covers[0].days} days): **{view.stockout_chance[1]}**, "
            "with what is on hand and on order now."
        )
    if view.covers:
        st.markdown("**How much could sell before a new order arrives**")
        st.dataframe(
            tables.covers_frame(view.covers),
            hide_index=True,
            column_config=tables.COVER_COLUMNS,
            placeholder=tables.EMPTY,
            key="fc_covers",
        )
    if view.model is not None:
        st.markdown(f"**How this forecast was made.** {views.explain(view.model)}")
    with st.expander("Forecast by day"):
        st.dataframe(
            view.forecast,
            hide_index=True,
            column_config=tables.FORECAST_DAY_COLUMNS,
            placeholder=tables.EMPTY,
            key="fc_table",
        )

st.subheader("Models and accuracy")
catalog = ui.forecast_catalog()
summary = views.summarise_catalog(catalog)
numbers = st.columns(3)
numbers[0].metric("Products forecast", f"{summary.products:,}")
numbers[1].metric(
    "Beat seasonal naive in backtest",
    "n/a" if summary.beats_naive is None else f"{summary.beats_naive:.0%}",
)
numbers[2].metric("Fell back to a simpler forecast", f"{summary.fell_back:,}")
if summary.fell_back:
    with st.expander(f"{summary.fell_back:,} product(s) fell back, and why"):
        st.dataframe(
            summary.fallbacks,
            hide_index=True,
            column_config=tables.FALLBACK_COLUMNS,
            placeholder=tables.EMPTY,
            key="fc_fallbacks",
        )
st.dataframe(
    catalog,
    hide_index=True,
    column_config=tables.CATALOG_COLUMNS,
    placeholder=tables.EMPTY,
    key="fc_catalog",
)
downloads, refresh_column = st.columns(2)
with downloads:
    st.download_button(
        "Download all forecasts (CSV)",
        data=lambda: exports.to_csv(views.export_forecasts(ui.database())),  # made on click
        file_name=f"forecasts-{today:%Y-%m-%d}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="fc_download",
    )
with refresh_column:
    forms.refresh_forecasts_form()
