"""Backtest: replay the shop's real sales under the static threshold policy and under
stockcore's forecast policy, and compare stock-outs against stock held."""

import streamlit as st

from stockcore import charts, ui
from stockcore.replenishment import backtest

ui.through_router()

st.title("Policy backtest")
st.caption(
    "Replays the last days of your best sellers' real demand, day by day: sales are lost "
    "when stock is at 0, orders arrive after each product's lead time, and the forecast "
    "policy re-forecasts from the past only, every 7 days. The static policy orders 30 "
    "days of average demand whenever stock falls below its restock threshold (shown at "
    "1x, 2x and 4x the threshold)."
)
with st.form("backtest_form"):
    left, right = st.columns(2)
    days = left.slider("Days to replay", 28, 365, 182, step=7, key="bt_days")
    products = right.number_input(
        "Best sellers to replay", min_value=1, max_value=500, value=20, key="bt_products"
    )
    run = st.form_submit_button("Run backtest", type="primary")

if run:
    with st.status("Replaying history…", expanded=False) as status:
        result = ui.attempt(
            lambda: backtest.backtest_shop(
                ui.database(),
                days=int(days),
                products=int(products),
                service_levels=(0.80, 0.90, 0.95, 0.98),
                static_factors=(0.5, 1.0, 2.0, 4.0),
            )
        )
        status.update(
            label="Replay finished" if result else "Replay refused",
            state="complete" if result else "error",
        )
    if result is not None:
        st.session_state["backtest_result"] = (result, int(days))

stored = st.session_state.get("backtest_result")
if stored is None:
    st.info("Choose how much to replay and run the backtest.", icon=":material/info:")
else:
    (outcomes, replayed), replay_days = stored
    st.subheader(f"{replayed} products, the last {replay_days} days")
    frame = backtest.outcomes_frame(outcomes)
    st.altair_chart(charts.policy_tradeoff(frame), width="stretch")
    st.dataframe(
        frame.drop(columns=["family", "setting"]),
        hide_index=True,
        column_config={
            "policy": "Policy",
            "service_level": st.column_config.NumberColumn("Target", format="percent"),
            "fill_rate": st.column_config.NumberColumn("Fill rate", format="percent"),
            "stockout_days": st.column_config.NumberColumn("Stock-out days", format="%d"),
            "avg_inventory_units": st.column_config.NumberColumn("Average units", format="%.0f"),
            "avg_inventory_value": st.column_config.NumberColumn("Average value", format="%.2f"),
            "orders": st.column_config.NumberColumn("Orders", format="%d"),
        },
        key="bt_table",
    )
