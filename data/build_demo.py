"""Build the committed demo data set from the real UCI Online Retail sales data.

Offline, deterministic developer script; the app never runs it. It reads the two parquet files
described in ``shared/data/README.md`` and writes, next to this script:

* ``demo_products.csv`` -- about 60 real products (code, name, price are real; category is derived
  by keyword rules; cost, stock level, restock threshold, supplier and lead time are invented);
* ``demo_sales.csv`` -- the real daily sales of exactly those products over two years
  (2009-12-01 .. 2011-12-09), with returns netted against the purchases they cancel.

Usage::

    python data/build_demo.py [SHARED_DATA_DIR]

``SHARED_DATA_DIR`` defaults to ``../shared/data`` relative to the repository root.
Derived from UCI Online Retail / Online Retail II (Chen, Sain and Guo 2012), CC BY 4.0.
"""

from __future__ import annotations

import argparse
import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

OUT_DIR = Path(__file__).resolve().parent
REPO_ROOT = OUT_DIR.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
FILE_2009 = "online_retail_ii_2009_2010.parquet"
FILE_2010 = "online_retail_2010_2011.parquet"
OVERLAP_END = pd.Timestamp("2010-12-10")  # rows of the 2010-2011 file before this are duplicates

SEED = 20111209
HUGE_LINE_UNITS = 10_000  # single order lines this large are cancelled bulk orders / oddities
N_FREQUENT = 45  # best sellers by revenue that sell on at least half of the trading days
N_INTERMITTENT = 15  # slower sellers that sell on fewer than half of the trading days
MIN_PER_CATEGORY = 4
MAX_PER_CATEGORY = 9
MAX_OTHER = 3
RECENT_DAYS = 90
N_BELOW_THRESHOLD = 9
N_JUST_ABOVE = 4

ATTRIBUTION = (
    "# Derived from UCI Online Retail / Online Retail II (Chen, Sain and Guo 2012), "
    "CC BY 4.0. See data/README.md.\n"
)

