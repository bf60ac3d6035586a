"""Use cases: one function per thing a user does, each one transaction.

Pages, the CLI and (later) the REST API call these and nothing else. Each takes
the `Database` to work on and, where time matters, a `clock`, so tests can pass
their own. Each either does all of its work or, raising a `StockcoreError`,
none of it.

Every change of stock locks the product's row first (SELECT ... FOR UPDATE on
PostgreSQL; BEGIN IMMEDIATE holds SQLite's write lock), lets the domain decide,
then writes the new quantity and exactly one ledger row. Two buyers can never
both take the last unit, and a CHECK constraint refuses negative stock as a
last line of defence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stockcore.domain import (
    MAX_QUANTITY,
    AlertAction,
    AlertKind,
    AlertStatus,
    Clock,
    Conflict,
    DuplicateProduct,
    InvalidValue,
    MovementKind,
    Product,
    Sale,
    StockcoreError,
    UnknownAlert,
    UnknownProduct,
    is_blank,
    lead_time_message,
    local_now,
    parse_customer_id,
    parse_fraction,
    parse_money,
    parse_product_id,
    parse_quantity,
    parse_service_level,
    parse_text,
    parse_whole_number,
    restock_alert_action,
    restock_message,
)
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    AlertRow,
    ColumnMappingRow,
    ForecastModelRow,
    ForecastRunRow,
    ImportBatchRow,
    ImportedLineRow,
    LeadTimeDemandRow,
    PredictionRow,
    ProductImportChangeRow,
    ProductRow,
    PurchaseOrderLineRow,
    PurchaseOrderRow,
    SaleLineRow,
    SettingRow,
    ShopDailySalesRow,
    StockMovementRow,
)
from stockcore.replenishment.levels import runs_out_before_delivery

UNCHANGED: object = object()  # an optional setting left as it is


# --- Results handed back to pages and the CLI -------------------------------------------------


@dataclass(frozen=True)
class RaisedAlert:
    alert_id: int
    product_id: str
    name: str
    quantity: int
    restock_threshold: int

    @property
    def message(self) -> str:
        return restock_message(self.product_id, self.name, self.quantity, self.restock_threshold)


@dataclass(frozen=True)
class PurchaseResult:
    product: Product
    sale: Sale
    sale_line_id: int
    sold_at: datetime
    alert: RaisedAlert | None
    # The sale left less than the forecast sells before a new order could arrive.
    runs_out_before_delivery: bool = False

    @property
    def lead_time_message(self) -> str | None:
        return lead_time_message(self.product) if self.runs_out_before_delivery else None


@dataclass(frozen=True)
class StockChange:
    product: Product
    change: int
    alert: RaisedAlert | None
    alert_resolved: bool


# --- Mapping rows to the domain ---------------------------------------------------------------


def to_product(row: ProductRow) -> Product:
    return Product(
        product_id=row.product_id,
        name=row.name,
        category=row.category,
        unit_price=row.unit_price,
        quantity=row.quantity,
        restock_threshold=row.restock_threshold,
        unit_cost=row.unit_cost,
        supplier=row.supplier,
        lead_time_days=row.lead_time_days,
        min_order_quantity=row.min_order_quantity,
        pack_size=row.pack_size,
        lead_time_sd_days=row.lead_time_sd_days,
        service_level=row.service_level,
    )


def _lock_product(session: Session, product_id: str) -> ProductRow:
    row = session.get(ProductRow, product_id, with_for_update=True)
    if row is None:
        raise UnknownProduct(product_id)
    return row


def _record_movement(
    session: Session,
    product: Product,
    kind: MovementKind,
    change: int,
    at: datetime,
    *,
    reason: str | None = None,
    sale_line_id: int | None = None,
    import_batch_id: int | None = None,
) -> None:
    session.add(
        StockMovementRow(
            product_id=product.product_id,
            at=at,
            kind=kind.value,
            change=change,
            quantity_after=product.quantity,
            reason=reason,
            sale_line_id=sale_line_id,
            import_batch_id=import_batch_id,
        )
    )


def _sync_restock_alert(
    session: Session, product: Product, at: datetime
) -> tuple[RaisedAlert | None, bool]:
    """Raise or resolve the product's restock alert. Returns (raised alert, resolved?)."""
    active = session.scalars(
        select(AlertRow).where(
            AlertRow.product_id == product.product_id,
            AlertRow.kind == AlertKind.BELOW_THRESHOLD.value,
            AlertRow.resolved_at.is_(None),
        )
    ).one_or_none()
    action = restock_alert_action(product, has_active_alert=active is not None)
    if action is AlertAction.RAISE:
        row = AlertRow(
            product_id=product.product_id,
            kind=AlertKind.BELOW_THRESHOLD.value,
            status=AlertStatus.OPEN.value,
            raised_at=at,
            quantity_at_raise=product.quantity,
            threshold_at_raise=product.restock_threshold,
        )
        session.add(row)
        session.flush()
        raised = RaisedAlert(
            row.id, product.product_id, product.name, product.quantity, product.restock_threshold
        )
        return raised, False
    if action is AlertAction.RESOLVE and active is not None:
        active.status = AlertStatus.RESOLVED.value
        active.resolved_at = at
        return None, True
    return None, False


