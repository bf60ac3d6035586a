"""Demand forecasts: forecast, large-orders."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from stockcore.domain import counted, local_now
from stockcore.forecasting import large_orders, refresh
from stockcore.interfaces.cli.commands import open_db
from stockcore.interfaces.cli.printing import print_forecast, progress_printer, table
from stockcore.replenishment import upkeep


def cmd_forecast(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    if not args.all:
        days = refresh.parse_horizon(args.days or 28)
        print_forecast(out, upkeep.fresh_product_forecast(db, args.product, days=days))
        return 0
    days = refresh.parse_horizon(args.days or refresh.DEFAULT_HORIZON_DAYS)
    refreshed = upkeep.refresh_forecasts_and_alerts(
        db, horizon_days=days, workers=args.workers, progress=progress_printer(sys.stderr)
    )
    summary, alerts = refreshed.summary, refreshed.alerts
    models = ", ".join(f"{name} {count}" for name, count in summary.by_model.items())
    print(
        f"forecast {summary.products:,} products for {summary.horizon_days} days from "
        f"{summary.first_day} in {summary.seconds:.1f} s (run {summary.run_id}); "
        f"{len(summary.fallbacks):,} fell back to a simpler forecast (listed below)",
        file=out,
    )
    print(f"models chosen: {models}", file=out)
    for fallback in summary.fallbacks:
        print(f"  fell back: {fallback.product_id}: {fallback.reason}", file=out)
    if summary.one_process_reason:
        print(f"warning: {summary.one_process_reason}", file=out)
    print(
        f"{counted(alerts.active, 'product', ('runs', 'run'))} out "
        f"before a new order could arrive ({counted(len(alerts.raised), 'new alert')}, "
        f"{len(alerts.resolved)} resolved)",
        file=out,
    )
    if summary.without_forecast:
        print(f"no forecast (no sales anywhere yet): {len(summary.without_forecast)}", file=out)
    return 0


def cmd_large_orders(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    if args.serve or args.stop:
        added, removed = large_orders.update_served_customers(
            db, serve=args.serve or (), stop=args.stop or (), now=local_now()
        )
        print(
            f"serving from stock: {len(added)} added, {len(removed)} removed; "
            "refresh the forecasts (forecast --all) for the reorder list to follow",
            file=out,
        )
    customers = large_orders.large_order_customers(db)
    rows = [
        (
            c.customer_id or "(none recorded)",
            c.orders,
            c.units,
            c.products,
            f"{c.last_order:%Y-%m-%d}",
            "yes" if c.served_from_stock else "no: set aside",
        )
        for c in customers
    ]
    headers = ["customer", "large orders", "units", "products", "last", "served from stock"]
    print(table(headers, rows) if rows else "no large orders in the sales history", file=out)
    return 0
