"""How long each dashboard page takes to open on the real-size shop, in AppTest and in a browser.

    .venv/bin/python bench/pages_bench.py [--data ../shared/data] [--postgres-url URL]
        [--pages reorder,forecast] [--no-browser] [--rebuild]

The shop: both years of the real shop (../shared/data, the overlap dropped) imported through
stockcore's own `import-sales` (4,694 products, about a million sale lines), then every
product's forecast refreshed as the owner's *Refresh all forecasts* (and the upkeep) does
it, so Forecast, Reorder and Alerts show real content. The SQLite shop is built once and
kept under bench/.cache/ (delete it, or pass --rebuild, to build afresh: about 15 minutes on
the 2-core machine); with --postgres-url (a server URL whose user may create databases) the
same shop is copied into a new database `stockcore_pages_bench` there, which is dropped at the
end.

For each backend, signed in as the owner:

* AppTest cold: each page opened in a fresh Python process (nothing imported, every cache
  empty): the time of the run that opens it, the router and frame included;
* AppTest warm: the same page run again in that process (Streamlit's caches filled);
* browser: `streamlit run app.py` on a free port, Debian's chromium driven by Playwright;
  after signing in, each page is opened once from the sidebar (first open on that server:
  its own loaders cold) and once more (warm). The time runs from the click to the page's
  heading shown with Streamlit's running indicator gone.

Prints a table per backend with the ratio to the 2 s goal and the load average (`uptime`)
before each figure, and writes it all to bench/results/pages_<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from tests.support import streamlit_server  # noqa: E402 (the browser tests' server)

CACHE = REPO / "bench" / ".cache"
RESULTS = REPO / "bench" / "results"
SHOP = CACHE / "real_shop.db"
GOAL_SECONDS = 2.0
OWNER = "bench-owner"
STAFF = "bench-staff"  # the Stock page is staff's (the owner has Inventory instead)
PASSWORD = "a bench password 123"
PG_DATABASE = "stockcore_pages_bench"
CHROMIUM = os.environ.get("STOCKCORE_CHROMIUM", "/usr/bin/chromium")

# Every page in pages/: its link in the sidebar and the heading it shows. Each is opened
# signed in as the owner, but Stock (staff's read-only list), signed in as staff.
PAGES = {
    "overview": ("Overview", "Overview"),
    "stock": ("Stock", "Stock"),
    "inventory": ("Inventory", "Inventory"),
    "purchase": ("Purchase", "Purchase"),
    "alerts": ("Alerts", "Restock alerts"),
    "sales": ("Sales", "Sales"),
    "forecast": ("Forecast", "Forecast"),
    "reorder": ("Reorder", "Reorder"),
    "backtest": ("Backtest", "Policy backtest"),
    "upload": ("Upload", "Upload"),
    "settings": ("Settings", "Settings"),
    "users": ("Users", "Users"),
    "about": ("About", "About stockcore"),
}


def load() -> str:
    """The load averages, as `uptime` gives them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def run(command: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=REPO, env={**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:5])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


# --- The shop ---------------------------------------------------------------------------------


def build_sqlite_shop(data_dir: Path, target: Path) -> None:
    """Both real years through `import-sales`, then every forecast refreshed."""
    from bench.import_bench import build_csv

    CACHE.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".building.db")
    for stale in partial.parent.glob(partial.name + "*"):
        stale.unlink()
    url = f"sqlite:///{partial}"
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="stockcore-pages-") as folder:
        csv_path = Path(folder) / "sales.csv"
        rows = build_csv(data_dir, 1_034_220, csv_path)  # every row of both years, once
        print(f"shop: importing {rows:,} rows of the real shop…", flush=True)
        started = time.perf_counter()
        run([python, "-m", "stockcore", "--db", url, "init"])
        out = run([python, "-m", "stockcore", "--db", url, "import-sales", str(csv_path)])
        print(f"  {out.splitlines()[0][:160]} ({time.perf_counter() - started:.0f} s)", flush=True)
    started = time.perf_counter()
    print("shop: refreshing every product's forecast…", flush=True)
    run([python, "-m", "stockcore", "--db", url, "forecast", "--all"])
    print(f"  done ({time.perf_counter() - started:.0f} s)", flush=True)
    with sqlite3.connect(partial) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(target)


