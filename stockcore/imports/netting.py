"""Returns netted against the sales they undo, order-line keys, and large-line warnings.

Pure functions on the frame of sale lines `parse_sales` keeps (line, sold_at,
product_id, quantity, unit_price_minor, order_id, customer_id); no database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LARGE_LINE_FACTOR = 20
LARGE_LINE_MINIMUM = 100


@dataclass
class Netted:
    lines: pd.DataFrame
    return_lines: int
    units_cancelled: int
    units_unmatched: int


def net_returns(lines: pd.DataFrame) -> Netted:
    """Cancel returned units against the sales they undo.

    A return takes units back from the same customer's latest earlier purchases of
    that product, else from the product's latest earlier sales in the file. Lines
    that reach zero disappear. Units that find no earlier sale are left out and
    counted. Sale lines keep their order key, so a re-import nets the same way.
    """
    returns_mask = lines["quantity"].to_numpy() < 0
    sales = lines[~returns_mask].sort_values(["sold_at", "line"], kind="stable")
    returns = lines[returns_mask].sort_values(["sold_at", "line"], kind="stable")
    if returns.empty:
        return Netted(sales.reset_index(drop=True), 0, 0, 0)
    remaining = sales["quantity"].to_numpy().copy()
    times = sales["sold_at"].to_numpy()
    # Candidate sales per product and per (product, customer), as positions in time order
    # (sales are sorted by time; groupby indices keep that order). Only products and
    # customers that have returns are grouped.
    positions = np.arange(len(sales))
    relevant = sales["product_id"].isin(set(returns["product_id"])).to_numpy()
    at_relevant = positions[relevant]  # once: indexing it per key would be O(lines x keys)
    by_product = {
        key: at_relevant[index]
        for key, index in sales[relevant].groupby("product_id", sort=False).indices.items()
    }
    pairs = sales["product_id"] + "\x1f" + sales["customer_id"]
    wanted = set(returns["product_id"] + "\x1f" + returns["customer_id"])
    named = (pairs.isin(wanted) & (sales["customer_id"] != "")).to_numpy()
    at_named = positions[named]
    by_customer: dict[object, np.ndarray] = {
        key: at_named[index]
        for key, index in sales[named]
        .groupby(["product_id", "customer_id"], sort=False)
        .indices.items()
    }
    empty = np.array([], dtype=np.int64)

    cancelled = unmatched = 0
    for product_id, customer, units, when in zip(
        returns["product_id"],
        returns["customer_id"],
        -returns["quantity"],
        returns["sold_at"].to_numpy(),
        strict=True,
    ):
        left = int(units)
        for candidates in (
            by_customer.get((product_id, customer), empty) if customer else empty,
            by_product.get(product_id, empty),
        ):
            # Only sales at or before the return, latest first.
            stop = int(np.searchsorted(times[candidates], when, side="right"))
            for pos in candidates[:stop][::-1]:
                if left == 0:
                    break
                if remaining[pos] == 0:
                    continue
                take: int = min(left, int(remaining[pos]))
                remaining[pos] -= take
                left -= take
        cancelled += int(units) - left
        unmatched += left
    netted = sales.assign(quantity=remaining)
    netted = netted[netted["quantity"] > 0].reset_index(drop=True)
    return Netted(netted, len(returns), cancelled, unmatched)


def order_line_keys(lines: pd.DataFrame) -> pd.Series:
    """ "order|product|n": the n-th line of that product in that order (None without an order)."""
    has_order = lines["order_id"] != ""
    nth = lines.groupby(["order_id", "product_id"], sort=False).cumcount()
    keys = lines["order_id"] + "|" + lines["product_id"] + "|" + nth.astype(str)
    return keys.where(has_order)


def large_line_warnings(lines: pd.DataFrame, limit: int = 5) -> list[str]:
    """Single lines far above the product's usual line size (a bulk or mistaken order)."""
    if lines.empty:
        return []
    usual = lines.groupby("product_id")["quantity"].transform("median")
    count = lines.groupby("product_id")["quantity"].transform("size")
    # The usual size is attached before filtering: assigning a Series to an empty frame
    # would give it that Series' rows.
    big = lines.assign(usual=usual)[
        (count >= 5)
        & (lines["quantity"] >= LARGE_LINE_MINIMUM)
        & (lines["quantity"] > usual * LARGE_LINE_FACTOR)
    ]
    big = big.sort_values("quantity", ascending=False).head(limit)
    return [
        f"line {row['line']}: {row['quantity']:,} units of {row['product_id']} on "
        f"{pd.Timestamp(row['sold_at']).date()} is far above its usual line of "
        f"{row['usual']:,.0f}; check it was not cancelled"
        for row in big.to_dict("records")
    ]
