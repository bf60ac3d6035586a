"""Reading the CSV files owners bring: decoding, delimiters, formats, and row checks.

Pure functions, no database: bytes in, validated rows and a list of problems out.
Every problem names the line (1 is the header), the column, the value and what is
wrong. The rows are checked column by column with pandas (vectorised), in chunks,
so a million-row file is read in seconds and never sits in memory as Python objects.

Recognised without help:
* the template: date, product_id, quantity, unit_price[, order_id]
* the shop export layout: Invoice/InvoiceNo, StockCode, Description, Quantity,
  InvoiceDate, Price/UnitPrice, Customer ID/CustomerID, Country
* shop-level daily totals: date, sales
* products: product_id, name[, category, unit_price, unit_cost, quantity,
  restock_threshold, supplier, lead_time_days]
Anything else needs a column mapping ({field: column header}).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from stockcore.domain import (
    PRODUCT_COLUMNS,
    Invalid,
)

CHUNK_ROWS = 200_000
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
# Every text column is Arrow-backed (what pandas 3 calls "str", NaN for a missing value),
# asked for explicitly rather than by a global option: the string checks run in Arrow,
# and a million-row column takes a fraction of the memory of Python string objects.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


class FileFormat(StrEnum):
    TEMPLATE = "template"
    SHOP_EXPORT = "shop export"
    SHOP_TOTALS = "daily totals"
    PRODUCTS = "products"
    MAPPED = "mapped columns"


class DateOrder(StrEnum):
    ISO = "iso"
    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


# Fields a sales file can fill, and which of them are required.
SALES_FIELDS = (
    "date",
    "product_id",
    "quantity",
    "unit_price",
    "order_id",
    "description",
    "customer_id",
)
SALES_REQUIRED = ("date", "product_id", "quantity", "unit_price")
TOTALS_FIELDS = ("date", "sales")
PRODUCT_FIELDS = PRODUCT_COLUMNS  # a products file's columns, as an export writes them
PRODUCT_REQUIRED = ("product_id", "name", "unit_price")

# Normalised header -> field, per recognised layout.
_TEMPLATE_HEADERS = {
    "date": "date",
    "productid": "product_id",
    "quantity": "quantity",
    "unitprice": "unit_price",
    "orderid": "order_id",
    "description": "description",
    "customerid": "customer_id",
}
_SHOP_EXPORT_HEADERS = {
    "invoice": "order_id",
    "invoiceno": "order_id",
    "stockcode": "product_id",
    "description": "description",
    "quantity": "quantity",
    "invoicedate": "date",
    "price": "unit_price",
    "unitprice": "unit_price",
    "customerid": "customer_id",
    "country": "country",
}
_PRODUCT_HEADERS = {
    "productid": "product_id",
    "name": "name",
    "category": "category",
    "unitprice": "unit_price",
    "unitcost": "unit_cost",
    "quantity": "quantity",
    "restockthreshold": "restock_threshold",
    "supplier": "supplier",
    "leadtimedays": "lead_time_days",
    "minorderquantity": "min_order_quantity",
    "moq": "min_order_quantity",
    "packsize": "pack_size",
    "leadtimesddays": "lead_time_sd_days",
    "leadtimesd": "lead_time_sd_days",
    "servicelevel": "service_level",
}


# --- Problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (line, column), what (value) and why."""

    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
            where.append(f"value {shown!r}")
        return (", ".join(where) + ": " if where else "") + self.reason


class FileRefused(Invalid):
    """The file (or some of its rows) cannot be imported; nothing was written."""

    def __init__(self, summary: str, problems: list[Problem] | None = None) -> None:
        self.summary = summary
        self.problems = problems or []
        first = f": {self.problems[0]}" if self.problems else ""
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{summary}{first}{more}")


class NeedsDateOrder(FileRefused):
    """Every date in the column reads both ways (e.g. 03/04/2024): the owner must say which."""


class NeedsMapping(FileRefused):
    """The headers are not a layout we know: the owner maps them to fields."""

    def __init__(self, summary: str, headers: list[str]) -> None:
        self.headers = headers
        super().__init__(summary)


# --- Decoding and sniffing ------------------------------------------------------------------


