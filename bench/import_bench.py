"""Import speed and memory on a million real sales rows, against a bare baseline.

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--data ../shared/data]

Builds a CSV in the real shop's export layout from ../shared/data (both years, the
overlap dropped, repeated with shifted invoice numbers if more rows are asked for
than the data holds), then, each in a fresh process on a fresh SQLite file:

* baseline: pandas.read_csv of the file plus one executemany of every row the table
  accepts (quantity > 0) into the same sale_lines table layout (no checks, no netting,
  no dedupe, no batch);
* stockcore: `python -m stockcore import-sales FILE` (every row checked, returns
  netted, non-products skipped, products created, one batch, one transaction).

Prints wall time and peak memory (max RSS) of each, and the ratios. Target: import
within 2x of the baseline and under 1 GB peak.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere


def build_csv(data_dir: Path, rows: int, target: Path) -> int:
    import pandas as pd

    first = pd.read_parquet(data_dir / "online_retail_ii_2009_2010.parquet")
    second = pd.read_parquet(data_dir / "online_retail_2010_2011.parquet").rename(
        columns={"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}
    )
    first = first[first["InvoiceDate"] < "2010-12-01"]  # the overlap is in both files
    both = pd.concat([first, second.astype({"Invoice": str})], ignore_index=True)
    copies = []
    copy = 0
    while sum(len(c) for c in copies) < rows:
        shifted = both.copy()
        if copy:
            # Another "year" of the same shop: new invoice numbers, so nothing is a duplicate.
            prefix = shifted["Invoice"].str.startswith("C")
            number = shifted["Invoice"].str.lstrip("C")
            shifted["Invoice"] = prefix.map({True: "C", False: ""}) + f"{copy}" + number
        copies.append(shifted)
        copy += 1
    frame = pd.concat(copies, ignore_index=True).head(rows)
    frame.to_csv(target, index=False)
    return len(frame)


def run_baseline(csv_path: str, db_path: str) -> None:
    """pandas.read_csv plus one executemany into the sale_lines layout."""
    import sqlite3

    import pandas as pd

    from stockcore.persistence.db import Database, upgrade

    upgrade(Database.connect(f"sqlite:///{db_path}"))
    frame = pd.read_csv(csv_path, dtype={"StockCode": str, "Invoice": str})
    frame = frame[frame["Quantity"] > 0]  # the table refuses the rest (CHECK quantity > 0)
    sold_at = pd.to_datetime(frame["InvoiceDate"])
    price = (frame["Price"] * 100).round().astype("int64")
    rows = list(
        zip(
            frame["StockCode"].astype(str),
            sold_at.dt.strftime("%Y-%m-%d %H:%M:%S.%f"),
            sold_at.dt.strftime("%Y-%m-%d"),
            frame["Quantity"].astype(int),
            price,
            price * frame["Quantity"],
            frame["Invoice"],
            strict=True,
        )
    )
    connection = sqlite3.connect(db_path)
    connection.executemany(
        "INSERT INTO sale_lines (product_id, sold_at, sold_on, quantity, unit_price_minor,"
        " revenue_minor, order_id, source) VALUES (?, ?, ?, ?, ?, ?, ?, 'history')",
        [(p, a, d, int(q), int(u), int(r), o) for p, a, d, q, u, r, o in rows],
    )
    connection.commit()
    connection.close()


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB (of this child alone) and stdout of a child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        child = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"{' '.join(command[:4])} failed:\n{err.read()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read()  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best time counts")
    parser.add_argument("--baseline-only", nargs=2, metavar=("CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.baseline_only:
        run_baseline(*args.baseline_only)
        return 0

    with tempfile.TemporaryDirectory(prefix="stockcore-bench-") as folder:
        csv_path = Path(folder) / "sales.csv"
        rows = build_csv(args.data, args.rows, csv_path)
        size_mb = csv_path.stat().st_size / 2**20
        print(f"file: {rows:,} rows in the shop export layout, {size_mb:.0f} MiB")
        python = sys.executable
        base_runs, ours_runs = [], []
        out = ""
        for run in range(args.repeat):
            base_runs.append(
                measure(
                    [
                        python,
                        __file__,
                        "--baseline-only",
                        str(csv_path),
                        str(Path(folder) / f"b{run}.db"),
                    ]
                )
            )
            db_url = f"sqlite:///{Path(folder) / f'stockcore{run}.db'}"
            ours_runs.append(
                measure([python, "-m", "stockcore", "--db", db_url, "import-sales", str(csv_path)])
            )
            out = ours_runs[-1][2]
        base_s, base_mb = min(r[0] for r in base_runs), max(r[1] for r in base_runs)
        ours_s, ours_mb = min(r[0] for r in ours_runs), max(r[1] for r in ours_runs)
        print(f"best of {args.repeat} runs each, on a fresh SQLite file every run")
        print(f"baseline (read_csv + executemany): {base_s:6.1f} s, peak {base_mb:5.0f} MiB")
        print(f"stockcore import-sales:            {ours_s:6.1f} s, peak {ours_mb:5.0f} MiB")
        print(f"  {out.splitlines()[0][:150]}")
        print(
            f"ratio import / baseline: time {ours_s / base_s:.2f}x, peak memory "
            f"{ours_mb / base_mb:.2f}x (target: time <= 2x, peak < 1024 MiB)"
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
