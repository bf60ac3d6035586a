"""What the supplier receives: one purchase order as a CSV and as a printable page
(HTML), both with the order's number, the shop, the supplier, its dates, its lines and its
total."""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from stockcore.inventory import get_settings
from stockcore.persistence.db import Database
from stockcore.replenishment.purchase_orders import PurchaseOrder, purchase_order

if TYPE_CHECKING:
    from stockcore.inventory import ShopSettings


@dataclass(frozen=True)
class SupplierDocuments:
    """One order as the supplier gets it: a CSV and a printable page (HTML), both with the
    order's number, the shop, the supplier, its dates, its lines and its total."""

    csv_file_name: str
    csv: str
    html_file_name: str
    html: str


def supplier_documents(order: PurchaseOrder, shop: ShopSettings) -> SupplierDocuments:
    """The CSV and the printable page of `order`, money in the shop's currency."""
    return SupplierDocuments(
        f"{order.number}.csv", _csv(order, shop), f"{order.number}.html", _html(order, shop)
    )


def order_documents(db: Database, order_id: object) -> SupplierDocuments:
    """`supplier_documents` of one stored order."""
    return supplier_documents(purchase_order(db, order_id), get_settings(db))


def _amount(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _csv(order: PurchaseOrder, shop: ShopSettings) -> str:
    """A header block (number, shop, supplier, dates, currency), a blank row, then the
    lines with a total row: plain numbers, so a spreadsheet adds them up."""
    from stockcore.imports.exports import escape_cell  # imports builds on replenishment

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows: list[list[object]] = [
        ["Purchase order", order.number],
        ["From", shop.shop_name],
        ["Supplier", order.supplier],
        ["Order date", f"{order.ordered_on:%Y-%m-%d}"],
        ["Expected date", f"{order.expected_on:%Y-%m-%d}"],
        ["Currency", shop.currency_symbol],
        [],
        ["Product ID", "Name", "Quantity", "Unit cost", "Line total"],
    ]
    rows += [
        [line.product_id, line.name, line.quantity, _amount(line.unit_cost),
         _amount(line.line_total)]
        for line in order.lines
    ]  # fmt: skip
    label = "Total" if not order.unpriced_lines else "Total (lines with a unit cost)"
    rows.append([label, "", order.units, "", _amount(order.priced_total)])
    writer.writerows([escape_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


_PAGE_STYLE: Final = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem;
       color: #1a1a1a; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dt { font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin-top: 1.5rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.4rem 0.6rem; text-align: left; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 700; border-top: 2px solid #1a1a1a; }
@media print { body { margin: 1cm; } }
"""


def _html(order: PurchaseOrder, shop: ShopSettings) -> str:
    """A self-contained page to print (or save as PDF from the browser)."""

    def text(value: object) -> str:
        return html.escape(str(value))

    def money(value: Decimal | None) -> str:
        return "" if value is None else text(shop.money(value))

    body = "\n".join(
        "<tr>"
        f"<td>{text(line.product_id)}</td><td>{text(line.name)}</td>"
        f'<td class="number">{line.quantity:,}</td>'
        f'<td class="number">{money(line.unit_cost)}</td>'
        f'<td class="number">{money(line.line_total)}</td>'
        "</tr>"
        for line in order.lines
    )
    details = [
        ("From", shop.shop_name),
        ("Supplier", order.supplier),
        ("Order date", f"{order.ordered_on:%a %d %b %Y}"),
        ("Expected date", f"{order.expected_on:%a %d %b %Y}"),
    ]
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{text(order.number)} · {text(order.supplier)}</title>
<style>{_PAGE_STYLE}</style>
</head>
<body>
<h1>Purchase order {text(order.number)}</h1>
<dl>
{"".join(f"<dt>{text(k)}</dt><dd>{text(v)}</dd>" for k, v in details)}
</dl>
<table>
<thead><tr><th>Product ID</th><th>Name</th><th class="number">Quantity</th>
<th class="number">Unit cost</th><th class="number">Line total</th></tr></thead>
<tbody>
{body}
</tbody>
<tfoot><tr><td colspan="2">Total</td><td class="number">{order.units:,}</td><td></td>
<td class="number">{text(order.total_text(shop))}</td></tr></tfoot>
</table>
</body>
</html>
"""
