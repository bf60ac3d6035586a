"""The command line: `python -m stockcore COMMAND ...`.

Every command goes through the same services as the dashboard. On success the
exit code is 0; on a refusal it is 1 with one clear line on stderr and the
database unchanged; a mistyped command line exits with 2. No traceback ever
reaches the user.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn, TextIO

from sqlalchemy.exc import SQLAlchemyError

from stockcore import imports, inventory
from stockcore.domain import (
    DEFAULT_LEAD_TIME_DAYS,
    Conflict,
    Invalid,
    InvalidValue,
    Product,
    StockcoreError,
    local_now,
    parse_service_level,
    parse_whole_number,
    restock_message,
)
from stockcore.forecasting import large_orders, refresh, views
from stockcore.imports import exports
from stockcore.imports.reading import DateOrder, FileRefused
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
from stockcore.replenishment import backtest, levels, plan, purchase_orders
from stockcore.replenishment.levels import REVIEW_PERIOD_DAYS

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_FAILED = 70


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: say what is wrong and how to get help.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if _numeric(cell) else cell.ljust(width)
            for cell, width in zip(row, widths, strict=True)
        ).rstrip()

    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    lines += [fmt(row) for row in cells[1:]]
    return "\n".join(lines)


def _numeric(cell: str) -> bool:
    stripped = cell.lstrip("£₹$€-").replace(",", "").replace(".", "")
    return stripped.isdigit()


def _parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(field, value, "is not a date like 2024-03-31") from None


# --- printing -----------------------------------------------------------------------------------


def print_inventory(out: TextIO, products: list[Product], settings: inventory.ShopSettings) -> None:
    if not products:
        print("No products.", file=out)
        return
    rows = [
        (
            p.product_id,
            p.name,
            p.category,
            settings.money(p.unit_price),
            p.quantity,
            p.restock_threshold,
            p.lead_time_days,
            "RESTOCK" if p.needs_restock else "ok",
        )
        for p in products
    ]
    headers = ("ID", "Name", "Category", "Price", "Qty", "Threshold", "Lead days", "Status")
    print(_table(headers, rows), file=out)


def print_alerts(out: TextIO, alerts: list[reports.AlertView]) -> None:
    if not alerts:
        print("No restock alerts.", file=out)
        return
    rows = [
        (a.alert_id, a.product_id, a.name, a.quantity, a.restock_threshold, a.status, a.raised_at)
        for a in alerts
    ]
    print(_table(("Alert", "ID", "Name", "Qty", "Threshold", "Status", "Raised"), rows), file=out)


def print_sales_summary(
    out: TextIO,
    summary: reports.SalesSummary,
    settings: inventory.ShopSettings,
    by: str,
    *,
    per_period: bool = False,
) -> None:
    print(
        f"Sales {summary.start} to {summary.end}: {summary.units:,} units, "
        f"{settings.money(summary.revenue)} revenue",
        file=out,
    )
    if summary.units == 0:
        return
    rows: list[tuple[object, ...]]
    if per_period:
        totals = summary.trend.groupby("period_start", as_index=False)[["units", "revenue"]].sum()
        rows = [
            (r["period_start"].date(), f"{r['units']:,}", settings.money(r["revenue"]))
            for r in totals.to_dict("records")
        ]
        print(_table((summary.period.capitalize(), "Units", "Revenue"), rows), file=out)
        print(file=out)
    if by == "category":
        rows = [
            (r["category"], f"{r['units']:,}", settings.money(r["revenue"]))
            for r in summary.by_category.to_dict("records")
        ]
        print(_table(("Category", "Units", "Revenue"), rows), file=out)
    else:
        rows = [
            (
                r["product_id"],
                r["name"],
                r["category"],
                f"{r['units']:,}",
                settings.money(r["revenue"]),
            )
            for r in summary.by_product.to_dict("records")
        ]
        print(_table(("ID", "Name", "Category", "Units", "Revenue"), rows), file=out)


# --- commands -----------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    shop = open_shop(args.db)
    if args.demo:
        if reports.inventory(shop.db):
            raise Conflict("the shop already has products; --demo needs an empty shop")
        lines = load_demo_shop(shop.db)
        print(f"Demo gift shop loaded: 60 products, {lines:,} sales lines.", file=out)
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
                inventory.add_product(db, product)
            print("== Inventory", file=out)
            print_inventory(out, reports.inventory(db), settings)
            print("\n== Purchases", file=out)
            for product_id, quantity in SPEC_PURCHASES:
                result = inventory.purchase(db, product_id, quantity)
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
                    inventory.purchase(db, product_id, quantity)
                except StockcoreError as refusal:
                    print(f"buy {quantity} x {product_id}: refused: {refusal}", file=out)
        finally:
            db.dispose()
    return 0


def cmd_inventory(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
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
    db = _open(args)
    inventory.add_product(db, product)
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
    db = _open(args)
    result = inventory.purchase(db, args.id, args.quantity, customer_id=args.customer)
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
    db = _open(args)
    change = inventory.receive_stock(db, args.id, args.quantity, reason=args.reason)
    p = change.product
    print(f"received {change.change} x {p.product_id} {p.name}; {p.quantity} on hand", file=out)
    if change.alert_resolved:
        print(f"restock alert for {p.product_id} resolved", file=out)
    return 0


def cmd_adjust(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
    change = inventory.adjust_stock(
        db, args.id, change=args.change, counted=args.count, reason=args.reason
    )
    p = change.product
    print(f"adjusted {p.product_id} by {change.change:+d}; {p.quantity} on hand", file=out)
    if change.alert:
        print(change.alert.message, file=out)
    return 0


def cmd_alerts(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
    print_alerts(out, reports.active_alerts(db))
    return 0


def cmd_acknowledge(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
    count = inventory.acknowledge_alerts(db, args.alert_ids)
    print(f"acknowledged {count} alert(s)", file=out)
    return 0


def cmd_sales_summary(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
    days = reports.report_range(
        db,
        today=local_now().date(),
        start=_parse_date(args.date_from, "--from") if args.date_from else None,
        end=_parse_date(args.date_to, "--to") if args.date_to else None,
    )
    summary = reports.sales_summary(db, days.start, days.end, args.per or "day")
    print_sales_summary(
        out, summary, inventory.get_settings(db), args.by, per_period=args.per is not None
    )
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
    mismatches = reports.ledger_mismatches(db)
    if mismatches:
        for product_id, on_hand, ledger in mismatches:
            print(f"{product_id}: {on_hand} on hand but the ledger sums to {ledger}", file=out)
        raise StockcoreError(f"{len(mismatches)} product(s) do not match their stock ledger")
    print("every product's quantity on hand equals the sum of its ledger", file=out)
    return 0


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as failure:
        raise Invalid(f"cannot read {path}: {failure.strerror or failure}") from None


def _mapping(pairs: list[str] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise InvalidValue("--map", pair, "must look like FIELD=COLUMN, e.g. quantity=Qty")
        mapping[field.strip()] = column.strip()
    return mapping


def _refusal_lines(refusal: FileRefused, err: TextIO, limit: int = 50) -> None:
    for problem in refusal.problems[:limit]:
        print(f"  {problem}", file=err)
    if len(refusal.problems) > limit:
        print(f"  ... and {len(refusal.problems) - limit:,} more", file=err)


def _print_new_products(preview: imports.SalesPreview, out: TextIO, limit: int = 20) -> None:
    items = list(preview.new_products.items())
    for product_id, name in items[:limit]:
        print(f"new product: {product_id} {name} (category Uncategorised, stock 0)", file=out)
    if len(items) > limit:
        print(f"new product: ... and {len(items) - limit:,} more", file=out)


def cmd_import_sales(args: argparse.Namespace, out: TextIO) -> int:
    options = imports.ImportOptions(
        skip_bad_rows=args.skip_bad_rows,
        apply_to_stock=args.apply_to_stock,
        create_products=not args.no_create_products,
        date_order=DateOrder(args.date_order) if args.date_order else None,
        mapping=_mapping(args.map),
    )
    data = _read_file(args.file)
    db = _open(args)
    name = Path(args.file).name
    if args.dry_run:
        preview = imports.preview_sales_import(db, data, name, options)
        if preview.refused:
            raise FileRefused(
                f"{preview.bad_rows:,} bad row(s); nothing would be imported", preview.problems
            )
        print(f"dry run: {preview.summary()}", file=out)
        _print_new_products(preview, out)
        for warning in preview.warnings:
            print(f"warning: {warning}", file=out)
        if preview.already_imported_as is not None:
            print(
                f"this file was already imported as batch {preview.already_imported_as}", file=out
            )
        print("nothing was written", file=out)
        return 0
    outcome = imports.import_sales(db, data, name, options)
    print(outcome.message, file=out)
    if outcome.batch_id is not None:
        _print_new_products(outcome.preview, out)
    for warning in outcome.preview.warnings:
        print(f"warning: {warning}", file=out)
    for problem in outcome.preview.problems[:50]:
        print(f"skipped: {problem}", file=out)
    if len(outcome.preview.problems) > 50:
        print(f"skipped: ... and {len(outcome.preview.problems) - 50:,} more", file=out)
    return 0


def cmd_import_products(args: argparse.Namespace, out: TextIO) -> int:
    data = _read_file(args.file)
    db = _open(args)
    outcome = imports.import_products(db, data, Path(args.file).name, mapping=_mapping(args.map))
    print(outcome.message, file=out)
    return 0


def cmd_imports(args: argparse.Namespace, out: TextIO) -> int:
    batches = imports.list_batches(_open(args))
    if not batches:
        print("No imports yet.", file=out)
    for batch in batches:
        print(batch.line(), file=out)
    return 0


def cmd_undo_import(args: argparse.Namespace, out: TextIO) -> int:
    print(imports.undo_import(_open(args), args.batch_id).message, file=out)
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    frame = imports.export_frame(_open(args), args.what)
    text = exports.to_csv(frame)
    if args.file == "-":
        out.write(text)
        return 0
    try:
        Path(args.file).write_text(text, encoding="utf-8", newline="")
    except OSError as failure:
        raise Invalid(f"cannot write {args.file}: {failure.strerror or failure}") from None
    print(f"exported {len(frame):,} rows of {args.what} to {args.file}", file=out)
    return 0


def _progress_printer(err: TextIO) -> Callable[[int, int], None]:
    """A progress bar on a terminal; a line per tenth of the work otherwise (logs, CI)."""
    shown = {"tenth": -1}
    live = err.isatty()

    def report(done: int, total: int) -> None:
        if live:
            filled = int(30 * done / total) if total else 30
            err.write(f"\rforecasting [{'#' * filled}{' ' * (30 - filled)}] {done:,}/{total:,}")
            if done == total:
                err.write("\n")
            err.flush()
            return
        tenth = 10 * done // total if total else 10
        if tenth != shown["tenth"]:
            shown["tenth"] = tenth
            print(f"forecasting: {done:,} of {total:,} series", file=err, flush=True)

    return report


def print_forecast(out: TextIO, view: views.ForecastView) -> None:
    print(view.title, file=out)
    if view.model is not None:
        print(textwrap.fill(views.explain(view.model), width=100), file=out)
    if view.on_hand is not None:
        ends = (
            f"projected to run out on {view.run_out_day:%a %Y-%m-%d}"
            if view.run_out_day
            else f"not projected to run out within {len(view.forecast)} days"
        )
        print(f"on hand: {view.on_hand:,} units; {ends}", file=out)
    print(f"forecast over {len(view.forecast)} days: {view.units_on_horizon:,.1f} units", file=out)
    for cover in view.covers:
        over = "lead time" if cover.cover == "lead" else "lead time + review"
        print(
            f"demand over the {over} ({cover.days} days): average {cover.mean:,.0f}; "
            f"80% chance of at most {cover.q80:,.0f}, 90% {cover.q90:,.0f}, "
            f"95% {cover.q95:,.0f}, 98% {cover.q98:,.0f}",
            file=out,
        )
    rows = [
        (
            f"{row.day:%Y-%m-%d}",
            f"{row.day:%a}",
            f"{row.predicted_units:.1f}",
            f"{row.lower:.1f}-{row.upper:.1f}",
            f"{row.lower_95:.1f}-{row.upper_95:.1f}",
        )
        for row in view.forecast.itertuples()
    ]
    print(_table(["date", "day", "units", "80% range", "95% range"], rows), file=out)


def cmd_forecast(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
    today = local_now().date()
    country = inventory.get_settings(db).holiday_country or None
    if args.all:
        days = refresh.parse_horizon(args.days or refresh.DEFAULT_HORIZON_DAYS)
        refreshed = plan.refresh_forecasts_and_alerts(
            db, horizon_days=days, workers=args.workers, progress=_progress_printer(sys.stderr)
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
            f"{alerts.active} product(s) run out before a new order could arrive "
            f"({len(alerts.raised)} new alert(s), {len(alerts.resolved)} resolved)",
            file=out,
        )
        if summary.without_forecast:
            print(f"no forecast (no sales anywhere yet): {len(summary.without_forecast)}", file=out)
        return 0
    days = refresh.parse_horizon(args.days or 28)
    view = views.product_forecast(db, args.product, days=days, today=today)
    if len(view.forecast) < days:  # never forecast, or the stored one ends too soon
        refresh.refresh_forecasts(
            db,
            product_ids=[args.product],
            horizon_days=max(days, refresh.DEFAULT_HORIZON_DAYS),
            holidays_country=country,
            workers=1,
        )
        view = views.product_forecast(db, args.product, days=days, today=today)
    print_forecast(out, view)
    return 0


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
    db = _open(args)
    lines = plan.reorder_list(
        db,
        today=local_now().date(),
        service_level=None
        if args.service_level is None
        else parse_service_level(args.service_level),
    )
    shown = [line for line in lines if args.all or line.urgent]
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
            f"{line.order_by:%Y-%m-%d}" if line.order_by else "",
            f"{line.run_out_day:%Y-%m-%d}" if line.run_out_day else "",
            settings.money(line.revenue_at_risk),
            line.supplier or "",
        )
        for line in shown
    ]
    headers = [
        "product", "status", "abc", "on hand", "per day", "lead time", "reorder point",
        "order", "chance out", "order by", "runs out", "at risk", "supplier",
    ]  # fmt: skip
    print(_table(headers, rows) if rows else "nothing to order", file=out)
    for line in shown:
        if line.season is not None:
            print(f"{line.product_id}: {line.season.explain(REVIEW_PERIOD_DAYS)}", file=out)
        if line.set_aside_orders:
            print(f"{line.product_id}: {line.set_aside_note()}", file=out)
    if not args.all:
        print(f"{len(lines) - len(shown)} more products are healthy (--all shows them)", file=out)
    return 0


def _print_orders(out: TextIO, orders: list[purchase_orders.PurchaseOrder]) -> None:
    rows = [
        (
            order.order_id,
            order.supplier,
            order.status,
            f"{order.created_at:%Y-%m-%d}",
            f"{order.expected_on:%Y-%m-%d}",
            len(order.lines),
            order.units,
        )
        for order in orders
    ]
    headers = ["order", "supplier", "status", "created", "expected", "lines", "units"]
    print(_table(headers, rows) if rows else "no purchase orders", file=out)


def cmd_purchase_orders(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
    if not args.create:
        _print_orders(out, purchase_orders.purchase_orders(db, status=args.status))
        return 0
    orders = plan.order_from_plan(db, include_soon=args.soon)
    if not orders:
        print("nothing to order", file=out)
        return 0
    _print_orders(out, orders)
    if args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for order in orders:
            target = folder / f"purchase-order-{order.order_id}.csv"
            target.write_text(order.csv(), encoding="utf-8", newline="")
            print(f"wrote {target}", file=out)
    return 0


def cmd_receive_order(args: argparse.Namespace, out: TextIO) -> int:
    order = purchase_orders.receive_purchase_order(_open(args), args.order_id)
    print(
        f"received purchase order {order.order_id} from {order.supplier}: "
        f"{order.units:,} units of {len(order.lines)} products added to stock",
        file=out,
    )
    return 0


def cmd_backtest(args: argparse.Namespace, out: TextIO) -> int:
    days = refresh.parse_horizon(args.days)
    count = parse_whole_number(args.products, "products", minimum=1)
    targets = (parse_service_level(args.service_level),) if args.service_level else backtest.TARGETS
    result = backtest.backtest_shop(_open(args), days=days, products=count, targets=targets)
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
        )
        for o in result.outcomes
    ]
    headers = [
        "policy", "setting", "fill rate", "stock-out days", "avg units", "avg value",
        "orders/product/month",
    ]  # fmt: skip
    print(f"{result.products} products, the last {days} days replayed", file=out)
    print(_table(headers, rows), file=out)
    return 0


def cmd_api(args: argparse.Namespace, out: TextIO) -> int:
    from stockcore.interfaces import api

    port = parse_whole_number(args.port, "port", minimum=1, maximum=65535)
    print(f"stockcore API on http://{args.host}:{port} (docs at /docs); Ctrl-C stops it", file=out)
    api.serve(args.db, host=args.host, port=port)
    return 0


def cmd_users(args: argparse.Namespace, out: TextIO) -> int:
    from stockcore import accounts

    db = _open(args)
    if args.set_role:
        user = accounts.assign_role(db, args.set_role[0], args.set_role[1])
        print(f"{user.username} is now {user.role.value}", file=out)
    users = accounts.list_users(db)
    if not users:
        print("No users yet: the first to register (dashboard or API) becomes the owner.", file=out)
        return 0
    rows = [(u.username, u.email, u.role.value, f"{u.created_at:%Y-%m-%d %H:%M}") for u in users]
    print(_table(("Username", "Email", "Role", "Created"), rows), file=out)
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
    summary = backup.backup(_open(args), args.file)
    print(summary.message("backed up to"), file=out)
    return 0


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    if not args.yes:
        raise Invalid(
            "restore replaces everything in the database with the backup; "
            "add --yes to go ahead (nothing was changed)"
        )
    summary = backup.restore(Database.connect(args.db), args.file)
    print(summary.message("restored from"), file=out)
    return 0


def cmd_large_orders(args: argparse.Namespace, out: TextIO) -> int:
    db = _open(args)
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
    print(_table(headers, rows) if rows else "no large orders in the sales history", file=out)
    return 0


def _open(args: argparse.Namespace) -> Database:
    return open_shop(args.db).db


# --- the parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stockcore",
        description="Stock-out prevention for small online shops.",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: $STOCKCORE_DATABASE_URL, else data/stockcore.db)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("init", cmd_init, "create the database (schema); --demo also loads the demo shop")
    p.add_argument("--demo", action="store_true", help="load the demo gift shop")
    command("demo", cmd_demo, "replay the spec's Laptop/Mouse/Mobile scenario on a temporary db")
    p = command("inventory", cmd_inventory, "list products")
    p.add_argument("--category", help="only this category")
    p.add_argument("--search", help="only products whose name or id contains this")
    p = command("add-product", cmd_add_product, "add a new product")
    p.add_argument("id", help="the product's SKU code, e.g. 85123A")
    p.add_argument("name")
    p.add_argument("--category", required=True)
    p.add_argument("--price", required=True, help="unit price")
    p.add_argument("--quantity", required=True, help="units on hand")
    p.add_argument("--threshold", required=True, help="restock threshold in units")
    p.add_argument("--cost", help="unit cost (optional)")
    p.add_argument("--supplier")
    p.add_argument(
        "--lead-time", default=str(DEFAULT_LEAD_TIME_DAYS), metavar="DAYS",
        help=f"supplier lead time in days (default {DEFAULT_LEAD_TIME_DAYS})",
    )  # fmt: skip
    p.add_argument("--lead-time-sd", metavar="DAYS", help="how much the lead time varies (sd)")
    p.add_argument("--min-order", metavar="UNITS", help="the supplier's minimum order")
    p.add_argument("--pack-size", metavar="UNITS", help="orders are whole packs of this many")
    p.add_argument(
        "--service-level", metavar="TARGET",
        help="this product's fill-rate target, e.g. 0.98 or 98%% (default: its ABC class's)",
    )  # fmt: skip
    p = command("purchase", cmd_purchase, "sell units of a product (a customer purchase)")
    p.add_argument("id")
    p.add_argument("quantity")
    p.add_argument("--customer", metavar="ID", help="who bought (optional)")
    p = command("restock", cmd_restock, "receive units of a product from the supplier")
    p.add_argument("id")
    p.add_argument("quantity")
    p.add_argument("--reason", help="e.g. the delivery note number")
    p = command("adjust", cmd_adjust, "correct stock by hand (stocktake, damage) with a reason")
    p.add_argument("id")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--change", help="signed change in units, e.g. -2")
    group.add_argument("--count", help="the counted quantity on hand")
    p.add_argument("--reason", required=True)
    command("alerts", cmd_alerts, "list active restock alerts, most urgent first")
    p = command("acknowledge", cmd_acknowledge, "acknowledge restock alerts")
    p.add_argument("alert_ids", nargs="+", metavar="ALERT_ID")
    p = command("sales-summary", cmd_sales_summary, "revenue and units for a date range")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (default today)")
    p.add_argument("--by", choices=("product", "category"), default="product")
    p.add_argument("--per", choices=reports.PERIODS, help="also show totals per day, week or month")
    command("check", cmd_check, "check that every quantity on hand equals its ledger")

    p = command("import-sales", cmd_import_sales, "import sales history from a CSV file")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="check and preview; write nothing")
    p.add_argument(
        "--skip-bad-rows", action="store_true", help="import the good rows, list the bad"
    )
    p.add_argument("--apply-to-stock", action="store_true", help="lower stock like purchases")
    p.add_argument("--no-create-products", action="store_true", help="unknown products are errors")
    p.add_argument(
        "--date-order",
        choices=[o.value for o in DateOrder],
        help="how to read dates like 03/04/2024 when the file cannot tell",
    )
    p.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a column to a field (date, product_id, quantity, unit_price, "
        "order_id, description, customer_id; or date, sales)",
    )
    p = command("import-products", cmd_import_products, "add or update products from a CSV file")
    p.add_argument("file")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN")
    command("imports", cmd_imports, "list import batches, newest first (id first)")
    p = command("undo-import", cmd_undo_import, "remove one import batch, stock effects included")
    p.add_argument("batch_id")
    p = command(
        "forecast", cmd_forecast, "print a product's demand forecast, or refresh every product's"
    )
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--product", metavar="ID", help="print this product's forecast")
    group.add_argument("--all", action="store_true", help="refresh every product's forecast")
    p.add_argument(
        "--days", metavar="N", help="days ahead (default 28 to print, 180 to refresh; up to 365)"
    )
    p.add_argument("--workers", type=int, default=2, help="processes for --all (default 2)")
    p = command("optimize", cmd_optimize, "reorder point, safety stock and optimal stock level")
    p.add_argument("--daily-demand", required=True, metavar="D", help="units sold per day")
    p.add_argument("--lead-time", required=True, metavar="L", help="supplier lead time in days")
    p.add_argument("--demand-std", metavar="S", help="standard deviation of daily demand")
    p.add_argument("--lead-time-std", metavar="SL", help="standard deviation of the lead time")
    p.add_argument(
        "--service-level",
        default="0.95",
        metavar="P",
        help="chance of not running out before an order arrives (default 0.95)",
    )
    p = command("reorder", cmd_reorder, "what to order, how much and by when, most urgent first")
    p.add_argument("--all", action="store_true", help="list every product, not only those to order")
    p.add_argument(
        "--service-level",
        metavar="P",
        help="one fill-rate target for every product (default: each product's own, else its "
        "ABC class's from Settings)",
    )
    p = command(
        "purchase-orders", cmd_purchase_orders, "list purchase orders, or create them (--create)"
    )
    p.add_argument(
        "--status",
        choices=tuple(purchase_orders.OrderStatus),
    )
    p.add_argument(
        "--create", action="store_true", help="order what the reorder list says to order now"
    )
    p.add_argument("--soon", action="store_true", help="with --create: include 'order soon'")
    p.add_argument("--out", metavar="DIR", help="with --create: write a CSV per supplier here")
    p = command(
        "large-orders",
        cmd_large_orders,
        "customers with very large one-off orders (over 4 weeks of a product's usual sales), "
        "which forecasts set aside unless the customer is served from stock",
    )
    p.add_argument("--serve", nargs="+", metavar="CUSTOMER", help="serve these from stock")
    p.add_argument("--stop", nargs="+", metavar="CUSTOMER", help="set these aside again")
    p = command("receive-order", cmd_receive_order, "receive a purchase order into stock")
    p.add_argument("order_id", metavar="ID")
    p = command("backtest", cmd_backtest, "replay history under simple rules and stockcore's")
    p.add_argument(
        "--days", default=str(backtest.DEFAULT_DAYS), metavar="N",
        help=f"days to replay (default {backtest.DEFAULT_DAYS})",
    )  # fmt: skip
    p.add_argument(
        "--products", default=str(backtest.DEFAULT_PRODUCTS), metavar="N",
        help=f"best sellers (default {backtest.DEFAULT_PRODUCTS})",
    )  # fmt: skip
    p.add_argument(
        "--service-level", metavar="P",
        help="one fill-rate target (default 80%%, 90%%, 95%%, 98%%, 99%%)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON list of results")
    p = command("db", cmd_db, "database schema: upgrade runs the migrations (also done at start)")
    p.add_argument("action", choices=("upgrade",))
    p = command("backup", cmd_backup, "copy the whole shop into a new SQLite file")
    p.add_argument("file", help="the backup file to write (must not exist)")
    p = command("restore", cmd_restore, "replace everything with a backup made by `backup`")
    p.add_argument("file", help="the backup file")
    p.add_argument("--yes", action="store_true", help="really replace the database's contents")
    p = command("export", cmd_export, "export a table as CSV (re-importable)")
    p.add_argument("what", choices=imports.EXPORTS)
    p.add_argument("file", help="the CSV file to write, or - for standard output")
    p = command("api", cmd_api, "serve the REST API with uvicorn (OpenAPI docs at /docs)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", default="8000", help="port to listen on (default 8000)")
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="as before the command")
    p = command("users", cmd_users, "list user accounts, or change one's role (owner's tool)")
    p.add_argument(
        "--set-role",
        nargs=2,
        metavar=("USERNAME", "ROLE"),
        help="give USERNAME the role owner, manager or staff",
    )
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
        return handler(args, out)
    except FileRefused as refusal:
        print(f"error: {refusal.summary}", file=err)
        _refusal_lines(refusal, err)
        return EXIT_REFUSED
    except StockcoreError as refusal:
        print(f"error: {refusal}", file=err)
        return EXIT_REFUSED
    except SQLAlchemyError as failure:
        reason = str(getattr(failure, "orig", None) or failure).splitlines()[0]
        print(f"error: the database could not be used: {reason}", file=err)
        return EXIT_FAILED
    except OSError as failure:
        print(
            f"error: {failure.strerror or failure}: {failure.filename or ''}".rstrip(": "), file=err
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=err)
        return 130
    except Exception as bug:  # a bug of ours: still no traceback for the user
        print(
            f"error: unexpected failure ({type(bug).__name__}: {bug}); please report it", file=err
        )
        return EXIT_FAILED
