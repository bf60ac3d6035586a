"""stockcore dashboard: the router and frame. Pages live in pages/, logic in stockcore/.

Streamlit runs this file as "__main__". The forecast refresh's worker processes (spawned)
run it again as "__mp_main__", as they do the main script of any process that starts them:
there it must only define `main`, import nothing heavy and show nothing, or every worker
would load Streamlit and the dashboard and then die at the sign-in gate.
"""


def main() -> None:
    import streamlit as st  # here, not at the top: worker processes run this file too

    from stockcore.interfaces import ui
    from stockcore.interfaces.ui import auth

    ui.through_router()
    st.set_page_config(page_title="stockcore", page_icon=":material/inventory_2:", layout="wide")

    ui.database()  # open the shop once per server: migrate, and load the demo into a new database
    ui.show_flashes()
    user = auth.gate()  # the sign-in screen (on a new shop: create the owner) until signed in
    settings = ui.settings()
    open_alerts = len(ui.active_alerts())

    with st.sidebar:
        st.markdown(f"**{settings.shop_name}**")
        if open_alerts:
            st.caption(f":material/notifications_active: {open_alerts} product(s) need restocking")
        else:
            st.caption("No restock alerts")
        auth.account_box(user)

    pages = {
        "Shop": [
            st.Page(
                "pages/overview.py", title="Overview", icon=":material/dashboard:", default=True
            ),
            st.Page("pages/inventory.py", title="Inventory", icon=":material/inventory_2:"),
            st.Page("pages/purchase.py", title="Purchase", icon=":material/shopping_cart:"),
            st.Page(
                "pages/alerts.py",
                title=f"Alerts ({open_alerts})" if open_alerts else "Alerts",
                icon=":material/notifications:",
            ),
            st.Page("pages/sales.py", title="Sales", icon=":material/bar_chart:"),
            st.Page("pages/forecast.py", title="Forecast", icon=":material/trending_up:"),
            st.Page("pages/reorder.py", title="Reorder", icon=":material/local_shipping:"),
            st.Page("pages/backtest.py", title="Backtest", icon=":material/science:"),
            st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"),
        ],
        "Shop settings": [
            st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
            st.Page("pages/about.py", title="About", icon=":material/info:"),
        ],
    }
    # Accounts: a read-only stock list for staff, user management for the owner.
    pages["Shop"].insert(1, st.Page("pages/stock.py", title="Stock", icon=":material/list_alt:"))
    pages["Shop settings"].insert(
        1, st.Page("pages/users.py", title="Users", icon=":material/group:")
    )
    st.navigation(auth.allowed_pages(pages, user)).run()


if __name__ == "__main__":
    main()
