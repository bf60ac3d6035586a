"""The frontier of stock held against fill rate: simple rules, a textbook (s,S), stockcore,
and the perfect-foresight limit, on the same products and the same real demand.

    .venv/bin/python bench/policy_bench.py [--products 200] [--days 180]
        [--stretches 2011-12-09,2011-06-30] [--lead-time 14] [--order-cost 10]
        [--holding-rate 0.25] [--chart docs/policy-frontier.png] [--json FILE] [--quick]
        [--workers 2] [--set-aside] [--min-history 365] [--sample first|second]

Loads both real files through stockcore's import (`forecast_bench.load_demand`). For each
stretch (`--days` calendar days ending on each date of `--stretches`; by default one with
the Christmas peak, ending at the data's end, and one without, ending 2011-06-30), picks
the products as `forecast_bench.sample_products` does: the `--products`/2 best sellers of
the year before the stretch and as many random others (seed 7), all first sold 365+ days
before it. `--sample second` takes a disjoint sample of as many products instead: the
next `--products`/2 best sellers and as many random others drawn with another seed, none
of them in the first sample (does a result hold beyond the products it was first
measured on?). Every policy replays the same products' real demand per trading day
(`stockcore.replenishment.simulation.replay`: lost sales, orders arrive `--lead-time` calendar days
later, converted to trading days) and sees only the demand before each day.

Policies (review every 7 calendar days unless "continuous"):

* static threshold (the seed's rule), min/max at factors 0.5-8 on the rolling 90-day
  average, stockcore at service levels 80-99% and perfect foresight (the limit): exactly
  as the shop's own backtest replays them (`stockcore.replenishment.backtest.replay_product`;
  see its docstring). stockcore forecasts at every review from the past only, with the
  shop's yearly season fitted from the shop's sales before that day, and orders by
  `levels.order_for_service` (the lost-sales service-level rule on the forecast's
  distribution: the week after each order arrives runs out with a chance of at most
  1 - the level).
* textbook (s,S): statsforecast AutoETS("ZNN") on the history, mean m per day; s = m(L+R)
  + z sigma sqrt(L+R), sigma = sd of the in-sample one-step residuals; S = s + m R; z from
  the normal at 80-99%. Periodic.

With --set-aside, every policy learns from and replays the regular demand: the large
one-off orders that `stockcore.forecasting.large_orders` sets aside (found once on the whole
two years) are taken off for all of them, as a shop that orders those for the customer.

Calibration: at every review of stockcore at 95%, its stated chance of running out before
an order placed that day could arrive, binned, against how often the replay ran out. And
the service level checked: at each level, the share of the weeks after each review's order
would arrive (L trading days after the review, R days long) in which the replay ran out
(also given for (s,S), whose z is the same kind of promise).

Stock value = average end-of-day units on hand x the product's median selling price,
summed over products. Orders per product per month = orders / products / (days / 30.44).
Total cost = holding (rate x value x days / 365) + order cost x orders.

Goals (issue 13), checked and printed per stretch for stockcore:
at targets 90/95/98% the realised fill rate within 2 points of the target; at equal fill,
stock value at most 0.8x that of the best simple rule (static/min-max or (s,S), linearly
interpolated on its curve on the fill-rate axis; "not reached" if the fill is beyond the
curve); the same for total cost; and the ratio to the perfect-foresight limit.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from forecast_bench import load_demand, sample_products  # noqa: E402

from stockcore.forecasting import models as forecasting  # noqa: E402
from stockcore.replenishment import backtest  # noqa: E402
from stockcore.replenishment import levels as rules  # noqa: E402
from stockcore.replenishment.backtest import (  # noqa: E402
    BASELINE_DAYS,
    LIMIT,
    MINMAX,
    REVIEW_DAYS,
    STOCKCORE,
    STOCKCORE_EOQ,
    ProductHistory,
    demand_histories,
)
from stockcore.replenishment.simulation import order_up_to, replay  # noqa: E402

LEVELS = backtest.TARGETS
GOAL_TARGETS = (0.90, 0.95, 0.98)
FILL_TOLERANCE = 0.02
RATIO_GOAL = 0.8
SS = "textbook (s,S) AutoETS"


@dataclass(frozen=True)
class Job:
    stretch: str
    product: ProductHistory  # history up to the stretch's end
    start: int  # index of the stretch's first trading day
    future_days: pd.DatetimeIndex  # trading days after the stretch's end (for forecasts)
    lead: int
    review: int
    season: int
    shop_units: pd.Series  # the whole shop's units per trading day (stockcore's season)
    costs: tuple[float, float]  # cost per order, yearly holding rate (stockcore with EOQ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--stretches", default="2011-12-09,2011-06-30")
    parser.add_argument("--lead-time", type=int, default=14)
    parser.add_argument("--order-cost", type=float, default=10.0)
    parser.add_argument("--holding-rate", type=float, default=0.25)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--chart", type=Path, default=REPO / "docs" / "policy-frontier.png")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--min-history", type=int, default=365,
        help="days a product must have sold before the stretch (lower it for the 2010 "
        "development stretch, which has less history before it)",
    )  # fmt: skip
    parser.add_argument(
        "--set-aside", action="store_true",
        help="replay the regular demand: large one-off orders (stockcore.forecasting."
        "large_orders) taken off for every policy, as if ordered for the customer",
    )  # fmt: skip
    parser.add_argument(
        "--sample", choices=("first", "second"), default="first",
        help="first: the best sellers and a random draw of the rest (the reported sample); "
        "second: a disjoint one, the next best sellers and another random draw",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="40 products, the first stretch")
    args = parser.parse_args()
    stretch_ends = [pd.Timestamp(s) for s in args.stretches.split(",")]
    if args.quick:
        args.products = 40
        stretch_ends = stretch_ends[:1]
    forecasting.quiet_prophet()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stockcore-policy-bench-") as folder:
        demand, calendar = load_demand(args.data, Path(folder), set_aside=args.set_aside)
    print(f"loaded in {time.perf_counter() - started:.0f} s")
    season = forecasting.weekly_season(calendar)
    lead = rules.trading_days_in(args.lead_time, season)
    review = rules.trading_days_in(REVIEW_DAYS, season)
    prices = _median_prices(args.data)
    report: dict[str, object] = {
        "settings": {
            "products": args.products, "days": args.days, "lead_time_days": args.lead_time,
            "lead_trading_days": lead, "review_trading_days": review,
            "order_cost": args.order_cost, "holding_rate": args.holding_rate,
            "large_orders_set_aside": args.set_aside, "sample": args.sample,
        },
        "stretches": {},
    }  # fmt: skip
    frames = []
    for end in stretch_ends:
        tick = time.perf_counter()
        name, jobs, eligible = _jobs(demand, calendar, end, args, prices, season, lead, review)
        first = jobs[0]
        replay_days = len(first.product.units) - first.start
        print(
            f"\n== stretch {name}: {len(jobs)} products ({len(jobs) // 2} best sellers + "
            f"random of {eligible} eligible), {replay_days} trading days; lead {lead}, "
            f"review {review} trading days"
        )
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            results = pool.map(_replay_product, jobs, chunksize=1)
        rows = _aggregate(results, len(jobs), args)
        seconds = time.perf_counter() - tick
        frame = pd.DataFrame(rows).assign(stretch=name)
        frames.append(frame)
        _print_table(frame)
        goals = _goals(frame)
        _print_goals(goals)
        calibration = backtest.calibration_frame([pair for r in results for pair in r[1]])
        print(
            "\ncalibration (stockcore at 95%): stated chance of running out before an order "
            "placed at a review arrives, against how often it did"
        )
        for row in calibration.itertuples():
            print(
                f"  {row.bin:>16}: stated {row.stated:6.1%}, happened {row.happened:6.1%} "
                f"({row.reviews} reviews)"
            )
        print(f"stretch replayed in {seconds:.0f} s")
        report["stretches"][name] = {  # type: ignore[index]
            "products": [j.product.product_id for j in jobs],
            "seconds": round(seconds, 1),
            "rows": rows,
            "goals": goals,
            "calibration": calibration.to_dict(orient="records"),
        }
    everything = pd.concat(frames, ignore_index=True)
    _chart(everything, args.chart)
    print(f"\nchart: {args.chart}; total {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))


def _jobs(
    demand: pd.DataFrame,
    calendar: pd.DatetimeIndex,
    end: pd.Timestamp,
    args: argparse.Namespace,
    prices: pd.Series,
    season: int,
    lead: int,
    review: int,
) -> tuple[str, list[Job], int]:
    days = calendar[(calendar > end - pd.Timedelta(days=args.days)) & (calendar <= end)]
    start_day, last_day = days[0], days[-1]
    pick = second_sample if args.sample == "second" else sample_products
    best, slower, eligible = pick(demand, start_day, args.min_history, args.products)
    chosen = set(best) | set(slower)
    shop_units = demand.groupby("day")["units"].sum()
    shop_units.index = pd.DatetimeIndex(shop_units.index)
    shop_units = shop_units[shop_units.index <= last_day]
    histories = demand_histories(
        demand[demand["product_id"].isin(chosen)],
        lambda pid: {"lead_time_days": args.lead_time, "unit_cost": float(prices.get(pid, 1.0))},
    )
    jobs = []
    for full in histories:
        if full.days[-1] < last_day:  # no rows up to the end: pad with zero demand
            pad = calendar[(calendar > full.days[-1]) & (calendar <= last_day)]
            full = ProductHistory(
                full.product_id, full.days.append(pad),
                np.concatenate([full.units, np.zeros(len(pad), dtype=int)]),
                full.lead_time_days, full.unit_cost,
            )  # fmt: skip
        cut = int(np.searchsorted(full.days, last_day, side="right"))
        start = int(np.searchsorted(full.days, start_day))
        after = calendar[calendar > last_day]
        product = ProductHistory(
            full.product_id, full.days[:cut], full.units[:cut], full.lead_time_days,
            full.unit_cost,
        )  # fmt: skip
        jobs.append(Job(f"{start_day:%Y-%m-%d}..{last_day:%Y-%m-%d}", product, start,
                        after, lead, review, season, shop_units,
                        (args.order_cost, args.holding_rate)))  # fmt: skip
    return jobs[0].stretch, jobs, eligible


SECOND_SEED = 2024
FIRST_SAMPLE = 200  # the reported sample's size (the default --products)


def second_sample(
    demand: pd.DataFrame, origin: pd.Timestamp, history_days: int, count: int
) -> tuple[list[str], list[str], int]:
    """`count` products none of which is in the reported sample (`sample_products` of
    FIRST_SAMPLE): the best sellers ranked FIRST_SAMPLE/2+1 to FIRST_SAMPLE of the year
    before `origin` that it does not hold (`count`/2 at most), and a random draw
    (another seed) of the products ranked below FIRST_SAMPLE that it does not hold."""
    best, slower, eligible = sample_products(demand, origin, history_days, FIRST_SAMPLE)
    first = set(best) | set(slower)
    ranked, _, _ = sample_products(demand, origin, history_days, 2 * FIRST_SAMPLE)
    next_best = [pid for pid in ranked[len(best) :] if pid not in first][: count // 2]
    first_sold = demand[demand["units"] > 0].groupby("product_id")["day"].min()
    old_enough = first_sold.index[first_sold <= origin - pd.Timedelta(days=history_days)]
    rest = sorted(set(old_enough) - set(ranked) - first)
    rng = np.random.default_rng(SECOND_SEED)
    draw = rng.choice(rest, size=min(count - len(next_best), len(rest)), replace=False)
    return next_best, [str(pid) for pid in sorted(draw)], eligible


# --- One product: every policy ------------------------------------------------------------

# demanded, served, value, orders, weeks after stockcore's arrivals, how many ran out
Totals = dict[tuple[str, str], tuple[int, int, float, int, int, int]]


def _replay_product(job: Job) -> tuple[Totals, list[tuple[float, bool]], float, float]:
    warnings.filterwarnings("ignore")
    product, start, lead, review = job.product, job.start, job.lead, job.review
    demand = product.units[start:]
    past = product.units[:start].astype(float)
    price = product.unit_cost

    # The seed's rule, min/max, stockcore and the limit: as the shop backtest replays them.
    tick = time.perf_counter()
    found, calibration = backtest.replay_product(
        product, replay_days=len(demand), season=job.season, targets=LEVELS,
        future_days=job.future_days, seasons=backtest.shop_seasons(job.shop_units),
        costs=job.costs,
    )  # fmt: skip
    stockcore_seconds = time.perf_counter() - tick
    out: Totals = {key: (r[0], r[1], r[4], r[5], r[6], r[7]) for key, r in found.items()}

    # The textbook (s,S) on AutoETS, once per review day.
    tick = time.perf_counter()
    ets = _ets_plans(job)
    ets_seconds = time.perf_counter() - tick
    for level in LEVELS:
        z = NormalDist().inv_cdf(level)
        s_levels = {
            day: (
                m * (lead + review) + z * sd * math.sqrt(lead + review),
                m * (lead + review) + z * sd * math.sqrt(lead + review) + m * review,
            )
            for day, (m, sd) in ets.items()
        }
        result = replay(
            demand, opening_stock=max(0, math.ceil(s_levels[0][1])), lead_time_days=lead,
            decide=order_up_to(_fixed(s_levels)), history=past, review_every=review,
        )  # fmt: skip
        out[(SS, f"{level:.0%}")] = (
            result.demanded, result.served, result.average_on_hand * price, result.orders,
            *backtest.weeks_short(result.stocked_out, lead, review),
        )  # fmt: skip
    return out, calibration, stockcore_seconds, ets_seconds


def _fixed(
    levels: dict[int, tuple[float, float]],
) -> Callable[[int, np.ndarray], tuple[float, float]]:
    """(reorder point, order-up-to level) worked out beforehand for every review day."""

    def lookup(day: int, seen: np.ndarray) -> tuple[float, float]:
        return levels[day]

    return lookup


def _ets_plans(job: Job) -> dict[int, tuple[float, float]]:
    """AutoETS("ZNN") per review day: (mean per day, sd of in-sample residuals)."""
    from statsforecast.models import AutoETS

    product, start, review = job.product, job.start, job.review
    first = int(np.argmax(product.units > 0))  # from the first sale on
    plans = {}
    for day in range(0, len(product.units) - start, review):
        history = product.units[first : start + day].astype(float)
        try:
            made = AutoETS(model="ZNN").forecast(y=history, h=1, fitted=True)
            mean = max(0.0, float(made["mean"][0]))
            residuals = history - made["fitted"]
            sd = float(np.nanstd(residuals[1:], ddof=1))
        except Exception:  # a failed fit: the recent mean and sd
            mean, sd = float(history[-BASELINE_DAYS:].mean()), float(history.std())
        plans[day] = (mean, sd if math.isfinite(sd) else 0.0)
    return plans


# --- Tables, goals, chart -------------------------------------------------------------------


def _aggregate(
    results: list[tuple[Totals, list[tuple[float, bool]], float, float]],
    products: int,
    args: argparse.Namespace,
) -> list[dict[str, object]]:
    keys = list(results[0][0])
    months = args.days / 30.44
    rows = []
    for family, setting in keys:
        demanded = sum(r[0][(family, setting)][0] for r in results)
        served = sum(r[0][(family, setting)][1] for r in results)
        value = sum(r[0][(family, setting)][2] for r in results)
        orders = sum(r[0][(family, setting)][3] for r in results)
        weeks = sum(r[0][(family, setting)][4] for r in results)
        short = sum(r[0][(family, setting)][5] for r in results)
        holding = args.holding_rate * value * args.days / 365
        rows.append({
            "family": family, "setting": setting,
            "fill_rate": served / demanded if demanded else 1.0,
            "stock_value": value, "orders": orders,
            "orders_per_product_month": orders / products / months,
            "holding_cost": holding, "total_cost": holding + args.order_cost * orders,
            "weeks_short": short / weeks if weeks else None,
        })  # fmt: skip
    print(
        f"forecast time: stockcore {sum(r[2] for r in results):.0f} s, AutoETS "
        f"{sum(r[3] for r in results):.0f} s (CPU seconds summed over workers)"
    )
    return rows


def _print_table(frame: pd.DataFrame) -> None:
    print(
        f"{'policy':<38}{'setting':>13}{'fill':>8}{'stock value':>13}"
        f"{'orders/prod/mo':>16}{'total cost':>12}"
    )
    for row in frame.itertuples():
        print(
            f"{row.family:<38}{row.setting:>13}{row.fill_rate:>8.1%}{row.stock_value:>13,.0f}"
            f"{row.orders_per_product_month:>16.2f}{row.total_cost:>12,.0f}"
        )


def _on_curve(curve: pd.DataFrame, fill: float, column: str) -> float | None:
    """`column` linearly interpolated at `fill` on a family's curve; None if `fill` is
    outside the fill rates the family reached."""
    points = curve.sort_values("fill_rate")
    fills, values = points["fill_rate"].to_numpy(), points[column].to_numpy()
    if fill < fills[0] - 1e-12 or fill > fills[-1] + 1e-12:
        return None
    return float(np.interp(fill, fills, values))


FILL_GRID = (0.90, 0.92, 0.94, 0.96, 0.98)
CURVES = (MINMAX, SS)


def _goals(frame: pd.DataFrame) -> dict[str, object]:
    """Calibration at the goal targets, and at each fill rate of FILL_GRID: stockcore's
    stock value (and total cost, plain and with EOQ) on its curve against each simple
    rule's curve and against the perfect-foresight limit."""
    limit = frame[(frame["family"] == LIMIT) & (frame["setting"] == "periodic")].iloc[0]
    calibration = []
    for target in GOAL_TARGETS:
        row = frame[(frame["family"] == STOCKCORE) & (frame["setting"] == f"{target:.0%}")]
        fill = float(row.iloc[0]["fill_rate"])
        weeks = row.iloc[0]["weeks_short"]
        calibration.append({
            "target": target, "fill_rate": fill,
            "pass": abs(fill - target) <= FILL_TOLERANCE + 1e-12,
            "weeks_short": None if pd.isna(weeks) else float(weeks),
        })  # fmt: skip
    equal_fill = []
    for column, family in (
        ("stock_value", STOCKCORE), ("total_cost", STOCKCORE), ("total_cost", STOCKCORE_EOQ),
    ):  # fmt: skip
        ours_curve = frame[frame["family"] == family]
        if ours_curve.empty:
            continue
        for fill in FILL_GRID:
            ours = _on_curve(ours_curve, fill, column)
            rules = {
                name: _on_curve(frame[frame["family"] == name], fill, column) for name in CURVES
            }
            reached = {name: v for name, v in rules.items() if v is not None}
            best = min(reached, key=lambda n: reached[n]) if reached else None
            ratio = ours / reached[best] if ours is not None and best else None
            equal_fill.append({
                "measure": column, "stockcore": family, "fill": fill, "ours": ours,
                "rules": rules, "best_rule": best, "ratio_best": ratio,
                "ratio_minmax": ours / rules[MINMAX] if ours and rules[MINMAX] else None,
                "pass": ratio is not None and ratio <= RATIO_GOAL,
                "ratio_limit": ours / float(limit[column]) if ours and limit[column] else None,
            })  # fmt: skip
    return {"calibration": calibration, "equal_fill": equal_fill}


