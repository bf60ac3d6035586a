"""Policy comparison on synthetic histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockcore.replenishment.backtest import (
    LIMIT,
    MINMAX,
    STATIC,
    STOCKCORE,
    ProductHistory,
    calibration_frame,
    compare_policies,
    weeks_short,
)


def steady(pid: str, seed: int) -> ProductHistory:
    days = pd.date_range("2024-01-01", periods=700, freq="D")
    days = days[days.dayofweek != 5][:500]
    units = np.random.default_rng(seed).poisson(10, len(days))
    return ProductHistory(pid, pd.DatetimeIndex(days), units, lead_time_days=7, unit_cost=2.0)


def test_stockcore_keeps_its_service_level_on_steady_demand() -> None:
    result = compare_policies(
        [steady("A", 1), steady("B", 2)], replay_days=120, targets=(0.90, 0.98),
        factors=(1.0, 2.0),
    )  # fmt: skip
    assert result.products == 2 and result.days == 120
    by_name = {(o.policy, o.setting): o for o in result.outcomes}
    low, high = by_name[(STOCKCORE, "90%")], by_name[(STOCKCORE, "98%")]
    # Poisson demand, what the negative binomial expects. The service level is the chance
    # of not running out in a week after an order arrives: on steady demand a week that
    # runs out loses little, so the fill rate comes out above the target, and days out of
    # stock stay under 1 - target of the product-days replayed.
    product_days = 2 * 120
    for outcome, target in ((low, 0.90), (high, 0.98)):
        assert outcome.fill_rate >= target
        assert outcome.stockout_days <= (1 - target) * product_days
    assert high.avg_inventory_units > low.avg_inventory_units  # more service costs stock
    # Against min/max at 1x: at least its fill with well under half its stock.
    simple = by_name[(MINMAX, "x1")]
    assert high.fill_rate >= simple.fill_rate
    assert high.avg_inventory_units < 0.5 * simple.avg_inventory_units
    assert high.avg_inventory_value == high.avg_inventory_units * 2.0
    assert by_name[(MINMAX, "x2")].fill_rate > by_name[(MINMAX, "x1")].fill_rate
    limit = by_name[(LIMIT, "periodic")]
    assert limit.fill_rate == 1.0 and limit.avg_inventory_units < high.avg_inventory_units
    assert (STATIC, "x1") in by_name
    assert set(low.as_dict()) == {
        "policy", "setting", "target", "fill_rate", "stockout_days", "avg_inventory_units",
        "avg_inventory_value", "orders", "orders_per_product_month", "weeks_short",
    }  # fmt: skip
    # The promise itself: of the 38 weeks after each review's order would arrive, about
    # 1 - level ran out (binomial noise on 38 weeks: sd 5 points at 90%).
    assert low.weeks_short is not None and low.weeks_short <= 0.10 + 0.06
    assert high.weeks_short is not None and high.weeks_short <= 0.02 + 0.04
    assert by_name[(MINMAX, "x1")].weeks_short is None  # no service level to check
    # Calibration: one stated chance per review after the first, where the lead time fits.
    assert result.calibration and all(0 <= chance <= 1 for chance, _ in result.calibration)


def test_calibration_bins_stated_chances_against_what_happened() -> None:
    pairs = [(0.01, False)] * 9 + [(0.01, True)] + [(0.6, True), (0.6, False)]
    frame = calibration_frame(pairs)
    assert frame["reviews"].tolist() == [10, 2]
    assert frame["happened"].tolist() == pytest.approx([0.1, 0.5])
    assert frame["stated"].tolist() == pytest.approx([0.01, 0.6])
    assert calibration_frame([]).empty


def test_the_backtest_command_prints_json_for_every_policy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from stockcore.persistence.db import Database, upgrade
    from tests.support import build_shop, run, sqlite_url

    url = sqlite_url(tmp_path / "shop.db")
    db = Database.connect(url)
    upgrade(db)
    build_shop(db)
    code, out, err = run(
        "--db", url, "backtest", "--days", "28", "--products", "2", "--service-level", "0.95",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    results = json.loads(out)
    names = {r["policy"] for r in results}
    assert names == {STATIC, MINMAX, STOCKCORE, LIMIT}
    ours = next(r for r in results if r["policy"] == STOCKCORE)
    assert ours["target"] == 0.95 and ours["setting"] == "95%" and 0 <= ours["fill_rate"] <= 1
    assert 0 <= ours["weeks_short"] <= 1
    code, out, _ = run("--db", url, "backtest", "--days", "28", "--products", "2")
    assert code == 0 and "fill rate" in out and "perfect foresight" in out
    assert "weeks that ran out" in out
    for bad, message in (("--service-level", "from 50% to 99.9%"), ("--days", "days")):
        code, _, err = run("--db", url, "backtest", bad, "0")
        assert code == 1 and message in err
    code, _, err = run("--db", url, "backtest", "--days", "365")
    assert code == 1 and "history to replay" in err
    # The limits are the use case's, the same as the Backtest page's slider and box.
    for option, value, rule in (
        ("--days", "27", "must not be below 28"),
        ("--days", "366", "must not be above 365"),
        ("--products", "501", "must not be above 500"),
    ):
        code, _, err = run("--db", url, "backtest", option, value)
        assert code == 1 and err.strip().endswith(f"'{value}' {rule}"), err


def test_weeks_short_counts_the_weeks_after_each_reviews_order_would_arrive() -> None:
    # Lead 2, review 3: the weeks are days 2-4 and 5-7 (8-10 would run past the replay).
    short = np.array([1, 0, 0, 1, 0, 0, 0, 0, 1, 0], dtype=bool)
    assert weeks_short(short, 2, 3) == (2, 1)  # day 0 (before any arrival) and day 8 left out
    assert weeks_short(np.zeros(4, dtype=bool), 2, 3) == (0, 0)
