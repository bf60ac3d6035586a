"""Stock on hand: inventory, add-product, purchase, restock, adjust, alerts, acknowledge."""

from __future__ import annotations

import argparse
from typing import TextIO

from stockcore import inventory
from stockcore.domain import InvalidValue, Product, counted, restock_message
from stockcore.interfaces.cli.commands import cli_actor, open_db
from stockcore.interfaces.cli.printing import print_alerts, print_inventory, table
from stockcore.inventory import reports


def cmd_inventory(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    products = reports.inventory(db, category=args.category, search=args.search)
    print_inventory(out, products, inventory.get_settings(db))
    return 0


def cmd_add_product(args: argparse.Namespace, out: TextIO) -> int:
    product = Product.create(
        args.id,
        args.name,
        category=args.category,
        unit_price=args.price,
        quantity=args.quantity,
        restock_threshold=args.threshold,
        unit_cost=args.cost,
        supplier=args.supplier,
        lead_time_days=args.lead_time,
        min_order_quantity=args.min_order,
        pack_size=args.pack_size,
        lead_time_sd_days=args.lead_time_sd,
        service_level=args.service_level,
    )
    db = open_db(args)
    inventory.add_product(db, product, actor=cli_actor())
    print(f"added {product.product_id} {product.name}: {product.quantity} in stock", file=out)
    if product.needs_restock:
        print(
            restock_message(
                product.product_id, product.name, product.quantity, product.restock_threshold
            ),
            file=out,
        )
    return 0


def cmd_purchase(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    result = inventory.purchase(
        db, args.id, args.quantity, customer_id=args.customer, actor=cli_actor()
    )
    settings = inventory.get_settings(db)
    print(
        f"sold {result.sale.quantity} x {result.product.product_id} {result.product.name} "
        f"for {settings.money(result.sale.revenue)}; {result.product.quantity} left",
        file=out,
    )
    if result.alert:
        print(result.alert.message, file=out)
    if result.lead_time_message:
        print(result.lead_time_message, file=out)
    return 0


def cmd_restock(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    change = inventory.receive_stock(
        db, args.id, args.quantity, reason=args.reason, actor=cli_actor()
    )
    p = change.product
    print(f"received {change.change} x {p.product_id} {p.name}; {p.quantity} on hand", file=out)
    if change.alert_resolved:
        print(f"restock alert for {p.product_id} resolved", file=out)
    return 0


def cmd_adjust(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    change = inventory.adjust_stock(
        db,
        args.id,
        change=args.change,
        counted=args.count,
        reason=args.reason,
        actor=cli_actor(),
    )
    p = change.product
    print(f"adjusted {p.product_id} by {change.change:+d}; {p.quantity} on hand", file=out)
    if change.alert:
        print(change.alert.message, file=out)
    return 0


def cmd_alerts(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    print_alerts(out, reports.active_alerts(db))
    return 0


def cmd_acknowledge(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    count = inventory.acknowledge_alerts(db, args.alert_ids)
    print(f"acknowledged {counted(count, 'alert')}", file=out)
    return 0


def cmd_ledger(args: argparse.Namespace, out: TextIO) -> int:
    if args.limit < 1:
        raise InvalidValue("limit", args.limit, "must be at least 1")
    moves = reports.movements(open_db(args), args.product, limit=args.limit)
    if moves.empty:
        print("No stock movements yet.", file=out)
        return 0
    rows = [
        (f"{m.at:%Y-%m-%d %H:%M}", m.product_id, m.kind, f"{m.change:+d}", m.quantity_after,
         m.by, m.reason or "")
        for m in moves.itertuples()
    ]  # fmt: skip
    print(table(("At", "Product", "Kind", "Change", "After", "By", "Reason"), rows), file=out)
    return 0
