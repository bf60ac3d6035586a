"""The reorder list for display: as the table the owner edits before ordering, and at a
glance (how many lines of each status, the revenue at risk)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import pandas as pd

from stockcore.replenishment.lines import STATUS_ORDER, ReorderLine, ReorderStatus

PLAN_COLUMNS: Final = [
    "product_id", "name", "status", "order", "next_step", "run_out_day", "supplier", "abc",
    "service_level", "on_hand", "on_order", "daily_demand", "lead_time_days", "safety_stock",
    "reorder_point", "order_up_to", "stockout_chance", "large_orders_set_aside",
    "revenue_at_risk", "why",
]  # fmt: skip


def plan_frame(lines: Sequence[ReorderLine]) -> pd.DataFrame:
    """The action list as a table; `order` starts at the suggested quantity, `next_step`
    says by when (or which open orders cover the line)."""
    return pd.DataFrame(
        [
            {
                "product_id": line.product_id,
                "name": line.name,
                "supplier": line.supplier or "",
                "status": line.status.value,
                "abc": line.abc,
                "service_level": line.service_level,
                "on_hand": line.on_hand,
                "on_order": line.on_order,
                "daily_demand": round(line.daily_demand, 2),
                "lead_time_days": line.lead_time_days,
                "safety_stock": round(line.safety_stock),
                "reorder_point": round(line.reorder_point),
                "order_up_to": round(line.order_up_to),
                "stockout_chance": round(line.stockout_chance, 3),
                "large_orders_set_aside": line.set_aside_orders,
                "order": line.suggested_quantity,
                "next_step": line.next_step,
                "run_out_day": line.run_out_day,
                "revenue_at_risk": float(line.revenue_at_risk),
                "why": line.explain(),
            }
            for line in lines
        ],
        columns=PLAN_COLUMNS,
    )


def ordered_quantities(frame: pd.DataFrame) -> dict[str, object]:
    """Units to order by product id from a `plan_frame` table as edited (empty: 0), for
    `purchase_orders.create_purchase_orders` to check."""
    return dict(zip(frame["product_id"], frame["order"].fillna(0), strict=True))


@dataclass(frozen=True)
class ListSummary:
    """The reorder list at a glance."""

    lines: Mapping[ReorderStatus, int]  # how many lines have each status
    revenue_at_risk: Decimal  # what the lines to order now may lose, in the shop's currency


def summarise(lines: Sequence[ReorderLine]) -> ListSummary:
    ordering_now = [line for line in lines if line.status == ReorderStatus.ORDER_NOW]
    return ListSummary(
        lines={status: sum(line.status == status for line in lines) for status in STATUS_ORDER},
        revenue_at_risk=sum((line.revenue_at_risk for line in ordering_now), Decimal(0)),
    )