def _print_goals(goals: dict[str, object]) -> None:
    print("\ngoal 1: realised fill within 2 points of the target")
    for g in goals["calibration"]:  # type: ignore[attr-defined]
        verdict = "PASS" if g["pass"] else "MISS"
        weeks = g["weeks_short"]
        kept = "" if weeks is None else (
            f"; weeks after an order's arrival that ran out {weeks:.1%} "
            f"(the service level allows {1 - g['target']:.0%})"
        )  # fmt: skip
        print(f"  target {g['target']:.0%}: fill {g['fill_rate']:.1%} {verdict}{kept}")
    print(
        "goal 2: at equal fill, stockcore <= 0.80x the best simple rule (curves interpolated "
        "on the fill-rate axis); x the perfect-foresight limit beside it"
    )
    print(f"  {'measure':<12}{'stockcore':<20}{'fill':>6}{'ours':>11}{'min/max':>11}"
          f"{'(s,S)':>11}{'x best':>8}{'x min/max':>10}{'x limit':>9}")  # fmt: skip
    for g in goals["equal_fill"]:  # type: ignore[attr-defined]

        def money(value: float | None) -> str:
            return "   n/r" if value is None else f"{value:,.0f}"

        def times(value: float | None) -> str:
            return "n/r" if value is None else f"{value:.2f}x"

        verdict = "" if g["ratio_best"] is None else (" PASS" if g["pass"] else " MISS")
        print(
            f"  {g['measure']:<12}{g['stockcore']:<20}{g['fill']:>6.0%}{money(g['ours']):>11}"
            f"{money(g['rules'][MINMAX]):>11}{money(g['rules'][SS]):>11}"
            f"{times(g['ratio_best']):>8}{times(g['ratio_minmax']):>10}"
            f"{times(g['ratio_limit']):>9}{verdict}"
        )
    print("  (n/r: the curve does not reach that fill rate)")


