"""Settings: shop name, currency symbol, holiday calendar, and starting over empty."""

import streamlit as st

from stockcore import services, ui

ui.through_router()

st.title("Settings")
current = ui.settings()

with st.form("settings_form"):
    shop_name = st.text_input("Shop name", value=current.shop_name, key="settings_shop_name")
    currency = st.text_input(
        "Currency symbol",
        value=current.currency_symbol,
        max_chars=8,
        help="Shown before every amount, e.g. £, ₹, €, $.",
        key="settings_currency",
    )
    holiday_country = st.text_input(
        "Public holidays for forecasts (country code)",
        value=current.holiday_country,
        max_chars=3,
        placeholder="e.g. GB, US, DE; empty for none",
        help="Prophet forecasts learn how sales change on this country's public holidays.",
        key="settings_holiday_country",
    )
    if st.form_submit_button("Save settings", type="primary"):
        saved = ui.attempt(
            lambda: services.update_settings(
                ui.database(),
                currency_symbol=currency,
                shop_name=shop_name,
                holiday_country=holiday_country,
            )
        )
        if saved is not None:
            ui.changed()
            for key in ("settings_shop_name", "settings_currency", "settings_holiday_country"):
                del st.session_state[key]  # show the values as saved (trimmed, upper case)
            ui.flash("Settings saved.")
            st.rerun()

st.subheader("Start an empty shop")
st.write(
    "Deletes every product, sale, stock movement, alert and setting in this database, "
    "for example to replace the demo shop with your own. This cannot be undone."
)
with st.form("erase_form"):
    confirmation = st.text_input('Type "ERASE" to confirm', key="erase_confirmation")
    if st.form_submit_button("Erase everything and start empty"):
        if confirmation.strip() != "ERASE":
            st.error('Nothing was erased: type "ERASE" in capitals to confirm.')
        else:
            services.erase_shop(ui.database())
            ui.changed()
            ui.flash("The shop is empty. Add your products on the Inventory page.")
            st.rerun()
