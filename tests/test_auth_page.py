"""The dashboard's login gate, the Users page and the Stock page under AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from stockcore import accounts
from stockcore.interfaces.ui import auth
from stockcore.inventory import reports
from stockcore.persistence.db import Database
from stockcore.persistence.models import UserRow
from tests.support import APP, LOGIN_SUBMIT, TEST_PASSWORD, account_for, open_page, picker, start

OWNER_SUBMIT = "FormSubmitter:owner_form-Create the owner account"


def fill(app: AppTest, values: dict[str, str]) -> None:
    for key, value in values.items():
        app.text_input(key=key).input(value)


def test_a_new_shop_asks_for_the_owner_account_before_anything_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    app = start(url, monkeypatch, demo=True, role=None)
    assert [t.value for t in app.title] == ["Welcome to stockcore"]
    assert not app.metric and not app.dataframe  # no page ran
    open_page(app, "pages/settings.py")  # a deep link goes through the gate too
    assert [t.value for t in app.title] == ["Welcome to stockcore"]

    fill(
        app,
        {
            "owner_username": "Olivia",
            "owner_email": "olivia@example.com",
            "owner_password": "a long password",
            "owner_repeat": "a different one",
        },
    )
    app.button(key=OWNER_SUBMIT).click().run()
    assert "The two passwords differ" in app.error[0].value
    db = Database.connect(url)
    assert not accounts.has_users(db)

    fill(
        app,
        {
            "owner_username": "Olivia",
            "owner_email": "olivia@example.com",
            "owner_password": "a long password",
            "owner_repeat": "a long password",
        },
    )
    app.button(key=OWNER_SUBMIT).click().run()
    assert not app.exception and not app.error
    assert app.title[0].value == "Settings"  # signed in: the page asked for opens,
    assert any("olivia · owner" in c.value for c in app.sidebar.caption)  # in the frame
    open_page(app, "pages/overview.py")
    assert app.title[0].value == "Overview" and app.metric[0].value == "60"  # the demo shop
    assert [(u.username, u.role.value) for u in accounts.list_users(db)] == [("olivia", "owner")]
    with db.read() as session:
        assert "a long password" not in session.scalars(select(UserRow.password_hash)).one()


def test_signing_in_and_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    account_for(url, "manager")
    app = start(url, monkeypatch, demo=False, role=None)
    assert app.title[0].value == "Sign in to stockcore"

    fill(app, {"login_username": "test-manager", "login_password": "not the password"})
    app.button(key=LOGIN_SUBMIT).click().run()
    assert app.error[0].value == "Not signed in: wrong username or password."
    assert app.title[0].value == "Sign in to stockcore"

    fill(app, {"login_username": "TEST-MANAGER", "login_password": TEST_PASSWORD})
    app.button(key=LOGIN_SUBMIT).click().run()
    assert not app.exception and app.title[0].value == "Overview"
    open_page(app, "pages/inventory.py")
    assert app.title[0].value == "Inventory"

    app.sidebar.button(key="sign_out").click().run()  # the page runs inside the frame
    assert app.title[0].value == "Sign in to stockcore"
    open_page(app, "pages/inventory.py")
    assert app.title[0].value == "Sign in to stockcore"


def test_the_dashboard_throttles_repeated_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    account_for(url, "owner")
    app = start(url, monkeypatch, demo=False, role=None)
    for _ in range(5):
        fill(app, {"login_username": "test-owner", "login_password": "wrong guess"})
        app.button(key=LOGIN_SUBMIT).click().run()
    fill(app, {"login_username": "test-owner", "login_password": TEST_PASSWORD})
    app.button(key=LOGIN_SUBMIT).click().run()
    assert not app.error  # a pause, not a mistake: shown as a warning
    assert app.warning[0].value.startswith("Not now: too many failed sign-ins")
    assert app.title[0].value == "Sign in to stockcore"


def test_a_new_account_on_the_sign_in_screen_needs_an_invitation_or_open_sign_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    account_for(url, "owner")
    app = start(url, monkeypatch, demo=False, role=None)
    sam = {
        "register_username": "sam",
        "register_email": "sam@example.com",
        "register_password": "sam's password",
        "register_repeat": "sam's password",
    }
    assert app.text_input(key="register_invitation").label == "Invitation code"
    fill(app, sam)
    app.button(key="FormSubmitter:register_form-Create the account").click().run()
    assert "sign-up is closed" in app.error[0].value
    assert len(accounts.list_users(Database.connect(url))) == 1

    accounts.set_open_signup(Database.connect(url), None, True)
    app.run()
    assert app.text_input(key="register_invitation").label == "Invitation code (optional)"
    fill(app, sam)
    app.button(key="FormSubmitter:register_form-Create the account").click().run()
    assert not app.exception and app.title[0].value == "Stock"
    users = {u.username: u.role.value for u in accounts.list_users(Database.connect(url))}
    assert users == {"test-owner": "owner", "sam": "staff"}


@pytest.mark.parametrize(
    "page",
    [
        "pages/overview.py",
        "pages/inventory.py",
        "pages/alerts.py",
        "pages/sales.py",
        "pages/forecast.py",
        "pages/reorder.py",
        "pages/backtest.py",
        "pages/upload.py",
        "pages/settings.py",
        "pages/users.py",
    ],
)
def test_staff_cannot_open_pages_beyond_their_role(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    app = start(demo_url, monkeypatch, role="staff")
    assert app.title[0].value == "Stock"  # staff land on the stock list
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(page)  # not in their navigation
    # Run on its own (as a deep link would before the router), the page still refuses.
    direct = AppTest.from_file(str(Path(APP).parent / page), default_timeout=60)
    direct.session_state[auth.USER_KEY] = app.session_state[auth.USER_KEY]
    direct.run()
    assert [e.value for e in direct.error] == ["Your account may not open this page."]
    assert not direct.title and not direct.dataframe


def test_staff_see_the_stock_and_make_purchases(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start(demo_url, monkeypatch, role="staff")
    db = Database.connect(demo_url)
    table = app.dataframe[0].value
    assert len(table) == len(reports.inventory(db)) == 60
    app.text_input(key="stock_search").input("85123A").run()
    assert app.dataframe[0].value["product_id"].tolist() == ["85123A"]

    product = next(p for p in reports.inventory(db) if p.quantity > 1)
    open_page(app, "pages/purchase.py")
    picker(app, "purchase_product").select(product.product_id)
    app.button(key="FormSubmitter:purchase_form-Buy").click().run()
    assert not app.exception and app.success
    assert reports.get_product(db, product.product_id).quantity == product.quantity - 1  # type: ignore[union-attr]


def test_what_each_role_may_see() -> None:
    pages = list(accounts.PAGE_PERMISSIONS)
    seen = {role: [p for p in pages if accounts.may_see(role, p)] for role in accounts.Role}
    assert seen[accounts.Role.STAFF] == ["pages/stock.py", "pages/purchase.py", "pages/about.py"]
    assert "pages/settings.py" not in seen[accounts.Role.MANAGER]
    assert "pages/users.py" not in seen[accounts.Role.MANAGER]
    assert "pages/upload.py" in seen[accounts.Role.MANAGER]
    assert set(seen[accounts.Role.OWNER]) == set(pages) - {"pages/stock.py"}
    assert not accounts.may_see("owner", "pages/unknown.py")


def test_managers_do_not_get_the_owners_pages(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = start(demo_url, monkeypatch, role="manager")
    for page in ("pages/settings.py", "pages/users.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)
    open_page(app, "pages/reorder.py")
    assert app.title[0].value == "Reorder"


def test_the_owner_changes_roles_and_adds_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    staff_id = account_for(url, "staff")
    app = open_page(start(url, monkeypatch, demo=False), "pages/users.py")
    assert app.title[0].value == "Users"
    assert set(app.dataframe[0].value["username"]) == {"test-owner", "test-staff"}

    app.selectbox(key="role_user").select(staff_id)
    app.selectbox(key="role_new").select("manager")
    app.button(key="FormSubmitter:role_form-Change role").click().run()
    assert not app.exception and not app.error
    db = Database.connect(url)
    assert accounts.get_user(db, staff_id).role is accounts.Role.MANAGER  # type: ignore[union-attr]

    owner_id = app.session_state[auth.USER_KEY]
    app.selectbox(key="role_user").select(owner_id)
    app.selectbox(key="role_new").select("staff")
    app.button(key="FormSubmitter:role_form-Change role").click().run()
    assert "without an owner" in app.error[0].value

    fill(
        app,
        {
            "new_user_username": "nina",
            "new_user_email": "nina@example.com",
            "new_user_password": "nina's password",
        },
    )
    app.selectbox(key="new_user_role").select("manager")
    app.button(key="FormSubmitter:new_user_form-Add account").click().run()
    assert not app.exception and not app.error
    assert {u.username: u.role.value for u in accounts.list_users(db)}["nina"] == "manager"


def test_a_removed_account_is_signed_out_at_the_next_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    app = start(url, monkeypatch, demo=False, role="manager")
    db = Database.connect(url)
    with db.write() as session:
        session.delete(session.get(UserRow, app.session_state[auth.USER_KEY]))
    app.run()
    assert app.title[0].value == "Sign in to stockcore"
    open_page(app, "pages/inventory.py")
    assert app.title[0].value == "Sign in to stockcore"
