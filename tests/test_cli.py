"""`python -m stockcore`: the spec's demo, and every refusal (exit code, one line, no change)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from stockcore.domain import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    StockcoreError,
    Throttled,
    Unauthenticated,
)
from stockcore.inventory import reports
from stockcore.persistence.db import Database
from tests.support import run, run_process


@pytest.fixture
def shop_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert run("--db", url, "init")[0] == 0
    for argv in (
        [
            "101",
            "Laptop",
            "--category",
            "Computers",
            "--price",
            "50000",
            "--quantity",
            "7",
            "--threshold",
            "2",
        ],
        [
            "102",
            "Mouse",
            "--category",
            "Accessories",
            "--price",
            "500",
            "--quantity",
            "20",
            "--threshold",
            "4",
            "--cost",
            "200",
            "--supplier",
            "Acme",
            "--lead-time",
            "3",
        ],
    ):
        assert run("--db", url, "add-product", *argv)[0] == 0
    return url


def state(url: str) -> tuple[object, ...]:
    db = Database.connect(url)
    try:
        return (
            [
                (p.product_id, p.quantity, p.restock_threshold, p.unit_price)
                for p in reports.inventory(db)
            ],
            [(a.alert_id, a.status) for a in reports.active_alerts(db)],
            reports.movements(db).values.tolist(),
        )
    finally:
        db.dispose()


def test_demo_replays_the_spec_scenario() -> None:
    result = run_process("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "bought 2 x 101 Laptop for ₹100,000.00; 5 left" in out
    assert "bought 4 x 103 Mobile for ₹72,000.00; 0 left" in out
    assert "bought 17 x 102 Mouse for ₹8,500.00; 3 left" in out
    assert "restock alert: 103 Mobile is down to 0 (threshold 1)" in out
    assert "restock alert: 102 Mouse is down to 3 (threshold 4)" in out
    summary = out.split("== Sales summary")[1]
    for line in (
        "101  Laptop  Computers        2  ₹100,000.00",
        "103  Mobile  Phones           4   ₹72,000.00",
        "102  Mouse   Accessories     17    ₹8,500.00",
    ):
        assert line in summary
    assert "unknown product '999'" in out
    assert "not enough stock of 101 Laptop: 10 requested, 5 on hand" in out
    assert "Traceback" not in out + result.stderr


def test_purchase_prints_the_sale_and_the_restock_alert(shop_url: str) -> None:
    code, out, err = run("--db", shop_url, "purchase", "102", "17")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "sold 17 x 102 Mouse for £8,500.00; 3 left",
        "restock alert: 102 Mouse is down to 3 (threshold 4)",
    ]
    code, out, _ = run("--db", shop_url, "alerts")
    assert code == 0 and "Mouse" in out and "open" in out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["purchase", "999", "1"], 1, "error: unknown product '999': no product has that id"),
        (
            ["purchase", "101", "8"],
            1,
            "error: not enough stock of 101 Laptop: 8 requested, 7 on hand; nothing was sold",
        ),
        (["purchase", "101", "0"], 1, "error: quantity '0' must be at least 1"),
        (["purchase", "101", "-2"], 1, "error: quantity '-2' must be at least 1"),
        (
            ["purchase", "101", "1.5"],
            1,
            "error: quantity 1.5 must be a whole number of units, not a fraction",
        ),
        (["purchase", "101", "abc"], 1, "error: quantity 'abc' is not a whole number"),
        (
            [
                "add-product",
                "101",
                "Laptop 2",
                "--category",
                "C",
                "--price",
                "1",
                "--quantity",
                "1",
                "--threshold",
                "1",
            ],
            1,
            "error: product '101' already exists; ids must be unique",
        ),
        (
            [
                "add-product",
                "103",
                "Mobile",
                "--category",
                "Phones",
                "--price",
                "-5",
                "--quantity",
                "1",
                "--threshold",
                "1",
            ],
            1,
            "error: unit price '-5' must not be negative",
        ),
        (
            [
                "add-product",
                "103",
                "Mobile",
                "--category",
                "Phones",
                "--price",
                "5",
                "--quantity",
                "x",
                "--threshold",
                "1",
            ],
            1,
            "error: quantity 'x' is not a whole number",
        ),
        (["restock", "999", "5"], 1, "error: unknown product '999': no product has that id"),
        (["restock", "101", "0"], 1, "error: quantity '0' must be at least 1"),
        (
            ["adjust", "101", "--change", "-8", "--reason", "lost"],
            1,
            "error: change -8 would take stock of 101 below zero (7 on hand)",
        ),
        (["acknowledge", "42"], 1, "error: unknown alert 42: no such alert"),
        (
            ["sales-summary", "--from", "2024-13-01"],
            1,
            "error: --from '2024-13-01' is not a date like 2024-03-31",
        ),
        (
            ["sales-summary", "--from", "2024-02-01", "--to", "2024-01-01"],
            1,
            "error: to '2024-01-01' is before from (2024-02-01)",
        ),
        (
            ["purchase", "101"],
            2,
            "stockcore purchase: error: the following arguments are required: quantity",
        ),
        (
            ["adjust", "101", "--change", "1"],
            2,
            "stockcore adjust: error: the following arguments are required: --reason (see --help)",
        ),
        (["sell", "101", "1"], 2, "stockcore: error: argument command: invalid choice: 'sell'"),
    ],
)
def test_every_refusal_exits_non_zero_with_one_clear_line_and_changes_nothing(
    shop_url: str, argv: list[str], code: int, message: str
) -> None:
    before = state(shop_url)
    result = run("--db", shop_url, *argv)
    assert result[0] == code
    assert result[1] == ""
    lines = result[2].splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result[2]
    assert state(shop_url) == before


def test_a_refusal_in_a_real_process_has_no_traceback(shop_url: str) -> None:
    result = run_process("purchase", "101", "99", db_url=shop_url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        result.stderr.strip()
        == "error: not enough stock of 101 Laptop: 99 requested, 7 on hand; nothing was sold"
    )


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    code, out, err = run("--db", "postgresql://nobody@127.0.0.1:1/none", "inventory")
    assert code == 70 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: the database could not be used:")


def test_an_unusable_database_path_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out, err = run("--db", f"sqlite:///{blocker}/shop.db", "inventory")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"error: cannot create the folder {blocker} for the SQLite database: File exists"
    ]


@pytest.mark.parametrize(
    ("raised", "code", "line"),
    [
        (Invalid("a field is wrong"), 1, "error: a field is wrong"),
        (NotFound("no such thing"), 1, "error: no such thing"),
        (Conflict("not now"), 1, "error: not now"),
        (Forbidden("owners only"), 1, "error: owners only"),
        (Unauthenticated("who are you?"), 1, "error: who are you?"),
        (Throttled("too many tries", retry_after_seconds=30), 1, "error: too many tries"),
        (StockcoreError("the ledger is off"), 1, "error: the ledger is off"),
        (
            OperationalError("SELECT 1", {}, Exception("disk I/O error\ndetails")),
            70,
            "error: the database could not be used: disk I/O error",
        ),
        (
            PermissionError(13, "Permission denied", "/backups/shop.db"),
            70,
            "error: Permission denied: /backups/shop.db",
        ),
        (KeyboardInterrupt(), 130, "interrupted; nothing half-written was kept"),
        (
            ZeroDivisionError("division by zero"),
            70,
            "error: unexpected failure (ZeroDivisionError: division by zero); please report it",
        ),
    ],
)
def test_what_a_command_raises_is_one_exit_code_and_one_line_on_stderr(
    shop_url: str, monkeypatch: pytest.MonkeyPatch, raised: BaseException, code: int, line: str
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(reports, "active_alerts", fail)
    assert run("--db", shop_url, "alerts") == (code, "", line + "\n")


def test_inventory_restock_adjust_sales_summary_and_check(shop_url: str) -> None:
    assert run("--db", shop_url, "purchase", "101", "6")[0] == 0
    code, out, _ = run("--db", shop_url, "inventory", "--category", "Computers")
    assert code == 0 and "101" in out and "102" not in out and "RESTOCK" in out
    code, out, _ = run("--db", shop_url, "restock", "101", "5", "--reason", "PO-7")
    assert code == 0 and out.splitlines() == [
        "received 5 x 101 Laptop; 6 on hand",
        "restock alert for 101 resolved",
    ]
    code, out, _ = run("--db", shop_url, "adjust", "102", "--count", "18", "--reason", "stocktake")
    assert code == 0 and out.startswith("adjusted 102 by -2; 18 on hand")
    code, out, _ = run("--db", shop_url, "sales-summary", "--by", "category")
    assert code == 0 and "6 units, £300,000.00 revenue" in out and "Computers" in out
    code, out, _ = run("--db", shop_url, "sales-summary", "--per", "month")
    today = date.today()
    assert code == 0 and f"{today.replace(day=1)}      6  £300,000.00" in out
    code, out, _ = run("--db", shop_url, "check")
    assert code == 0 and "equals the sum of its ledger" in out


def test_init_demo_loads_the_demo_shop_once_with_its_forecasts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, err = run("--db", url, "init", "--demo")
    assert code == 0 and "Demo gift shop loaded" in out
    assert "Forecasts made for 60 products" in out and "forecasting: " in err  # with progress
    code, out, _ = run("--db", url, "reorder")
    assert code == 0 and "order now" in out  # a reorder list, ready
    code, _, err = run("--db", url, "init", "--demo")
    assert (code, err) == (
        1,
        "error: the shop already has products; the demo needs an empty shop\n",
    )
    code, out, _ = run("--db", url, "inventory", "--search", "heart")
    assert code == 0 and "85123A" in out


def test_add_product_takes_every_field_the_dashboard_and_the_api_take(shop_url: str) -> None:
    code, out, err = run(
        "--db", shop_url, "add-product", "201", "Tea tin", "--category", "Kitchen",
        "--price", "4.50", "--quantity", "3", "--threshold", "5", "--cost", "2.10",
        "--supplier", "Tins Ltd", "--lead-time", "12", "--lead-time-sd", "2.5",
        "--min-order", "24", "--pack-size", "6", "--service-level", "98%",
    )  # fmt: skip
    assert code == 0, err
    assert "restock alert: 201 Tea tin is down to 3 (threshold 5)" in out
    product = reports.get_product(Database.connect(shop_url), "201")
    assert product is not None
    assert (product.lead_time_days, product.lead_time_sd_days) == (12, 2.5)
    assert (product.min_order_quantity, product.pack_size, product.service_level) == (24, 6, 0.98)
    code, _, err = run(
        "--db", shop_url, "add-product", "202", "Jar", "--category", "Kitchen", "--price", "1",
        "--quantity", "1", "--threshold", "0", "--pack-size", "0",
    )  # fmt: skip
    assert code == 1 and err.strip() == "error: pack size '0' must be at least 1"
    assert reports.get_product(Database.connect(shop_url), "202") is None
