"""Settings → Download a backup / Restore a backup under AppTest, on real databases: the page
calls the same use case as the CLI, so its file restores, and its refusals are the CLI's."""

from __future__ import annotations

import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stockcore import accounts, inventory
from stockcore.domain import Product
from stockcore.interfaces.ui import auth, backups
from stockcore.inventory import reports
from stockcore.persistence import backup
from stockcore.persistence.db import Database, upgrade
from tests.support import LOGIN_SUBMIT, TEST_PASSWORD, open_page, snapshot, sqlite_url, start

PAGE = "pages/settings.py"
RESTORE = "FormSubmitter:restore_form-Restore the backup"
ROOT = Path(__file__).resolve().parent.parent


def settings_page(url: str, monkeypatch: pytest.MonkeyPatch, role: str = "owner") -> AppTest:
    return open_page(start(url, monkeypatch, demo=False, role=role), PAGE)


def stock(db: Database) -> None:
    inventory.add_product(db, Product.create("MUG", "Mug", unit_price="3.50", quantity=10))
    inventory.add_product(db, Product.create("BAG", "Bag", unit_price="4", quantity=5))
    inventory.purchase(db, "MUG", 3)


def make_backup(app: AppTest) -> bytes:
    app.button(key="backup_make").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    name, data, _ = app.session_state[backups._MADE]
    [button] = app.get("download_button")
    assert button.proto.label == f"Download {name}"
    assert name.startswith("stockcore-backup-") and name.endswith(".db")
    return bytes(data)


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_downloaded_backup_restores_the_shop_as_it_was(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = settings_page(db_url, monkeypatch)
    db = Database.connect(db_url)
    stock(db)
    before = snapshot(db)
    data = make_backup(app)
    assert "2 products, 1 sale line, 3 stock movements and 1 account " in app.success[0].value
    # The downloaded file is a backup the CLI's use case accepts, holding this shop.
    saved = tmp_path / "downloaded.db"
    saved.write_bytes(data)
    assert backup.describe(saved).rows == backup.shop_rows(db)

    inventory.purchase(db, "BAG", 2)
    inventory.add_product(db, Product.create("NEW", "New", unit_price="1"))
    inventory.update_settings(db, shop_name="Changed")
    changed = snapshot(db)
    assert changed != before

    upload(app, "stockcore-backup.db", data)
    preview = app.dataframe[-1].value
    assert preview.columns.tolist() == ["", "This shop now", "The backup"]
    rows = dict(zip(preview[""], preview["The backup"], strict=True))
    now = dict(zip(preview[""], preview["This shop now"], strict=True))
    assert (rows["Products"], now["Products"]) == ("2", "3")
    assert (rows["Sale lines"], now["Sale lines"]) == ("1", "2")
    assert rows["Taken"] != backups.UNKNOWN
    assert snapshot(db) == changed  # the preview changes nothing

    # Nothing happens without the typed confirmation.
    app.button(key=RESTORE).click().run()
    assert 'type "RESTORE" in capitals' in app.error[0].value
    app.text_input(key="restore_confirmation").input("restore")
    app.button(key=RESTORE).click().run()
    assert 'type "RESTORE" in capitals' in app.error[0].value
    assert snapshot(db) == changed

    app.text_input(key="restore_confirmation").input("RESTORE")
    app.button(key=RESTORE).click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert snapshot(db) == before and inventory.get_settings(db).shop_name != "Changed"
    [toast] = [t.value for t in app.toast]
    assert toast.startswith("Restored stockcore-backup.db: 2 products, 1 sale line,")
    # The owner is in the restored shop: still signed in, on Settings, the uploader empty.
    assert app.session_state[auth.USER_KEY] and [t.value for t in app.title] == ["Settings"]
    assert app.file_uploader[0].value is None and not app.dataframe


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path / "shop.db")
    app = settings_page(url, monkeypatch)
    db = Database.connect(url)
    stock(db)
    before = snapshot(db)
    upload(app, "notes.txt", b"product_id,quantity\nMUG,3\n")
    assert [e.value for e in app.error] == [
        "Refused: notes.txt is not a stockcore backup (not an SQLite database)."
    ]
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as connection, connection:
        connection.execute("create table t (x)")
    upload(app, "other.sqlite", other.read_bytes())
    assert [e.value for e in app.error] == [
        "Refused: other.sqlite is not a stockcore backup (no schema)."
    ]
    assert not any(b.key == RESTORE for b in app.button)  # no restore offered
    assert snapshot(db) == before


