"""Settings → Backups: download the whole shop as one backup file, and restore one.

Both call the same use case as the CLI (`persistence.backup`), so a restore makes the
same checks: a file that is not a stockcore backup, or one made by a newer version, is
refused before anything changes; an older backup is upgraded on a copy first; a backup
without accounts keeps the current ones. An uploaded file is kept in a temporary folder
while it is previewed, so the preview and the restore read the same bytes.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from stockcore import accounts
from stockcore.domain import StockcoreError, counted, local_now
from stockcore.interfaces import ui
from stockcore.interfaces.ui import auth
from stockcore.persistence import backup
from stockcore.persistence.db import head_revision

MAX_UPLOAD_MB = 500  # .streamlit/config.toml's server.maxUploadSize must allow it
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
CONFIRMATION = "RESTORE"
_MADE = "_backup_made"  # (file name, bytes, summary) of the backup made last
_UPLOAD = "_backup_upload"  # (file id, temporary folder, summary or refusal)
_UPLOADER_VERSION = "_backup_uploader_version"
UNKNOWN = "not recorded (an older backup)"


def backup_file_name(shop_name: str, moment: datetime) -> str:
    """stockcore-backup-<shop>-<YYYY-MM-DD-HHMM>.db, the shop's name in plain letters."""
    shop = re.sub(r"[^a-z0-9]+", "-", shop_name.lower()).strip("-") or "shop"
    return f"stockcore-backup-{shop}-{moment:%Y-%m-%d-%H%M}.db"


def _taken(summary: backup.BackupSummary) -> str:
    if summary.taken_at is None:
        return UNKNOWN
    return f"{summary.taken_at.astimezone():%Y-%m-%d %H:%M}"


def holds(summary: backup.BackupSummary) -> str:
    """What a backup holds, in words."""
    return (
        f"{counted(summary.products, 'product')}, {counted(summary.sale_lines, 'sale line')}, "
        f"{counted(summary.movements, 'stock movement')} and "
        f"{counted(summary.accounts, 'account')} "
        f"(schema {summary.revision}, taken {_taken(summary)})"
    )


def section(me: accounts.User) -> None:
    """Both halves, for the Settings page."""
    download_section()
    restore_section(me)


def download_section() -> None:
    st.subheader("Download a backup")
    st.caption(
        "The whole shop (products, sales, stock movements, alerts, orders, settings and "
        "accounts) in one SQLite file, taken while the shop carries on; the same file as "
        "`python -m stockcore backup FILE`. Keep it somewhere safe: it holds the accounts' "
        "password hashes."
    )
    if st.button("Make a backup", key="backup_make", icon=":material/backup:"):
        name = backup_file_name(ui.settings().shop_name, local_now())
        made = ui.attempt(lambda: _make(name))
        if made is not None:
            st.session_state[_MADE] = made
    made = st.session_state.get(_MADE)
    if made is None:
        return
    name, data, summary = made
    st.success(f"Backup {name} made: {holds(summary)}.", icon=":material/backup:")
    st.download_button(
        f"Download {name}",
        data,
        file_name=name,
        mime="application/vnd.sqlite3",
        key="backup_download",
        on_click="ignore",
        icon=":material/download:",
        type="primary",
    )


def _make(name: str) -> tuple[str, bytes, backup.BackupSummary]:
    with tempfile.TemporaryDirectory(prefix="stockcore-backup-") as folder:
        path = Path(folder) / name
        summary = backup.backup(ui.database(), path)
        return name, path.read_bytes(), summary


