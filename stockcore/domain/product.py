"""The product and the sale: what may be sold, received or corrected, and what a sale
records."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Final

from stockcore.domain.errors import InsufficientStock, InvalidValue
from stockcore.domain.values import (
    CENT,
    DEFAULT_CATEGORY,
    DEFAULT_LEAD_TIME_DAYS,
    MAX_LEAD_TIME_DAYS,
    MAX_QUANTITY,
    is_blank,
    parse_lead_time_spread,
    parse_money,
    parse_optional_text,
    parse_product_id,
    parse_service_level,
    parse_text,
    parse_whole_number,
)


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


# Every field of a product, in the dataclass's order: the one list the row mapping, the
# API's schemas, the imports and exports derive from (files may order them their own way).
PRODUCT_FIELDS: Final = tuple(field.name for field in fields(Product))

# The same fields in the order files and tables show them: who it is, price and cost, stock,
# then the supplier's terms. A products export has these columns; a products file may have
# them in any order.
PRODUCT_COLUMNS: Final = (
    *PRODUCT_FIELDS[:4],
    "unit_cost",
    *(field for field in PRODUCT_FIELDS[4:] if field != "unit_cost"),
)


@dataclass(frozen=True)
class Sale:
    """What one purchase sold: units at the unit price of that moment."""

    product_id: str
    quantity: int
    unit_price: Decimal

    @property
    def revenue(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)
