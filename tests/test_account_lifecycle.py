"""An account's life from the command line and the dashboard: passwords changed and reset,
accounts disabled, enabled, deleted and signed out everywhere (the API's side, and the
security probes, are in tests/test_security_accounts.py)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore import accounts
from stockcore.interfaces.ui import auth
from stockcore.persistence.db import Database
from tests.support import (  # noqa: F401 (autouse)
    LOGIN_SUBMIT,
    SECRET,
    TEST_PASSWORD,
    account_for,
    open_page,
    quick_hashes,
    run,
    sqlite_url,
    start,
)

PASSWORD = "correct horse battery"
PASSWORD_SUBMIT = "FormSubmitter:password_form-Change password"


def sign_in(db: Database, name: str, password: str) -> accounts.User:
    return accounts.authenticate(db, name, password, throttle=accounts.LoginThrottle())


def answers(monkeypatch: pytest.MonkeyPatch, *typed: str) -> list[str]:
    """getpass answers these in turn; returns the prompts it was asked."""
    prompts: list[str] = []
    queue = list(typed)

    def fake(prompt: str = "Password: ") -> str:
        prompts.append(prompt)
        return queue.pop(0)

    monkeypatch.setattr(getpass, "getpass", fake)
    return prompts


# --- The command line ---------------------------------------------------------------------------


@pytest.fixture
def two(db: Database) -> Iterator[tuple[accounts.User, accounts.User]]:
    owner = accounts.register(db, "olivia", "olivia@example.com", PASSWORD)
    yield (owner, accounts.create_user(db, owner, "sam", "sam@example.com", PASSWORD, "staff"))


def test_the_cli_sets_a_password_asked_twice_without_echo(
    db_url: str, db: Database, two: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = answers(monkeypatch, "a new long password", "a new long password")
    code, out, err = run("--db", db_url, "users", "--set-password", "sam")
    assert code == 0, err
    assert prompts == ["New password for sam: ", "Again: "]
    assert "password of sam changed" in out and "a new long password" not in out
    assert sign_in(db, "sam", "a new long password").username == "sam"
    with pytest.raises(accounts.AuthenticationFailed):
        sign_in(db, "sam", PASSWORD)


def test_the_cli_refuses_two_different_or_bad_passwords(
    db_url: str, db: Database, two: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers(monkeypatch, "a new long password", "another one")
    code, _out, err = run("--db", db_url, "users", "--set-password", "sam")
    assert code == 1 and "differ" in err
    answers(monkeypatch, "short", "short")
    code, _out, err = run("--db", db_url, "users", "--set-password", "sam")
    assert code == 1 and "at least 8 characters" in err and "short" not in err.split("8")[0]
    answers(monkeypatch, "a new long password", "a new long password")
    code, _out, err = run("--db", db_url, "users", "--set-password", "nobody")
    assert code == 1 and "unknown user" in err
    assert sign_in(db, "sam", PASSWORD).username == "sam"


def test_the_cli_disables_enables_signs_out_and_deletes(
    db_url: str, db: Database, two: tuple[accounts.User, accounts.User]
) -> None:
    _owner, sam = two
    generation = sam.session_generation
    code, out, _err = run("--db", db_url, "users", "--disable", "sam")
    assert code == 0 and "sam is disabled" in out
    assert "disabled" in out.splitlines()[-1]  # the list that follows
    with pytest.raises(accounts.AuthenticationFailed, match="disabled"):
        sign_in(db, "sam", PASSWORD)
    assert run("--db", db_url, "users", "--enable", "sam")[0] == 0
    assert sign_in(db, "sam", PASSWORD).active
    assert run("--db", db_url, "users", "--sign-out", "sam")[0] == 0
    again = accounts.get_user(db, sam.user_id)
    assert again is not None and again.session_generation == generation + 2

    code, out, _err = run("--db", db_url, "users", "--delete", "sam")
    assert code == 0 and "sam deleted" in out
    assert [u.username for u in accounts.list_users(db)] == ["olivia"]
    code, _out, err = run("--db", db_url, "users", "--delete", "sam")
    assert code == 1 and "unknown user" in err
    assert run("--db", db_url, "users", "--disable", "sam", "--enable", "sam")[0] == 2


# --- The dashboard ------------------------------------------------------------------------------


@pytest.fixture
def shop_url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path / "shop.db")


def change_password(app: AppTest, current: str, new: str, repeat: str | None = None) -> AppTest:
    app.text_input(key="password_current").input(current)
    app.text_input(key="password_new").input(new)
    app.text_input(key="password_repeat").input(new if repeat is None else repeat)
    app.button(key=PASSWORD_SUBMIT).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_every_signed_in_account_changes_its_password_in_the_sidebar(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_for(shop_url, "staff")
    db = Database.connect(shop_url)
    app = start(shop_url, monkeypatch, demo=False, role="staff")
    other = start(shop_url, monkeypatch, demo=False, role="staff")  # another browser
    assert open_page(other, "pages/purchase.py").title[0].value == "Purchase"

    change_password(app, TEST_PASSWORD, "my new passphrase", "a different one")
    assert "differ" in app.error[0].value
    change_password(app, "not my password", "my new passphrase")
    assert "not your current password" in app.error[0].value
    assert "not my password" not in app.error[0].value
    assert sign_in(db, "test-staff", TEST_PASSWORD).username == "test-staff"

    change_password(app, TEST_PASSWORD, "my new passphrase")
    assert not app.error
    assert sign_in(db, "test-staff", "my new passphrase").username == "test-staff"
    open_page(app, "pages/purchase.py")  # this session carries on
    assert app.title[0].value == "Purchase"
    other.run()  # the other one was ended
    assert other.title[0].value == "Sign in to stockcore"
    db.dispose()


def test_sign_out_everywhere_ends_every_dashboard_session(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_for(shop_url, "manager")
    app = start(shop_url, monkeypatch, demo=False, role="manager")
    other = start(shop_url, monkeypatch, demo=False, role="manager")
    assert any("test-manager" in caption.value for caption in other.sidebar.caption)
    app.button(key="sign_out_everywhere").click().run()
    assert app.title[0].value == "Sign in to stockcore"
    other.run()
    assert other.title[0].value == "Sign in to stockcore"
    assert auth.USER_KEY not in other.session_state


def users_page(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    app = open_page(start(url, monkeypatch, demo=False), "pages/users.py")
    assert app.title[0].value == "Users"
    return app


def act(app: AppTest, user_id: str, button: str, **fields: object) -> AppTest:
    app.selectbox(key="manage_user").select(user_id)
    if "password" in fields:
        app.text_input(key="manage_password").input(str(fields["password"]))
    if fields.get("confirm"):
        app.checkbox(key="manage_confirm_delete").check()
    app.button(key=f"FormSubmitter:account_actions_form-{button}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_owner_disables_and_enables_an_account_on_the_users_page(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_id = account_for(shop_url, "staff")
    db = Database.connect(shop_url)
    staff = start(shop_url, monkeypatch, demo=False, role="staff")
    owner = users_page(shop_url, monkeypatch)
    assert list(owner.dataframe[0].value["active"]) == [True, True]
    # The owner's own account is not offered here.
    assert owner.selectbox(key="manage_user").options == ["test-staff (staff)"]

    act(owner, staff_id, "Disable / enable")
    assert not owner.error
    assert not accounts.get_user(db, staff_id).active  # type: ignore[union-attr]
    staff.run()
    assert staff.title[0].value == "Sign in to stockcore"  # signed out at the next click
    staff.text_input(key="login_username").input("test-staff")
    staff.text_input(key="login_password").input(TEST_PASSWORD)
    staff.button(key=LOGIN_SUBMIT).click().run()
    assert "disabled" in staff.error[0].value

    act(owner, staff_id, "Disable / enable")
    assert accounts.get_user(db, staff_id).active  # type: ignore[union-attr]
    db.dispose()


def test_the_owner_resets_a_password_and_signs_an_account_out(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_id = account_for(shop_url, "staff")
    db = Database.connect(shop_url)
    staff = start(shop_url, monkeypatch, demo=False, role="staff")
    owner = users_page(shop_url, monkeypatch)
    act(owner, staff_id, "Reset password", password="short")
    assert "at least 8 characters" in owner.error[0].value
    act(owner, staff_id, "Reset password", password="reset by the owner")
    assert not owner.error
    assert sign_in(db, "test-staff", "reset by the owner").username == "test-staff"
    staff.run()
    assert staff.title[0].value == "Sign in to stockcore"

    again = start(shop_url, monkeypatch, demo=False, role="staff")
    assert open_page(again, "pages/purchase.py").title[0].value == "Purchase"
    act(owner, staff_id, "Sign out everywhere")
    again.run()
    assert again.title[0].value == "Sign in to stockcore"
    db.dispose()


def test_the_owner_deletes_an_account_only_when_confirmed(
    shop_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_id = account_for(shop_url, "staff")
    db = Database.connect(shop_url)
    owner = users_page(shop_url, monkeypatch)
    act(owner, staff_id, "Delete")
    assert "Tick the box" in owner.error[0].value
    assert accounts.get_user(db, staff_id) is not None
    act(owner, staff_id, "Delete", confirm=True)
    assert not owner.error
    assert accounts.get_user(db, staff_id) is None
    assert list(owner.dataframe[0].value["username"]) == ["test-owner"]
    assert "No other accounts yet." in [c.value for c in owner.caption]
    db.dispose()
