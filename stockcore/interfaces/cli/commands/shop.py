"""The shop as a whole: init, demo, check, db, backup, restore."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from stockcore import inventory
from stockcore.domain import DEMO_ACTOR, Invalid, StockcoreError, counted, local_now
from stockcore.interfaces.cli.commands import open_db
from stockcore.interfaces.cli.printing import (
    print_alerts,
    print_inventory,
    print_sales_summary,
    progress_printer,
)
from stockcore.inventory import reports
from stockcore.inventory.demo import (
    SPEC_CURRENCY,
    SPEC_PRODUCTS,
    SPEC_PURCHASES,
    load_demo_shop,
    open_shop,
)
from stockcore.persistence import backup
from stockcore.persistence.db import Database, current_revision, upgrade
from stockcore.replenishment import upkeep


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    shop = open_shop(args.db)
    if args.demo:
        lines = load_demo_shop(shop.db)
        print(f"Demo gift shop loaded: 60 products, {lines:,} sales lines.", file=out)
        # Ready to use: its forecasts and reorder list are made now, as the dashboard
        # makes them in the background.
        made = upkeep.refresh_if_due(shop.db, progress=progress_printer(sys.stderr))
        if made.refreshed is not None:
            print(
                f"Forecasts made for {made.refreshed.products:,} products "
                f"in {made.refreshed.seconds:.0f} s.",
                file=out,
            )
    state = "created" if shop.created else "already set up (schema up to date)"
    print(f"Database {state}: {shop.db.url}", file=out)
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """Replay the spec's scenario on a fresh temporary database."""
    with tempfile.TemporaryDirectory(prefix="stockcore-demo-") as folder:
        shop = open_shop(f"sqlite:///{Path(folder) / 'demo.db'}")
        db = shop.db
        try:
            settings = inventory.update_settings(
                db, currency_symbol=SPEC_CURRENCY, shop_name="Spec"
            )
            for product in SPEC_PRODUCTS:
                inventory.add_product(db, product, actor=DEMO_ACTOR)
            print("== Inventory", file=out)
            print_inventory(out, reports.inventory(db), settings)
            print("\n== Purchases", file=out)
            for product_id, quantity in SPEC_PURCHASES:
                result = inventory.purchase(db, product_id, quantity, actor=DEMO_ACTOR)
                print(
                    f"bought {quantity} x {product_id} {result.product.name} for "
                    f"{settings.money(result.sale.revenue)}; {result.product.quantity} left",
                    file=out,
                )
                if result.alert:
                    print(f"  ! {result.alert.message}", file=out)
            print("\n== Inventory after the purchases", file=out)
            print_inventory(out, reports.inventory(db), settings)
            print("\n== Restock alerts", file=out)
            print_alerts(out, reports.active_alerts(db))
            print("\n== Sales summary", file=out)
            today = local_now().date()
            print_sales_summary(out, reports.sales_summary(db, today, today), settings, "product")
            print("\n== Refusals (nothing changes)", file=out)
            for product_id, quantity in (("999", 1), ("101", 10)):
                try:
                    inventory.purchase(db, product_id, quantity, actor=DEMO_ACTOR)
                except StockcoreError as refusal:
                    print(f"buy {quantity} x {product_id}: refused: {refusal}", file=out)
        finally:
            db.dispose()
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    mismatches = reports.ledger_mismatches(db)
    if mismatches:
        for product_id, on_hand, ledger in mismatches:
            print(f"{product_id}: {on_hand} on hand but the ledger sums to {ledger}", file=out)
        raise StockcoreError(
            f"{counted(len(mismatches), 'product', ('does', 'do'))} not match the stock ledger"
        )
    print("every product's quantity on hand equals the sum of its ledger", file=out)
    return 0


def cmd_db(args: argparse.Namespace, out: TextIO) -> int:
    db = Database.connect(args.db)
    before = current_revision(db)
    upgrade(db)
    after = current_revision(db)
    if before == after:
        print(f"schema up to date ({after}): {db.url}", file=out)
    else:
        print(f"schema upgraded from {before or 'nothing'} to {after}: {db.url}", file=out)
    return 0


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    summary = backup.backup(open_db(args), args.file)
    print(summary.message("backed up to"), file=out)
    return 0


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    described = backup.describe(args.file)  # the same checks as the restore, nothing changed
    print(described.message("the backup"), file=out)
    for note in described.restore_notes():
        print(f"  {note}", file=out)
    if not args.yes:
        raise Invalid(
            "restore replaces everything in the database with the backup; "
            "add --yes to go ahead (nothing was changed)"
        )
    summary = backup.restore(Database.connect(args.db), args.file)
    print(summary.message("restored from"), file=out)
    return 0