# --- Products -----------------------------------------------------------------------------------


def insert_product(
    session: Session, product: Product, now: datetime, *, batch_id: int | None = None
) -> None:
    """Add a product with its opening stock as one ledger row, and alert if it starts low.

    batch_id marks a product created by an import (so undoing the import can remove it).
    """
    if session.get(ProductRow, product.product_id) is not None:
        raise DuplicateProduct(product.product_id)
    session.add(
        ProductRow(
            product_id=product.product_id,
            name=product.name,
            category=product.category,
            unit_price=product.unit_price,
            unit_cost=product.unit_cost,
            quantity=product.quantity,
            restock_threshold=product.restock_threshold,
            supplier=product.supplier,
            lead_time_days=product.lead_time_days,
            min_order_quantity=product.min_order_quantity,
            pack_size=product.pack_size,
            lead_time_sd_days=product.lead_time_sd_days,
            service_level=product.service_level,
            created_at=now,
            created_by_batch_id=batch_id,
        )
    )
    session.flush()
    if product.quantity > 0:
        reason = "opening stock" if batch_id is None else f"opening stock, import batch {batch_id}"
        _record_movement(
            session,
            product,
            MovementKind.OPENING,
            product.quantity,
            now,
            reason=reason,
            import_batch_id=batch_id,
        )
    _sync_restock_alert(session, product, now)


def add_product(db: Database, product: Product, *, clock: Clock = local_now) -> Product:
    """Add a new product with its opening stock (one ledger row). Refuses a duplicate id.

    A product created below its threshold gets its restock alert at once.
    """
    now = clock()
    try:
        with db.write() as session:
            insert_product(session, product, now)
    except IntegrityError:
        # Another writer added the same id between our check and our insert.
        raise DuplicateProduct(product.product_id) from None
    return product


EDITABLE_FIELDS = (
    "name",
    "category",
    "unit_price",
    "unit_cost",
    "restock_threshold",
    "supplier",
    "lead_time_days",
    "min_order_quantity",
    "pack_size",
    "lead_time_sd_days",
    "service_level",
)


def update_products(
    db: Database,
    edits: Mapping[str, Mapping[str, object]],
    *,
    clock: Clock = local_now,
) -> list[Product]:
    """Save edits to several products at once: all of them or, on any bad value, none.

    `edits` maps a product id to {field: new value}. Quantity on hand is not editable
    here: it changes only through sales, receipts and adjustments, so the ledger holds.
    A changed threshold raises or resolves the product's restock alert at once.
    """
    now = clock()
    saved: list[Product] = []
    with db.write() as session:
        for raw_id, changes in edits.items():
            product_id = parse_product_id(raw_id)
            unknown = set(changes) - set(EDITABLE_FIELDS)
            if unknown:
                field = sorted(unknown)[0]
                raise InvalidValue(
                    field.replace("_", " "), changes[field], f"cannot be edited for {product_id}"
                )
            row = _lock_product(session, product_id)
            current = to_product(row)
            merged = {
                **{field: getattr(current, field) for field in EDITABLE_FIELDS if field != "name"},
                "quantity": current.quantity,
                **{key: value for key, value in changes.items() if key != "name"},
            }
            try:
                edited = Product.create(product_id, changes.get("name", current.name), **merged)
            except InvalidValue as error:
                raise InvalidValue(
                    f"{product_id} {error.field}", error.value, error.reason
                ) from None
            for field in EDITABLE_FIELDS:
                setattr(row, field, getattr(edited, field))
            _sync_restock_alert(session, edited, now)
            saved.append(edited)
    return saved


