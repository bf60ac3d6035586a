"""The only Streamlit-aware part of stockcore: the cached database, cached loaders,
cache clearing after writes, how refusals show, a few shared widgets, and the mark a run
gets when app.py's router runs the page.

Cached loaders take the database URL and the shop's data version (never a widget read
inside) as part of their key: the version, read once per run (`begin_run`), changes with
every write committed by any process (the API, the CLI, another dashboard), so each run
shows the shop as it is now, and a view is computed again only when something changed.
Every write made here also calls `changed()`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Concatenate, Final, Generic, ParamSpec, TypeVar

import streamlit as st

import stockcore.forecasting.large_orders  # not `large_orders`: ui.large_orders is a module
from stockcore import inventory
from stockcore.domain import (
    AlertStatus,
    Conflict,
    Forbidden,
    Invalid,
    InvalidValue,
    NotFound,
    Product,
    StockcoreError,
    Throttled,
    Unauthenticated,
    as_sentence,
)
from stockcore.forecasting import views
from stockcore.inventory import reports
from stockcore.inventory.demo import open_shop
from stockcore.persistence.data_version import data_version
from stockcore.persistence.db import Database, database_url
from stockcore.replenishment import plan
from stockcore.replenishment import purchase_orders as ordering

P = ParamSpec("P")
T = TypeVar("T")
# Only a bound on memory: a cached view is dropped as soon as the shop changes (`begin_run`).
CACHE_SECONDS = 15 * 60
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


# The shop's data version this run reads (set by `begin_run`); None: read it at each use.
_RUN_VERSION: ContextVar[int | None] = ContextVar("stockcore_run_version", default=None)


class PerDatabase(Generic[T]):
    """What this server keeps about each database (by URL), behind a lock; made once per
    server by an `st.cache_resource` function."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_url: dict[str, T] = {}


@st.cache_resource
def _last_version() -> PerDatabase[int]:
    """The data version this server last read, per database URL."""
    return PerDatabase()


def _read_version() -> int:
    """The shop's data version now; the first run to see it changed drops every cached view
    (all are stale then: this keeps no more than one version's views in memory)."""
    last, url = _last_version(), database_url()
    with last.lock:
        version = data_version(database())
        if last.by_url.setdefault(url, version) != version:
            last.by_url[url] = version
            st.cache_data.clear()
    return version


def begin_run() -> None:
    """The frame's first step on every run (and a fragment's, if it shows the shop's
    numbers): read the shop's data version once, for every loader of this run."""
    _RUN_VERSION.set(_read_version())


def shop_version() -> int:
    """The shop's data version this run reads (every write committed since it began,
    from any process, shows on the next run)."""
    version = _RUN_VERSION.get()
    return _read_version() if version is None else version


# How many writes this session has made (not the shop's data version, which counts all).
_SESSION_WRITES = "_stockcore_session_writes"


def changed() -> None:
    """Call after every write: cached numbers are stale now, and so are product pickers and
    every result `remember`ed before it."""
    st.cache_data.clear()
    st.session_state[_SESSION_WRITES] = st.session_state.get(_SESSION_WRITES, 0) + 1
    if _RUN_VERSION.get() is not None:
        begin_run()  # the rest of this run reads the shop with this write


_REFILL = "_stockcore_refill"


def forget_inputs(prefix: str, showing: Mapping[str, object]) -> None:
    """Drop the typed values of the widgets whose keys start with `prefix`; on the next run
    (after st.rerun()) the widgets keyed in `showing` show those values (an emptied form's
    starting values, or the values as saved). Dropping alone is not enough: a browser
    keeps showing what was typed in a widget whose key stays the same, until the server
    sends it a value set before the widget is drawn (`refill_inputs`)."""
    for key in [key for key in st.session_state if str(key).startswith(prefix)]:
        del st.session_state[key]
    st.session_state[_REFILL] = dict(showing)


def refill_inputs() -> None:
    """The frame's first step on every run: set the values `forget_inputs` left for the
    widgets of this run, before any widget is drawn."""
    for key, value in st.session_state.pop(_REFILL, {}).items():
        st.session_state[key] = value


def remember(key: str, value: object) -> None:
    """Keep a page's result (a backtest, say) for this session, until the shop changes."""
    st.session_state[key] = (st.session_state.get(_SESSION_WRITES, 0), value)


def recall(key: str) -> Any:
    """What `remember` kept under `key`, or None once the shop has changed since."""
    kept = st.session_state.get(key)
    if kept is None or kept[0] != st.session_state.get(_SESSION_WRITES, 0):
        st.session_state.pop(key, None)
        return None
    return kept[1]


def unseen_alerts(alerts: list[reports.AlertView]) -> int:
    """How many of these alerts nobody has acknowledged yet."""
    return sum(1 for alert in alerts if alert.status == AlertStatus.OPEN)


# --- Refusals -----------------------------------------------------------------------------------

