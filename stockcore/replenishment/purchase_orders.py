"""Purchase orders: created from the reorder list, one per supplier, and read back (one,
a list by status or overdue, the units still to come per product). Each use case is one
transaction. Receiving and closing them is `receiving`; what the supplier gets, `order_files`.

* number: `PO-000123`, from the order's id; every interface shows it, and accepts it (or
  the bare id) back;
* money: each line's unit cost (the product's when ordered) and line total; the order's
  total in the shop's currency (unknown while a line has no unit cost);
* receipts: some or all of each line's units; what is not received yet stays on order
  while the order is open. The order is received once every line is; closing it early
  cancels the rest (it is cancelled if nothing came, else received short);
* overdue: an open order whose expected day has passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from sqlalchemy import ColumnElement, and_, select

from stockcore.domain import (
    MAX_ROW_ID,
    Clock,
    Invalid,
    InvalidValue,
    NotFound,
    OrderStatus,
    UnknownProduct,
    counted,
    local_now,
    parse_quantity,
)
from stockcore.inventory import open_arrivals
from stockcore.persistence.db import Database
from stockcore.persistence.models import ProductRow, PurchaseOrderLineRow, PurchaseOrderRow

if TYPE_CHECKING:
    from stockcore.inventory import ShopSettings

NO_SUPPLIER: Final = "(no supplier)"
NUMBER_PREFIX: Final = "PO-"
MAX_ORDER_ID: Final = MAX_ROW_ID
OVERDUE: Final = "overdue"  # a status filter: open orders whose expected day has passed


def order_number(order_id: int) -> str:
    """The number an order is known by: PO-000123 for id 123."""
    return f"{NUMBER_PREFIX}{order_id:06d}"


class UnknownPurchaseOrder(NotFound):
    def __init__(self, order_id: object) -> None:
        shown = order_number(order_id) if isinstance(order_id, int) else repr(order_id)
        super().__init__(f"purchase order {shown} does not exist")


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    name: str
    quantity: int  # units ordered
    unit_cost: Decimal | None  # in the shop's currency; None: the product had none
    received: int = 0  # units received so far

    @property
    def outstanding(self) -> int:
        """Units not received yet (on order while the order is open)."""
        return self.quantity - self.received

    @property
    def line_total(self) -> Decimal | None:
        """Units ordered times the unit cost (None without a unit cost)."""
        if self.unit_cost is None:
            return None
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PurchaseOrder:
    order_id: int
    supplier: str
    status: OrderStatus
    created_at: datetime
    expected_on: date
    closed_at: datetime | None
    lines: list[OrderLine]
    days_late: int = 0  # days past its expected day while open (as of the day it was read)

    @property
    def number(self) -> str:
        return order_number(self.order_id)

    @property
    def ordered_on(self) -> date:
        return self.created_at.date()

    @property
    def units(self) -> int:
        """Units ordered."""
        return sum(line.quantity for line in self.lines)

    @property
    def received_units(self) -> int:
        return sum(line.received for line in self.lines)

    @property
    def outstanding_units(self) -> int:
        """Units still on order: none once the order is closed."""
        if self.status is not OrderStatus.OPEN:
            return 0
        return sum(line.outstanding for line in self.lines)

    @property
    def total(self) -> Decimal | None:
        """The order's value at its unit costs, in the shop's currency; None while a line
        has no unit cost (`priced_total` then gives the lines that have one)."""
        if self.unpriced_lines:
            return None
        return self.priced_total

    @property
    def priced_total(self) -> Decimal:
        return sum((line.line_total or Decimal(0) for line in self.lines), Decimal("0.00"))

    @property
    def unpriced_lines(self) -> int:
        return sum(line.unit_cost is None for line in self.lines)

    @property
    def overdue(self) -> bool:
        return self.days_late > 0

    @property
    def state(self) -> str:
        """Where the order stands, in words: open, partly received, overdue (and partly
        received, overdue), received, closed short (received in part, the rest cancelled),
        cancelled."""
        if self.status is OrderStatus.OPEN:
            words = "partly received" if self.received_units else "open"
            return f"{words}, overdue" if self.overdue else words
        if self.status is OrderStatus.RECEIVED and self.received_units < self.units:
            return "closed short"
        return self.status.value

    def total_text(self, shop: ShopSettings) -> str:
        """The total in the shop's currency, saying which lines it leaves out."""
        if not self.lines:
            return shop.money(0)
        if self.unpriced_lines == len(self.lines):
            return "no unit costs"
        text = shop.money(self.priced_total)
        if self.unpriced_lines:
            text += f" + {counted(self.unpriced_lines, 'line')} without a unit cost"
        return text

    def late_note(self) -> str:
        """The overdue warning ('' for an order that is not overdue)."""
        if not self.overdue:
            return ""
        return (
            f"{self.number} from {self.supplier} is overdue: expected on "
            f"{self.expected_on:%a %d %b %Y} ({counted(self.days_late, 'day')} ago), "
            f"{self.outstanding_units:,} units still to come. Chase the supplier, receive "
            "what came, or close the order."
        )


