"""The frontier of stock held against fill rate: simple rules, a textbook (s,S), stockcore,
and the perfect-foresight limit, on the same products and the same real demand.

    .venv/bin/python bench/policy_bench.py [--products 200] [--days 180]
        [--stretches 2011-12-09,2011-06-30] [--lead-time 14] [--order-cost 10]
        [--holding-rate 0.25] [--chart docs/policy-frontier.png] [--json FILE] [--quick]
        [--workers 2]

Loads both real files through stockcore's import (`forecast_bench.load_demand`). For each
stretch (`--days` calendar days ending on each date of `--stretches`; by default one with
the Christmas peak, ending at the data's end, and one without, ending 2011-06-30), picks
the products as `forecast_bench.sample_products` does: the `--products`/2 best sellers of
the year before the stretch and as many random others (seed 7), all first sold 365+ days
before it. Every policy replays the same products' real demand per trading day
(`stockcore.replenishment.simulation.replay`: lost sales, orders arrive `--lead-time` calendar days
later, converted to trading days) and sees only the demand before each day.

Policies (review every 7 calendar days unless "continuous"):

* static threshold (the seed's rule, `stockcore.replenishment.backtest` factor 1): order 30 trading
  days of the 90-day average when on hand + on order < that average x lead time; the
  average is fixed before the stretch. Continuous review.
* min/max at factors 0.5-8: min = factor x the 90-trading-day average x lead time, max =
  min + 30 days of that average; order up to max when the position is <= min. The average
  is recomputed every day from the past (fairer to the rule than a frozen one). Continuous.
* textbook (s,S): statsforecast AutoETS("ZNN") on the history, mean m per day; s = m(L+R)
  + z sigma sqrt(L+R), sigma = sd of the in-sample one-step residuals; S = s + m R; z from
  the normal at 80-99%. Periodic.
* stockcore current rule: `backtest._forecast_policy` (`rules.cover_level`) on
  plans built as `backtest._forecast_plans` builds them (same forecast call), at 80-99%.
* stockcore fill-rate rule (candidate): from the same forecast, S = the smallest level
  with 1 - (E[(D_L+R - S)+] - E[(D_L - S)+]) / E[demand over the review] >= target (the
  lost-sales fill-rate loss function; bisection). The two stockcore rules share one
  forecast per product and review day.
* perfect foresight (the limit): knows the future. Periodic: each review orders exactly
  what the days from this order's arrival to the next one's will demand, minus what will
  be left then; it opens with the first lead time's demand. Fill is 100% with the least
  stock any policy with this lead time and review period can hold (demand after the
  stretch counts as 0). The continuous variant orders every day that day's demand
  L days ahead: 0 stock, one order per selling day; shown as "daily review".

Stock value = average end-of-day units on hand x the product's median selling price,
summed over products. Orders per product per month = orders / products / (days / 30.44).
Total cost = holding (rate x value x days / 365) + order cost x orders.

Goals (issue item 6), checked and printed per stretch for both stockcore rules:
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
from stockcore.forecasting import selection  # noqa: E402
from stockcore.forecasting.distribution import Demand  # noqa: E402
from stockcore.replenishment import levels as rules  # noqa: E402
from stockcore.replenishment.backtest import (  # noqa: E402
    BASELINE_DAYS,
    REVIEW_DAYS,
    STATIC_ORDER_DAYS,
    ProductHistory,
    _forecast_policy,
    _Plan,
    demand_histories,
)
from stockcore.replenishment.simulation import Decide, order_up_to, replay, static_threshold  # noqa: E402

LEVELS = (0.80, 0.90, 0.95, 0.98, 0.99)
FACTORS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
GOAL_TARGETS = (0.90, 0.95, 0.98)
FILL_TOLERANCE = 0.02
RATIO_GOAL = 0.8
CURRENT = "stockcore current rule"
CANDIDATE = "stockcore fill-rate rule (candidate)"
STATIC = "static threshold (seed)"
MINMAX = "min/max (90-day average)"
SS = "textbook (s,S) AutoETS"
LIMIT = "perfect foresight (limit)"
SIMPLE = (STATIC, MINMAX, SS)


@dataclass(frozen=True)
class Job:
    stretch: str
    product: ProductHistory  # history up to the stretch's end
    start: int  # index of the stretch's first trading day
    future_days: pd.DatetimeIndex  # trading days after the stretch's end (for forecasts)
    lead: int
    review: int
    season: int


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
    parser.add_argument("--quick", action="store_true", help="40 products, the first stretch")
    args = parser.parse_args()
    stretch_ends = [pd.Timestamp(s) for s in args.stretches.split(",")]
    if args.quick:
        args.products = 40
        stretch_ends = stretch_ends[:1]
    forecasting.quiet_prophet()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stockcore-policy-bench-") as folder:
        demand, calendar = load_demand(args.data, Path(folder))
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
        print(f"stretch replayed in {seconds:.0f} s")
        report["stretches"][name] = {  # type: ignore[index]
            "products": [j.product.product_id for j in jobs],
            "seconds": round(seconds, 1),
            "rows": rows,
            "goals": goals,
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
    best, slower, eligible = sample_products(demand, start_day, 365, args.products)
    chosen = set(best) | set(slower)
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
                        after, lead, review, season))  # fmt: skip
    return jobs[0].stretch, jobs, eligible


# --- One product: every policy ------------------------------------------------------------

Totals = dict[tuple[str, str], tuple[int, int, float, int]]  # demanded, served, value, orders


def _replay_product(job: Job) -> tuple[Totals, float, float]:
    warnings.filterwarnings("ignore")
    product, start, lead, review = job.product, job.start, job.lead, job.review
    units = product.units
    demand = units[start:]
    past = units[:start].astype(float)
    price = product.unit_cost
    out: Totals = {}

    def run(key: tuple[str, str], decide: Decide, opening: float, every: int) -> None:
        result = replay(
            demand, opening_stock=max(0, math.ceil(opening)), lead_time_days=lead,
            decide=decide, history=past, review_every=every,
        )  # fmt: skip
        out[key] = (result.demanded, result.served, result.average_on_hand * price,
                    result.orders)  # fmt: skip

    # Static threshold, exactly as stockcore.replenishment.backtest.compare_policies builds it.
    baseline = float(past[-BASELINE_DAYS:].mean())
    quantity = rules.round_order(max(1.0, baseline * STATIC_ORDER_DAYS))
    run((STATIC, "x1"), static_threshold(baseline * lead, quantity), baseline * lead + quantity, 1)

    # Min/max on the rolling 90-day average.
    for factor in FACTORS:

        def levels(day: int, seen: np.ndarray, factor: float = factor) -> tuple[float, float]:
            average = float(seen[-BASELINE_DAYS:].mean())
            low = factor * average * lead
            return low, low + average * STATIC_ORDER_DAYS

        run((MINMAX, f"x{factor:g}"), order_up_to(levels), levels(0, past)[1], 1)

    # Forecasts: stockcore (shared by both rules) and AutoETS, once per review day.
    tick = time.perf_counter()
    plans, candidate = _stockcore_plans(job)
    stockcore_seconds = time.perf_counter() - tick
    tick = time.perf_counter()
    ets = _ets_plans(job)
    ets_seconds = time.perf_counter() - tick

    for level in LEVELS:
        setting = f"{level:.0%}"
        current = _forecast_policy(plans, level, product)
        run((CURRENT, setting), current, current(0, 0, 0, past), review)
        targets = {day: levels[level] for day, levels in candidate.items()}
        decide = _up_to(targets)
        run((CANDIDATE, setting), decide, targets[0], review)
        z = NormalDist().inv_cdf(level)
        points = {
            day: (m * (lead + review) + z * sd * math.sqrt(lead + review), m * review)
            for day, (m, sd) in ets.items()
        }
        s_levels = {day: (s, s + cycle) for day, (s, cycle) in points.items()}
        run((SS, setting), order_up_to(_fixed(s_levels)), s_levels[0][1], review)

    # Perfect foresight.
    for every, setting in ((review, "periodic"), (1, "daily review")):
        run((LIMIT, setting), _foresight(demand, lead, every), demand[:lead].sum(), every)
    return out, stockcore_seconds, ets_seconds


def _up_to(targets: dict[int, float]) -> Decide:
    def decide(day: int, on_hand: int, on_order: int, seen: np.ndarray) -> int:
        return rules.order_quantity(targets[day], on_hand, on_order)

    return decide


def _fixed(
    levels: dict[int, tuple[float, float]],
) -> Callable[[int, np.ndarray], tuple[float, float]]:
    """(reorder point, order-up-to level) worked out beforehand for every review day."""

    def lookup(day: int, seen: np.ndarray) -> tuple[float, float]:
        return levels[day]

    return lookup


def _foresight(demand: np.ndarray, lead: int, every: int) -> Decide:
    """Order what the days from this order's arrival to the next order's arrival demand,
    minus what will be left at the arrival (all earlier orders are in by then)."""

    def decide(day: int, on_hand: int, on_order: int, seen: np.ndarray) -> int:
        left = on_hand + on_order - int(demand[day : day + lead].sum())
        wanted = int(demand[day + lead : day + lead + every].sum())
        return max(0, wanted - left)

    return decide


def _stockcore_plans(job: Job) -> tuple[dict[int, _Plan], dict[int, dict[float, float]]]:
    """`backtest._forecast_plans`'s plans (one forecast per review day) and, from the same
    forecast, the candidate's order-up-to level at every target."""
    product, start, lead, review, season = (
        job.product, job.start, job.lead, job.review, job.season,
    )  # fmt: skip
    calendar = product.days.append(job.future_days)
    plans: dict[int, _Plan] = {}
    candidate: dict[int, dict[float, float]] = {}
    for day in range(0, len(product.units) - start, review):
        cut = start + day
        history = product.units[:cut].astype(float)
        days = product.days[:cut]
        future = calendar[cut : cut + lead + review]
        if len(future) < lead + review:  # past the data's end: extend as backtest.py does
            extra = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=2 * (lead + review))
            future = pd.DatetimeIndex(extra[: lead + review])
        if selection.can_backtest(len(history), season):
            made = selection.forecast_series(history, days, future, season=season)
            units, spread = made.units, made.error_sd
            d_l, d_lr = made.total(lead), made.total(lead + review)
            e_r = float(units[lead : lead + review].sum())
            candidate[day] = {t: _fill_level(d_l, d_lr, e_r, t) for t in LEVELS}
        else:
            units = np.full(lead + review, float(history.mean()) if len(history) else 0.0)
            spread = float(history.std()) if len(history) > 1 else 0.0
            candidate[day] = {t: float(units.sum()) for t in LEVELS}
        plans[day] = _Plan(
            float(units[:lead].sum()), float(units[lead:].sum()), spread,
            int((units > 0).sum()), rules.stretch_sums(history, lead + review),
        )  # fmt: skip
    return plans, candidate


