"""Forms shared by the pages: add a product, receive and adjust stock, acknowledge alerts,
refresh forecasts.

Each form reads its inputs, calls one use case, and reports the outcome; refusals
are shown as messages and change nothing.
"""

from __future__ import annotations

import streamlit as st

from stockcore import inventory
from stockcore.domain import DEFAULT_LEAD_TIME_DAYS, MAX_LEAD_TIME_DAYS, MAX_QUANTITY, Product
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth
from stockcore.inventory import reports
from stockcore.replenishment import plan


def add_product_form() -> None:
    with st.form("add_product_form", clear_on_submit=False):
        left, right = st.columns(2)
        product_id = left.text_input("Product id (SKU)", key="new_product_id", max_chars=64)
        name = right.text_input("Name", key="new_product_name", max_chars=200)
        known = ui.categories()
        category = left.selectbox(
            "Category",
            options=known,
            index=None,
            accept_new_options=True,
            placeholder="Choose or type a new category",
            key="new_product_category",
        )
        supplier = right.text_input("Supplier (optional)", key="new_product_supplier")
        price = left.number_input(
            "Unit price", min_value=0.0, step=0.01, format="%.2f", key="new_product_price"
        )
        cost = right.number_input(
            "Unit cost (optional)",
            min_value=0.0,
            step=0.01,
            format="%.2f",
            value=None,
            key="new_product_cost",
        )
        quantity = left.number_input(
            "Units on hand", min_value=0, max_value=MAX_QUANTITY, step=1, key="new_product_qty"
        )
        threshold = right.number_input(
            "Restock threshold (units)",
            min_value=0,
            max_value=MAX_QUANTITY,
            step=1,
            key="new_product_threshold",
        )
        lead_time = left.number_input(
            "Lead time (days)",
            min_value=0,
            max_value=MAX_LEAD_TIME_DAYS,
            value=DEFAULT_LEAD_TIME_DAYS,
            step=1,
            key="new_product_lead_time",
        )
        lead_time_sd = right.number_input(
            "Lead time sd (days, optional)",
            min_value=0.0,
            max_value=float(MAX_LEAD_TIME_DAYS),
            value=None,
            step=0.5,
            help="How much the supplier's delivery time varies from order to order.",
            key="new_product_lead_time_sd",
        )
        minimum = left.number_input(
            "Minimum order quantity",
            min_value=1,
            max_value=MAX_QUANTITY,
            value=1,
            step=1,
            key="new_product_moq",
        )
        pack = right.number_input(
            "Pack size",
            min_value=1,
            max_value=MAX_QUANTITY,
            value=1,
            step=1,
            key="new_product_pack",
        )
        service_level = left.number_input(
            "Service level (optional)",
            min_value=0.5,
            max_value=0.999,
            value=None,
            step=0.01,
            format="%.3f",
            help="The chance of not running out before an order arrives, e.g. 0.98. "
            "Empty: the setting for its ABC class.",
            key="new_product_service_level",
        )
        submitted = st.form_submit_button("Add product", type="primary")
    if not submitted:
        return

    def add() -> Product:
        product = Product.create(
            product_id,
            name,
            category=category,
            unit_price=f"{price:.2f}",
            quantity=quantity,
            restock_threshold=threshold,
            unit_cost=None if cost is None else f"{cost:.2f}",
            supplier=supplier,
            lead_time_days=lead_time,
            min_order_quantity=minimum,
            pack_size=pack,
            lead_time_sd_days=lead_time_sd,
            service_level=service_level,
        )
        return inventory.add_product(ui.database(), product, actor=auth.current_actor())

    added = ui.attempt(add)
    if added is not None:
        ui.changed()
        ui.flash(f"Added {added.product_id} {added.name} with {added.quantity} in stock.")
        st.rerun()


def receive_stock_form() -> None:
    with st.form("receive_form"):
        product_id = ui.product_picker("Product", key="receive_product")
        quantity = st.number_input(
            "Units received", min_value=1, max_value=MAX_QUANTITY, step=1, key="receive_qty"
        )
        reason = st.text_input("Note (optional)", key="receive_note", placeholder="delivery note")
        submitted = st.form_submit_button("Receive stock", type="primary")
    if not submitted:
        return
    if product_id is None:
        st.error("Choose the product that arrived.")
        return
    change = ui.attempt(
        lambda: inventory.receive_stock(
            ui.database(), product_id, quantity, reason=reason, actor=auth.current_actor()
        )
    )
    if change is not None:
        ui.changed()
        product = change.product
        message = f"Received {change.change} × {product.name}: {product.quantity} on hand."
        if change.alert_resolved:
            message += " Its restock alert is resolved."
        ui.flash(message)
        st.rerun()


