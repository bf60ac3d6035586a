"""The only Streamlit-aware part of stockcore: the cached database, cached loaders,
cache clearing after writes, a few shared widgets, and the mark a run gets when app.py's
router runs the page.

Cached loaders take the database URL (never a widget read inside) as part of their
key; every write calls `changed()` so the next run reads fresh numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

import pandas as pd
import streamlit as st

from stockcore import inventory
from stockcore.domain import Product, StockcoreError
from stockcore.forecasting import large_orders, views
from stockcore.inventory import reports
from stockcore.inventory.demo import open_shop
from stockcore.persistence.db import Database, database_url
from stockcore.replenishment import plan
from stockcore.replenishment import purchase_orders as ordering

T = TypeVar("T")
CACHE_SECONDS = 60
DEMO_ENV = "STOCKCORE_DEMO"


def demo_on_new_database() -> bool:
    """A brand-new database gets the demo shop unless STOCKCORE_DEMO=0."""
    return os.environ.get(DEMO_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


@st.cache_resource(show_spinner="Opening the shop…")
def _database(url: str, demo_if_new: bool) -> Database:
    return open_shop(url, demo_if_new=demo_if_new).db


def database() -> Database:
    """The shop's database for this server process (created and migrated on first use)."""
    return _database(database_url(), demo_on_new_database())


_DATA_VERSION = "_stockcore_data_version"


def changed() -> None:
    """Call after every write: cached numbers are stale now, and so are product pickers."""
    st.cache_data.clear()
    st.session_state[_DATA_VERSION] = st.session_state.get(_DATA_VERSION, 0) + 1


def attempt(action: Callable[[], T]) -> T | None:
    """Run a use case; show its refusal as a clear message instead of a traceback."""
    try:
        return action()
    except StockcoreError as refusal:
        st.error(f"Refused: {refusal}", icon=":material/block:")
    return None


# --- Cached loaders -----------------------------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _settings(url: str) -> inventory.ShopSettings:
    return inventory.get_settings(database())


def settings() -> inventory.ShopSettings:
    return _settings(database_url())


def money(amount: Decimal | float | int, *, pence: bool = True) -> str:
    return settings().money(amount, pence=pence)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _products(url: str, category: str | None, search: str | None) -> list[Product]:
    return reports.inventory(database(), category=category, search=search)


def products(category: str | None = None, search: str | None = None) -> list[Product]:
    return _products(database_url(), category, search)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _categories(url: str) -> list[str]:
    return reports.categories(database())