def _fill_level(d_l: Demand, d_lr: Demand, e_r: float, target: float) -> float:
    """The smallest S with 1 - (E[(D_LR - S)+] - E[(D_L - S)+]) / E_R >= target."""
    high = float(d_lr.values.max()) if d_lr.values.size else 0.0
    if e_r <= 0 or high <= 0:
        return 0.0

    def fill(level: float) -> float:
        return 1 - (d_lr.expected_shortage(level) - d_l.expected_shortage(level)) / e_r

    low = 0.0
    if fill(low) >= target:
        return low
    for _ in range(40):
        middle = (low + high) / 2
        if fill(middle) >= target:
            high = middle
        else:
            low = middle
        if high - low < 0.01:
            break
    return high


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
    results: list[tuple[Totals, float, float]], products: int, args: argparse.Namespace
) -> list[dict[str, object]]:
    keys = list(results[0][0])
    months = args.days / 30.44
    rows = []
    for family, setting in keys:
        demanded = sum(r[0][(family, setting)][0] for r in results)
        served = sum(r[0][(family, setting)][1] for r in results)
        value = sum(r[0][(family, setting)][2] for r in results)
        orders = sum(r[0][(family, setting)][3] for r in results)
        holding = args.holding_rate * value * args.days / 365
        rows.append({
            "family": family, "setting": setting,
            "fill_rate": served / demanded if demanded else 1.0,
            "stock_value": value, "orders": orders,
            "orders_per_product_month": orders / products / months,
            "holding_cost": holding, "total_cost": holding + args.order_cost * orders,
        })  # fmt: skip
    print(
        f"forecast time: stockcore {sum(r[1] for r in results):.0f} s, AutoETS "
        f"{sum(r[2] for r in results):.0f} s (CPU seconds summed over workers)"
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


def _goals(frame: pd.DataFrame) -> list[dict[str, object]]:
    limit = frame[(frame["family"] == LIMIT) & (frame["setting"] == "periodic")].iloc[0]
    simple = frame[frame["family"].isin(SIMPLE)].copy()
    simple["curve"] = np.where(simple["family"] == SS, SS, f"{STATIC} + {MINMAX}")
    goals = []
    for family in (CURRENT, CANDIDATE):
        for target in GOAL_TARGETS:
            row = frame[(frame["family"] == family) & (frame["setting"] == f"{target:.0%}")]
            row = row.iloc[0]
            fill = float(row["fill_rate"])
            entry: dict[str, object] = {
                "family": family, "target": target, "fill_rate": fill,
                "fill_pass": abs(fill - target) <= FILL_TOLERANCE + 1e-12,
            }  # fmt: skip
            for column in ("stock_value", "total_cost"):
                found = {
                    name: _on_curve(curve, fill, column) for name, curve in simple.groupby("curve")
                }
                reached = {name: v for name, v in found.items() if v is not None}
                best = min(reached, key=lambda n: reached[n]) if reached else None
                ratio = float(row[column]) / reached[best] if best else None
                entry[column] = {
                    "ours": float(row[column]),
                    "simple": found,
                    "best_simple": best,
                    "ratio_best_simple": ratio,
                    "pass": ratio is not None and ratio <= RATIO_GOAL,
                    "ratio_limit": float(row[column]) / float(limit[column])
                    if limit[column]
                    else None,
                }
            goals.append(entry)
    return goals


def _print_goals(goals: list[dict[str, object]]) -> None:
    print(
        "\ngoals: fill within 2 points of the target; at equal fill <= 0.80x the best simple "
        "rule (interpolated); ratio to the perfect-foresight (periodic) limit"
    )
    for g in goals:
        fill_word = "PASS" if g["fill_pass"] else "MISS"
        print(f"{g['family']} at {g['target']:.0%}: fill {g['fill_rate']:.1%} {fill_word}")
        for column, label in (("stock_value", "stock value"), ("total_cost", "total cost")):
            part = g[column]
            assert isinstance(part, dict)
            curves = ", ".join(
                f"{name} {'not reached' if v is None else f'{v:,.0f}'}"
                for name, v in part["simple"].items()
            )
            if part["ratio_best_simple"] is None:
                verdict = "no simple rule reaches this fill: MISS (not comparable)"
            else:
                verdict = (
                    f"{part['ratio_best_simple']:.2f}x best simple ({part['best_simple']}) "
                    f"{'PASS' if part['pass'] else 'MISS'}"
                )
            to_limit = part["ratio_limit"]
            limit_text = "n/a" if to_limit is None else f"{to_limit:.2f}x"
            print(f"  {label} {part['ours']:,.0f}: {verdict}; {limit_text} the limit  [{curves}]")


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
