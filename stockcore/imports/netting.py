"""Returns netted against the sales they undo, order-line keys, and large-line warnings.

Pure functions on the frame of sale lines `parse_sales` keeps (line, sold_at,
product_id, quantity, unit_price_minor, order_id, customer_id); no database.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stockcore.imports.reading import TEXT, rows_where

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
    counted. The lines come back in time order, numbered from 0.
    """
    in_time_order = np.lexsort((lines["line"].to_numpy(), lines["sold_at"].to_numpy()))
    returned = lines["quantity"].to_numpy()[in_time_order] < 0
    sales = rows_where(lines, in_time_order[~returned])
    returns = rows_where(lines, in_time_order[returned])
    if returns.empty:
        return Netted(sales, 0, 0, 0)
    remaining = sales["quantity"].to_numpy().copy()
    times = sales["sold_at"].to_numpy()
    # Candidate sales per product and per (product, customer), as positions in time order
    # (sales are sorted by time; groupby indices keep that order). Only products and
    # customers that have returns are grouped, and only the columns grouped by are copied.
    positions = np.arange(len(sales))
    relevant = sales["product_id"].isin(set(returns["product_id"])).to_numpy()
    at_relevant = positions[relevant]  # once: indexing it per key would be O(lines x keys)
    by_product = {
        key: at_relevant[index]
        for key, index in sales.loc[relevant, ["product_id"]]
        .groupby("product_id", sort=False)
        .indices.items()
    }
    pairs = sales["product_id"] + "\x1f" + sales["customer_id"]
    wanted = set(returns["product_id"] + "\x1f" + returns["customer_id"])
    named = (pairs.isin(wanted) & (sales["customer_id"] != "")).to_numpy()
    at_named = positions[named]
    by_customer: dict[object, np.ndarray] = {
        key: at_named[index]
        for key, index in sales.loc[named, ["product_id", "customer_id"]]
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
    netted = rows_where(sales, remaining > 0, quantity=remaining)
    return Netted(netted, len(returns), cancelled, unmatched)


def order_line_keys(lines: pd.DataFrame) -> pd.Series:
    """ "order|product|n": the n-th line of that product in that order (None without an order)."""
    has_order = lines["order_id"] != ""
    nth = lines.groupby(["order_id", "product_id"], sort=False).cumcount()
    keys = lines["order_id"] + "|" + lines["product_id"] + "|" + nth.astype(TEXT)
    return keys.where(has_order)


def large_line_warnings(lines: pd.DataFrame, limit: int = 5) -> list[str]:
    """Single lines far above the product's usual line size (a bulk or mistaken order)."""
    if lines.empty:
        return []
    usual = lines.groupby("product_id")["quantity"].transform("median")
    count = lines.groupby("product_id")["quantity"].transform("size")
    large = (
        (count >= 5)
        & (lines["quantity"] >= LARGE_LINE_MINIMUM)
        & (lines["quantity"] > usual * LARGE_LINE_FACTOR)
    ).to_numpy()
    big = rows_where(lines, large, usual=usual)
    big = big.sort_values("quantity", ascending=False).head(limit)
    return [
        f"line {row['line']}: {row['quantity']:,} units of {row['product_id']} on "
        f"{pd.Timestamp(row['sold_at']).date()} is far above its usual line of "
        f"{row['usual']:,.0f}; check it was not cancelled"
        for row in big.to_dict("records")
    ]
