"""What the browser tests share (tests/test_browser.py, tests/test_browser_owner_walk.py):
the fixtures that start `streamlit run app.py` on a copy of the demo shop with its forecasts
(`shop`, `server`) and Debian's chromium through Playwright (`browser`), and `Walk`, one
browser tab through the dashboard that fails a step on an exception box or a table cell
reading "None" (or nan, NaT).

Without chromium (or Playwright) a test is skipped with the reason, unless
STOCKCORE_REQUIRE_BROWSER=1 (as in CI), where that is a failure. Playwright never downloads
a browser: it is pointed at the system's chromium.

The fixtures reach every test module through tests/conftest.py's `pytest_plugins`; a
module's own fixture of the same name (several define a `shop`) takes precedence there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import streamlit_server

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "test-output" / "browser"
CHROMIUM = os.environ.get("STOCKCORE_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"


def _unavailable(reason: str) -> None:
    if os.environ.get("STOCKCORE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required here, but {reason}")
    pytest.skip(reason)


@pytest.fixture
def shop(forecast_url: str) -> str:
    return forecast_url


@pytest.fixture
def server(shop: str, tmp_path: Path) -> Iterator[str]:
    env = {
        "STOCKCORE_DATABASE_URL": shop,
        "STOCKCORE_DEMO": "0",
        "STOCKCORE_AUTO_REFRESH": "0",  # the walk presses Refresh itself
        # The demo's 71 series are quicker in one process; the browser test must see
        # the worker processes work under Streamlit, so it asks for them.
        "STOCKCORE_FORECAST_PARALLEL_FROM": "10",
    }
    try:
        with streamlit_server(env, tmp_path / "streamlit.log") as url:
            yield url
    except RuntimeError as failure:
        pytest.fail(str(failure))


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"there is no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


NOT_A_VALUE = {"None", "nan", "NaN", "NaT", "null", "<NA>"}
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1400, "height": 1000}


class Walk:
    """One browser tab through the dashboard, checking at each step for exception boxes
    and for table cells that read "None" (or nan, NaT) instead of a dash or words."""

    def __init__(self, page: Any, prefix: str = "") -> None:
        self.page = page
        self.prefix = prefix
        self.step = 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def settle(self) -> None:
        """Wait until Streamlit has finished running the script."""
        self.page.wait_for_timeout(300)
        self.page.locator('[data-testid="stStatusWidget"]').wait_for(
            state="hidden", timeout=120_000
        )
        self.page.wait_for_timeout(500)

    def check(self, name: str) -> None:
        self.settle()
        self.step += 1
        shot = SHOTS / f"{self.prefix}{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        boxes = self.page.locator('[data-testid="stException"]')
        assert boxes.count() == 0, boxes.first.inner_text()
        bad = [text for text in self.cells() if text.strip() in NOT_A_VALUE]
        assert not bad, f"{name}: table cells read {sorted(set(bad))}"

    def table(self, name: str, index: int = 0) -> None:
        """A screenshot of one table, scrolled into view (a page's screenshot shows what
        fits the window)."""
        grid = self.page.locator('[data-testid="stDataFrame"]').nth(index)
        grid.scroll_into_view_if_needed()
        self.page.wait_for_timeout(300)
        grid.screenshot(path=str(SHOTS / f"{self.prefix}{self.step:02d}-{name}-table.png"))

    def cells(self) -> list[str]:
        """The text of the table cells, read from the grids' accessible tables (Streamlit
        draws the grid on a canvas and keeps its cells as text beside it). A missing value
        is empty there whatever the canvas draws ("None" or the placeholder): that every
        table sets a placeholder is checked under AppTest (tests/test_presentation.py);
        here, a cell whose text is "None", "nan" or "NaT" fails."""
        grid = self.page.locator('[data-testid="stDataFrame"] [role="gridcell"]')
        return [str(text) for text in grid.all_inner_texts()]

    def reach(self, element: Any) -> bool:
        """Unfold the sidebar if `element` (in it) is off screen, as on a phone, where the
        sidebar is folded away; whether it was folded."""
        folded = not self.on_screen(element.first)
        if folded:
            self.page.locator('[data-testid="stExpandSidebarButton"]').first.click()
            self.page.wait_for_timeout(500)  # the sidebar slides in
        return folded

    def open(self, title: str, heading: str | None = None) -> None:
        """Open a page from the sidebar's menu (app.py draws it with links), and wait for
        its heading (the title, unless the page has another)."""
        link = self.page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title)
        folded = self.reach(link)
        link.first.click()
        self.page.get_by_role("heading", name=heading or title).first.wait_for(timeout=60_000)
        self.settle()
        if folded and self.on_screen(link.first):  # fold it again to see the page
            collapse = self.page.locator('[data-testid="stSidebarCollapseButton"] button')
            collapse.first.click(force=True)
            self.page.wait_for_timeout(500)

    def on_screen(self, element: Any) -> bool:
        box = element.bounding_box() if element.count() else None
        return box is not None and box["x"] >= 0 and box["x"] < self.page.viewport_size["width"]

    def chart(self) -> float:
        """Wait for the first chart to be drawn; its drawing's width in pixels."""
        charts = self.page.locator('[data-testid="stVegaLiteChart"]')
        charts.first.wait_for(timeout=120_000)
        drawing = charts.first.locator("canvas, svg").first
        drawing.wait_for(timeout=30_000)
        self.page.wait_for_timeout(500)  # vega-embed resizes to its container
        box = drawing.bounding_box()
        return 0.0 if box is None else float(box["width"])
