"""The forecasts tag's shapes: a product's forecast and the reorder list's lines."""

import datetime as dt

from pydantic import BaseModel, Field

from stockcore.domain import same_named
from stockcore.forecasting import views
from stockcore.interfaces.api.schemas.common import Chance, Level, Units
from stockcore.replenishment.lines import ReorderLine


class ForecastDayOut(BaseModel):
    date: dt.date
    predicted_units: Units
    lower: Units
    upper: Units
    lower_95: Units
    upper_95: Units


class LeadTimeDemandOut(BaseModel):
    cover: str = Field(description='"lead" (the lead time) or "lead+review"')
    days: int = Field(description="calendar days from today")
    mean: Units
    q80: Units = Field(description="80% chance that demand stays at or below this")
    q90: Units
    q95: Units
    q98: Units
    q99: Units
    method: str

    @classmethod
    def of(cls, cover: views.CoverQuantiles) -> "LeadTimeDemandOut":
        return cls(**same_named(cls, cover))


class ProductForecastOut(BaseModel):
    product_id: str
    model: str | None
    season: str | None = Field(None, description="the yearly season the product follows")
    fallback: str | None = Field(None, description="why this is not its own model's forecast")
    on_hand: int | None
    run_out_day: dt.date | None
    days_of_cover: int | None
    lead_time_demand: list[LeadTimeDemandOut] = Field(default_factory=list)
    stockout_chance: Chance | None = Field(
        None,
        description="chance that demand over the lead time exceeds stock on hand and on order "
        "(0.5 means 50% or more: below the median the stored quantiles cannot tell)",
    )
    forecast: list[ForecastDayOut]

    @classmethod
    def of(cls, product_id: str, view: views.ForecastView) -> "ProductForecastOut":
        return cls(
            product_id=product_id,
            model=view.model.model if view.model else None,
            season=view.model.season if view.model else None,
            fallback=view.model.fallback if view.model else None,
            on_hand=view.on_hand,
            run_out_day=view.run_out_day,
            days_of_cover=view.days_of_cover,
            lead_time_demand=[LeadTimeDemandOut.of(cover) for cover in view.covers],
            stockout_chance=view.stockout_chance[0] if view.stockout_chance else None,
            forecast=[
                ForecastDayOut.model_validate(row | {"date": row["day"].date()})
                for row in view.forecast.to_dict("records")
            ],
        )


class ReorderLineOut(BaseModel):
    product_id: str
    name: str
    status: str
    on_hand: int
    on_order: int
    daily_demand: Units
    lead_time_days: int
    safety_stock: Level
    reorder_point: Level
    order_up_to: Level
    suggested_quantity: int
    run_out_day: dt.date | None
    order_by: dt.date | None
    order_by_passed: bool = Field(description="the order-by day is before today: order today")
    next_step: str = Field(
        description='what to do by when, in words: "order today", "overdue: order today", '
        '"covered by PO-000123, arriving Sat 12 Dec", "order by Mon 14 Dec"'
    )
    covered_by: list[str] = Field(
        description="the open purchase orders bringing this product (PO-000123), if any"
    )
    target_fill_rate: float
    stockout_chance: Chance  # of running out before an order placed today could arrive
    season_ends: bool  # the season peaks before an order placed today could arrive
    last_order_for_season: dt.date | None
    large_orders_set_aside: int  # very large one-off orders left out of the forecast's history
    large_order_units_set_aside: int
    explanation: str

    @classmethod
    def of(cls, line: ReorderLine) -> "ReorderLineOut":
        return cls(
            **same_named(cls, line),
            target_fill_rate=line.service_level,
            season_ends=line.season is not None and line.season.ended,
            last_order_for_season=line.season.last_order if line.season else None,
            large_orders_set_aside=line.set_aside_orders,
            large_order_units_set_aside=line.set_aside_units,
            explanation=line.explain(),
        )
