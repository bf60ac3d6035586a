"""Policy comparison on synthetic histories."""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockcore.replenishment.backtest import ProductHistory, compare_policies


def steady(pid: str, seed: int) -> ProductHistory:
    days = pd.date_range("2024-01-01", periods=700, freq="D")
    days = days[days.dayofweek != 5][:500]
    units = np.random.default_rng(seed).poisson(10, len(days))
    return ProductHistory(pid, pd.DatetimeIndex(days), units, lead_time_days=7, unit_cost=2.0)


def test_the_forecast_policy_meets_its_target_on_steady_demand() -> None:
    outcomes = compare_policies(
        [steady("A", 1), steady("B", 2)],
        replay_days=120,
        service_levels=(0.90, 0.98),
        static_factors=(1.0, 2.0),
    )
    by_name = {(o.policy, o.service_level): o for o in outcomes}
    low, high = by_name[("forecast", 0.90)], by_name[("forecast", 0.98)]
    assert high.fill_rate >= 0.98 and low.fill_rate >= 0.90
    assert high.avg_inventory_units > low.avg_inventory_units  # more service costs stock
    static = by_name[("static threshold x1", None)]
    assert static.fill_rate < high.fill_rate  # lead-time demand at the average: often short
    assert high.avg_inventory_value == high.avg_inventory_units * 2.0
    assert set(static.as_dict()) == {
        "policy", "service_level", "fill_rate", "stockout_days", "avg_inventory_units",
        "avg_inventory_value", "orders",
    }  # fmt: skip


def test_the_backtest_command_prints_json_for_both_policies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from stockcore.db import Database, upgrade
    from tests.conftest import sqlite_url
    from tests.test_cli import run
    from tests.test_forecasts import build_shop

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
    names = [r["policy"] for r in results]
    assert any("static" in n for n in names) and any("forecast" in n for n in names)
    forecast = next(r for r in results if "forecast" in r["policy"])
    assert forecast["service_level"] == 0.95 and 0 <= forecast["fill_rate"] <= 1
    assert set(forecast) == {
        "policy", "service_level", "fill_rate", "stockout_days", "avg_inventory_units",
        "avg_inventory_value", "orders",
    }  # fmt: skip
    code, out, _ = run("--db", url, "backtest", "--days", "28", "--products", "2")
    assert code == 0 and "fill rate" in out and "forecast" in out
    for bad, message in (("--service-level", "between 0 and 1"), ("--days", "days")):
        code, _, err = run("--db", url, "backtest", bad, "0")
        assert code == 1 and message in err
    code, _, err = run("--db", url, "backtest", "--days", "365")
    assert code == 1 and "history to replay" in err


def test_the_fill_rate_level_covers_lumpy_demand() -> None:
    from stockcore.replenishment.levels import fill_rate_level

    # Nine quiet stretches of 10 units and one with a 100-unit order.
    stretches = np.array([10.0] * 9 + [100.0])
    # Allowing a shortfall of 5% of a 10-unit review period (0.5 units on average) needs a
    # level whose mean shortfall (100 - level) / 10 is at most 0.5: the 100 itself.
    assert fill_rate_level(stretches, 10.0, 0.95) == 100.0
    # A 50% fill rate allows 5 units: shortfall (100 - 10) / 10 = 9 > 5 at 10, 0 at 100.
    assert fill_rate_level(stretches, 10.0, 0.5) == 100.0
    assert fill_rate_level(np.array([5.0, 5.0]), 10.0, 0.9) == 5.0
    assert fill_rate_level(np.array([]), 10.0, 0.9) == 0.0
