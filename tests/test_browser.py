"""End to end in a real browser: Debian's chromium, driven by Playwright, against a real
`streamlit run app.py` server on a free loopback port and a temporary copy of the demo shop
(with its forecasts).

The walk: a deep link as the server's very first request meets the gate; create the owner
account, sign out and sign in again, see the overview, upload a sales CSV and see its
preview and the committed batch, buy from the purchase form and see the restock alert's
toast, check that a browser that is not signed in gets the sign-in screen for a page's
link, invite a newcomer on the Users page and sign them up through the invitation link in
another browser, then open the forecast, reorder and backtest pages and see their charts. Any
Streamlit exception box fails the test. A screenshot of each step is saved in
test-output/browser/. A second test refreshes the demo shop's forecasts from the Forecast
page and checks, in the server's log, that the worker processes did the work.

A sign-in holds across a reload and in a new tab and ends everywhere at *Sign out* (its
cookie cleared, its token revoked), and no page shows anything in the sidebar while signed
out, from its first paint (the raw list of the pages/ files once flashed there), nor an
empty sidebar frame after *Sign out*, in that tab or another (one stayed there until a
reload), at 1400 and at 390 px.

Every step of every walk also fails on a table cell reading "None" (or nan, NaT). The
owner's paths of issue 16, at 1400 and at a phone's 390 px, are walked in
tests/test_browser_owner_walk.py.

The fixtures (`server`, `browser`, `shop`) and `Walk` are in tests/browser_support.py.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from stockcore.inventory import reports
from stockcore.persistence.db import Database
from tests.browser_support import PASSWORD, PHONE, WIDE, Walk
from tests.support import fill_account_form, fill_sign_in


def test_an_owner_walks_through_the_dashboard(
    server: str, browser: Any, shop: str, tmp_path: Path
) -> None:
    db = Database.connect(shop)
    target = next(
        p
        for p in reports.inventory(db)
        if p.restock_threshold > 0 and p.quantity > p.restock_threshold
    )  # a product the purchase will take below its threshold
    units = target.quantity - target.restock_threshold + 1
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    walk = Walk(page)

    # The server's very first request is a deep link: it still meets the gate, which on a
    # new shop asks for the owner account first, and shows nothing of the page.
    page.goto(f"{server}/inventory")
    page.get_by_text("Welcome to stockcore").wait_for(timeout=90_000)
    walk.settle()
    assert page.get_by_role("heading", name="Inventory").count() == 0
    page.goto(server)
    page.get_by_text("Welcome to stockcore").wait_for(timeout=90_000)
    fill_account_form(page, "owner", PASSWORD)
    walk.check("create-owner")
    page.get_by_role("button", name="Create the owner account").click()
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)

    # Sign out, and sign in again with the new account.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("Sign in to stockcore").wait_for(timeout=60_000)
    fill_sign_in(page, "owner", PASSWORD)
    walk.check("sign-in")
    page.get_by_role("button", name="Sign in").click()

    # The overview: headline numbers and the stock chart.
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    walk.chart()
    assert page.locator('[data-testid="stMetric"]').count() >= 4
    walk.check("overview")

    # Upload a sales file: the preview, then the committed batch.
    sales = tmp_path / "web-orders.csv"
    sales.write_text(
        "date,product_id,quantity,unit_price,order_id\n"
        f"2024-03-01 10:00,{target.product_id},2,{target.unit_price},WEB-1\n"
        f"2024-03-02 11:30,{target.product_id},1,{target.unit_price},WEB-2\n",
        encoding="utf-8",
    )
    walk.open("Upload")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(sales))
    page.get_by_role("button", name="Import", exact=True).wait_for(timeout=60_000)
    walk.check("upload-preview")
    to_import = page.locator('[data-testid="stMetric"]').filter(has_text="Rows to import")
    assert to_import.locator('[data-testid="stMetricValue"]').inner_text() == "2"
    assert page.get_by_text("far above its usual").count() == 0
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("batch", exact=False).first.wait_for(timeout=60_000)
    walk.check("upload-committed")
    with db.read() as session:
        from sqlalchemy import func, select

        from stockcore.persistence.models import ImportBatchRow

        assert session.scalar(select(func.count()).select_from(ImportBatchRow)) == 1

    # Buy enough to go below the threshold: the sale, and the alert's toast.
    walk.open("Purchase")
    picker = page.locator('[data-testid="stSelectbox"]').first
    picker.click()
    page.keyboard.type(target.product_id)
    page.get_by_role("option").filter(has_text=target.product_id).first.click()
    page.get_by_label("Quantity").fill(str(units))
    page.get_by_role("button", name="Buy").click()
    toast = page.locator('[data-testid="stToast"]').filter(has_text="Restock alert")
    toast.first.wait_for(timeout=60_000)
    walk.check("purchase-alert")
    after = reports.get_product(db, target.product_id)
    assert after is not None and after.quantity == target.restock_threshold - 1

    # Forecast, reorder and backtest pages, each with its chart.
    walk.open("Forecast")
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.keyboard.type(target.product_id)
    page.get_by_role("option").filter(has_text=target.product_id).first.click()
    walk.chart()
    walk.check("forecast")

    walk.open("Reorder")
    walk.chart()
    walk.check("reorder")

    # Another browser, not signed in, following a link to a page: the sign-in screen.
    stranger = browser.new_page()
    stranger.goto(f"{server}/reorder")
    stranger.get_by_text("Sign in to stockcore").wait_for(timeout=60_000)
    stranger.wait_for_timeout(1000)
    assert stranger.get_by_role("heading", name="Reorder").count() == 0
    stranger.close()

    # Sign-up is closed: the owner invites a newcomer on the Users page, who
    # follows the sign-up link (?invite=CODE) in another browser, the code filled in.
    walk.open("Users")
    page.get_by_role("button", name="Create an invitation").click()
    shown = page.locator('[data-testid="stCode"]').filter(has_text="?invite=")
    shown.first.wait_for(timeout=60_000)
    walk.check("invitation")
    link = shown.first.inner_text().strip()
    code = link.split("?invite=")[1]
    assert link.startswith(server) and code.startswith("inv_")
    newcomer = browser.new_page()
    newcomer.goto(link)
    newcomer.get_by_text("Sign in to stockcore").wait_for(timeout=60_000)
    Walk(newcomer).settle()
    assert newcomer.get_by_label("Invitation code").input_value() == code
    fill_account_form(newcomer, "sam", PASSWORD)
    newcomer.get_by_role("button", name="Create the account").click()
    newcomer.get_by_role("heading", name="Stock", exact=True).wait_for(timeout=60_000)
    newcomer.close()
    from stockcore import accounts

    assert {u.username: u.role.value for u in accounts.list_users(db)}["sam"] == "staff"

    walk.open("Backtest")
    page.get_by_label("Best sellers to replay").fill("5")
    page.get_by_role("button", name="Run backtest").click()
    walk.chart()
    walk.check("backtest")
    walk.table("backtest")
    db.dispose()


def test_the_forecast_refresh_runs_on_worker_processes(
    server: str, browser: Any, shop: str, tmp_path: Path
) -> None:
    """The Forecast page's refresh forecasts the demo shop's series on worker processes:
    none of them dies on the way (each imports app.py, which must not run the dashboard
    there), the progress bar moves while they work, and nothing falls back to one process."""
    from sqlalchemy import func, select

    from stockcore import accounts
    from stockcore.persistence.models import ForecastRunRow

    db = Database.connect(shop)
    accounts.register(db, "owner", "owner@example.com", PASSWORD)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    walk = Walk(page)
    page.goto(server)
    fill_sign_in(page, "owner", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    walk.open("Forecast")

    page.get_by_role("button", name="Refresh all forecasts").click()
    started = time.monotonic()
    seen: list[tuple[int, int]] = []
    done = page.locator('[data-testid="stToast"]').filter(has_text="Forecast ")
    while done.count() == 0:
        assert time.monotonic() - started < 300, f"the refresh did not finish; saw {seen}"
        for text in page.locator('[data-testid="stProgress"]').all_inner_texts():
            match = re.search(r"([\d,]+) of ([\d,]+) series", text)
            if match:
                counts = (int(match[1].replace(",", "")), int(match[2].replace(",", "")))
                if counts not in seen:
                    seen.append(counts)
        page.wait_for_timeout(100)
    seconds = time.monotonic() - started
    walk.check("forecast-refreshed")
    print(f"refresh of the demo shop took {seconds:.1f} s in the browser; progress {seen}")

    assert "products for 180 days" in done.first.inner_text()
    assert page.get_by_text("one process").count() == 0
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(ForecastRunRow)) == 2
    db.dispose()
    log = (tmp_path / "streamlit.log").read_text(errors="replace")
    # A worker that loaded the dashboard warns "No runtime found" (Streamlit without a server).
    for sign in ("st.stop() ends the run", "BrokenProcessPool", "stopped unexpectedly",
                 "No runtime found", "Traceback"):  # fmt: skip
        assert sign not in log, log
    between = {done for done, total in seen if 0 < done < total}
    assert len(between) >= 2, f"the progress bar did not move while forecasting: {seen}"


# Every change of the sidebar while a page is in the browser, from its first paint, recorded
# by the page itself (a screenshot could miss a list that shows for a moment).
SIDEBAR_WATCH = """
window.sidebarSeen = [];
new MutationObserver(() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  const nav = document.querySelector('[data-testid="stSidebarNav"]');
  const seen = (bar ? bar.innerText.trim() : "") + (nav ? " [page list]" : "");
  if (window.sidebarSeen[window.sidebarSeen.length - 1] !== seen) window.sidebarSeen.push(seen);
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def _signed_out_sidebar(page: Any) -> list[str]:
    """The sign-in screen, with nothing in the sidebar now; and what the sidebar showed
    since this page was loaded (for a page loaded signed out, nothing is right)."""
    page.get_by_text("Sign in to stockcore").wait_for(timeout=90_000)
    Walk(page).settle()
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    shown = page.locator('[data-testid="stSidebarUserContent"]')  # (not the fold button)
    assert shown.count() == 0 or not shown.first.inner_text().strip()
    return [seen for seen in page.evaluate("window.sidebarSeen") if seen]


def _no_sidebar_frame(page: Any, name: str) -> None:
    """The sign-in screen as on a fresh load: no sidebar at all, not even an empty frame
    with its fold button (or, on a phone, the button that unfolds it)."""
    frame = page.locator('[data-testid="stSidebar"]')
    try:
        frame.wait_for(state="detached", timeout=15_000)
    except Exception:  # Playwright's TimeoutError: say what is left on screen
        box = frame.first.bounding_box()
        raise AssertionError(f"{name}: an empty sidebar frame stays on screen at {box}") from None
    page.get_by_text("Sign in to stockcore").wait_for(timeout=60_000)
    Walk(page).settle()
    assert frame.count() == 0, f"{name}: the sidebar frame came back"
    assert page.locator('[data-testid="stExpandSidebarButton"]').count() == 0, name


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1400px", "390px"])
def test_a_sign_in_lasts_across_reloads_and_tabs_until_sign_out(
    server: str, browser: Any, shop: str, viewport: dict[str, int]
) -> None:
    """The server's very first page shows no sidebar at all (once, the raw list of the
    pages/ files flashed there); a sign-in holds across a reload and in a new tab, in a
    SameSite=Strict cookie lasting 7 days; Sign out ends it in every tab, clears the cookie
    and revokes its token, so a copy of the cookie signs nobody in."""
    from stockcore import accounts

    db = Database.connect(shop)
    accounts.register(db, "owner", "owner@example.com", PASSWORD)
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    context.add_init_script(SIDEBAR_WATCH)
    page = context.new_page()
    walk = Walk(page, prefix=f"sign-in-{viewport['width']}-")

    page.goto(server)
    assert _signed_out_sidebar(page) == []
    _no_sidebar_frame(page, "first load")
    walk.check("first-load")
    fill_sign_in(page, "owner", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    walk.settle()
    [cookie] = [c for c in context.cookies() if c["name"] == "stockcore_sign_in"]
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert 7 * 86400 - 120 < cookie["expires"] - time.time() <= 7 * 86400
    accounts.user_for_token(
        db, cookie["value"], accounts.load_secret_key(shop), audience=accounts.DASHBOARD_AUDIENCE
    )

    page.reload()  # no sign-in form: straight back in
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    assert page.get_by_label("Username or email").count() == 0
    walk.check("reloaded")

    tab = context.new_page()  # a new tab, on another page's link
    tab.goto(f"{server}/inventory")
    tab.get_by_role("heading", name="Inventory").wait_for(timeout=60_000)
    assert tab.get_by_label("Username or email").count() == 0
    Walk(tab, prefix=f"sign-in-{viewport['width']}-tab-").check("new-tab")

    sign_out = page.get_by_role("button", name="Sign out", exact=True)
    walk.reach(sign_out)
    sign_out.click()
    page.get_by_text("Sign in to stockcore").wait_for(timeout=60_000)
    _no_sidebar_frame(page, "signed out")  # as on a fresh load, without a reload
    walk.check("signed-out")
    assert not [c for c in context.cookies() if c["name"] == "stockcore_sign_in"]
    page.reload()
    assert _signed_out_sidebar(page) == []
    walk.check("signed-out-reloaded")

    # The other tab, still showing Inventory, meets the sign-in at its next click.
    link = tab.locator('[data-testid="stSidebar"]').get_by_role("link", name="Sales")
    Walk(tab).reach(link)
    link.first.click()
    _signed_out_sidebar(tab)  # (its menu showed before, while it was signed in)
    _no_sidebar_frame(tab, "signed out in another tab")
    assert tab.get_by_role("heading", name="Sales").count() == 0

    # A copy of the cookie, in another browser: revoked, it signs nobody in.
    stranger = browser.new_context(viewport=viewport)
    stranger.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": server}])
    other = stranger.new_page()
    other.goto(server)
    other.get_by_text("Sign in to stockcore").wait_for(timeout=60_000)
    stranger.close()
    context.close()
    with pytest.raises(accounts.InvalidToken, match="signed out"):
        accounts.user_for_token(
            db,
            cookie["value"],
            accounts.load_secret_key(shop),
            audience=accounts.DASHBOARD_AUDIENCE,
        )
    db.dispose()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1400px", "390px"])
def test_a_restore_that_signs_the_owner_out_shows_why_on_a_clean_sign_in_screen(
    server: str, browser: Any, shop: str, tmp_path: Path, viewport: dict[str, int]
) -> None:
    """Restoring another shop's backup, which does not hold the owner's account, signs the
    owner out: the page loads afresh (no empty sidebar frame beside the sign-in screen, as
    after *Sign out*) and says why, and the sign-in cookie is cleared."""
    from stockcore import accounts, inventory
    from stockcore.domain import Product
    from stockcore.persistence import backup
    from stockcore.persistence.db import upgrade
    from tests.support import sqlite_url

    db = Database.connect(shop)
    accounts.register(db, "owner", "owner@example.com", PASSWORD)
    other = Database.connect(sqlite_url(tmp_path / "other.db"))
    upgrade(other)
    accounts.register(other, "elsewhere", "elsewhere@example.com", PASSWORD)
    inventory.add_product(other, Product.create("CUP", "Cup", unit_price="2"))
    made = backup.backup(other, tmp_path / "other.backup").path
    other.dispose()

    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    walk = Walk(page, prefix=f"restore-sign-out-{viewport['width']}-")
    page.goto(server)
    fill_sign_in(page, "owner", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    walk.settle()
    walk.open("Settings")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(made))
    confirm = page.get_by_label('Type "RESTORE" to replace this shop with the backup')
    confirm.wait_for(timeout=60_000)
    confirm.fill("RESTORE")
    page.get_by_role("button", name="Restore the backup").click()

    page.get_by_text(
        "The shop was restored from a backup that does not hold your account"
    ).wait_for(timeout=60_000)
    _no_sidebar_frame(page, "signed out by a restore")
    walk.check("signed-out")
    assert page.url.endswith("?signed_out=restore")
    assert not [c for c in context.cookies() if c["name"] == "stockcore_sign_in"]
    assert [user.username for user in accounts.list_users(db)] == ["elsewhere"]

    # The restored shop's account signs in, back on the page the restore was made from.
    fill_sign_in(page, "elsewhere", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Settings").wait_for(timeout=60_000)
    walk.settle()
    assert "signed_out" not in page.url
    context.close()
    db.dispose()