def bring_up_to_date(target: Path) -> None:
    """A shop cached by an older version: its schema upgraded and every forecast made again
    (what a refresh stores may have changed: the reorder list reads the daily series that
    migration 0016 added), without importing the sales again."""
    from stockcore.persistence.db import Database, current_revision, head_revision

    url = f"sqlite:///{target}"
    db = Database.connect(url)
    try:
        if current_revision(db) == head_revision():
            return
    finally:
        db.dispose()
    print("shop: cached by an older version; upgrading it and refreshing its forecasts…")
    started = time.perf_counter()
    run([sys.executable, "-m", "stockcore", "--db", url, "db", "upgrade"])
    run([sys.executable, "-m", "stockcore", "--db", url, "forecast", "--all"])
    with sqlite3.connect(target) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"  done ({time.perf_counter() - started:.0f} s)", flush=True)


def shop_counts(url: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from stockcore.persistence.db import Database
    from stockcore.persistence.models import ProductRow, SaleLineRow

    db = Database.connect(url)
    try:
        with db.read() as session:
            products = session.scalar(select(func.count()).select_from(ProductRow))
            lines = session.scalar(select(func.count()).select_from(SaleLineRow))
        return int(products or 0), int(lines or 0)
    finally:
        db.dispose()


def working_copy(folder: Path) -> str:
    """A copy of the cached SQLite shop (the pages may write: sign-ins, say)."""
    target = folder / "shop.db"
    shutil.copyfile(SHOP, target)
    return f"sqlite:///{target}"


@contextmanager
def postgres_copy(server_url: str) -> Iterator[str]:
    """The cached shop copied into a new PostgreSQL database, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from stockcore.persistence.backup import restore
    from stockcore.persistence.db import Database, normalise_url

    base = make_url(normalise_url(server_url))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    url = base.set(database=PG_DATABASE).render_as_string(hide_password=False)
    try:
        started = time.perf_counter()
        print("shop: copying it into PostgreSQL…", flush=True)
        db = Database.connect(url)
        try:
            restore(db, SHOP)
        finally:
            db.dispose()
        print(f"  done ({time.perf_counter() - started:.0f} s)", flush=True)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def ensure_accounts(url: str) -> dict[str, str]:
    """The bench's owner and staff accounts (made once per shop): user id by role."""
    from stockcore import accounts
    from stockcore.persistence.db import Database

    db = Database.connect(url)
    try:
        found = {user.username: user for user in accounts.list_users(db)}
        if OWNER not in found:
            found[OWNER] = accounts.register(db, OWNER, f"{OWNER}@example.com", PASSWORD)
        if STAFF not in found:
            found[STAFF] = accounts.create_user(
                db, found[OWNER], STAFF, f"{STAFF}@example.com", PASSWORD, "staff"
            )
        return {"owner": found[OWNER].user_id, "staff": found[STAFF].user_id}
    finally:
        db.dispose()


def role_of(page: str) -> str:
    return "staff" if page == "stock" else "owner"


# --- AppTest ----------------------------------------------------------------------------------


def apptest_child(url: str, user_id: str, page: str, repeat: int) -> None:
    """In this fresh process: open `page` signed in (cold), then run it again (warm); print
    the seconds of each run as JSON."""
    os.environ.update(STOCKCORE_DATABASE_URL=url, STOCKCORE_DEMO="0", STOCKCORE_AUTO_REFRESH="0")
    # The libraries the dashboard imports, imported before the clock starts: a server has
    # them loaded before its first page; what is timed is the page's own work.
    import altair  # noqa: F401
    import pandas  # noqa: F401
    from streamlit.testing.v1 import AppTest

    import stockcore.interfaces.charts  # noqa: F401
    from stockcore.interfaces.ui import auth, tables  # noqa: F401

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=900)
    app.session_state[auth.USER_KEY] = user_id
    app.switch_page(f"pages/{page}.py")
    times = []
    for _ in range(1 + repeat):
        started = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - started)
        if app.exception:
            sys.exit(f"{page}: {[e.value for e in app.exception]}")
    headings = [h.value for h in app.title]
    if PAGES[page][1] not in headings:
        sys.exit(f"{page}: the page's heading is not shown (titles: {headings})")
    print(json.dumps({"cold": times[0], "warm": min(times[1:])}))


