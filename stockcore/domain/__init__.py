"""The shop's rules, free of any framework.

Nothing here knows about databases, Streamlit or HTTP. The service layer
(`stockcore.inventory`) loads state, asks these objects what is allowed, and
stores the outcome in one transaction.

Units: quantities are whole units of stock; money is a `Decimal` in the shop's
currency with two decimal places; lead times are days.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

CENT = Decimal("0.01")
MAX_QUANTITY = 10_000_000
MAX_LEAD_TIME_DAYS = 365
MAX_PRICE = Decimal("10000000")
PRODUCT_ID_MAX_LENGTH = 64
NAME_MAX_LENGTH = 200
DEFAULT_CATEGORY = "Uncategorised"
DEFAULT_LEAD_TIME_DAYS = 7

_WHOLE_NUMBER = re.compile(r"^[+]?\d+$")


class StockcoreError(Exception):
    """A refusal whose message is written for the shop owner.

    Every use case raises one of these (never a bare exception) when it refuses,
    and guarantees that nothing was changed.
    """


class InvalidValue(StockcoreError):
    """A field holds a value the shop cannot accept."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field} {_show(value)} {reason}")


class UnknownProduct(StockcoreError):
    def __init__(self, product_id: str) -> None:
        self.product_id = product_id
        super().__init__(f"unknown product {product_id!r}: no product has that id")


class DuplicateProduct(StockcoreError):
    def __init__(self, product_id: str) -> None:
        self.product_id = product_id
        super().__init__(f"product {product_id!r} already exists; ids must be unique")


class InsufficientStock(StockcoreError):
    def __init__(self, product_id: str, name: str, requested: int, on_hand: int) -> None:
        self.product_id = product_id
        self.requested = requested
        self.on_hand = on_hand
        super().__init__(
            f"not enough stock of {product_id} {name}: {requested} requested, "
            f"{on_hand} on hand; nothing was sold"
        )


class UnknownAlert(StockcoreError):
    def __init__(self, alert_id: int) -> None:
        self.alert_id = alert_id
        super().__init__(f"unknown alert {alert_id}: no such alert")


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- Parsing values typed by people --------------------------------------------------------


