"""Plain-text output shared by the commands: aligned tables, the inventory, alerts, sales
summaries, forecasts and purchase orders, and the forecast refresh's progress."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TextIO

from stockcore import inventory
from stockcore.domain import OrderStatus, Product, counted
from stockcore.forecasting import views
from stockcore.inventory import reports
from stockcore.replenishment import purchase_orders


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns two spaces apart: numbers (amounts of money included) right-aligned, text
    left-aligned, a dashed rule under the headers, no trailing spaces."""
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
    print(table(headers, rows), file=out)


def print_alerts(out: TextIO, alerts: list[reports.AlertView]) -> None:
    if not alerts:
        print("No restock alerts.", file=out)
        return
    rows = [
        (a.alert_id, a.product_id, a.name, a.quantity, a.restock_threshold, a.status, a.raised_at)
        for a in alerts
    ]
    print(table(("Alert", "ID", "Name", "Qty", "Threshold", "Status", "Raised"), rows), file=out)


def print_sales_summary(
    out: TextIO,
    summary: reports.SalesSummary,
    settings: inventory.ShopSettings,
    by: str,
    *,
    per_period: bool = False,
) -> None:
    """The totals line, then (with `per_period`) a row per day, week or month, then a row per
    product or (`by` "category") per category."""
    print(
        f"Sales {summary.start} to {summary.end}: {summary.units:,} units, "
        f"{settings.money(summary.revenue)} revenue",
        file=out,
    )
    if summary.empty:
        return
    if summary.recorded_days:
        print(
            f"{counted(summary.recorded_days, 'day', ('has', 'have'))} "
            "a recorded shop total: revenue and the "
            "per-period rows count it; the product and category rows count sale lines only.",
            file=out,
        )
    rows: list[tuple[object, ...]]
    if per_period:
        totals = summary.trend.groupby("period_start", as_index=False)[["units", "revenue"]].sum()
        rows = [
            (r["period_start"].date(), f"{r['units']:,}", settings.money(r["revenue"]))
            for r in totals.to_dict("records")
        ]
        print(table((summary.period.capitalize(), "Units", "Revenue"), rows), file=out)
        print(file=out)
    if by == "category":
        rows = [
            (r["category"], f"{r['units']:,}", settings.money(r["revenue"]))
            for r in summary.by_category.to_dict("records")
        ]
        print(table(("Category", "Units", "Revenue"), rows), file=out)
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
        print(table(("ID", "Name", "Category", "Units", "Revenue"), rows), file=out)


def print_forecast(out: TextIO, view: views.ForecastView) -> None:
    """A product's forecast: its model, when it runs out, its lead-time demand and a row per
    day with the 80% and 95% ranges (units)."""
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
    print(table(["date", "day", "units", "80% range", "95% range"], rows), file=out)


def print_orders(
    out: TextIO, orders: list[purchase_orders.PurchaseOrder], shop: inventory.ShopSettings
) -> None:
    """Each order on a line (number, supplier, where it stands, dates, units, total), then
    a warning per overdue order."""
    rows = [
        (
            order.number,
            order.supplier,
            order.state,
            f"{order.ordered_on:%Y-%m-%d}",
            f"{order.expected_on:%Y-%m-%d}",
            len(order.lines),
            f"{order.units:,}",
            f"{order.received_units:,}",
            order.total_text(shop),
        )
        for order in orders
    ]
    headers = [
        "order", "supplier", "status", "ordered", "expected", "lines", "units", "received",
        "total",
    ]  # fmt: skip
    print(table(headers, rows) if rows else "no purchase orders", file=out)
    for order in orders:
        if order.overdue:
            print(f"warning: {order.late_note()}", file=out)


def print_order_lines(
    out: TextIO, order: purchase_orders.PurchaseOrder, shop: inventory.ShopSettings
) -> None:
    """One order's lines: ordered, received, still to come, unit cost and line total."""
    print(
        f"{order.number} from {order.supplier}: {order.state}; ordered on "
        f"{order.ordered_on:%Y-%m-%d}, expected on {order.expected_on:%Y-%m-%d}",
        file=out,
    )
    rows = [
        (
            line.product_id,
            line.name,
            f"{line.quantity:,}",
            f"{line.received:,}",
            f"{line.outstanding:,}" if order.status is OrderStatus.OPEN else "-",
            "-" if line.unit_cost is None else shop.money(line.unit_cost),
            "-" if line.line_total is None else shop.money(line.line_total),
        )
        for line in order.lines
    ]
    headers = ["product", "name", "ordered", "received", "to come", "unit cost", "line total"]
    print(table(headers, rows), file=out)
    print(f"total: {order.total_text(shop)}", file=out)
    if order.overdue:
        print(f"warning: {order.late_note()}", file=out)


def progress_printer(err: TextIO) -> Callable[[int, int], None]:
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