def test_an_owner_missing_from_the_restored_shop_is_signed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Database.connect(sqlite_url(tmp_path / "other.db"))
    upgrade(other)
    accounts.register(other, "elsewhere", "elsewhere@example.com", TEST_PASSWORD)
    inventory.add_product(other, Product.create("CUP", "Cup", unit_price="2"))
    made = backup.backup(other, tmp_path / "other.backup")

    url = sqlite_url(tmp_path / "shop.db")
    app = settings_page(url, monkeypatch)
    upload(app, "other.backup", made.path.read_bytes())
    app.text_input(key="restore_confirmation").input("RESTORE")
    app.button(key=RESTORE).click().run()
    assert not app.exception
    assert auth.USER_KEY not in app.session_state
    assert [t.value for t in app.title] == ["Sign in to stockcore"]
    # The browser forgets the sign-in cookie and loads the page afresh (no empty sidebar
    # frame left beside the sign-in screen), with the reason in the address.
    [script] = [h.proto.body for h in app.html if "document.cookie" in h.proto.body]
    assert "stockcore_sign_in=; Path=/; Max-Age=0" in script
    assert 'location.replace(location.pathname + "?signed_out=restore");' in script
    db = Database.connect(url)
    assert [user.username for user in accounts.list_users(db)] == ["elsewhere"]

    # The new load: the sign-in screen says why, until someone signs in.
    fresh = start(url, monkeypatch, demo=False, role=None)
    assert not fresh.info  # no reason in the address, no notice
    fresh.query_params[auth.SIGNED_OUT_QUERY] = auth.RESTORED
    fresh.run()
    [notice] = [i.value for i in fresh.info]
    assert notice.startswith("The shop was restored from a backup that does not hold your")
    fresh.text_input(key="login_username").input("elsewhere")
    fresh.text_input(key="login_password").input(TEST_PASSWORD)
    fresh.button(key=LOGIN_SUBMIT).click().run()
    assert not fresh.exception and fresh.title[0].value == "Overview"
    assert auth.SIGNED_OUT_QUERY not in fresh.query_params


def test_a_backup_without_accounts_keeps_them_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Database.connect(sqlite_url(tmp_path / "other.db"))
    upgrade(other)
    inventory.add_product(other, Product.create("CUP", "Cup", unit_price="2"))
    made = backup.backup(other, tmp_path / "other.backup")

    url = sqlite_url(tmp_path / "shop.db")
    app = settings_page(url, monkeypatch)
    upload(app, "other.backup", made.path.read_bytes())
    assert [i.value for i in app.info if i.value.startswith("This backup")] == [
        "This backup: it has no accounts: the current accounts are kept."
    ]
    app.text_input(key="restore_confirmation").input("RESTORE")
    app.button(key=RESTORE).click().run()
    assert not app.exception and app.session_state[auth.USER_KEY]
    db = Database.connect(url)
    assert [p.product_id for p in reports.inventory(db)] == ["CUP"]
    assert [user.username for user in accounts.list_users(db)] == ["test-owner"]


def test_a_file_over_the_upload_limit_is_refused_with_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sqlite_url(tmp_path / "shop.db")
    app = settings_page(url, monkeypatch)
    made = backup.backup(Database.connect(url), tmp_path / "shop.backup")
    monkeypatch.setattr(backups, "MAX_UPLOAD_BYTES", 1024)
    upload(app, "shop.backup", made.path.read_bytes())
    [error] = [e.value for e in app.error]
    assert error.startswith("Nothing was restored: shop.backup is ")
    assert f"more than the {backups.MAX_UPLOAD_MB} MB" in error
    assert not any(b.key == RESTORE for b in app.button)
    # The server lets files of that size through to the page.
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] >= backups.MAX_UPLOAD_MB


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_only_the_owner_sees_backups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    app = start(sqlite_url(tmp_path / "shop.db"), monkeypatch, demo=False, role=role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)  # Settings is not in their navigation
    # Run on its own (as a deep link would), the page refuses before any of its controls.
    direct = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    direct.session_state[auth.USER_KEY] = app.session_state[auth.USER_KEY]
    direct.run()
    assert [e.value for e in direct.error] == ["Your account may not open this page."]
    assert not any(b.key == "backup_make" for b in direct.button)
    assert not direct.file_uploader and not direct.get("download_button")