def parse_whole_number(
    value: object, field: str, *, minimum: int = 0, maximum: int = MAX_QUANTITY
) -> int:
    """Read a whole number of units (or days) typed by a person or sent by a script.

    Accepts ints, integral floats/Decimals and strings of digits. Refuses booleans,
    fractions, NaN, text and anything outside [minimum, maximum].
    """
    number: int
    if isinstance(value, bool) or value is None:
        raise InvalidValue(field, value, "is not a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidValue(field, value, "is not a whole number")
        if isinstance(value, Decimal) and not value.is_finite():
            raise InvalidValue(field, value, "is not a whole number")
        if value != int(value):
            raise InvalidValue(field, value, "must be a whole number of units, not a fraction")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if _WHOLE_NUMBER.match(text) or re.match(r"^-\d+$", text):
            number = int(text)
        else:
            try:
                as_decimal = Decimal(text)
            except InvalidOperation:
                raise InvalidValue(field, value, "is not a whole number") from None
            return parse_whole_number(as_decimal, field, minimum=minimum, maximum=maximum)
    else:
        raise InvalidValue(field, value, "is not a whole number")
    if number < minimum:
        if minimum == 1:
            raise InvalidValue(field, value, "must be at least 1")
        raise InvalidValue(field, value, f"must not be below {minimum}")
    if number > maximum:
        raise InvalidValue(field, value, f"must not be above {maximum:,}")
    return number


def parse_quantity(value: object, field: str = "quantity") -> int:
    """A quantity to buy, receive or sell: a whole number of units, at least 1."""
    return parse_whole_number(value, field, minimum=1)


def parse_money(value: object, field: str) -> Decimal:
    """Read an amount of money (unit price, unit cost): >= 0 with at most 2 decimals."""
    if isinstance(value, bool) or value is None:
        raise InvalidValue(field, value, "is not an amount of money")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidValue(field, value, "is not an amount of money")
            amount = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            amount = Decimal(value)
        elif isinstance(value, str):
            amount = Decimal(value.strip())
        else:
            raise InvalidValue(field, value, "is not an amount of money")
    except InvalidOperation:
        raise InvalidValue(field, value, "is not an amount of money") from None
    if not amount.is_finite():
        raise InvalidValue(field, value, "is not an amount of money")
    if amount < 0:
        raise InvalidValue(field, value, "must not be negative")
    if amount > MAX_PRICE:
        raise InvalidValue(field, value, f"must not be above {MAX_PRICE:,}")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidValue(field, value, "has more than 2 decimal places")
    return amount.quantize(CENT)


def parse_text(value: object, field: str, *, max_length: int = NAME_MAX_LENGTH) -> str:
    """A required piece of text (name, category): trimmed, not empty, not too long."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, value, "must not be empty")
    text = " ".join(value.split())
    if len(text) > max_length:
        raise InvalidValue(field, value, f"is longer than {max_length} characters")
    return text


def parse_optional_text(value: object, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_text(value, field)


def parse_number(value: object, field: str) -> float:
    """A finite decimal number (rates, spreads, demand per day); a decimal comma is read."""
    if isinstance(value, bool):
        raise InvalidValue(field, value, "is not a number")
    if isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            raise InvalidValue(field, value, "is not a number") from None
    else:
        raise InvalidValue(field, value, "is not a number")
    if not math.isfinite(number):
        raise InvalidValue(field, value, "is not a finite number")
    return number


def parse_fraction(value: object, field: str) -> float:
    """A share written as a fraction (0.95) or as a percentage with % ("95%")."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.endswith("%"):
        return parse_number(text[:-1], field) / 100
    return parse_number(text, field)


def parse_service_level(value: object, field: str = "service level") -> float:
    """A target cycle service level strictly between 0 and 1, or a percentage with %."""
    level = parse_fraction(value, field)
    if not 0 < level < 1:
        raise InvalidValue(field, value, "must be between 0 and 1 (e.g. 0.95 or 95%)")
    return level


def is_blank(value: object) -> bool:
    """Nothing typed: None, empty text, or the NaN an empty table cell reads as."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def parse_lead_time_spread(value: object) -> float | None:
    """The sd of the supplier's lead time in days, or None when not known."""
    if is_blank(value):
        return None
    spread = parse_number(value, "lead time sd")
    if spread < 0:
        raise InvalidValue("lead time sd", value, "must not be negative")
    if spread > MAX_LEAD_TIME_DAYS:
        raise InvalidValue("lead time sd", value, f"is more than {MAX_LEAD_TIME_DAYS} days")
    return spread


def parse_product_id(value: object) -> str:
    """The shop's own SKU code, e.g. "85123A" or "101": letters, digits and - _ . /"""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = parse_text(value, "product id", max_length=PRODUCT_ID_MAX_LENGTH)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-/]*", text):
        raise InvalidValue(
            "product id", value, "may only hold letters, digits and - _ . / (no spaces)"
        )
    return text


CUSTOMER_ID_MAX_LENGTH = 64


