"""A line of the reorder list and what it says in plain words.

`ReorderLine` holds one product's numbers (made by `plan.reorder_plan`); its `next_step`
and `explain` put them in the owner's words: what to order, by when, and why. The statuses,
most urgent first, are `ReorderStatus`; `Season` is the forecast's peak week when the
product has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from stockcore.domain import plural
from stockcore.replenishment import purchase_orders
from stockcore.replenishment.levels import REVIEW_PERIOD_DAYS


class ReorderStatus(StrEnum):
    """What a reorder line asks of the owner, most urgent first."""

    ORDER_NOW = "order now"  # an order is needed today
    ORDER_SOON = "order soon"  # needed by next week's review
    COVERED = "covered"  # would be order now, but open purchase orders meet the need
    HEALTHY = "healthy"
    OVERSTOCK = "overstock"
    NO_RECENT_DEMAND = "no recent demand"


STATUS_ORDER: Final = tuple(ReorderStatus)
URGENT: Final = (ReorderStatus.ORDER_NOW, ReorderStatus.ORDER_SOON)
# What the reorder list shows unless asked for every product: what to order, and what the
# owner has just ordered.
LISTED: Final = (*URGENT, ReorderStatus.COVERED)


@dataclass(frozen=True)
class Season:
    """The forecast's peak week within the horizon, when the product has a season."""

    peak: date  # the middle of the busiest 7 days forecast
    arrival: date  # when an order placed today would arrive
    last_order: date  # the last day an order arrives before the peak
    ended: bool  # the peak comes before the arrival and sales drop after it

    def explain(self, review_days: int) -> str:
        if self.ended:
            return (
                f"Season ends: its peak (around {self.peak:%a %d %b}) comes before an order "
                f"placed today could arrive ({self.arrival:%a %d %b}), so an order now only "
                f"serves the {review_days} days after it arrives; the last order in time for "
                f"the peak was due by {self.last_order:%a %d %b}."
            )
        return (
            f"Season ahead: the peak comes around {self.peak:%a %d %b}; last sensible order "
            f"for it by {self.last_order:%a %d %b}."
        )