# How the dashboard shows each category of refusal, once (the first that matches): a warning
# for what passes by itself (a thing gone meanwhile, a pause after failed sign-ins), an error
# for what the person has to change. A bare StockcoreError (operational) is an error too.
_REFUSALS: Final = (
    (Invalid, st.error, "Refused", ":material/block:"),
    (NotFound, st.warning, "Not found", ":material/search_off:"),
    (Conflict, st.error, "Refused", ":material/block:"),
    (Forbidden, st.error, "Not allowed", ":material/lock:"),
    (Unauthenticated, st.error, "Not signed in", ":material/block:"),
    (Throttled, st.warning, "Not now", ":material/hourglass_top:"),
)


def show_refusal(refusal: StockcoreError) -> None:
    """A use case's refusal as one message on the page: its category's lead, then its words."""
    show, lead, icon = next(
        ((show, lead, icon) for kind, show, lead, icon in _REFUSALS if isinstance(refusal, kind)),
        (st.error, "Refused", ":material/block:"),
    )
    text = str(refusal)
    show(f"{lead}: {text}" if text.endswith((".", "!", "?")) else f"{lead}: {text}.", icon=icon)


class FieldMessages:
    """The inputs of one form, each with a place under it for its refusal: a value the
    shop cannot accept is named right where it was typed, not only at the top."""

    def __init__(self) -> None:
        self._places: dict[str, Any] = {}

    def place(self, *fields: str) -> None:
        """Call right after an input: refusals of these fields (as the use case names
        them) show here."""
        here = st.empty()
        for field in fields:
            self._places[field] = here

    def attempt(self, action: Callable[[], T]) -> T | None:
        """`attempt`, with a refusal of a placed field shown under that field."""
        try:
            return action()
        except InvalidValue as refusal:
            place = self._places.get(refusal.field)
            if place is None:
                show_refusal(refusal)
            else:
                place.error(as_sentence(str(refusal)), icon=":material/block:")
        except StockcoreError as refusal:
            show_refusal(refusal)
        return None


def attempt(action: Callable[[], T]) -> T | None:
    """Run a use case; show its refusal as a message instead of a traceback (None then)."""
    try:
        return action()
    except StockcoreError as refusal:
        show_refusal(refusal)
    return None


# --- Cached loaders -----------------------------------------------------------------------------


def cached(
    use_case: Callable[Concatenate[Database, P], T],
    *,
    ttl: int = CACHE_SECONDS,
    spinner: bool | str = False,
) -> Callable[P, T]:
    """A loader for a page: `use_case` called with the shop's database and the loader's own
    arguments, its result cached per database URL, data version (`shop_version`) and
    arguments: computed again once anything was written, by any process. `ttl` (seconds)
    only bounds how long an unused result stays in memory."""

    def by_version(url: str, version: int, *args: P.args, **kwargs: P.kwargs) -> T:
        return use_case(database(), *args, **kwargs)

    # st.cache_data keeps one cache per function, told apart by module, qualified name and
    # source, which this inner function shares with every other loader: name it after its
    # use case, or the loaders would answer for each other.
    by_version.__qualname__ = f"cached({use_case.__module__}.{use_case.__qualname__})"
    cached_by_version = st.cache_data(ttl=ttl, show_spinner=spinner)(by_version)

    def load(*args: P.args, **kwargs: P.kwargs) -> T:
        return cached_by_version(database_url(), shop_version(), *args, **kwargs)

    load.__doc__ = use_case.__doc__
    return load


settings = cached(inventory.get_settings)
products = cached(reports.inventory)
categories = cached(reports.categories)
overview = cached(reports.overview)
closest_to_running_out = cached(reports.closest_to_running_out)
active_alerts = cached(reports.active_alerts)
lead_time_alerts = cached(reports.lead_time_alerts)
recent_resolved_alerts = cached(reports.recent_resolved_alerts)
movements = cached(reports.movements)
sales_summary = cached(reports.sales_summary)
sales_bounds = cached(reports.sales_date_bounds)
report_range = cached(reports.report_range)
product_forecast = cached(views.product_forecast)
forecast_catalog = cached(views.catalog)
latest_forecast_run = cached(views.latest_run)
reorder_plan = cached(plan.reorder_list)
large_order_customers = cached(
    stockcore.forecasting.large_orders.large_order_customers,
    spinner="Looking for large orders…",
)
purchase_orders = cached(ordering.purchase_orders)
_group_forecast = cached(views.group_forecast, spinner="Forecasting…")


def group_forecast(category: str | None, *, days: int, today: date) -> views.ForecastView:
    """A category's or (None) the whole shop's forecast, made on demand from its sales (made
    again once the shop changed), expecting the shop closed on the public holidays set in
    Settings."""
    holidays = settings().holiday_country or None
    return _group_forecast(category, days=days, today=today, holidays_country=holidays)


def money(amount: Decimal | float | int, *, pence: bool = True) -> str:
    return settings().money(amount, pence=pence)


# --- Shared widgets -----------------------------------------------------------------------------


def percent(share: float) -> str:
    """A share as a percentage that reads back exactly: 0.95 -> "95%", 0.9925 -> "99.25%"."""
    return f"{round(share * 100, 6):g}%"


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
        key=f"{key}_v{st.session_state.get(_SESSION_WRITES, 0)}",
    )


def date_range_picker(key: str, today: date) -> tuple[date, date]:
    """From/to dates, defaulting to the last 90 days of sales (or of the calendar)."""
    bounds = sales_bounds()
    default = report_range(today=today)
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
