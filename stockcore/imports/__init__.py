"""Use cases for data in and out: preview and import sales, import products, undo, export.

An import is a batch: one file, one transaction. Every row is checked before
anything is written; by default one bad row refuses the whole file (the refusal
names line, column, value and reason for each), or with skip_bad_rows the good
rows go in and the bad ones are reported. Imported sales are history (they feed
reports and forecasts) unless apply_to_stock, which applies each line like a
purchase and refuses the whole batch if any product would be oversold.
`undo_import` removes exactly one batch, stock effects included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stockcore.domain import (
    DEFAULT_CATEGORY,
    NAME_MAX_LENGTH,
    Clock,
    Conflict,
    InsufficientStock,
    Invalid,
    MovementKind,
    NotFound,
    Product,
    StockcoreError,
    local_now,
)
from stockcore.forecasting.refresh import forget_forecasts
from stockcore.forecasting.views import export_forecasts
from stockcore.imports import reading
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
from stockcore.inventory import (
    insert_product,
    sync_lead_time_alerts_in,
    sync_restock_alert_in,
    to_product,
)
from stockcore.persistence.db import Database, bulk_insert, storage_dates, storage_datetimes
from stockcore.persistence.models import (
    AlertRow,
    ColumnMappingRow,
    ImportBatchRow,
    ImportedLineRow,
    ProductImportChangeRow,
    ProductRow,
    PurchaseOrderLineRow,
    SaleLineRow,
    ShopDailySalesRow,
    StockMovementRow,
)

INSERT_CHUNK = 20_000
LARGE_LINE_FACTOR = 20
LARGE_LINE_MINIMUM = 100


@dataclass(frozen=True)
class ImportOptions:
    skip_bad_rows: bool = False
    apply_to_stock: bool = False
    create_products: bool = True
    date_order: DateOrder | None = None
    mapping: Mapping[str, str] | None = None


# --- Parsing a sales file ---------------------------------------------------------------------


@dataclass
class ParsedSales:
    """The rows of a sales file that passed every check, and what was wrong with the rest."""

    layout: Layout
    date_order: DateOrder
    rows_read: int
    lines: (
        pd.DataFrame
    )  # line, sold_at, product_id, quantity, unit_price_minor, order_id, customer_id
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
        skip = reading.is_non_product(codes, shop_export=shop_export)
        non_products += int(skip.sum())
        chunk = chunk[~skip]
        if chunk.empty:
            continue
        if decimal_comma is None:
            decimal_comma = reading.uses_decimal_comma(chunk[columns["unit_price"]])
        product = reading.parse_product_ids(chunk[columns["product_id"]], upper=shop_export)
        quantity = reading.parse_whole_numbers(
            chunk[columns["quantity"]], allow_negative=True, allow_zero=False
        )
        price = reading.parse_money_column(
            chunk[columns["unit_price"]], decimal_comma=decimal_comma
        )
        for column, result in (
            ("product_id", product),
            ("quantity", quantity),
            ("unit_price", price),
        ):
            problems += reading._problems(chunks, chunk[columns[column]], result, columns[column])
        good = ~(product.bad | quantity.bad | price.bad)
        references = {}
        for column in ("order_id", "customer_id"):
            if column in columns:
                raw = chunk[columns[column]]
                parsed = reading.parse_references(raw)
                problems += reading._problems(chunks, raw, parsed, columns[column])
                good = good & ~parsed.bad
                references[column] = parsed.values
            else:
                references[column] = pd.Series("", index=chunk.index)
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
                descriptions.setdefault(pid, reading.unescape_text(name))

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
    dates_raw = pd.concat(raw_dates, ignore_index=True) if raw_dates else pd.Series(dtype=str)
    dates, found_order, date_problems = _read_dates(
        chunks, columns["date"], dates_raw, lines["position"].to_numpy(), date_order
    )
    if date_problems:
        problems = sorted(problems + date_problems, key=lambda p: p.line or 0)
    lines = lines.assign(sold_at=dates.values.to_numpy())[~dates.bad.to_numpy()]
    lines = lines.assign(line=chunks.line_numbers(lines["position"].to_numpy()))
    return ParsedSales(
        layout,
        found_order,
        rows_read,
        lines.reset_index(drop=True),
        descriptions,
        problems,
        non_products,
        zero_prices,
    )


def _read_dates(
    chunks: Chunks,
    header: str,
    raw: pd.Series,
    positions: np.ndarray,
    date_order: DateOrder | None,
) -> tuple[reading.ColumnResult, DateOrder, list[Problem]]:
    """Decide the column's date order (or raise NeedsDateOrder), parse it, name the bad ones.

    raw and positions describe the same rows, in the same order.
    """
    order = date_order or reading.detect_date_order(raw)
    if order is None:
        sample = raw.iloc[0] if len(raw) else ""
        raise NeedsDateOrder(
            f"the dates in column {header!r} (e.g. {sample!r}) read both as day/month and as "
            "month/day: say which (on the page, or --date-order day-first|month-first)"
        )
    dates = reading.parse_dates(raw.reset_index(drop=True), order)
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


# --- Returns, keys and warnings -------------------------------------------------------------


@dataclass
class Netted:
    lines: pd.DataFrame
    return_lines: int
    units_cancelled: int
    units_unmatched: int


def net_returns(lines: pd.DataFrame) -> Netted:
    """Cancel returned units against the sales they undo.

    A return takes units back from the same customer's latest earlier purchases of
    that product, else from the product's latest earlier sales in the file. Lines
    that reach zero disappear. Units that find no earlier sale are left out and
    counted. Sale lines keep their order key, so a re-import nets the same way.
    """
    returns_mask = lines["quantity"].to_numpy() < 0
    sales = lines[~returns_mask].sort_values(["sold_at", "line"], kind="stable")
    returns = lines[returns_mask].sort_values(["sold_at", "line"], kind="stable")
    if returns.empty:
        return Netted(sales.reset_index(drop=True), 0, 0, 0)
    remaining = sales["quantity"].to_numpy().copy()
    times = sales["sold_at"].to_numpy()
    # Candidate sales per product and per (product, customer), as positions in time order
    # (sales are sorted by time; groupby indices keep that order). Only products and
    # customers that have returns are grouped.
    positions = np.arange(len(sales))
    relevant = sales["product_id"].isin(set(returns["product_id"])).to_numpy()
    at_relevant = positions[relevant]  # once: indexing it per key would be O(lines x keys)
    by_product = {
        key: at_relevant[index]
        for key, index in sales[relevant].groupby("product_id", sort=False).indices.items()
    }
    pairs = sales["product_id"] + "\x1f" + sales["customer_id"]
    wanted = set(returns["product_id"] + "\x1f" + returns["customer_id"])
    named = (pairs.isin(wanted) & (sales["customer_id"] != "")).to_numpy()
    at_named = positions[named]
    by_customer: dict[object, np.ndarray] = {
        key: at_named[index]
        for key, index in sales[named]
        .groupby(["product_id", "customer_id"], sort=False)
        .indices.items()
    }
    empty = np.array([], dtype=np.int64)

    cancelled = unmatched = 0
    for product_id, customer, units, when in zip(
        returns["product_id"],
        returns["customer_id"],
        -returns["quantity"],
        returns["sold_at"].to_numpy(),
        strict=True,
    ):
        left = int(units)
        for candidates in (
            by_customer.get((product_id, customer), empty) if customer else empty,
            by_product.get(product_id, empty),
        ):
            # Only sales at or before the return, latest first.
            stop = int(np.searchsorted(times[candidates], when, side="right"))
            for pos in candidates[:stop][::-1]:
                if left == 0:
                    break
                if remaining[pos] == 0:
                    continue
                take: int = min(left, int(remaining[pos]))
                remaining[pos] -= take
                left -= take
        cancelled += int(units) - left
        unmatched += left
    netted = sales.assign(quantity=remaining)
    netted = netted[netted["quantity"] > 0].reset_index(drop=True)
    return Netted(netted, len(returns), cancelled, unmatched)


def order_line_keys(lines: pd.DataFrame) -> pd.Series:
    """ "order|product|n": the n-th line of that product in that order (None without an order)."""
    has_order = lines["order_id"] != ""
    nth = lines.groupby(["order_id", "product_id"], sort=False).cumcount()
    keys = lines["order_id"] + "|" + lines["product_id"] + "|" + nth.astype(str)
    return keys.where(has_order)


def large_line_warnings(lines: pd.DataFrame, limit: int = 5) -> list[str]:
    """Single lines far above the product's usual line size (a bulk or mistaken order)."""
    if lines.empty:
        return []
    usual = lines.groupby("product_id")["quantity"].transform("median")
    count = lines.groupby("product_id")["quantity"].transform("size")
    # The usual size is attached before filtering: assigning a Series to an empty frame
    # would give it that Series' rows.
    big = lines.assign(usual=usual)[
        (count >= 5)
        & (lines["quantity"] >= LARGE_LINE_MINIMUM)
        & (lines["quantity"] > usual * LARGE_LINE_FACTOR)
    ]
    big = big.sort_values("quantity", ascending=False).head(limit)
    return [
        f"line {row['line']}: {row['quantity']:,} units of {row['product_id']} on "
        f"{pd.Timestamp(row['sold_at']).date()} is far above its usual line of "
        f"{row['usual']:,.0f}; check it was not cancelled"
        for row in big.to_dict("records")
    ]


