"""Receiving and closing an open purchase order on the Reorder page, each in two steps: the
owner says what came (every line starts at what is still to come), the page asks "Receive
14,652 units of PO-000123 into stock?", and only Confirm writes. Closing asks the same way.

The units are checked by the use case (`receiving.receipt_units`) before the question
is asked, and again when it is confirmed.
"""

from __future__ import annotations

import streamlit as st

from stockcore.domain import counted
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth
from stockcore.replenishment import receiving
from stockcore.replenishment.purchase_orders import PurchaseOrder


def _pending_key(order: PurchaseOrder) -> str:
    return f"po_pending_receipt_{order.order_id}"


def _closing_key(order: PurchaseOrder) -> str:
    return f"po_pending_close_{order.order_id}"


def receive_and_close(order: PurchaseOrder) -> None:
    """The receipt form, the close button, and whichever confirmation is pending."""
    outstanding = {line.product_id: line.outstanding for line in order.lines}
    waiting = [line for line in order.lines if line.outstanding > 0]
    # The received units are in the keys: after a receipt the inputs start afresh.
    version = f"{order.order_id}_{order.received_units}"
    with st.form(f"po_receive_form_{order.order_id}", border=False):
        st.markdown(f"**Receive** (units that came; {order.outstanding_units:,} still to come)")
        columns = st.columns(3)
        quantities: dict[str, object] = {}
        for index, line in enumerate(waiting):
            # Typed as text, so 2.5 or -3 reach the use case and are refused by name.
            quantities[line.product_id] = columns[index % 3].text_input(
                f"{line.product_id} · {line.name}",
                value=str(line.outstanding),
                key=f"po_units_{version}_{line.product_id}",
                help=f"{line.received:,} of {line.quantity:,} received so far; 0 or blank: "
                "none of it came",
            )
        asked = st.form_submit_button("Receive…", type="primary")
    if asked:
        units = ui.attempt(lambda: receiving.receipt_units(order.order_id, outstanding, quantities))
        ui.remember(_closing_key(order), None)
        ui.remember(_pending_key(order), units)
    if st.button("Close order…", key=f"po_close_{order.order_id}"):
        ui.remember(_pending_key(order), None)
        ui.remember(_closing_key(order), True)
    _confirm_receipt(order)
    _confirm_close(order)


def _confirm_receipt(order: PurchaseOrder) -> None:
    units: dict[str, int] | None = ui.recall(_pending_key(order))
    if not units:
        return
    total = counted(sum(units.values()), "unit")
    parts = "; ".join(f"{pid}: {count:,}" for pid, count in sorted(units.items()))
    st.warning(
        f"Receive {total} of {order.number} into stock? ({parts})",
        icon=":material/inventory:",
    )
    confirm, cancel = st.columns(2)
    if confirm.button("Confirm", type="primary", key=f"po_confirm_receipt_{order.order_id}"):
        done = ui.attempt(
            lambda: receiving.receive_purchase_order(
                ui.database(), order.order_id, units, actor=auth.current_actor()
            )
        )
        ui.remember(_pending_key(order), None)
        if done is not None:
            ui.changed()
            ui.flash(done.summary())
            st.rerun()
    if cancel.button("Cancel", key=f"po_cancel_receipt_{order.order_id}"):
        ui.remember(_pending_key(order), None)
        st.rerun()


def _confirm_close(order: PurchaseOrder) -> None:
    if not ui.recall(_closing_key(order)):
        return
    left = order.outstanding_units
    if order.received_units:
        question = (
            f"Close {order.number} and cancel the {counted(left, 'unit')} still "
            f"to come? The {order.received_units:,} received stay in stock."
        )
    else:
        question = f"Cancel {order.number} ({counted(left, 'unit')}) with the supplier?"
    st.warning(question, icon=":material/cancel:")
    confirm, keep = st.columns(2)
    if confirm.button("Confirm", type="primary", key=f"po_confirm_close_{order.order_id}"):
        closed = ui.attempt(lambda: receiving.close_purchase_order(ui.database(), order.order_id))
        ui.remember(_closing_key(order), None)
        if closed is not None:
            ui.changed()
            ui.flash(f"{closed.number} is {closed.state}.")
            st.rerun()
    if keep.button("Keep it open", key=f"po_keep_open_{order.order_id}"):
        ui.remember(_closing_key(order), None)
        st.rerun()