def categories() -> list[str]:
    return _categories(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _overview(url: str, today: date) -> reports.Overview:
    return reports.overview(database(), today)


def overview(today: date) -> reports.Overview:
    return _overview(database_url(), today)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _closest_to_running_out(url: str, limit: int) -> pd.DataFrame:
    return reports.closest_to_running_out(database(), limit)


def closest_to_running_out(limit: int = 15) -> pd.DataFrame:
    return _closest_to_running_out(database_url(), limit)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _active_alerts(url: str) -> list[reports.AlertView]:
    return reports.active_alerts(database())


def active_alerts() -> list[reports.AlertView]:
    return _active_alerts(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _lead_time_alerts(url: str) -> list[reports.AlertView]:
    return reports.lead_time_alerts(database())


def lead_time_alerts() -> list[reports.AlertView]:
    return _lead_time_alerts(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _recent_resolved_alerts(url: str, limit: int) -> list[reports.AlertView]:
    return reports.recent_resolved_alerts(database(), limit)


def recent_resolved_alerts(limit: int = 20) -> list[reports.AlertView]:
    return _recent_resolved_alerts(database_url(), limit)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _movements(url: str, product_id: str | None) -> pd.DataFrame:
    return reports.movements(database(), product_id)


def movements(product_id: str | None = None) -> pd.DataFrame:
    """The newest stock ledger rows, optionally of one product."""
    return _movements(database_url(), product_id)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _sales_summary(url: str, start: date, end: date, period: str) -> reports.SalesSummary:
    return reports.sales_summary(database(), start, end, period)  # type: ignore[arg-type]


def sales_summary(start: date, end: date, period: str) -> reports.SalesSummary:
    return _sales_summary(database_url(), start, end, period)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _sales_bounds(url: str) -> tuple[date, date] | None:
    return reports.sales_date_bounds(database())


def sales_bounds() -> tuple[date, date] | None:
    return _sales_bounds(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _product_forecast(url: str, product_id: str, days: int, today: date) -> views.ForecastView:
    return views.product_forecast(database(), product_id, days=days, today=today)


def product_forecast(product_id: str, days: int, today: date) -> views.ForecastView:
    return _product_forecast(database_url(), product_id, days, today)


@st.cache_data(ttl=15 * 60, show_spinner="Forecasting…")
def _group_forecast(
    url: str, category: str | None, days: int, today: date, holiday_country: str
) -> views.ForecastView:
    return views.group_forecast(
        database(), category, days=days, today=today, holidays_country=holiday_country or None
    )


def group_forecast(category: str | None, days: int, today: date) -> views.ForecastView:
    """A category's or the whole shop's forecast, made on demand (cached for a while)."""
    return _group_forecast(database_url(), category, days, today, settings().holiday_country)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _forecast_catalog(url: str) -> pd.DataFrame:
    return views.catalog(database())


def forecast_catalog() -> pd.DataFrame:
    return _forecast_catalog(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _latest_forecast_run(url: str) -> views.RunInfo | None:
    return views.latest_run(database())


def latest_forecast_run() -> views.RunInfo | None:
    return _latest_forecast_run(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _reorder_plan(url: str, today: date) -> list[plan.ReorderLine]:
    return plan.reorder_list(database(), today=today)


def reorder_plan(today: date) -> list[plan.ReorderLine]:
    return _reorder_plan(database_url(), today)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner="Looking for large orders…")
def _large_order_customers(url: str) -> list[large_orders.LargeOrderCustomer]:
    return large_orders.large_order_customers(database())


def large_order_customers() -> list[large_orders.LargeOrderCustomer]:
    return _large_order_customers(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _purchase_orders(url: str, status: str | None) -> list[ordering.PurchaseOrder]:
    return ordering.purchase_orders(database(), status=status)


def purchase_orders(status: str | None = None) -> list[ordering.PurchaseOrder]:
    return _purchase_orders(database_url(), status)


# --- Shared widgets -----------------------------------------------------------------------------


def product_label(product: Product) -> str:
    return f"{product.product_id} · {product.name} ({product.quantity} in stock)"


def product_picker(
    label: str, key: str, *, items: list[Product] | None = None, default: str | None = None
) -> str | None:
    """A searchable product select box showing stock on hand; returns the chosen product id.

    Its widget key carries a data version that every write bumps: a browser keeps showing
    the old label of a still-selected option ("226 in stock") after the stock changed, so
    after a write the picker is created afresh, with `default` selected.
    """
    choices = items if items is not None else products()
    labels = {p.product_id: product_label(p) for p in choices}
    ids = list(labels)
    return st.selectbox(
        label,
        options=ids,
        format_func=labels.__getitem__,
        index=ids.index(default) if default in labels else None,
        placeholder="Type to search by id or name",
        key=f"{key}_v{st.session_state.get(_DATA_VERSION, 0)}",
    )


def date_range_picker(key: str, today: date) -> tuple[date, date]:
    """From/to dates, defaulting to the last 90 days of sales (or of the calendar)."""
    bounds = sales_bounds()
    default = reports.report_range(database(), today=today)
    default_start, last = default.start, default.end
    first_allowed = bounds[0] if bounds else today - timedelta(days=365)
    picked = st.date_input(
        "Date range",
        value=(default_start, last),
        min_value=min(first_allowed, today - timedelta(days=3650)),
        max_value=max(last, today),
        key=key,
        format="YYYY-MM-DD",
    )
    if isinstance(picked, tuple) and len(picked) == 2:
        return picked[0], picked[1]
    if isinstance(picked, tuple) and len(picked) == 1:
        return picked[0], picked[0]
    if isinstance(picked, date):
        return picked, picked
    return default_start, last


# --- Messages that survive st.rerun() -------------------------------------------------------

_FLASH_KEY = "_stockcore_flash"


def flash(message: str, icon: str = ":material/check_circle:") -> None:
    """Queue a toast for the next run (a toast sent right before st.rerun() would be lost)."""
    st.session_state.setdefault(_FLASH_KEY, []).append((message, icon))


def show_flashes() -> None:
    for message, icon in st.session_state.pop(_FLASH_KEY, []):
        st.toast(message, icon=icon)


# --- Routing --------------------------------------------------------------------------------

_ROUTED: ContextVar[bool] = ContextVar("stockcore_routed", default=False)


def run_page(page: st.Page) -> None:
    """Run the page st.navigation chose (app.py's last step), marked as routed: a page
    that finds no such mark runs without the router (see `auth.guard_page`)."""
    token = _ROUTED.set(True)
    try:
        page.run()
    finally:
        _ROUTED.reset(token)


def routed() -> bool:
    """Whether this page runs inside app.py's router (its frame and login gate)."""
    return _ROUTED.get()
