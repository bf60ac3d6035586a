"""Files in and out: import-sales, import-products, imports, undo-import, export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from stockcore import imports
from stockcore.domain import DEFAULT_CATEGORY, Invalid, InvalidValue, counted
from stockcore.imports import exports
from stockcore.imports.reading import DateOrder, FileRefused
from stockcore.interfaces.cli.commands import cli_actor, open_db

PROBLEMS_SHOWN = 50  # bad rows listed one per line; the rest are counted
NEW_PRODUCTS_SHOWN = 20


def cmd_import_sales(args: argparse.Namespace, out: TextIO) -> int:
    options = imports.ImportOptions(
        skip_bad_rows=args.skip_bad_rows,
        apply_to_stock=args.apply_to_stock,
        create_products=not args.no_create_products,
        date_order=DateOrder(args.date_order) if args.date_order else None,
        mapping=_mapping(args.map),
    )
    data = _read_file(args.file)
    db = open_db(args)
    name = Path(args.file).name
    if args.dry_run:
        preview = imports.preview_sales_import(db, data, name, options)
        if preview.refused:
            raise FileRefused(
                f"{counted(preview.bad_rows, 'bad row')}; nothing would be imported",
                preview.problems,
            )
        print(f"dry run: {preview.summary()}", file=out)
        _print_new_products(preview, out)
        for warning in preview.warnings:
            print(f"warning: {warning}", file=out)
        if preview.already_imported_as is not None:
            print(
                f"this file was already imported as batch {preview.already_imported_as}", file=out
            )
        print("nothing was written", file=out)
        return 0
    outcome = imports.import_sales(db, data, name, options, actor=cli_actor())
    print(outcome.message, file=out)
    if outcome.batch_id is not None:
        _print_new_products(outcome.preview, out)
    for warning in outcome.preview.warnings:
        print(f"warning: {warning}", file=out)
    problems = outcome.preview.problems
    for problem in problems[:PROBLEMS_SHOWN]:
        print(f"skipped: {problem}", file=out)
    if len(problems) > PROBLEMS_SHOWN:
        print(f"skipped: ... and {len(problems) - PROBLEMS_SHOWN:,} more", file=out)
    return 0


def cmd_import_products(args: argparse.Namespace, out: TextIO) -> int:
    data = _read_file(args.file)
    db = open_db(args)
    outcome = imports.import_products(
        db, data, Path(args.file).name, mapping=_mapping(args.map), actor=cli_actor()
    )
    print(outcome.message, file=out)
    return 0


def cmd_imports(args: argparse.Namespace, out: TextIO) -> int:
    batches = imports.list_batches(open_db(args))
    if not batches:
        print("No imports yet.", file=out)
    for batch in batches:
        print(batch.line(), file=out)
    return 0


def cmd_undo_import(args: argparse.Namespace, out: TextIO) -> int:
    print(
        imports.undo_import(open_db(args), args.batch_id, actor=cli_actor()).message,
        file=out,
    )
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    frame = imports.export_frame(open_db(args), args.what)
    text = exports.to_csv(frame)
    if args.file == "-":
        out.write(text)
        return 0
    try:
        Path(args.file).write_text(text, encoding="utf-8", newline="")
    except OSError as failure:
        raise Invalid(f"cannot write {args.file}: {failure.strerror or failure}") from None
    print(f"exported {len(frame):,} rows of {args.what} to {args.file}", file=out)
    return 0


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as failure:
        raise Invalid(f"cannot read {path}: {failure.strerror or failure}") from None


def _mapping(pairs: list[str] | None) -> dict[str, str] | None:
    """`--map FIELD=COLUMN` options as the import's field-to-column mapping."""
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InvalidValue("--map", pair, "must look like FIELD=COLUMN, e.g. quantity=Qty")
        mapping[field.strip()] = column.strip()
    return mapping


def _print_new_products(preview: imports.SalesPreview, out: TextIO) -> None:
    items = list(preview.new_products.items())
    for product_id, name in items[:NEW_PRODUCTS_SHOWN]:
        print(f"new product: {product_id} {name} (category {DEFAULT_CATEGORY}, stock 0)", file=out)
    if len(items) > NEW_PRODUCTS_SHOWN:
        print(f"new product: ... and {len(items) - NEW_PRODUCTS_SHOWN:,} more", file=out)
