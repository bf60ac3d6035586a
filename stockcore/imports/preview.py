"""Previewing a sales import: read and check the whole file, say what importing it would do.

Writes nothing. The preview holds the rows as they would be stored (returns netted,
lines an earlier batch consumed dropped, unknown products to create) and every
problem found; `commit.commit_sales_import` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from stockcore.domain import NAME_MAX_LENGTH, InsufficientStock, listing
from stockcore.imports import batches, mappings, parsers, reading
from stockcore.imports.netting import large_line_warnings, net_returns, order_line_keys
from stockcore.imports.sales import parse_sales, read_dates
from stockcore.persistence.db import Database
from stockcore.persistence.models import ImportedLineRow, ProductRow, ShopDailySalesRow


@dataclass(frozen=True)
class ImportOptions:
    """How to import a sales file: what the owner chose on the page or on the command line."""

    skip_bad_rows: bool = False
    apply_to_stock: bool = False
    create_products: bool = True
    date_order: reading.DateOrder | None = None
    mapping: Mapping[str, str] | None = None


# Every default, one frozen instance: safe to share.
DEFAULT_OPTIONS = ImportOptions()


@dataclass
class SalesPreview:
    """Everything the owner sees before committing a sales import."""

    file_name: str
    sha256: str
    file_format: reading.FileFormat
    encoding: str
    delimiter: str
    date_order: reading.DateOrder
    options: ImportOptions
    rows_read: int
    problems: list[reading.Problem]
    non_product_rows: int
    zero_price_rows: int
    return_lines: int
    units_cancelled: int
    units_unmatched: int
    lines: pd.DataFrame  # what would be written
    already_imported: int
    new_products: dict[str, str]  # id -> name
    already_imported_as: int | None
    warnings: list[str] = field(default_factory=list)
    shop_totals: pd.DataFrame | None = None
    new_keys: list[str] = field(default_factory=list)  # order-line keys this import consumes
    new_product_prices: dict[str, int] = field(default_factory=dict)  # id -> minor units

    @property
    def units(self) -> int:
        if self.shop_totals is not None:
            return 0
        return int(self.lines["quantity"].sum())

    @property
    def revenue(self) -> Decimal:
        if self.shop_totals is not None:
            return Decimal(int(self.shop_totals["sales_minor"].sum())) / 100
        minor = int((self.lines["quantity"] * self.lines["unit_price_minor"]).sum())
        return (Decimal(minor) / 100).quantize(Decimal("0.01"))

    @property
    def first_day(self) -> date | None:
        frame = self.shop_totals if self.shop_totals is not None else self.lines
        column = "sold_on" if self.shop_totals is not None else "sold_at"
        return None if frame.empty else pd.Timestamp(frame[column].min()).date()

    @property
    def last_day(self) -> date | None:
        frame = self.shop_totals if self.shop_totals is not None else self.lines
        column = "sold_on" if self.shop_totals is not None else "sold_at"
        return None if frame.empty else pd.Timestamp(frame[column].max()).date()

    @property
    def products(self) -> int:
        return 0 if self.shop_totals is not None else int(self.lines["product_id"].nunique())

    @property
    def rows_to_import(self) -> int:
        frame = self.shop_totals if self.shop_totals is not None else self.lines
        return len(frame)

    @property
    def bad_rows(self) -> int:
        return len({p.line for p in self.problems if p.line is not None}) or len(self.problems)

    @property
    def refused(self) -> bool:
        return bool(self.problems) and not self.options.skip_bad_rows

    def display_rows(self, limit: int = 200) -> pd.DataFrame:
        """The first rows as they will be stored, in the owner's words."""
        if self.shop_totals is not None:
            head = self.shop_totals.head(limit)
            return pd.DataFrame(
                {"line": head["line"], "date": head["sold_on"], "sales": head["sales_minor"] / 100}
            )
        head = self.lines.sort_values("line").head(limit)
        return pd.DataFrame(
            {
                "line": head["line"],
                "date": head["sold_at"],
                "product_id": head["product_id"],
                "quantity": head["quantity"],
                "unit_price": head["unit_price_minor"] / 100,
                "order_id": head["order_id"],
            }
        )

    def summary(self) -> str:
        if self.shop_totals is not None:
            what = [f"{self.rows_to_import:,} days of shop totals"]
        else:
            what = [
                f"{self.rows_to_import:,} sale lines",
                f"{self.products:,} products",
                f"{len(self.new_products):,} new products",
                f"{self.units:,} units",
                f"revenue {self.revenue:,.2f}",
            ]
        return listing(
            f"{self.rows_read:,} rows read",
            *what,
            (self.first_day, f"{self.first_day} to {self.last_day}"),
            (self.non_product_rows, f"{self.non_product_rows:,} non-product rows skipped"),
            (self.zero_price_rows, f"{self.zero_price_rows:,} zero-price rows skipped"),
            (
                self.return_lines,
                f"{self.return_lines:,} return lines netted ({self.units_cancelled:,} units)",
            ),
            (self.already_imported, f"{self.already_imported:,} rows already imported"),
            (self.problems, f"{self.bad_rows:,} bad rows skipped"),
        )


