"""Forecasts and reordering: one product's stored forecast, and what to order by when."""

from typing import Annotated

from fastapi import APIRouter, Query

from stockcore.forecasting import refresh, views
from stockcore.interfaces.api.deps import Db, Forecaster, Orderer, Today
from stockcore.interfaces.api.errors import SIGNED_IN_ERRORS
from stockcore.interfaces.api.schemas.forecasts import ProductForecastOut, ReorderLineOut
from stockcore.replenishment import plan

router = APIRouter(tags=["forecasts"])


@router.get(
    "/products/{product_id}/forecast",
    response_model=ProductForecastOut,
    responses=SIGNED_IN_ERRORS,
)
def product_forecast(
    product_id: str,
    _user: Forecaster,
    db: Db,
    today: Today,
    days: Annotated[int, Query(ge=1, le=refresh.MAX_HORIZON_DAYS)] = 28,
) -> ProductForecastOut:
    """One product's stored daily forecast with its 80% and 95% ranges, and the
    quantiles of its total demand over its lead time and lead time + review."""
    view = views.product_forecast(db, product_id, days=days, today=today)
    if view.forecast.empty:
        raise views.NoForecasts(
            f"no forecast for product {product_id} yet: POST /train-sales-model first"
        )
    return ProductForecastOut.of(product_id, view)


@router.get("/reorder-suggestions", response_model=list[ReorderLineOut], responses=SIGNED_IN_ERRORS)
def reorder_suggestions(
    _user: Orderer, db: Db, today: Today, include_all: Annotated[bool, Query(alias="all")] = False
) -> list[ReorderLineOut]:
    """What to order, how much and by when, most urgent first (products to order now
    or soon; ?all=true for every product with a forecast)."""
    lines = plan.reorder_list(db, today=today, only_urgent=not include_all)
    return [ReorderLineOut.of(line) for line in lines]
