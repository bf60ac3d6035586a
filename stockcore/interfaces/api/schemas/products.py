"""The products tag's shapes: products, purchases and alerts.

The product shapes follow `stockcore.domain.PRODUCT_FIELDS` (tests/test_api.py checks it)."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from stockcore import inventory
from stockcore.domain import (
    DEFAULT_LEAD_TIME_DAYS,
    MAX_LEAD_TIME_DAYS,
    MAX_QUANTITY,
    PRODUCT_FIELDS,
    SERVICE_LEVEL_MEANING,
    Product,
    same_named,
)
from stockcore.interfaces.api.schemas.common import (
    LeadTimeSpread,
    Money,
    OrderId,
    ProductId,
    ServiceLevel,
    ShortText,
    StrictIn,
    Text,
    Whole,
    aware,
)
from stockcore.inventory import reports

AlertKind = Literal["below_threshold", "runs_out_before_delivery"]


class ProductOut(BaseModel):
    # Every field of Product (PRODUCT_FIELDS), and whether it needs a restock. (A comment,
    # not a docstring: a docstring would become the schema's description.)
    product_id: str
    name: str
    category: str
    unit_price: float
    unit_cost: float | None
    quantity: int
    restock_threshold: int
    supplier: str | None
    lead_time_days: int
    min_order_quantity: int
    pack_size: int
    lead_time_sd_days: float | None
    service_level: float | None
    needs_restock: bool

    @classmethod
    def of(cls, product: Product) -> "ProductOut":
        return cls(
            **{field: getattr(product, field) for field in PRODUCT_FIELDS},
            needs_restock=product.needs_restock,
        )


class ProductIn(StrictIn):
    # A new product: every field of Product (PRODUCT_FIELDS), as Product.create takes them.
    product_id: ProductId
    name: ShortText
    category: ShortText | None = None
    unit_price: Money
    quantity: Whole = Field(0, ge=0, le=MAX_QUANTITY, description="units on hand")
    restock_threshold: Whole = Field(0, ge=0, le=MAX_QUANTITY)
    unit_cost: Money | None = None
    supplier: ShortText | None = None
    lead_time_days: Whole = Field(DEFAULT_LEAD_TIME_DAYS, ge=0, le=MAX_LEAD_TIME_DAYS)
    min_order_quantity: Whole = Field(1, ge=1, le=MAX_QUANTITY)
    pack_size: Whole = Field(1, ge=1, le=MAX_QUANTITY)
    lead_time_sd_days: LeadTimeSpread | None = None
    service_level: ServiceLevel | None = None


class ProductChangesIn(StrictIn):
    """Only the fields sent are changed; stock on hand changes only through purchases."""

    # Every field of inventory.EDITABLE_FIELDS.
    name: ShortText | None = None
    category: ShortText | None = None
    unit_price: Money | None = None
    unit_cost: Money | None = None
    restock_threshold: Whole | None = Field(None, ge=0, le=MAX_QUANTITY)
    supplier: ShortText | None = None
    lead_time_days: Whole | None = Field(None, ge=0, le=MAX_LEAD_TIME_DAYS)
    min_order_quantity: Whole | None = Field(None, ge=1, le=MAX_QUANTITY)
    pack_size: Whole | None = Field(None, ge=1, le=MAX_QUANTITY)
    lead_time_sd_days: LeadTimeSpread | None = None
    service_level: ServiceLevel | None = Field(
        None,
        description=f"the service level ({SERVICE_LEVEL_MEANING}) to aim for; null: the "
        "product's ABC class's",
    )


class PurchaseIn(StrictIn):
    product_id: ProductId
    quantity: Whole = Field(ge=1, le=MAX_QUANTITY, description="units bought")
    customer_id: Text | None = Field(
        default=None,
        max_length=64,
        description="who bought (optional): a customer whose large orders the owner serves "
        "from stock is never set aside from the forecasts",
    )
    order_id: OrderId = None


class RaisedAlertOut(BaseModel):
    alert_id: int
    message: str


class PurchaseOut(BaseModel):
    product_id: str
    name: str
    quantity: int
    unit_price: float
    revenue: float
    sold_at: dt.datetime
    quantity_left: int
    alert: RaisedAlertOut | None

    @classmethod
    def of(cls, result: inventory.PurchaseResult) -> "PurchaseOut":
        return cls(
            product_id=result.product.product_id,
            name=result.product.name,
            quantity=result.sale.quantity,
            unit_price=float(result.sale.unit_price),
            revenue=float(result.sale.revenue),
            sold_at=aware(result.sold_at),
            quantity_left=result.product.quantity,
            alert=(
                RaisedAlertOut(alert_id=result.alert.alert_id, message=result.alert.message)
                if result.alert
                else None
            ),
        )


class AlertOut(BaseModel):
    alert_id: int
    kind: AlertKind
    product_id: str
    name: str
    quantity: int
    restock_threshold: int
    status: str
    raised_at: dt.datetime

    @classmethod
    def of(cls, kind: AlertKind, alert: reports.AlertView) -> "AlertOut":
        return cls(**same_named(cls, alert) | {"kind": kind, "raised_at": aware(alert.raised_at)})


class AcknowledgeIn(StrictIn):
    alert_ids: list[Whole] = Field(min_length=1, max_length=1000)


class AcknowledgedOut(BaseModel):
    acknowledged: int
