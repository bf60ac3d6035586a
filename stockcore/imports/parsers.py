"""A sales or products file's columns parsed whole (vectorised with pandas and Arrow, not
cell by cell): whole numbers, money, dates in the order the file writes them, product ids,
references and descriptions; each parser says which cells are bad and why, and
`column_problems` turns that into the file's own line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcore.domain import CUSTOMER_ID_MAX_LENGTH, MAX_PRICE, PRODUCT_ID_MAX_LENGTH
from stockcore.domain.values import CONTROL_CHARACTER, PRODUCT_ID_PATTERN
from stockcore.imports import reading

MAX_LINE_QUANTITY = 1_000_000
# Postage, fees, vouchers and adjustments: never products, whatever the file's layout.
NON_PRODUCT_CODES = frozenset(
    {
        "POST",
        "POSTAGE",
        "SHIPPING",
        "CARRIAGE",
        "DISCOUNT",
        "BANK CHARGES",
        "AMAZONFEE",
        "ADJUST",
        "ADJUST2",
    }
)
NON_PRODUCT_PREFIXES = ("GIFT_",)
# In the shop export layout, product codes start with a digit; the short codes there (DOT, M,
# D, S, B, C2, CRUK, PADS, TEST001, DCGS...) are postage, manual entries, samples and fees.
# Elsewhere a code like "B" or "M" may well be a real product, so it is not skipped.

_PRODUCT_ID = re.compile(f"^{PRODUCT_ID_PATTERN.pattern}$")
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SLASHED = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
CURRENCY_SIGNS = "[£$€₹\\s\u00a0]"  # a plain pattern: Arrow runs it, not Python per cell


@dataclass
class ColumnResult:
    values: pd.Series
    bad: pd.Series  # bool
    reasons: pd.Series  # str, only meaningful where bad


def column_problems(
    chunks: reading.Chunks, raw: pd.Series, result: ColumnResult, column: str
) -> list[reading.Problem]:
    """One reading.Problem per bad cell of a parsed column, on the file's own line numbers."""
    bad_positions = np.flatnonzero(result.bad.to_numpy())
    if not len(bad_positions):
        return []
    lines = chunks.line_numbers(raw.index.to_numpy()[bad_positions])
    values = raw.to_numpy()[bad_positions]
    reasons = result.reasons.to_numpy()[bad_positions]
    return [
        reading.Problem(int(line), column, str(value), str(reason))
        for line, value, reason in zip(lines, values, reasons, strict=True)
    ]


def _text(raw: pd.Series) -> pd.Series:
    """A column's cells trimmed, a missing cell read as "" (fillna is skipped when nothing
    is missing: without copy-on-write it would copy the column all the same)."""
    return (raw.fillna("") if raw.hasnans else raw).str.strip()


def parse_whole_numbers(
    raw: pd.Series, *, allow_negative: bool, allow_zero: bool, maximum: int = MAX_LINE_QUANTITY
) -> ColumnResult:
    text = _text(raw).str.replace("[\\s\u00a0]", "", regex=True)
    # "3.0" and "3,0" are whole numbers written by spreadsheets.
    text = text.str.replace(r"^([+-]?\d+)[.,]0+$", r"\1", regex=True)
    numbers = pd.to_numeric(text.where(text.str.fullmatch(r"[+-]?\d+")), errors="coerce")
    fractional = text.str.fullmatch(r"[+-]?\d*[.,]\d+")
    reasons = pd.Series("", index=raw.index, dtype=object)
    bad = numbers.isna()
    reasons = reasons.mask(bad, "is not a whole number")
    reasons = reasons.mask(bad & fractional, "must be a whole number of units, not a fraction")
    reasons = reasons.mask(text == "", "is empty")
    filled = numbers.fillna(0)
    too_big = ~bad & (filled.abs() > maximum)
    reasons = reasons.mask(too_big, f"is not a plausible quantity (more than {maximum:,} units)")
    bad = bad | too_big
    if not allow_negative:
        negative = ~bad & (filled < 0)
        reasons = reasons.mask(negative, "must not be negative")
        bad = bad | negative
    if not allow_zero:
        zero = ~bad & (filled == 0)
        reasons = reasons.mask(zero, "must not be zero")
        bad = bad | zero
    return ColumnResult(filled.astype("int64"), bad, reasons)


def uses_decimal_comma(raw: pd.Series) -> bool:
    """A column writes decimals with a comma (1,50 or 1.234,50) rather than a point."""
    text = _text(raw)
    comma = text.str.fullmatch(r"[^,.]*\d+(\.\d{3})*,\d+").sum()
    point = text.str.fullmatch(r"[^,.]*\d+(,\d{3})*\.\d+").sum()
    return bool(comma > point)


def parse_money_column(raw: pd.Series, *, decimal_comma: bool) -> ColumnResult:
    """Amounts (unit price, sales) in minor units (pence): >= 0, rounded to the penny."""
    text = _text(raw).str.replace(CURRENCY_SIGNS, "", regex=True)
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(
        text.where(text.str.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)")), errors="coerce"
    )
    reasons = pd.Series("", index=raw.index, dtype=object)
    bad = numbers.isna()
    reasons = reasons.mask(bad, "is not an amount of money")
    reasons = reasons.mask(bad & (text.str.strip() == ""), "is empty")
    filled = numbers.fillna(0.0)
    negative = ~bad & (filled < 0)
    reasons = reasons.mask(negative, "must not be negative")
    too_big = ~bad & (filled > float(MAX_PRICE))
    reasons = reasons.mask(too_big, f"is not a plausible amount (above {MAX_PRICE:,})")
    bad = bad | negative | too_big
    minor = np.floor(filled.to_numpy() * 100 + 0.5 + 1e-9).astype("int64")
    return ColumnResult(pd.Series(minor, index=raw.index), bad, reasons)