# --- Stock --------------------------------------------------------------------------------------


def purchase(
    db: Database,
    product_id: object,
    quantity: object,
    *,
    customer_id: object = None,
    clock: Clock = local_now,
) -> PurchaseResult:
    """A customer buys `quantity` units: record the sale line, lower stock, alert if low.
    `customer_id` (optional) says who bought, for the large-order rule.

    Refuses an unknown product, a quantity that is not a whole number of at least 1,
    more than is on hand, and a malformed customer id; a refusal changes nothing.
    """
    units = parse_quantity(quantity)
    pid = parse_product_id(product_id)
    customer = (
        None
        if customer_id is None or (isinstance(customer_id, str) and not customer_id.strip())
        else parse_customer_id(customer_id)
    )
    now = clock()
    with db.write() as session:
        row = _lock_product(session, pid)
        after, sale = to_product(row).sell(units)
        row.quantity = after.quantity
        line = SaleLineRow(
            product_id=pid,
            sold_at=now,
            sold_on=now.date(),
            quantity=sale.quantity,
            unit_price=sale.unit_price,
            revenue=sale.revenue,
            source="purchase",
            customer_id=customer,
        )
        session.add(line)
        session.flush()
        _record_movement(session, after, MovementKind.SALE, -units, now, sale_line_id=line.id)
        alert, _ = _sync_restock_alert(session, after, now)
        raised, _ = sync_lead_time_alerts_in(session, [after], now)
        return PurchaseResult(after, sale, line.id, now, alert, bool(raised))


def receive_stock(
    db: Database,
    product_id: object,
    quantity: object,
    *,
    reason: str | None = None,
    clock: Clock = local_now,
) -> StockChange:
    """Units arrive from the supplier. Resolves the restock alert once stock is back up."""
    units = parse_quantity(quantity)
    pid = parse_product_id(product_id)
    note = reason.strip() if reason and reason.strip() else None
    now = clock()
    with db.write() as session:
        return receive_in(session, pid, units, now, reason=note)


def receive_in(
    session: Session, product_id: str, units: int, now: datetime, *, reason: str | None
) -> StockChange:
    """Receive units inside a caller's transaction: row lock, ledger row, alert sync."""
    row = _lock_product(session, product_id)
    after = to_product(row).receive(units)
    row.quantity = after.quantity
    _record_movement(session, after, MovementKind.RECEIPT, units, now, reason=reason)
    alert, resolved = _sync_restock_alert(session, after, now)
    sync_lead_time_alerts_in(session, [after], now)
    return StockChange(after, units, alert, resolved)


def adjust_stock(
    db: Database,
    product_id: object,
    *,
    reason: object,
    change: object | None = None,
    counted: object | None = None,
    clock: Clock = local_now,
) -> StockChange:
    """A manual correction with a reason: either a signed `change` or a stocktake `counted`.

    Stock can never go below zero. A count equal to what is on hand changes nothing
    and is refused, so the ledger holds only real changes.
    """
    why = parse_text(reason, "reason")
    pid = parse_product_id(product_id)
    if (change is None) == (counted is None):
        raise InvalidValue("adjustment", change, "give either a change or a counted quantity")
    now = clock()
    with db.write() as session:
        row = _lock_product(session, pid)
        current = to_product(row)
        if counted is not None:
            delta = parse_whole_number(counted, "counted quantity") - current.quantity
            if delta == 0:
                raise InvalidValue(
                    "counted quantity", counted, f"equals what is on hand for {pid}; no change"
                )
        else:
            delta = parse_whole_number(change, "change", minimum=-MAX_QUANTITY)
        after = current.adjust(delta)
        row.quantity = after.quantity
        _record_movement(session, after, MovementKind.ADJUSTMENT, delta, now, reason=why)
        alert, resolved = _sync_restock_alert(session, after, now)
        sync_lead_time_alerts_in(session, [after], now)
        return StockChange(after, delta, alert, resolved)


# --- Alerts -------------------------------------------------------------------------------------


