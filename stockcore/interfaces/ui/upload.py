"""The Upload page's steps: column mapping, date order, preview, commit, batches, exports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import astuple, replace
from typing import TypeVar

import pandas as pd
import streamlit as st

from stockcore import imports
from stockcore.domain import StockcoreError, counted
from stockcore.imports import exports, reading
from stockcore.imports.reading import DateOrder, FileRefused, NeedsDateOrder, NeedsMapping, Problem
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth, tables

T = TypeVar("T")
_PREVIEW = "_upload_preview"
_DATE_ORDER = "_upload_date_order"
NONE = "(not in this file)"
SHOWN_PROBLEMS = 20


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [(p.line, p.column, p.value, p.reason) for p in problems],
        columns=["line", "column", "value", "what is wrong"],
    )


def show_problems(summary: str, problems: list[Problem], *, key: str) -> None:
    """The first problems on the page, the full list as a download."""
    st.error(summary, icon=":material/block:")
    if not problems:
        return
    st.dataframe(
        problems_frame(problems[:SHOWN_PROBLEMS]),
        hide_index=True,
        column_config=tables.PROBLEM_COLUMNS,
        placeholder=tables.EMPTY,
    )
    if len(problems) > SHOWN_PROBLEMS:
        st.caption(f"Showing the first {SHOWN_PROBLEMS} of {len(problems):,}.")
    st.download_button(
        f"Download all {len(problems):,} problems (CSV)",
        exports.to_csv(problems_frame(problems)),
        file_name="import_problems.csv",
        mime="text/csv",
        key=f"{key}_download",
    )


def _preview(data: bytes, name: str, options: imports.ImportOptions) -> imports.SalesPreview:
    """Preview once per file and set of options (a big file takes seconds to check)."""
    key = (hashlib.sha256(data).hexdigest(), name, astuple(options)[:4])
    cached = st.session_state.get(_PREVIEW)
    if cached is not None and cached[0] == key:
        preview: imports.SalesPreview = cached[1]
        return preview
    with st.spinner("Reading and checking every row…"):
        preview = imports.preview_sales_import(ui.database(), data, name, options)
    st.session_state[_PREVIEW] = (key, preview)
    return preview


def forget_preview() -> None:
    st.session_state.pop(_PREVIEW, None)


_UPLOADER_VERSION = "_upload_version"


def uploader_key() -> str:
    """The file uploader's key; a new one empties the uploader after a file went in."""
    return f"upload_file_{st.session_state.get(_UPLOADER_VERSION, 0)}"


def finished(message: str) -> None:
    """A file went in: say so on the next run, with an empty uploader."""
    ui.changed()
    forget_preview()
    ui.flash(message, icon=":material/upload_file:")
    st.session_state["upload_done"] = message
    st.session_state[_UPLOADER_VERSION] = st.session_state.get(_UPLOADER_VERSION, 0) + 1
    st.rerun()


def sales_file(data: bytes, name: str, options: imports.ImportOptions) -> None:
    """From an uploaded sales file to a committed batch, one step per run."""
    sha = hashlib.sha256(data).hexdigest()
    chosen_order = st.session_state.get(_DATE_ORDER, {}).get(sha)
    options = replace(options, date_order=chosen_order)
    try:
        preview = _preview(data, name, options)
    except NeedsMapping as need:
        mapping_form(data, need)
        return
    except NeedsDateOrder as need:
        date_order_question(sha, str(need))
        return
    except FileRefused as refused:
        show_problems(
            f"Refused: {refused.summary}. Nothing was imported.", refused.problems, key="refused"
        )
        return
    except StockcoreError as refusal:
        ui.show_refusal(refusal)
        return
    show_preview(preview)


DATE_ORDER_WORDS = {
    DateOrder.ISO: "year-month-day (2024-01-31)",
    DateOrder.DAY_FIRST: "day/month/year (31/01/2024)",
    DateOrder.MONTH_FIRST: "month/day/year (01/31/2024)",
}


