"""The sales tag's shapes (the spec's endpoints): sales records, training, predictions,
the stock-level calculator and the sales chart."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from stockcore.domain import DEFAULT_SERVICE_LEVEL, MAX_LEAD_TIME_DAYS, MAX_QUANTITY
from stockcore.forecasting import refresh
from stockcore.interfaces.api.schemas.common import (
    Day,
    Money,
    Number,
    OrderId,
    ProductId,
    StrictIn,
    Whole,
)
from stockcore.inventory import shop_sales
from stockcore.replenishment import levels


class AddSalesIn(StrictIn):
    date: Day = Field(description="the day of the sales, e.g. 2024-03-31")
    sales: Money = Field(description="revenue of that day (or of that product's line)")
    product_id: ProductId | None = None
    quantity: Whole | None = Field(None, ge=1, le=MAX_QUANTITY)
    order_id: OrderId = None


class SalesAddedOut(BaseModel):
    message: Literal["Sales data added successfully"] = "Sales data added successfully"
    recorded: str = Field(description="what was recorded, in words")
    date: dt.date
    sales: float
    product_id: str | None
    quantity: int | None

    @classmethod
    def of(cls, added: shop_sales.SalesAdded) -> "SalesAddedOut":
        return cls(
            recorded=added.message,
            date=added.day,
            sales=float(added.sales),
            product_id=added.product_id,
            quantity=added.quantity,
        )


class SalesDayOut(BaseModel):
    date: dt.date
    sales: float = Field(
        description="the day's sales figure: the shop total recorded for the day (exactly as "
        "recorded) where there is one, else the revenue of its sale lines"
    )
    units: int | None = Field(description="units in the day's sale lines; null: none")
    source: Literal["total", "lines"] = Field(
        description='"total": a recorded shop total; "lines": the sum of the sale lines'
    )

    @classmethod
    def of(cls, day: shop_sales.SalesDay) -> "SalesDayOut":
        return cls(date=day.day, sales=float(day.sales), units=day.units, source=day.source)


class TrainIn(StrictIn):
    days: Whole = Field(
        refresh.DEFAULT_HORIZON_DAYS, ge=1, le=refresh.MAX_HORIZON_DAYS, description="horizon"
    )


class FallbackOut(BaseModel):
    product_id: str
    reason: str = Field(description="why this product's forecast is not its own model's")


class TrainOut(BaseModel):
    message: Literal["Model trained successfully"] = "Model trained successfully"
    run_id: int
    products: int
    by_model: dict[str, int]
    fallbacks: list[FallbackOut]
    without_forecast: list[str]
    first_day: dt.date
    horizon_days: int
    seconds: float
    one_process_reason: str | None = Field(
        None,
        description="why the series were forecast in one process instead of the worker "
        "processes (a worker stopped); null when they ran as planned",
    )
    shop_model: str | None = Field(
        None, description="the model of the shop's daily sales forecast (GET /predict-sales)"
    )

    @classmethod
    def of(cls, summary: refresh.RefreshSummary) -> "TrainOut":
        return cls(
            run_id=summary.run_id,
            products=summary.products,
            by_model=summary.by_model,
            fallbacks=[
                FallbackOut(product_id=f.product_id, reason=f.reason) for f in summary.fallbacks
            ],
            without_forecast=summary.without_forecast,
            first_day=summary.first_day,
            horizon_days=summary.horizon_days,
            seconds=round(summary.seconds, 3),
            one_process_reason=summary.one_process_reason,
            shop_model=summary.shop_model,
        )


class PredictIn(StrictIn):
    days: Whole = Field(ge=1, le=refresh.MAX_HORIZON_DAYS)
    product_id: ProductId | None = None


class PredictedOut(BaseModel):
    date: dt.date
    predicted_sales: float = Field(
        description="the sales figure expected (money, the measure of /get-sales-data's "
        "sales): the shop-level forecast, or the product's units at today's price"
    )
    predicted_units: float | None = Field(
        description="units expected to sell (of the product, or summed over the products); "
        "null for a shop without product forecasts"
    )
    predicted_revenue: float | None = Field(
        description="those units at today's selling prices; null without product forecasts"
    )

    @classmethod
    def of(cls, day: shop_sales.PredictedDay) -> "PredictedOut":
        return cls(
            date=day.day,
            predicted_sales=float(day.predicted_sales),
            predicted_units=day.predicted_units,
            predicted_revenue=(
                float(day.predicted_revenue) if day.predicted_revenue is not None else None
            ),
        )


class OptimizeIn(StrictIn):
    daily_demand: Number = Field(ge=0, le=levels.MAX_DAILY_DEMAND)
    lead_time: Number = Field(gt=0, le=MAX_LEAD_TIME_DAYS)
    demand_std: Number | None = Field(None, ge=0, le=levels.MAX_DAILY_DEMAND)
    lead_time_std: Number | None = Field(None, ge=0, le=MAX_LEAD_TIME_DAYS)
    service_level: Number = Field(DEFAULT_SERVICE_LEVEL, gt=0, lt=1)


class OptimizeOut(BaseModel):
    reorder_point: float
    optimal_stock_level: float
    safety_stock: float
    lead_time_demand: float
    service_level: float
    explanation: str

    @classmethod
    def of(cls, calculated: levels.StockLevels) -> "OptimizeOut":
        return cls(
            reorder_point=round(calculated.reorder_point, 2),
            optimal_stock_level=round(calculated.optimal_stock_level, 2),
            safety_stock=round(calculated.safety_stock, 2),
            lead_time_demand=round(calculated.lead_time_demand, 2),
            service_level=calculated.service_level,
            explanation=calculated.explain(),
        )


class ChartSavedOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    message: str
    path: str | None = Field(
        description="the file's name in the server's chart folder; null: not saved (the "
        "server has no chart folder; ask for the PNG with Accept: image/png)"
    )
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")

    @classmethod
    def of(cls, saved: bool, trend: shop_sales.SalesTrend) -> "ChartSavedOut":
        message = (
            f"Sales trend visualization generated and saved as {shop_sales.CHART_FILE}"
            if saved
            else "Sales trend visualization generated; not saved, as the server has no chart "
            "folder: ask for it with Accept: image/png or ?format=png"
        )
        return cls.model_validate(
            {
                "message": message,
                "path": shop_sales.CHART_FILE if saved else None,
                "from": trend.start,
                "to": trend.end,
            }
        )
