"""Ordering from suppliers: optimize, reorder, purchase-orders, receive-order, close-order,
backtest."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import TextIO

from stockcore import inventory
from stockcore.domain import Invalid, local_now, parse_service_level
from stockcore.interfaces.cli.commands import cli_actor, open_db
from stockcore.interfaces.cli.printing import print_order_lines, print_orders, table
from stockcore.replenishment import backtest, levels, order_files, plan, purchase_orders, receiving
from stockcore.replenishment.levels import REVIEW_PERIOD_DAYS


def cmd_optimize(args: argparse.Namespace, out: TextIO) -> int:
    calculated = levels.stock_levels(
        levels.parse_daily_demand(args.daily_demand),
        levels.parse_lead_time(args.lead_time),
        demand_std=None
        if args.demand_std is None
        else levels.parse_spread(args.demand_std, "demand sd"),
        lead_time_std=None
        if args.lead_time_std is None
        else levels.parse_spread(args.lead_time_std, "lead time sd"),
        service_level=parse_service_level(args.service_level),
    )
    print(f"reorder point: {calculated.reorder_point:,.2f} units", file=out)
    print(f"safety stock: {calculated.safety_stock:,.2f} units", file=out)
    print(f"optimal stock level: {calculated.optimal_stock_level:,.2f} units", file=out)
    print(textwrap.fill(calculated.explain(), width=100), file=out)
    return 0


def cmd_reorder(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    lines = plan.reorder_list(
        db,
        today=local_now().date(),
        service_level=None
        if args.service_level is None
        else parse_service_level(args.service_level),
    )
    shown = [line for line in lines if args.all or line.listed]
    settings = inventory.get_settings(db)
    rows = [
        (
            line.product_id,
            line.status,
            line.abc,
            line.on_hand,
            f"{line.daily_demand:.1f}",
            line.lead_time_days,
            f"{line.reorder_point:.0f}",
            line.suggested_quantity,
            f"{line.stockout_chance:.0%}",
            line.next_step or "-",
            f"{line.run_out_day:%Y-%m-%d}" if line.run_out_day else "",
            settings.money(line.revenue_at_risk),
            line.supplier or "",
        )
        for line in shown
    ]
    headers = [
        "product", "status", "abc", "on hand", "per day", "lead time", "reorder point",
        "order", "chance out", "next step", "runs out", "at risk", "supplier",
    ]  # fmt: skip
    print(table(headers, rows) if rows else "nothing to order", file=out)
    for line in shown:
        if line.season is not None:
            print(f"{line.product_id}: {line.season.explain(REVIEW_PERIOD_DAYS)}", file=out)
        if line.set_aside_orders:
            print(f"{line.product_id}: {line.set_aside_note()}", file=out)
    if not args.all:
        print(f"{len(lines) - len(shown)} more products are healthy (--all shows them)", file=out)
    return 0


def cmd_purchase_orders(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    shop = inventory.get_settings(db)
    if args.order:
        order = purchase_orders.purchase_order(db, args.order)
        print_order_lines(out, order, shop)
        orders = [order]
    elif args.create:
        orders = plan.order_from_plan(db, include_soon=args.soon)
        if not orders:
            print("nothing to order", file=out)
            return 0
        print_orders(out, orders, shop)
    else:
        orders = purchase_orders.purchase_orders(db, status=args.status)
        print_orders(out, orders, shop)
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for order in orders:
            documents = order_files.supplier_documents(order, shop)
            for name, text in (
                (documents.csv_file_name, documents.csv),
                (documents.html_file_name, documents.html),
            ):
                target = folder / name
                target.write_text(text, encoding="utf-8", newline="")
                print(f"wrote {target}", file=out)
    return 0


def cmd_receive_order(args: argparse.Namespace, out: TextIO) -> int:
    products, counts = args.product or [], args.quantity or []
    if len(products) != len(counts):
        raise Invalid("give one --quantity for each --product (or neither, to receive all)")
    receipt = receiving.receive_purchase_order(
        open_db(args),
        args.order_id,
        dict(zip(products, counts, strict=True)) if products else None,
        actor=cli_actor(),
    )
    print(receipt.summary(), file=out)
    return 0


def cmd_close_order(args: argparse.Namespace, out: TextIO) -> int:
    order = receiving.close_purchase_order(open_db(args), args.order_id)
    left = order.units - order.received_units
    print(
        f"closed {order.number} from {order.supplier}: {order.state}, "
        f"{order.received_units:,} units received, {left:,} cancelled",
        file=out,
    )
    return 0


def cmd_backtest(args: argparse.Namespace, out: TextIO) -> int:
    targets = (parse_service_level(args.service_level),) if args.service_level else backtest.TARGETS
    result = backtest.backtest_shop(
        open_db(args), days=args.days, products=args.products, targets=targets
    )
    if args.json:
        out.write(json.dumps([o.as_dict() for o in result.outcomes]) + "\n")
        return 0
    rows = [
        (
            o.policy,
            o.setting,
            f"{o.fill_rate:.1%}",
            o.stockout_days,
            f"{o.avg_inventory_units:,.0f}",
            f"{o.avg_inventory_value:,.2f}",
            f"{o.orders_per_product_month:.2f}",
            "" if o.weeks_short is None else f"{o.weeks_short:.1%}",
        )
        for o in result.outcomes
    ]
    headers = [
        "policy", "setting", "fill rate", "stock-out days", "avg units", "avg value",
        "orders/product/month", "weeks that ran out",
    ]  # fmt: skip
    print(f"{result.products} products, the last {result.calendar_days} days replayed", file=out)
    print(table(headers, rows), file=out)
    return 0
