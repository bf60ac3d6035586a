"""Column mappings remembered per header set, so a file in an unknown layout is mapped once.

A mapping is {field: column header as written in the file}; it is stored under the
file's header key (the headers, ignoring case and order).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from stockcore.domain import Clock, local_now
from stockcore.imports import reading
from stockcore.imports.reading import CsvText, FileRefused
from stockcore.persistence.db import Database
from stockcore.persistence.models import ColumnMappingRow


def remembered_mapping(db: Database, csv_text: CsvText) -> dict[str, str] | None:
    """The mapping stored for this header set, if it still fits the file's headers."""
    with db.read() as session:
        row = session.get(ColumnMappingRow, csv_text.header_key)
    if row is None:
        return None
    mapping: dict[str, str] = json.loads(row.mapping)
    return mapping if all(h in csv_text.headers for h in mapping.values()) else None


def remember_mapping(
    db: Database, csv_text: CsvText, mapping: Mapping[str, str], *, clock: Clock = local_now
) -> dict[str, str]:
    """Store a mapping for this header set (checked first: it must describe a sales file)."""
    if not mapping:
        raise FileRefused("choose at least the required columns")
    reading.recognise(csv_text.headers, mapping=mapping)
    with db.write() as session:
        session.merge(
            ColumnMappingRow(
                header_key=csv_text.header_key,
                headers=json.dumps(csv_text.headers),
                mapping=json.dumps(dict(mapping)),
                updated_at=clock(),
            )
        )
    return dict(mapping)