def open_arrivals(
    session: Session, product_ids: Sequence[str] | None = None
) -> dict[str, list[tuple[date, int]]]:
    """Per product (all, or these), units on open purchase orders by expected day."""
    query = (
        select(
            PurchaseOrderLineRow.product_id,
            PurchaseOrderRow.expected_on,
            func.sum(PurchaseOrderLineRow.quantity),
        )
        .join(PurchaseOrderRow, PurchaseOrderRow.id == PurchaseOrderLineRow.order_id)
        .where(PurchaseOrderRow.status == "open")
        .group_by(PurchaseOrderLineRow.product_id, PurchaseOrderRow.expected_on)
        .order_by(PurchaseOrderLineRow.product_id, PurchaseOrderRow.expected_on)
    )
    if product_ids is not None:
        query = query.where(PurchaseOrderLineRow.product_id.in_(list(product_ids)))
    expected: dict[str, list[tuple[date, int]]] = {}
    for product_id, day, units in session.execute(query):
        expected.setdefault(product_id, []).append((day, int(units)))
    return expected


def lead_time_shortfalls(
    session: Session, products: Sequence[Product], today: date
) -> dict[str, int]:
    """The products whose forecast uses up their stock on hand and on order before an
    order placed today could arrive, with the units forecast over their lead time.
    Products without a stored forecast are never short."""
    ids = [product.product_id for product in products]
    if not ids:
        return {}
    horizon = today + timedelta(days=max(max(1, p.lead_time_days) for p in products))
    forecast: dict[str, tuple[list[date], list[float]]] = {}
    for product_id, day, units in session.execute(
        select(PredictionRow.product_id, PredictionRow.day, PredictionRow.predicted_units)
        .where(
            PredictionRow.product_id.in_(ids),
            PredictionRow.day >= today,
            PredictionRow.day < horizon,
        )
        .order_by(PredictionRow.product_id, PredictionRow.day)
    ):
        days, values = forecast.setdefault(product_id, ([], []))
        days.append(day)
        values.append(float(units))
    arriving = open_arrivals(session, ids)
    short: dict[str, int] = {}
    for product in products:
        days, values = forecast.get(product.product_id, ([], []))
        if days and runs_out_before_delivery(
            product.quantity, days, values, arriving.get(product.product_id, []),
            lead_time_days=product.lead_time_days, today=today,
        ):  # fmt: skip
            short[product.product_id] = round(sum(values[: max(1, product.lead_time_days)]))
    return short


def sync_lead_time_alerts_in(
    session: Session, products: Sequence[Product], now: datetime
) -> tuple[list[str], list[str]]:
    """Raise a "runs out before a new order could arrive" alert for each of these products
    that will, and resolve the ones that no longer will. Returns (raised, resolved) ids."""
    short = lead_time_shortfalls(session, products, now.date())
    kind = AlertKind.RUNS_OUT_BEFORE_DELIVERY.value
    active = {
        row.product_id: row
        for row in session.scalars(
            select(AlertRow).where(
                AlertRow.kind == kind,
                AlertRow.resolved_at.is_(None),
                AlertRow.product_id.in_([p.product_id for p in products]),
            )
        )
    }
    raised: list[str] = []
    resolved: list[str] = []
    for product in products:
        pid = product.product_id
        if pid in short and pid not in active:
            session.add(
                AlertRow(
                    product_id=pid, kind=kind, status=AlertStatus.OPEN.value, raised_at=now,
                    quantity_at_raise=product.quantity, threshold_at_raise=short[pid],
                )
            )  # fmt: skip
            raised.append(pid)
        elif pid not in short and pid in active:
            active[pid].status = AlertStatus.RESOLVED.value
            active[pid].resolved_at = now
            resolved.append(pid)
    session.flush()
    return raised, resolved


