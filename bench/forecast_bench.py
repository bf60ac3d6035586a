"""Forecast accuracy and speed on the real shop's two years, against Prophet for every product.

    .venv/bin/python bench/forecast_bench.py [--products 600] [--origins 4] [--data ../shared/data]

Loads both real files (the overlap dropped) through stockcore's own import into a
temporary SQLite file and builds each product's daily demand history with
`demand.daily_demand` (trading days only; the shop closed on Saturdays). Picks at
random (fixed seed) `--products` products with at least one year of history before
the first forecast origin, slow sellers included. Then, at each of `--origins` origins
four weeks apart (the last one four weeks before the data ends), every method
forecasts the next 28 calendar days from the history before the origin:

* stockcore: the model chosen per product by its own rolling-origin backtest
  (`forecasting.forecast_series`), the yearly season borrowed from the whole shop
  (its fit is counted in stockcore's time);
* Prophet for every product (the same Prophet set-up stockcore uses for its Prophet
  candidate: weekly and yearly seasonality, no uncertainty sampling, clipped at 0);
* seasonal naive (same trading day last week) and every candidate model on its own.

Prints, per method: mean MASE (scaled by in-sample seasonal naive, one value per
product and origin), WAPE and bias (pooled over every product and origin), seconds per
product and origin, and the ratios stockcore / Prophet-for-every-product. Each method
runs in this one process, one product at a time. Target: lower mean MASE than Prophet
for every product, in at most a third of its time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere
sys.path.insert(0, str(REPO / "bench"))

from import_bench import build_csv  # noqa: E402

from stockcore.db import Database, upgrade  # noqa: E402
from stockcore.forecasting import models as forecasting  # noqa: E402
from stockcore.forecasting.history import daily_demand, trading_days  # noqa: E402
from stockcore.forecasting.metrics import bias, seasonal_naive, wape  # noqa: E402
from stockcore.imports import import_sales  # noqa: E402

HORIZON_DAYS = 28
SEED = 42


def load_demand(data_dir: Path, folder: Path) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    csv_path = folder / "shop.csv"
    build_csv(data_dir, 1_050_000, csv_path)  # both years once (about 1.03 million rows)
    db = Database.connect(f"sqlite:///{folder / 'bench.db'}")
    upgrade(db)
    import_sales(db, csv_path.read_bytes(), "shop.csv")
    demand = daily_demand(db)
    calendar = trading_days(db)
    db.dispose()
    return demand, calendar


Method = Callable[[np.ndarray, pd.DatetimeIndex, pd.DatetimeIndex], np.ndarray]


class Tally(forecasting.Scores):
    """A method's scores over every product and origin, and the seconds it took."""

    seconds: float = 0.0

    def row(self, keep: np.ndarray) -> tuple[float, float, float, float]:
        values = np.array(self.mases)[keep]
        actual = np.concatenate([a for a, k in zip(self.actual, keep, strict=True) if k])
        predicted = np.concatenate([p for p, k in zip(self.predicted, keep, strict=True) if k])
        per_forecast = self.seconds / max(1, len(self.mases))
        return float(values.mean()), wape(actual, predicted), bias(actual, predicted), per_forecast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=600)
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    forecasting.quiet_prophet()

    with tempfile.TemporaryDirectory(prefix="stockcore-forecast-bench-") as folder:
        started = time.perf_counter()
        demand, calendar = load_demand(args.data, Path(folder))
        print(
            f"history: {demand['product_id'].nunique():,} products, {len(calendar)} trading days "
            f"{calendar.min():%Y-%m-%d} to {calendar.max():%Y-%m-%d} "
            f"(loaded through stockcore's import in {time.perf_counter() - started:.0f} s)"
        )

    end = calendar.max()
    origins = [
        end + pd.Timedelta(days=1) - pd.Timedelta(days=HORIZON_DAYS * k)
        for k in range(args.origins, 0, -1)
    ]
    first_sale = demand[demand["units"] > 0].groupby("product_id")["day"].min()
    eligible = sorted(first_sale[first_sale <= origins[0] - pd.Timedelta(days=365)].index)
    rng = np.random.default_rng(SEED)
    chosen = sorted(rng.choice(eligible, size=min(args.products, len(eligible)), replace=False))
    series = dict(tuple(demand[demand["product_id"].isin(chosen)].groupby("product_id")))
    shares = [float(np.mean(f["units"].dropna() > 0)) for f in series.values()]
    print(
        f"products: {len(chosen)} of {len(eligible)} with a year of history before "
        f"{origins[0]:%Y-%m-%d} (median product sells on {np.median(shares):.0%} of trading days; "
        f"{np.mean(np.array(shares) < 0.5):.0%} on fewer than half)"
    )
    print(f"origins: {', '.join(f'{o:%Y-%m-%d}' for o in origins)}; horizon {HORIZON_DAYS} days\n")

    season = forecasting.weekly_season(calendar)
    # Warm up (imports, loading Prophet's compiled model) so no method pays for them.
    warm = series[chosen[0]]
    for name in (forecasting.PROPHET, *forecasting.STATSFORECAST_MODELS):
        forecasting.forecast_with(
            name, warm["units"].to_numpy(dtype=float), pd.DatetimeIndex(warm["day"]), calendar[-6:]
        )
    shop = demand.groupby("day")["units"].sum(min_count=1).reindex(calendar)
    tallies: dict[str, Tally] = {}
    picks: Counter[str] = Counter()

    def tally(name: str) -> Tally:
        return tallies.setdefault(name, Tally())

    for origin in origins:
        history_days = calendar[calendar < origin]
        future = calendar[
            (calendar >= origin) & (calendar < origin + pd.Timedelta(days=HORIZON_DAYS))
        ]
        tick = time.perf_counter()
        yearly = forecasting.yearly_season(
            shop.reindex(history_days).to_numpy(dtype=float),
            history_days,
            history_days.append(future),
            source="shop",
        )
        season_seconds = time.perf_counter() - tick
        tally("stockcore").seconds += season_seconds
        singles = list(forecasting.STATSFORECAST_MODELS)
        if yearly is not None:
            singles += [f"{name} × shop season" for name in forecasting.SEASONAL_MODELS]
        for pid in chosen:
            frame = series[pid]
            past = frame[frame["day"] < origin]
            ahead = frame[frame["day"].isin(future)].set_index("day")["units"].reindex(future)
            days = pd.DatetimeIndex(past["day"])
            training = past["units"].to_numpy(dtype=float)
            actual = ahead.to_numpy(dtype=float)
            tick = time.perf_counter()
            ours = forecasting.forecast_series(training, days, future, season=season, yearly=yearly)
            tally("stockcore").seconds += time.perf_counter() - tick
            tally("stockcore").add(actual, ours.units, training, season)
            picks[ours.model] += 1

            tick = time.perf_counter()
            predicted = forecasting.forecast_with(forecasting.PROPHET, training, days, future)
            tally("Prophet for every product").seconds += time.perf_counter() - tick
            tally("Prophet for every product").add(actual, predicted, training, season)

            tick = time.perf_counter()
            predicted = seasonal_naive(training, len(future), season)
            tally("seasonal naive").seconds += time.perf_counter() - tick
            tally("seasonal naive").add(actual, predicted, training, season)
            for name in singles:
                tick = time.perf_counter()
                predicted = forecasting.forecast_with(name, training, days, future, season=yearly)
                tally(name).seconds += time.perf_counter() - tick
                tally(name).add(actual, predicted, training, season)
        print(f"  origin {origin:%Y-%m-%d} done ({time.perf_counter() - started:.0f} s so far)")

    scored = list(tallies)
    keep = np.all([np.isfinite(tallies[name].mases) for name in scored], axis=0)
    print(
        f"\nforecasts scored: {int(keep.sum())} (product x origin; "
        f"{int((~keep).sum())} left out where a history never varied week to week)\n"
    )
    print(f"{'method':<34}{'mean MASE':>10}{'WAPE':>8}{'bias':>8}{'s / forecast':>14}")
    rows = {name: tallies[name].row(keep) for name in scored}
    for name, (m, w, b, s) in sorted(rows.items(), key=lambda item: item[1][0]):
        print(f"{name:<34}{m:>10.3f}{w:>8.3f}{b:>+8.3f}{s:>14.4f}")
    total = sum(picks.values())
    print(
        "\nmodels stockcore chose: "
        + ", ".join(f"{name} {count / total:.0%}" for name, count in picks.most_common())
    )
    ours, prophet_all = rows["stockcore"], rows["Prophet for every product"]
    print(
        "\nratio stockcore / Prophet for every product: "
        f"mean MASE {ours[0] / prophet_all[0]:.2f}x, "
        f"WAPE {ours[1] / prophet_all[1]:.2f}x, time {ours[3] / prophet_all[3]:.2f}x "
        f"(target: MASE below 1.00x, time at most 0.33x)"
    )


if __name__ == "__main__":
    main()