def adjust_stock_form() -> None:
    with st.form("adjust_form"):
        product_id = ui.product_picker("Product", key="adjust_product")
        mode = st.radio(
            "Adjustment",
            ["Counted quantity (stocktake)", "Change by (+/-)"],
            horizontal=True,
            key="adjust_mode",
        )
        amount = st.number_input(
            "Units", min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY, step=1, key="adjust_amount"
        )
        reason = st.text_input(
            "Reason (required)", key="adjust_reason", placeholder="stocktake, damaged, lost…"
        )
        submitted = st.form_submit_button("Adjust stock")
    if not submitted:
        return
    if product_id is None:
        st.error("Choose the product to adjust.")
        return
    counted = amount if mode.startswith("Counted") else None
    delta = None if counted is not None else amount
    change = ui.attempt(
        lambda: inventory.adjust_stock(
            ui.database(),
            product_id,
            change=delta,
            counted=counted,
            reason=reason,
            actor=auth.current_actor(),
        )
    )
    if change is not None:
        ui.changed()
        ui.flash(
            f"Adjusted {change.product.name} by {change.change:+d}: "
            f"{change.product.quantity} on hand."
        )
        st.rerun()


def acknowledge_form(alerts: list[reports.AlertView]) -> None:
    """Mark open (not yet seen) alerts as acknowledged."""
    unseen = {a.alert_id: f"{a.product_id} · {a.name}" for a in alerts if a.status == "open"}
    if not unseen:
        return
    with st.form("acknowledge_form"):
        chosen = st.multiselect(
            "Acknowledge",
            options=list(unseen),
            format_func=unseen.__getitem__,
            key="acknowledge_ids",
        )
        submitted = st.form_submit_button("Acknowledge selected")
    if submitted:
        count = ui.attempt(lambda: inventory.acknowledge_alerts(ui.database(), chosen))
        if count is not None:
            ui.changed()
            ui.flash(f"Acknowledged {count} alert(s).", icon=":material/thumb_up:")
            st.rerun()


_ONE_PROCESS_KEY = "_stockcore_refresh_one_process"  # (run id, why) of this session's refresh


def refresh_forecasts_form(*, label: str = "Refresh all forecasts", primary: bool = False) -> None:
    """Re-forecast every product on both cores, with progress; keeps the old forecasts if
    it is interrupted or refused. Says so while the latest forecasts are from a refresh
    that had to finish in one process."""
    one_process: tuple[int, str] | None = st.session_state.get(_ONE_PROCESS_KEY)
    latest = ui.latest_forecast_run()
    if one_process is not None and latest is not None and latest.run_id == one_process[0]:
        st.warning(one_process[1], icon=":material/warning:")
    with st.form("refresh_forecasts_form", border=False):
        submitted = st.form_submit_button(
            label, type="primary" if primary else "secondary", icon=":material/refresh:"
        )
    if not submitted:
        return
    with st.status("Refreshing forecasts…", expanded=True) as status:
        bar = st.progress(0.0, text="Reading sales history")

        def report(done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0, text=f"{done:,} of {total:,} series")

        refreshed = ui.attempt(
            lambda: plan.refresh_forecasts_and_alerts(ui.database(), progress=report)
        )
        if refreshed is None:
            status.update(label="Forecasts not refreshed", state="error")
            return
        summary = refreshed.summary
        if summary.one_process_reason:
            st.session_state[_ONE_PROCESS_KEY] = (summary.run_id, summary.one_process_reason)
        status.update(label="Forecasts refreshed", state="complete")
    ui.changed()
    fell_back = (
        f" {len(summary.fallbacks):,} fell back to a simpler forecast "
        "(listed on the Forecast page)."
        if summary.fallbacks
        else ""
    )
    ui.flash(
        f"Forecast {summary.products:,} products for {summary.horizon_days} days "
        f"in {summary.seconds:.0f} s.{fell_back}"
    )
    st.rerun()
