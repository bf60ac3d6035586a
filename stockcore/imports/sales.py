"""Reading a sales file's rows: every line checked, the good ones kept as a frame.

No database: bytes already decoded to a `CsvText` in, `ParsedSales` out. The date
column is read as a whole (its day/month order decided from every row), here and for
daily totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcore.imports import parsers, reading
from stockcore.imports.reading import (
    Chunks,
    CsvText,
    DateOrder,
    FileFormat,
    FileRefused,
    Layout,
    NeedsDateOrder,
    Problem,
)


@dataclass
class ParsedSales:
    """The rows of a sales file that passed every check, and what was wrong with the rest."""

    layout: Layout
    date_order: DateOrder
    rows_read: int
    # line, sold_at, product_id, quantity, unit_price_minor, order_id, customer_id
    lines: pd.DataFrame
    descriptions: dict[str, str]
    problems: list[Problem]
    non_product_rows: int
    zero_price_rows: int


def parse_sales(csv_text: CsvText, layout: Layout, date_order: DateOrder | None) -> ParsedSales:
    """Check every row of a sales file. Raises NeedsDateOrder when the dates read both ways."""
    columns = layout.columns
    shop_export = layout.file_format is FileFormat.SHOP_EXPORT
    chunks = Chunks(csv_text)
    kept: list[pd.DataFrame] = []
    raw_dates: list[pd.Series] = []
    problems: list[Problem] = []
    descriptions: dict[str, str] = {}
    rows_read = non_products = zero_prices = 0
    decimal_comma: bool | None = None

    for chunk in chunks:
        rows_read += len(chunk)
        codes = chunk[columns["product_id"]]
        skip = parsers.is_non_product(codes, shop_export=shop_export)
        non_products += int(skip.sum())
        chunk = chunk[~skip]
        if chunk.empty:
            continue
        if decimal_comma is None:
            decimal_comma = parsers.uses_decimal_comma(chunk[columns["unit_price"]])
        product = parsers.parse_product_ids(chunk[columns["product_id"]], upper=shop_export)
        quantity = parsers.parse_whole_numbers(
            chunk[columns["quantity"]], allow_negative=True, allow_zero=False
        )
        price = parsers.parse_money_column(
            chunk[columns["unit_price"]], decimal_comma=decimal_comma
        )
        for column, result in (
            ("product_id", product),
            ("quantity", quantity),
            ("unit_price", price),
        ):
            problems += parsers.column_problems(
                chunks, chunk[columns[column]], result, columns[column]
            )
        good = ~(product.bad | quantity.bad | price.bad)
        if "description" in columns:
            raw = chunk[columns["description"]]
            named_ok = parsers.parse_descriptions(raw)
            problems += parsers.column_problems(chunks, raw, named_ok, columns["description"])
            good = good & ~named_ok.bad
        references = {}
        for column in ("order_id", "customer_id"):
            if column in columns:
                raw = chunk[columns[column]]
                parsed = parsers.parse_references(raw)
                problems += parsers.column_problems(chunks, raw, parsed, columns[column])
                good = good & ~parsed.bad
                references[column] = parsed.values
            else:
                references[column] = pd.Series("", index=chunk.index, dtype=reading.TEXT)
        zero = good & (price.values == 0)
        zero_prices += int(zero.sum())
        good = good & ~zero
        order = references["order_id"]
        signed = quantity.values
        if shop_export:
            # Cancellation invoices start with C: their lines take units back.
            cancelled = order.str.upper().str.startswith("C")
            signed = signed.where(~cancelled, -signed.abs())
        frame = pd.DataFrame(
            {
                "position": chunk.index,
                "product_id": product.values,
                "quantity": signed,
                "unit_price_minor": price.values,
                "order_id": order,
                "customer_id": references["customer_id"],
            }
        )[good.to_numpy()]
        kept.append(frame)
        raw_dates.append(chunk.loc[good, columns["date"]])
        if "description" in columns:
            named = chunk.loc[good, [columns["product_id"], columns["description"]]]
            firsts = (
                pd.DataFrame({"id": product.values[good], "name": named[columns["description"]]})
                .assign(name=lambda f: f["name"].fillna("").str.strip())
                .query("name != ''")
                .drop_duplicates("id")
            )
            for pid, name in zip(firsts["id"], firsts["name"], strict=True):
                descriptions.setdefault(pid, parsers.unescape_text(name))

    problems = sorted(chunks.ragged_problems() + problems, key=lambda p: p.line or 0)
    if rows_read == 0 and not problems:
        raise FileRefused("the file has a header but no data rows")
    lines = (
        pd.concat(kept, ignore_index=True)
        if kept
        else pd.DataFrame(
            columns=[
                "position",
                "product_id",
                "quantity",
                "unit_price_minor",
                "order_id",
                "customer_id",
            ]
        )
    )
    dates_raw = (
        pd.concat(raw_dates, ignore_index=True) if raw_dates else pd.Series(dtype=reading.TEXT)
    )
    positions = lines["position"].to_numpy()
    dates, found_order, date_problems = read_dates(
        chunks, columns["date"], dates_raw, positions, date_order
    )
    if date_problems:
        problems = sorted(problems + date_problems, key=lambda p: p.line or 0)
    lines = reading.rows_where(
        lines,
        ~dates.bad.to_numpy(),
        sold_at=dates.values,
        line=chunks.line_numbers(positions),
    )
    return ParsedSales(
        layout,
        found_order,
        rows_read,
        lines,
        descriptions,
        problems,
        non_products,
        zero_prices,
    )


def read_dates(
    chunks: Chunks,
    header: str,
    raw: pd.Series,
    positions: np.ndarray,
    date_order: DateOrder | None,
) -> tuple[parsers.ColumnResult, DateOrder, list[Problem]]:
    """Decide the column's date order (or raise NeedsDateOrder), parse it, name the bad ones.

    raw and positions describe the same rows, in the same order.
    """
    order = date_order or parsers.detect_date_order(raw)
    if order is None:
        sample = raw.iloc[0] if len(raw) else ""
        raise NeedsDateOrder(
            f"the dates in column {header!r} (e.g. {sample!r}) read both as day/month and as "
            "month/day: say which"
        )
    dates = parsers.parse_dates(raw, order)  # results are read by position
    bad = dates.bad.to_numpy()
    problems = [
        Problem(int(n), header, str(value), str(reason))
        for n, value, reason in zip(
            chunks.line_numbers(positions[bad]),
            raw.to_numpy()[bad],
            dates.reasons.to_numpy()[bad],
            strict=True,
        )
    ]
    return dates, order, problems
