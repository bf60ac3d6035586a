"""Make the README's owner's tour screenshots (docs/tour-*.png) again.

    .venv/bin/python docs/screenshots.py [--out docs]

It builds the demo shop with its forecasts on a temporary SQLite file
(`python -m stockcore init --demo`, about half a minute), starts `streamlit run app.py` on a
free loopback port against it, and drives Debian's chromium (/usr/bin/chromium, or
STOCKCORE_CHROMIUM) with Playwright, which never downloads a browser: create the owner,
then every page of the tour at 1400 px, and the Overview again at a phone's 390 px. Each
screenshot is the visible window (not the whole page), saved as PNG; one larger than 300 KB
is reduced to 256 colours. Not run in CI: the browser test (tests/test_browser.py) walks the
same pages and checks them.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # stockcore and tests.support from this checkout, run from anywhere

from tests.support import fill_account_form, fill_sign_in, streamlit_server  # noqa: E402

CHROMIUM = os.environ.get("STOCKCORE_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
WIDE = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
LIMIT = 300_000  # bytes per screenshot


def demo_shop(folder: Path) -> str:
    url = f"sqlite:///{folder / 'demo.db'}"
    print("building the demo shop with its forecasts …", flush=True)
    subprocess.run(
        [sys.executable, "-m", "stockcore", "--db", url, "init", "--demo"], cwd=REPO, check=True
    )
    return url


class Tour:
    def __init__(self, page: Any, out: Path) -> None:
        self.page = page
        self.out = out

    def settle(self) -> None:
        self.page.wait_for_timeout(300)
        self.page.locator('[data-testid="stStatusWidget"]').wait_for(
            state="hidden", timeout=120_000
        )
        self.page.wait_for_timeout(800)

    def charts(self) -> None:
        """Wait until the page's charts are drawn (if it has any)."""
        charts = self.page.locator('[data-testid="stVegaLiteChart"]')
        if charts.count():
            charts.first.locator("canvas, svg").first.wait_for(timeout=60_000)
            self.page.wait_for_timeout(800)

    def shot(self, name: str, *, toast: bool = False) -> None:
        """Save the visible window as tour-NAME.png; without `toast`, after any toast has
        gone (they close by themselves after a few seconds)."""
        self.settle()
        if not toast:
            self.page.locator('[data-testid="stToast"]').first.wait_for(
                state="hidden", timeout=20_000
            )
        boxes = self.page.locator('[data-testid="stException"]')
        if boxes.count():
            raise SystemExit(f"{name}: the page shows an exception: {boxes.first.inner_text()}")
        path = self.out / f"tour-{name}.png"
        self.page.screenshot(path=str(path))
        shrink(path)
        print(f"{path}: {path.stat().st_size // 1000} KB", flush=True)

    def open(self, title: str) -> None:
        menu = self.page.locator('[data-testid="stSidebar"]')  # app.py draws it with links
        link = menu.get_by_role("link", name=re.compile(rf"(^|\s){title}\b")).first
        if not self.on_screen(link):  # a phone: the sidebar is folded away
            self.page.locator('[data-testid="stExpandSidebarButton"]').first.click()
            self.page.wait_for_timeout(500)
        link.click()
        self.page.get_by_role("heading", name=re.compile(rf"\b{title}\b", re.I)).first.wait_for(
            timeout=60_000
        )
        self.settle()
        self.charts()

    def on_screen(self, element: Any) -> bool:
        box = element.bounding_box() if element.count() else None
        return box is not None and 0 <= box["x"] < self.page.viewport_size["width"]

    def scroll_to(self, text: str) -> None:
        """Scroll so that the heading `text` is near the top of the window."""
        heading = self.page.get_by_role("heading", name=text).first
        heading.scroll_into_view_if_needed()
        heading.evaluate("element => element.scrollIntoView({block: 'start'})")
        self.page.wait_for_timeout(500)

    def pick(self, text: str) -> None:
        """Choose `text` in the page's first select box."""
        self.page.locator('[data-testid="stSelectbox"]').first.click()
        self.page.keyboard.type(text)
        self.page.get_by_role("option").filter(has_text=text).first.click()
        self.settle()