# Keyword rules on the upper-case description; whole words, regular expressions allowed.
# First matching rule wins: a few specific phrases first, then broad keywords by category.
# fmt: off
CATEGORY_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("Home Decor", ("DOORMAT", "CARD HOLDER", "MEMO ?BOARD", "COAT RACK", "DOORSTOP")),
    ("Kitchen & Baking", ("CAKE ?STAND", "FRYING PAN", "LUNCH BOX", "OVEN GLOVE", "EGG")),
    ("Toys & Games", ("SNAP CARDS", "PAINT SET", "SOFT TOY")),
    ("Christmas", ("CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "SLEIGH", "SNOWFLAKES?")),
    ("Home & Comfort", ("HOT WATER BOTTLE", "HOTTIE", "HAND WARMER", "THROW", "CUSHION",
                        "BLANKET", "SLIPPERS")),
    ("Candles & Lights", ("T-LIGHT", "LIGHTS?", r"\w*CANDLES?", "LANTERNS?", "LAMP", "HLDR",
                          "TORCH")),
    ("Bags", ("BAGS?", "SHOPPER", "PURSE", "TOTE")),
    ("Garden & Outdoor", ("GARDEN", "GARDENERS", "PARASOL", "UMBRELLA", "PICNIC", "PLANT",
                          "FLYTRAP", "BIRD FEEDER", "WATERING", "BIRDCAGE", "WINDMILL")),
    ("Toys & Games", ("TOYS?", "GAMES?", "DOLL", "HARMONICA", "ALPHABET BLOCKS", "SKITTLES",
                      "DOMINOES", "JIGSAW", "FELTCRAFT")),
    ("Party", ("PARTY", "BUNTING", "BALLOONS?", "PAPER CHAIN", "GARLAND", "POPCORN",
               "PAPER CUPS", "PAPER PLATES", "LEIS", "SOMBRERO", "FANCY DRESS")),
    ("Kitchen & Baking", ("CAKE", "CAKESTAND", "BAKING", "TEA", "TEACUP", "TEAPOT", "COFFEE",
                          "MUGS?", "CUTLERY", "BOWLS?", "JARS?", "TINS?", "SNACK BOX(ES)?",
                          "RECIPE", "JAM", "NAPKINS", "PANTRY", "BREAD", "SPICE", "JELLY",
                          "PLATES?", "CUPS?", "KITCHEN")),
    ("Stationery & Wrap", ("WRAP", "CARDS?", "PAPER", "NOTEBOOK", "PENS?", "PENCILS?",
                           "STICKERS?", "RIBBONS?", "TAPE", "TISSUES?", "ENVELOPES?", "DOILIES")),
    ("Home Decor", ("SIGN", "FRAME", "HEARTS?", "WICKER", "ORNAMENT", "DECORATION", "CLOCK",
                    "CABINET", "DRAWER", "CHALKBOARD", "BLACK BOARD", "CHEST", "STORAGE",
                    "BLOCK WORD", "BLOCK LETTERS", "TRINKET", "MIRROR", "HOOKS?", "CRATES?",
                    "BOX(ES)?", "FAN", "DUCKS")),
]
# fmt: on
OTHER = "Other"

# Invented suppliers: (name, lead time in days) and which categories they deliver.
SUPPLIERS: dict[str, int] = {
    "Kent Homeware Ltd": 7,
    "Brightwick Lighting Co": 12,
    "Thames Paper & Party": 5,
    "Northfield Textiles": 14,
    "Orient Gift Imports": 21,
}
# Invented supplier terms: (pack size, minimum order quantity, lead-time sd in days).
SUPPLIER_TERMS: dict[str, tuple[int, int, float]] = {
    "Kent Homeware Ltd": (6, 12, 1.0),
    "Brightwick Lighting Co": (12, 24, 2.0),
    "Thames Paper & Party": (12, 12, 0.5),
    "Northfield Textiles": (10, 10, 2.5),
    "Orient Gift Imports": (24, 48, 4.0),
}
SUPPLIER_BY_CATEGORY: dict[str, str] = {
    "Kitchen & Baking": "Kent Homeware Ltd",
    "Home Decor": "Kent Homeware Ltd",
    "Garden & Outdoor": "Kent Homeware Ltd",
    "Candles & Lights": "Brightwick Lighting Co",
    "Christmas": "Orient Gift Imports",
    "Toys & Games": "Orient Gift Imports",
    "Party": "Thames Paper & Party",
    "Stationery & Wrap": "Thames Paper & Party",
    "Bags": "Northfield Textiles",
    "Home & Comfort": "Northfield Textiles",
    OTHER: "Orient Gift Imports",
}

_CATEGORY_PATTERNS = [
    (category, re.compile(r"\b(?:" + "|".join(words) + r")\b"))
    for category, words in CATEGORY_RULES
]


def categorize(description: str) -> str:
    """Return the category of a product from keyword rules on its (upper-case) description."""
    text = description.upper()
    for category, pattern in _CATEGORY_PATTERNS:
        if pattern.search(text):
            return category
    return OTHER


def nice_name(description: str) -> str:
    """Title-case a shop description, keeping tokens with digits (3D, 15CM) upper-case."""
    text = re.sub(r"\s+", " ", description.replace('"', "")).replace(" ,", ",").strip(" .#")

    def fix(part: str) -> str:
        return part.replace("'S", "'s") if any(ch.isdigit() for ch in part) else part.capitalize()

    return re.sub(r"[^ /-]+", lambda m: fix(m.group()), text)


def load_lines(shared: Path) -> pd.DataFrame:
    """Read both files into one frame of clean product order lines, without the overlap.

    Columns: invoice, product_id, description, quantity, ts, price, customer, source.
    """
    older = pd.read_parquet(shared / FILE_2009).rename(
        columns={"Invoice": "invoice", "Price": "price", "Customer ID": "customer"}
    )
    newer = pd.read_parquet(shared / FILE_2010).rename(
        columns={"InvoiceNo": "invoice", "UnitPrice": "price", "CustomerID": "customer"}
    )
    return (
        pd.concat([older.assign(source=2009), newer.assign(source=2010)], ignore_index=True)
        .rename(
            columns={
                "StockCode": "product_id",
                "Description": "description",
                "Quantity": "quantity",
            }
        )
        .assign(
            invoice=lambda d: d["invoice"].astype(str),
            product_id=lambda d: d["product_id"].str.strip().str.upper(),
            ts=lambda d: pd.to_datetime(d["InvoiceDate"]),
            price=lambda d: d["price"].round(2),
            # The 2010-2011 file codes an unknown customer as 0.
            customer=lambda d: d["customer"].where(d["customer"] > 0).astype("Int64"),
        )
        .loc[lambda d: ~((d["source"] == 2010) & (d["ts"] < OVERLAP_END))]
        .loc[lambda d: d["product_id"].str.match(r"\d")]
        .loc[lambda d: d["price"] > 0]
        .loc[lambda d: d["quantity"].abs() < HUGE_LINE_UNITS]
        .drop(columns=["InvoiceDate", "Country"])
        .reset_index(drop=True)
    )


def net_returns(lines: pd.DataFrame) -> pd.DataFrame:
    """Subtract each return from the purchases it most plausibly cancels.

    A return (invoice starting with "C", negative quantity) cancels the same customer's most recent
    purchases of the product at or before its time; if the customer is unknown or bought none, it
    cancels the product's most recent sales instead. What it cannot cancel is dropped. Returns the
    purchase lines with their remaining quantity, lines reduced to 0 removed.
    """
    is_return = lines["invoice"].str.startswith("C")
    sales = (
        lines.loc[~is_return & (lines["quantity"] > 0)]
        .sort_values(["ts", "invoice", "product_id"], kind="stable")
        .reset_index(drop=True)
    )
    returns = lines.loc[is_return & (lines["quantity"] < 0)].sort_values("ts", kind="stable")
    remaining = sales["quantity"].to_numpy().copy()
    times = sales["ts"].to_numpy()
    customers = sales["customer"].fillna(-1).to_numpy()
    by_product = sales.groupby("product_id").indices  # row positions, in time order

    for ret in returns.itertuples(index=False):
        positions = by_product.get(ret.product_id, np.array([], dtype=int))
        earlier = positions[times[positions] <= ret.ts.to_datetime64()]
        earlier = earlier[remaining[earlier] > 0]
        own = earlier[customers[earlier] == ret.customer] if pd.notna(ret.customer) else []
        to_cancel = -ret.quantity
        for i in reversed(own if len(own) else earlier):
            taken = min(to_cancel, remaining[i])
            remaining[i] -= taken
            to_cancel -= taken
            if to_cancel == 0:
                break

    return sales.assign(quantity=remaining).loc[lambda d: d["quantity"] > 0]


def product_stats(lines: pd.DataFrame) -> pd.DataFrame:
    """Per product: revenue, share of trading days with a sale, name, price, category."""
    sales = lines.loc[lines["quantity"] > 0]
    trading_days = sales["ts"].dt.normalize().nunique()
    first_day = sales["ts"].min().normalize()
    newer = sales.loc[sales["source"] == 2010]
    return (
        lines.assign(revenue=lines["quantity"] * lines["price"])
        .groupby("product_id")
        .agg(revenue=("revenue", "sum"))
        .join(
            sales.groupby("product_id").agg(
                days=("ts", lambda s: s.dt.normalize().nunique()),
                first_sale=("ts", "min"),
                last_sale=("ts", "max"),
            )
        )
        .join(
            newer.groupby("product_id").agg(
                description=("description", lambda s: s.mode().iat[0]),
                unit_price=("price", lambda s: s.mode().iat[0]),
            ),
            how="inner",  # products must be sold in the 2010-2011 file
        )
        .assign(
            day_share=lambda d: d["days"] / trading_days,
            since_start=lambda d: d["first_sale"] < first_day + pd.Timedelta(days=RECENT_DAYS),
            recent=lambda d: (
                d["last_sale"] > sales["ts"].max().normalize() - pd.Timedelta(days=RECENT_DAYS)
            ),
            name=lambda d: d["description"].map(nice_name),
            category=lambda d: d["description"].map(categorize),
        )
        .sort_values(["revenue", "product_id"], ascending=[False, True])
    )


def select_products(stats: pd.DataFrame) -> pd.DataFrame:
    """Pick the best frequent sellers and the best intermittent ones.

    Each category gets at least MIN_PER_CATEGORY and at most MAX_PER_CATEGORY products.
    """
    eligible = stats.loc[stats["recent"] & stats["name"].str.len().gt(0)]
    frequent = eligible.loc[eligible["day_share"] >= 0.5]
    # Intermittent: on sale for the whole two years, yet sold on fewer than half the days.
    intermittent = eligible.loc[(eligible["day_share"] < 0.5) & eligible["since_start"]]

    chosen: list[str] = []
    per_category: Counter[str] = Counter()

    def pick(pool: pd.DataFrame, wanted: int) -> None:
        for product_id, category in pool["category"].items():
            cap = MAX_OTHER if category == OTHER else MAX_PER_CATEGORY
            if wanted <= 0:
                return
            if product_id in chosen or per_category[category] >= cap:
                continue
            chosen.append(str(product_id))
            per_category[category] += 1
            wanted -= 1

    pick(frequent, N_FREQUENT)
    # Give every category a few products, preferring intermittent sellers, then fill up.
    for category in dict.fromkeys(category for category, _ in CATEGORY_RULES):
        missing = MIN_PER_CATEGORY - per_category[category]
        pick(intermittent.loc[intermittent["category"] == category], missing)
        pick(
            frequent.loc[frequent["category"] == category],
            MIN_PER_CATEGORY - per_category[category],
        )
    pick(intermittent, N_FREQUENT + N_INTERMITTENT - len(chosen))
    return stats.loc[chosen]


def daily_sales(sales: pd.DataFrame) -> pd.DataFrame:
    """Aggregate netted purchase lines to one row per (date, product_id, unit_price, customer):
    what each customer bought of a product on a day ('' for an unknown customer)."""
    return (
        sales.assign(
            date=sales["ts"].dt.strftime("%Y-%m-%d"),
            customer_id=sales["customer"].astype("string").fillna(""),
        )
        .rename(columns={"price": "unit_price"})
        .groupby(["date", "product_id", "unit_price", "customer_id"], as_index=False)["quantity"]
        .sum()
        .loc[
            lambda d: d["quantity"] > 0,
            ["date", "product_id", "quantity", "unit_price", "customer_id"],
        ]
        .sort_values(["date", "product_id", "unit_price", "customer_id"])
        .reset_index(drop=True)
    )


def invent_stock(products: pd.DataFrame, sales: pd.DataFrame, rng: random.Random) -> pd.DataFrame:
    """Add invented cost, supplier and its terms, restock threshold and stock quantity."""
    last_day = pd.Timestamp(sales["date"].max())
    since = (last_day - pd.Timedelta(days=RECENT_DAYS - 1)).strftime("%Y-%m-%d")
    recent_units = sales.loc[sales["date"] >= since].groupby("product_id")["quantity"].sum()

    out = products.assign(
        supplier=lambda d: d["category"].map(SUPPLIER_BY_CATEGORY),
        lead_time_days=lambda d: d["supplier"].map(SUPPLIERS),
        daily_units=lambda d: d.index.map(recent_units).fillna(0) / RECENT_DAYS,
    ).sort_index()
    out["unit_cost"] = [
        max(0.01, round(price * rng.uniform(0.45, 0.65), 2)) for price in out["unit_price"]
    ]
    out["restock_threshold"] = [
        max(2, math.ceil(units * lead))
        for units, lead in zip(out["daily_units"], out["lead_time_days"], strict=True)
    ]

    order = list(out.index)
    rng.shuffle(order)
    below = order[:N_BELOW_THRESHOLD]
    just_above = set(order[N_BELOW_THRESHOLD : N_BELOW_THRESHOLD + N_JUST_ABOVE])
    quantities: dict[str, int] = {}
    for product_id in order:
        threshold = int(out.at[product_id, "restock_threshold"])
        if product_id in below:
            rank = below.index(product_id)
            if rank < 3:  # sold out
                quantity = 0
            elif rank < 6:  # nearly sold out
                quantity = min(rng.randint(1, 3), threshold - 1)
            else:  # below threshold
                quantity = int(threshold * rng.uniform(0.3, 0.9))
        elif product_id in just_above:
            quantity = threshold + 1 + int(threshold * rng.uniform(0.0, 0.15))
        else:
            quantity = round(threshold * rng.uniform(1.5, 4.0))
        quantities[product_id] = quantity
    terms = out["supplier"].map(SUPPLIER_TERMS)
    return out.assign(
        quantity=pd.Series(quantities),
        pack_size=[t[0] for t in terms],
        min_order_quantity=[t[1] for t in terms],
        lead_time_sd_days=[t[2] for t in terms],
        service_level="",  # each product uses its ABC class's setting
    ).sort_values("product_id")


def write_csv(frame: pd.DataFrame, path: Path, note: str) -> None:
    """Write a CSV preceded by the attribution and a note, as comment lines."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(ATTRIBUTION)
        handle.write(f"# {note}\n")
        frame.to_csv(handle, index=False, float_format="%.2f", lineterminator="\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "shared",
        nargs="?",
        type=Path,
        default=DEFAULT_SHARED,
        help=f"directory holding the two parquet files (default: {DEFAULT_SHARED})",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)

    lines = load_lines(args.shared)
    products = select_products(product_stats(lines))
    sales = daily_sales(net_returns(lines.loc[lines["product_id"].isin(products.index)]))
    products = invent_stock(products, sales, random.Random(SEED))

    columns = [
        "name",
        "category",
        "unit_price",
        "unit_cost",
        "quantity",
        "restock_threshold",
        "supplier",
        "lead_time_days",
        "min_order_quantity",
        "pack_size",
        "lead_time_sd_days",
        "service_level",
    ]
    write_csv(
        products.rename_axis("product_id").reset_index()[["product_id", *columns]],
        args.out / "demo_products.csv",
        "Codes, names and prices are real; costs, stock, thresholds and suppliers are invented.",
    )
    write_csv(
        sales,
        args.out / "demo_sales.csv",
        f"Real daily sales of the demo products per customer, {sales['date'].min()} .. "
        f"{sales['date'].max()}, returns netted.",
    )
    below = int((products["quantity"] < products["restock_threshold"]).sum())
    print(
        f"{len(products)} products ({below} below threshold), {len(sales)} sales rows "
        f"{sales['date'].min()} .. {sales['date'].max()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