def date_order_question(sha: str, message: str) -> None:
    st.warning(
        message,
        icon=":material/calendar_month:",
    )
    with st.form("date_order_form"):
        choice = st.radio(
            "How are the dates in this file written?",
            [DateOrder.DAY_FIRST.value, DateOrder.MONTH_FIRST.value],
            format_func=lambda order: DATE_ORDER_WORDS[DateOrder(order)],
            key="date_order_choice",
        )
        if st.form_submit_button("Use this date order"):
            st.session_state.setdefault(_DATE_ORDER, {})[sha] = DateOrder(choice)
            forget_preview()
            st.rerun()


def mapping_form(data: bytes, need: NeedsMapping) -> None:
    st.info(
        "These columns are not a layout stockcore knows. Say which column holds what; the "
        "mapping is remembered for files with the same columns.",
        icon=":material/table_edit:",
    )
    st.caption(f"Columns in the file: {', '.join(need.headers)}")
    with st.form("mapping_form"):
        totals = st.toggle(
            "This file holds shop-level daily totals (date, sales)", key="map_totals"
        )
        fields = reading.TOTALS_FIELDS if totals else reading.SALES_FIELDS
        choices: dict[str, str] = {}
        columns = st.columns(2)
        for index, field in enumerate(fields):
            required = field in (reading.TOTALS_FIELDS if totals else reading.SALES_REQUIRED)
            choices[field] = columns[index % 2].selectbox(
                f"{field}{' (required)' if required else ''}",
                [NONE, *need.headers],
                key=f"map_{field}",
            )
        submitted = st.form_submit_button("Save mapping and preview", type="primary")
    if submitted:
        mapping = {field: column for field, column in choices.items() if column != NONE}
        saved = ui.attempt(
            lambda: imports.remember_mapping(ui.database(), reading.decode(data), mapping)
        )
        if saved is not None:
            forget_preview()
            st.rerun()


def show_preview(preview: imports.SalesPreview) -> None:
    st.subheader("Preview")
    st.caption(
        f"Read as a {preview.file_format.value} file, {preview.encoding}, "
        f"{preview.delimiter}-separated, dates {DATE_ORDER_WORDS[preview.date_order]}. "
        "Nothing is written until you import."
    )
    if preview.already_imported_as is not None:
        st.info(
            f"This file was already imported as batch {preview.already_imported_as}; "
            "importing it again adds nothing.",
            icon=":material/content_copy:",
        )
    top = st.columns(4)
    top[0].metric("Rows read", f"{preview.rows_read:,}")
    top[1].metric("Rows to import", f"{preview.rows_to_import:,}")
    if preview.shop_totals is None:
        top[2].metric(
            "Products", f"{preview.products:,}", help=f"{len(preview.new_products):,} new"
        )
        top[3].metric("Units", f"{preview.units:,}")
    bottom = st.columns(4)
    bottom[0].metric("Revenue", ui.money(preview.revenue, pence=False))
    bottom[1].metric("From", tables.day_text(preview.first_day))
    bottom[2].metric("To", tables.day_text(preview.last_day))
    bottom[3].metric("New products", f"{len(preview.new_products):,}")
    for warning in preview.warnings:
        st.warning(warning, icon=":material/warning:")
    if preview.problems:
        verdict = (
            f"{counted(preview.bad_rows, 'bad row')} will be skipped."
            if preview.options.skip_bad_rows
            else f"{counted(preview.bad_rows, 'bad row')}: the file is refused as a whole. Fix "
            f"{'it' if preview.bad_rows == 1 else 'them'}, or "
            "tick 'Skip bad rows'."
        )
        show_problems(verdict, preview.problems, key="preview_problems")
    if preview.new_products:
        with st.expander(f"{len(preview.new_products):,} new products (category Uncategorised)"):
            st.dataframe(
                pd.DataFrame(list(preview.new_products.items()), columns=["product_id", "name"]),
                hide_index=True,
                column_config=tables.NEW_PRODUCT_COLUMNS,
                placeholder=tables.EMPTY,
            )
    st.caption("The first rows, as they will be stored:")
    st.dataframe(
        preview.display_rows(200),
        hide_index=True,
        column_config=tables.preview_columns(),
        placeholder=tables.EMPTY,
        key="preview_rows",
    )
    blocked = preview.refused or preview.rows_to_import == 0
    if st.button("Import", type="primary", disabled=blocked, key="upload_commit"):
        commit(preview)


