"""Stock-outs against stock held: the spec's static threshold vs stockcore's forecast policy.

    .venv/bin/python bench/policy_bench.py [--products 200] [--days 182] [--lead-time 14]

Loads both real files through stockcore's import (as bench/forecast_bench.py does), picks
`--products` products at random (fixed seed) among those with a year of history before
the replayed stretch, slow sellers included, and replays the last `--days` days of real
demand day by day (`stockcore.policies`): sales are lost when stock is 0, orders arrive
after the lead time (the data has no suppliers: `--lead-time` days for every product),
and the forecast policy re-forecasts from past data only, every 7 days.

Prints fill rate, stock-out days, average inventory (units, and value at the median
selling price) and orders for the static threshold policy at several thresholds and for
ours at 90/95/98%. Then gives the static policy a fair chance: it scales every threshold
by one factor until it reaches the fill rate ours reaches at 95%, and prints the ratio of
average inventory, ours / static at that fill rate. Target: at 95% our fill rate is at
least 95%, with less stock than the static policy needs for the same fill rate.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from forecast_bench import load_demand  # noqa: E402

from stockcore.forecasting import models as forecasting  # noqa: E402
from stockcore.policies import PolicyOutcome, compare_policies, demand_histories  # noqa: E402

SEED = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--lead-time", type=int, default=14)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    forecasting.quiet_prophet()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stockcore-policy-bench-") as folder:
        demand, calendar = load_demand(args.data, Path(folder))
    season = forecasting.weekly_season(calendar)
    replay_days = round(args.days * season / 7)
    start_day = calendar[-replay_days]
    first_sale = demand[demand["units"] > 0].groupby("product_id")["day"].min()
    eligible = sorted(first_sale[first_sale <= start_day - pd.Timedelta(days=365)].index)
    rng = np.random.default_rng(SEED)
    chosen = set(rng.choice(eligible, size=min(args.products, len(eligible)), replace=False))
    prices = _median_prices(args.data)
    histories = demand_histories(
        demand[demand["product_id"].isin(chosen)],
        lambda pid: {"lead_time_days": args.lead_time, "unit_cost": float(prices.get(pid, 1.0))},
    )
    print(
        f"{len(histories)} products of {len(eligible)} with a year of history before "
        f"{start_day:%Y-%m-%d}; replaying {args.days} days ({replay_days} trading days) to "
        f"{calendar[-1]:%Y-%m-%d}; lead time {args.lead_time} days, review every 7 days "
        f"(loaded in {time.perf_counter() - started:.0f} s)\n"
    )
    tick = time.perf_counter()
    ours = compare_policies(
        histories, replay_days=replay_days, service_levels=(0.90, 0.95, 0.98),
        static_factors=(), season=season,
    )  # fmt: skip
    ours_seconds = time.perf_counter() - tick

    def static(factor: float) -> PolicyOutcome:
        [outcome] = compare_policies(
            histories, replay_days=replay_days, service_levels=(),
            static_factors=(factor,), season=season,
        )  # fmt: skip
        return outcome

    statics = [static(f) for f in (1.0, 2.0, 4.0, 8.0, 16.0, 64.0)]
    matches: dict[float, tuple[float, PolicyOutcome] | None] = {}
    for ours_outcome in ours:
        level = ours_outcome.service_level or 0.0
        if static(64.0).fill_rate < ours_outcome.fill_rate:
            matches[level] = None
            continue
        low, high = 0.25, 64.0
        for _ in range(20):
            middle = (low + high) / 2
            if static(middle).fill_rate >= ours_outcome.fill_rate:
                high = middle
            else:
                low = middle
        matches[level] = (high, static(high))

    header = f"{'policy':<28}{'fill rate':>10}{'stock-out days':>16}{'avg units':>12}"
    print(header + f"{'avg value':>14}{'orders':>8}")
    for o in statics + ours:
        name = o.policy if o.service_level is None else f"forecast at {o.service_level:.0%}"
        print(
            f"{name:<28}{o.fill_rate:>10.1%}{o.stockout_days:>16,}{o.avg_inventory_units:>12,.0f}"
            f"{o.avg_inventory_value:>14,.0f}{o.orders:>8,}"
        )
    print(f"\nforecast policy: {ours_seconds:.0f} s for {len(histories)} products x 3 targets")
    print("static thresholds scaled until they reach the fill rate of each of our targets:")
    for o in ours:
        level = o.service_level or 0.0
        match = matches[level]
        if match is None:
            print(
                f"  {level:.0%} ({o.fill_rate:.1%}): the static policy never gets there, "
                "even at 64x its thresholds"
            )
            continue
        factor, same = match
        print(
            f"  {level:.0%} ({o.fill_rate:.1%}): static x{factor:.2f} holds "
            f"{same.avg_inventory_units:,.0f} units; ours / static "
            f"{o.avg_inventory_units / same.avg_inventory_units:.2f}x units, "
            f"{o.avg_inventory_value / same.avg_inventory_value:.2f}x value"
        )
    target = next(o for o in ours if o.service_level == 0.95)
    print(
        f"target at 95%: fill rate {target.fill_rate:.1%} (target >= 95%), and less stock "
        "than the static policy at the same fill rate (ratio below 1.00x)"
    )


def _median_prices(data_dir: Path) -> pd.Series:
    frames = [
        pd.read_parquet(data_dir / name, columns=["StockCode", price]).rename(
            columns={price: "price"}
        )
        for name, price in (
            ("online_retail_ii_2009_2010.parquet", "Price"),
            ("online_retail_2010_2011.parquet", "UnitPrice"),
        )
    ]
    prices = pd.concat(frames)
    prices = prices[prices["price"] > 0]
    return prices.groupby(prices["StockCode"].astype(str))["price"].median()


if __name__ == "__main__":
    main()