def shrink(path: Path) -> None:
    if path.stat().st_size <= LIMIT:
        return
    with Image.open(path) as image:
        fewer = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    fewer.save(path, optimize=True)


def walk(address: str, browser: Any, out: Path, db_url: str, out_of_shop: Path) -> None:
    from stockcore.inventory import reports
    from stockcore.persistence.db import Database

    db = Database.connect(db_url)
    products = reports.inventory(db)
    db.dispose()
    # The forecast of the best-stocked product below its threshold: a long history and a
    # run-out day within the chart.
    low = max(
        (p for p in products if 0 < p.quantity < p.restock_threshold), key=lambda p: p.quantity
    )
    going = next(p for p in products if p.quantity > p.restock_threshold > 0)

    page = browser.new_page(viewport=WIDE)
    tour = Tour(page, out)
    page.goto(address)
    page.get_by_text("Welcome to stockcore").wait_for(timeout=120_000)
    fill_account_form(page, "owner", PASSWORD)
    tour.shot("create-owner")
    page.get_by_role("button", name="Create the owner account").click()
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    tour.settle()
    tour.charts()
    tour.shot("overview")

    tour.open("Inventory")
    tour.shot("inventory")

    tour.open("Purchase")
    tour.pick(going.product_id)
    units = going.quantity - going.restock_threshold + 1
    page.get_by_label("Quantity").fill(str(units))
    page.get_by_role("button", name="Buy").click()
    page.locator('[data-testid="stToast"]').filter(has_text="Restock alert").first.wait_for(
        timeout=60_000
    )
    tour.shot("purchase", toast=True)

    tour.open("Alerts")
    tour.shot("alerts")

    tour.open("Forecast")
    tour.pick(low.product_id)
    tour.charts()
    tour.shot("forecast")

    tour.open("Reorder")
    tour.shot("reorder")
    page.get_by_role("button", name="Create purchase orders").click()
    tour.settle()
    tour.scroll_to("Purchase orders")
    tour.shot("purchase-orders")

    tour.open("Sales")
    tour.shot("sales")

    tour.open("Upload")
    upload = out_of_shop / "web-orders.csv"  # a day of web orders in the template's layout
    today = date.today().isoformat()
    rows = [f"{today} 09:{10 + i}:00,{p.product_id},{1 + i % 3},{p.unit_price},WEB-{1001 + i}"
            for i, p in enumerate(products[:8])]  # fmt: skip
    upload.write_text("date,product_id,quantity,unit_price,order_id\n" + "\n".join(rows) + "\n")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_role("button", name="Import", exact=True).wait_for(timeout=60_000)
    tour.settle()
    tour.scroll_to("Preview")
    tour.shot("upload")

    tour.open("Settings")
    page.get_by_role("button", name="Make a backup").click()
    page.get_by_role("button", name=re.compile("^Download stockcore-backup")).wait_for(
        timeout=60_000
    )
    tour.settle()
    tour.scroll_to("Download a backup")
    tour.shot("settings-backup")

    tour.open("Users")
    tour.shot("users")
    page.close()

    phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    small = Tour(phone, out)
    phone.goto(address)
    fill_sign_in(phone, "owner", PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    small.settle()
    small.charts()
    small.scroll_to("Closest to running out")
    small.shot("phone-overview")
    phone.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    with tempfile.TemporaryDirectory() as folder:
        url = demo_shop(Path(folder))
        env = {"STOCKCORE_DATABASE_URL": url, "STOCKCORE_DEMO": "0", "STOCKCORE_AUTO_REFRESH": "0"}
        with (
            streamlit_server(env, Path(folder) / "streamlit.log") as address,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            try:
                walk(address, browser, out, url, Path(folder))
            finally:
                browser.close()


if __name__ == "__main__":
    main()