# --- Preview ----------------------------------------------------------------------------------


@dataclass
class SalesPreview:
    """Everything the owner sees before committing a sales import."""

    file_name: str
    sha256: str
    file_format: FileFormat
    encoding: str
    delimiter: str
    date_order: DateOrder
    options: ImportOptions
    rows_read: int
    problems: list[Problem]
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
        parts = [f"{self.rows_read:,} rows read"]
        if self.shop_totals is not None:
            parts.append(f"{self.rows_to_import:,} days of shop totals")
        else:
            parts += [
                f"{self.rows_to_import:,} sale lines",
                f"{self.products:,} products",
                f"{len(self.new_products):,} new products",
                f"{self.units:,} units",
                f"revenue {self.revenue:,.2f}",
            ]
        if self.first_day:
            parts.append(f"{self.first_day} to {self.last_day}")
        if self.non_product_rows:
            parts.append(f"{self.non_product_rows:,} non-product rows skipped")
        if self.zero_price_rows:
            parts.append(f"{self.zero_price_rows:,} zero-price rows skipped")
        if self.return_lines:
            parts.append(
                f"{self.return_lines:,} return lines netted ({self.units_cancelled:,} units)"
            )
        if self.already_imported:
            parts.append(f"{self.already_imported:,} rows already imported")
        if self.problems:
            parts.append(f"{self.bad_rows:,} bad rows skipped")
        return ", ".join(parts)