def preview_sales_import(
    db: Database, data: bytes, file_name: str, options: ImportOptions = DEFAULT_OPTIONS
) -> SalesPreview:
    """Read and check a sales file and say what importing it would do. Writes nothing."""
    csv_text = reading.decode(data)
    mapping = options.mapping or mappings.remembered_mapping(db, csv_text)
    layout = reading.recognise(csv_text.headers, mapping=mapping)
    earlier = batches.imported_as(db, csv_text.sha256)
    if layout.file_format is reading.FileFormat.SHOP_TOTALS:
        return _preview_totals(db, csv_text, file_name, layout, options, earlier)

    parsed = parse_sales(csv_text, layout, options.date_order)
    # Every order line (sale or return) is recorded by its key, so lines an earlier batch
    # already consumed are dropped before returns are netted.
    keys = order_line_keys(parsed.lines)
    new_keys = keys.dropna().tolist()
    with db.read() as session:
        known = set(session.scalars(select(ProductRow.product_id)))
        already = _existing_keys(session, new_keys)
    unseen, already_count = parsed.lines, 0
    if already:
        fresh = ~keys.isin(already).to_numpy()
        already_count = int((~fresh).sum())
        unseen = reading.rows_where(parsed.lines, fresh)
        new_keys = keys[fresh].dropna().tolist()
    netted = net_returns(unseen)
    lines = netted.lines
    problems = list(parsed.problems)

    unknown = sorted(set(lines["product_id"]) - known)
    new_products: dict[str, str] = {}
    if unknown and not options.create_products:
        first_lines = lines[lines["product_id"].isin(unknown)].drop_duplicates("product_id")
        problems += [
            reading.Problem(
                int(row["line"]),
                layout.columns["product_id"],
                str(row["product_id"]),
                "unknown product (creating products is switched off)",
            )
            for row in first_lines.to_dict("records")
        ]
        problems.sort(key=lambda p: p.line or 0)
        lines = lines[~lines["product_id"].isin(unknown)].reset_index(drop=True)
    else:
        new_products = {
            pid: (parsed.descriptions.get(pid) or pid)[:NAME_MAX_LENGTH] for pid in unknown
        }
    # A product the import creates is priced at its latest price in the file.
    latest_prices = (
        lines[lines["product_id"].isin(new_products)]
        .sort_values(["sold_at", "line"], kind="stable")
        .groupby("product_id")["unit_price_minor"]
        .last()
    )

    warnings_ = large_line_warnings(lines)
    if netted.units_unmatched:
        warnings_.append(
            f"{netted.units_unmatched:,} returned units found no earlier sale in this file to "
            "cancel and were left out"
        )
    preview = SalesPreview(
        file_name=file_name,
        sha256=csv_text.sha256,
        file_format=layout.file_format,
        encoding=csv_text.encoding_name,
        delimiter=reading.DELIMITER_NAMES[csv_text.delimiter],
        date_order=parsed.date_order,
        options=options,
        rows_read=parsed.rows_read,
        problems=problems,
        non_product_rows=parsed.non_product_rows,
        zero_price_rows=parsed.zero_price_rows,
        return_lines=netted.return_lines,
        units_cancelled=netted.units_cancelled,
        units_unmatched=netted.units_unmatched,
        lines=lines,
        already_imported=already_count,
        new_products=new_products,
        already_imported_as=earlier,
        warnings=warnings_,
        new_keys=new_keys,
        new_product_prices={str(k): int(v) for k, v in latest_prices.items()},
    )
    if options.apply_to_stock and not preview.lines.empty:
        preview.warnings += [str(e) for e in _oversold(db, preview.lines, new_products)]
    return preview


