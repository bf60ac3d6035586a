"""The Forecast page's panels: one product's, category's or the whole shop's forecast as
numbers, a chart and tables, and the models behind every product's forecast with their
accuracy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from stockcore.domain import counted
from stockcore.forecasting import views
from stockcore.interfaces import charts
from stockcore.interfaces.ui import tables


def show(view: views.ForecastView | None, *, scope: str, horizon: int) -> None:
    """The forecast `view` over the next `horizon` days (None: nothing picked yet in
    `scope`, "Product", "Category" or "Whole shop")."""
    if view is None:
        if scope != "Whole shop":  # the whole shop's refusal is already on screen
            st.info(f"Pick a {scope.lower()} to see its forecast.", icon=":material/search:")
        return
    st.subheader(view.title)
    if view.forecast.empty:
        st.warning(
            "This product has no stored forecast for these days: refresh the forecasts below.",
            icon=":material/warning:",
        )
        return
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


def models_and_accuracy(catalog: pd.DataFrame) -> None:
    """How many products are forecast, how many beat the seasonal naive forecast in the
    backtest, which fell back to a simpler forecast and why, and every product's model."""
    st.subheader("Models and accuracy")
    summary = views.summarise_catalog(catalog)
    numbers = st.columns(3)
    numbers[0].metric("Products forecast", f"{summary.products:,}")
    numbers[1].metric(
        "Beat seasonal naive in backtest",
        "n/a" if summary.beats_naive is None else f"{summary.beats_naive:.0%}",
    )
    numbers[2].metric("Fell back to a simpler forecast", f"{summary.fell_back:,}")
    if summary.fell_back:
        with st.expander(f"{counted(summary.fell_back, 'product')} fell back, and why"):
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
