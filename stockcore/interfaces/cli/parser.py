"""The command line's grammar: every command, its arguments and its help text."""

from __future__ import annotations

import argparse
from typing import NoReturn

from stockcore.domain import DEFAULT_LEAD_TIME_DAYS
from stockcore.imports import EXPORTS
from stockcore.imports.reading import DateOrder
from stockcore.interfaces.cli.commands import (
    Handler,
    accounts,
    forecasts,
    imports,
    replenishment,
    reports,
    server,
    shop,
    stock,
)
from stockcore.inventory.reports import PERIODS
from stockcore.replenishment import backtest
from stockcore.replenishment.purchase_orders import ORDER_FILTERS

EXIT_USAGE = 2  # a mistyped command line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, no usage dump: say what is wrong and how to get help.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """`stockcore [--db URL] COMMAND ...`; each command's handler is in `args.handler`."""
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

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command(
        "init", shop.cmd_init, "create the database (schema); --demo also loads the demo shop"
    )
    p.add_argument("--demo", action="store_true", help="load the demo gift shop")
    command(
        "demo", shop.cmd_demo, "replay the spec's Laptop/Mouse/Mobile scenario on a temporary db"
    )
    p = command("inventory", stock.cmd_inventory, "list products")
    p.add_argument("--category", help="only this category")
    p.add_argument("--search", help="only products whose name or id contains this")
    p = command("add-product", stock.cmd_add_product, "add a new product")
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
    p = command("purchase", stock.cmd_purchase, "sell units of a product (a customer purchase)")
    p.add_argument("id")
    p.add_argument("quantity")
    p.add_argument("--customer", metavar="ID", help="who bought (optional)")
    p = command("restock", stock.cmd_restock, "receive units of a product from the supplier")
    p.add_argument("id")
    p.add_argument("quantity")
    p.add_argument("--reason", help="e.g. the delivery note number")
    p = command(
        "adjust", stock.cmd_adjust, "correct stock by hand (stocktake, damage) with a reason"
    )
    p.add_argument("id")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--change", help="signed change in units, e.g. -2")
    group.add_argument("--count", help="the counted quantity on hand")
    p.add_argument("--reason", required=True)
    command("alerts", stock.cmd_alerts, "list active restock alerts, most urgent first")
    p = command("acknowledge", stock.cmd_acknowledge, "acknowledge restock alerts")
    p.add_argument("alert_ids", nargs="+", metavar="ALERT_ID")
    p = command("sales-summary", reports.cmd_sales_summary, "revenue and units for a date range")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="last day (default today)")
    p.add_argument("--by", choices=("product", "category"), default="product")
    p.add_argument("--per", choices=PERIODS, help="also show totals per day, week or month")
    command("check", shop.cmd_check, "check that every quantity on hand equals its ledger")
    p = command("ledger", stock.cmd_ledger, "the newest stock movements, with who made each")
    p.add_argument("--product", metavar="ID", help="only this product's movements")
    p.add_argument("--limit", type=int, default=50, help="how many, newest first (default 50)")

    p = command("import-sales", imports.cmd_import_sales, "import sales history from a CSV file")
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
    p = command(
        "import-products", imports.cmd_import_products, "add or update products from a CSV file"
    )
    p.add_argument("file")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN")
    command("imports", imports.cmd_imports, "list import batches, newest first (id first)")
    p = command(
        "undo-import", imports.cmd_undo_import, "remove one import batch, stock effects included"
    )
    p.add_argument("batch_id")
    p = command(
        "forecast",
        forecasts.cmd_forecast,
        "print a product's demand forecast, or refresh every product's",
    )
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--product", metavar="ID", help="print this product's forecast")
    group.add_argument("--all", action="store_true", help="refresh every product's forecast")
    p.add_argument(
        "--days", metavar="N", help="days ahead (default 28 to print, 180 to refresh; up to 365)"
    )
    p.add_argument("--workers", type=int, default=2, help="processes for --all (default 2)")
    p = command(
        "optimize",
        replenishment.cmd_optimize,
        "reorder point, safety stock and optimal stock level",
    )
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
    p = command(
        "reorder",
        replenishment.cmd_reorder,
        "what to order, how much and by when, most urgent first",
    )
    p.add_argument("--all", action="store_true", help="list every product, not only those to order")
    p.add_argument(
        "--service-level",
        metavar="P",
        help="one fill-rate target for every product (default: each product's own, else its "
        "ABC class's from Settings)",
    )
    p = command(
        "purchase-orders",
        replenishment.cmd_purchase_orders,
        "list purchase orders, or create them (--create)",
    )
    p.add_argument(
        "--status",
        choices=list(ORDER_FILTERS),
        help="only orders with this status; overdue: open orders expected before today",
    )
    p.add_argument("--order", metavar="ID", help="one order's lines (PO-000123 or 123)")
    p.add_argument(
        "--create", action="store_true", help="order what the reorder list says to order now"
    )
    p.add_argument("--soon", action="store_true", help="with --create: include 'order soon'")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write each order shown (or created) here for the supplier: PO-000123.csv and a "
        "printable PO-000123.html",
    )
    p = command(
        "large-orders",
        forecasts.cmd_large_orders,
        "customers with very large one-off orders (over 4 weeks of a product's usual sales), "
        "which forecasts set aside unless the customer is served from stock",
    )
    p.add_argument("--serve", nargs="+", metavar="CUSTOMER", help="serve these from stock")
    p.add_argument("--stop", nargs="+", metavar="CUSTOMER", help="set these aside again")
    p = command(
        "receive-order",
        replenishment.cmd_receive_order,
        "receive a purchase order into stock: all that is still to come, or some units of "
        "some products (the rest stays on order)",
    )
    p.add_argument("order_id", metavar="ID", help="PO-000123 or 123")
    p.add_argument(
        "--product", action="append", metavar="P", help="receive only this product (repeatable)"
    )
    p.add_argument(
        "--quantity", action="append", metavar="N", help="units of the --product before it"
    )
    p = command(
        "close-order",
        replenishment.cmd_close_order,
        "close an open purchase order, cancelling what has not come",
    )
    p.add_argument("order_id", metavar="ID", help="PO-000123 or 123")
    p = command(
        "backtest", replenishment.cmd_backtest, "replay history under simple rules and stockcore's"
    )
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
    p = command(
        "db", shop.cmd_db, "database schema: upgrade runs the migrations (also done at start)"
    )
    p.add_argument("action", choices=("upgrade",))
    p = command("backup", shop.cmd_backup, "copy the whole shop into a new SQLite file")
    p.add_argument("file", help="the backup file to write (must not exist)")
    p = command("restore", shop.cmd_restore, "replace everything with a backup made by `backup`")
    p.add_argument("file", help="the backup file")
    p.add_argument("--yes", action="store_true", help="really replace the database's contents")
    p = command("export", imports.cmd_export, "export a table as CSV (re-importable)")
    p.add_argument("what", choices=EXPORTS)
    p.add_argument("file", help="the CSV file to write, or - for standard output")
    p = command("api", server.cmd_api, "serve the REST API with uvicorn")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", default="8000", help="port to listen on (default 8000)")
    p.add_argument(
        "--docs",
        action="store_true",
        help="serve /docs, /redoc and /openapi.json to anyone (or STOCKCORE_API_DOCS=1)",
    )
    p.add_argument(
        "--chart-dir",
        metavar="FOLDER",
        default=None,
        help="save /visualize-sales charts here (or STOCKCORE_CHART_DIR; default: nowhere)",
    )
    p.add_argument(
        "--trusted-proxy",
        action="append",
        metavar="ADDRESS",
        help="a reverse proxy (address or network, e.g. 10.0.0.0/8; repeatable) whose "
        "X-Forwarded-For names the client (default: $STOCKCORE_TRUSTED_PROXIES, else none)",
    )
    p.add_argument(
        "--max-body-bytes",
        metavar="N",
        help="larger request bodies get 413 (default: $STOCKCORE_API_MAX_BODY_BYTES, else 1048576)",
    )
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="as before the command")
    p = command(
        "users",
        accounts.cmd_users,
        "list user accounts or change one (role, password, disable, delete), invite people, "
        "make API keys (owner's tool)",
    )
    change = p.add_mutually_exclusive_group()
    change.add_argument(
        "--set-role",
        nargs=2,
        metavar=("USERNAME", "ROLE"),
        help="give USERNAME the role owner, manager or staff",
    )
    change.add_argument(
        "--set-password",
        metavar="USERNAME",
        help="set USERNAME's password (asked twice, not echoed); ends their sessions",
    )
    change.add_argument(
        "--disable", metavar="USERNAME", help="USERNAME can no longer sign in; tokens stop at once"
    )
    change.add_argument("--enable", metavar="USERNAME", help="let a disabled USERNAME sign in")
    change.add_argument(
        "--delete",
        metavar="USERNAME",
        help="delete USERNAME's account (their name stays on the ledger rows they made)",
    )
    change.add_argument(
        "--sign-out", metavar="USERNAME", help="end every token and dashboard session of USERNAME"
    )
    p.add_argument(
        "--invite", metavar="ROLE",
        help="make a one-time invitation code for a new owner, manager or staff account",
    )  # fmt: skip
    p.add_argument(
        "--days", metavar="N",
        help="how many days the invitation stays valid (default 7, at most 90)",
    )  # fmt: skip
    p.add_argument("--invitations", action="store_true", help="list the invitations")
    p.add_argument("--revoke-invitation", metavar="ID", help="withdraw an unused invitation")
    p.add_argument(
        "--open-signup", choices=("on", "off"),
        help="on: anyone may open a staff account; off (the default): invitations only",
    )  # fmt: skip
    p.add_argument(
        "--api-key", metavar="NAME",
        help="make an API key named NAME (e.g. storefront) with --scopes; shown once",
    )  # fmt: skip
    p.add_argument(
        "--scopes", metavar="LIST",
        help="the new key's scopes, comma-separated: read, purchases:write, sales:write, "
        "products:write, forecasts",
    )  # fmt: skip
    p.add_argument("--api-keys", action="store_true", help="list the API keys")
    p.add_argument("--revoke-api-key", metavar="ID", help="revoke an API key (it answers 401)")
    return parser
