"""The dashboard's login gate: the same accounts as the REST API (`stockcore.accounts`).

app.py calls `gate()` before anything else. On a shop without accounts it asks for the
owner account first; otherwise it asks to sign in, or to open an account with the
owner's invitation code (from the form, or `?invite=CODE` in the address) or, when the
owner opened sign-up, as staff. Only the signed-in account's id and session generation
are kept in the session, and each run reads the account back (`accounts.session_user`), so
a changed role, a disabled or removed account, a password change or "sign out everywhere"
takes effect at the next click.

A sign-in lasts beyond the browser tab: it is kept in a cookie (`COOKIE`) holding a signed,
expiring token for the dashboard (`accounts.issue_token`, the API's machinery, for
`accounts.DASHBOARD_AUDIENCE`), valid for `STOCKCORE_SIGN_IN_DAYS` (7 unless set; 0: one tab).
A new session (a reload, a new tab) whose browser sends a valid one starts signed in; every
run checks the token again, so *Sign out* in one tab, which revokes the token (its jti, as
the API's /logout) and clears the cookie, ends the others at their next click, and "sign out
everywhere" or a password change (a new session generation) ends every copy of it. Streamlit
cannot set a cookie from the server: a one-off script (`st.html`) sets or clears it in the
browser; the token is checked on the server, never trusted as it comes.

A session whose sign-in ends (*Sign out*, "sign out everywhere", or a sign-in ended
elsewhere, seen at the next click) loads the page afresh with the same script: Streamlit's
browser side keeps a sidebar it has shown open, empty, until a run after the one that
emptied it has finished (app.py hides Streamlit's own menu, `position="hidden"`, and the
check that would fold it away reads the sidebar as it was before that run's leftovers
were cleared), so without a new load the sign-in screen would sit beside an empty sidebar
frame, covering most of a phone's screen. A new load shows the sign-in screen exactly as a
first visit does. Where the sign-in ended for a reason the person did not see coming (a
restore that replaced the shop's accounts), the new load carries it in the address
(`?signed_out=restore`) and the sign-in screen says why.
"""

from __future__ import annotations

import contextlib
import json
import runpy
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple, NoReturn

import streamlit as st

from stockcore import accounts
from stockcore.domain import Actor, StockcoreError
from stockcore.interfaces import ui
from stockcore.persistence.db import database_url

USER_KEY = "_stockcore_user_id"
GENERATION_KEY = "_stockcore_session_generation"
TOKEN_KEY = "_stockcore_sign_in_token"  # the token the browser's cookie holds
_COOKIE_READ = "_stockcore_cookie_read"  # this session looked at the browser's cookie
_COOKIE_WRITE = "_stockcore_cookie_write"  # a cookie to set (or clear), and whether to reload
COOKIE = "stockcore_sign_in"
SIGNED_OUT_QUERY = "signed_out"  # ?signed_out=<reason>: why the sign-in screen is showing
RESTORED = "restore"
_SIGNED_OUT_NOTICES = {
    RESTORED: "The shop was restored from a backup that does not hold your account (or in "
    "which it may not sign in), so you were signed out: sign in with an account of the "
    "restored shop.",
}


def _client_address() -> str | None:
    """The browser's address as Streamlit reports it; None on localhost (or unknown)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def current_user() -> accounts.User | None:
    """The signed-in account while its sign-in holds; otherwise the session is signed out.
    A session not yet signed in takes the sign-in its browser's cookie holds, if valid."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return _sign_in_from_cookie()
    token = st.session_state.get(TOKEN_KEY)
    if token is None:  # a sign-in kept to this tab (STOCKCORE_SIGN_IN_DAYS=0)
        user = accounts.session_user(ui.database(), user_id, st.session_state.get(GENERATION_KEY))
    else:
        user = _token_user(token)
        if user is not None and user.user_id != user_id:
            user = None
    if user is None:
        _end_sign_in()  # signed out elsewhere, disabled, removed or its sessions ended
    else:
        st.session_state[GENERATION_KEY] = user.session_generation
    return user


@st.cache_resource(show_spinner=False)
def _secret_key(url: str) -> str:
    """The key that signs tokens, the API's (`accounts.load_secret_key`)."""
    return accounts.load_secret_key(url)