def detect_date_order(raw: pd.Series) -> reading.DateOrder | None:
    """ISO, day-first or month-first, decided from the whole column; None if it reads both ways.

    A day above 12 in the first place means day-first (31/01/2024); in the second,
    month-first (01/31/2024). A column where neither ever happens is ambiguous.
    """
    text = _text(raw)
    filled = (text != "").to_numpy()  # a mask, not a filtered copy of a million dates
    if not filled.any() or text.str.match(_ISO).to_numpy()[filled].mean() > 0.5:
        return reading.DateOrder.ISO
    parts = text.str.extract(_SLASHED)  # an empty cell matches nothing: no day, no month
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    day_first = bool((first > 12).any())
    month_first = bool((second > 12).any())
    if day_first and not month_first:
        return reading.DateOrder.DAY_FIRST
    if month_first and not day_first:
        return reading.DateOrder.MONTH_FIRST
    if not day_first and not month_first:
        return None
    return reading.DateOrder.DAY_FIRST  # both happen: bad rows will be reported either way


def parse_dates(raw: pd.Series, order: reading.DateOrder) -> ColumnResult:
    """Timestamps (day and time of sale) from ISO or slashed dates."""
    text = _text(raw)
    if order is reading.DateOrder.ISO:
        iso = text.str.replace("T", " ", regex=False)
        shaped = text.str.match(_ISO)
        # Only ISO-shaped text is parsed (where() copies the column even when all are).
        stamps = pd.to_datetime(
            iso if shaped.all() else iso.where(shaped), errors="coerce", format="ISO8601"
        )
    else:
        parts = text.str.extract(_SLASHED)
        day, month = (
            (parts[0], parts[1]) if order is reading.DateOrder.DAY_FIRST else (parts[1], parts[0])
        )
        year = parts[2].where(parts[2].str.len() != 2, "20" + parts[2].fillna(""))
        frame = pd.DataFrame(
            {
                "year": pd.to_numeric(year, errors="coerce"),
                "month": pd.to_numeric(month, errors="coerce"),
                "day": pd.to_numeric(day, errors="coerce"),
                "hour": pd.to_numeric(parts[3], errors="coerce").fillna(0),
                "minute": pd.to_numeric(parts[4], errors="coerce").fillna(0),
                "second": pd.to_numeric(parts[5], errors="coerce").fillna(0),
            }
        )
        stamps = pd.to_datetime(frame, errors="coerce")
    bad = stamps.isna()
    shape = (
        "is not a date like 2024-03-31"
        if order is reading.DateOrder.ISO
        else (
            "is not a valid date (read as day/month/year)"
            if order is reading.DateOrder.DAY_FIRST
            else "is not a valid date (read as month/day/year)"
        )
    )
    reasons = pd.Series("", index=raw.index, dtype=object).mask(bad, shape)
    reasons = reasons.mask(text == "", "is empty")
    return ColumnResult(stamps, bad, reasons)


def parse_product_ids(raw: pd.Series, *, upper: bool) -> ColumnResult:
    text = _text(raw)
    if upper:
        text = text.str.upper()
    empty = text == ""
    malformed = ~empty & ~text.str.fullmatch(_PRODUCT_ID)
    too_long = text.str.len() > PRODUCT_ID_MAX_LENGTH
    reasons = pd.Series("", index=raw.index, dtype=object)
    reasons = reasons.mask(malformed, "is not a product id (letters, digits and - _ . only)")
    reasons = reasons.mask(too_long, f"is longer than {PRODUCT_ID_MAX_LENGTH} characters")
    reasons = reasons.mask(empty, "the product id is missing")
    return ColumnResult(text, empty | malformed | too_long, reasons)


REFERENCE_MAX_LENGTH = CUSTOMER_ID_MAX_LENGTH  # order and customer ids, as stored


def parse_references(raw: pd.Series) -> ColumnResult:
    """Order or customer ids: optional text of at most 64 characters, no control characters."""
    text = _text(raw)
    too_long = text.str.len() > REFERENCE_MAX_LENGTH
    control = text.str.contains(CONTROL_CHARACTER.pattern, regex=True)
    reasons = pd.Series("", index=raw.index, dtype=object)
    reasons = reasons.mask(control, "contains a control character")
    reasons = reasons.mask(too_long, f"is longer than {REFERENCE_MAX_LENGTH} characters")
    return ColumnResult(text, too_long | control, reasons)


def parse_descriptions(raw: pd.Series) -> ColumnResult:
    """Product names (descriptions): optional one-line text without control characters."""
    text = _text(raw)
    control = text.str.contains(CONTROL_CHARACTER.pattern, regex=True)
    reasons = pd.Series("", index=raw.index, dtype=object).mask(
        control, "contains a control character; only printable text"
    )
    return ColumnResult(text, control, reasons)


def unescape_text(value: str) -> str:
    """Undo the spreadsheet escape our exports add ('=SUM -> =SUM), so exports re-import."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def is_non_product(codes: pd.Series, *, shop_export: bool) -> pd.Series:
    """Postage, fees, vouchers and adjustments (skipped and counted, never silently). In a
    shop export, product codes start with a digit, so anything else is not a product."""
    upper = _text(codes).str.upper()
    known = upper.isin(NON_PRODUCT_CODES) | upper.str.startswith(NON_PRODUCT_PREFIXES)
    if shop_export:
        known = known | ~upper.str.match(r"^\d")
    return known & (upper != "")
