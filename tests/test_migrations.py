"""Upgrading a shop made by the first release: every migration, with data in it, on SQLite
and PostgreSQL, loses nothing; nor does a forecast stored before lead-time grids (0009) or
sales and forecasts stored before large orders were set aside (0010)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from stockcore import inventory
from stockcore.forecasting import large_orders, views
from stockcore.inventory import reports
from stockcore.persistence.db import (
    Database,
    _alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from stockcore.replenishment import plan, purchase_orders

T0 = datetime(2025, 1, 6, 9, 0)

products = sa.table(
    "products",
    *(sa.column(name) for name in (
        "product_id", "name", "category", "unit_price_minor", "unit_cost_minor", "quantity",
        "restock_threshold", "supplier", "lead_time_days", "created_at",
    )),
)  # fmt: skip
sale_lines = sa.table(
    "sale_lines",
    *(sa.column(name) for name in (
        "product_id", "sold_at", "sold_on", "quantity", "unit_price_minor", "revenue_minor",
        "source", "order_id",
    )),
)  # fmt: skip
movements = sa.table(
    "stock_movements",
    *(sa.column(name) for name in ("product_id", "at", "kind", "change", "quantity_after")),
)
alerts = sa.table(
    "alerts",
    *(sa.column(name) for name in (
        "product_id", "kind", "status", "raised_at", "quantity_at_raise", "threshold_at_raise",
    )),
)  # fmt: skip
settings = sa.table("settings", sa.column("key"), sa.column("value"))


def first_release_shop(db: Database) -> None:
    """The schema of revision 0001, filled the way that release filled it."""
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0001")
    with db.engine.begin() as connection:
        connection.execute(
            products.insert(),
            [
                {"product_id": f"P{n}", "name": f"Product {n}", "category": "Kitchen",
                 "unit_price_minor": 100 * n + 99, "unit_cost_minor": None if n % 2 else 50 * n,
                 "quantity": 0, "restock_threshold": 5, "supplier": "Acme" if n < 3 else None,
                 "lead_time_days": 7 + n, "created_at": T0}
                for n in range(1, 6)
            ],
        )  # fmt: skip
        on_hand = {}
        for n in range(1, 6):
            opening = 40 + n
            connection.execute(
                movements.insert(),
                {"product_id": f"P{n}", "at": T0, "kind": "opening", "change": opening,
                 "quantity_after": opening},
            )  # fmt: skip
            on_hand[f"P{n}"] = opening
        for day in range(60):
            for n in range(1, 6):
                if (day + n) % 3:
                    continue
                pid, units = f"P{n}", 1 + (day % 2)
                when = T0 + timedelta(days=day, hours=n)
                on_hand[pid] -= units
                connection.execute(
                    sale_lines.insert(),
                    {"product_id": pid, "sold_at": when, "sold_on": when.date(),
                     "quantity": units, "unit_price_minor": 100 * n + 99,
                     "revenue_minor": units * (100 * n + 99), "source": "purchase",
                     "order_id": None},
                )  # fmt: skip
                connection.execute(
                    movements.insert(),
                    {"product_id": pid, "at": when, "kind": "sale", "change": -units,
                     "quantity_after": on_hand[pid]},
                )  # fmt: skip
        for pid, quantity in on_hand.items():
            connection.execute(
                products.update().where(products.c.product_id == pid).values(quantity=quantity)
            )
        connection.execute(
            alerts.insert(),
            {"product_id": "P1", "kind": "below_threshold", "status": "open",
             "raised_at": T0 + timedelta(days=59), "quantity_at_raise": 3,
             "threshold_at_raise": 5},
        )  # fmt: skip
        connection.execute(settings.insert(), [{"key": "currency_symbol", "value": "₹"}])


def test_a_first_release_shop_upgrades_to_the_newest_schema_and_loses_nothing(
    db_url: str,
) -> None:
    db = Database.connect(db_url)
    first_release_shop(db)
    assert current_revision(db) == "0001"
    with db.engine.connect() as connection:
        before = {
            name: sorted(connection.execute(sa.select(table)).all(), key=repr)
            for name, table in (
                ("products", products), ("sale_lines", sale_lines), ("movements", movements),
                ("alerts", alerts), ("settings", settings),
            )
        }  # fmt: skip

    upgrade(db)
    assert current_revision(db) == head_revision()
    with db.engine.connect() as connection:
        after = {
            name: sorted(connection.execute(sa.select(table)).all(), key=repr)
            for name, table in (
                ("products", products), ("sale_lines", sale_lines), ("movements", movements),
                ("alerts", alerts), ("settings", settings),
            )
        }  # fmt: skip
    assert after == before  # every old column of every old row, as it was

    # And the upgraded shop works: the old data reads through today's code, new columns
    # have their defaults, and the ledger still balances.
    mug = reports.get_product(db, "P2")
    assert mug is not None
    assert (mug.unit_price, mug.unit_cost, mug.lead_time_days) == (Decimal("2.99"), Decimal("1"), 9)
    assert (mug.min_order_quantity, mug.pack_size, mug.service_level) == (1, 1, None)
    assert reports.ledger_mismatches(db) == []
    summary = reports.sales_summary(db, date(2025, 1, 1), date(2025, 12, 31))
    assert summary.sale_lines == len(before["sale_lines"])
    assert [a.product_id for a in reports.active_alerts(db)] == ["P1"]
    assert inventory.get_settings(db).currency_symbol == "₹"
    sold = inventory.purchase(db, "P3", 1, clock=lambda: T0 + timedelta(days=61))
    assert sold.product.quantity == before_quantity(before, "P3") - 1
    db.dispose()


def before_quantity(before: dict[str, list[sa.Row[object]]], pid: str) -> int:
    return next(int(row.quantity) for row in before["products"] if row.product_id == pid)


def old_forecast_run(connection: sa.Connection, old: sa.MetaData) -> int:
    """A forecast run row in a schema reflected before the latest migrations; its id."""
    return int(
        connection.execute(
            old.tables["forecast_runs"].insert().returning(old.tables["forecast_runs"].c.id),
            {"started_at": T0, "finished_at": T0, "first_day": T0.date(), "horizon_days": 30,
             "products": 1, "seconds": 1.0},
        ).scalar_one()
    )  # fmt: skip


def test_lead_time_demand_stored_before_grids_upgrades_without_one(db_url: str) -> None:
    """0009 adds lead_time_demand.grid: rows stored by 0008 keep every value, have no grid
    (read back as none), and the migration goes down and up again."""
    db = Database.connect(db_url)
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0008")
    old = sa.MetaData()
    old.reflect(db.engine)
    quantiles = {"mean": 9.5, "q50": 9.0, "q80": 12.0, "q90": 14.0, "q95": 15.0, "q98": 17.0,
                 "q99": 18.0, "q995": 19.0}  # fmt: skip
    with db.engine.begin() as connection:
        connection.execute(
            old.tables["products"].insert(),
            {"product_id": "P1", "name": "Mug", "category": "Kitchen", "unit_price_minor": 299,
             "quantity": 0, "restock_threshold": 5, "lead_time_days": 7, "created_at": T0},
        )  # fmt: skip
        run = old_forecast_run(connection, old)
        connection.execute(
            old.tables["lead_time_demand"].insert(),
            [
                {"product_id": "P1", "cover": cover, "days": days, "trading_days": days,
                 "method": "blend", "run_id": run, **quantiles}
                for cover, days in (("lead", 7), ("lead+review", 14))
            ],
        )  # fmt: skip

    upgrade(db)
    assert current_revision(db) == head_revision()
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("select cover, mean, q50, q995, grid from lead_time_demand order by cover")
        ).all()
    assert [tuple(row) for row in rows] == [
        ("lead", 9.5, 9.0, 19.0, None),
        ("lead+review", 9.5, 9.0, 19.0, None),
    ]
    assert views.lead_time_grids(db) == {}
    view = views.product_forecast(db, "P1", days=7, today=T0.date())
    assert [(cover.cover, cover.q50, cover.grid) for cover in view.covers] == [
        ("lead", 9.0, ()),
        ("lead+review", 9.0, ()),
    ]

    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0008")
    assert current_revision(db) == "0008"
    upgrade(db)
    assert current_revision(db) == head_revision()
    db.dispose()


def test_sales_and_forecasts_stored_before_large_orders_upgrade_with_none_set_aside(
    db_url: str,
) -> None:
    """0010 adds sale_lines.customer_id, forecast_models.set_aside_* and served_customers:
    older rows read as no customer and nothing set aside; down and up again loses nothing."""
    db = Database.connect(db_url)
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0009")
    old = sa.MetaData()
    old.reflect(db.engine)
    with db.engine.begin() as connection:
        connection.execute(
            old.tables["products"].insert(),
            {"product_id": "P1", "name": "Mug", "category": "Kitchen", "unit_price_minor": 299,
             "quantity": 4, "restock_threshold": 5, "lead_time_days": 7, "created_at": T0},
        )  # fmt: skip
        connection.execute(
            old.tables["sale_lines"].insert(),
            [
                {"product_id": "P1", "sold_at": T0 + timedelta(days=n),
                 "sold_on": (T0 + timedelta(days=n)).date(), "quantity": 3 if n else 500,
                 "unit_price_minor": 299, "revenue_minor": 897, "source": "history",
                 "order_id": f"O{n}"}
                for n in range(40)
            ],
        )  # fmt: skip
        run = old_forecast_run(connection, old)
        connection.execute(
            old.tables["forecast_models"].insert(),
            {"product_id": "P1", "run_id": run, "model": "mean", "basis": "own history",
             "history_days": 40, "selling_share": 1.0, "backtest_windows": 0, "created_at": T0},
        )  # fmt: skip

    upgrade(db)
    assert current_revision(db) == head_revision()
    with db.engine.connect() as connection:
        assert (
            connection.execute(sa.text("select count(customer_id) from sale_lines")).scalar() == 0
        )
        assert connection.execute(
            sa.text("select set_aside_orders, set_aside_units from forecast_models")
        ).one() == (None, None)
    [line] = plan.reorder_plan(db, today=T0.date() + timedelta(days=40))
    assert (line.set_aside_orders, line.set_aside_units) == (0, 0)
    # The 500-unit order has no customer: listed as such, and cannot be served from stock.
    [listed] = large_orders.large_order_customers(db)
    assert (listed.customer_id, listed.orders, listed.units) == ("", 1, 500)
    large_orders.update_served_customers(db, serve=["C1"], now=T0)

    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0009")
    assert current_revision(db) == "0009"
    upgrade(db)
    assert current_revision(db) == head_revision()
    assert large_orders.served_customers(db) == set()
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("select count(*) from sale_lines")).scalar() == 40
    db.dispose()


def test_purchase_orders_stored_before_partial_receipts_upgrade_as_received_or_not(
    db_url: str,
) -> None:
    """0015 adds purchase_order_lines.received_quantity: lines of orders already received
    read as received whole, every other line as nothing received yet (so an open order's
    units are all still on order); down and up again loses nothing."""
    db = Database.connect(db_url)
    with db.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0010")
    old = sa.MetaData()
    old.reflect(db.engine)
    with db.engine.begin() as connection:
        connection.execute(
            old.tables["products"].insert(),
            {"product_id": "P1", "name": "Mug", "category": "Kitchen", "unit_price_minor": 299,
             "unit_cost_minor": 125, "quantity": 4, "restock_threshold": 5,
             "lead_time_days": 7, "created_at": T0},
        )  # fmt: skip
        for order_id, status in ((1, "received"), (2, "open"), (3, "cancelled")):
            connection.execute(
                old.tables["purchase_orders"].insert(),
                {"id": order_id, "supplier": "Acme", "status": status, "created_at": T0,
                 "expected_on": T0.date() + timedelta(days=7),
                 "closed_at": None if status == "open" else T0},
            )  # fmt: skip
            connection.execute(
                old.tables["purchase_order_lines"].insert(),
                {"order_id": order_id, "product_id": "P1", "quantity": 10 * order_id,
                 "unit_cost_minor": 125},
            )  # fmt: skip

    upgrade(db)
    assert current_revision(db) == head_revision()
    orders = {order.number: order for order in purchase_orders.purchase_orders(db, today=T0.date())}
    assert [(n, o.state, o.received_units) for n, o in sorted(orders.items())] == [
        ("PO-000001", "received", 10),
        ("PO-000002", "open", 0),
        ("PO-000003", "cancelled", 0),
    ]
    assert orders["PO-000002"].total == Decimal("25.00")
    assert purchase_orders.on_order(db) == {"P1": 20}

    with db.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0010")
    assert current_revision(db) == "0010"
    upgrade(db)
    assert purchase_orders.on_order(db) == {"P1": 20}
    db.dispose()


def test_the_reference_check_runs_after_a_migration_and_not_at_every_start(
    tmp_path: Path,
) -> None:
    """On SQLite, `PRAGMA foreign_key_check` reads every table (over a second on a shop of a
    million sale lines): it runs when a migration ran, not when the schema is already the
    newest (every start of the dashboard, the API and the CLI)."""
    db = Database.connect(f"sqlite:///{tmp_path / 'shop.db'}")
    statements: list[str] = []
    sa.event.listen(
        db.engine, "before_cursor_execute", lambda *args: statements.append(str(args[2]))
    )
    try:
        upgrade(db)  # a new database: every migration
        assert any("foreign_key_check" in sql for sql in statements)
        statements.clear()
        upgrade(db)  # already the newest
        assert statements and not any("foreign_key_check" in sql for sql in statements)
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()
