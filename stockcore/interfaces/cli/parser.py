"""The command line's grammar: every command, its arguments and its help text."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any, NoReturn

from stockcore.domain import DEFAULT_LEAD_TIME_DAYS, SERVICE_LEVEL_MEANING
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


@dataclass(frozen=True)
class Arg:
    """One argument: the names and keywords `add_argument` takes."""

    names: tuple[str, ...]
    spec: dict[str, Any]


def arg(*names: str, **spec: Any) -> Arg:
    return Arg(names, spec)


def flag(name: str, help_text: str) -> Arg:
    """An option that is off unless given."""
    return arg(name, action="store_true", help=help_text)


@dataclass(frozen=True)
class OneOf:
    """Arguments of which at most one may be given (exactly one if `required`)."""

    args: tuple[Arg, ...]
    required: bool = False


@dataclass(frozen=True)
class Command:
    """A command: its name, handler, help text (also its description) and arguments."""

    name: str
    handler: Handler
    help: str
    args: tuple[Arg | OneOf, ...] = field(default=())


# Arguments more than one command takes.
PRODUCT_AND_QUANTITY = (arg("id"), arg("quantity"))
ORDER_ID = arg("order_id", metavar="ID", help="PO-000123 or 123")
USERNAME = "USERNAME"

COMMANDS: tuple[Command, ...] = (
    Command(
        "init",
        shop.cmd_init,
        "create the database (schema); --demo also loads the demo shop",
        (flag("--demo", "load the demo gift shop"),),
    ),
    Command(
        "demo", shop.cmd_demo, "replay the spec's Laptop/Mouse/Mobile scenario on a temporary db"
    ),
    Command(
        "inventory",
        stock.cmd_inventory,
        "list products",
        (
            arg("--category", help="only this category"),
            arg("--search", help="only products whose name or id contains this"),
        ),
    ),
    Command(
        "add-product",
        stock.cmd_add_product,
        "add a new product",
        (
            arg("id", help="the product's SKU code, e.g. 85123A"),
            arg("name"),
            arg("--category", required=True),
            arg("--price", required=True, help="unit price"),
            arg("--quantity", required=True, help="units on hand"),
            arg("--threshold", required=True, help="restock threshold in units"),
            arg("--cost", help="unit cost (optional)"),
            arg("--supplier"),
            arg(
                "--lead-time",
                default=str(DEFAULT_LEAD_TIME_DAYS),
                metavar="DAYS",
                help=f"supplier lead time in days (default {DEFAULT_LEAD_TIME_DAYS})",
            ),
            arg("--lead-time-sd", metavar="DAYS", help="how much the lead time varies (sd)"),
            arg("--min-order", metavar="UNITS", help="the supplier's minimum order"),
            arg("--pack-size", metavar="UNITS", help="orders are whole packs of this many"),
            arg(
                "--service-level",
                metavar="TARGET",
                help=f"this product's service level ({SERVICE_LEVEL_MEANING}), e.g. 0.98 or "
                "98%% (default: its ABC class's)",
            ),
        ),
    ),
    Command(
        "purchase",
        stock.cmd_purchase,
        "sell units of a product (a customer purchase)",
        (*PRODUCT_AND_QUANTITY, arg("--customer", metavar="ID", help="who bought (optional)")),
    ),
    Command(
        "restock",
        stock.cmd_restock,
        "receive units of a product from the supplier",
        (*PRODUCT_AND_QUANTITY, arg("--reason", help="e.g. the delivery note number")),
    ),
    Command(
        "adjust",
        stock.cmd_adjust,
        "correct stock by hand (stocktake, damage) with a reason",
        (
            arg("id"),
            OneOf(
                (
                    arg("--change", help="signed change in units, e.g. -2"),
                    arg("--count", help="the counted quantity on hand"),
                ),
                required=True,
            ),
            arg("--reason", required=True),
        ),
    ),
    Command("alerts", stock.cmd_alerts, "list active restock alerts, most urgent first"),
    Command(
        "acknowledge",
        stock.cmd_acknowledge,
        "acknowledge restock alerts",
        (arg("alert_ids", nargs="+", metavar="ALERT_ID"),),
    ),
    Command(
        "sales-summary",
        reports.cmd_sales_summary,
        "revenue and units for a date range",
        (
            arg("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)"),
            arg("--to", dest="date_to", metavar="DATE", help="last day (default today)"),
            arg("--by", choices=("product", "category"), default="product"),
            arg("--per", choices=PERIODS, help="also show totals per day, week or month"),
        ),
    ),
    Command("check", shop.cmd_check, "check that every quantity on hand equals its ledger"),
    Command(
        "ledger",
        stock.cmd_ledger,
        "the newest stock movements, with who made each",
        (
            arg("--product", metavar="ID", help="only this product's movements"),
            arg("--limit", type=int, default=50, help="how many, newest first (default 50)"),
        ),
    ),
    Command(
        "import-sales",
        imports.cmd_import_sales,
        "import sales history from a CSV file",
        (
            arg("file"),
            flag("--dry-run", "check and preview; write nothing"),
            flag("--skip-bad-rows", "import the good rows, list the bad"),
            flag("--apply-to-stock", "lower stock like purchases"),
            flag("--no-create-products", "unknown products are errors"),
            arg(
                "--date-order",
                choices=[o.value for o in DateOrder],
                help="how to read dates like 03/04/2024 when the file cannot tell",
            ),
            arg(
                "--map",
                action="append",
                metavar="FIELD=COLUMN",
                help="map a column to a field (date, product_id, quantity, unit_price, "
                "order_id, description, customer_id; or date, sales)",
            ),
        ),
    ),
    Command(
        "import-products",
        imports.cmd_import_products,
        "add or update products from a CSV file",
        (arg("file"), arg("--map", action="append", metavar="FIELD=COLUMN")),
    ),
    Command("imports", imports.cmd_imports, "list import batches, newest first (id first)"),
    Command(
        "undo-import",
        imports.cmd_undo_import,
        "remove one import batch, stock effects included",
        (arg("batch_id"),),
    ),
    Command(
        "forecast",
        forecasts.cmd_forecast,
        "print a product's demand forecast, or refresh every product's",
        (
            OneOf(
                (
                    arg("--product", metavar="ID", help="print this product's forecast"),
                    flag("--all", "refresh every product's forecast"),
                ),
                required=True,
            ),
            arg(
                "--days",
                metavar="N",
                help="days ahead (default 28 to print, 180 to refresh; up to 365)",
            ),
            arg("--workers", type=int, default=2, help="processes for --all (default 2)"),
        ),
    ),
    Command(
        "optimize",
        replenishment.cmd_optimize,
        "reorder point, safety stock and optimal stock level",
        (
            arg("--daily-demand", required=True, metavar="D", help="units sold per day"),
            arg("--lead-time", required=True, metavar="L", help="supplier lead time in days"),
            arg("--demand-std", metavar="S", help="standard deviation of daily demand"),
            arg("--lead-time-std", metavar="SL", help="standard deviation of the lead time"),
            arg(
                "--service-level",
                default="0.95",
                metavar="P",
                help="chance of not running out before an order arrives (default 0.95)",
            ),
        ),
    ),
    Command(
        "reorder",
        replenishment.cmd_reorder,
        "what to order, how much and by when, most urgent first",
        (
            flag("--all", "list every product, not only those to order"),
            arg(
                "--service-level",
                metavar="P",
                help="one service level for every product (default: each product's own, "
                "else its ABC class's from Settings)",
            ),
        ),
    ),
    Command(
        "purchase-orders",
        replenishment.cmd_purchase_orders,
        "list purchase orders, or create them (--create)",
        (
            arg(
                "--status",
                choices=list(ORDER_FILTERS),
                help="only orders with this status; overdue: open orders expected before today",
            ),
            arg("--order", metavar="ID", help="one order's lines (PO-000123 or 123)"),
            flag("--create", "order what the reorder list says to order now"),
            flag("--soon", "with --create: include 'order soon'"),
            arg(
                "--out",
                metavar="DIR",
                help="write each order shown (or created) here for the supplier: "
                "PO-000123.csv and a printable PO-000123.html",
            ),
        ),
    ),
    Command(
        "large-orders",
        forecasts.cmd_large_orders,
        "customers with very large one-off orders (over 4 weeks of a product's usual sales), "
        "which forecasts set aside unless the customer is served from stock",
        (
            arg("--serve", nargs="+", metavar="CUSTOMER", help="serve these from stock"),
            arg("--stop", nargs="+", metavar="CUSTOMER", help="set these aside again"),
        ),
    ),
    Command(
        "receive-order",
        replenishment.cmd_receive_order,
        "receive a purchase order into stock: all that is still to come, or some units of "
        "some products (the rest stays on order)",
        (
            ORDER_ID,
            arg(
                "--product",
                action="append",
                metavar="P",
                help="receive only this product (repeatable)",
            ),
            arg(
                "--quantity", action="append", metavar="N", help="units of the --product before it"
            ),
        ),
    ),
    Command(
        "close-order",
        replenishment.cmd_close_order,
        "close an open purchase order, cancelling what has not come",
        (ORDER_ID,),
    ),
    Command(
        "backtest",
        replenishment.cmd_backtest,
        "replay history under simple rules and stockcore's",
        (
            arg(
                "--days",
                default=str(backtest.DEFAULT_DAYS),
                metavar="N",
                help=f"days to replay (default {backtest.DEFAULT_DAYS})",
            ),
            arg(
                "--products",
                default=str(backtest.DEFAULT_PRODUCTS),
                metavar="N",
                help=f"best sellers (default {backtest.DEFAULT_PRODUCTS})",
            ),
            arg(
                "--service-level",
                metavar="P",
                help="one service level (default 80%%, 90%%, 95%%, 98%%, 99%%)",
            ),
            flag("--json", "one JSON list of results"),
        ),
    ),
    Command(
        "db",
        shop.cmd_db,
        "database schema: upgrade runs the migrations (also done at start)",
        (arg("action", choices=("upgrade",)),),
    ),
    Command(
        "backup",
        shop.cmd_backup,
        "copy the whole shop into a new SQLite file",
        (arg("file", help="the backup file to write (must not exist)"),),
    ),
    Command(
        "restore",
        shop.cmd_restore,
        "replace everything with a backup made by `backup`",
        (
            arg("file", help="the backup file"),
            flag("--yes", "really replace the database's contents"),
        ),
    ),
    Command(
        "export",
        imports.cmd_export,
        "export a table as CSV (re-importable)",
        (
            arg("what", choices=EXPORTS),
            arg("file", help="the CSV file to write, or - for standard output"),
        ),
    ),
    Command(
        "api",
        server.cmd_api,
        "serve the REST API with uvicorn",
        (
            arg("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"),
            arg("--port", default="8000", help="port to listen on (default 8000)"),
            flag(
                "--docs",
                "serve /docs, /redoc and /openapi.json to anyone (or STOCKCORE_API_DOCS=1)",
            ),
            arg(
                "--chart-dir",
                metavar="FOLDER",
                default=None,
                help="save /visualize-sales charts here (or STOCKCORE_CHART_DIR; default: nowhere)",
            ),
            arg(
                "--trusted-proxy",
                action="append",
                metavar="ADDRESS",
                help="a reverse proxy (address or network, e.g. 10.0.0.0/8; repeatable) whose "
                "X-Forwarded-For names the client (default: $STOCKCORE_TRUSTED_PROXIES, else "
                "none)",
            ),
            arg(
                "--max-body-bytes",
                metavar="N",
                help="larger request bodies get 413 (default: $STOCKCORE_API_MAX_BODY_BYTES, "
                "else 1048576)",
            ),
            arg("--db", metavar="URL", default=argparse.SUPPRESS, help="as before the command"),
        ),
    ),
    Command(
        "users",
        accounts.cmd_users,
        "list user accounts or change one (role, password, disable, delete), invite people, "
        "make API keys (owner's tool)",
        (
            OneOf(
                (
                    arg(
                        "--set-role",
                        nargs=2,
                        metavar=(USERNAME, "ROLE"),
                        help="give USERNAME the role owner, manager or staff",
                    ),
                    arg(
                        "--set-password",
                        metavar=USERNAME,
                        help="set USERNAME's password (asked twice, not echoed); ends their "
                        "sessions",
                    ),
                    arg(
                        "--disable",
                        metavar=USERNAME,
                        help="USERNAME can no longer sign in; tokens stop at once",
                    ),
                    arg("--enable", metavar=USERNAME, help="let a disabled USERNAME sign in"),
                    arg(
                        "--delete",
                        metavar=USERNAME,
                        help="delete USERNAME's account (their name stays on the ledger rows "
                        "they made)",
                    ),
                    arg(
                        "--sign-out",
                        metavar=USERNAME,
                        help="end every token and dashboard session of USERNAME",
                    ),
                )
            ),
            arg(
                "--invite",
                metavar="ROLE",
                help="make a one-time invitation code for a new owner, manager or staff account",
            ),
            arg(
                "--days",
                metavar="N",
                help="how many days the invitation stays valid (default 7, at most 90)",
            ),
            flag("--invitations", "list the invitations"),
            arg("--revoke-invitation", metavar="ID", help="withdraw an unused invitation"),
            arg(
                "--open-signup",
                choices=("on", "off"),
                help="on: anyone may open a staff account; off (the default): invitations only",
            ),
            arg(
                "--api-key",
                metavar="NAME",
                help="make an API key named NAME (e.g. storefront) with --scopes; shown once",
            ),
            arg(
                "--scopes",
                metavar="LIST",
                help="the new key's scopes, comma-separated: read, purchases:write, "
                "sales:write, products:write, forecasts",
            ),
            flag("--api-keys", "list the API keys"),
            arg("--revoke-api-key", metavar="ID", help="revoke an API key (it answers 401)"),
        ),
    ),
)


def _add(parser: argparse.ArgumentParser, args: tuple[Arg | OneOf, ...]) -> None:
    for one in args:
        if isinstance(one, OneOf):
            group = parser.add_mutually_exclusive_group(required=one.required)
            for each in one.args:
                group.add_argument(*each.names, **each.spec)
        else:
            parser.add_argument(*one.names, **one.spec)


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
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        p.set_defaults(handler=command.handler)
        _add(p, command.args)
    return parser
