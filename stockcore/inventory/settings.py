"""The shop's settings (name, currency, holiday calendar, service levels, EOQ costs),
stored as key/value rows with defaults; and erasing the whole shop."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from sqlalchemy import delete, select

from stockcore.domain import (
    DEFAULT_SERVICE_LEVEL,
    InvalidValue,
    is_blank,
    parse_fraction,
    parse_money,
    parse_service_level,
    parse_text,
)
from stockcore.persistence.db import Database
from stockcore.persistence.models import (
    AlertRow,
    ColumnMappingRow,
    ForecastModelRow,
    ForecastRunRow,
    ImportBatchRow,
    ImportedLineRow,
    LeadTimeDemandRow,
    PredictionRow,
    ProductImportChangeRow,
    ProductRow,
    PurchaseOrderLineRow,
    PurchaseOrderRow,
    SaleLineRow,
    SettingRow,
    ShopDailySalesRow,
    ShopForecastRow,
    StockMovementRow,
)

UNCHANGED: Final[object] = object()  # an optional setting left as it is

CURRENCY_SYMBOL: Final = "currency_symbol"
SHOP_NAME: Final = "shop_name"
HOLIDAY_COUNTRY: Final = "holiday_country"
SERVICE_LEVEL_A: Final = "service_level_a"
SERVICE_LEVEL_B: Final = "service_level_b"
SERVICE_LEVEL_C: Final = "service_level_c"
ORDERING_COST: Final = "ordering_cost"
HOLDING_RATE: Final = "holding_rate"
DEFAULT_SETTINGS: Final = {
    CURRENCY_SYMBOL: "£",
    SHOP_NAME: "My shop",
    HOLIDAY_COUNTRY: "",
    SERVICE_LEVEL_A: str(DEFAULT_SERVICE_LEVEL),
    SERVICE_LEVEL_B: str(DEFAULT_SERVICE_LEVEL),
    SERVICE_LEVEL_C: str(DEFAULT_SERVICE_LEVEL),
    ORDERING_COST: "",
    HOLDING_RATE: "",
}


@dataclass(frozen=True)
class ShopSettings:
    currency_symbol: str
    shop_name: str
    holiday_country: str = ""  # ISO country code whose public holidays Prophet learns; "" = none
    # Target cycle service level per ABC class, for products without their own.
    service_level_a: float = 0.95
    service_level_b: float = 0.95
    service_level_c: float = 0.95
    # EOQ: what placing one order costs, and holding stock per year as a share of its cost.
    # Orders are sized by EOQ only when both are set.
    ordering_cost: Decimal | None = None
    holding_rate: float | None = None

    def service_level_for(self, abc: str) -> float:
        """The service level of an ABC class (A, B or C)."""
        return {"A": self.service_level_a, "B": self.service_level_b}.get(abc, self.service_level_c)

    def money(self, amount: Decimal | float | int, *, pence: bool = True) -> str:
        """Format an amount for people: £1,234.50, or £1,235 with pence=False (headline KPIs)."""
        exponent = Decimal("0.01") if pence else Decimal("1")
        return f"{self.currency_symbol}{Decimal(str(amount)).quantize(exponent):,}"


def parse_holiday_country(value: object) -> str:
    """An ISO 3166 country code the holidays calendar knows (GB, US, DE...), or "" for none."""
    import holidays

    if value is None or (isinstance(value, str) and value.strip().upper() in ("", "NONE")):
        return ""
    code = parse_text(value, "holiday country", max_length=3).upper()
    if code not in holidays.list_supported_countries():
        raise InvalidValue(
            "holiday country", value, "is not a country code the holiday calendar knows (e.g. GB)"
        )
    return code


def parse_holding_rate(value: object) -> float | None:
    """The yearly cost of holding stock as a share of its cost: 0.25, "25%" or 25; blank: none."""
    if is_blank(value):
        return None
    rate = parse_fraction(value, "holding rate")
    if not 0 < rate <= 1:
        raise InvalidValue(
            "holding rate",
            value,
            "must be more than 0% and at most 100% a year (e.g. 25%, 25 or 0.25)",
        )
    return rate


def parse_ordering_cost(value: object) -> Decimal | None:
    """What placing one order costs (delivery, admin); blank or 0: not set."""
    if is_blank(value):
        return None
    cost = parse_money(value, "ordering cost")
    return cost if cost > 0 else None


def get_settings(db: Database) -> ShopSettings:
    with db.read() as session:
        stored = {row.key: row.value for row in session.scalars(select(SettingRow))}
    values = {**DEFAULT_SETTINGS, **stored}
    return ShopSettings(
        values[CURRENCY_SYMBOL],
        values[SHOP_NAME],
        values[HOLIDAY_COUNTRY],
        service_level_a=float(values[SERVICE_LEVEL_A]),
        service_level_b=float(values[SERVICE_LEVEL_B]),
        service_level_c=float(values[SERVICE_LEVEL_C]),
        ordering_cost=Decimal(values[ORDERING_COST]) if values[ORDERING_COST] else None,
        holding_rate=float(values[HOLDING_RATE]) if values[HOLDING_RATE] else None,
    )


def update_settings(
    db: Database,
    *,
    currency_symbol: object = None,
    shop_name: object = None,
    holiday_country: object = None,
    service_levels: Mapping[str, object] | None = None,
    ordering_cost: object = UNCHANGED,
    holding_rate: object = UNCHANGED,
) -> ShopSettings:
    """Save the given settings (None / UNCHANGED: leave as is), all or none.
    `service_levels` maps an ABC class to its service level. An ordering cost or a
    holding rate given as blank clears it."""
    changes: dict[str, str] = {}
    if holiday_country is not None:
        changes[HOLIDAY_COUNTRY] = parse_holiday_country(holiday_country)
    for abc, level in (service_levels or {}).items():
        key = {"A": SERVICE_LEVEL_A, "B": SERVICE_LEVEL_B, "C": SERVICE_LEVEL_C}.get(abc)
        if key is None:
            raise InvalidValue("ABC class", abc, "must be A, B or C")
        changes[key] = repr(parse_service_level(level, f"service level of class {abc}"))
    if ordering_cost is not UNCHANGED:
        cost = parse_ordering_cost(ordering_cost)
        changes[ORDERING_COST] = "" if cost is None else str(cost)
    if holding_rate is not UNCHANGED:
        rate = parse_holding_rate(holding_rate)
        changes[HOLDING_RATE] = "" if rate is None else repr(rate)
    if currency_symbol is not None:
        changes[CURRENCY_SYMBOL] = parse_text(currency_symbol, "currency symbol", max_length=8)
    if shop_name is not None:
        changes[SHOP_NAME] = parse_text(shop_name, "shop name", max_length=100)
    with db.write() as session:
        for key, value in changes.items():
            row = session.get(SettingRow, key)
            if row is None:
                session.add(SettingRow(key=key, value=value))
            else:
                row.value = value
    return get_settings(db)


def erase_shop(db: Database) -> None:
    """Delete every product, sale, movement, alert, import, forecast, purchase order and
    setting: an empty shop, same schema (a file imported before imports again)."""
    with db.write() as session:
        for model in (
            PurchaseOrderLineRow,
            PurchaseOrderRow,
            PredictionRow,
            ForecastModelRow,
            LeadTimeDemandRow,
            ShopForecastRow,
            ForecastRunRow,
            StockMovementRow,
            AlertRow,
            SaleLineRow,
            ImportedLineRow,
            ProductImportChangeRow,
            ShopDailySalesRow,
            ProductRow,
            ImportBatchRow,
            ColumnMappingRow,
            SettingRow,
        ):
            session.execute(delete(model))
