"""SQLAlchemy 2.0 table models: how the shop is stored, not how it behaves.

Money is stored as whole minor units (pence, paise) in integer columns so sums are
exact on SQLite and PostgreSQL alike; the `Money` type turns them back into
`Decimal` amounts. Schema changes go through the Alembic migrations in
`stockcore/migrations`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Text,
    TypeDecorator,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stockcore.domain import CENT

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Money(TypeDecorator[Decimal]):
    """A Decimal amount with 2 decimals, stored as an integer number of minor units."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int((Decimal(value).quantize(CENT) * 100).to_integral_value())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# PostgreSQL only: moved on after every committed write transaction, so that a cache can
# tell the shop changed (stockcore.persistence.data_version). SQLite needs no schema for it.
DATA_VERSION_SEQUENCE = Sequence("data_version", metadata=Base.metadata)


class ProductRow(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("restock_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
        CheckConstraint("min_order_quantity >= 1", name="min_order_at_least_one"),
        CheckConstraint("pack_size >= 1", name="pack_size_at_least_one"),
        CheckConstraint("lead_time_sd_days >= 0", name="lead_time_sd_not_negative"),
        CheckConstraint(
            "service_level > 0 and service_level < 1", name="service_level_between_0_and_1"
        ),
    )

    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(200), index=True)
    unit_price: Mapped[Decimal] = mapped_column("unit_price_minor", Money)
    unit_cost: Mapped[Decimal | None] = mapped_column("unit_cost_minor", Money)
    quantity: Mapped[int] = mapped_column(Integer)
    restock_threshold: Mapped[int] = mapped_column(Integer)
    supplier: Mapped[str | None] = mapped_column(String(200))
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    # What the supplier accepts: at least this many units, in whole packs of pack_size.
    min_order_quantity: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    pack_size: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # How much the supplier's lead time varies from order to order (sd, days); NULL: unknown.
    lead_time_sd_days: Mapped[float | None] = mapped_column(Float)
    # The product's own target cycle service level; NULL: its ABC class's (Settings).
    service_level: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Set when an import created the product (so undoing that import can remove it).
    created_by_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))


class SaleLineRow(Base):
    """One line sold: by a purchase in the shop, or from imported/demo history."""

    __tablename__ = "sale_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_sale_lines_sold_on_product", "sold_on", "product_id"),
        Index("ix_sale_lines_product_sold_on", "product_id", "sold_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"))
    sold_at: Mapped[datetime] = mapped_column(DateTime)
    # The shop-local calendar day of sold_at, kept as a column so reports group by day
    # with the same portable SQL on SQLite and PostgreSQL.
    sold_on: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column("unit_price_minor", Money)
    revenue: Mapped[Decimal] = mapped_column("revenue_minor", Money)
    # "purchase" (sold through stockcore, stock lowered) or "history" (demo or imported).
    source: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[str | None] = mapped_column(String(64))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    # Who bought (from an import's customer column, or the API), when known: a large order
    # of a customer the owner serves from stock is never set aside from the forecasts.
    customer_id: Mapped[str | None] = mapped_column(String(64))
    # Who made it (stockcore.domain.Actor): "user", "api_key", "cli" or "system", its name
    # (kept as text so the row stays readable after an account is deleted) and the
    # account's id. NULL for rows stored before revision 0012: unknown.
    actor_kind: Mapped[str | None] = mapped_column(String(16))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_user_id: Mapped[str | None] = mapped_column(String(36))


class StockMovementRow(Base):
    """The stock ledger: every change of a product's quantity on hand, one row each."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("change <> 0", name="change_not_zero"),
        CheckConstraint("quantity_after >= 0", name="quantity_after_not_negative"),
        Index("ix_stock_movements_product_at", "product_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))
    change: Mapped[int] = mapped_column(Integer)
    quantity_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(200))
    sale_line_id: Mapped[int | None] = mapped_column(ForeignKey("sale_lines.id"))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)
    # Who made it (stockcore.domain.Actor): "user", "api_key", "cli" or "system", its name
    # (kept as text so the row stays readable after an account is deleted) and the
    # account's id. NULL for rows stored before revision 0012: unknown.
    actor_kind: Mapped[str | None] = mapped_column(String(16))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_user_id: Mapped[str | None] = mapped_column(String(36))


class AlertRow(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    quantity_at_raise: Mapped[int] = mapped_column(Integer)
    threshold_at_raise: Mapped[int] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)


# At most one active (not yet resolved) alert of a kind per product, enforced by the
# database as well as by the service.
Index(
    "uq_alerts_one_active",
    AlertRow.product_id,
    AlertRow.kind,
    unique=True,
    sqlite_where=AlertRow.resolved_at.is_(None),
    postgresql_where=AlertRow.resolved_at.is_(None),
)


class ImportBatchRow(Base):
    """One imported file: what it held, what went in, and whether it was undone."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # sales, products, shop_totals
    file_name: Mapped[str] = mapped_column(String(255))
    content_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_imported: Mapped[int] = mapped_column(Integer)
    rows_skipped: Mapped[int] = mapped_column(Integer)
    rows_already_imported: Mapped[int] = mapped_column(Integer)
    non_product_rows: Mapped[int] = mapped_column(Integer)
    new_products: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(BigInteger)
    revenue: Mapped[Decimal] = mapped_column("revenue_minor", Money)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    applied_to_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))  # committed, undone
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class ImportedLineRow(Base):
    """Every order line an import consumed (sold, or cancelled by a return), by its key
    "order|product|n" (the n-th line of that product in that order), so the same order
    line is never imported twice, even from an overlapping file."""

    __tablename__ = "imported_lines"

    source_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    import_batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)


