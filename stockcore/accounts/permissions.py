"""Roles and what they may do: an owner may do everything, including managing users; a
manager runs the inventory, imports, forecasts and purchase orders; staff make purchases
and read stock. Also which dashboard pages each role sees."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    STAFF = "staff"


class Permission(StrEnum):
    READ_INVENTORY = "read the inventory"
    PURCHASE = "make purchases"
    MANAGE_INVENTORY = "manage the inventory"
    READ_SALES = "read sales reports"
    IMPORT = "import sales data"
    FORECAST = "work with forecasts"
    ORDER = "work with purchase orders"
    SETTINGS = "change the shop's settings"
    MANAGE_USERS = "manage users"


ROLE_PERMISSIONS: Final[Mapping[Role, frozenset[Permission]]] = {
    Role.OWNER: frozenset(Permission),
    Role.MANAGER: frozenset(Permission) - {Permission.SETTINGS, Permission.MANAGE_USERS},
    Role.STAFF: frozenset({Permission.READ_INVENTORY, Permission.PURCHASE}),
}

# The dashboard's pages and what a role needs to see each one (None: everyone).
STOCK_PAGE: Final = "pages/stock.py"
PAGE_PERMISSIONS: Final[Mapping[str, Permission | None]] = {
    "pages/overview.py": Permission.READ_SALES,
    STOCK_PAGE: Permission.READ_INVENTORY,
    "pages/inventory.py": Permission.MANAGE_INVENTORY,
    "pages/purchase.py": Permission.PURCHASE,
    "pages/alerts.py": Permission.MANAGE_INVENTORY,
    "pages/sales.py": Permission.READ_SALES,
    "pages/forecast.py": Permission.FORECAST,
    "pages/reorder.py": Permission.ORDER,
    "pages/backtest.py": Permission.FORECAST,
    "pages/upload.py": Permission.IMPORT,
    "pages/settings.py": Permission.SETTINGS,
    "pages/users.py": Permission.MANAGE_USERS,
    "pages/about.py": None,
}


def may(role: Role | str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def may_see(role: Role | str, page: str) -> bool:
    """Whether a role's navigation lists this page. The read-only stock list is for roles
    that cannot open the Inventory page (which edits)."""
    if page not in PAGE_PERMISSIONS:
        return False
    needed = PAGE_PERMISSIONS[page]
    if page == STOCK_PAGE and may(role, Permission.MANAGE_INVENTORY):
        return False
    return needed is None or may(role, needed)
