"""The work for one series, and running many of them on worker processes.

A refresh turns every series (a product's, a category's, the shop's) into a `SeriesTask`;
`run_tasks` forecasts them in this process when there are few, or on worker processes
(spawned) in chunks, reporting progress as chunks come back. A series that fails is
reported, never raised; a worker that dies has the rest forecast in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from stockcore.forecasting import selection
from stockcore.forecasting.models import Season
from stockcore.forecasting.selection import SeriesForecast

# Fewer series than this are forecast in this process: starting worker processes costs
# about 2.5 s (each imports pandas, SQLAlchemy, statsforecast), a series about 0.03 s, so
# two workers only pay from about 200 series on a 2-core machine (the demo's 71 series:
# 2.4 s in one process, 4.6 s on two workers). STOCKCORE_FORECAST_PARALLEL_FROM sets it.
PARALLEL_FROM: Final = 200
PARALLEL_FROM_ENV: Final = "STOCKCORE_FORECAST_PARALLEL_FROM"
CHUNK: Final = 25  # series per message to a worker, at most
CHUNKS_PER_WORKER: Final = 8  # at least (when there are enough series): progress moves often

Progress = Callable[[int, int], None]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesTask:
    key: str  # product id, "category:<name>" or "shop"
    days: pd.DatetimeIndex
    units: np.ndarray
    future: pd.DatetimeIndex
    season: int
    yearly: Season | None


@dataclass(frozen=True)
class SeriesResult:
    key: str
    forecast: SeriesForecast | None  # None: too short to backtest, or it failed
    error: str | None = None  # why it failed, if it did


def run_task(task: SeriesTask) -> SeriesResult:
    """One series' forecast. Never raises: a series that breaks every model gets the recent
    average (inside `forecast_series`), and one that breaks even that is reported."""
    if not selection.can_backtest(len(task.units), task.season):
        return SeriesResult(task.key, None)
    try:
        made = selection.forecast_series(
            task.units, task.days, task.future, season=task.season, yearly=task.yearly
        )
    except Exception as error:  # one series must never fail a refresh
        _log.warning("forecast of %s failed: %r", task.key, error)
        return SeriesResult(task.key, None, f"{type(error).__name__}: {error}"[:300])
    return SeriesResult(task.key, made)


def _run_chunk(tasks: list[SeriesTask]) -> list[SeriesResult]:
    return [run_task(task) for task in tasks]


def chunk_size(total: int, workers: int) -> int:
    """Series per chunk: about `CHUNKS_PER_WORKER` chunks for each worker, so progress
    advances steadily, but never more than `CHUNK` series in one."""
    return max(1, min(CHUNK, total // (workers * CHUNKS_PER_WORKER)))


def parallel_from() -> int:
    """The number of series from which a refresh uses worker processes."""
    text = os.environ.get(PARALLEL_FROM_ENV, "").strip()
    try:
        return max(1, int(text)) if text else PARALLEL_FROM
    except ValueError:
        _log.warning(
            "%s=%r is not a whole number; using %d", PARALLEL_FROM_ENV, text, PARALLEL_FROM
        )
        return PARALLEL_FROM


def run_tasks(
    tasks: Sequence[SeriesTask],
    *,
    workers: int,
    progress: Progress | None = None,
    fell_back: Callable[[str], None] | None = None,
) -> Iterator[SeriesResult]:
    """Run tasks on `workers` processes (in this one if few), reporting (done, total).

    Results, progress and `fell_back` all reach the caller in the thread that iterates
    (the dashboard's script thread). If a worker dies, the rest is forecast in this process
    and `fell_back` is told why, in words for the shop's owner."""
    total = len(tasks)
    if progress:
        progress(0, total)
    if workers <= 1 or total < parallel_from():
        for done, task in enumerate(tasks, start=1):
            yield run_task(task)
            if progress:
                progress(done, total)
        return
    size = chunk_size(total, workers)
    chunks = [list(tasks[i : i + size]) for i in range(0, total, size)]
    # spawn, not fork: the dashboard's process has threads, and forking those is unsafe.
    context = multiprocessing.get_context("spawn")
    done = 0
    finished: set[str] = set()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures: list[Future[list[SeriesResult]]] = [
                pool.submit(_run_chunk, chunk) for chunk in chunks
            ]
            try:
                for future in as_completed(futures):
                    results = future.result()
                    done += len(results)
                    finished.update(result.key for result in results)
                    yield from results
                    if progress:
                        progress(done, total)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    except BrokenProcessPool as broken:
        # A worker died (killed for memory, say): finish the rest here rather than fail.
        note = (
            f"A forecast worker process stopped unexpectedly, so {total - done:,} of "
            f"{total:,} series were forecast in one process instead of {workers}, more slowly."
        )
        _log.warning("%s (%s)", note, broken)
        if fell_back:
            fell_back(note)
        for task in tasks:
            if task.key not in finished:
                yield run_task(task)
                done += 1
                if progress:
                    progress(done, total)
