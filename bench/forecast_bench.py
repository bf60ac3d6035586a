"""Held-out forecast evaluation on the real shop's two years: stockcore against its peers.

    .venv/bin/python bench/forecast_bench.py [--origins 2011-03-01,2011-11-01] [--dev]
        [--products 200] [--quick] [--cover-days 21] [--data ../shared/data] [--json FILE]

Loads both real files (the overlap dropped) through stockcore's own import into a
temporary SQLite file and builds each product's daily demand with
`history.daily_demand` (trading days only: the shop closes on Saturdays and over
Christmas). Nothing is cached outside a temporary directory.

Origins. The evaluation origins (default 2011-03-01, a quiet month; 2011-07-01, summer;
2011-11-01, the pre-Christmas ramp) are never used while tuning stockcore: `--dev`
switches to the development origins that tuning used (2011-01-10 after Christmas,
2011-05-02 and 2011-09-12, the start of the ramp).
Every method sees only the history strictly before the origin and forecasts the shop's
trading days among the next 28 calendar days (the last window ends before the data
ends on 2011-12-09). `--quick` runs 40 products at the first origin, for iteration.

Products. `--products` (default 200): half the best sellers (units in the year before
the first origin) and half drawn at random (fixed seed) from the rest; every product
has at least a year of history before the first origin (270 days with `--dev`).
Results are also shown for the two halves separately.

Methods, each run in this one process, one product at a time, timed with
`time.perf_counter` around the forecast call only (warm-up calls are not timed):

* stockcore: `selection.forecast_series` with the shop's yearly season, which is fitted
  once per origin (that fit's time is shared out over the products);
* Prophet for every product with its defaults (its own choice of weekly and yearly
  seasonality: it fits a yearly season only with two years of history, which no origin
  here has; 80% intervals; 1000 uncertainty samples): daily 80% ranges from
  yhat_lower/yhat_upper, daily 95% ranges and lead-time totals from its predictive
  samples (clipped at 0, summed per sample). The same model without uncertainty samples
  (point only) is timed too; stockcore's time goal is judged against that faster one;
* statsforecast TSB (alpha_d = alpha_p = 0.1) with conformal intervals
  (`ConformalIntervals(h, n_windows=2)`, as statsforecast documents for models without
  intervals of their own), and AutoETS (model "ZNN") with its own intervals. Their
  lead-time totals are taken as normal, mean = the sum of the daily means, sd = the
  root of the sum of the daily variances (daily sd = 80% half-width / 1.2816): this
  assumes independent daily errors, which flatters nobody but is what one gets from
  daily intervals alone; quantiles are clipped at 0;
* seasonal naive (same trading day last week); daily ranges from the in-sample
  quantiles of the differences y[t] - y[t - k weeks] (k = the weeks the forecast
  reaches ahead); lead-time totals from the in-sample errors of the naive forecast of
  the same total, at every past origin;
* the all-zero forecast (every quantile 0): a sanity line that must lose to stockcore on
  every measure (on coverage: land further from what the range promises); the peers it
  beats are listed (seasonal naive loses to it on RMSSE: on products that sell on a few
  days, repeating last week's single sale costs more squared error than silence);
* the hindsight level (limit, not a peer): each day the actual mean of the 28 days, and
  the cover total exactly, known only afterwards: how far a level forecast could get.

A peer whose call fails is given its fallback (the in-sample mean, ranges from the
in-sample daily quantiles); failures are counted and printed.

Measures (`stockcore.forecasting.metrics`), per product and origin:

* RMSSE over the 28 days (M5's point measure); mean over product x origin, leaving out
  for every method alike the cases where one method's score is not finite. Squared error
  is minimised by the mean, so a silent (all-zero) forecast cannot win on it;
* 28-day total error: sum over products and origins of |forecast total - actual total|
  over the sum of actual totals;
* pinball loss of the quantiles (0.80, 0.90, 0.95, 0.98) of lead-time totals: the demand
  over the first `--cover-days` calendar days (default 21 = a 14-day lead time plus a
  7-day review), what a reorder point is set from. The true quantile minimises it. Each
  product's loss is divided by its in-sample mean daily demand x the trading days in
  the cover, so best sellers do not drown the rest, then averaged over products and
  origins;
* coverage: the share of held-out days inside the daily 80% and 95% ranges, and of
  product x origin lead-time totals inside the 10-90% and 2.5-97.5% ranges;
* MASE (against in-sample seasonal naive), for information only: absolute error is
  minimised by the median, which is 0 for most products on most days, so a silent
  forecast can look good on it;
* seconds per forecast.

Printed: one row per method, then stockcore's ratios to the best peer (the best of
Prophet for every product, TSB, AutoETS and seasonal naive) with the goals and PASS or
MISS, the same table for best sellers and slower products, RMSSE and pinball@0.95 per
origin, each of stockcore's lead-time distributions (`selection.DISTRIBUTIONS`), and
the models stockcore chose. `--json FILE` writes every figure.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere
sys.path.insert(0, str(REPO / "bench"))

from import_bench import build_csv  # noqa: E402

from stockcore.forecasting import large_orders, metrics, models, selection  # noqa: E402
from stockcore.forecasting.history import daily_demand, trading_days  # noqa: E402
from stockcore.imports import import_sales  # noqa: E402
from stockcore.persistence.db import Database, upgrade  # noqa: E402

HORIZON_DAYS = 28
EVALUATION_ORIGINS = ("2011-03-01", "2011-07-01", "2011-11-01")
DEVELOPMENT_ORIGINS = ("2011-01-10", "2011-05-02", "2011-09-12")
HISTORY_DAYS = {"evaluation": 365, "custom": 365, "development": 270}
SEED = 42
PINBALL_LEVELS = (0.80, 0.90, 0.95, 0.98)
RANGES = {"80": (0.10, 0.90), "95": (0.025, 0.975)}
TOTAL_LEVELS = tuple(sorted({*PINBALL_LEVELS, *(q for pair in RANGES.values() for q in pair)}))
Z80 = NormalDist().inv_cdf(0.90)  # 1.2816: an 80% central range is mean +- Z80 sd

STOCKCORE = "stockcore"
PROPHET = "Prophet for every product"
PROPHET_POINT = "Prophet, point only"
TSB = "TSB (conformal)"
AUTOETS = "AutoETS"
NAIVE = "seasonal naive"
ZERO = "all-zero"
HINDSIGHT = "hindsight level (limit)"
PEERS = (PROPHET, TSB, AUTOETS, NAIVE)
METHODS = (STOCKCORE, PROPHET, PROPHET_POINT, TSB, AUTOETS, NAIVE, ZERO, HINDSIGHT)


def load_demand(
    data_dir: Path, folder: Path, *, set_aside: bool = False
) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """Both real years imported through stockcore; per product and trading day. With
    `set_aside`, the regular demand: large one-off orders (`large_orders`) taken off, as
    the refresh does (found on the whole two years, the same data for every method)."""
    csv_path = folder / "shop.csv"
    build_csv(data_dir, 1_050_000, csv_path)  # both years once (about 1.03 million rows)
    db = Database.connect(f"sqlite:///{folder / 'bench.db'}")
    upgrade(db)
    import_sales(db, csv_path.read_bytes(), "shop.csv")
    calendar = trading_days(db)
    aside = large_orders.find_set_aside(db, calendar) if set_aside else None
    demand = daily_demand(db, set_aside=aside.units_per_day() if aside else None)
    if aside is not None:
        total = demand["units"].sum() + aside.orders["units"].sum()
        print(
            f"large orders set aside: {len(aside.orders):,} orders, "
            f"{aside.orders['units'].sum():,} units ({aside.orders['units'].sum() / total:.1%})"
        )
    db.dispose()
    return demand, calendar


def sample_products(
    demand: pd.DataFrame, origin: pd.Timestamp, history_days: int, count: int
) -> tuple[list[str], list[str], int]:
    """The best sellers of the year before `origin` and a random draw of the rest, among
    products first sold at least `history_days` before it; and how many were eligible."""
    first_sale = demand[demand["units"] > 0].groupby("product_id")["day"].min()
    eligible = sorted(first_sale.index[first_sale <= origin - pd.Timedelta(days=history_days)])
    year = demand[
        (demand["day"] >= origin - pd.Timedelta(days=365))
        & (demand["day"] < origin)
        & demand["product_id"].isin(eligible)
    ]
    sold = year.groupby("product_id")["units"].sum().reindex(eligible, fill_value=0.0)
    ranked = sorted(eligible, key=lambda pid: (-sold[pid], pid))
    best = ranked[: count // 2]
    rest = sorted(set(eligible) - set(best))
    rng = np.random.default_rng(SEED)
    slower = sorted(rng.choice(rest, size=min(count - len(best), len(rest)), replace=False))
    return best, [str(pid) for pid in slower], len(eligible)


# --- Forecasts of one product at one origin ---------------------------------------------


@dataclass
class Case:
    """What every method is given and judged on: one product at one origin."""

    training: np.ndarray  # units per trading day before the origin, from the first sale
    days: pd.DatetimeIndex
    future: pd.DatetimeIndex  # trading days among the 28 calendar days from the origin
    steps: int  # of which this many fall in the cover (lead time + review)
    weekly: int


@dataclass
class Forecast:
    """One method's forecast: daily points and ranges, and quantiles of the cover total."""

    units: np.ndarray
    ranges: dict[str, tuple[np.ndarray, np.ndarray]] | None  # "80"/"95" -> (lower, upper)
    total: dict[float, float] | None  # level -> quantile of the cover total
    fallback: bool = False
    note: str = ""
    # The method's own stated 80% / 95% ranges of the cover total, where it states them
    # (stockcore: [0, q80] when no sale at all is likelier than the lower tail's share);
    # otherwise the central ranges of `total` are scored.
    total_ranges: dict[str, tuple[float, float]] | None = None


