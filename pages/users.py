"""Users: the owner's page. Who has an account, their roles, and new accounts."""

import streamlit as st

from stockcore import accounts
from stockcore.interfaces import ui
from stockcore.interfaces.ui import access, auth, tables, user_admin

me = auth.guard_page(__file__)

st.title("Users")
st.caption(
    "The same accounts sign in to the dashboard and the REST API. Owner: everything, "
    "including this page. Manager: inventory, imports, forecasts and purchase orders. "
    "Staff: purchases and the stock list. Newcomers sign up with an invitation from you."
)
users = accounts.list_users(ui.database())
st.dataframe(
    tables.users_frame(users),
    hide_index=True,
    column_config=tables.USER_COLUMNS,
    placeholder=tables.EMPTY,
)
roles = [role.value for role in accounts.Role]
by_id = {u.user_id: u for u in users}

left, right = st.columns(2)
with left, st.form("role_form"):
    st.subheader("Change a role")
    chosen = st.selectbox(
        "Account",
        options=list(by_id),
        format_func=lambda user_id: f"{by_id[user_id].username} ({by_id[user_id].role.value})",
        key="role_user",
    )
    role = st.selectbox("New role", options=roles, key="role_new")
    if st.form_submit_button("Change role", type="primary"):
        changed = ui.attempt(lambda: accounts.set_role(ui.database(), me, chosen, role))
        if changed is not None:
            ui.flash(f"{changed.username} is now {changed.role.value}.")
            st.rerun()

with right, st.form("new_user_form", clear_on_submit=True):
    st.subheader("Add an account")
    username = st.text_input("Username", key="new_user_username", max_chars=64)
    email = st.text_input("Email", key="new_user_email", max_chars=254)
    password = st.text_input(
        "Password (at least 8 characters)", type="password", key="new_user_password"
    )
    new_role = st.selectbox("Role", options=roles, index=roles.index("staff"), key="new_user_role")
    if st.form_submit_button("Add account"):
        made = ui.attempt(
            lambda: accounts.create_user(ui.database(), me, username, email, password, new_role)
        )
        if made is not None:
            ui.flash(f"Account {made.username} ({made.role.value}) added.")
            st.rerun()

user_admin.account_actions(me, users)
access.invitations_section(me)
access.api_keys_section(me)
