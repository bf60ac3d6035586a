"""Load: POST /purchases from concurrent clients against a real API server.

    .venv/bin/python bench/api_load.py [--clients 8] [--seconds 30] [--backends sqlite,postgres]

For each database (a new SQLite file; a new PostgreSQL database on 127.0.0.1, dropped
afterwards):

* 20 products: 18 with plenty of stock, and 2 with 40 units each, which sell out in the
  first seconds, so later orders for them must be refused (409), never oversold;
* the API server is started for real (`python -m stockcore api`, uvicorn) on a free
  loopback port; an owner registers and logs in;
* baseline, measured in the same run on the same database: the same number of threads
  calling `inventory.purchase` in-process for 10 s (other products), i.e. what the
  database itself sustains without HTTP, JSON and tokens;
* load: `--clients` threads, each with its own keep-alive connection, POST /purchases
  (a random product, 1 to 3 units) for `--seconds` seconds.

Prints purchases per second, errors by status, latency percentiles, and the ratio of API
purchases per second to the in-process baseline. Then checks against the database:
every product's stock equals its starting stock minus the units of its sale lines and
never went below 0, the ledger balances, there is one sale line per 201 answer (no lost
update), and no answer was a 5xx.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from stockcore import inventory  # noqa: E402
from stockcore.domain import Product  # noqa: E402
from stockcore.inventory import reports  # noqa: E402
from stockcore.persistence.db import Database, upgrade  # noqa: E402
from stockcore.persistence.models import SaleLineRow  # noqa: E402

PRODUCTS = [f"LOAD{n:02d}" for n in range(20)]
BASELINE = [f"BASE{n:02d}" for n in range(20)]
START_STOCK = 100_000
SCARCE = {PRODUCTS[0]: 40, PRODUCTS[1]: 40}  # these sell out early: later orders get 409
BASELINE_SECONDS = 10
PG_ADMIN = os.environ.get(
    "STOCKCORE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_database(backend: str, folder: Path) -> tuple[str, object]:
    """A URL for a brand-new database, and what to call to drop it afterwards."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'load.db'}", lambda: None
    name = f"stockcore_load_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return str(make_url(PG_ADMIN).set(database=name)), drop


def stock_of(product_id: str) -> int:
    return SCARCE.get(product_id, START_STOCK)


def stock_the_shop(db: Database) -> None:
    for pid in PRODUCTS:
        inventory.add_product(
            db, Product.create(pid, f"Load {pid}", unit_price="2.50", quantity=stock_of(pid))
        )
    for pid in BASELINE:
        inventory.add_product(
            db, Product.create(pid, f"Baseline {pid}", unit_price="2.50", quantity=9_000_000)
        )


def in_process_baseline(db: Database, clients: int) -> float:
    """Purchases per second with `clients` threads calling the service directly."""
    done = Counter[int]()
    deadline = time.monotonic() + BASELINE_SECONDS

    def buyer(seed: int) -> None:
        rng = random.Random(seed)
        count = 0
        while time.monotonic() < deadline:
            inventory.purchase(db, rng.choice(BASELINE), rng.randint(1, 3))
            count += 1
        done[seed] = count

    started = time.monotonic()
    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done.values()) / (time.monotonic() - started)


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "stockcore", "--db", url, "api", "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=REPO,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "STOCKCORE_SECRET_KEY": "load-bench-" + os.urandom(16).hex()},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the API server did not start:\n{log.read_text()[-2000:]}")


def call(port: int, method: str, path: str, body: object, token: str | None = None) -> object:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, json.dumps(body), headers)
    answer = connection.getresponse()
    payload = json.loads(answer.read() or b"null")
    connection.close()
    if answer.status >= 300:
        raise SystemExit(f"{method} {path} answered {answer.status}: {payload}")
    return payload


def load(port: int, token: str, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            body = json.dumps({"product_id": rng.choice(PRODUCTS), "quantity": rng.randint(1, 3)})
            began = time.perf_counter()
            try:
                connection.request("POST", "/purchases", body, headers)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                status = 0  # the connection failed: counted, and a new one opened
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            tally.add(status, time.perf_counter() - began)
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def check(db: Database, tally: Tally) -> list[str]:
    """What went wrong, checked against the database (empty: nothing)."""
    problems = []
    if not tally.statuses[409]:
        problems.append("no order was refused: the scarce products never sold out")
    with db.read() as session:
        sold = dict(
            session.execute(
                select(SaleLineRow.product_id, func.sum(SaleLineRow.quantity))
                .where(SaleLineRow.product_id.in_(PRODUCTS))
                .group_by(SaleLineRow.product_id)
            ).all()
        )
        lines = session.scalar(
            select(func.count())
            .select_from(SaleLineRow)
            .where(SaleLineRow.product_id.in_(PRODUCTS))
        )
    for product in reports.inventory(db):
        if product.product_id not in PRODUCTS:
            continue
        if product.quantity < 0:
            problems.append(f"{product.product_id} went negative: {product.quantity}")
        start = stock_of(product.product_id)
        if product.quantity != start - int(sold.get(product.product_id, 0)):
            problems.append(
                f"{product.product_id}: {product.quantity} on hand, but {start} - "
                f"{sold.get(product.product_id, 0)} sold"
            )
    if lines != tally.statuses[201]:
        problems.append(f"{lines} sale lines but {tally.statuses[201]} purchases answered 201")
    mismatches = reports.ledger_mismatches(db)
    if mismatches:
        problems.append(f"ledger mismatches: {mismatches[:3]}")
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500 or status == 0)
    if server_errors:
        problems.append(f"{server_errors} answers were 5xx or failed connections")
    return problems


def run(backend: str, clients: int, seconds: float) -> bool:
    with tempfile.TemporaryDirectory(prefix="stockcore-load-") as folder:
        url, drop = new_database(backend, Path(folder))
        try:
            db = Database.connect(url)
            upgrade(db)
            stock_the_shop(db)
            baseline = in_process_baseline(db, clients)
            port = free_port()
            server = start_server(url, port, Path(folder) / "api.log")
            try:
                owner = {"username": "owner", "password": "load bench passphrase"}
                call(port, "POST", "/register", {**owner, "email": "owner@example.com"})
                token = call(port, "POST", "/login", owner)
                assert isinstance(token, dict)
                tally, elapsed = load(port, str(token["token"]), clients, seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)
            problems = check(db, tally)
            db.dispose()
        finally:
            drop()  # type: ignore[operator]
    purchases = tally.statuses[201] / elapsed
    requests = sum(tally.statuses.values()) / elapsed
    refused = {status: n for status, n in sorted(tally.statuses.items()) if status != 201}
    print(f"\n{backend}: {clients} clients, {elapsed:.0f} s")
    print(f"  purchases per second:      {purchases:8.1f}   ({tally.statuses[201]:,} sold)")
    print(f"  requests per second:       {requests:8.1f}")
    print(f"  answers other than 201:    {refused or 'none'}")
    print(
        "  latency p50 / p95 / p99:   "
        + " / ".join(f"{1000 * percentile(tally.latencies, q):.1f} ms" for q in (0.5, 0.95, 0.99))
    )
    print(f"  baseline (in-process):     {baseline:8.1f} purchases per second")
    print(f"  ratio API / baseline:      {purchases / baseline:8.2f}x")
    print(f"  checks: {'all passed' if not problems else '; '.join(problems)}")
    return not problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    results = [run(b, args.clients, args.seconds) for b in args.backends.split(",")]
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
