"""When to reorder and how much: the reorder-point arithmetic, framework-free.

Units: demand in units per day, lead times in days, money per unit.

* Lead-time demand = daily demand x lead time.
* Demand uncertainty over the lead time, with demand varying day to day (sd_d) and the
  lead time varying order to order (sd_L): sigma = sqrt(L * sd_d^2 + d^2 * sd_L^2).
* Safety stock = z x sigma, z being the standard normal quantile of the target cycle
  service level (the chance of not running out before an order arrives).
* Reorder point = lead-time demand + safety stock: order when stock on hand plus on order
  falls to it.
* Optimal stock level = reorder point + safety stock. When no variability is known at all
  (neither sd given), the safety stock cannot be computed and defaults to one day of
  demand; it is then kept out of the reorder point, so the spec's calculator holds:
  80 a day with a 5-day lead time gives reorder point 400 and optimal stock level 480.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final

from stockcore.domain import InvalidValue, parse_number

DEFAULT_SERVICE_LEVEL: Final = 0.95
MAX_LEAD_TIME_DAYS: Final = 365
MAX_DAILY_DEMAND: Final = 1_000_000.0


def parse_daily_demand(value: object) -> float:
    demand = parse_number(value, "daily demand")
    if demand < 0:
        raise InvalidValue("daily demand", value, "must not be negative")
    if demand > MAX_DAILY_DEMAND:
        raise InvalidValue("daily demand", value, f"is more than {MAX_DAILY_DEMAND:,.0f} a day")
    return demand


def parse_lead_time(value: object) -> float:
    days = parse_number(value, "lead time")
    if days <= 0:
        raise InvalidValue("lead time", value, "must be more than 0 days")
    if days > MAX_LEAD_TIME_DAYS:
        raise InvalidValue("lead time", value, f"is more than {MAX_LEAD_TIME_DAYS} days")
    return days


def parse_spread(value: object, field: str) -> float:
    spread = parse_number(value, field)
    if spread < 0:
        raise InvalidValue(field, value, "must not be negative")
    return spread


@dataclass(frozen=True)
class StockLevels:
    """The numbers behind an order, each explained by `explain()`."""

    daily_demand: float
    lead_time_days: float
    service_level: float
    z: float
    sigma: float | None  # sd of demand over the lead time; None without any variability
    lead_time_demand: float
    safety_stock: float
    reorder_point: float
    optimal_stock_level: float

    def explain(self) -> str:
        text = (
            f"Over a {self.lead_time_days:g}-day lead time at {self.daily_demand:,.2f} a day, "
            f"{self.lead_time_demand:,.2f} units are expected to sell."
        )
        if self.sigma is None:
            return text + (
                " No variability is known, so the reorder point is that lead-time demand and "
                f"the safety stock defaults to one day of demand ({self.safety_stock:,.2f})."
            )
        return text + (
            f" That demand varies with a standard deviation of {self.sigma:,.2f} units; "
            f"covering it {self.service_level:.0%} of the time takes {self.z:.3f} of those, "
            f"a safety stock of {self.safety_stock:,.2f}. Reorder point: "
            f"{self.lead_time_demand:,.2f} + {self.safety_stock:,.2f} = {self.reorder_point:,.2f}."
        )


def stock_levels(
    daily_demand: float,
    lead_time_days: float,
    *,
    demand_std: float | None = None,
    lead_time_std: float | None = None,
    service_level: float = DEFAULT_SERVICE_LEVEL,
) -> StockLevels:
    """Safety stock, reorder point and optimal stock level for one product."""
    z = NormalDist().inv_cdf(service_level)
    lead_time_demand = daily_demand * lead_time_days
    if demand_std is None and lead_time_std is None:
        safety_stock = daily_demand
        return StockLevels(
            daily_demand, lead_time_days, service_level, z, None,
            lead_time_demand, safety_stock, lead_time_demand, lead_time_demand + safety_stock,
        )  # fmt: skip
    sd_d = demand_std or 0.0
    sd_l = lead_time_std or 0.0
    sigma = math.sqrt(lead_time_days * sd_d**2 + daily_demand**2 * sd_l**2)
    safety_stock = max(0.0, z * sigma)
    reorder_point = lead_time_demand + safety_stock
    return StockLevels(
        daily_demand, lead_time_days, service_level, z, sigma,
        lead_time_demand, safety_stock, reorder_point, reorder_point + safety_stock,
    )  # fmt: skip


def economic_order_quantity(
    annual_demand: float, ordering_cost: float, holding_cost_per_unit_year: float
) -> float:
    """Wilson's EOQ: sqrt(2 x annual demand x cost per order / holding cost per unit-year)."""
    if annual_demand <= 0 or ordering_cost <= 0 or holding_cost_per_unit_year <= 0:
        return 0.0
    return math.sqrt(2 * annual_demand * ordering_cost / holding_cost_per_unit_year)


def round_order(quantity: float, *, minimum: int = 1, pack_size: int = 1) -> int:
    """Whole packs covering `quantity`, at least the supplier's minimum (0 stays 0)."""
    if quantity <= 0:
        return 0
    pack = max(1, pack_size)
    wanted = max(float(quantity), float(max(1, minimum)))
    return int(math.ceil(wanted / pack - 1e-9) * pack)


def order_quantity(
    target_level: float,
    on_hand: int,
    on_order: int,
    *,
    minimum: int = 1,
    pack_size: int = 1,
) -> int:
    """Units to order to bring stock on hand plus on order up to `target_level`."""
    return round_order(target_level - on_hand - on_order, minimum=minimum, pack_size=pack_size)
