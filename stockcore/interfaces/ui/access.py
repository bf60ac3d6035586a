"""Who may get in, on the owner's pages: invitations and API keys (Users page) and open
sign-up (Settings page). A new code or key is shown once, right after it is made."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from stockcore import accounts
from stockcore.interfaces import ui
from stockcore.interfaces.ui import tables

# A new secret to show once, as (title, secret, link), kept for the run after the click.
NEW_INVITATION = "_stockcore_new_invitation"
NEW_API_KEY = "_stockcore_new_api_key"

Row = TypeVar("Row")


def dashboard_address() -> str:
    """The dashboard's address as this browser reached it (for the sign-up link)."""
    url = st.context.url or ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""


def _show_secret_on_next_run(slot: str, title: str, secret: str, link: str = "") -> NoReturn:
    """Keep a secret just made for `_show_secret_once` and run the page again to show it."""
    st.session_state[slot] = (title, secret, link)
    st.rerun()


def _show_secret_once(slot: str) -> None:
    shown = st.session_state.pop(slot, None)
    if shown is None:
        return
    title, secret, link = shown
    with st.container(border=True):
        st.markdown(f"**{title}** — copy it now: it is shown only this once.")
        st.code(secret, language=None)
        if link:
            st.markdown("Sign-up link:")
            st.code(link, language=None)


@dataclass(frozen=True)
class Revoke(Generic[Row]):
    """The form that withdraws one of the listed rows: what a row is called (`noun`, which
    names the form, its widget and button), the use case (`act`, given the chosen id) and
    the flash message on success (`done`)."""

    noun: str
    describe: Callable[[Row], str]
    act: Callable[[int], Row]
    done: Callable[[Row], str]

    @property
    def slug(self) -> str:
        return self.noun.lower().replace(" ", "_")


def _table_and_revoke(
    rows: Sequence[Row],
    *,
    nothing: str,
    columns: Mapping[str, Callable[[Row], object]],
    column_config: Mapping[str, Any],
    placeholder: str,
    revocable: Mapping[int, Row],
    revoke: Revoke[Row],
) -> None:
    """The rows as a table (or `nothing` when there are none), then a form to revoke one of
    the `revocable` ones (shown only when there are some)."""
    if not rows:
        st.caption(nothing)
        return
    st.dataframe(
        pd.DataFrame({title: [cell(row) for row in rows] for title, cell in columns.items()}),
        hide_index=True,
        width="stretch",
        column_config=column_config,
        placeholder=placeholder,
    )
    if not revocable:
        return
    with st.form(f"revoke_{revoke.slug}_form"):
        chosen = st.selectbox(
            revoke.noun[0].upper() + revoke.noun[1:],
            options=list(revocable),
            format_func=lambda row_id: revoke.describe(revocable[row_id]),
            key=f"revoke_{revoke.slug}_id",
        )
        if st.form_submit_button(f"Revoke {revoke.noun}"):
            revoked = ui.attempt(lambda: revoke.act(chosen))
            if revoked is not None:
                ui.flash(revoke.done(revoked))
                st.rerun()


