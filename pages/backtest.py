"""Backtest: replay the shop's real sales under the rules a shop would use instead of
stockcore, and stockcore's own, and compare the stock each holds for the demand it serves."""

import streamlit as st

from stockcore.domain import SERVICE_LEVEL_MEANING
from stockcore.interfaces import charts, ui
from stockcore.interfaces.ui import auth, tables
from stockcore.replenishment import backtest

auth.guard_page(__file__)

st.title("Policy backtest")
st.caption(
    "Replays the last days of your best sellers' real demand, day by day: sales are lost "
    "when stock is at 0, orders arrive after each product's lead time. stockcore "
    "re-forecasts from the past only every 7 days and orders for its service level (80% "
    f"to 99%: {SERVICE_LEVEL_MEANING}). Beside "
    "it: your static restock threshold, and a min/max rule (order up to max when stock "
    "falls to min, min being 0.5x to 8x the lead time's demand at the 90-day average). "
    "Perfect foresight, which knows the future, is the least stock any weekly ordering "
    "could hold."
)
with st.form("backtest_form"):
    left, right = st.columns(2)
    days = left.slider(
        "Days to replay", backtest.MIN_DAYS, backtest.MAX_DAYS, backtest.DEFAULT_DAYS, step=7,
        key="bt_days",
    )  # fmt: skip
    products = right.number_input(
        "Best sellers to replay", min_value=1, max_value=backtest.MAX_PRODUCTS,
        value=backtest.DEFAULT_PRODUCTS, key="bt_products",
    )  # fmt: skip
    run = st.form_submit_button("Run backtest", type="primary")

if run:
    with st.status("Replaying history…", expanded=False) as status:
        result = ui.attempt(
            lambda: backtest.backtest_shop(ui.database(), days=int(days), products=int(products))
        )
        status.update(
            label="Replay finished" if result else "Replay refused",
            state="complete" if result else "error",
        )
    if result is not None:
        ui.remember("backtest_result", (result, int(days)))

stored = ui.recall("backtest_result")
if stored is None:
    st.info("Choose how much to replay and run the backtest.", icon=":material/info:")
else:
    result, replay_days = stored
    st.subheader(f"{result.products} products, the last {replay_days} days")
    if result.set_aside_orders:
        st.caption(
            f"Every rule replays the regular demand: {result.set_aside_orders:,} very large "
            f"one-off orders of these products ({result.set_aside_units:,} units) are left "
            "out, as the forecasts leave them out (Settings, Large orders)."
        )
    frame = backtest.outcomes_frame(result.outcomes)
    st.altair_chart(charts.policy_frontier(frame), width="stretch")
    st.dataframe(
        frame,
        hide_index=True,
        column_config=tables.backtest_columns(),
        placeholder=tables.EMPTY,
        key="bt_table",
    )
    st.subheader("Are the stated chances of running out honest?")
    calibration = backtest.calibration_frame(result.calibration)
    if calibration.empty:
        st.info("The replay was too short to check them.", icon=":material/info:")
    else:
        st.caption(
            "At every weekly review of the replay (at a 95% service level), stockcore stated the "
            "chance of running out before an order placed that day could arrive; here is "
            "how often each stated chance came true."
        )
        st.altair_chart(charts.calibration(calibration), width="stretch")
