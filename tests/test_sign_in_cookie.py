"""The dashboard's sign-in beyond one browser tab: a signed, expiring token for the dashboard
in a cookie (tests/test_browser_sign_in.py sees the cookie itself in a real browser).

AppTest cannot send cookies, so the browser's cookie is given to `auth.browser_cookie`
here; what the dashboard asks the browser to store is read from the script it sends."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore import accounts
from stockcore.interfaces.ui import auth
from stockcore.persistence.db import Database
from tests.support import (  # noqa: F401 (autouse)
    APP,
    LOGIN_SUBMIT,
    SECRET,
    TEST_PASSWORD,
    account_for,
    open_page,
    quick_hashes,
)

SIGN_IN = "Sign in to stockcore"
_COOKIE = re.compile(r'stockcore_sign_in=([^;"]*); Path=/; Max-Age=(\d+); SameSite=Strict')


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    shop = f"sqlite:///{tmp_path / 'shop.db'}"
    account_for(shop, "manager")
    monkeypatch.setenv("STOCKCORE_DATABASE_URL", shop)
    monkeypatch.setenv("STOCKCORE_DEMO", "0")
    monkeypatch.setenv("STOCKCORE_AUTO_REFRESH", "0")
    monkeypatch.delenv(accounts.SIGN_IN_DAYS_ENV, raising=False)
    return shop


@pytest.fixture
def db(url: str) -> Database:
    return Database.connect(url)


def secret(url: str) -> str:
    return accounts.load_secret_key(url)  # the dashboard's key: the API's


def browser(monkeypatch: pytest.MonkeyPatch, cookie: str | None) -> AppTest:
    """A new session (a reload, a new tab) whose browser sends this sign-in cookie."""
    monkeypatch.setattr(auth, "browser_cookie", lambda: cookie)
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def cookie_written(app: AppTest) -> tuple[str, int] | None:
    """The cookie the last run asked the browser to store: (value, seconds); ("", 0) clears it."""
    found = [m for h in app.html if (m := _COOKIE.search(h.proto.body))]
    assert len(found) <= 1
    if not found:
        return None
    assert "Secure" in found[0].string  # added when the page came over https
    return found[0][1], int(found[0][2])


def reloads(app: AppTest) -> bool:
    """Whether the last run's script loads the page afresh: only once this session's sign-in
    ended (a new load shows the sign-in screen without the signed-in pages' empty sidebar
    frame); never for a new session, which could then reload for ever."""
    return any("location.reload()" in h.proto.body for h in app.html)


def sign_in(app: AppTest) -> AppTest:
    app.text_input(key="login_username").input("test-manager")
    app.text_input(key="login_password").input(TEST_PASSWORD)
    app.button(key=LOGIN_SUBMIT).click().run()
    assert not app.exception and app.title[0].value == "Overview"
    return app


def test_signing_in_stores_a_dashboard_token_for_seven_days(
    url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = browser(monkeypatch, None)
    assert app.title[0].value == SIGN_IN
    assert cookie_written(app) is None
    written = cookie_written(sign_in(app))
    assert written is not None
    token, seconds = written
    assert seconds == 7 * 24 * 3600
    user = accounts.user_for_token(db, token, secret(url), audience=accounts.DASHBOARD_AUDIENCE)
    assert user.username == "test-manager"
    claims = accounts.read_token(token, secret(url), audience=accounts.DASHBOARD_AUDIENCE)
    assert timedelta(days=6, hours=23) < claims.expires_at - accounts.utc_now() <= timedelta(7)
    # Not an API token: the API (no audience) refuses it, and the dashboard an API token.
    with pytest.raises(accounts.InvalidToken, match="not valid"):
        accounts.user_for_token(db, token, secret(url))
    api_token = accounts.issue_token(user, secret(url)).token
    with pytest.raises(accounts.InvalidToken, match="not valid"):
        accounts.user_for_token(db, api_token, secret(url), audience=accounts.DASHBOARD_AUDIENCE)
    app.run()
    assert cookie_written(app) is None  # written once


def test_a_new_session_with_the_cookie_is_signed_in_until_sign_out(
    url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = sign_in(browser(monkeypatch, None))
    written = cookie_written(first)
    assert written is not None
    token = written[0]

    tab = browser(monkeypatch, token)  # a reload, or a new tab: no sign-in form
    assert tab.title[0].value == "Overview"
    assert any("test-manager · manager" in c.value for c in tab.sidebar.caption)
    assert open_page(tab, "pages/inventory.py").title[0].value == "Inventory"

    first.sidebar.button(key="sign_out").click().run()
    assert first.title[0].value == SIGN_IN
    assert cookie_written(first) == ("", 0)  # the browser forgets it
    assert reloads(first)  # and loads the sign-in screen afresh
    with pytest.raises(accounts.InvalidToken, match="signed out"):  # and it is revoked
        accounts.user_for_token(db, token, secret(url), audience=accounts.DASHBOARD_AUDIENCE)

    tab.run()  # the other tab, at its next click
    assert tab.title[0].value == SIGN_IN and not tab.sidebar.caption
    assert cookie_written(tab) == ("", 0) and reloads(tab)
    tab.run()
    assert cookie_written(tab) is None and not reloads(tab)  # once
    copied = browser(monkeypatch, token)  # a copy of the cookie is worth nothing now
    assert copied.title[0].value == SIGN_IN
    assert cookie_written(copied) == ("", 0) and not reloads(copied)


@pytest.mark.parametrize(
    "cookie",
    ["forged", "expired", "api token", "signed out everywhere", "other secret", "gone"],
)
def test_a_cookie_that_no_longer_holds_shows_the_sign_in_and_is_cleared(
    url: str, db: Database, monkeypatch: pytest.MonkeyPatch, cookie: str
) -> None:
    user = next(u for u in accounts.list_users(db) if u.username == "test-manager")
    owner = next(u for u in accounts.list_users(db) if u.username == "test-owner")
    key, dashboard = secret(url), accounts.DASHBOARD_AUDIENCE
    token = {
        "forged": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
        "expired": accounts.issue_token(
            user, key, audience=dashboard, now=accounts.utc_now() - timedelta(days=8),
            ttl=timedelta(days=7),
        ).token,
        "api token": accounts.issue_token(user, key).token,
        "other secret": accounts.issue_token(user, SECRET, audience=dashboard).token,
    }.get(cookie) or accounts.issue_token(user, key, audience=dashboard).token  # fmt: skip
    if cookie == "signed out everywhere":
        accounts.sign_out_everywhere(db, user, user.user_id)
    if cookie == "gone":
        accounts.delete_user(db, owner, user.user_id)
    app = browser(monkeypatch, token)
    assert app.title[0].value == SIGN_IN and not app.sidebar.caption
    assert cookie_written(app) == ("", 0) and not reloads(app)


def test_a_password_change_gives_this_session_a_new_cookie_and_ends_the_old_one(
    url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = sign_in(browser(monkeypatch, None))
    written = cookie_written(app)
    assert written is not None
    app.text_input(key="password_current").input(TEST_PASSWORD)
    app.text_input(key="password_new").input("my new passphrase")
    app.text_input(key="password_repeat").input("my new passphrase")
    app.button(key="FormSubmitter:password_form-Change password").click().run()
    assert not app.exception and not app.error
    renewed = cookie_written(app)
    assert renewed is not None and renewed[0] not in ("", written[0])
    assert browser(monkeypatch, written[0]).title[0].value == SIGN_IN
    assert browser(monkeypatch, renewed[0]).title[0].value == "Overview"


def test_sign_out_everywhere_clears_the_cookie(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = sign_in(browser(monkeypatch, None))
    written = cookie_written(app)
    assert written is not None
    app.button(key="sign_out_everywhere").click().run()
    assert app.title[0].value == SIGN_IN
    assert cookie_written(app) == ("", 0) and reloads(app)
    assert browser(monkeypatch, written[0]).title[0].value == SIGN_IN


def test_the_sign_in_lifetime_is_configurable(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(accounts.SIGN_IN_DAYS_ENV, "0.5")
    app = sign_in(browser(monkeypatch, None))
    written = cookie_written(app)
    assert written is not None and written[1] == 12 * 3600 and not reloads(app)

    monkeypatch.setenv(accounts.SIGN_IN_DAYS_ENV, "0")  # one tab: no cookie
    app = sign_in(browser(monkeypatch, None))
    assert cookie_written(app) == ("", 0)
    assert auth.TOKEN_KEY not in app.session_state
    assert open_page(app, "pages/inventory.py").title[0].value == "Inventory"
    app.sidebar.button(key="sign_out").click().run()
    assert app.title[0].value == SIGN_IN and reloads(app)


def test_a_refused_lifetime_signs_in_for_the_tab_and_says_why(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(accounts.SIGN_IN_DAYS_ENV, "1d")
    app = sign_in(browser(monkeypatch, None))
    assert cookie_written(app) == ("", 0)
    [toast] = [t.value for t in app.toast if "tab only" in t.value]
    assert "STOCKCORE_SIGN_IN_DAYS '1d' is not a number of days from 0 to 365" in toast


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", timedelta(days=7)), ("7", timedelta(days=7)), ("0.5", timedelta(hours=12)),
     ("0", timedelta(0)), (" 30 ", timedelta(days=30)), ("365", timedelta(days=365))],
)  # fmt: skip
def test_sign_in_days_are_read_from_the_environment(value: str, expected: timedelta) -> None:
    assert accounts.sign_in_lifetime({accounts.SIGN_IN_DAYS_ENV: value}) == expected
    assert accounts.sign_in_lifetime({}) == timedelta(days=accounts.DEFAULT_SIGN_IN_DAYS)


@pytest.mark.parametrize("value", ["1d", "-1", "366", "nan", "inf", "seven"])
def test_sign_in_days_refuse_what_is_not_a_number_of_days(value: str) -> None:
    with pytest.raises(accounts.StockcoreError) as refused:
        accounts.sign_in_lifetime({accounts.SIGN_IN_DAYS_ENV: value})
    assert f"STOCKCORE_SIGN_IN_DAYS {value!r} is not a number of days" in str(refused.value)
