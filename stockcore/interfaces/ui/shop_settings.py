"""The Settings page's own forms: the shop's settings (name, currency, holidays, service
levels by ABC class, order sizes) and starting over with an empty shop."""

from __future__ import annotations

import streamlit as st

from stockcore import inventory
from stockcore.domain import SERVICE_LEVEL_MEANING
from stockcore.interfaces import ui


def shown(settings: inventory.ShopSettings) -> dict[str, str]:
    """What the form's fields show for these settings, by widget key."""
    return {
        "settings_shop_name": settings.shop_name,
        "settings_currency": settings.currency_symbol,
        "settings_holiday_country": settings.holiday_country,
        **{
            f"settings_service_level_{abc}": ui.percent(settings.service_level_for(abc))
            for abc in "ABC"
        },
        "settings_ordering_cost": ""
        if settings.ordering_cost is None
        else f"{settings.ordering_cost:.2f}",
        "settings_holding_rate": ""
        if settings.holding_rate is None
        else ui.percent(settings.holding_rate),
    }


def settings_form(current: inventory.ShopSettings) -> None:
    """The shop's settings as they are now, saved together; a refusal shows under its
    field."""
    showing = shown(current)
    fields = ui.FieldMessages()
    with st.form("settings_form"):
        shop_name = st.text_input(
            "Shop name", value=showing["settings_shop_name"], key="settings_shop_name"
        )
        fields.place("shop name")
        currency = st.text_input(
            "Currency symbol",
            value=showing["settings_currency"],
            max_chars=8,
            help="Shown before every amount, e.g. £, ₹, €, $.",
            key="settings_currency",
        )
        fields.place("currency symbol")
        holiday_country = st.text_input(
            "Public holidays for forecasts (country code)",
            value=showing["settings_holiday_country"],
            max_chars=3,
            placeholder="e.g. GB, US, DE; empty for none",
            help=(
                "Forecasts expect the shop closed on this country's public holidays "
                "if it has closed on most of them before."
            ),
            key="settings_holiday_country",
        )
        fields.place("holiday country")
        st.markdown("**Service level by ABC class**")
        st.caption(
            f"{SERVICE_LEVEL_MEANING.capitalize()} (95%: at most "
            "one week in twenty runs short; type 95, 95% or 0.95), from 50% to 99.9%, for "
            "products without their own (set in Inventory); the reorder list sizes orders for "
            "it. Replayed on real sales, the share of demand served from stock comes out close "
            "to it. A: the products making the top 80% of last year's revenue, B: the next "
            "15%, C: the rest."
        )
        levels = {}
        for column, abc in zip(st.columns(3), "ABC", strict=True):
            with column:
                levels[abc] = st.text_input(
                    f"Class {abc}",
                    value=showing[f"settings_service_level_{abc}"],
                    key=f"settings_service_level_{abc}",
                )
                fields.place(f"service level of class {abc}")
        st.markdown("**Order sizes (EOQ)**")
        st.caption(
            "Set both to size orders by the economic order quantity: fewer, larger orders when "
            "ordering is expensive, smaller ones when holding stock is. Leave empty to order up "
            "to what covers the lead time plus a week."
        )
        left, right = st.columns(2)
        with left:
            ordering_cost = st.text_input(
                f"Cost of placing one order ({current.currency_symbol})",
                value=showing["settings_ordering_cost"],
                placeholder="e.g. 15.00; empty for none",
                key="settings_ordering_cost",
            )
            fields.place("ordering cost")
        with right:
            holding_rate = st.text_input(
                "Holding cost per year (share of unit cost)",
                value=showing["settings_holding_rate"],
                placeholder="e.g. 25%; empty for none",
                help="25%: keeping one unit for a year costs a quarter of what it cost to buy.",
                key="settings_holding_rate",
            )
            fields.place("holding rate")
        if st.form_submit_button("Save settings", type="primary"):
            saved = fields.attempt(
                lambda: inventory.update_settings(
                    ui.database(),
                    currency_symbol=currency,
                    shop_name=shop_name,
                    holiday_country=holiday_country,
                    service_levels=levels,
                    ordering_cost=ordering_cost,
                    holding_rate=holding_rate,
                )
            )
            if saved is not None:
                ui.changed()
                ui.forget_inputs("settings_", shown(saved))  # the values as saved: 95 reads 95%
                ui.flash("Settings saved.")
                st.rerun()


def erase_section() -> None:
    """Starting over: every product, sale, movement, alert and setting deleted, once the
    owner has typed ERASE."""
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
                inventory.erase_shop(ui.database())
                ui.changed()
                ui.flash("The shop is empty. Add your products on the Inventory page.")
                st.rerun()
