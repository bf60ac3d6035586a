"""A corpus of bad files: each is refused with the exact message, and the database is unchanged."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from stockcore.interfaces.cli import main
from stockcore.persistence.db import Database
from stockcore.persistence.models import ImportBatchRow, ImportedLineRow, ProductRow, SaleLineRow

HEADER = "date,product_id,quantity,unit_price\n"
GOOD = "2024-03-01,85123A,6,2.55\n"


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


CORPUS: list[tuple[str, bytes, list[str]]] = [
    ("empty", b"", ["error: the file is empty"]),
    ("blank lines only", b"\n\n  \n", ["error: the file is empty"]),
    ("header only", HEADER.encode(), ["error: the file has a header but no data rows"]),
    (
        "unknown headers",
        b"colour,size,weight\nred,L,3\n",
        [
            "error: unrecognised columns 'colour', 'size', 'weight': expected the template "
            "(date, product_id, quantity, unit_price, optional order_id), a shop export (Invoice, "
            "StockCode, Description, Quantity, InvoiceDate, Price, Customer ID, Country) or daily "
            "totals (date, sales); map the columns on the Upload page, or pass --map FIELD=COLUMN"
        ],
    ),
    (
        "missing quantity column",
        b"date,product_id,unit_price\n2024-03-01,85123A,2.55\n",
        [
            "error: a sales file needs a 'quantity' column, and this file has none "
            "(its columns: date, product_id, unit_price)"
        ],
    ),
    (
        "non-numeric quantity",
        (HEADER + GOOD + "2024-03-01,71053,ten,3.39\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 3, column 'quantity', value 'ten': is not a whole number",
        ],
    ),
    (
        "fractional quantity",
        (HEADER + "2024-03-01,85123A,1.5,2.55\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 2, column 'quantity', value '1.5': must be a whole number of units, "
            "not a fraction",
        ],
    ),
    (
        "absurd quantity",
        (HEADER + "2024-03-01,85123A,99999999,2.55\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 2, column 'quantity', value '99999999': is not a plausible quantity "
            "(more than 1,000,000 units)",
        ],
    ),
    (
        "zero quantity",
        (HEADER + "2024-03-01,85123A,0,2.55\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 2, column 'quantity', value '0': must not be zero",
        ],
    ),
    (
        "negative price",
        (HEADER + "2024-03-01,85123A,6,-2.50\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 2, column 'unit_price', value '-2.50': must not be negative",
        ],
    ),
    (
        "impossible date",
        (HEADER + GOOD + "2024-02-30,85123A,6,2.55\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 3, column 'date', value '2024-02-30': is not a date like 2024-03-31",
        ],
    ),
    (
        "missing product id",
        (HEADER + "2024-03-01,,6,2.55\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 2, column 'product_id', value '': the product id is missing",
        ],
    ),
    (
        "ragged rows",
        (HEADER + GOOD + "2024-03-01,71053,6,3.39,extra\n2024-03-02,71053\n").encode(),
        [
            "error: 2 bad rows; nothing was imported",
            "  line 3: has more fields than the header's 4",
            "  line 4, column 'quantity', value '': is empty",
            "  line 4, column 'unit_price', value '': is empty",
        ],
    ),
    (
        "binary garbage",
        random.Random(7).randbytes(4000),
        ["error: the file is not a CSV text file (it holds binary data)"],
    ),
    (
        "an .xlsx renamed to .csv",
        xlsx_bytes(),
        [
            "error: this is an Excel workbook (.xlsx) or another zip file, not a CSV: open it in "
            "your spreadsheet and save it as CSV"
        ],
    ),
    (
        "only the last of many rows is bad",
        (HEADER + GOOD * 4999 + "2024-03-01,85123A,x,2.55\n").encode(),
        [
            "error: 1 bad row; nothing was imported",
            "  line 5001, column 'quantity', value 'x': is not a whole number",
        ],
    ),
    (
        "ambiguous dates",
        (HEADER + "03/04/2024,85123A,6,2.55\n05/06/2024,85123A,1,2.55\n").encode(),
        [
            "error: the dates in column 'date' (e.g. '03/04/2024') read both as day/month and as "
            "month/day: say which with --date-order day-first or --date-order month-first"
        ],
    ),
]


def counts(url: str) -> tuple[int, ...]:
    db = Database.connect(url)
    try:
        with db.read() as session:
            return tuple(
                int(session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (SaleLineRow, ProductRow, ImportBatchRow, ImportedLineRow)
            )
    finally:
        db.dispose()


@pytest.mark.parametrize(("name", "content", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_bad_file_is_refused_with_the_exact_message_and_changes_nothing(
    tmp_path: Path, name: str, content: bytes, expected: list[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert main(["--db", url, "init"], out=io.StringIO()) == 0
    before = counts(url)
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, "import-sales", str(path)], out=out, err=err)
    assert code == 1
    assert out.getvalue() == ""
    assert err.getvalue().splitlines() == expected
    assert "Traceback" not in err.getvalue()
    assert counts(url) == before


def test_skip_bad_rows_imports_the_good_ones_and_reports_the_rest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + GOOD + "2024-03-01,71053,ten,3.39\n" + "2024-03-02,71053,2,3.39\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, "import-sales", str(path), "--skip-bad-rows"], out=out, err=err)
    assert (code, err.getvalue()) == (0, "")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("batch 1: 3 rows read, 2 sale lines, 2 products, 2 new products")
    assert lines[0].endswith("1 bad rows skipped")
    assert lines[-1] == "skipped: line 3, column 'quantity', value 'ten': is not a whole number"
    assert counts(url)[0] == 2


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(
        ["--db", f"sqlite:///{tmp_path / 's.db'}", "import-sales", str(tmp_path / "no.csv")],
        out=io.StringIO(),
        err=err,
    )
    assert code == 1
    assert (
        err.getvalue() == f"error: cannot read {tmp_path / 'no.csv'}: No such file or directory\n"
    )