class ProductImportChangeRow(Base):
    """What a product import changed, so undo can put it back (before is NULL: created)."""

    __tablename__ = "product_import_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)


class ShopDailySalesRow(Base):
    """Shop-level sales totals per day (the spec's "date, sales" files), without products."""

    __tablename__ = "shop_daily_sales"

    sold_on: Mapped[date] = mapped_column(Date, primary_key=True)
    sales: Mapped[Decimal] = mapped_column("sales_minor", Money)
    import_batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"), index=True)


class ColumnMappingRow(Base):
    """A column mapping chosen on the Upload page, remembered for that set of headers."""

    __tablename__ = "column_mappings"

    header_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    headers: Mapped[str] = mapped_column(Text)
    mapping: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ServedCustomerRow(Base):
    """A customer whose large orders the owner serves from stock (never set aside)."""

    __tablename__ = "served_customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)


class SettingRow(Base):
    """Shop-wide settings (currency symbol, shop name) as key/value text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class ForecastRunRow(Base):
    """One refresh of the forecasts: when, how far ahead, and how many products."""

    __tablename__ = "forecast_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    first_day: Mapped[date] = mapped_column(Date)
    horizon_days: Mapped[int] = mapped_column(Integer)
    products: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


class ForecastModelRow(Base):
    """The model chosen for a product by the latest refresh, and how it did in backtest."""

    __tablename__ = "forecast_models"

    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id"), index=True)
    model: Mapped[str] = mapped_column(String(100))
    # "own history", "category <name>" or "shop": whose history the forecast comes from.
    basis: Mapped[str] = mapped_column(String(250))
    history_days: Mapped[int] = mapped_column(Integer)
    selling_share: Mapped[float] = mapped_column(Float)
    backtest_windows: Mapped[int] = mapped_column(Integer)
    # Backtest accuracy of the chosen model and of seasonal naive; NULL when not backtested.
    mase: Mapped[float | None] = mapped_column(Float)
    wape: Mapped[float | None] = mapped_column(Float)
    bias: Mapped[float | None] = mapped_column(Float)
    naive_mase: Mapped[float | None] = mapped_column(Float)
    naive_wape: Mapped[float | None] = mapped_column(Float)
    # sd of the chosen model's daily errors in backtest (units): the demand uncertainty
    # that safety stock covers.
    error_sd: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # RMSSE chose the model (MASE above is for information).
    rmsse: Mapped[float | None] = mapped_column(Float)
    naive_rmsse: Mapped[float | None] = mapped_column(Float)
    # The yearly season followed ("category Christmas") and where the product is in it.
    season: Mapped[str | None] = mapped_column(String(250))
    season_phase: Mapped[str | None] = mapped_column(String(500))
    # Why the forecast is not the chosen model's (every model failed...), and the models
    # that failed on this product.
    fallback: Mapped[str | None] = mapped_column(String(1000))
    skipped: Mapped[str | None] = mapped_column(String(2000))
    distribution: Mapped[str | None] = mapped_column(String(50))
    # Large one-off orders left out of the history the forecast learned from
    # (forecasting.large_orders): how many, and their units. NULL before migration 0010.
    set_aside_orders: Mapped[int | None] = mapped_column(Integer)
    set_aside_units: Mapped[int | None] = mapped_column(Integer)
    # The forecast per calendar day from `daily_from` (a JSON list, the predictions'
    # predicted_units in one value: what the reorder list reads). NULL before migration 0016.
    daily_from: Mapped[date | None] = mapped_column(Date)
    daily_units: Mapped[str | None] = mapped_column(Text)


class LeadTimeDemandRow(Base):
    """Quantiles of a product's total demand over its lead time ("lead") and over its lead
    time plus the review period ("lead+review"), from the latest refresh: what the reorder
    rule needs. `days` are calendar days from the refresh day, `trading_days` those the
    shop trades on; `grid` is the whole distribution, for expected shortages."""

    __tablename__ = "lead_time_demand"
    __table_args__ = (CheckConstraint("cover in ('lead', 'lead+review')", name="cover_known"),)

    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"), primary_key=True)
    cover: Mapped[str] = mapped_column(String(20), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    trading_days: Mapped[int] = mapped_column(Integer)
    mean: Mapped[float] = mapped_column(Float)
    q50: Mapped[float] = mapped_column(Float)
    q80: Mapped[float] = mapped_column(Float)
    q90: Mapped[float] = mapped_column(Float)
    q95: Mapped[float] = mapped_column(Float)
    q98: Mapped[float] = mapped_column(Float)
    q99: Mapped[float] = mapped_column(Float)
    q995: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(50))
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id"), index=True)
    # JSON list of 100 floats: the demand quantiles at distribution.GRID_LEVELS,
    # non-decreasing, never negative; NULL for rows stored before revision 0009.
    grid: Mapped[str | None] = mapped_column(Text)


class MadeByRun:
    """The columns of a stored forecast row that say which model and refresh made it, when.

    Declared last in each table that has them (mixin columns follow the class's own)."""

    model: Mapped[str] = mapped_column(String(100))
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PredictionRow(MadeByRun, Base):
    """Predicted units sold per product and day (the spec's Predictions table).

    lower/upper hold the 80% interval, lower_95/upper_95 the 95% one. Days the shop is
    expected to be closed are stored with 0 units."""

    __tablename__ = "predictions"

    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    predicted_units: Mapped[float] = mapped_column(Float)
    lower: Mapped[float] = mapped_column(Float)
    upper: Mapped[float] = mapped_column(Float)
    lower_95: Mapped[float] = mapped_column(Float)
    upper_95: Mapped[float] = mapped_column(Float)


class ShopForecastRow(MadeByRun, Base):
    """The shop's predicted daily sales figure (money, the measure of /get-sales-data's
    `sales`: a recorded shop total where there is one, else the day's sale lines), made by
    a refresh of all forecasts from the shop-level history. lower/upper: the 80% range."""

    __tablename__ = "shop_forecasts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    predicted_sales: Mapped[float] = mapped_column(Float)
    lower: Mapped[float] = mapped_column(Float)
    upper: Mapped[float] = mapped_column(Float)


class LeaseRow(Base):
    """A lease on one kind of work that must not run twice at once (name "forecasts": a
    forecast refresh), shared by every process on the database. Free when holder is NULL
    or expires_at (UTC) has passed, so a crashed holder blocks nobody for long."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(36))
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)


class PurchaseOrderRow(Base):
    """An order to one supplier: open until it is received (or cancelled)."""

    __tablename__ = "purchase_orders"
    __table_args__ = (
        CheckConstraint("status in ('open', 'received', 'cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expected_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)


class PurchaseOrderLineRow(Base):
    """One product on a purchase order: units ordered and, so far, received (partial
    receipts add up; the rest is on order while the order is open)."""

    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "received_quantity >= 0 and received_quantity <= quantity",
            name="received_within_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost: Mapped[Decimal | None] = mapped_column("unit_cost_minor", Money)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserRow(Base):
    """An account for the dashboard and the API. Only an argon2 hash of the password is kept.

    id is a UUID in its canonical text form; username and email are stored lower case, so
    both are unique regardless of case.
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role in ('owner', 'manager', 'staff')", name="role_known"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # A disabled account cannot sign in, and its tokens and sessions stop working at once.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Raised to end every token and dashboard session of the account (sign out everywhere,
    # a password change, disabling, a lower role): only those carrying this number work.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RevokedTokenRow(Base):
    """A token signed out before it expired (POST /logout), by its jti; kept until the
    token would have expired anyway, then pruned."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    # UTC, without a time zone: when the token would have expired.
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    revoked_at: Mapped[datetime] = mapped_column(DateTime)


class InvitationRow(Base):
    """A one-time code the owner gives someone to open an account with a role.

    Only the code's SHA-256 is kept, and its first characters (`prefix`) to tell codes
    apart; `used_by` and `created_by` are cleared if that account is deleted.
    """

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("role in ('owner', 'manager', 'staff')", name="role_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    used_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ApiKeyRow(Base):
    """A key for a storefront or a script, limited to its scopes (space-separated).

    Only the key's SHA-256 is kept, and its first characters (`prefix`) to recognise it.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class IdempotencyKeyRow(Base):
    """The first answer to a request that carried an idempotency key (an Idempotency-Key
    header or an order id), written in the same transaction as the request's work, so a
    retry gets the same answer and changes nothing. The primary key makes a concurrent
    retry wait for the first and then fail, so the work is never done twice."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LoginFailureRow(Base):
    """A failed sign-in (or one whose password is still being checked), for the login
    throttle that every process shares. Rows older than the throttle's window are pruned.

    account is the account's id, or the lower-cased name typed when no account has it;
    address is the client's address as the interface resolved it ("" when unknown).
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_failed_at", "account", "failed_at"),
        Index("ix_login_failures_address_failed_at", "address", "failed_at"),
        Index("ix_login_failures_failed_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(DateTime)
