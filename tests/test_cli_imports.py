"""The import and export commands of `python -m stockcore`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from stockcore.interfaces.cli import main
from stockcore.inventory import reports
from stockcore.persistence.db import Database

DATA = Path(__file__).parent / "data"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


def test_import_list_undo_and_export(url: str, tmp_path: Path) -> None:
    sales = str(DATA / "online_retail_ii_2009_2010_slice.csv")
    code, out, err = run("--db", url, "import-sales", sales, "--dry-run")
    assert (code, err) == (0, "")
    assert out.startswith("dry run: 2,500 rows read") and out.endswith("nothing was written\n")
    assert run("--db", url, "imports")[1] == "No imports yet.\n"

    code, out, _ = run("--db", url, "import-sales", sales)
    assert code == 0 and out.startswith("batch 1: 2,500 rows read")
    assert "return lines netted" in out.splitlines()[0]
    assert out.splitlines()[1] == (
        "new product: 10002 INFLATABLE POLITICAL GLOBE (category Uncategorised, stock 0)"
    )
    assert "new product: ... and " in out
    code, out, _ = run("--db", url, "import-sales", sales)
    assert (code, out) == (0, "nothing imported: this file was already imported as batch 1\n")
    listed = run("--db", url, "imports")[1].splitlines()
    assert len(listed) == 1 and listed[0].startswith("1  committed  ")
    assert "online_retail_ii_2009_2010_slice.csv" in listed[0]

    target = tmp_path / "products.csv"
    code, out, _ = run("--db", url, "export", "products", str(target))
    assert code == 0 and out.startswith("exported ")
    assert target.read_text().startswith("product_id,name,category,unit_price,unit_cost,quantity")
    assert run("--db", url, "export", "sales", "-")[1].startswith(
        "date,product_id,quantity,unit_price,order_id,customer_id\n2009-12-01 07:45:00,"
    )
    for what in ("movements", "alerts"):
        assert run("--db", url, "export", what, str(tmp_path / f"{what}.csv"))[0] == 0

    code, out, _ = run("--db", url, "undo-import", "1")
    assert code == 0 and out.startswith("batch 1 undone: ")
    assert run("--db", url, "imports")[1].startswith("1  undone ")
    db = Database.connect(url)
    assert reports.inventory(db) == [] and reports.sales_date_bounds(db) is None
    db.dispose()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["undo-import", "7"], "error: unknown import batch 7: see `imports` for the list"),
        (["undo-import", "x"], "error: batch id 'x' is not a whole number"),
        (["undo-import", "99999999999"], "error: batch id '99999999999' must not be above"),
        (["export", "orders", "o.csv"], "stockcore export: error: argument what: invalid choice"),
        (["import-sales", "f.csv", "--map", "quantity"], "error: --map 'quantity' must look like"),
    ],
)
def test_import_refusals_are_one_clear_line(url: str, argv: list[str], message: str) -> None:
    code, out, err = run("--db", url, *argv)
    assert code in (1, 2) and out == ""
    assert err.startswith(message) and len(err.splitlines()) == 1


def test_date_order_and_column_mapping_from_the_command_line(url: str, tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("Day;SKU;Qty;Each\n03/04/2024;A;2;1,50\n")
    code, _, err = run("--db", url, "import-sales", str(path))
    assert code == 1 and err.startswith("error: unrecognised columns 'Day', 'SKU', 'Qty', 'Each'")
    mapping = [
        "--map",
        "date=Day",
        "--map",
        "product_id=SKU",
        "--map",
        "quantity=Qty",
        "--map",
        "unit_price=Each",
    ]
    code, _, err = run("--db", url, "import-sales", str(path), *mapping)
    assert code == 1 and "read both as day/month and as month/day" in err
    code, out, _ = run(
        "--db", url, "import-sales", str(path), *mapping, "--date-order", "month-first"
    )
    assert code == 0 and "2 units, revenue 3.00, 2024-03-04 to 2024-03-04" in out


def test_products_import_then_sales_applied_to_stock(url: str, tmp_path: Path) -> None:
    products = tmp_path / "p.csv"
    products.write_text(
        "product_id,name,category,unit_price,quantity,restock_threshold\nA,Mug,Kitchen,3.00,5,2\n"
    )
    code, out, _ = run("--db", url, "import-products", str(products))
    assert (code, out) == (0, "batch 1: 1 rows read, 1 products created, 0 updated, 0 unchanged\n")
    orders = tmp_path / "o.csv"
    orders.write_text("date,product_id,quantity,unit_price,order_id\n2024-03-01,A,4,3.00,9\n")
    code, _, err = run(
        "--db", url, "import-sales", str(orders), "--no-create-products", "--apply-to-stock"
    )
    assert (code, err) == (0, "")
    assert run("--db", url, "inventory")[1].splitlines()[2].split()[4] == "1"
    orders.write_text("date,product_id,quantity,unit_price,order_id\n2024-03-02,A,2,3.00,10\n")
    code, _, err = run("--db", url, "import-sales", str(orders), "--apply-to-stock")
    assert code == 1
    assert err.splitlines() == [
        "error: applying this file to stock would oversell 1 product; nothing was imported",
        "  column 'product_id', value 'A': not enough stock of A Mug: 2 requested, 1 on hand; "
        "nothing was sold",
    ]