def parse_customer_id(value: object) -> str:
    """Who bought, as the shop's own system names them: trimmed, at most 64 characters,
    no control characters (nothing else is changed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("customer", value, "must not be empty")
    text = value.strip()
    if len(text) > CUSTOMER_ID_MAX_LENGTH:
        raise InvalidValue("customer", value, f"is longer than {CUSTOMER_ID_MAX_LENGTH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValue("customer", value, "contains a control character")
    return text


# --- The product --------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """One product the shop sells, with its stock on hand.

    quantity and restock_threshold are units; lead_time_days is the supplier's
    delivery time in days; unit_price and unit_cost are money per unit.
    min_order_quantity and pack_size are what the supplier accepts (orders are rounded up
    to whole packs, at least the minimum); lead_time_sd_days is how much the lead time
    varies (None: unknown); service_level is the product's own target chance of not
    running out before an order arrives (None: its ABC class's setting).
    """

    product_id: str
    name: str
    category: str
    unit_price: Decimal
    quantity: int
    restock_threshold: int
    unit_cost: Decimal | None = None
    supplier: str | None = None
    lead_time_days: int = DEFAULT_LEAD_TIME_DAYS
    min_order_quantity: int = 1
    pack_size: int = 1
    lead_time_sd_days: float | None = None
    service_level: float | None = None

    @classmethod
    def create(
        cls,
        product_id: object,
        name: object,
        *,
        category: object = DEFAULT_CATEGORY,
        unit_price: object,
        quantity: object = 0,
        restock_threshold: object = 0,
        unit_cost: object = None,
        supplier: object = None,
        lead_time_days: object = DEFAULT_LEAD_TIME_DAYS,
        min_order_quantity: object = 1,
        pack_size: object = 1,
        lead_time_sd_days: object = None,
        service_level: object = None,
    ) -> Product:
        """Build a product from values typed by a person, refusing any bad field."""
        cost = None
        if unit_cost is not None and not (isinstance(unit_cost, str) and not unit_cost.strip()):
            cost = parse_money(unit_cost, "unit cost")
        return cls(
            product_id=parse_product_id(product_id),
            name=parse_text(name, "name"),
            category=parse_optional_text(category, "category") or DEFAULT_CATEGORY,
            unit_price=parse_money(unit_price, "unit price"),
            quantity=parse_whole_number(quantity, "quantity"),
            restock_threshold=parse_whole_number(restock_threshold, "restock threshold"),
            unit_cost=cost,
            supplier=parse_optional_text(supplier, "supplier"),
            lead_time_days=parse_whole_number(
                lead_time_days, "lead time", maximum=MAX_LEAD_TIME_DAYS
            ),
            min_order_quantity=(
                1
                if is_blank(min_order_quantity)
                else parse_whole_number(min_order_quantity, "minimum order quantity", minimum=1)
            ),
            pack_size=1
            if is_blank(pack_size)
            else parse_whole_number(pack_size, "pack size", minimum=1),
            lead_time_sd_days=parse_lead_time_spread(lead_time_sd_days),
            service_level=None if is_blank(service_level) else parse_service_level(service_level),
        )

    @property
    def needs_restock(self) -> bool:
        """Strictly below the threshold, as the spec says: at the threshold is still fine."""
        return self.quantity < self.restock_threshold

    @property
    def stock_value(self) -> Decimal:
        """Value of the stock on hand at cost where the cost is known, else at selling price."""
        return (self.unit_cost if self.unit_cost is not None else self.unit_price) * self.quantity

    def sell(self, quantity: int) -> tuple[Product, Sale]:
        """Sell `quantity` units; refuse to sell more than is on hand."""
        if quantity < 1:
            raise InvalidValue("quantity", quantity, "must be at least 1")
        if quantity > self.quantity:
            raise InsufficientStock(self.product_id, self.name, quantity, self.quantity)
        sale = Sale(self.product_id, quantity, self.unit_price)
        return replace(self, quantity=self.quantity - quantity), sale

    def receive(self, quantity: int) -> Product:
        if quantity < 1:
            raise InvalidValue("quantity", quantity, "must be at least 1")
        if self.quantity + quantity > MAX_QUANTITY:
            raise InvalidValue("quantity", quantity, f"would take stock above {MAX_QUANTITY:,}")
        return replace(self, quantity=self.quantity + quantity)

    def adjust(self, change: int) -> Product:
        """A manual correction (stocktake, damage, loss): stock may not go below zero."""
        if change == 0:
            raise InvalidValue("change", change, "must not be zero")
        if self.quantity + change < 0:
            raise InvalidValue(
                "change",
                change,
                f"would take stock of {self.product_id} below zero ({self.quantity} on hand)",
            )
        return replace(self, quantity=self.quantity + change)


@dataclass(frozen=True)
class Sale:
    """What one purchase sold: units at the unit price of that moment."""

    product_id: str
    quantity: int
    unit_price: Decimal

    @property
    def revenue(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


# --- The ledger and alerts -----------------------------------------------------------------


class MovementKind(StrEnum):
    """Why a product's quantity on hand changed. Quantity = sum of its movements."""

    OPENING = "opening"
    SALE = "sale"
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertKind(StrEnum):
    BELOW_THRESHOLD = "below_threshold"
    # The forecast uses up the stock (on hand + on order) before an order placed today
    # could arrive: the supplier's lead time is longer than the stock lasts.
    RUNS_OUT_BEFORE_DELIVERY = "runs_out_before_delivery"


class AlertAction(StrEnum):
    RAISE = "raise"
    RESOLVE = "resolve"
    KEEP = "keep"


def restock_alert_action(product: Product, has_active_alert: bool) -> AlertAction:
    """Decide what happens to a product's restock alert after its stock or threshold changed.

    One active (open or acknowledged) alert per product at a time: a further sale does
    not raise a second one; the alert resolves once stock is back at or above the
    threshold.
    """
    if product.needs_restock and not has_active_alert:
        return AlertAction.RAISE
    if not product.needs_restock and has_active_alert:
        return AlertAction.RESOLVE
    return AlertAction.KEEP


def urgency(quantity: int, restock_threshold: int) -> float:
    """Stock relative to its threshold: 0 is out of stock, below 1 is below threshold.

    Alerts are listed most urgent (smallest) first.
    """
    if restock_threshold <= 0:
        return math.inf
    return quantity / restock_threshold
