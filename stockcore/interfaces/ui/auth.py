"""The dashboard's login gate: the same accounts as the REST API (`stockcore.accounts`).

app.py calls `gate()` before anything else. On a shop without accounts it asks for the
owner account first; otherwise it asks to sign in (or to open a staff account). Only the
signed-in account's id is kept in the session, and each run reads the account back, so
a changed role or a removed account takes effect at the next click.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from stockcore import accounts
from stockcore.domain import StockcoreError
from stockcore.interfaces.ui import database, flash

USER_KEY = "_stockcore_user_id"


@st.cache_resource
def _throttle() -> accounts.LoginThrottle:
    """Failed sign-ins of this server process (5 per account or address in 15 minutes)."""
    return accounts.LoginThrottle()


def current_user() -> accounts.User | None:
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    user = accounts.get_user(database(), user_id)
    if user is None:
        del st.session_state[USER_KEY]
    return user


def _sign_in(user: accounts.User, message: str) -> None:
    st.session_state[USER_KEY] = user.user_id
    flash(message, icon=":material/login:")
    st.rerun()


def gate() -> accounts.User:
    """The signed-in account; until there is one, the sign-in screen and nothing else."""
    user = current_user()
    if user is not None:
        return user
    if accounts.has_users(database()):
        _sign_in_screen()
    else:
        _first_owner_screen()
    st.stop()
    raise AssertionError("st.stop() ends the run")  # pragma: no cover


def _account_fields(prefix: str) -> tuple[str, str, str, str]:
    username = st.text_input("Username", key=f"{prefix}_username", max_chars=64)
    email = st.text_input("Email", key=f"{prefix}_email", max_chars=254)
    password = st.text_input(
        "Password (at least 8 characters)", type="password", key=f"{prefix}_password"
    )
    repeat = st.text_input("Password again", type="password", key=f"{prefix}_repeat")
    return username, email, password, repeat


def _register(username: str, email: str, password: str, repeat: str) -> accounts.User | None:
    if password != repeat:
        st.error("The two passwords differ; nothing was created.", icon=":material/block:")
        return None
    try:
        return accounts.register(database(), username, email, password)
    except StockcoreError as refusal:
        st.error(f"Refused: {refusal}", icon=":material/block:")
    return None


def _first_owner_screen() -> None:
    st.title("Welcome to stockcore")
    st.write(
        "This shop has no accounts yet. Create the **owner** account: it may do everything, "
        "including giving other people the manager or staff role. The same account signs in "
        "to the REST API."
    )
    with st.form("owner_form", clear_on_submit=True):
        fields = _account_fields("owner")
        if st.form_submit_button("Create the owner account", type="primary"):
            user = _register(*fields)
            if user is not None:
                _sign_in(user, f"Welcome, {user.username}: you are the shop's {user.role.value}.")


def _sign_in_screen() -> None:
    st.title("Sign in to stockcore")
    sign_in_tab, register_tab = st.tabs(["Sign in", "Create an account"])
    with sign_in_tab, st.form("login_form", clear_on_submit=True):
        login = st.text_input("Username or email", key="login_username", max_chars=254)
        password = st.text_input("Password", type="password", key="login_password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                user = accounts.authenticate(
                    database(),
                    login,
                    password,
                    throttle=_throttle(),
                    address=st.context.ip_address,
                )
            except StockcoreError as refusal:
                st.error(f"Not signed in: {refusal}.", icon=":material/block:")
            else:
                _sign_in(user, f"Signed in as {user.username} ({user.role.value}).")
    with register_tab:
        st.caption(
            "New accounts get the staff role (make purchases, see stock) until the owner "
            "gives them another."
        )
        with st.form("register_form", clear_on_submit=True):
            fields = _account_fields("register")
            if st.form_submit_button("Create the account"):
                made = _register(*fields)
                if made is not None:
                    _sign_in(made, f"Welcome, {made.username}: you are {made.role.value}.")


def account_box(user: accounts.User) -> None:
    """Who is signed in, and the way out (for the sidebar)."""
    st.caption(f":material/person: {user.username} · {user.role.value}")
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        del st.session_state[USER_KEY]
        st.rerun()


def allowed_pages(
    sections: Mapping[str, Sequence[StreamlitPage]], user: accounts.User
) -> dict[str, list[StreamlitPage]]:
    """Only the pages the user's role may see (see `accounts.PAGE_PERMISSIONS`); a page
    not listed there is shown to nobody. Empty sections are left out."""
    shown: dict[str, list[StreamlitPage]] = {}
    for section, pages in sections.items():
        kept = [page for page in pages if accounts.may_see(user.role, _page_path(page))]
        if kept:
            shown[section] = kept
    return shown


def _page_path(page: StreamlitPage) -> str:
    # st.Page keeps the script it was made from; st.Page has no public accessor for it.
    script = getattr(page, "_page", None)
    return f"pages/{script.name}" if script is not None and hasattr(script, "name") else ""


def guard_page(script: object) -> None:
    """Called by every page (through `ui.through_router`): outside the router, the page
    still shows nothing but the sign-in screen until someone allowed to see it signs in."""
    if not isinstance(script, str) or Path(script).parent.name != "pages":
        return  # app.py: its own gate comes next
    user = gate()
    if not accounts.may_see(user.role, f"pages/{Path(script).name}"):
        st.error("Your account may not open this page.", icon=":material/block:")
        st.stop()


def require(permission: accounts.Permission) -> accounts.User:
    """For a page: stop unless the signed-in account may do this."""
    user = current_user()
    if user is None or not user.may(permission):
        st.error("Your account may not open this page.", icon=":material/block:")
        st.stop()
        raise AssertionError("st.stop() ends the run")  # pragma: no cover
    return user