def _preview_totals(
    db: Database,
    csv_text: reading.CsvText,
    file_name: str,
    layout: reading.Layout,
    options: ImportOptions,
    earlier: int | None,
) -> SalesPreview:
    chunks = reading.Chunks(csv_text)
    frames, raw_dates, problems, rows_read = [], [], [], 0
    for chunk in chunks:
        rows_read += len(chunk)
        raw = chunk[layout.columns["sales"]]
        sales = parsers.parse_money_column(raw, decimal_comma=parsers.uses_decimal_comma(raw))
        problems += parsers.column_problems(chunks, raw, sales, layout.columns["sales"])
        good = ~sales.bad
        frames.append(pd.DataFrame({"position": chunk.index, "sales_minor": sales.values})[good])
        raw_dates.append(chunk.loc[good, layout.columns["date"]])
    if rows_read == 0 and not problems:
        raise reading.FileRefused("the file has a header but no data rows")
    totals = pd.concat(frames, ignore_index=True)
    dates_raw = pd.concat(raw_dates, ignore_index=True)
    dates, order, date_problems = read_dates(
        chunks, layout.columns["date"], dates_raw, totals["position"].to_numpy(), options.date_order
    )
    problems += date_problems
    bad = dates.bad.to_numpy()
    totals = totals.assign(sold_on=dates.values.dt.normalize().to_numpy())[~bad]
    totals = totals.assign(line=chunks.line_numbers(totals["position"].to_numpy()))
    repeated = totals[totals.duplicated("sold_on", keep="first")]
    problems += [
        reading.Problem(
            int(row["line"]),
            layout.columns["date"],
            str(pd.Timestamp(row["sold_on"]).date()),
            "this day already has a total earlier in the file",
        )
        for row in repeated.to_dict("records")
    ]
    totals = totals.drop_duplicates("sold_on")
    with db.read() as session:
        existing = set(session.scalars(select(ShopDailySalesRow.sold_on)))
    fresh = ~totals["sold_on"].dt.date.isin(existing)
    problems = sorted(chunks.ragged_problems() + problems, key=lambda p: p.line or 0)
    return SalesPreview(
        file_name=file_name,
        sha256=csv_text.sha256,
        file_format=reading.FileFormat.SHOP_TOTALS,
        encoding=csv_text.encoding_name,
        delimiter=reading.DELIMITER_NAMES[csv_text.delimiter],
        date_order=order,
        options=options,
        rows_read=rows_read,
        problems=problems,
        non_product_rows=0,
        zero_price_rows=0,
        return_lines=0,
        units_cancelled=0,
        units_unmatched=0,
        lines=pd.DataFrame(),
        already_imported=int((~fresh).sum()),
        new_products={},
        already_imported_as=earlier,
        shop_totals=totals[fresh.to_numpy()].reset_index(drop=True),
    )


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    if session.scalars(select(ImportedLineRow.source_key).limit(1)).first() is None:
        return set()  # nothing imported yet: no need to look up a million keys
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        found.update(
            session.scalars(
                select(ImportedLineRow.source_key).where(
                    ImportedLineRow.source_key.in_(keys[start : start + 900])
                )
            )
        )
    return found


def _oversold(
    db: Database, lines: pd.DataFrame, new_products: Mapping[str, str]
) -> list[InsufficientStock]:
    needed = lines.groupby("product_id")["quantity"].sum()
    with db.read() as session:
        rows = {
            row.product_id: row
            for row in session.scalars(
                select(ProductRow).where(ProductRow.product_id.in_(list(needed.index)))
            )
        }
    refusals = []
    for product_id, units in needed.items():
        row = rows.get(str(product_id))
        on_hand = row.quantity if row is not None else 0
        if units > on_hand:
            name = row.name if row is not None else new_products.get(str(product_id), "")
            refusals.append(InsufficientStock(str(product_id), name, int(units), on_hand))
    return refusals
