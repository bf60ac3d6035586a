"""Products, the storefront's purchases and the restock alerts they raise."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from stockcore import inventory
from stockcore.domain import MAX_QUANTITY, InvalidValue, Product, UnknownProduct
from stockcore.interfaces.api.deps import Buyer, Db, Manager, Reader, ShopClock
from stockcore.interfaces.api.errors import SIGNED_IN_ERRORS
from stockcore.interfaces.api.idempotent import IdempotencyKey, answer_once
from stockcore.interfaces.api.schemas.common import ErrorOut
from stockcore.interfaces.api.schemas.products import (
    AcknowledgedOut,
    AcknowledgeIn,
    AlertKind,
    AlertOut,
    ProductChangesIn,
    ProductIn,
    ProductOut,
    PurchaseIn,
    PurchaseOut,
)
from stockcore.inventory import idempotency, reports, shop_sales

router = APIRouter(tags=["products"])


@router.get("/products", response_model=list[ProductOut], responses=SIGNED_IN_ERRORS)
def products(
    _user: Reader,
    db: Db,
    response: Response,
    category: Annotated[str | None, Query(max_length=200)] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=shop_sales.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_QUANTITY)] = 0,
) -> list[ProductOut]:
    """Products by id, optionally of one category or matching a search (name or id).
    The total count is in the X-Total-Count header."""
    found = reports.inventory(db, category=category, search=search)
    response.headers["X-Total-Count"] = str(len(found))
    return [ProductOut.of(p) for p in found[offset : offset + limit]]


@router.get("/products/{product_id}", response_model=ProductOut, responses=SIGNED_IN_ERRORS)
def product(product_id: str, _user: Reader, db: Db) -> ProductOut:
    found = reports.get_product(db, product_id)
    if found is None:
        raise UnknownProduct(product_id)
    return ProductOut.of(found)


@router.post("/products", status_code=201, response_model=ProductOut, responses=SIGNED_IN_ERRORS)
def create_product(body: ProductIn, caller: Manager, db: Db, clock: ShopClock) -> ProductOut:
    made = Product.create(**body.model_dump())
    return ProductOut.of(inventory.add_product(db, made, actor=caller.actor, clock=clock))


@router.patch("/products/{product_id}", response_model=ProductOut, responses=SIGNED_IN_ERRORS)
def update_product(
    product_id: str, body: ProductChangesIn, _user: Manager, db: Db, clock: ShopClock
) -> ProductOut:
    """Change a product's details (not its stock on hand)."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidValue("body", "{}", "names no field to change")
    (saved,) = inventory.update_products(db, {product_id: changes}, clock=clock)
    return ProductOut.of(saved)


@router.post(
    "/purchases",
    status_code=201,
    response_model=PurchaseOut,
    responses={
        **SIGNED_IN_ERRORS,
        404: {"model": ErrorOut, "description": "unknown product"},
        409: {"model": ErrorOut, "description": "not enough stock; nothing was sold"},
    },
)
def purchase(
    body: PurchaseIn,
    caller: Buyer,
    db: Db,
    clock: ShopClock,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """A customer's order of one product, for a storefront to call on every order: one
    transaction that lowers stock, records the sale and raises a restock alert if the
    product falls below its threshold. Refused as a whole (404, 409) or done as a whole.
    With an `Idempotency-Key` header or an `order_id`, a retry sells nothing and gets the
    first answer (the same key with another request: 409)."""

    def sell() -> PurchaseOut:
        result = inventory.purchase(
            db,
            body.product_id,
            body.quantity,
            customer_id=body.customer_id,
            actor=caller.actor,
            clock=clock,
        )
        return PurchaseOut.of(result)

    return answer_once(
        db, idempotency.PURCHASES, body, header=idempotency_key, work=sell, clock=clock
    )


@router.get("/alerts", response_model=list[AlertOut], responses=SIGNED_IN_ERRORS)
def alerts(_user: Reader, db: Db) -> list[AlertOut]:
    """Active alerts, most urgent first: products below their restock threshold, then
    products that will run out before an order placed today could arrive."""
    below: list[tuple[AlertKind, reports.AlertView]] = [
        ("below_threshold", a) for a in reports.active_alerts(db)
    ]
    late: list[tuple[AlertKind, reports.AlertView]] = [
        ("runs_out_before_delivery", a) for a in reports.lead_time_alerts(db)
    ]
    return [AlertOut.of(kind, alert) for kind, alert in below + late]


@router.post("/alerts/acknowledge", response_model=AcknowledgedOut, responses=SIGNED_IN_ERRORS)
def acknowledge(body: AcknowledgeIn, _user: Manager, db: Db, clock: ShopClock) -> AcknowledgedOut:
    count = inventory.acknowledge_alerts(db, body.alert_ids, clock=clock)
    return AcknowledgedOut(acknowledged=count)