def _clip(values: Any) -> np.ndarray:
    return np.clip(np.nan_to_num(np.asarray(values, dtype=float), nan=0.0), 0.0, None)


def _normal_total(mean: float, sd: float) -> dict[float, float]:
    if not sd > 0:
        return {level: max(0.0, mean) for level in TOTAL_LEVELS}
    normal = NormalDist(mean, sd)
    return {level: max(0.0, normal.inv_cdf(level)) for level in TOTAL_LEVELS}


def fallback(case: Case, note: str) -> Forecast:
    """The in-sample mean, ranges from in-sample daily quantiles: for a peer that failed."""
    y = case.training[~np.isnan(case.training)]
    h = len(case.future)
    mean = float(y.mean()) if y.size else 0.0
    ranges = {
        key: (np.full(h, np.quantile(y, low)), np.full(h, np.quantile(y, high)))
        for key, (low, high) in RANGES.items()
    }
    sd = float(y.std()) * math.sqrt(case.steps) if y.size > 1 else 0.0
    return Forecast(np.full(h, mean), ranges, _normal_total(mean * case.steps, sd), True, note)


def run_stockcore(case: Case, season: Any) -> tuple[Forecast, Any]:
    made = selection.forecast_series(
        case.training, case.days, case.future, season=case.weekly, yearly=season
    )
    total = made.total(case.steps)
    quantiles = {level: float(total.quantile(level)) for level in TOTAL_LEVELS}
    ranges = {
        "80": (np.asarray(made.lower, float), np.asarray(made.upper, float)),
        "95": (np.asarray(made.lower_95, float), np.asarray(made.upper_95, float)),
    }
    stated = {"80": total.interval(0.80), "95": total.interval(0.95)}
    return Forecast(
        np.asarray(made.units, dtype=float), ranges, quantiles, total_ranges=stated
    ), made


