"""Forms shared by the pages: add a product, receive and adjust stock, acknowledge alerts,
refresh forecasts.

Each form reads its inputs, calls one use case, and reports the outcome; refusals
are shown as messages and change nothing.
"""

from __future__ import annotations

import streamlit as st

from stockcore import inventory
from stockcore.domain import (
    DEFAULT_LEAD_TIME_DAYS,
    SERVICE_LEVEL_MEANING,
    AlertStatus,
    Product,
    counted,
)
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth
from stockcore.inventory import reports
from stockcore.replenishment import upkeep

# The add-product form's typed fields: key, label, what the use case calls the field, the
# value it starts with, and the column (0 left, 1 right). Typed as text so that any value
# can be refused with a message that names it, under the field (a number box would only
# turn red, or clamp the value).
_NEW_PRODUCT_FIELDS: tuple[tuple[str, str, str, str, int], ...] = (
    ("new_product_price", "Unit price", "unit price", "", 0),
    ("new_product_cost", "Unit cost (optional)", "unit cost", "", 1),
    ("new_product_qty", "Units on hand", "quantity", "0", 0),
    ("new_product_threshold", "Restock threshold (units)", "restock threshold", "0", 1),
    ("new_product_lead_time", "Lead time (days)", "lead time", str(DEFAULT_LEAD_TIME_DAYS), 0),
    ("new_product_lead_time_sd", "Lead time sd (days, optional)", "lead time sd", "", 1),
    ("new_product_moq", "Minimum order quantity", "minimum order quantity", "1", 0),
    ("new_product_pack", "Pack size", "pack size", "1", 1),
    ("new_product_service_level", "Service level (optional)", "service level", "", 0),
)
_NEW_PRODUCT_HELP = {
    "new_product_lead_time_sd": "How much the supplier's delivery time varies from order to order.",
    "new_product_service_level": f"{SERVICE_LEVEL_MEANING.capitalize()}, e.g. 98%. "
    "Empty: the setting for its ABC class.",
}


def add_product_form() -> None:
    fields = ui.FieldMessages()
    with st.form("add_product_form"):
        left, right = st.columns(2)
        with left:
            product_id = st.text_input("Product id (SKU)", key="new_product_id", max_chars=64)
            fields.place("product id")
        with right:
            name = st.text_input("Name", key="new_product_name", max_chars=200)
            fields.place("name")
        with left:
            category = st.selectbox(
                "Category",
                options=ui.categories(),
                index=None,
                accept_new_options=True,
                placeholder="Choose or type a new category",
                key="new_product_category",
            )
            fields.place("category")
        with right:
            supplier = st.text_input("Supplier (optional)", key="new_product_supplier")
            fields.place("supplier")
        typed: dict[str, str] = {}
        for key, label, field, start, column in _NEW_PRODUCT_FIELDS:
            with (left, right)[column]:
                typed[field] = st.text_input(
                    label, value=start, key=key, help=_NEW_PRODUCT_HELP.get(key)
                )
                fields.place(field)
        submitted = st.form_submit_button("Add product", type="primary")
    if not submitted:
        return

    def add() -> Product:
        product = Product.create(
            product_id,
            name,
            category=category,
            supplier=supplier,
            unit_price=typed["unit price"],
            unit_cost=typed["unit cost"],
            quantity=typed["quantity"],
            restock_threshold=typed["restock threshold"],
            lead_time_days=typed["lead time"],
            lead_time_sd_days=typed["lead time sd"],
            min_order_quantity=typed["minimum order quantity"],
            pack_size=typed["pack size"],
            service_level=typed["service level"],
        )
        return inventory.add_product(ui.database(), product, actor=auth.current_actor())

    added = fields.attempt(add)
    if added is not None:
        ui.changed()
        # An empty form for the next product.
        ui.forget_inputs(
            "new_product_",
            {
                "new_product_id": "",
                "new_product_name": "",
                "new_product_category": None,
                "new_product_supplier": "",
                **{key: start for key, _, _, start, _ in _NEW_PRODUCT_FIELDS},
            },
        )
        ui.flash(f"Added {added.product_id} {added.name} with {added.quantity} in stock.")
        st.rerun()


def receive_stock_form() -> None:
    fields = ui.FieldMessages()
    with st.form("receive_form"):
        product_id = ui.product_picker("Product", key="receive_product")
        quantity = st.text_input("Units received", key="receive_qty", placeholder="e.g. 24")
        fields.place("quantity")
        reason = st.text_input("Note (optional)", key="receive_note", placeholder="delivery note")
        fields.place("reason", "note")
        submitted = st.form_submit_button("Receive stock", type="primary")
    if not submitted:
        return
    if product_id is None:
        st.error("Choose the product that arrived.")
        return
    change = fields.attempt(
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
    fields = ui.FieldMessages()
    with st.form("adjust_form"):
        product_id = ui.product_picker("Product", key="adjust_product")
        mode = st.radio(
            "Adjustment",
            ["Counted quantity (stocktake)", "Change by (+/-)"],
            horizontal=True,
            key="adjust_mode",
        )
        amount = st.text_input(
            "Units", key="adjust_amount", placeholder="counted: e.g. 40; change: e.g. -3"
        )
        fields.place("counted quantity", "change")
        reason = st.text_input(
            "Reason (required)", key="adjust_reason", placeholder="stocktake, damaged, lost…"
        )
        fields.place("reason")
        submitted = st.form_submit_button("Adjust stock")
    if not submitted:
        return
    if product_id is None:
        st.error("Choose the product to adjust.")
        return
    counted = amount if mode.startswith("Counted") else None
    delta = None if counted is not None else amount
    change = fields.attempt(
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
    unseen = {
        a.alert_id: f"{a.product_id} · {a.name}" for a in alerts if a.status == AlertStatus.OPEN
    }
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
            ui.flash(f"Acknowledged {counted(count, 'alert')}.", icon=":material/thumb_up:")
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
            lambda: upkeep.refresh_forecasts_and_alerts(ui.database(), progress=report)
        )
        if refreshed is None:  # the reason stays in sight (a collapsed box hid it)
            status.update(label="Forecasts not refreshed", state="error", expanded=True)
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
