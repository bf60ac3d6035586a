"""Forecasts kept fresh in the background: when they are due (`upkeep.freshness`: none yet,
or the data changed and they are a day old), the dashboard's server starts one refresh in a
thread and every page goes on answering; the sidebar shows its progress and the pages fill
in when it is done. One job per database per server process; the refresh's lease keeps it
from running beside a refresh started elsewhere (a button, the CLI, the API).

STOCKCORE_AUTO_REFRESH=0 turns this off (the tests do, but for the test of this).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import streamlit as st

from stockcore.domain import StockcoreError, local_now
from stockcore.interfaces import ui
from stockcore.persistence.db import Database, database_url
from stockcore.replenishment import upkeep

AUTO_ENV = "STOCKCORE_AUTO_REFRESH"
RECHECK_SECONDS = 60  # after a job ends, the next check waits this long
_SEEN = "_stockcore_background_seen"  # the finished job this session has shown

_log = logging.getLogger(__name__)


def enabled() -> bool:
    return os.environ.get(AUTO_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


@dataclass
class Job:
    """One background refresh: how far it got, and how it ended."""

    started: datetime
    done: int = 0
    total: int = 0
    finished: datetime | None = None
    ended_at: float = 0.0  # monotonic, for the next check
    outcome: str = ""
    failed: bool = False
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.finished is None

    def report(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def progress_text(self) -> str:
        if not self.total:
            return "reading the sales history"
        return f"{self.done:,} of {self.total:,} series"


@st.cache_resource
def _jobs() -> ui.PerDatabase[Job]:
    return ui.PerDatabase()


def current_job() -> Job | None:
    """This server's background refresh of the shop's forecasts, running or last ended."""
    return _jobs().by_url.get(database_url())


_freshness = ui.cached(upkeep.freshness)


def keep_forecasts_fresh() -> Job | None:
    """Start a background refresh if the forecasts are due and none is running; the job
    (running or just ended), if any. Cheap on every run: the check is cached."""
    if not enabled():
        return None
    jobs, url = _jobs(), database_url()
    with jobs.lock:
        job = jobs.by_url.get(url)
        if job is not None and (job.running or time.monotonic() - job.ended_at < RECHECK_SECONDS):
            return job
        if not _freshness().due:
            return job
        job = Job(started=local_now())
        job.thread = threading.Thread(
            target=_run, args=(job, ui.database()), name="stockcore-forecasts", daemon=True
        )
        jobs.by_url[url] = job
        job.thread.start()
        return job


def _run(job: Job, db: Database) -> None:
    workers = max(1, (os.cpu_count() or 2) - 1)  # a core left for the pages
    try:
        result = upkeep.refresh_if_due(db, workers=workers, progress=job.report)
        job.outcome = (
            f"Forecast {result.refreshed.products:,} products in {result.refreshed.seconds:.0f} s"
            if result.refreshed
            else result.reason
        )
    except StockcoreError as refusal:
        job.outcome, job.failed = str(refusal), True
    except Exception as bug:  # never silent: logged, and shown in the sidebar
        _log.error("background forecast refresh failed: %s: %s", type(bug).__name__, bug)
        job.outcome, job.failed = f"failed ({type(bug).__name__}); see the server log", True
    finally:
        job.finished, job.ended_at = local_now(), time.monotonic()
        st.cache_data.clear()  # every view reads the new forecasts


@st.fragment(run_every=2)
def _watch() -> None:
    job = current_job()
    if job is None:
        return
    if job.running:
        st.caption(
            f":material/autorenew: Updating forecasts in the background: {job.progress_text()}"
        )
        st.progress(job.done / job.total if job.total else 0.0)
        return
    if st.session_state.get(_SEEN) != job.finished:
        st.session_state[_SEEN] = job.finished
        st.rerun(scope="app")  # the pages read the new forecasts


def sidebar_note() -> None:
    """In the sidebar: the background refresh's progress while it runs (updated every two
    seconds), and the pages rerun once it has finished."""
    job = keep_forecasts_fresh()
    if job is None:
        return
    if job.running:
        _watch()
    elif job.failed:
        st.caption(f":material/error: Forecasts not updated: {job.outcome}")
    elif st.session_state.get(_SEEN) is None:
        st.session_state[_SEEN] = job.finished


def page_note() -> bool:
    """On a page that needs forecasts, while none exist yet: say they are being made (True),
    or nothing (False, the page offers its own button)."""
    job = current_job()
    if job is None or not job.running:
        return False
    st.info(
        f"Forecasts are being made in the background ({job.progress_text()}). "
        "This page fills in when they are ready; the other pages work meanwhile.",
        icon=":material/autorenew:",
    )
    return True