def _prophet(case: Case, samples: int, yearly: bool) -> Any:
    from prophet import Prophet

    known = ~np.isnan(case.training)
    kwargs: dict[str, Any] = {"yearly_seasonality": True} if yearly else {}
    model = Prophet(uncertainty_samples=samples, **kwargs)
    model.fit(pd.DataFrame({"ds": case.days[known], "y": case.training[known]}))
    return model


def run_prophet(case: Case, yearly: bool) -> Forecast:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _prophet(case, 1000, yearly)
        frame = pd.DataFrame({"ds": case.future})
        predicted = model.predict(frame)
        draws = _clip(model.predictive_samples(frame)["yhat"])  # (days, samples)
    totals = draws[: case.steps].sum(axis=0)
    return Forecast(
        _clip(predicted["yhat"]),
        {
            "80": (_clip(predicted["yhat_lower"]), _clip(predicted["yhat_upper"])),
            "95": (np.quantile(draws, 0.025, axis=1), np.quantile(draws, 0.975, axis=1)),
        },
        {level: float(np.quantile(totals, level)) for level in TOTAL_LEVELS},
    )


def run_prophet_point(case: Case, yearly: bool) -> Forecast:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _prophet(case, 0, yearly)
        predicted = model.predict(pd.DataFrame({"ds": case.future}))
    return Forecast(_clip(predicted["yhat"]), None, None)


def _from_levels(result: dict[str, np.ndarray], steps: int, note: str = "") -> Forecast:
    mean = np.asarray(result["mean"], dtype=float)
    sd = (np.asarray(result["hi-80"], float) - np.asarray(result["lo-80"], float)) / 2 / Z80
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
        raise ValueError("non-finite forecast")
    ranges = {key: (_clip(result[f"lo-{key}"]), _clip(result[f"hi-{key}"])) for key in RANGES}
    total_sd = float(np.sqrt(np.sum(sd[:steps] ** 2)))
    return Forecast(
        _clip(mean), ranges, _normal_total(float(mean[:steps].sum()), total_sd), note=note
    )


def run_tsb(case: Case) -> Forecast:
    from statsforecast.models import TSB as TSBModel
    from statsforecast.utils import ConformalIntervals

    y = case.training[~np.isnan(case.training)]
    h = len(case.future)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            conformal = ConformalIntervals(h=h, n_windows=2)
            model = TSBModel(alpha_d=0.1, alpha_p=0.1, prediction_intervals=conformal)
            return _from_levels(model.forecast(y=y, h=h, level=[80, 95]), case.steps)
        except Exception:  # conformal failed: residual sd instead, counted
            result = TSBModel(alpha_d=0.1, alpha_p=0.1).forecast(y=y, h=h, fitted=True)
    sd = float(np.nanstd(y - np.asarray(result["fitted"], dtype=float)))
    mean = np.asarray(result["mean"], dtype=float)
    for key, (_, high) in RANGES.items():
        z = NormalDist().inv_cdf(high)
        result[f"lo-{key}"], result[f"hi-{key}"] = mean - z * sd, mean + z * sd
    return _from_levels(result, case.steps, note="residual sd")