def apptest_pages(url: str, users: dict[str, str], pages: list[str], repeat: int) -> dict[str, Any]:
    """Each page in its own fresh process."""
    results = {}
    for page in pages:
        before = load()
        user_id = users[role_of(page)]
        out = run([sys.executable, __file__, "--apptest-child", url, user_id, page, str(repeat)])
        timing = json.loads(out.strip().splitlines()[-1])
        results[page] = {**timing, "load": before}
        print(
            f"  apptest {page:10} cold {timing['cold']:6.2f} s  warm {timing['warm']:6.2f} s"
            f"  (load {before})",
            flush=True,
        )
    return results


# --- Browser ----------------------------------------------------------------------------------


class Runs:
    """The script runs of a browser tab, as the server's messages on its websocket tell
    them: each run starts with `new_session` and ends with `script_finished`."""

    def __init__(self, page: Any) -> None:
        self.started: list[float] = []
        self.finished: list[float] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        kind = ForwardMsg.FromString(payload).WhichOneof("type")
        if kind == "new_session":
            self.started.append(time.perf_counter())
        elif kind == "script_finished":
            self.finished.append(time.perf_counter())


def settled(page: Any, runs: Runs, heading: str, started: float, limit: float = 300.0) -> float:
    """Seconds from `started` until every script run begun since has finished (none more
    starts within 0.5 s) and the page shows `heading`."""
    title = page.get_by_role("heading", name=heading, exact=True).first
    while time.perf_counter() - started < limit:
        begun = [t for t in runs.started if t >= started]
        ended = [t for t in runs.finished if t >= started]
        if begun and len(ended) >= len(begun) and title.is_visible():
            done = ended[-1]
            page.wait_for_timeout(500)
            if len([t for t in runs.started if t >= started]) == len(begun):
                boxes = page.locator('[data-testid="stException"]')
                if boxes.count():
                    sys.exit(f"{heading}: {boxes.first.inner_text()[:500]}")
                return done - started
            continue
        page.wait_for_timeout(20)
    sys.exit(f"{heading}: not settled within {limit:.0f} s")


def browser_pages(url: str, pages: list[str], folder: Path) -> dict[str, Any]:
    """Per role, in its own browser tab: sign in, then open each page from the sidebar
    twice (first: cold, then: warm)."""
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {}
    with (
        streamlit_server(
            {"STOCKCORE_DATABASE_URL": url, "STOCKCORE_DEMO": "0", "STOCKCORE_AUTO_REFRESH": "0"},
            folder / "streamlit.log",
        ) as address,
        sync_playwright() as playwright,
    ):
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            for role, username in (("owner", OWNER), ("staff", STAFF)):
                mine = [name for name in pages if role_of(name) == role]
                if mine:
                    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
                    browser_walk(context.new_page(), address, username, mine, results)
                    context.close()
        finally:
            chromium.close()
    return results


def browser_walk(
    page: Any, address: str, username: str, pages: list[str], results: dict[str, Any]
) -> None:
    """Sign in (the owner lands on Overview, staff on Stock), then open each page twice."""
    runs = Runs(page)
    landing = "overview" if username == OWNER else "stock"
    page.goto(address)
    page.get_by_label("Username or email").fill(username, timeout=300_000)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    started = time.perf_counter()
    page.get_by_role("button", name="Sign in").click()
    signed_in = settled(page, runs, PAGES[landing][1], started)
    results.setdefault("sign-in", {})[username] = signed_in
    print(f"  browser: {username} signed in: {landing} after {signed_in:.2f} s", flush=True)
    nav = page.locator('[data-testid="stSidebar"]')  # app.py's menu of page links
    if username != OWNER:  # staff: Stock first, then Purchase and back to Stock
        results.setdefault(landing, {})["cold"] = signed_in
        results[landing]["load_cold"] = load()
        pages = ["purchase", landing]
    for attempt in ("cold", "warm") if username == OWNER else ("warm",):
        for name in sorted(pages, key=lambda name: name == "overview"):  # on it now
            before = load()
            link = nav.get_by_role("link", name=PAGES[name][0]).first
            started = time.perf_counter()
            link.click()
            seconds = settled(page, runs, PAGES[name][1], started)
            if name not in results or role_of(name) == role_of(landing):
                results.setdefault(name, {})[attempt] = seconds
                results[name][f"load_{attempt}"] = before
            print(f"  browser {name:10} {attempt} {seconds:6.2f} s  (load {before})", flush=True)