def _token_user(token: str) -> accounts.User | None:
    """The account a dashboard token signs in, while it is valid and not signed out."""
    try:
        return accounts.user_for_token(
            ui.database(),
            token,
            _secret_key(database_url()),
            audience=accounts.DASHBOARD_AUDIENCE,
        )
    except StockcoreError:  # forged, expired, signed out, account gone or its sessions ended
        return None


def _sign_in_from_cookie() -> accounts.User | None:
    """Once per session: the account of the browser's sign-in cookie, if it is valid.
    Streamlit reads cookies when the session starts, so later runs would see the same."""
    if st.session_state.get(_COOKIE_READ):
        return None
    st.session_state[_COOKIE_READ] = True
    token = browser_cookie()
    if token is None:
        return None
    user = _token_user(token)
    if user is None:
        _write_cookie(None)  # expired, signed out or not ours: the browser forgets it
        return None
    st.session_state[USER_KEY] = user.user_id
    st.session_state[GENERATION_KEY] = user.session_generation
    st.session_state[TOKEN_KEY] = token
    return user


def browser_cookie() -> str | None:
    """The sign-in cookie the browser sent when this session started, if any."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and value else None


def _remember(user: accounts.User) -> None:
    """Keep this sign-in in the browser for `accounts.sign_in_lifetime()`: a new token for
    the session and the cookie. Without one (0 days, or a setting refused) it lasts the tab."""
    st.session_state.pop(TOKEN_KEY, None)
    try:
        lifetime = accounts.sign_in_lifetime()
        if lifetime <= timedelta(0):
            _write_cookie(None)
            return
        issued = accounts.issue_token(
            user,
            _secret_key(database_url()),
            ttl=lifetime,
            audience=accounts.DASHBOARD_AUDIENCE,
        )
    except StockcoreError as refusal:
        _write_cookie(None)
        ui.flash(f"Signed in for this browser tab only: {refusal}.", icon=":material/warning:")
        return
    st.session_state[TOKEN_KEY] = issued.token
    _write_cookie(issued.token, lifetime)


def _write_cookie(
    token: str | None,
    lifetime: timedelta = timedelta(0),
    *,
    reload: bool = False,
    reason: str | None = None,
) -> None:
    """Set the sign-in cookie to `token` (None: clear it) on this session's next run; and
    then, if `reload`, load the page afresh (see the module's note), with `reason` (a key
    of the sign-in screen's notices) in the address when given."""
    lasts = int(lifetime.total_seconds())
    st.session_state[_COOKIE_WRITE] = (token or "", lasts, reload, reason)


def keep_cookie() -> None:
    """Set or clear the browser's sign-in cookie if this session asked to (app.py calls it
    on every run, after st.navigation). Only the browser can: a script in the page does it,
    once. SameSite=Strict, for the whole site; Secure when the page came over https."""
    pending = st.session_state.pop(_COOKIE_WRITE, None)
    if pending is None:
        return
    token, max_age, reload, reason = pending
    cookie = json.dumps(f"{COOKIE}={token}; Path=/; Max-Age={max_age}; SameSite=Strict")
    load = ""
    if reload and reason is None:
        load = "location.reload();"
    elif reload:
        query = json.dumps(f"?{SIGNED_OUT_QUERY}={reason}")  # the sign-in screen says why
        load = f"location.replace(location.pathname + {query});"
    st.html(
        "<script>document.cookie = "
        f'{cookie} + (location.protocol === "https:" ? "; Secure" : "");' + load + "</script>",
        unsafe_allow_javascript=True,
    )


def current_actor() -> Actor:
    """Who the ledger says made a change from this session: the signed-in account."""
    user = current_user()
    if user is None:  # pages run behind the gate: only a sign-in ended meanwhile gets here
        raise accounts.InvalidToken("you were signed out; sign in again")
    return user.actor


def recheck_after_restore(before: accounts.User) -> accounts.User | None:
    """After a restore replaced the shop's accounts: the session stays signed in only if
    the restored shop has the same account (same id and username) and it may sign in;
    otherwise the session is signed out (None)."""
    user = accounts.session_user(ui.database(), before.user_id, None)
    if user is None or user.username != before.username:
        _end_sign_in(RESTORED)
        return None
    st.session_state[GENERATION_KEY] = user.session_generation
    _remember(user)  # the token's generation may differ in the restored shop
    return user


def _end_sign_in(reason: str | None = None) -> None:
    """This session's sign-in has ended: forget it, have the browser forget its cookie and
    load the page afresh, so the sign-in screen shows as on a first visit (no empty
    sidebar frame left from the signed-in pages: see the module's note), saying why when
    a `reason` is given."""
    for key in (USER_KEY, GENERATION_KEY, TOKEN_KEY):
        st.session_state.pop(key, None)
    _write_cookie(None, reload=True, reason=reason)


def _sign_in(user: accounts.User, message: str) -> None:
    st.query_params.pop(SIGNED_OUT_QUERY, None)  # the reason was for the sign-in screen
    st.session_state[USER_KEY] = user.user_id
    st.session_state[GENERATION_KEY] = user.session_generation
    _remember(user)
    ui.flash(message, icon=":material/login:")
    st.rerun()


def _sign_out() -> None:
    """End this sign-in: its token is revoked, so the cookie (in every tab, or copied) no
    longer signs in, and the browser is told to forget it."""
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        # An expired or unreadable token signs nobody in anyway: nothing to revoke.
        with contextlib.suppress(StockcoreError):
            accounts.sign_out(
                ui.database(),
                token,
                _secret_key(database_url()),
                audience=accounts.DASHBOARD_AUDIENCE,
            )
    _end_sign_in()


def gate() -> accounts.User:
    """The signed-in account; until there is one, the sign-in screen and nothing else."""
    user = current_user()
    if user is not None:
        return user
    sign_in_screen()


def sign_in_screen() -> NoReturn:
    """The sign-in screen (on a new shop: create the owner account), and nothing else."""
    if accounts.has_users(ui.database()):
        _sign_in_screen()
    else:
        _first_owner_screen()
    st.stop()


def _account_fields(prefix: str) -> tuple[str, str, str, str]:
    username = st.text_input("Username", key=f"{prefix}_username", max_chars=64)
    email = st.text_input("Email", key=f"{prefix}_email", max_chars=254)
    password = st.text_input(
        "Password (at least 8 characters)", type="password", key=f"{prefix}_password"
    )
    repeat = st.text_input("Password again", type="password", key=f"{prefix}_repeat")
    return username, email, password, repeat


def _register(
    username: str, email: str, password: str, repeat: str, invitation: str | None = None
) -> accounts.User | None:
    if password != repeat:
        st.error("The two passwords differ; nothing was created.", icon=":material/block:")
        return None
    return ui.attempt(
        lambda: accounts.register(ui.database(), username, email, password, invitation=invitation)
    )


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
    notice = _SIGNED_OUT_NOTICES.get(st.query_params.get(SIGNED_OUT_QUERY, ""))
    if notice:
        st.info(notice, icon=":material/logout:")
    invited = st.query_params.get(accounts.SIGNUP_QUERY, "")
    sign_in_tab, register_tab = st.tabs(
        ["Sign in", "Create an account"], default="Create an account" if invited else None
    )
    with sign_in_tab, st.form("login_form", clear_on_submit=True):
        login = st.text_input("Username or email", key="login_username", max_chars=254)
        password = st.text_input("Password", type="password", key="login_password")
        if st.form_submit_button("Sign in", type="primary"):
            user = ui.attempt(
                lambda: accounts.authenticate(
                    ui.database(),
                    login,
                    password,
                    # The throttle in the database, shared with the API and every other
                    # process; None (localhost) is one shared address.
                    address=_client_address(),
                )
            )
            if user is not None:
                _sign_in(user, f"Signed in as {user.username} ({user.role.value}).")
    with register_tab:
        if accounts.signup_is_open(ui.database()):
            st.caption(
                "New accounts get the staff role (make purchases, see stock), or the role of "
                "the owner's invitation if you have one."
            )
            label = "Invitation code (optional)"
        else:
            st.caption(
                "Sign-up needs an invitation: ask the shop's owner for a code (or a sign-up "
                "link). Your account gets the role the owner chose."
            )
            label = "Invitation code"
        with st.form("register_form", clear_on_submit=True):
            invitation = st.text_input(label, value=invited, key="register_invitation")
            fields = _account_fields("register")
            if st.form_submit_button("Create the account"):
                made = _register(*fields, invitation=invitation)
                if made is not None:
                    _sign_in(made, f"Welcome, {made.username}: you are {made.role.value}.")


def account_box(user: accounts.User) -> None:
    """Who is signed in, the way out, and "My account" (for the sidebar)."""
    st.caption(f":material/person: {user.username} · {user.role.value}")
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        _sign_out()
        st.rerun()
    with st.expander("My account", icon=":material/manage_accounts:"):
        _password_form(user)
        st.caption("Ends every sign-in of your account: the dashboard elsewhere and API tokens.")
        if st.button("Sign out everywhere", key="sign_out_everywhere"):
            ended = ui.attempt(
                lambda: accounts.sign_out_everywhere(ui.database(), user, user.user_id)
            )
            if ended is not None:
                _end_sign_in()
                st.rerun()


def _password_form(user: accounts.User) -> None:
    with st.form("password_form", clear_on_submit=True):
        current = st.text_input("Current password", type="password", key="password_current")
        new = st.text_input(
            "New password (at least 8 characters)", type="password", key="password_new"
        )
        repeat = st.text_input("New password again", type="password", key="password_repeat")
        if st.form_submit_button("Change password"):
            if new != repeat:
                st.error("The two new passwords differ; nothing changed.", icon=":material/block:")
                return
            changed = ui.attempt(
                lambda: accounts.change_password(
                    ui.database(), user, current, new, address=_client_address()
                )
            )
            if changed is not None:
                # This session carries on; every other sign-in of the account has ended.
                st.session_state[GENERATION_KEY] = changed.session_generation
                _remember(changed)
                ui.flash("Password changed; your other sign-ins were ended.")
                st.rerun()


class NavPage(NamedTuple):
    """A page of the dashboard's navigation, before it becomes an st.Page."""

    script: str  # "pages/x.py", relative to app.py: its key in accounts.PAGE_PERMISSIONS
    title: str
    icon: str


def allowed_pages(
    sections: Mapping[str, Sequence[NavPage]], user: accounts.User
) -> dict[str, list[NavPage]]:
    """Only the pages the user's role may see (see `accounts.PAGE_PERMISSIONS`); a page
    not listed there is shown to nobody. Empty sections are left out."""
    shown: dict[str, list[NavPage]] = {}
    for section, pages in sections.items():
        kept = [page for page in pages if accounts.may_see(user.role, page.script)]
        if kept:
            shown[section] = kept
    return shown


def guard_page(script: str) -> accounts.User:
    """Every page's first line, `auth.guard_page(__file__)`: the signed-in account allowed
    to see this page; nobody else sees anything of it.

    Inside app.py's router the gate has run and the navigation lists only the pages the
    role may see (checked here again). A page can also run without the router: beside a
    folder named pages/, Streamlit serves the very first request of a fresh server in its
    legacy multipage mode, so a deep link (/upload) runs the page file alone; AppTest runs
    pages alone too. Such a page refuses an account whose role may not see it, and
    otherwise runs the router itself, which shows the sign-in or this page in its frame.
    """
    page = f"pages/{Path(script).name}"
    if not ui.routed():
        _run_the_router(script, page)
    user = gate()
    if not accounts.may_see(user.role, page):
        _refuse_page()
    return user


def _run_the_router(script: str, page: str) -> NoReturn:
    user = current_user()
    if user is not None and not accounts.may_see(user.role, page):
        _refuse_page()
    # app.py's st.navigation resolves this request's URL path to this same page and runs
    # it inside the frame; calling st.navigation also ends the server's legacy mode.
    router = Path(script).resolve().parent.parent / "app.py"
    runpy.run_path(str(router))["main"]()
    st.stop()


def _refuse_page() -> NoReturn:
    st.error("Your account may not open this page.", icon=":material/block:")
    st.stop()
