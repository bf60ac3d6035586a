"""CSV exports that are safe to open in a spreadsheet.

A cell that begins with = + - @ (or a tab/carriage return) would be run as a
formula by Excel, LibreOffice or Google Sheets; such text cells get a leading
apostrophe, the usual escape. Numbers are left alone, so negative quantities stay
numbers.
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text (UTF-8, comma, header row), formula-like text escaped."""
    text_columns = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.assign(**{column: frame[column].map(escape_cell) for column in text_columns})
    return safe.to_csv(index=False)