# --- The table ------------------------------------------------------------------------------


def table(backend: str, apptest: dict[str, Any], browser: dict[str, Any]) -> str:
    rows = [
        f"{backend}: seconds to open each page, signed in as the owner (goal: under "
        f"{GOAL_SECONDS:g} s); ratio = the slowest of the figures / {GOAL_SECONDS:g} s",
        f"{'page':10} {'apptest cold':>12} {'warm':>6} {'browser first':>13} {'again':>6}"
        f" {'ratio':>6}  load (1/5/15 min) before the cold runs",
    ]
    for page in PAGES:
        if page not in apptest and page not in browser:
            continue
        figures = [
            apptest.get(page, {}).get("cold"),
            apptest.get(page, {}).get("warm"),
            browser.get(page, {}).get("cold"),
            browser.get(page, {}).get("warm"),
        ]
        shown = [f"{f:.2f}" if f is not None else "-" for f in figures]
        worst = max((f for f in figures if f is not None), default=0.0)
        loads = apptest.get(page, {}).get("load") or browser.get(page, {}).get("load_cold", "")
        rows.append(
            f"{page:10} {shown[0]:>12} {shown[1]:>6} {shown[2]:>13} {shown[3]:>6}"
            f" {worst / GOAL_SECONDS:5.2f}x  {loads}"
        )
    return "\n".join(rows)


def bench(backend: str, url: str, pages: list[str], args: argparse.Namespace) -> None:
    products, lines = shop_counts(url)
    print(f"{backend}: {products:,} products, {lines:,} sale lines (load {load()})", flush=True)
    users = ensure_accounts(url)
    apptest = {} if args.no_apptest else apptest_pages(url, users, pages, args.repeat)
    browser: dict[str, Any] = {}
    if not args.no_browser:
        with tempfile.TemporaryDirectory(prefix="stockcore-pages-browser-") as folder:
            browser = browser_pages(url, pages, Path(folder))
    text = table(backend, apptest, browser)
    print(text, flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "backend": backend,
        "products": products,
        "sale_lines": lines,
        "command": " ".join(["bench/pages_bench.py", *sys.argv[1:]]),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "apptest": apptest,
        "browser": browser,
        "table": text,
    }
    target = RESULTS / f"pages_{backend}.json"
    target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written to {target.relative_to(REPO)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--postgres-url", help="a PostgreSQL server URL: measure there too")
    parser.add_argument("--pages", help="comma-separated page names (default: every page)")
    parser.add_argument("--repeat", type=int, default=2, help="warm runs per page (best counts)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-apptest", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--rebuild", action="store_true", help="build the real-size shop afresh")
    parser.add_argument("--apptest-child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.apptest_child:
        url, user_id, page, repeat = args.apptest_child
        apptest_child(url, user_id, page, int(repeat))
        return 0
    pages = list(PAGES) if not args.pages else [p.strip() for p in args.pages.split(",")]
    unknown = [page for page in pages if page not in PAGES]
    if unknown:
        parser.error(f"unknown page(s) {', '.join(unknown)}; pages are {', '.join(PAGES)}")
    if args.rebuild or not SHOP.exists():
        build_sqlite_shop(args.data, SHOP)
    else:
        bring_up_to_date(SHOP)
    with tempfile.TemporaryDirectory(prefix="stockcore-pages-") as folder:
        if not args.no_sqlite:
            bench("sqlite", working_copy(Path(folder)), pages, args)
    if args.postgres_url:
        with postgres_copy(args.postgres_url) as url:
            bench("postgresql", url, pages, args)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
