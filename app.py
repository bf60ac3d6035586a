"""stockcore dashboard: the router and frame. Pages live in pages/, logic in stockcore/.

Streamlit runs this file as "__main__". The forecast refresh's worker processes (spawned)
run it again as "__mp_main__", as they do the main script of any process that starts them:
there it must only define `main`, import nothing heavy and show nothing, or every worker
would load Streamlit and the dashboard and then die at the sign-in gate.
"""

HOME = "pages/overview.py"


def main() -> None:
    from pathlib import Path  # here, not at the top: worker processes run this file too

    import streamlit as st

    from stockcore.domain import counted
    from stockcore.interfaces import ui
    from stockcore.interfaces.ui import auth, background
    from stockcore.interfaces.ui.auth import NavPage

    st.set_page_config(page_title="stockcore", page_icon=":material/inventory_2:", layout="wide")

    ui.database()  # open the shop once per server: migrate, and load the demo into a new database
    ui.begin_run()  # the shop's data version, read once: this run's loaders show the shop now
    background.keep_forecasts_fresh()  # due forecasts (the new demo's) start before sign-in
    ui.show_flashes()
    ui.refill_inputs()  # forms emptied (or showing what was saved) after a write
    # The signed-in account, None until there is one (a reload or a new tab is signed in
    # by the browser's sign-in cookie while it is valid: see auth).
    user = auth.current_user()
    alerts = ui.active_alerts() if user is not None else []  # products below their threshold
    unseen = ui.unseen_alerts(alerts)  # of those, not yet acknowledged: the menu's badge

    # Every page; each role gets those accounts.PAGE_PERMISSIONS allows it (staff get the
    # read-only Stock list instead of Inventory, the owner alone gets Settings and Users).
    # Signed out, every page is known to the router, so that a link to one opens it after
    # signing in, but none is shown.
    sections = {
        "Shop": [
            NavPage(HOME, "Overview", ":material/dashboard:"),
            NavPage("pages/stock.py", "Stock", ":material/list_alt:"),
            NavPage("pages/inventory.py", "Inventory", ":material/inventory_2:"),
            NavPage("pages/purchase.py", "Purchase", ":material/shopping_cart:"),
            NavPage(
                "pages/alerts.py",
                f"Alerts ({unseen} new)" if unseen else "Alerts",
                ":material/notifications:",
            ),
            NavPage("pages/sales.py", "Sales", ":material/bar_chart:"),
            NavPage("pages/forecast.py", "Forecast", ":material/trending_up:"),
            NavPage("pages/reorder.py", "Reorder", ":material/local_shipping:"),
            NavPage("pages/backtest.py", "Backtest", ":material/science:"),
            NavPage("pages/upload.py", "Upload", ":material/upload_file:"),
        ],
        "Shop settings": [
            NavPage("pages/settings.py", "Settings", ":material/settings:"),
            NavPage("pages/users.py", "Users", ":material/group:"),
            NavPage("pages/about.py", "About", ":material/info:"),
        ],
    }
    here = Path(__file__).resolve().parent  # pages by full path: a page may run this router
    navigation = {
        section: [
            st.Page(
                here / page.script, title=page.title, icon=page.icon, default=page.script == HOME
            )
            for page in pages
        ]
        for section, pages in (
            sections if user is None else auth.allowed_pages(sections, user)
        ).items()
    }
    # st.navigation before the frame's widgets: until its first call the server may still
    # be in Streamlit's legacy multipage mode, whose script hash would give the sidebar's
    # buttons other ids on this run than on the next, and lose their first click.
    # Its menu stays hidden: the frame draws the menu itself, below, once signed in.
    # (.streamlit/config.toml's client.showSidebarNavigation = false keeps the legacy mode's
    # raw list of the pages/ files out of the sidebar before this first call.)
    page = st.navigation(navigation, position="hidden")
    auth.keep_cookie()  # the browser keeps (or forgets) the sign-in
    if user is None:
        auth.sign_in_screen()  # on a new shop: create the owner; nothing else is shown
    with st.sidebar:
        st.markdown(f"**{ui.settings().shop_name}**")
        if alerts:
            st.caption(
                ":material/notifications_active: "
                f"{counted(len(alerts), 'product', ('needs', 'need'))} restocking"
                + (f", {unseen} not yet acknowledged" if unseen else "")
            )
        else:
            st.caption("No restock alerts")
        for section, links in navigation.items():
            st.caption(section)
            for link in links:
                st.page_link(link)
        auth.account_box(user)
        background.sidebar_note()
    ui.run_page(page)


if __name__ == "__main__":
    main()