def parse_order_id(value: object) -> int:
    """An order by its number: PO-000123, #123 or 123."""
    text = str(value).strip().upper()
    digits = text.removeprefix(NUMBER_PREFIX).removeprefix("#").strip()
    if not digits.isdigit() or not 1 <= int(digits) <= MAX_ORDER_ID or isinstance(value, bool):
        raise InvalidValue("purchase order", value, "is not an order number (e.g. PO-000123)")
    return int(digits)


def create_purchase_orders(
    db: Database, quantities: Mapping[str, object], *, clock: Clock = local_now
) -> list[PurchaseOrder]:
    """One open purchase order per supplier for the given units per product, at each
    product's unit cost, expected after the slowest line's lead time. Lines with 0 units
    are left out; anything else that is not a whole positive number is refused."""
    wanted: dict[str, int] = {}
    for product_id, quantity in quantities.items():
        if str(quantity).strip() in ("0", ""):
            continue
        wanted[product_id] = parse_quantity(quantity, f"order quantity of {product_id}")
    if not wanted:
        raise Invalid("nothing to order: every quantity is 0")
    now = clock()
    with db.write() as session:
        products = {
            row.product_id: row
            for row in session.scalars(
                select(ProductRow).where(ProductRow.product_id.in_(list(wanted)))
            )
        }
        missing = [pid for pid in wanted if pid not in products]
        if missing:
            raise UnknownProduct(missing[0])
        by_supplier: dict[str, list[str]] = {}
        for product_id in wanted:
            supplier = products[product_id].supplier or NO_SUPPLIER
            by_supplier.setdefault(supplier, []).append(product_id)
        ids = []
        for supplier, members in sorted(by_supplier.items()):
            lead_time = max(products[pid].lead_time_days for pid in members)
            order = PurchaseOrderRow(
                supplier=supplier,
                status=OrderStatus.OPEN.value,
                created_at=now,
                expected_on=now.date() + timedelta(days=lead_time),
                closed_at=None,
            )
            session.add(order)
            session.flush()
            session.add_all(
                PurchaseOrderLineRow(
                    order_id=order.id,
                    product_id=pid,
                    quantity=wanted[pid],
                    unit_cost=products[pid].unit_cost,
                    received_quantity=0,
                )
                for pid in members
            )
            ids.append(order.id)
    return [purchase_order(db, order_id, today=now.date()) for order_id in ids]


def purchase_order(db: Database, order_id: object, *, today: date | None = None) -> PurchaseOrder:
    """One order by its number (overdue as of `today`, default the shop's today)."""
    number = parse_order_id(order_id)
    orders = _load(db, PurchaseOrderRow.id == number, today)
    if not orders:
        raise UnknownPurchaseOrder(number)
    return orders[0]


ORDER_FILTERS: Final = (*(status.value for status in OrderStatus), OVERDUE)