def run_autoets(case: Case) -> Forecast:
    from statsforecast.models import AutoETS as AutoETSModel

    y = case.training[~np.isnan(case.training)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = AutoETSModel(model="ZNN").forecast(y=y, h=len(case.future), level=[80, 95])
    return _from_levels(result, case.steps)


def run_naive(case: Case) -> Forecast:
    y = case.training
    w, h = case.weekly, len(case.future)
    point = metrics.seasonal_naive(y, h, w)
    ranges: dict[str, tuple[np.ndarray, np.ndarray]] = {
        key: (np.zeros(h), np.zeros(h)) for key in RANGES
    }
    for weeks in range(1, -(-h // w) + 1):  # step j reaches j // w + 1 weeks ahead
        lag = weeks * w
        changes = (y[lag:] - y[:-lag])[~np.isnan(y[lag:] - y[:-lag])] if y.size > lag else []
        span = slice((weeks - 1) * w, weeks * w)
        for key, (low, high) in RANGES.items():
            lower, upper = ranges[key]
            if len(changes):
                lower[span] = point[span] + np.quantile(changes, low)
                upper[span] = point[span] + np.quantile(changes, high)
            else:
                lower[span] = upper[span] = point[span]
    ranges = {key: (_clip(lower), _clip(upper)) for key, (lower, upper) in ranges.items()}
    # The naive forecast of the cover total at every past origin, against what followed.
    filled = np.nan_to_num(y, nan=0.0)
    sums = np.concatenate([[0.0], np.cumsum(filled)])
    full, part = divmod(case.steps, w)
    origins = np.arange(w, len(y) - case.steps + 1)
    if origins.size:
        week_total = sums[origins] - sums[origins - w]
        forecast = full * week_total + (sums[origins - w + part] - sums[origins - w])
        errors = (sums[origins + case.steps] - sums[origins]) - forecast
    else:
        errors = np.zeros(1)
    point_total = float(point[: case.steps].sum())
    total = {
        level: max(0.0, point_total + float(np.quantile(errors, level))) for level in TOTAL_LEVELS
    }
    return Forecast(point, ranges, total)


def run_hindsight(case: Case, actual: np.ndarray) -> Forecast:
    """The physical limit of a level forecast: each day the mean of what the 28 days will
    actually sell (known only afterwards), and the cover total known exactly."""
    known = actual[~np.isnan(actual)]
    level = float(known.mean()) if known.size else 0.0
    units = np.full(len(case.future), level)
    cover = float(np.nansum(actual[: case.steps]))
    return Forecast(
        units, dict.fromkeys(RANGES, (units, units)), dict.fromkeys(TOTAL_LEVELS, cover)
    )


def run_zero(case: Case) -> Forecast:
    h = len(case.future)
    zeros = np.zeros(h)
    return Forecast(zeros, dict.fromkeys(RANGES, (zeros, zeros)), dict.fromkeys(TOTAL_LEVELS, 0.0))


# --- Scores -----------------------------------------------------------------------------


def score(case: Case, actual: np.ndarray, made: Forecast) -> dict[str, float]:
    """One method's measures on one product at one origin."""
    y = case.training
    known = ~np.isnan(actual)
    cover_actual = float(np.nansum(actual[: case.steps]))
    scale = float(np.nanmean(y)) * case.steps
    row: dict[str, float] = {
        "rmsse": metrics.rmsse(actual, made.units, y),
        "mase": metrics.mase(actual, made.units, y, case.weekly),
        "forecast_28": float(made.units[known].sum()),
        "actual_28": float(actual[known].sum()),
        "days": float(known.sum()),
        "fallback": float(made.fallback),
    }
    for key in RANGES:
        if made.ranges is None:
            row[f"daily_{key}"] = math.nan
        else:
            lower, upper = made.ranges[key]
            row[f"daily_{key}"] = metrics.coverage(actual, lower, upper) * known.sum()
    for level in PINBALL_LEVELS:
        row[f"pinball_{level:.2f}"] = (
            metrics.pinball([cover_actual], [made.total[level]], level) / scale
            if made.total is not None and scale > 0
            else math.nan
        )
    for key, (low, high) in RANGES.items():
        if made.total_ranges is not None:
            lower, upper = made.total_ranges[key]
            row[f"total_{key}"] = metrics.coverage([cover_actual], [lower], [upper])
        elif made.total is not None:
            row[f"total_{key}"] = metrics.coverage(
                [cover_actual], [made.total[low]], [made.total[high]]
            )
        else:
            row[f"total_{key}"] = math.nan
    return row


COLUMNS = (
    ("rmsse", "RMSSE", "{:.3f}"),
    ("mase", "MASE*", "{:.3f}"),
    ("total_error", "28d err", "{:.3f}"),
    ("pinball_0.90", "pin.90", "{:.3f}"),
    ("pinball_0.95", "pin.95", "{:.3f}"),
    ("daily_80", "day80", "{:.0%}"),
    ("daily_95", "day95", "{:.0%}"),
    ("total_80", "tot80", "{:.0%}"),
    ("total_95", "tot95", "{:.0%}"),
    ("seconds", "s/fcst", "{:.4f}"),
)


def summarise(rows: pd.DataFrame, keep: pd.Series) -> dict[str, dict[str, float]]:
    """Per method: the measures over the given product x origin rows."""
    out: dict[str, dict[str, float]] = {}
    for method, part in rows.groupby("method", sort=False):
        kept = part[keep.reindex(part.index).to_numpy()]
        mase_values = part["mase"][np.isfinite(part["mase"])]
        figures = {
            "rmsse": float(kept["rmsse"].mean()),
            "mase": float(mase_values.mean()),
            "total_error": float(
                (part["forecast_28"] - part["actual_28"]).abs().sum() / part["actual_28"].sum()
            ),
            "daily_80": float(part["daily_80"].sum(min_count=1) / part["days"].sum()),
            "daily_95": float(part["daily_95"].sum(min_count=1) / part["days"].sum()),
            "total_80": float(part["total_80"].mean()),
            "total_95": float(part["total_95"].mean()),
            "seconds": float(part["seconds"].mean()),
            "forecasts": float(len(part)),
            "fallbacks": float(part["fallback"].sum()),
        }
        for level in PINBALL_LEVELS:
            figures[f"pinball_{level:.2f}"] = float(part[f"pinball_{level:.2f}"].mean())
        out[str(method)] = figures
    return out


def _cell(value: float, fmt: str, width: int) -> str:
    return f"{'n/a' if value is None or not math.isfinite(value) else fmt.format(value):>{width}}"


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"{'method':<27}" + "".join(f"{label:>8}" for _, label, _ in COLUMNS))
    for method, figures in table.items():
        cells = "".join(_cell(figures[key], fmt, 8) for key, _, fmt in COLUMNS)
        print(f"{method:<27}{cells}")


def best_peer(table: dict[str, dict[str, float]], key: str, peers: tuple[str, ...]) -> str:
    return min(peers, key=lambda name: table[name][key])


def goals(table: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """The issue's goals, each with stockcore's figure, what it is set against, PASS/MISS."""
    ours = table[STOCKCORE]
    found: list[dict[str, Any]] = []

    def ratio_goal(what: str, key: str, peers: tuple[str, ...], limit: float) -> None:
        peer = best_peer(table, key, peers)
        ratio = ours[key] / table[peer][key]
        found.append(
            {
                "goal": what,
                "value": ratio,
                "against": peer,
                "target": f"<= {limit:.2f}x",
                "pass": bool(ratio <= limit),
            }
        )

    ratio_goal("RMSSE vs the better of Prophet-every & TSB", "rmsse", (PROPHET, TSB), 0.92)
    ratio_goal("pinball@0.90 of cover totals vs best peer", "pinball_0.90", PEERS, 0.85)
    ratio_goal("pinball@0.95 of cover totals vs best peer", "pinball_0.95", PEERS, 0.85)
    for key, label, (low, high) in (
        ("daily_80", "daily 80% ranges hold", (0.75, 0.85)),
        ("daily_95", "daily 95% ranges hold", (0.92, 0.97)),
        ("total_80", "cover-total 80% ranges hold", (0.75, 0.85)),
        ("total_95", "cover-total 95% ranges hold", (0.92, 0.97)),
    ):
        found.append(
            {
                "goal": label,
                "value": ours[key],
                "against": None,
                "target": f"{low:.0%}-{high:.0%}",
                "pass": bool(low <= ours[key] <= high),
            }
        )
    ratio_goal("time vs Prophet-every point only", "seconds", (PROPHET_POINT,), 1 / 3)
    return found


def print_goals(table: dict[str, dict[str, float]], checks: list[dict[str, Any]]) -> None:
    print("\nstockcore / best peer (of Prophet-every, TSB, AutoETS, seasonal naive), per measure")
    for key, label, _ in COLUMNS:
        if key.startswith(("daily", "total_8", "total_9")):
            continue
        peer = best_peer(table, key, PEERS)
        ratio = table[STOCKCORE][key] / table[peer][key]
        print(f"  {label:<8} {ratio:6.2f}x  (best peer: {peer})")
    ratio = table[STOCKCORE]["seconds"] / table[PROPHET]["seconds"]
    print(f"  {'time':<8} {ratio:6.2f}x  (vs Prophet-every with its 1000 samples)")
    print("\ngoals")
    for check in checks:
        value = check["value"]
        shown = f"{value:.2f}x" if check["against"] else f"{value:.1%}"
        against = f" vs {check['against']}" if check["against"] else ""
        print(
            f"  {check['goal']:<44}{shown:>8}  target {check['target']:<10}"
            f" {'PASS' if check['pass'] else 'MISS'}{against}"
        )


def zero_check(table: dict[str, dict[str, float]]) -> tuple[bool, list[str], list[str]]:
    """The all-zero forecast must lose to stockcore on every measure (coverage: further
    from what the range promises); also lists the peers it beats, as information."""
    ours, zero = table[STOCKCORE], table[ZERO]
    lost = [
        key
        for key in ("rmsse", "total_error", *(f"pinball_{lv:.2f}" for lv in PINBALL_LEVELS))
        if not ours[key] < zero[key]
    ]
    for key, nominal in (("daily_80", 0.8), ("daily_95", 0.95), ("total_80", 0.8)):
        if not abs(ours[key] - nominal) < abs(zero[key] - nominal):
            lost.append(key)
    if not abs(ours["total_95"] - 0.95) < abs(zero["total_95"] - 0.95):
        lost.append("total_95")
    peers_beaten = [
        f"{name} on {key}"
        for name in PEERS
        for key in ("rmsse", "total_error", "pinball_0.90", "pinball_0.95")
        if math.isfinite(table[name][key]) and table[name][key] >= zero[key]
    ]
    return not lost, lost, peers_beaten


# --- The run ----------------------------------------------------------------------------


def warm_up(
    frame: pd.DataFrame,
    calendar: pd.DatetimeIndex,
    origin: pd.Timestamp,
    runners: dict[str, Callable[[Case], Forecast]],
) -> None:
    """Run every method once, untimed: imports, numba compilation, loading Prophet's model."""
    past = frame[frame["day"] < origin]
    future = calendar[calendar >= origin][:12]
    case = Case(past["units"].to_numpy(dtype=float), pd.DatetimeIndex(past["day"]), future, 6, 6)
    for run in runners.values():
        run(case)
    run_stockcore(case, None)


def _finite(value: Any) -> Any:
    """JSON without NaN: non-finite numbers become null."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--origins", help="comma-separated ISO dates (default: evaluation set)")
    parser.add_argument("--dev", action="store_true", help="the development origins (tuning)")
    parser.add_argument("--products", type=int, help="default 200 (40 with --quick)")
    parser.add_argument("--quick", action="store_true", help="40 products, the first origin")
    parser.add_argument("--cover-days", type=int, default=21, help="lead time + review, days")
    parser.add_argument(
        "--prophet-yearly",
        action="store_true",
        help="force Prophet's yearly season on (its default needs two years of history)",
    )
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args(argv)
    if args.origins and args.dev:
        parser.error("--origins and --dev exclude each other")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    models.quiet_prophet()
    started = time.perf_counter()
    if args.dev:
        kind, origin_text = "development", DEVELOPMENT_ORIGINS
    elif args.origins:
        kind, origin_text = "custom", tuple(args.origins.split(","))
    else:
        kind, origin_text = "evaluation", EVALUATION_ORIGINS
    origins = [pd.Timestamp(text.strip()) for text in origin_text]
    if args.quick:
        origins = origins[:1]
    count = args.products or (40 if args.quick else 200)

    with tempfile.TemporaryDirectory(prefix="stockcore-forecast-bench-") as folder:
        demand, calendar = load_demand(args.data, Path(folder))
    print(
        f"history: {demand['product_id'].nunique():,} products, {len(calendar)} trading days "
        f"{calendar.min():%Y-%m-%d} to {calendar.max():%Y-%m-%d} "
        f"(loaded through stockcore's import in {time.perf_counter() - started:.0f} s)"
    )
    for origin in origins:
        if origin + pd.Timedelta(days=HORIZON_DAYS - 1) > calendar.max():
            sys.exit(f"origin {origin:%Y-%m-%d}: its 28 days run past the data's end")

    history_days = HISTORY_DAYS[kind]
    best, slower, eligible = sample_products(demand, origins[0], history_days, count)
    chosen = best + slower
    segment = {**dict.fromkeys(best, "best sellers"), **dict.fromkeys(slower, "slower")}
    series = dict(tuple(demand[demand["product_id"].isin(chosen)].groupby("product_id")))
    shares = {pid: float(np.mean(series[pid]["units"] > 0)) for pid in chosen}
    print(
        f"products: {len(best)} best sellers + {len(slower)} random slower ones (seed {SEED}) of "
        f"{eligible} first sold {history_days}+ days before {origins[0]:%Y-%m-%d}; selling on a "
        f"median {np.median([shares[p] for p in best]):.0%} / "
        f"{np.median([shares[p] for p in slower]):.0%} of trading days"
    )
    dead = sum(
        1
        for p in slower
        if not (series[p].loc[series[p]["day"] < origins[0], "units"].tail(300) > 0).any()
    )
    print(f"  {dead} of the slower ones sold nothing in the 300 trading days before the origin")
    print(
        f"origins ({kind} set{'; tuning set, not the evaluation' if kind == 'development' else ''}"
        f"): {', '.join(f'{o:%Y-%m-%d}' for o in origins)}; horizon {HORIZON_DAYS} days, "
        f"cover {args.cover_days} days"
    )

    shop = demand.groupby("day")["units"].sum(min_count=1).reindex(calendar).to_numpy(dtype=float)
    shop_series = pd.Series(shop, index=calendar)
    runners: dict[str, Callable[[Case], Forecast]] = {
        PROPHET: lambda case: run_prophet(case, args.prophet_yearly),
        PROPHET_POINT: lambda case: run_prophet_point(case, args.prophet_yearly),
        TSB: run_tsb,
        AUTOETS: run_autoets,
        NAIVE: run_naive,
        ZERO: run_zero,
    }
    records: list[dict[str, Any]] = []
    distribution_rows: list[dict[str, Any]] = []
    picks: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    own_fallbacks: Counter[str] = Counter()
    season_seconds: dict[str, float] = {}

    warm_up(series[chosen[0]], calendar, origins[0], runners)
    for origin in origins:
        before = calendar[calendar < origin]
        future = calendar[
            (calendar >= origin) & (calendar < origin + pd.Timedelta(days=HORIZON_DAYS))
        ]
        steps = int(np.sum(future < origin + pd.Timedelta(days=args.cover_days)))
        weekly = models.weekly_season(before)
        tick = time.perf_counter()
        season = models.yearly_season(
            shop_series.reindex(before).to_numpy(dtype=float),
            before,
            before.append(future),
            source="shop",
        )
        season_seconds[f"{origin:%Y-%m-%d}"] = time.perf_counter() - tick
        if season is None:
            print(f"  {origin:%Y-%m-%d}: under a year of shop history, no yearly season")
        share_of_season = season_seconds[f"{origin:%Y-%m-%d}"] / len(chosen)
        for pid in chosen:
            frame = series[pid]
            past = frame[frame["day"] < origin]
            actual = frame.set_index("day")["units"].reindex(future).to_numpy(dtype=float)
            case = Case(
                past["units"].to_numpy(dtype=float),
                pd.DatetimeIndex(past["day"]),
                future,
                steps,
                weekly,
            )
            results: dict[str, tuple[Forecast, float]] = {}
            tick = time.perf_counter()
            try:
                made, chosen_forecast = run_stockcore(case, season)
            except Exception as error:  # counted and shown
                made, chosen_forecast = fallback(case, type(error).__name__), None
            results[STOCKCORE] = (made, time.perf_counter() - tick + share_of_season)
            for name, run in runners.items():
                tick = time.perf_counter()
                try:
                    made = run(case)
                except Exception as error:  # counted and shown
                    made = fallback(case, type(error).__name__)
                results[name] = (made, time.perf_counter() - tick)
            results[HINDSIGHT] = (run_hindsight(case, actual), 0.0)
            for name, (made, seconds) in results.items():
                if made.fallback:
                    failures[f"{name}: {made.note}"] += 1
                elif made.note:
                    notes[f"{name}: {made.note}"] += 1
                records.append(
                    {
                        "method": name,
                        "origin": f"{origin:%Y-%m-%d}",
                        "product": pid,
                        "segment": segment[pid],
                        "seconds": seconds,
                        **score(case, actual, made),
                    }
                )
            if chosen_forecast is not None:
                picks[str(chosen_forecast.model)] += 1
                if getattr(chosen_forecast, "fallback", None):  # stockcore's own fallback
                    own_fallbacks[str(chosen_forecast.fallback)] += 1
                cover = float(np.nansum(actual[:steps]))
                scale = float(np.nanmean(case.training)) * steps
                for method in (None, *selection.DISTRIBUTIONS):
                    total = chosen_forecast.total(steps, method=method)
                    q = {level: float(total.quantile(level)) for level in TOTAL_LEVELS}
                    row = {"method": "used (method=None)" if method is None else str(method)}
                    for level in PINBALL_LEVELS:
                        row[f"pinball_{level:.2f}"] = (
                            metrics.pinball([cover], [q[level]], level) / scale
                        )
                    for key, content in (("80", 0.80), ("95", 0.95)):
                        lower, upper = total.interval(content)
                        row[f"total_{key}"] = metrics.coverage([cover], [lower], [upper])
                    row["segment"] = segment[pid]
                    distribution_rows.append(row)
        print(f"  origin {origin:%Y-%m-%d} done ({time.perf_counter() - started:.0f} s so far)")

    rows = pd.DataFrame(records)
    keep = rows.groupby(["origin", "product"])["rmsse"].transform(lambda s: np.isfinite(s).all())
    finite = keep.groupby([rows["origin"], rows["product"]]).first()
    cases = len(finite)
    print(
        f"\nforecasts: {cases} product x origin per method; RMSSE over {int(finite.sum())} "
        f"({cases - int(finite.sum())} left out for every method: a score not finite)"
    )
    overall = summarise(rows, keep)
    print_table(
        "all products (pinball: cover totals, scaled by in-sample mean x cover days; "
        "MASE*: information only)",
        overall,
    )
    checks = goals(overall)
    print_goals(overall, checks)
    zero_ok, lost, beaten = zero_check(overall)
    print(
        "\nsanity: the all-zero forecast loses to stockcore on every measure (RMSSE, total "
        "error, pinball, coverage): "
        + ("PASS" if zero_ok else "FAIL (stockcore does not beat it on " + ", ".join(lost) + ")")
    )
    print("  peers the all-zero forecast beats: " + ("; ".join(beaten) or "none"))
    limit = overall[HINDSIGHT]["rmsse"]
    print(
        f"  the limit of a level forecast (the 28 days' actual mean, known in hindsight): RMSSE "
        f"{limit:.3f}; stockcore {overall[STOCKCORE]['rmsse'] / limit:.2f}x it, "
        f"the RMSSE goal (0.92x the better of Prophet and TSB) would be "
        f"{0.92 * min(overall[PROPHET]['rmsse'], overall[TSB]['rmsse']) / limit:.2f}x it"
    )
    beaten_on_mase = [
        n for n in overall if n != ZERO and overall[n]["mase"] > overall[ZERO]["mase"]
    ]
    print(
        f"  on MASE (information only) the all-zero forecast ({overall[ZERO]['mase']:.3f}) beats: "
        + (", ".join(beaten_on_mase) or "none")
    )
    by_segment = {
        name: summarise(rows[rows["segment"] == name], keep) for name in ("best sellers", "slower")
    }
    for name, table in by_segment.items():
        print_table(name, table)
    by_origin = {
        o: summarise(rows[rows["origin"] == o], keep) for o in (f"{x:%Y-%m-%d}" for x in origins)
    }
    print("\nper origin: RMSSE / pinball@0.95 of cover totals / total error")
    print(f"{'method':<27}" + "".join(f"{o:>24}" for o in by_origin))
    for method in METHODS:
        cells = "".join(
            f"{t[method]['rmsse']:>8.3f}{_cell(t[method]['pinball_0.95'], '{:.3f}', 8)}"
            f"{t[method]['total_error']:>8.3f}"
            for t in by_origin.values()
        )
        print(f"{method:<27}{cells}")

    distributions: dict[str, dict[str, dict[str, float]]] = {}
    if distribution_rows:
        frame = pd.DataFrame(distribution_rows)
        print("\nstockcore's lead-time distributions on cover totals (pinball scaled as above)")
        header = "".join(f"{'pin' + f'{lv:.2f}'[1:]:>8}" for lv in PINBALL_LEVELS)
        print(f"{'distribution':<32}{header}{'tot80':>8}{'tot95':>8}")
        for segment_name, part in [("all", frame), *frame.groupby("segment")]:
            if segment_name != "all":
                print(f"  {segment_name}:")
            means = part.groupby("method", sort=False).mean(numeric_only=True)
            distributions[str(segment_name)] = means.to_dict(orient="index")
            for method, figures in means.iterrows():
                cells = "".join(f"{figures[f'pinball_{lv:.2f}']:>8.3f}" for lv in PINBALL_LEVELS)
                print(f"{method:<32}{cells}{figures['total_80']:>8.0%}{figures['total_95']:>8.0%}")

    total_picks = sum(picks.values())
    print(
        "\nmodels stockcore chose: "
        + ", ".join(
            f"{name} {count} ({count / total_picks:.0%})" for name, count in picks.most_common()
        )
    )
    print(
        "stockcore's own fallback (recent average) used: "
        + (", ".join(f"{k} x{v}" for k, v in own_fallbacks.items()) or "never")
    )
    print(
        "fallbacks (failed forecasts): "
        + (", ".join(f"{k} x{v}" for k, v in failures.items()) or "none")
    )
    if notes:
        print("notes: " + ", ".join(f"{k} x{v}" for k, v in notes.items()))
    print(
        "shop yearly season fits (in stockcore's time): "
        + ", ".join(f"{o} {s:.1f} s" for o, s in season_seconds.items())
    )
    elapsed = time.perf_counter() - started
    print(f"run time {elapsed:.0f} s")
    if args.json:
        report = {
            "origins": [f"{o:%Y-%m-%d}" for o in origins],
            "origin_set": kind,
            "products": {"best_sellers": best, "slower": slower, "eligible": eligible},
            "cover_days": args.cover_days,
            "horizon_days": HORIZON_DAYS,
            "prophet_yearly_forced": args.prophet_yearly,
            "cases": cases,
            "rmsse_cases": int(finite.sum()),
            "overall": overall,
            "by_segment": by_segment,
            "by_origin": by_origin,
            "goals": checks,
            "zero_sanity": {"pass": zero_ok, "stockcore_not_better_on": lost, "peers": beaten},
            "distributions": distributions,
            "stockcore_models": dict(picks),
            "fallbacks": dict(failures),
            "stockcore_own_fallbacks": dict(own_fallbacks),
            "notes": dict(notes),
            "season_seconds": season_seconds,
            "run_seconds": elapsed,
        }
        args.json.write_text(json.dumps(_finite(report), indent=2))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
