"""Forecast: a product's, a category's or the whole shop's demand ahead, how it was made,
and when the product is projected to run out."""

from datetime import date

import streamlit as st

from stockcore.forecasting import views
from stockcore.imports import exports
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth, background, forecast_view, forms

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

forecast_view.show(view, scope=scope, horizon=horizon)
forecast_view.models_and_accuracy(ui.forecast_catalog())

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