def purchase_orders(
    db: Database, *, status: str | None = None, today: date | None = None
) -> list[PurchaseOrder]:
    """Purchase orders, newest first: all, those with a status (open, received,
    cancelled), or the overdue ones (open, expected before `today`, default the shop's
    today)."""
    day = today or local_now().date()
    where: ColumnElement[bool] | None = None
    if status == OVERDUE:
        where = and_(
            PurchaseOrderRow.status == OrderStatus.OPEN.value, PurchaseOrderRow.expected_on < day
        )
    elif status is not None:
        if status not in ORDER_FILTERS:
            raise InvalidValue("status", status, f"is not one of {', '.join(ORDER_FILTERS)}")
        where = PurchaseOrderRow.status == status
    return _load(db, where, day)


def _load(
    db: Database, where: ColumnElement[bool] | None, today: date | None
) -> list[PurchaseOrder]:
    """Orders matching `where` (all if None) with their lines: two queries in all."""
    day = today or local_now().date()
    orders_query = select(PurchaseOrderRow).order_by(PurchaseOrderRow.id.desc())
    lines_query = (
        select(PurchaseOrderLineRow, ProductRow.name)
        .join(ProductRow, ProductRow.product_id == PurchaseOrderLineRow.product_id)
        .join(PurchaseOrderRow, PurchaseOrderRow.id == PurchaseOrderLineRow.order_id)
        .order_by(PurchaseOrderLineRow.product_id)
    )
    if where is not None:
        orders_query = orders_query.where(where)
        lines_query = lines_query.where(where)
    with db.read() as session:
        orders = session.scalars(orders_query).all()
        by_order: dict[int, list[OrderLine]] = {}
        for line, name in session.execute(lines_query):
            by_order.setdefault(line.order_id, []).append(
                OrderLine(
                    line.product_id, name, line.quantity, line.unit_cost, line.received_quantity
                )
            )
    return [
        PurchaseOrder(
            order.id,
            order.supplier,
            OrderStatus(order.status),
            order.created_at,
            order.expected_on,
            order.closed_at,
            by_order.get(order.id, []),
            days_late=(day - order.expected_on).days
            if order.status == OrderStatus.OPEN.value and order.expected_on < day
            else 0,
        )
        for order in orders
    ]


def on_order(db: Database) -> dict[str, int]:
    """Units per product still to come on open purchase orders."""
    with db.read() as session:
        arrivals = open_arrivals(session)
    return {product_id: sum(units for _day, units in days) for product_id, days in arrivals.items()}


@dataclass(frozen=True)
class Incoming:
    """Units of a product still to come on one open order."""

    number: str  # PO-000123
    expected_on: date
    units: int


def incoming(db: Database, product_ids: Sequence[str] | None = None) -> dict[str, list[Incoming]]:
    """Per product (all, or these), its open orders with units still to come, earliest
    expected first."""
    query = (
        select(
            PurchaseOrderLineRow.product_id,
            PurchaseOrderRow.id,
            PurchaseOrderRow.expected_on,
            PurchaseOrderLineRow.quantity - PurchaseOrderLineRow.received_quantity,
        )
        .join(PurchaseOrderRow, PurchaseOrderRow.id == PurchaseOrderLineRow.order_id)
        .where(
            PurchaseOrderRow.status == OrderStatus.OPEN.value,
            PurchaseOrderLineRow.received_quantity < PurchaseOrderLineRow.quantity,
        )
        .order_by(PurchaseOrderRow.expected_on, PurchaseOrderRow.id)
    )
    if product_ids is not None:
        query = query.where(PurchaseOrderLineRow.product_id.in_(list(product_ids)))
    found: dict[str, list[Incoming]] = {}
    with db.read() as session:
        for product_id, order_id, expected_on, units in session.execute(query):
            found.setdefault(product_id, []).append(
                Incoming(order_number(order_id), expected_on, int(units))
            )
    return found


def arrivals(
    db: Database, product_ids: Sequence[str] | None = None
) -> dict[str, list[tuple[date, int]]]:
    """Per product (all, or these), the units still to come on open purchase orders and
    the day each order is expected, earliest first."""
    with db.read() as session:
        return open_arrivals(session, product_ids)