def commit(preview: imports.SalesPreview) -> None:
    with st.status("Importing…", expanded=True) as status:
        bar = st.progress(0.0)

        def progress(fraction: float, text: str) -> None:
            bar.progress(fraction, text=text)

        outcome = _attempt(
            lambda: imports.commit_sales_import(
                ui.database(), preview, actor=auth.current_actor(), progress=progress
            ),
            key="commit_refused",
        )
        if outcome is None:  # nothing was written; the next run previews the file afresh
            status.update(label="Refused", state="error")
            forget_preview()
            return
        status.update(label=outcome.message, state="complete")
    finished(outcome.message)


def products_file(data: bytes, name: str) -> None:
    if st.button("Import products", type="primary", key="upload_products_commit"):
        outcome = _attempt(
            lambda: imports.import_products(ui.database(), data, name, actor=auth.current_actor()),
            key="products_refused",
        )
        if outcome is not None:
            finished(outcome.message)


def _attempt(action: Callable[[], T], *, key: str) -> T | None:
    """`ui.attempt` for a file: a refused file's problems are listed under its summary."""
    try:
        return action()
    except FileRefused as refused:
        show_problems(f"Refused: {refused.summary}", refused.problems, key=key)
    except StockcoreError as refusal:
        ui.show_refusal(refusal)
    return None


def batches_section() -> None:
    batches = imports.list_batches(ui.database())
    if not batches:
        st.caption("No imports yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "batch": b.batch_id,
                    "status": b.status,
                    "file": b.file_name,
                    "kind": b.kind,
                    "imported at": b.created_at,
                    "rows": b.rows_imported,
                    "units": b.units,
                    "revenue": float(b.revenue),
                    "from": b.first_day,
                    "to": b.last_day,
                    "applied to stock": b.applied_to_stock,
                }
                for b in batches
            ]
        ),
        hide_index=True,
        column_config=tables.batch_columns(),
        placeholder=tables.EMPTY,
        key="batches_table",
    )
    committed = {
        b.batch_id: f"{b.batch_id} · {b.file_name}"
        for b in batches
        if b.status is imports.BatchStatus.COMMITTED
    }
    if not committed:
        return
    with st.form("undo_form"):
        batch_id = st.selectbox(
            "Batch to undo", list(committed), format_func=committed.__getitem__, key="undo_batch"
        )
        sure = st.checkbox("Yes, remove this batch and everything it did", key="undo_sure")
        if st.form_submit_button("Undo import"):
            if not sure:
                st.error("Tick the box to confirm; nothing was undone.")
                return
            outcome = ui.attempt(
                lambda: imports.undo_import(ui.database(), batch_id, actor=auth.current_actor())
            )
            if outcome is not None:
                ui.changed()
                forget_preview()
                ui.flash(outcome.message, icon=":material/undo:")
                st.rerun()


def exports_section() -> None:
    what = st.selectbox("Table", imports.EXPORTS, key="export_what")
    if st.button("Prepare CSV", key="export_prepare"):
        frame = imports.export_frame(ui.database(), what)
        st.download_button(
            f"Download {what}.csv ({len(frame):,} rows)",
            exports.to_csv(frame),
            file_name=f"{what}.csv",
            mime="text/csv",
            key="export_download",
        )