def invitations_section(me: accounts.User) -> None:
    """Make, list and revoke invitations."""
    st.subheader("Invitations")
    st.caption(
        "Sign-up is closed once the shop has its owner: newcomers need an invitation code "
        "(or open sign-up, in Settings). A code opens one account with the role you choose, "
        "and expires. It is shown once; only a fingerprint of it is kept."
    )
    _show_secret_once(NEW_INVITATION)
    roles = [role.value for role in accounts.Role]
    with st.form("invite_form", clear_on_submit=True):
        left, right = st.columns(2)
        role = left.selectbox("Role", options=roles, index=roles.index("staff"), key="invite_role")
        days = right.number_input(
            "Valid for (days)",
            min_value=1,
            max_value=accounts.MAX_VALID_DAYS,
            value=accounts.DEFAULT_VALID_DAYS,
            step=1,
            key="invite_days",
        )
        if st.form_submit_button("Create an invitation", type="primary"):
            issued = ui.attempt(
                lambda: accounts.create_invitation(ui.database(), me, role, days=days)
            )
            if issued is not None:
                address = dashboard_address()
                link = f"{address}{issued.signup_query}" if address else issued.signup_query
                _show_secret_on_next_run(
                    NEW_INVITATION,
                    f"Invitation code for a {issued.invitation.role.value} account",
                    issued.code,
                    link,
                )
    found = ui.attempt(lambda: accounts.list_invitations(ui.database(), me)) or []
    _table_and_revoke(
        found,
        nothing="No invitations yet.",
        columns={
            "Id": lambda i: i.invitation_id,
            "Code": lambda i: f"{i.prefix}…",
            "Role": lambda i: i.role.value,
            "Status": lambda i: i.status.value,
            "Expires": lambda i: i.expires_at,
            "Used by": lambda i: i.used_by or "",
        },
        column_config=tables.INVITATION_COLUMNS,
        placeholder=tables.EMPTY,
        revocable={i.invitation_id: i for i in found if i.status is accounts.InvitationStatus.OPEN},
        revoke=Revoke(
            "invitation",
            describe=lambda i: f"{i.prefix}… ({i.role.value})",
            act=lambda chosen: accounts.revoke_invitation(ui.database(), me, chosen),
            done=lambda i: f"Invitation {i.prefix}… revoked.",
        ),
    )


def api_keys_section(me: accounts.User) -> None:
    """Make, list and revoke API keys."""
    st.subheader("API keys")
    st.caption(
        "For a storefront or a script: sent as `Authorization: Bearer <key>` or `X-API-Key`, "
        "a key may only do what its scopes allow (read: stock and sales; purchases:write; "
        "sales:write: record sales; products:write; forecasts), never manage users or "
        "settings. Shown once; only a fingerprint is kept. A revoked key stops working at once."
    )
    _show_secret_once(NEW_API_KEY)
    with st.form("api_key_form", clear_on_submit=True):
        left, right = st.columns(2)
        name = left.text_input(
            "What it is for", max_chars=100, placeholder="storefront", key="api_key_name"
        )
        scopes = right.multiselect(
            "Scopes", options=[scope.value for scope in accounts.Scope], key="api_key_scopes"
        )
        if st.form_submit_button("Create an API key", type="primary"):
            made = ui.attempt(lambda: accounts.create_api_key(ui.database(), me, name, scopes))
            if made is not None:
                _show_secret_on_next_run(
                    NEW_API_KEY,
                    f"API key {made.api_key.name!r} ({', '.join(made.api_key.scopes)})",
                    made.secret,
                )
    keys = ui.attempt(lambda: accounts.list_api_keys(ui.database(), me)) or []
    _table_and_revoke(
        keys,
        nothing="No API keys yet.",
        columns={
            "Id": lambda k: k.key_id,
            "Name": lambda k: k.name,
            "Key": lambda k: f"{k.prefix}…",
            "Scopes": lambda k: ", ".join(k.scopes),
            "Status": lambda k: "active" if k.active else "revoked",
            "Last used": lambda k: k.last_used_at,
        },
        column_config=tables.API_KEY_COLUMNS,
        placeholder="never",
        revocable={k.key_id: k for k in keys if k.active},
        revoke=Revoke(
            "API key",
            describe=lambda k: f"{k.name} ({k.prefix}…)",
            act=lambda chosen: accounts.revoke_api_key(ui.database(), me, chosen),
            done=lambda k: f"API key {k.name!r} revoked: it answers 401 from now on.",
        ),
    )


def signup_section(me: accounts.User) -> None:
    """Open sign-up on or off (off by default)."""
    st.subheader("Sign-up")
    st.caption(
        "Closed (the default): a newcomer needs an invitation from the Users page. Open: "
        "anyone who can reach the dashboard or the API may open a staff account."
    )
    current = accounts.signup_is_open(ui.database())
    with st.form("signup_form"):
        wanted = st.toggle("Open sign-up", value=current, key="signup_open")
        if st.form_submit_button("Save sign-up"):
            saved = ui.attempt(lambda: accounts.set_open_signup(ui.database(), me, wanted))
            if saved is not None:
                ui.flash("Open sign-up is on." if saved else "Sign-up is closed.")
                st.rerun()
