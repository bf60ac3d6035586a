"""Inventory use cases: one function per thing a user does, each one transaction.

Pages, the CLI and the REST API call these and nothing else. Each takes the `Database`
to work on and, where time matters, a `clock`, so tests can pass their own. Each either
does all of its work or, raising a `StockcoreError`, none of it.

* `products` - the product row <-> `Product` mapping; add and edit products
* `stock`    - purchase, receive and adjust stock (row lock, one ledger row each)
* `idempotency` - a retried purchase or sales record (same key) answered once, done once
* `ledger`   - the row lock, the ledger row and units on order, inside a transaction
* `alerts`   - restock and lead-time alerts, raised and resolved; acknowledging them
* `history`  - past sales lines; seeding an empty shop
* `settings` - the shop's settings; erasing the shop
* `reports`, `shop_sales`, `demo` - read-only reports, shop-level daily sales, the demo shop
"""

from __future__ import annotations

from stockcore.inventory.alerts import (
    RaisedAlert,
    acknowledge_alerts,
    sync_lead_time_alerts_in,
    sync_restock_alert_in,
)
from stockcore.inventory.history import (
    HistoryLine,
    record_history,
    seed_shop,
)
from stockcore.inventory.ledger import open_arrivals
from stockcore.inventory.products import (
    EDITABLE_FIELDS,
    add_product,
    insert_product,
    product_values,
    to_product,
    update_products,
)
from stockcore.inventory.settings import (
    UNCHANGED,
    ShopSettings,
    erase_shop,
    get_settings,
    parse_holding_rate,
    parse_holiday_country,
    parse_ordering_cost,
    update_settings,
)
from stockcore.inventory.stock import (
    PurchaseResult,
    StockChange,
    adjust_stock,
    purchase,
    receive_in,
    receive_stock,
)

__all__ = [
    "EDITABLE_FIELDS",
    "UNCHANGED",
    "HistoryLine",
    "PurchaseResult",
    "RaisedAlert",
    "ShopSettings",
    "StockChange",
    "acknowledge_alerts",
    "add_product",
    "adjust_stock",
    "erase_shop",
    "get_settings",
    "insert_product",
    "open_arrivals",
    "parse_holding_rate",
    "parse_holiday_country",
    "parse_ordering_cost",
    "product_values",
    "purchase",
    "receive_in",
    "receive_stock",
    "record_history",
    "seed_shop",
    "sync_lead_time_alerts_in",
    "sync_restock_alert_in",
    "to_product",
    "update_products",
    "update_settings",
]