@dataclass(frozen=True)
class CsvText:
    """A CSV file whose encoding and delimiter are known, ready to read in chunks.

    It keeps the file's bytes (pandas decodes them chunk by chunk), not a decoded copy:
    a million-row file would otherwise sit in memory twice.
    """

    data: bytes
    encoding: str
    delimiter: str
    headers: list[str]
    sha256: str

    @property
    def encoding_name(self) -> str:
        """The encoding as people know it."""
        names = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
        return names.get(self.encoding, self.encoding)

    @property
    def header_key(self) -> str:
        """Identifies a header set (for remembered mappings), ignoring case and order."""
        normalised = "|".join(sorted(normalise_header(h) for h in self.headers))
        return hashlib.sha256(normalised.encode()).hexdigest()


def normalise_header(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _stray_nul(data: bytes) -> list[Problem]:
    """Where a text file holds a NUL byte (none of its lines may), or nothing for data that
    is not text even without its NULs."""
    try:
        rest = data.replace(b"\x00", b"").decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    if sum(1 for ch in rest[:65536] if ord(ch) < 32 and ch not in "\t\r\n") > 2:
        return []
    line = data[: data.index(b"\x00")].count(b"\n") + 1
    return [Problem(line, None, None, "holds a NUL byte, which no text holds")]


def decode(data: bytes) -> CsvText:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252; find the delimiter.

    Refuses empty files, spreadsheets saved in Excel's own format, and binary data.
    """
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise FileRefused("the file is empty")
    if data.startswith(b"PK\x03\x04"):
        raise FileRefused(
            "this is an Excel workbook (.xlsx) or another zip file, not a CSV: open it in "
            "your spreadsheet and save it as CSV"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "this is an old Excel workbook (.xls), not a CSV: open it in your spreadsheet "
            "and save it as CSV"
        )
    # Decode the whole file once to be sure of its encoding, then keep only a sample.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16"), "utf-16"
    elif b"\x00" in data[:65536]:
        raise FileRefused(
            "the file is not a CSV text file (it holds binary data)", _stray_nul(data)
        )
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise FileRefused(
                    "the file is not text in UTF-8 or Windows-1252 (cp1252) encoding"
                ) from None
    sample = text[:65536]
    del text
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if "\x00" in sample or control > max(2, len(sample) // 200):
        raise FileRefused("the file is not a CSV text file (it holds binary data)")
    delimiter = sniff_delimiter(sample)
    headers = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise FileRefused("the file has no header line", [Problem(1, None, None, "empty line")])
    return CsvText(data, encoding, delimiter, headers, sha)


def sniff_delimiter(sample: str) -> str:
    """Comma, semicolon or tab: whichever splits the first lines into the most, consistently."""
    lines = sample.splitlines()[:50]
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- Formats --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Which format a file is in, and which header feeds each field."""

    file_format: FileFormat
    columns: dict[str, str]  # field -> header as written in the file


def recognise(
    headers: list[str], *, kind: str = "sales", mapping: Mapping[str, str] | None = None
) -> Layout:
    """Recognise a known layout from the headers (or apply an explicit mapping).

    kind is "sales" (sales lines or daily totals) or "products".
    """
    by_normal = {normalise_header(h): h for h in headers if h}
    if mapping:
        missing_headers = [h for h in mapping.values() if h not in headers]
        if missing_headers:
            raise FileRefused(
                f"the mapping names a column the file does not have: {missing_headers[0]!r}"
            )
        fields = dict(mapping)
        required = PRODUCT_REQUIRED if kind == "products" else SALES_REQUIRED
        if kind == "sales" and set(fields) >= set(TOTALS_FIELDS) and "product_id" not in fields:
            return Layout(FileFormat.SHOP_TOTALS, fields)
        _require(fields, required, headers, "the mapping")
        return Layout(FileFormat.MAPPED, fields)

    if kind == "products":
        fields = _pick(by_normal, _PRODUCT_HEADERS)
        _require(fields, PRODUCT_REQUIRED, headers, "a products file")
        return Layout(FileFormat.PRODUCTS, fields)

    if {"date", "sales"} <= set(by_normal) and "productid" not in by_normal:
        return Layout(
            FileFormat.SHOP_TOTALS, {"date": by_normal["date"], "sales": by_normal["sales"]}
        )
    if "stockcode" in by_normal:
        fields = _pick(by_normal, _SHOP_EXPORT_HEADERS)
        _require(fields, SALES_REQUIRED, headers, "a shop export")
        return Layout(FileFormat.SHOP_EXPORT, fields)
    fields = _pick(by_normal, _TEMPLATE_HEADERS)
    if len(set(fields) & set(SALES_REQUIRED)) >= 2:
        _require(fields, SALES_REQUIRED, headers, "a sales file")
        return Layout(FileFormat.TEMPLATE, fields)
    raise NeedsMapping(
        "unrecognised columns "
        + ", ".join(repr(h) for h in headers[:12])
        + ": expected the template (date, product_id, quantity, unit_price, optional order_id), "
        "a shop export (Invoice, StockCode, Description, Quantity, InvoiceDate, Price, "
        "Customer ID, Country) or daily totals (date, sales); map the columns on the Upload "
        "page, or pass --map FIELD=COLUMN",
        headers,
    )


def _pick(by_normal: Mapping[str, str], known: Mapping[str, str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for normal, header in by_normal.items():
        target = known.get(normal)
        if target and target not in fields:
            fields[target] = header
    return fields


def _require(
    fields: Mapping[str, str], required: tuple[str, ...], headers: list[str], what: str
) -> None:
    missing = [f for f in required if f not in fields]
    if missing:
        found = ", ".join(h for h in headers if h) or "none"
        raise FileRefused(
            f"{what} needs a {missing[0]!r} column, and this file has none (its columns: {found})"
        )


# --- Reading rows in chunks -----------------------------------------------------------------


@dataclass
class Chunks:
    """Iterates a file's data rows as string DataFrames, tracking real line numbers."""

    csv_text: CsvText
    chunk_rows: int = CHUNK_ROWS
    skipped_lines: list[int] = field(default_factory=list)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        expected = len(self.csv_text.headers)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reader = pd.read_csv(
                io.BytesIO(self.csv_text.data),
                encoding=self.csv_text.encoding,
                sep=self.csv_text.delimiter,
                dtype=TEXT,
                keep_default_na=False,
                na_values=[],
                skipinitialspace=False,
                chunksize=self.chunk_rows,
                on_bad_lines="warn",
                engine="c",
                header=0,
                names=None,
            )
            first_row = 0
            seen_warnings = 0
            for chunk in reader:
                for warning in caught[seen_warnings:]:
                    self.skipped_lines.extend(
                        int(n) for n in re.findall(r"Skipping line (\d+)", str(warning.message))
                    )
                seen_warnings = len(caught)
                chunk.columns = [str(c).strip() for c in chunk.columns]
                chunk.index = pd.RangeIndex(first_row, first_row + len(chunk))
                first_row += len(chunk)
                if len(chunk.columns) != expected:
                    break
                yield chunk
                # Every Series a string method was called on sits in a reference cycle (pandas
                # caches its .str accessor), so a chunk's intermediate columns outlive it until
                # the collector runs, and pile up over a million-row file. They are young:
                # collecting the young generations frees them, and costs next to nothing.
                gc.collect(1)

    def line_numbers(self, positions: np.ndarray) -> np.ndarray:
        """File line numbers (header = 1) of data rows at these 0-based positions."""
        if not self.skipped_lines:
            return positions + 2
        skipped = np.array(sorted(self.skipped_lines))
        # The n-th kept row sits after every skipped line that comes before it.
        lines = positions + 2
        for _ in range(len(skipped) + 1):
            shift = np.searchsorted(skipped, lines, side="right")
            updated = positions + 2 + shift
            if np.array_equal(updated, lines):
                break
            lines = updated
        return lines

    def ragged_problems(self) -> list[Problem]:
        expected = len(self.csv_text.headers)
        return [
            Problem(line, None, None, f"has more fields than the header's {expected}")
            for line in sorted(self.skipped_lines)
        ]


def rows_where(
    frame: pd.DataFrame, keep: np.ndarray, **columns: np.ndarray | pd.Series
) -> pd.DataFrame:
    """The rows of frame that keep selects (a boolean mask, or positions in the order
    wanted), numbered from 0, with columns added or replaced (full-length values in
    frame's row order): one copy of each column.

    A mask followed by sort_values, assign and reset_index copies the whole frame at
    every step unless pandas copies on write; a million-row import cannot afford that.
    """
    every: dict[str, ExtensionArray | np.ndarray] = {
        name: frame[name].array for name in frame.columns
    }
    every.update({name: v.array if isinstance(v, pd.Series) else v for name, v in columns.items()})
    return pd.DataFrame({name: values[keep] for name, values in every.items()}, copy=False)
