"""Security probes of accounts on SQLite and PostgreSQL, through the REST API: a signed-out
token is refused, a disabled or deleted account is refused at once, sessions end on a
password change or "sign out everywhere", the last active owner cannot be removed, and
only the owner manages accounts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from stockcore import accounts
from stockcore.interfaces import api
from stockcore.persistence.db import Database
from tests.support import (  # noqa: F401 (autouse)
    SECRET,
    FixedClock,
    quick_hashes,
    run,
)

PASSWORD = "correct horse battery"


@dataclass
class Shop:
    client: TestClient
    db: Database
    now: FixedClock
    ids: dict[str, str]

    def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post("/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def login_status(self, username: str, password: str = PASSWORD) -> int:
        return self.client.post(
            "/login", json={"username": username, "password": password}
        ).status_code

    def me(self, headers: dict[str, str]) -> int:
        return self.client.get("/me", headers=headers).status_code

    def change(self, who: str, headers: dict[str, str], **body: object) -> int:
        """PATCH /users/{id} of `who`; the status code."""
        return self.client.patch(f"/users/{self.ids[who]}", headers=headers, json=body).status_code

    def reset(self, who: str, headers: dict[str, str], password: str) -> int:
        url = f"/users/{self.ids[who]}/password"
        return self.client.post(url, headers=headers, json={"new_password": password}).status_code


@pytest.fixture
def shop(db: Database) -> Iterator[Shop]:
    """An owner olivia, a manager mark and staff sam."""
    now = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = api.create_app(db, secret_key=SECRET, now=now, throttle=accounts.LoginThrottle(clock=now))
    with TestClient(app) as client:
        made = client.post(
            "/register",
            json={"username": "olivia", "email": "olivia@example.com", "password": PASSWORD},
        )
        assert made.status_code == 201, made.text
        owner = accounts.get_user(db, made.json()["id"])
        ids = {"olivia": owner.user_id}
        for name, role in (("mark", "manager"), ("sam", "staff")):
            user = accounts.create_user(db, owner, name, f"{name}@example.com", PASSWORD, role)
            ids[name] = user.user_id
        yield Shop(client, db, now, ids)


# --- Signing out ----------------------------------------------------------------------------


def test_a_signed_out_token_is_refused_and_other_tokens_keep_working(shop: Shop) -> None:
    first, second = shop.login("sam"), shop.login("sam")
    assert shop.client.post("/logout", headers=first).status_code == 204
    refused = shop.client.get("/me", headers=first)
    assert refused.status_code == 401 and "signed out" in refused.json()["detail"]
    assert shop.client.post("/purchases", headers=first, json={}).status_code == 401
    assert shop.client.post("/logout", headers=first).status_code == 401
    assert shop.me(second) == 200


def test_signed_out_tokens_are_kept_until_they_expire_then_pruned(shop: Shop) -> None:
    old = shop.login("sam")
    assert shop.client.post("/logout", headers=old).status_code == 204
    assert accounts.revoked_token_count(shop.db) == 1
    shop.now.advance(hours=11)
    assert shop.me(old) == 401  # still kept: it has not expired yet
    shop.now.advance(hours=2)  # the first token has expired: the next sign-out prunes it
    assert shop.client.post("/logout", headers=shop.login("mark")).status_code == 204
    assert accounts.revoked_token_count(shop.db) == 1
    assert shop.me(old) == 401  # expired anyway


def test_a_token_without_an_id_is_refused(shop: Shop) -> None:
    issued = int(shop.now().timestamp())
    claims = {"sub": shop.ids["sam"], "iat": issued, "exp": issued + 3600, "gen": 0}
    forged = jwt.encode(claims, SECRET, algorithm="HS256")
    assert shop.me({"Authorization": f"Bearer {forged}"}) == 401


def test_signing_out_everywhere_ends_every_token_of_the_account_only(shop: Shop) -> None:
    phone, laptop, mark = shop.login("sam"), shop.login("sam"), shop.login("mark")
    assert shop.client.post("/me/sign-out-everywhere", headers=phone).status_code == 204
    assert shop.me(phone) == 401 and shop.me(laptop) == 401
    assert shop.me(mark) == 200
    assert shop.me(shop.login("sam")) == 200  # signing in again works


def test_the_owner_signs_someone_out_everywhere_and_staff_cannot(shop: Shop) -> None:
    owner, sam, mark = shop.login("olivia"), shop.login("sam"), shop.login("mark")
    refused = shop.client.post(f"/users/{shop.ids['mark']}/sign-out", headers=sam)
    assert refused.status_code == 403
    assert shop.me(mark) == 200
    done = shop.client.post(f"/users/{shop.ids['sam']}/sign-out", headers=owner)
    assert done.status_code == 200
    assert shop.me(sam) == 401 and shop.me(owner) == 200


# --- Passwords --------------------------------------------------------------------------------


def test_a_password_change_ends_the_other_tokens_and_gives_a_new_one(shop: Shop) -> None:
    here, elsewhere = shop.login("sam"), shop.login("sam")
    changed = shop.client.post(
        "/me/password",
        headers=here,
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert changed.status_code == 200, changed.text
    fresh = {"Authorization": f"Bearer {changed.json()['token']}"}
    assert shop.me(fresh) == 200
    assert shop.me(here) == 401 and shop.me(elsewhere) == 401
    assert shop.login_status("sam") == 401
    assert shop.login_status("sam", "a brand new passphrase") == 200


def test_a_wrong_current_password_changes_nothing(shop: Shop) -> None:
    token = shop.login("sam")
    wrong = shop.client.post(
        "/me/password",
        headers=token,
        json={"current_password": "not my password", "new_password": "a brand new passphrase"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["current_password"]
    assert "not my password" not in wrong.text
    short = shop.client.post(
        "/me/password",
        headers=token,
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert short.status_code == 422
    assert shop.me(token) == 200 and shop.login_status("sam") == 200


def test_guessing_the_current_password_with_a_token_is_throttled(shop: Shop) -> None:
    """A stolen token cannot be used to guess the password: the sign-in throttle counts
    wrong current passwords, holds even the right one with 429 and Retry-After, and
    lets go once the failures age out."""
    token = shop.login("sam")

    def attempt(current: str) -> httpx.Response:
        return shop.client.post(
            "/me/password",
            headers=token,
            json={"current_password": current, "new_password": "a brand new passphrase"},
        )

    for guess in range(5):
        assert attempt(f"guess number {guess}").status_code == 422
    held = attempt(PASSWORD)
    assert held.status_code == 429
    assert int(held.headers["Retry-After"]) > 0
    # The same count as /login: this account from this address is held there too.
    assert shop.login_status("sam") == 429
    shop.now.advance(minutes=16)
    assert attempt(PASSWORD).status_code == 200
    assert shop.login_status("sam", "a brand new passphrase") == 200


def test_the_owner_resets_a_password_and_only_the_owner(shop: Shop) -> None:
    owner, mark, sam = shop.login("olivia"), shop.login("mark"), shop.login("sam")
    body = {"new_password": "reset by the owner"}
    assert shop.reset("sam", mark, "reset by the owner") == 403
    assert shop.reset("olivia", sam, "reset by the owner") == 403
    assert shop.reset("sam", owner, "reset by the owner") == 200
    assert shop.me(sam) == 401
    assert shop.login_status("sam", "reset by the owner") == 200
    own = shop.client.post(f"/users/{shop.ids['olivia']}/password", headers=owner, json=body)
    assert own.status_code == 422 and "is you" in own.text


# --- Disabling and deleting -------------------------------------------------------------------


def test_a_disabled_account_is_refused_at_once_and_cannot_sign_in(shop: Shop) -> None:
    owner, sam = shop.login("olivia"), shop.login("sam")
    disabled = shop.client.patch(f"/users/{shop.ids['sam']}", headers=owner, json={"active": False})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    refused = shop.client.get("/me", headers=sam)
    assert refused.status_code == 401 and "disabled" in refused.json()["detail"]
    assert shop.client.post("/purchases", headers=sam, json={}).status_code == 401
    assert shop.login_status("sam") == 401
    assert shop.login_status("sam", "a wrong password") == 401

    enabled = shop.client.patch(f"/users/{shop.ids['sam']}", headers=owner, json={"active": True})
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    assert shop.me(sam) == 401  # enabling again does not bring old tokens back
    assert shop.me(shop.login("sam")) == 200


def test_staff_and_managers_cannot_disable_or_delete_anyone(shop: Shop) -> None:
    for who in ("sam", "mark"):
        token = shop.login(who)
        for target in ("olivia", "sam", "mark"):
            url = f"/users/{shop.ids[target]}"
            assert shop.client.patch(url, headers=token, json={"active": False}).status_code == 403
            assert shop.client.delete(url, headers=token).status_code == 403
    assert all(user.active for user in accounts.list_users(shop.db))
    assert len(accounts.list_users(shop.db)) == 3


def test_an_owner_demoted_meanwhile_can_no_longer_disable_anyone(shop: Shop) -> None:
    second = shop.client.patch(
        f"/users/{shop.ids['mark']}", headers=shop.login("olivia"), json={"role": "owner"}
    )
    assert second.status_code == 200
    mark = shop.login("mark")
    accounts.assign_role(shop.db, "mark", "staff")  # from the command line
    assert shop.change("sam", mark, active=False) == 401
    assert accounts.get_user(shop.db, shop.ids["sam"]).active  # type: ignore[union-attr]


def test_a_deleted_account_is_refused_at_once(shop: Shop) -> None:
    owner, sam = shop.login("olivia"), shop.login("sam")
    assert shop.client.delete(f"/users/{shop.ids['sam']}", headers=owner).status_code == 204
    assert shop.me(sam) == 401
    assert shop.login_status("sam") == 401
    assert shop.client.delete(f"/users/{shop.ids['sam']}", headers=owner).status_code == 404
    names = {u["username"] for u in shop.client.get("/users", headers=owner).json()}
    assert names == {"olivia", "mark"}


def test_the_last_active_owner_cannot_be_disabled_demoted_or_deleted(shop: Shop) -> None:
    owner = shop.login("olivia")
    url = f"/users/{shop.ids['olivia']}"
    for answer in (
        shop.client.patch(url, headers=owner, json={"active": False}),
        shop.client.delete(url, headers=owner),
        shop.client.patch(url, headers=owner, json={"role": "staff"}),
    ):
        assert answer.status_code == 422, answer.text
    demoted = shop.client.patch(url, headers=owner, json={"role": "staff"})
    assert "without an owner" in demoted.text
    # The command line keeps the same rule.
    with pytest.raises(accounts.StockcoreError, match="without an owner"):
        accounts.set_active(shop.db, "olivia", False)
    with pytest.raises(accounts.StockcoreError, match="without an owner"):
        accounts.delete_user_by_name(shop.db, "olivia")
    assert shop.me(owner) == 200


def test_a_disabled_owner_does_not_count_as_the_shops_owner(shop: Shop) -> None:
    owner = shop.login("olivia")
    assert shop.change("mark", owner, role="owner") == 200
    mark = shop.login("mark")
    assert shop.change("olivia", mark, active=False) == 200
    assert shop.me(owner) == 401
    # mark is now the only active owner: he cannot step down, nor be deleted.
    last = shop.client.patch(f"/users/{shop.ids['mark']}", headers=mark, json={"role": "staff"})
    assert last.status_code == 422 and "without an owner" in last.text
    with pytest.raises(accounts.StockcoreError, match="without an owner"):
        accounts.delete_user_by_name(shop.db, "mark")


def test_the_cli_refuses_to_remove_the_last_owner(db_url: str, db: Database) -> None:
    accounts.register(db, "olivia", "olivia@example.com", PASSWORD)
    for argv in (
        ["--disable", "olivia"],
        ["--delete", "olivia"],
        ["--set-role", "olivia", "staff"],
    ):
        code, _out, err = run("--db", db_url, "users", *argv)
        assert code == 1 and "without an owner" in err
    (olivia,) = accounts.list_users(db)
    assert olivia.active and olivia.role is accounts.Role.OWNER


def test_an_owner_cannot_disable_or_delete_their_own_account(shop: Shop) -> None:
    owner = shop.login("olivia")
    url = f"/users/{shop.ids['olivia']}"
    assert shop.client.patch(url, headers=owner, json={"active": False}).status_code == 422
    assert shop.client.delete(url, headers=owner).status_code == 422
    assert shop.me(owner) == 200


def test_a_role_lowered_ends_the_accounts_tokens(shop: Shop) -> None:
    owner, mark, sam = shop.login("olivia"), shop.login("mark"), shop.login("sam")
    assert shop.change("sam", owner, role="manager") == 200
    assert shop.me(sam) == 200  # a higher role keeps the session
    assert shop.change("mark", owner, role="staff") == 200
    assert shop.me(mark) == 401


def test_bad_account_changes_are_refused_with_the_field(shop: Shop) -> None:
    owner = shop.login("olivia")
    url = f"/users/{shop.ids['sam']}"
    for body in ({}, {"active": "no"}, {"active": 0}, {"active": None}, {"role": "king"}):
        answer = shop.client.patch(url, headers=owner, json=body)
        assert answer.status_code == 422, (body, answer.text)
    nobody = shop.client.patch("/users/nobody", headers=owner, json={"active": False})
    assert nobody.status_code == 404
    assert shop.client.delete("/users/nobody", headers=owner).status_code == 404


def test_tokens_expire_even_when_never_signed_out(shop: Shop) -> None:
    sam = shop.login("sam")
    shop.now.advance(hours=12, seconds=1)
    assert shop.me(sam) == 401
    assert timedelta(hours=12) == accounts.TOKEN_TTL
