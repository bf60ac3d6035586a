"""Purchase: simulate a customer buying from the shop. Stock drops at once."""

import streamlit as st

from stockcore import inventory
from stockcore.domain import as_sentence
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth

auth.guard_page(__file__)

st.title("Purchase")
st.caption(
    "Simulates a customer order: the sale is recorded and stock drops at once. "
    "A restock alert appears the moment a product falls below its threshold."
)

last = st.session_state.pop("last_purchase", None)
if last is not None:
    product = last.product
    st.success(
        f"Sold {last.sale.quantity} × {product.product_id} {product.name} for "
        f"{ui.money(last.sale.revenue)}. {product.quantity} left in stock.",
        icon=":material/check_circle:",
    )
    if last.alert is not None:
        message = as_sentence(last.alert.message)
        st.toast(message, icon=":material/notifications_active:")
        st.warning(message, icon=":material/notifications_active:")
    elif product.needs_restock:
        st.info(
            f"{product.name} is still below its restock threshold ({product.restock_threshold})."
        )
    if last.lead_time_message:
        late = as_sentence(f"{last.lead_time_message} (see the Reorder page)")
        st.toast(late, icon=":material/local_shipping:")
        st.warning(late, icon=":material/local_shipping:")

fields = ui.FieldMessages()
with st.form("purchase_form"):
    product_id = ui.product_picker(
        "Product", key="purchase_product", default=last.product.product_id if last else None
    )
    fields.place("product id")
    quantity = st.text_input("Quantity", value="1", key="purchase_quantity")
    fields.place("quantity")
    customer = st.text_input(
        "Customer (optional)",
        max_chars=64,
        placeholder="e.g. 14646",
        help="Who bought: lets Settings serve a reseller's large orders from stock.",
        key="purchase_customer",
    )
    fields.place("customer")
    submitted = st.form_submit_button("Buy", type="primary")

if submitted:
    if product_id is None:
        st.error("Choose a product to buy.")
    else:
        result = fields.attempt(
            lambda: inventory.purchase(ui.database(), product_id, quantity, customer_id=customer)
        )
        if result is not None:
            ui.changed()
            st.session_state["last_purchase"] = result
            st.rerun()
