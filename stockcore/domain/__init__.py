"""The shop's rules, free of any framework.

Nothing here knows about databases, Streamlit or HTTP. The use cases (`stockcore.inventory`,
`stockcore.imports`, `stockcore.forecasting`, `stockcore.replenishment`, `stockcore.accounts`)
load state, ask these objects what is allowed, and store the outcome in one transaction.

* `errors`  - refusals by category (Invalid, NotFound, Conflict, Forbidden, ...)
* `values`  - strict parsers for what people type and scripts send; limits and defaults
* `product` - Product and Sale
* `alerts`  - ledger movement kinds, alert statuses and the restock alert rule
* `clock`   - the shop's clock, passed to use cases so tests can pass their own
"""

from __future__ import annotations

from stockcore.domain.alerts import (
    AlertAction,
    AlertKind,
    AlertStatus,
    MovementKind,
    as_sentence,
    lead_time_message,
    restock_alert_action,
    restock_message,
    urgency,
)
from stockcore.domain.clock import (
    Clock,
    local_now,
)
from stockcore.domain.errors import (
    Conflict,
    DuplicateProduct,
    Forbidden,
    InsufficientStock,
    Invalid,
    InvalidValue,
    NotFound,
    StockcoreError,
    Throttled,
    Unauthenticated,
    UnknownAlert,
    UnknownProduct,
    show,
)
from stockcore.domain.product import (
    PRODUCT_FIELDS,
    Product,
    Sale,
)
from stockcore.domain.values import (
    CENT,
    CUSTOMER_ID_MAX_LENGTH,
    DEFAULT_CATEGORY,
    DEFAULT_LEAD_TIME_DAYS,
    DEFAULT_SERVICE_LEVEL,
    MAX_LEAD_TIME_DAYS,
    MAX_PRICE,
    MAX_QUANTITY,
    NAME_MAX_LENGTH,
    PRODUCT_ID_MAX_LENGTH,
    is_blank,
    parse_amount,
    parse_customer_id,
    parse_fraction,
    parse_lead_time_spread,
    parse_money,
    parse_number,
    parse_optional_text,
    parse_product_id,
    parse_quantity,
    parse_service_level,
    parse_text,
    parse_whole_number,
    refuse_control_characters,
    text_problem,
)

__all__ = [
    "CENT",
    "CUSTOMER_ID_MAX_LENGTH",
    "DEFAULT_CATEGORY",
    "DEFAULT_LEAD_TIME_DAYS",
    "DEFAULT_SERVICE_LEVEL",
    "MAX_LEAD_TIME_DAYS",
    "MAX_PRICE",
    "MAX_QUANTITY",
    "NAME_MAX_LENGTH",
    "PRODUCT_FIELDS",
    "PRODUCT_ID_MAX_LENGTH",
    "AlertAction",
    "AlertKind",
    "AlertStatus",
    "Clock",
    "Conflict",
    "DuplicateProduct",
    "Forbidden",
    "InsufficientStock",
    "Invalid",
    "InvalidValue",
    "MovementKind",
    "NotFound",
    "Product",
    "Sale",
    "StockcoreError",
    "Throttled",
    "Unauthenticated",
    "UnknownAlert",
    "UnknownProduct",
    "as_sentence",
    "is_blank",
    "lead_time_message",
    "local_now",
    "parse_amount",
    "parse_customer_id",
    "parse_fraction",
    "parse_lead_time_spread",
    "parse_money",
    "parse_number",
    "parse_optional_text",
    "parse_product_id",
    "parse_quantity",
    "parse_service_level",
    "parse_text",
    "parse_whole_number",
    "refuse_control_characters",
    "restock_alert_action",
    "restock_message",
    "show",
    "text_problem",
    "urgency",
]