def acknowledge_alerts(
    db: Database, alert_ids: Iterable[object], *, clock: Clock = local_now
) -> int:
    """Mark open alerts as seen. They stay active until the stock is back up."""
    ids = [parse_whole_number(value, "alert id", minimum=1, maximum=2**62) for value in alert_ids]
    if not ids:
        return 0
    now = clock()
    with db.write() as session:
        found = set(session.scalars(select(AlertRow.id).where(AlertRow.id.in_(ids))))
        missing = [alert_id for alert_id in ids if alert_id not in found]
        if missing:
            raise UnknownAlert(missing[0])
        result = session.execute(
            update(AlertRow)
            .where(AlertRow.id.in_(ids), AlertRow.status == AlertStatus.OPEN.value)
            .values(status=AlertStatus.ACKNOWLEDGED.value, acknowledged_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)


# --- History and settings -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    """One line of past sales (from the demo shop or an import): history, not stock."""

    sold_on: date
    product_id: str
    quantity: int
    unit_price: Decimal
    order_id: str | None = None
    customer_id: str | None = None


def _insert_history(session: Session, lines: Iterable[HistoryLine], chunk_size: int) -> int:
    rows = [
        {
            "product_id": line.product_id,
            "sold_at": datetime.combine(line.sold_on, datetime.min.time()),
            "sold_on": line.sold_on,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "revenue": (line.unit_price * line.quantity).quantize(Decimal("0.01")),
            "source": "history",
            "order_id": line.order_id,
            "customer_id": line.customer_id,
        }
        for line in lines
    ]
    for start in range(0, len(rows), chunk_size):
        session.execute(insert(SaleLineRow), rows[start : start + chunk_size])
    return len(rows)


def record_history(db: Database, lines: Iterable[HistoryLine], *, chunk_size: int = 5000) -> int:
    """Store past sales lines for reports and forecasts. They do not change stock on hand."""
    with db.write() as session:
        return _insert_history(session, lines, chunk_size)


def seed_shop(
    db: Database,
    products: Iterable[Product],
    history: Iterable[HistoryLine],
    *,
    currency_symbol: str,
    shop_name: str,
    clock: Clock = local_now,
) -> int:
    """Fill an empty shop (the demo shop) in one transaction: products with their opening
    stock, their past sales, and the shop's settings. Returns the number of history lines."""
    now = clock()
    with db.write() as session:
        if session.scalars(select(ProductRow.product_id).limit(1)).first() is not None:
            raise Conflict("the shop already has products; the demo needs an empty shop")
        for product in products:
            insert_product(session, product, now)
        count = _insert_history(session, history, chunk_size=5000)
        session.merge(SettingRow(key=CURRENCY_SYMBOL, value=currency_symbol))
        session.merge(SettingRow(key=SHOP_NAME, value=shop_name))
    return count


CURRENCY_SYMBOL = "currency_symbol"
SHOP_NAME = "shop_name"
HOLIDAY_COUNTRY = "holiday_country"
SERVICE_LEVEL_A, SERVICE_LEVEL_B, SERVICE_LEVEL_C = (
    "service_level_a",
    "service_level_b",
    "service_level_c",
)
ORDERING_COST = "ordering_cost"
HOLDING_RATE = "holding_rate"
DEFAULT_SERVICE_LEVEL = "0.95"
DEFAULT_SETTINGS = {
    CURRENCY_SYMBOL: "£",
    SHOP_NAME: "My shop",
    HOLIDAY_COUNTRY: "",
    SERVICE_LEVEL_A: DEFAULT_SERVICE_LEVEL,
    SERVICE_LEVEL_B: DEFAULT_SERVICE_LEVEL,
    SERVICE_LEVEL_C: DEFAULT_SERVICE_LEVEL,
    ORDERING_COST: "",
    HOLDING_RATE: "",
}


@dataclass(frozen=True)
class ShopSettings:
    currency_symbol: str
    shop_name: str
    holiday_country: str = ""  # ISO country code whose public holidays Prophet learns; "" = none
    # Target cycle service level per ABC class, for products without their own.
    service_level_a: float = 0.95
    service_level_b: float = 0.95
    service_level_c: float = 0.95
    # EOQ: what placing one order costs, and holding stock per year as a share of its cost.
    # Orders are sized by EOQ only when both are set.
    ordering_cost: Decimal | None = None
    holding_rate: float | None = None

    def service_level_for(self, abc: str) -> float:
        """The service level of an ABC class (A, B or C)."""
        return {"A": self.service_level_a, "B": self.service_level_b}.get(abc, self.service_level_c)

    def money(self, amount: Decimal | float | int, *, pence: bool = True) -> str:
        """Format an amount for people: £1,234.50, or £1,235 with pence=False (headline KPIs)."""
        exponent = Decimal("0.01") if pence else Decimal("1")
        return f"{self.currency_symbol}{Decimal(str(amount)).quantize(exponent):,}"


def parse_holiday_country(value: object) -> str:
    """An ISO 3166 country code the holidays calendar knows (GB, US, DE...), or "" for none."""
    import holidays

    if value is None or (isinstance(value, str) and value.strip().upper() in ("", "NONE")):
        return ""
    code = parse_text(value, "holiday country", max_length=3).upper()
    if code not in holidays.list_supported_countries():
        raise InvalidValue(
            "holiday country", value, "is not a country code the holiday calendar knows (e.g. GB)"
        )
    return code


def parse_holding_rate(value: object) -> float | None:
    """The yearly cost of holding stock as a share of its cost: 0.25 or "25%"; blank: none."""
    if is_blank(value):
        return None
    rate = parse_fraction(value, "holding rate")
    if not 0 < rate <= 1:
        raise InvalidValue(
            "holding rate", value, "must be more than 0 and at most 1 a year (e.g. 0.25 or 25%)"
        )
    return rate


def parse_ordering_cost(value: object) -> Decimal | None:
    """What placing one order costs (delivery, admin); blank or 0: not set."""
    if is_blank(value):
        return None
    cost = parse_money(value, "ordering cost")
    return cost if cost > 0 else None


def get_settings(db: Database) -> ShopSettings:
    with db.read() as session:
        stored = {row.key: row.value for row in session.scalars(select(SettingRow))}
    values = {**DEFAULT_SETTINGS, **stored}
    return ShopSettings(
        values[CURRENCY_SYMBOL],
        values[SHOP_NAME],
        values[HOLIDAY_COUNTRY],
        service_level_a=float(values[SERVICE_LEVEL_A]),
        service_level_b=float(values[SERVICE_LEVEL_B]),
        service_level_c=float(values[SERVICE_LEVEL_C]),
        ordering_cost=Decimal(values[ORDERING_COST]) if values[ORDERING_COST] else None,
        holding_rate=float(values[HOLDING_RATE]) if values[HOLDING_RATE] else None,
    )


def update_settings(
    db: Database,
    *,
    currency_symbol: object = None,
    shop_name: object = None,
    holiday_country: object = None,
    service_levels: Mapping[str, object] | None = None,
    ordering_cost: object = UNCHANGED,
    holding_rate: object = UNCHANGED,
) -> ShopSettings:
    """Save the given settings (None / UNCHANGED: leave as is), all or none.
    `service_levels` maps an ABC class to its service level. An ordering cost or a
    holding rate given as blank clears it."""
    changes: dict[str, str] = {}
    if holiday_country is not None:
        changes[HOLIDAY_COUNTRY] = parse_holiday_country(holiday_country)
    for abc, level in (service_levels or {}).items():
        key = {"A": SERVICE_LEVEL_A, "B": SERVICE_LEVEL_B, "C": SERVICE_LEVEL_C}.get(abc)
        if key is None:
            raise InvalidValue("ABC class", abc, "must be A, B or C")
        changes[key] = repr(parse_service_level(level, f"service level of class {abc}"))
    if ordering_cost is not UNCHANGED:
        cost = parse_ordering_cost(ordering_cost)
        changes[ORDERING_COST] = "" if cost is None else str(cost)
    if holding_rate is not UNCHANGED:
        rate = parse_holding_rate(holding_rate)
        changes[HOLDING_RATE] = "" if rate is None else repr(rate)
    if currency_symbol is not None:
        changes[CURRENCY_SYMBOL] = parse_text(currency_symbol, "currency symbol", max_length=8)
    if shop_name is not None:
        changes[SHOP_NAME] = parse_text(shop_name, "shop name", max_length=100)
    with db.write() as session:
        for key, value in changes.items():
            row = session.get(SettingRow, key)
            if row is None:
                session.add(SettingRow(key=key, value=value))
            else:
                row.value = value
    return get_settings(db)


def erase_shop(db: Database) -> None:
    """Delete every product, sale, movement, alert, import, forecast, purchase order and
    setting: an empty shop, same schema (a file imported before imports again)."""
    with db.write() as session:
        for model in (
            PurchaseOrderLineRow,
            PurchaseOrderRow,
            PredictionRow,
            ForecastModelRow,
            LeadTimeDemandRow,
            ForecastRunRow,
            StockMovementRow,
            AlertRow,
            SaleLineRow,
            ImportedLineRow,
            ProductImportChangeRow,
            ShopDailySalesRow,
            ProductRow,
            ImportBatchRow,
            ColumnMappingRow,
            SettingRow,
        ):
            session.execute(delete(model))


__all__ = [
    "EDITABLE_FIELDS",
    "Clock",
    "HistoryLine",
    "PurchaseResult",
    "RaisedAlert",
    "ShopSettings",
    "StockChange",
    "StockcoreError",
    "acknowledge_alerts",
    "add_product",
    "adjust_stock",
    "erase_shop",
    "get_settings",
    "local_now",
    "purchase",
    "receive_stock",
    "record_history",
    "seed_shop",
    "to_product",
    "update_products",
    "update_settings",
]