def read_upload(data: bytes) -> CsvText:
    return reading.decode(data)


def preview_sales_import(
    db: Database, data: bytes, file_name: str, options: ImportOptions = ImportOptions()
) -> SalesPreview:
    """Read and check a sales file and say what importing it would do. Writes nothing."""
    csv_text = reading.decode(data)
    mapping = options.mapping or remembered_mapping(db, csv_text)
    layout = reading.recognise(csv_text.headers, mapping=mapping)
    earlier = imported_as(db, csv_text.sha256)
    if layout.file_format is FileFormat.SHOP_TOTALS:
        return _preview_totals(db, csv_text, file_name, layout, options, earlier)

    parsed = parse_sales(csv_text, layout, options.date_order)
    # Every order line (sale or return) is recorded by its key, so lines an earlier batch
    # already consumed are dropped before returns are netted.
    keyed = parsed.lines.assign(source_key=order_line_keys(parsed.lines))
    with db.read() as session:
        known = set(session.scalars(select(ProductRow.product_id)))
        already = _existing_keys(session, keyed["source_key"].dropna().tolist())
    fresh = ~keyed["source_key"].isin(already).to_numpy() if already else np.ones(len(keyed), bool)
    already_count = int((~fresh).sum())
    keyed = keyed[fresh].reset_index(drop=True)
    new_keys = keyed["source_key"].dropna().tolist()
    netted = net_returns(keyed)
    lines = netted.lines
    problems = list(parsed.problems)

    unknown = sorted(set(lines["product_id"]) - known)
    new_products: dict[str, str] = {}
    if unknown and not options.create_products:
        first_lines = lines[lines["product_id"].isin(unknown)].drop_duplicates("product_id")
        problems += [
            Problem(
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
    csv_text: CsvText,
    file_name: str,
    layout: Layout,
    options: ImportOptions,
    earlier: int | None,
) -> SalesPreview:
    chunks = Chunks(csv_text)
    frames, raw_dates, problems, rows_read = [], [], [], 0
    for chunk in chunks:
        rows_read += len(chunk)
        raw = chunk[layout.columns["sales"]]
        sales = reading.parse_money_column(raw, decimal_comma=reading.uses_decimal_comma(raw))
        problems += reading._problems(chunks, raw, sales, layout.columns["sales"])
        good = ~sales.bad
        frames.append(pd.DataFrame({"position": chunk.index, "sales_minor": sales.values})[good])
        raw_dates.append(chunk.loc[good, layout.columns["date"]])
    if rows_read == 0 and not problems:
        raise FileRefused("the file has a header but no data rows")
    totals = pd.concat(frames, ignore_index=True)
    dates_raw = pd.concat(raw_dates, ignore_index=True)
    dates, order, date_problems = _read_dates(
        chunks, layout.columns["date"], dates_raw, totals["position"].to_numpy(), options.date_order
    )
    problems += date_problems
    bad = dates.bad.to_numpy()
    totals = totals.assign(sold_on=dates.values.dt.normalize().to_numpy())[~bad]
    totals = totals.assign(line=chunks.line_numbers(totals["position"].to_numpy()))
    repeated = totals[totals.duplicated("sold_on", keep="first")]
    problems += [
        Problem(
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
        file_format=FileFormat.SHOP_TOTALS,
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


def imported_as(db: Database, sha256: str) -> int | None:
    """The committed batch that imported a file with this content, if any."""
    with db.read() as session:
        return session.scalars(
            select(ImportBatchRow.id).where(
                ImportBatchRow.content_sha256 == sha256, ImportBatchRow.status == "committed"
            )
        ).first()


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


# --- Commit -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    batch_id: int | None
    preview: SalesPreview
    message: str


def import_sales(
    db: Database,
    data: bytes,
    file_name: str,
    options: ImportOptions = ImportOptions(),
    *,
    clock: Clock = local_now,
    progress: Callable[[float, str], None] | None = None,
) -> ImportOutcome:
    """Check the whole file, then write it as one batch in one transaction (or refuse)."""
    report = progress or (lambda _fraction, _text: None)
    report(0.05, "reading and checking every row")
    preview = preview_sales_import(db, data, file_name, options)
    return commit_sales_import(db, preview, clock=clock, progress=report)


def commit_sales_import(
    db: Database,
    preview: SalesPreview,
    *,
    clock: Clock = local_now,
    progress: Callable[[float, str], None] | None = None,
) -> ImportOutcome:
    report = progress or (lambda _fraction, _text: None)
    if preview.already_imported_as is not None:
        return ImportOutcome(
            None,
            preview,
            "nothing imported: this file was already imported as batch "
            f"{preview.already_imported_as}",
        )
    if preview.refused:
        raise FileRefused(
            f"{preview.bad_rows:,} bad row(s); nothing was imported", preview.problems
        )
    if preview.rows_to_import == 0:
        reason = (
            f"all {preview.already_imported:,} rows were already imported"
            if preview.already_imported
            else "the file holds no sales to import"
        )
        return ImportOutcome(None, preview, f"nothing imported: {reason}")
    try:
        batch_id = _write_batch(db, preview, clock(), report)
    except IntegrityError:
        raise ShopChanged(
            "the shop changed since this preview (the same rows were just imported); "
            "nothing was written: upload the file again to preview afresh"
        ) from None
    report(1.0, "done")
    return ImportOutcome(batch_id, preview, f"batch {batch_id}: {preview.summary()}")


class ShopChanged(Conflict):
    """Another import wrote the same rows between the preview and its commit."""


def _write_batch(
    db: Database, preview: SalesPreview, now: datetime, report: Callable[[float, str], None]
) -> int:
    with db.write() as session:
        batch = ImportBatchRow(
            kind="shop_totals" if preview.shop_totals is not None else "sales",
            file_name=preview.file_name[:255],
            content_sha256=preview.sha256,
            file_format=preview.file_format.value,
            created_at=now,
            rows_read=preview.rows_read,
            rows_imported=preview.rows_to_import,
            rows_skipped=preview.bad_rows if preview.problems else 0,
            rows_already_imported=preview.already_imported,
            non_product_rows=preview.non_product_rows + preview.zero_price_rows,
            new_products=len(preview.new_products),
            units=preview.units,
            revenue=preview.revenue,
            first_day=preview.first_day,
            last_day=preview.last_day,
            applied_to_stock=preview.options.apply_to_stock,
            status="committed",
        )
        session.add(batch)
        session.flush()
        if preview.shop_totals is not None:
            _insert_totals(session, preview.shop_totals, batch.id)
        else:
            _create_products(session, preview, batch.id, now)
            if preview.options.apply_to_stock:
                _apply_to_stock(session, preview, batch.id, now)
            _insert_lines(session, preview.lines, batch.id, report)
            batch_id = batch.id
            # Sorted, so the primary-key index fills in order (several times faster).
            bulk_insert(
                session,
                ImportedLineRow.__table__,
                ["source_key", "import_batch_id"],
                ((key, batch_id) for key in sorted(preview.new_keys)),
            )
        return batch.id


def _create_products(session: Session, preview: SalesPreview, batch_id: int, now: datetime) -> None:
    new_products = preview.new_products
    if not new_products:
        return
    session.execute(
        insert(ProductRow),
        [
            {
                "product_id": pid,
                "name": name,
                "category": DEFAULT_CATEGORY,
                "unit_price": Decimal(preview.new_product_prices.get(pid, 0)) / 100,
                "unit_cost": None,
                "quantity": 0,
                "restock_threshold": 0,
                "supplier": None,
                "lead_time_days": 7,
                "created_at": now,
                "created_by_batch_id": batch_id,
            }
            for pid, name in new_products.items()
        ],
    )
    session.flush()


def _apply_to_stock(session: Session, preview: SalesPreview, batch_id: int, now: datetime) -> None:
    needed = preview.lines.groupby("product_id")["quantity"].sum()
    rows = {
        row.product_id: row
        for row in session.scalars(
            select(ProductRow)
            .where(ProductRow.product_id.in_([str(p) for p in needed.index]))
            .with_for_update()
        )
    }
    refusals = [
        InsufficientStock(pid, rows[pid].name, int(units), rows[pid].quantity)
        for pid, units in ((str(p), u) for p, u in needed.items())
        if units > rows[pid].quantity
    ]
    if refusals:
        raise FileRefused(
            f"applying this file to stock would oversell {len(refusals)} product(s); "
            "nothing was imported",
            [Problem(None, "product_id", r.product_id, str(r)) for r in refusals],
        )
    on_hand = {pid: row.quantity for pid, row in rows.items()}
    movements = []
    ordered = preview.lines.sort_values(["sold_at", "line"], kind="stable")
    for product_id, units, when in zip(
        ordered["product_id"], ordered["quantity"], ordered["sold_at"], strict=True
    ):
        on_hand[product_id] -= int(units)
        movements.append(
            {
                "product_id": product_id,
                "at": pd.Timestamp(when).to_pydatetime(),
                "kind": MovementKind.SALE.value,
                "change": -int(units),
                "quantity_after": on_hand[product_id],
                "reason": f"import batch {batch_id}",
                "sale_line_id": None,
                "import_batch_id": batch_id,
            }
        )
    for start in range(0, len(movements), INSERT_CHUNK):
        session.execute(insert(StockMovementRow), movements[start : start + INSERT_CHUNK])
    for product_id, row in rows.items():
        row.quantity = on_hand[product_id]
    session.flush()
    for row in rows.values():
        sync_restock_alert_in(session, to_product(row), now)
    sync_lead_time_alerts_in(session, [to_product(row) for row in rows.values()], now)


def _insert_lines(
    session: Session,
    lines: pd.DataFrame,
    batch_id: int,
    report: Callable[[float, str], None],
) -> None:
    dialect = session.get_bind().dialect.name
    columns = [
        "product_id",
        "sold_at",
        "sold_on",
        "quantity",
        "unit_price_minor",
        "revenue_minor",
        "source",
        "order_id",
        "customer_id",
        "import_batch_id",
    ]
    total = len(lines)
    for start in range(0, total, INSERT_CHUNK):
        part = lines.iloc[start : start + INSERT_CHUNK]
        quantity = part["quantity"].to_numpy(dtype="int64")
        price = part["unit_price_minor"].to_numpy(dtype="int64")
        stamps = part["sold_at"].to_numpy()
        orders = [order or None for order in part["order_id"].tolist()]
        customers = [customer or None for customer in part["customer_id"].tolist()]
        bulk_insert(
            session,
            SaleLineRow.__table__,
            columns,
            zip(
                part["product_id"].tolist(),
                storage_datetimes(stamps, dialect),
                storage_dates(stamps, dialect),
                quantity.tolist(),
                price.tolist(),
                (quantity * price).tolist(),
                ["history"] * len(part),
                orders,
                customers,
                [batch_id] * len(part),
                strict=True,
            ),
        )
        report(0.3 + 0.7 * min(1.0, (start + len(part)) / max(total, 1)), "writing sale lines")


def _insert_totals(session: Session, totals: pd.DataFrame, batch_id: int) -> None:
    session.execute(
        insert(ShopDailySalesRow),
        [
            {
                "sold_on": pd.Timestamp(day).date(),
                "sales": Decimal(int(minor)) / 100,
                "import_batch_id": batch_id,
            }
            for day, minor in zip(totals["sold_on"], totals["sales_minor"], strict=True)
        ],
    )


# --- Batches and undo -------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchView:
    batch_id: int
    kind: str
    file_name: str
    file_format: str
    created_at: datetime
    rows_read: int
    rows_imported: int
    rows_skipped: int
    rows_already_imported: int
    new_products: int
    units: int
    revenue: Decimal
    first_day: date | None
    last_day: date | None
    applied_to_stock: bool
    status: str

    def line(self) -> str:
        days = f"{self.first_day} to {self.last_day}" if self.first_day else "no dates"
        stock = ", applied to stock" if self.applied_to_stock else ""
        return (
            f"{self.batch_id}  {self.status:<9}  {self.created_at:%Y-%m-%d %H:%M}  "
            f"{self.kind:<11}  "
            f"{self.file_name}: {self.rows_imported:,} rows, {self.units:,} units, "
            f"revenue {self.revenue:,.2f}, {days}{stock}"
        )


def list_batches(db: Database) -> list[BatchView]:
    with db.read() as session:
        return [
            BatchView(
                b.id,
                b.kind,
                b.file_name,
                b.file_format,
                b.created_at,
                b.rows_read,
                b.rows_imported,
                b.rows_skipped,
                b.rows_already_imported,
                b.new_products,
                b.units,
                b.revenue,
                b.first_day,
                b.last_day,
                b.applied_to_stock,
                b.status,
            )
            for b in session.scalars(select(ImportBatchRow).order_by(ImportBatchRow.id.desc()))
        ]


@dataclass(frozen=True)
class UndoOutcome:
    batch_id: int
    sale_lines_removed: int
    days_removed: int
    products_removed: int
    products_kept: list[str]
    products_restored: int
    units_returned_to_stock: int

    @property
    def message(self) -> str:
        parts = [f"batch {self.batch_id} undone: {self.sale_lines_removed:,} sale lines removed"]
        if self.days_removed:
            parts.append(f"{self.days_removed:,} days of shop totals removed")
        if self.units_returned_to_stock:
            parts.append(f"{self.units_returned_to_stock:,} units put back in stock")
        if self.products_removed:
            parts.append(f"{self.products_removed:,} products it created removed")
        if self.products_restored:
            parts.append(f"{self.products_restored:,} products restored")
        if self.products_kept:
            parts.append(
                f"kept {len(self.products_kept)} product(s) it created that have other activity"
            )
        return ", ".join(parts)


def undo_import(db: Database, batch_id: object, *, clock: Clock = local_now) -> UndoOutcome:
    """Remove exactly one batch: its sale lines or totals, its stock effects, its new products."""
    try:
        number = int(str(batch_id).strip())
    except ValueError:
        raise Invalid(f"batch id {batch_id!r} is not a number") from None
    now = clock()
    with db.write() as session:
        batch = session.get(ImportBatchRow, number, with_for_update=True)
        if batch is None:
            raise NotFound(f"unknown import batch {number}: see `imports` for the list")
        if batch.status == "undone":
            raise Conflict(f"import batch {number} was already undone on {batch.undone_at}")
        returned = restored = 0
        if batch.kind == "products":
            restored = _undo_products(session, batch, now)
        if batch.applied_to_stock:
            returned = _return_stock(session, batch, now)
        session.execute(
            update(StockMovementRow)
            .where(
                StockMovementRow.sale_line_id.in_(
                    select(SaleLineRow.id).where(SaleLineRow.import_batch_id == number)
                )
            )
            .values(sale_line_id=None)
        )
        lines = session.execute(delete(SaleLineRow).where(SaleLineRow.import_batch_id == number))
        session.execute(delete(ImportedLineRow).where(ImportedLineRow.import_batch_id == number))
        days = session.execute(
            delete(ShopDailySalesRow).where(ShopDailySalesRow.import_batch_id == number)
        )
        removed, kept = _remove_created_products(session, number)
        batch.status = "undone"
        batch.undone_at = now
        return UndoOutcome(
            number,
            int(getattr(lines, "rowcount", 0) or 0),
            int(getattr(days, "rowcount", 0) or 0),
            removed,
            kept,
            restored,
            returned,
        )


def _return_stock(session: Session, batch: ImportBatchRow, now: datetime) -> int:
    taken = session.execute(
        select(StockMovementRow.product_id, func.sum(StockMovementRow.change))
        .where(
            StockMovementRow.import_batch_id == batch.id,
            StockMovementRow.kind == MovementKind.SALE.value,
        )
        .group_by(StockMovementRow.product_id)
    ).all()
    returned = 0
    restocked: list[Product] = []
    for product_id, change in taken:
        units = -int(change)
        row = session.get(ProductRow, product_id, with_for_update=True)
        if row is None or units == 0:
            continue
        row.quantity += units
        session.add(
            StockMovementRow(
                product_id=product_id,
                at=now,
                kind=MovementKind.ADJUSTMENT.value,
                change=units,
                quantity_after=row.quantity,
                reason=f"undo of import batch {batch.id}",
                import_batch_id=batch.id,
            )
        )
        returned += units
        session.flush()
        sync_restock_alert_in(session, to_product(row), now)
        restocked.append(to_product(row))
    sync_lead_time_alerts_in(session, restocked, now)
    return returned


def _remove_created_products(session: Session, batch_id: int) -> tuple[int, list[str]]:
    created = list(
        session.scalars(select(ProductRow).where(ProductRow.created_by_batch_id == batch_id))
    )
    removed, kept = 0, []
    for row in created:
        busy = any(
            session.scalars(
                select(model.id).where(model.product_id == row.product_id).limit(1)
            ).first()
            is not None
            for model in (SaleLineRow, StockMovementRow, AlertRow, PurchaseOrderLineRow)
        )
        if busy:
            row.created_by_batch_id = None
            kept.append(row.product_id)
        else:
            session.execute(
                delete(ProductImportChangeRow).where(
                    ProductImportChangeRow.product_id == row.product_id,
                    ProductImportChangeRow.import_batch_id == batch_id,
                )
            )
            forget_forecasts(session, [row.product_id])
            session.delete(row)
            removed += 1
    session.flush()
    return removed, kept


# --- Products in ------------------------------------------------------------------------------

_RESTORABLE = (
    "name",
    "category",
    "unit_price",
    "unit_cost",
    "restock_threshold",
    "supplier",
    "lead_time_days",
    "min_order_quantity",
    "pack_size",
    "lead_time_sd_days",
    "service_level",
)


@dataclass(frozen=True)
class ProductImportOutcome:
    batch_id: int | None
    created: int
    updated: int
    unchanged: int
    message: str


def import_products(
    db: Database,
    data: bytes,
    file_name: str,
    *,
    mapping: Mapping[str, str] | None = None,
    clock: Clock = local_now,
) -> ProductImportOutcome:
    """Create new products and update the catalogue fields of existing ones, as one batch.

    New products get their quantity as opening stock (a ledger row), and the defaults
    for columns the file lacks. For existing products only the file's columns change
    (a file without a lead time column leaves lead times alone), and the quantity
    column is ignored: stock changes only through receipts, sales and adjustments.
    Any bad row refuses the whole file.
    """
    csv_text = reading.decode(data)
    layout = reading.recognise(csv_text.headers, kind="products", mapping=mapping)
    columns = layout.columns
    chunks = Chunks(csv_text)
    parsed: list[tuple[int, Product]] = []
    problems: list[Problem] = []
    rows_read = 0
    for chunk in chunks:
        lines = chunks.line_numbers(chunk.index.to_numpy())
        for line, record in zip(lines, chunk.to_dict("records"), strict=True):
            rows_read += 1
            values = {
                f: reading.unescape_text(v) if isinstance(v, str) else v
                for f, v in ((f, record.get(h)) for f, h in columns.items())
            }
            try:
                product = Product.create(
                    values.get("product_id"),
                    values.get("name"),
                    category=values.get("category") or DEFAULT_CATEGORY,
                    unit_price=_strip_money(values.get("unit_price")),
                    unit_cost=_strip_money(values.get("unit_cost")) or None,
                    quantity=values.get("quantity") or 0,
                    restock_threshold=values.get("restock_threshold") or 0,
                    supplier=values.get("supplier") or None,
                    lead_time_days=values.get("lead_time_days") or 7,
                    min_order_quantity=values.get("min_order_quantity"),
                    pack_size=values.get("pack_size"),
                    lead_time_sd_days=values.get("lead_time_sd_days"),
                    service_level=values.get("service_level"),
                )
            except StockcoreError as error:
                field_name = getattr(error, "field", None)
                header = _header_for(field_name, columns)
                problems.append(
                    Problem(
                        int(line),
                        header,
                        _show(getattr(error, "value", None)),
                        getattr(error, "reason", str(error)),
                    )
                )
                continue
            parsed.append((int(line), product))
    problems = sorted(chunks.ragged_problems() + problems, key=lambda p: p.line or 0)
    seen: dict[str, int] = {}
    for line, product in parsed:
        if product.product_id in seen:
            problems.append(
                Problem(
                    line,
                    columns["product_id"],
                    product.product_id,
                    f"appears again (first on line {seen[product.product_id]})",
                )
            )
        seen.setdefault(product.product_id, line)
    if rows_read == 0 and not problems:
        raise FileRefused("the file has a header but no data rows")
    if problems:
        raise FileRefused(f"{len(problems):,} bad row(s); nothing was imported", problems)

    now = clock()
    earlier = imported_as(db, csv_text.sha256)
    if earlier is not None:
        return ProductImportOutcome(
            None, 0, 0, 0, f"nothing imported: this file was already imported as batch {earlier}"
        )
    in_file = [f for f in _RESTORABLE if f in columns or f == "name"]
    created = updated = unchanged = 0
    with db.write() as session:
        batch = ImportBatchRow(
            kind="products",
            file_name=file_name[:255],
            content_sha256=csv_text.sha256,
            file_format=FileFormat.PRODUCTS.value,
            created_at=now,
            rows_read=rows_read,
            rows_imported=len(parsed),
            rows_skipped=0,
            rows_already_imported=0,
            non_product_rows=0,
            new_products=0,
            units=0,
            revenue=Decimal("0"),
            first_day=None,
            last_day=None,
            applied_to_stock=False,
            status="committed",
        )
        session.add(batch)
        session.flush()
        for _line, product in parsed:
            row = session.get(ProductRow, product.product_id, with_for_update=True)
            if row is None:
                insert_product(session, product, now, batch_id=batch.id)
                session.add(
                    ProductImportChangeRow(
                        import_batch_id=batch.id, product_id=product.product_id, before=None
                    )
                )
                created += 1
            else:
                before = {f: _jsonable(getattr(row, f)) for f in _RESTORABLE}
                after = {**before, **{f: _jsonable(getattr(product, f)) for f in in_file}}
                if before == after:
                    unchanged += 1
                    continue
                for name in in_file:
                    setattr(row, name, getattr(product, name))
                session.add(
                    ProductImportChangeRow(
                        import_batch_id=batch.id,
                        product_id=product.product_id,
                        before=json.dumps(before),
                    )
                )
                updated += 1
            session.flush()
            current = session.get(ProductRow, product.product_id)
            assert current is not None
            sync_restock_alert_in(session, to_product(current), now)
        batch.new_products = created
        batch_id = batch.id
    message = (
        f"batch {batch_id}: {rows_read:,} rows read, {created:,} products created, "
        f"{updated:,} updated, {unchanged:,} unchanged"
    )
    return ProductImportOutcome(batch_id, created, updated, unchanged, message)


def _undo_products(session: Session, batch: ImportBatchRow, now: datetime) -> int:
    """Put back the catalogue fields a product import changed; remove its opening stock."""
    restored = 0
    changes = session.scalars(
        select(ProductImportChangeRow).where(ProductImportChangeRow.import_batch_id == batch.id)
    )
    for change in changes:
        row = session.get(ProductRow, change.product_id, with_for_update=True)
        if row is None:
            continue
        if change.before is None:
            opening = session.scalars(
                select(StockMovementRow).where(
                    StockMovementRow.import_batch_id == batch.id,
                    StockMovementRow.product_id == row.product_id,
                )
            ).all()
            others = session.scalars(
                select(StockMovementRow.id)
                .where(
                    StockMovementRow.product_id == row.product_id,
                    (StockMovementRow.import_batch_id != batch.id)
                    | StockMovementRow.import_batch_id.is_(None),
                )
                .limit(1)
            ).first()
            if (
                others is None
                and session.scalars(
                    select(SaleLineRow.id).where(SaleLineRow.product_id == row.product_id).limit(1)
                ).first()
                is None
            ):
                for movement in opening:
                    session.delete(movement)
                session.execute(delete(AlertRow).where(AlertRow.product_id == row.product_id))
                session.flush()
            continue
        before = json.loads(change.before)
        for name in _RESTORABLE:
            if name not in before:  # stored before the field existed
                continue
            value = before[name]
            if name in ("unit_price", "unit_cost") and value is not None:
                value = Decimal(value)
            setattr(row, name, value)
        session.flush()
        sync_restock_alert_in(session, to_product(row), now)
        restored += 1
    session.execute(
        delete(ProductImportChangeRow).where(ProductImportChangeRow.import_batch_id == batch.id)
    )
    return restored


def _strip_money(value: object) -> object:
    if isinstance(value, str):
        text = re.sub(reading._CURRENCY, "", value)
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        return text
    return value


def _header_for(field_name: str | None, columns: Mapping[str, str]) -> str | None:
    if field_name is None:
        return None
    key = field_name.replace(" ", "_")
    aliases = {
        "lead_time": "lead_time_days",
        "minimum_order_quantity": "min_order_quantity",
        "lead_time_sd": "lead_time_sd_days",
    }
    return columns.get(aliases.get(key, key), field_name)


def _blank_if_none(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _show(value: object) -> str | None:
    return None if value is None else str(value)


def _jsonable(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


# --- Column mappings --------------------------------------------------------------------------


def remembered_mapping(db: Database, csv_text: CsvText) -> dict[str, str] | None:
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


# --- Exports ----------------------------------------------------------------------------------


EXPORTS = ("products", "sales", "movements", "alerts", "forecasts")


def export_frame(db: Database, what: str) -> pd.DataFrame:
    """A table to export as CSV; products and sales re-import cleanly."""
    if what == "forecasts":
        return export_forecasts(db)
    with db.read() as session:
        if what == "products":
            rows = session.scalars(select(ProductRow).order_by(ProductRow.product_id)).all()
            return pd.DataFrame(
                [
                    {
                        "product_id": r.product_id,
                        "name": r.name,
                        "category": r.category,
                        "unit_price": f"{r.unit_price:.2f}",
                        "unit_cost": "" if r.unit_cost is None else f"{r.unit_cost:.2f}",
                        "quantity": r.quantity,
                        "restock_threshold": r.restock_threshold,
                        "supplier": r.supplier or "",
                        "lead_time_days": r.lead_time_days,
                        "min_order_quantity": r.min_order_quantity,
                        "pack_size": r.pack_size,
                        "lead_time_sd_days": _blank_if_none(r.lead_time_sd_days),
                        "service_level": _blank_if_none(r.service_level),
                    }
                    for r in rows
                ],
                columns=list(reading.PRODUCT_FIELDS),
            )
        if what == "sales":
            sales = session.scalars(select(SaleLineRow).order_by(SaleLineRow.id)).all()
            return pd.DataFrame(
                [
                    {
                        "date": s.sold_at.strftime("%Y-%m-%d %H:%M:%S"),
                        "product_id": s.product_id,
                        "quantity": s.quantity,
                        "unit_price": f"{s.unit_price:.2f}",
                        "order_id": s.order_id or "",
                        "customer_id": s.customer_id or "",
                    }
                    for s in sales
                ],
                columns=["date", "product_id", "quantity", "unit_price", "order_id", "customer_id"],
            )
        if what == "movements":
            moves = session.scalars(select(StockMovementRow).order_by(StockMovementRow.id)).all()
            return pd.DataFrame(
                [
                    {
                        "at": m.at.strftime("%Y-%m-%d %H:%M:%S"),
                        "product_id": m.product_id,
                        "kind": m.kind,
                        "change": m.change,
                        "quantity_after": m.quantity_after,
                        "reason": m.reason or "",
                        "import_batch": m.import_batch_id or "",
                    }
                    for m in moves
                ],
                columns=[
                    "at",
                    "product_id",
                    "kind",
                    "change",
                    "quantity_after",
                    "reason",
                    "import_batch",
                ],
            )
        if what == "alerts":
            alerts = session.scalars(select(AlertRow).order_by(AlertRow.id)).all()
            return pd.DataFrame(
                [
                    {
                        "alert_id": a.id,
                        "product_id": a.product_id,
                        "kind": a.kind,
                        "status": a.status,
                        "raised_at": a.raised_at.strftime("%Y-%m-%d %H:%M:%S"),
                        "quantity_at_raise": a.quantity_at_raise,
                        "threshold_at_raise": a.threshold_at_raise,
                        "acknowledged_at": _stamp(a.acknowledged_at),
                        "resolved_at": _stamp(a.resolved_at),
                    }
                    for a in alerts
                ],
                columns=[
                    "alert_id",
                    "product_id",
                    "kind",
                    "status",
                    "raised_at",
                    "quantity_at_raise",
                    "threshold_at_raise",
                    "acknowledged_at",
                    "resolved_at",
                ],
            )
    raise Invalid(f"cannot export {what!r}: choose one of {', '.join(EXPORTS)}")


def _stamp(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


TEMPLATE_CSV = (
    "date,product_id,quantity,unit_price,order_id\n"
    "2024-03-01,85123A,6,2.55,10001\n"
    "2024-03-01,71053,6,3.39,10001\n"
    "2024-03-02,85123A,-2,2.55,C10001\n"
)
