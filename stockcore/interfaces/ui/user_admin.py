"""The Users page's tools for someone else's account: reset its password, sign it out
everywhere, disable or enable it, delete it. Each calls one `accounts` use case, which
holds the rules (owner only, never yourself, always one active owner)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from stockcore import accounts
from stockcore.interfaces import ui


def _done(outcome: object, message: str) -> None:
    if outcome is not None:
        ui.flash(message)
        st.rerun()


def account_actions(me: accounts.User, users: Sequence[accounts.User]) -> None:
    """One form: pick an account (not your own), then what to do with it."""
    others = {u.user_id: u for u in users if u.user_id != me.user_id}
    st.subheader("Manage an account")
    if not others:
        st.caption("No other accounts yet.")
        return

    def label(user_id: str) -> str:
        user = others[user_id]
        state = "" if user.active else ", disabled"
        return f"{user.username} ({user.role.value}{state})"

    with st.form("account_actions_form", clear_on_submit=True):
        chosen = st.selectbox("Account", options=list(others), format_func=label, key="manage_user")
        password = st.text_input(
            "New password, to reset it (at least 8 characters)",
            type="password",
            key="manage_password",
        )
        reset_col, sign_out_col, toggle_col, delete_col = st.columns(4)
        reset = reset_col.form_submit_button("Reset password")
        sign_out = sign_out_col.form_submit_button("Sign out everywhere")
        toggle = toggle_col.form_submit_button("Disable / enable")
        delete = delete_col.form_submit_button("Delete", type="secondary")
        confirm = st.checkbox(
            "Yes, delete this account (the ledger keeps its name on what it recorded)",
            key="manage_confirm_delete",
        )
    db = ui.database()
    target = others.get(chosen)
    if target is None:
        return
    actions: list[tuple[bool, Callable[[], object], str]] = [
        (
            reset,
            lambda: accounts.reset_password(db, me, target.user_id, password),
            f"Password of {target.username} reset; their sign-ins were ended.",
        ),
        (
            sign_out,
            lambda: accounts.sign_out_everywhere(db, me, target.user_id),
            f"Every sign-in of {target.username} was ended.",
        ),
        (
            toggle,
            lambda: accounts.change_user(db, me, target.user_id, active=not target.active),
            f"{target.username} is now {'disabled' if target.active else 'enabled'}.",
        ),
    ]
    for pressed, action, message in actions:
        if pressed:
            _done(ui.attempt(action), message)
    if delete:
        if not confirm:
            st.error("Tick the box to confirm the deletion; nothing was deleted.")
            return
        _done(
            ui.attempt(lambda: accounts.delete_user(db, me, target.user_id)),
            f"Account {target.username} deleted.",
        )