def restore_section(me: accounts.User) -> None:
    st.subheader("Restore a backup")
    st.caption(
        "Replaces everything in this shop with a backup made here or by "
        "`python -m stockcore backup`, in one step: if anything goes wrong, nothing changes. "
        "The file is checked and shown first. A backup made by an older version is brought "
        "up to date on a copy; a backup without accounts keeps the current accounts. "
        f"Files up to {MAX_UPLOAD_MB} MB."
    )
    version = st.session_state.get(_UPLOADER_VERSION, 0)
    uploaded = st.file_uploader(
        "Backup file", key=f"restore_file_{version}", max_upload_size=MAX_UPLOAD_MB
    )
    if uploaded is None:
        _forget_upload()
        return
    if uploaded.size > MAX_UPLOAD_BYTES:
        _forget_upload()
        st.error(
            f"Nothing was restored: {uploaded.name} is {uploaded.size / 1024**2:,.0f} MB, "
            f"more than the {MAX_UPLOAD_MB} MB a backup may be uploaded with here; restore "
            "it with `python -m stockcore restore FILE --yes` instead.",
            icon=":material/block:",
        )
        return
    path, checked = _checked(uploaded)
    if isinstance(checked, StockcoreError):
        ui.show_refusal(checked)
        return
    _preview(checked)
    with st.form("restore_form"):
        confirmation = st.text_input(
            f'Type "{CONFIRMATION}" to replace this shop with the backup',
            key="restore_confirmation",
        )
        if st.form_submit_button("Restore the backup", type="primary"):
            if confirmation.strip() != CONFIRMATION:
                st.error(
                    f'Nothing was restored: type "{CONFIRMATION}" in capitals to confirm.',
                    icon=":material/block:",
                )
                return
            with st.spinner("Restoring the backup…"):
                restored = ui.attempt(
                    lambda: backup.restore(ui.database(), path, shown_as=uploaded.name)
                )
            if restored is not None:
                _after_restore(me, uploaded.name, restored)


def _checked(uploaded: UploadedFile) -> tuple[Path, backup.BackupSummary | StockcoreError]:
    """The uploaded file in a temporary folder and what it holds (or why it is refused),
    once per uploaded file (not again at every click)."""
    kept = st.session_state.get(_UPLOAD)
    if kept is not None and kept[0] == uploaded.file_id:
        return kept[1] / "backup.db", kept[2]
    _forget_upload()
    folder = Path(tempfile.mkdtemp(prefix="stockcore-upload-"))
    path = folder / "backup.db"
    path.write_bytes(uploaded.getbuffer())
    checked: backup.BackupSummary | StockcoreError
    try:
        with st.spinner("Checking the backup…"):
            checked = backup.describe(path, shown_as=uploaded.name)
    except StockcoreError as refusal:
        checked = refusal
        shutil.rmtree(folder, ignore_errors=True)  # nothing to restore from: keep no copy
    st.session_state[_UPLOAD] = (uploaded.file_id, folder, checked)
    return path, checked


def _forget_upload() -> None:
    kept = st.session_state.pop(_UPLOAD, None)
    if kept is not None:
        shutil.rmtree(kept[1], ignore_errors=True)


def _preview(summary: backup.BackupSummary) -> None:
    now = backup.shop_rows(ui.database())
    current = backup.BackupSummary(Path(), None, now)
    table = pd.DataFrame(
        {
            "": [
                "Products",
                "Sale lines",
                "Stock movements",
                "Accounts",
                "Rows in all",
                "Schema",
                "Taken",
            ],
            "This shop now": [
                f"{current.products:,}",
                f"{current.sale_lines:,}",
                f"{current.movements:,}",
                f"{current.accounts:,}",
                f"{current.total:,}",
                head_revision() or "-",
                "-",
            ],
            "The backup": [
                f"{summary.products:,}",
                f"{summary.sale_lines:,}",
                f"{summary.movements:,}",
                f"{summary.accounts:,}",
                f"{summary.total:,}",
                summary.revision or "-",
                _taken(summary),
            ],
        }
    )
    st.dataframe(table, hide_index=True)
    for note in summary.restore_notes():
        st.info(f"This backup: {note}.", icon=":material/info:")
    st.warning(
        "Restoring replaces every product, sale, stock movement, alert, order and setting "
        "of this shop with the backup's. This cannot be undone: download a backup of the "
        "shop as it is first if you may want it back.",
        icon=":material/warning:",
    )


def _after_restore(me: accounts.User, name: str, restored: backup.BackupSummary) -> None:
    ui.changed()
    _forget_upload()
    st.session_state[_UPLOADER_VERSION] = st.session_state.get(_UPLOADER_VERSION, 0) + 1
    st.session_state.pop(_MADE, None)
    st.session_state.pop("restore_confirmation", None)
    # Signed out when the restored shop does not hold this account: the page then loads
    # afresh, and the sign-in screen says why.
    if auth.recheck_after_restore(me) is not None:
        ui.flash(f"Restored {name}: {holds(restored)}.", icon=":material/settings_backup_restore:")
    st.rerun()