def _chart(frame: pd.DataFrame, path: Path) -> None:
    import altair as alt

    data = frame.copy()
    data["fill_rate"] = data["fill_rate"].clip(lower=0.7)
    data["family"] = np.where(
        data["family"] == LIMIT, LIMIT + " " + data["setting"], data["family"]
    )
    x = alt.X("fill_rate:Q", title="fill rate", scale=alt.Scale(domain=[0.7, 1.0]))
    y = alt.Y("stock_value:Q", title="average stock value")
    tooltip = ["family", "setting", alt.Tooltip("fill_rate:Q", format=".1%"),
               alt.Tooltip("stock_value:Q", format=",.0f")]  # fmt: skip
    lines = (
        alt.Chart()
        .transform_filter(f"indexof(datum.family, '{LIMIT}') < 0")
        .mark_line(point=True)
        .encode(x=x, y=y, color=alt.Color("family:N", title="policy"), tooltip=tooltip)
    )
    foresight = (
        alt.Chart()
        .transform_filter(f"datum.family == '{LIMIT} periodic'")
        .mark_point(shape="diamond", size=120, color="black", filled=True)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    chart = (
        alt.layer(lines, foresight, data=data)
        .properties(width=420, height=320)
        .facet(column=alt.Column("stretch:N", title="stretch"))
        .properties(title="Fill rate against average stock value (black: perfect foresight)")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    chart.save(str(path))


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
