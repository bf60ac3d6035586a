"""Sales reports: sales-summary."""

from __future__ import annotations

import argparse
from typing import TextIO

from stockcore import inventory
from stockcore.domain import local_now, parse_date
from stockcore.interfaces.cli.commands import open_db
from stockcore.interfaces.cli.printing import print_sales_summary
from stockcore.inventory import reports


def cmd_sales_summary(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args)
    days = reports.report_range(
        db,
        today=local_now().date(),
        start=parse_date(args.date_from, "--from") if args.date_from else None,
        end=parse_date(args.date_to, "--to") if args.date_to else None,
    )
    summary = reports.sales_summary(db, days.start, days.end, args.per or "day")
    print_sales_summary(
        out, summary, inventory.get_settings(db), args.by, per_period=args.per is not None
    )
    return 0