@dataclass(frozen=True)
class ReorderLine:
    product_id: str
    name: str
    category: str
    supplier: str | None
    abc: str
    unit_price: Decimal
    on_hand: int
    on_order: int
    arrivals: tuple[tuple[date, int], ...]  # open purchase orders: (expected day, units)
    lead_time_days: int
    lead_time_sd_days: float | None
    daily_demand: float  # forecast units per calendar day over the lead time
    lead_time_demand: float
    review_demand: float  # expected units over the review days after the lead time
    safety_stock: float
    reorder_point: float
    order_up_to: float
    suggested_quantity: int
    run_out_day: date | None  # None: not within the forecast horizon
    order_by: date | None
    days_of_cover: int | None
    status: ReorderStatus
    revenue_at_risk: Decimal
    service_level: float  # the target chance of not running out in the week after arrival
    service_level_source: str  # "its own" or "class A" etc.
    stockout_chance: float  # of running out before an order placed today could arrive
    expected_lost: float  # units expected to go unserved before then
    lost_share: float  # the same as a share of the lead time's expected demand
    fill_after: float  # expected fill of the review days after arrival, with the order
    stockout_after: float  # chance of running out in those days, with the order
    half_fill: float | None  # the same two with half the suggested order
    half_stockout: float | None
    season: Season | None
    distribution: bool  # False: no stored distribution, the forecast's mean alone
    eoq: float | None  # the economic order quantity, when ordering cost and holding rate are set
    min_order_quantity: int = 1
    pack_size: int = 1
    set_aside_orders: int = 0  # large one-off orders left out of the forecast's history
    set_aside_units: int = 0
    open_orders: tuple[purchase_orders.Incoming, ...] = ()  # units still to come, by order
    today: date = date.min  # the day the line was made for

    @property
    def order_by_passed(self) -> bool:
        """The order-by day is before today."""
        return self.order_by is not None and self.order_by < self.today

    @property
    def urgent(self) -> bool:
        """To order now or soon."""
        return self.status in URGENT

    @property
    def listed(self) -> bool:
        """What the reorder list shows unless asked for everything: to order now or soon,
        or covered by open orders."""
        return self.status in LISTED

    @property
    def covered_by(self) -> list[str]:
        """The numbers of the open purchase orders bringing this product (PO-000123)."""
        return [order.number for order in self.open_orders]

    @property
    def next_step(self) -> str:
        """What to do and by when, in words: "overdue: order today" once the order-by day
        has passed (never a silent past date); "covered by PO-000123, arriving Sat 12 Dec"
        when open orders meet the need."""
        if self.status is ReorderStatus.COVERED:
            return self._covered_text()
        text = ""
        if self.status in URGENT and self.order_by_passed:
            text = "overdue: order today"
        elif self.status is ReorderStatus.ORDER_NOW:
            text = "order today"
        elif self.order_by is not None:
            text = f"order by {self.order_by:%a %d %b}"
        elif self.status is ReorderStatus.ORDER_SOON:
            text = "order by next week's review"
        if self.open_orders:
            coming = self._arriving()
            text = f"{text}; {coming}" if text else coming
        return text

    def _arriving(self) -> str:
        return ", ".join(
            f"{order.number} ({order.units:,}) "
            + (
                f"was due {order.expected_on:%a %d %b}"
                if self._late(order)
                else f"arriving {order.expected_on:%a %d %b}"
            )
            for order in self.open_orders
        )

    def _late(self, order: purchase_orders.Incoming) -> bool:
        """Whether an open order is late: expected before the day this line was made."""
        return order.expected_on < self.today

    def _covered_text(self) -> str:
        if not self.open_orders:  # arrivals given without orders (a what-if plan)
            days = ", ".join(f"{day:%a %d %b}" for day, _ in self.arrivals)
            return f"covered by units on order, arriving {days}"
        if len(self.open_orders) == 1:
            [order] = self.open_orders
            when = (
                f"overdue since {order.expected_on:%a %d %b}"
                if self._late(order)
                else f"arriving {order.expected_on:%a %d %b}"
            )
            text = f"covered by {order.number}, {when}"
        else:
            text = "covered by " + self._arriving()
        first = min(order.expected_on for order in self.open_orders)
        if self.run_out_day is not None and self.run_out_day < first:
            text += f" (runs out around {self.run_out_day:%a %d %b}, before it arrives"
            if first <= self.today + timedelta(days=self.lead_time_days):
                # Nothing to order: a new order would come no sooner than the one on its way.
                text += ": a new order would come no sooner; ask the supplier to send it earlier"
            text += ")"
        return text

    def explain(self) -> str:
        """The numbers of this line in plain words, the order first."""
        spread = (
            f" (give or take {_days(self.lead_time_sd_days)})" if self.lead_time_sd_days else ""
        )
        position = self.on_hand + self.on_order
        held = f"{self.on_hand:,} on hand"
        if self.arrivals:
            coming = ", ".join(f"{units:,} on {day:%a %d %b}" for day, units in self.arrivals)
            held += f" and {coming} on order"
        text = (
            f"An order placed today arrives in {_days(self.lead_time_days)}{spread}. About "
            f"{self.lead_time_demand:,.0f} should sell before then and "
            f"{self.review_demand:,.0f} in the {REVIEW_PERIOD_DAYS} days after, which the "
            f"order must carry until next week's order arrives. With {held}, "
        )
        if self.on_hand <= 0:  # out already: the chance is that of turning a customer away
            text += "it is out of stock now: the chance that a customer asks for it and is "
            text += "turned away before the order arrives is "
        else:
            text += "the chance of running out before it arrives is "
        text += _chance(self.stockout_chance)
        if self.lost_share >= 0.005:
            text += (
                f" (about {self.lost_share:.0%} of the demand before then would go unserved, "
                "and those sales are not made up later)"
            )
        text += "."
        if self.suggested_quantity:
            text += (
                f" Order {self.suggested_quantity:,} so that the {REVIEW_PERIOD_DAYS} days "
                f"after it arrives run out with a chance of at most "
                f"{1 - self.service_level:.0%}"
            )
            reasons = []
            if self.eoq is not None and self.eoq > self.suggested_quantity - self.pack_size:
                reasons.append(f"the economic order quantity is {self.eoq:,.0f}")
            if self.pack_size > 1:
                reasons.append(f"packs of {self.pack_size}")
            if self.min_order_quantity > 1:
                reasons.append(f"at least {self.min_order_quantity}")
            text += f", rounded to {'; '.join(reasons)}" if reasons else ""
            text += (
                f": a {_chance(self.stockout_after)} chance of running out that week, "
                f"with {self.fill_after:.0%} of its demand expected to be served."
            )
            if self.half_fill is not None and self.half_stockout is not None:
                text += (
                    f" Ordering half ({self.suggested_quantity // 2:,}) would leave a "
                    f"{_chance(self.half_stockout)} chance of running out, serving "
                    f"{self.half_fill:.0%}."
                )
        elif self.status is ReorderStatus.ORDER_SOON:
            text += " No order is needed today, but by next week's review one will be."
        text += (
            f" To keep the chance of running out in a week after an order arrives at "
            f"{1 - self.service_level:.0%} or less (service level {self.service_level:.0%}, "
            f"{self.service_level_source}), an order is needed whenever stock on hand and on "
            f"order is under {self.reorder_point:,.0f} (you have {position:,})."
        )
        if self.status is ReorderStatus.COVERED:
            text += (
                f" Without its open purchase orders it would need an order today; with "
                f"them it does not: {self._covered_text()}."
            )
        if not self.distribution:
            text += " (No demand distribution is stored yet: refresh the forecasts for ranges.)"
        if self.season is not None:
            text += " " + self.season.explain(REVIEW_PERIOD_DAYS)
        if self.set_aside_orders:
            text += " " + self.set_aside_note()
        if self.run_out_day is not None:
            text += f" Runs out around {self.run_out_day:%a %d %b}"
            if self.order_by is not None and not self.order_by_passed:
                text += f", so order by {self.order_by:%a %d %b}."
            elif self.order_by is not None and self.urgent:
                text += f", so the order was due by {self.order_by:%a %d %b}: order today."
            else:  # no order-by day, or a past one already met by open orders
                text += "."
        return text

    def set_aside_note(self) -> str:
        """What the large orders set aside mean for this line ('' when none)."""
        if not self.set_aside_orders:
            return ""
        one = self.set_aside_orders == 1
        orders = plural(self.set_aside_orders, "order")
        return (
            f"{self.set_aside_orders:,} very large one-off {orders} in its history "
            f"({self.set_aside_units:,} units, {'' if one else 'each '}over four weeks of its "
            f"usual sales) {'was' if one else 'were'} set aside: these numbers do not stock "
            "for such orders, which are best "
            "ordered for the customer when they come. To serve a customer's large orders "
            "from stock, choose them under Settings, Large orders."
        )


def _days(days: float) -> str:
    return f"{days:g} {plural(days, 'day')}"


def _chance(chance: float) -> str:
    """A probability in words that never reads 0% or 100% when it is not."""
    if 0 < chance < 0.01:
        return "under 1%"
    if 0.99 < chance < 1:
        return "over 99%"
    return f"{chance:.0%}"
