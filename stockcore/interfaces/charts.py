"""Altair chart builders: one function per chart, tidy DataFrame in, `alt.Chart` out.

Every mark carries a tooltip; encodings are explicit. The theme is set once in
`stockcore.interfaces.ui`, never here. Tests assert on `chart.to_dict()`.
"""

from __future__ import annotations

from typing import Literal

import altair as alt
import pandas as pd

OK_COLOUR = "#1f6f5c"
LOW_COLOUR = "#d1495b"
THRESHOLD_COLOUR = "#222222"
# Product names on a y axis: long enough to tell them apart, short enough to leave a phone
# (390 px) most of its width for the bars; the tooltip has the whole name.
PRODUCT_AXIS = alt.Axis(labelLimit=150)
# Every chart of products names them the same way in its tooltip.
PRODUCT_TOOLTIP = (
    alt.Tooltip("product_id:N", title="Product"),
    alt.Tooltip("name:N", title="Name"),
)


def stock_vs_threshold(frame: pd.DataFrame) -> alt.LayerChart:
    """Stock on hand (bars) against restock threshold (ticks) for the products given.

    Expects columns: label, product_id, name, quantity, restock_threshold, status
    ("below threshold" or "ok"). Products keep the order they come in.
    """
    order = frame["label"].tolist()
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=PRODUCT_AXIS),
        tooltip=[
            *PRODUCT_TOOLTIP,
            alt.Tooltip("quantity:Q", title="On hand (units)"),
            alt.Tooltip("restock_threshold:Q", title="Threshold (units)"),
            alt.Tooltip("status:N", title="Status"),
        ],
    )
    bars = base.mark_bar().encode(
        x=alt.X("quantity:Q", title="Units"),
        color=alt.Color(
            "status:N",
            title="Status",
            scale=alt.Scale(domain=["below threshold", "ok"], range=[LOW_COLOUR, OK_COLOUR]),
            legend=_legend(),
        ),
    )
    ticks = base.mark_tick(color=THRESHOLD_COLOUR, thickness=3, size=18).encode(
        x=alt.X("restock_threshold:Q", title="Units")
    )
    # The units on hand beside each bar: a product with none has no bar, but shows its 0.
    counts = base.mark_text(align="left", dx=4, fontWeight="bold").encode(
        x="quantity:Q",
        text=alt.Text("quantity:Q", format=","),
        color=alt.condition(
            alt.datum.quantity == 0, alt.value(LOW_COLOUR), alt.value(THRESHOLD_COLOUR)
        ),
    )
    return (bars + ticks + counts).properties(
        title=["On hand (bars) against", "restock threshold (ticks)"],  # lines a phone fits
        height=alt.Step(22),
    )


# Where a partial period's label sits: the first period's to its right, the last's to its left.
PARTIAL_LABELS: tuple[tuple[str, Literal["left", "right"]], ...] = (
    ("part", "left"),
    ("so far", "right"),
)


def _partial_segments(frame: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """The two-point segments that join each partial period to its neighbours, numbered in
    `segment`, so they can be drawn dashed."""
    pieces: list[pd.DataFrame] = []
    groups = frame.groupby(series, sort=False) if series else [((), frame)]
    for _, rows in groups:
        rows = rows.sort_values("period_start").reset_index(drop=True)
        for i in rows.index[rows["partial"]]:
            for pair in ((i - 1, i), (i, i + 1)):
                if pair[0] >= 0 and pair[1] < len(rows):
                    pieces.append(rows.loc[list(pair)].assign(segment=len(pieces)))
    if not pieces:
        return frame.head(0).assign(segment=pd.Series(dtype=int))
    return pd.concat(pieces, ignore_index=True)


def sales_trend(
    frame: pd.DataFrame, *, measure: str = "revenue", by_category: bool
) -> alt.LayerChart:
    """Revenue or units over time, complete periods as a solid line; a period the range or
    today cuts short (`partial`) is drawn dashed, hollow and labelled "so far" (the last)
    or "part" (the first), so it does not read as a fall in sales.

    Expects columns: period_start, category, units, revenue and optionally partial."""
    title = "Revenue" if measure == "revenue" else "Units sold"
    frame = frame.assign(partial=frame.get("partial", False))
    series = ["category"] if by_category else []
    if not by_category:
        frame = frame.groupby("period_start", as_index=False).agg(
            units=("units", "sum"), revenue=("revenue", "sum"), partial=("partial", "any")
        )
    last = frame["period_start"].max()
    frame = frame.assign(
        note=lambda f: (
            f["partial"]
            .map({True: "part", False: ""})
            .where(f["period_start"] != last, f["partial"].map({True: "so far", False: ""}))
        )
    )
    encodings: dict[str, object] = {
        "x": alt.X("period_start:T", title=None),
        "y": alt.Y(f"{measure}:Q", title=title),
        "tooltip": [
            alt.Tooltip("period_start:T", title="Period starting"),
            *([alt.Tooltip("category:N", title="Category")] if by_category else []),
            alt.Tooltip("units:Q", title="Units", format=","),
            alt.Tooltip("revenue:Q", title="Revenue", format=",.2f"),
            alt.Tooltip("note:N", title="Period"),
        ],
    }
    if by_category:
        encodings["color"] = alt.Color("category:N", title="Category", legend=_legend())
    solid = (
        alt.Chart(frame[~frame["partial"]])
        .mark_line(point=alt.OverlayMarkDef(size=20))
        .encode(**encodings)
    )
    dashed = (
        alt.Chart(_partial_segments(frame, series))
        .mark_line(strokeDash=[4, 4])
        .encode(**encodings, detail="segment:N")
    )
    partial = frame[frame["partial"]]
    hollow = alt.Chart(partial).mark_point(size=40, filled=False).encode(**encodings)
    placed = {key: value for key, value in encodings.items() if key != "tooltip"}
    labels = [
        alt.Chart(partial[partial["note"] == note])
        .mark_text(dy=-10, fontStyle="italic", align=align)
        .encode(**placed, text="note:N")
        for note, align in PARTIAL_LABELS
    ]
    dashes = ["(dashed: a period cut short, so far)"] if len(partial) else []
    chart = alt.LayerChart(layer=[solid, dashed, hollow, *labels])
    return chart.properties(title=[f"{title} over time", *dashes])  # lines a phone fits


def _legend() -> alt.Legend:
    """Legends below the plot, so a narrow (phone) screen keeps its width for the data."""
    return alt.Legend(orient="bottom", direction="horizontal", columns=2, labelLimit=200)


def top_products(frame: pd.DataFrame, *, limit: int = 15, measure: str = "revenue") -> alt.Chart:
    """The best sellers as horizontal bars. Expects: product_id, name, category, units, revenue."""
    top = (
        frame.sort_values(measure, ascending=False)
        .head(limit)
        .assign(label=lambda f: f["product_id"] + " " + f["name"])
    )
    title = "Revenue" if measure == "revenue" else "Units sold"
    return (
        alt.Chart(top)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort="-x", title=None, axis=PRODUCT_AXIS),
            x=alt.X(f"{measure}:Q", title=title),
            color=alt.Color("category:N", title="Category", legend=_legend()),
            tooltip=[
                *PRODUCT_TOOLTIP,
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("units:Q", title="Units", format=","),
                alt.Tooltip("revenue:Q", title="Revenue", format=",.2f"),
            ],
        )
        .properties(title=f"Top {len(top)} products by {title.lower()}")
    )


def category_breakdown(frame: pd.DataFrame, *, measure: str = "revenue") -> alt.Chart:
    """Revenue or units per category. Expects: category, units, revenue."""
    title = "Revenue" if measure == "revenue" else "Units sold"
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort="-x", title=None),
            x=alt.X(f"{measure}:Q", title=title),
            tooltip=[
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("units:Q", title="Units", format=","),
                alt.Tooltip("revenue:Q", title="Revenue", format=",.2f"),
            ],
        )
        .properties(title=f"{title} by category")
    )


HISTORY_COLOUR = "#555555"
FORECAST_COLOUR = "#1f6f5c"
RUN_OUT_COLOUR = "#d1495b"


def demand_forecast(
    history: pd.DataFrame, forecast: pd.DataFrame, *, run_out_day: object = None
) -> alt.LayerChart:
    """Units sold per day (grey line), the forecast (green line) in its 80% band (dark)
    and 95% band (light), and a red rule on the projected run-out day, if any.

    `history`: day, units (NaN on stock-out days, drawn as gaps). `forecast`: day,
    predicted_units, lower, upper, lower_95, upper_95.
    """
    past = history.assign(series="sold")
    # Open on the last 13 weeks and the forecast; drag or zoom to see more history.
    first_ahead = pd.to_datetime(forecast["day"]).min() if len(forecast) else None
    window = (
        alt.Scale(
            domain=[
                (first_ahead - pd.Timedelta(weeks=13)).isoformat(),
                pd.to_datetime(forecast["day"]).max().isoformat(),
            ]
        )
        if first_ahead is not None
        else alt.Undefined
    )
    base_x = alt.X("day:T", title=None, scale=window)
    sold = (
        alt.Chart(past)
        .mark_line(color=HISTORY_COLOUR, strokeWidth=1, clip=True)
        .encode(
            x=base_x,
            y=alt.Y("units:Q", title="Units per day"),
            tooltip=[
                alt.Tooltip("day:T", title="Day", format="%a %d %b %Y"),
                alt.Tooltip("units:Q", title="Units sold", format=",.0f"),
            ],
        )
    )
    ahead = alt.Chart(forecast).encode(x=base_x)
    tooltip = [
        alt.Tooltip("day:T", title="Day", format="%a %d %b %Y"),
        alt.Tooltip("predicted_units:Q", title="Forecast (units)", format=",.1f"),
        alt.Tooltip("lower:Q", title="80% from", format=",.1f"),
        alt.Tooltip("upper:Q", title="80% to", format=",.1f"),
        alt.Tooltip("lower_95:Q", title="95% from", format=",.1f"),
        alt.Tooltip("upper_95:Q", title="95% to", format=",.1f"),
    ]
    band_95 = ahead.mark_area(color=FORECAST_COLOUR, opacity=0.15).encode(
        y="lower_95:Q", y2="upper_95:Q", tooltip=tooltip
    )
    band_80 = ahead.mark_area(color=FORECAST_COLOUR, opacity=0.3).encode(
        y="lower:Q", y2="upper:Q", tooltip=tooltip
    )
    line = ahead.mark_line(color=FORECAST_COLOUR, strokeWidth=2).encode(
        y="predicted_units:Q", tooltip=tooltip
    )
    layers = sold + band_95 + band_80 + line
    if run_out_day is not None:
        day = pd.Timestamp(str(run_out_day))
        marker = alt.Chart(pd.DataFrame({"day": [day], "label": [f"runs out {day:%a %d %b}"]}))
        rule = marker.mark_rule(color=RUN_OUT_COLOUR, strokeDash=[6, 3], strokeWidth=2).encode(
            x=base_x,
            tooltip=[alt.Tooltip("day:T", title="Projected to run out", format="%a %d %b %Y")],
        )
        label = marker.mark_text(
            color=RUN_OUT_COLOUR, align="right", baseline="top", dx=-4, y=4, fontWeight="bold"
        ).encode(x=base_x, text="label:N")
        layers = layers + rule + label
    return layers.interactive(bind_y=False).properties(
        # In lines a phone fits (Vega cuts a title short rather than wrap it).
        title=["Units sold per day (grey), forecast", "(green) with 80% and 95% ranges"],
        height=320,
    )


def policy_frontier(frame: pd.DataFrame) -> alt.LayerChart:
    """Fill rate against average stock value, one line per policy (its settings along it),
    the perfect-foresight limit as a black diamond: further up and further left is better.
    Expects `backtest.outcomes_frame` columns."""
    tooltip = [
        alt.Tooltip("policy:N", title="Policy"),
        alt.Tooltip("setting:N", title="Setting"),
        alt.Tooltip("fill_rate:Q", title="Fill rate", format=".1%"),
        alt.Tooltip("avg_inventory_value:Q", title="Average stock value", format=",.0f"),
        alt.Tooltip("avg_inventory_units:Q", title="Average units", format=",.0f"),
        alt.Tooltip("orders_per_product_month:Q", title="Orders per product a month", format=".2f"),
    ]
    x = alt.X("avg_inventory_value:Q", title="Average stock value (at cost)")
    y = alt.Y("fill_rate:Q", title="Fill rate (share of demand served)",
              axis=alt.Axis(format="%"), scale=alt.Scale(zero=False))  # fmt: skip
    limit = frame["policy"].str.startswith("perfect foresight")
    rules = (
        alt.Chart(frame[~limit])
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "policy:N",
                title="Policy",
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0),
            ),
            order="avg_inventory_value:Q",
            tooltip=tooltip,
        )
    )
    foresight = (
        alt.Chart(frame[limit])
        .mark_point(shape="diamond", size=140, color="black", filled=True)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    return (rules + foresight).properties(
        title="Fill rate against stock held: up and to the left is better (black: perfect "
        "foresight)",
        height=340,
    )


def calibration(frame: pd.DataFrame) -> alt.LayerChart:
    """Stated chances of running out against how often it happened (points sized by the
    number of reviews), beside the diagonal where the two agree. Expects
    `backtest.calibration_frame` columns."""
    tooltip = [
        alt.Tooltip("bin:N", title="Stated chance"),
        alt.Tooltip("stated:Q", title="Stated (mean)", format=".1%"),
        alt.Tooltip("happened:Q", title="Ran out", format=".1%"),
        alt.Tooltip("reviews:Q", title="Reviews"),
    ]
    axis = alt.Axis(format="%")
    scale = alt.Scale(domain=[0, 1])
    diagonal = (
        alt.Chart(pd.DataFrame({"stated": [0.0, 1.0], "happened": [0.0, 1.0]}))
        .mark_line(color="grey", strokeDash=[4, 4])
        .encode(x=alt.X("stated:Q", scale=scale, axis=axis), y=alt.Y("happened:Q", scale=scale))
    )
    points = (
        alt.Chart(frame)
        .mark_circle(color=OK_COLOUR)
        .encode(
            x=alt.X(
                "stated:Q",
                title="Stated chance of running out before delivery",
                scale=scale,
                axis=axis,
            ),
            y=alt.Y("happened:Q", title="How often it ran out", scale=scale, axis=axis),
            size=alt.Size("reviews:Q", title="Reviews"),
            tooltip=tooltip,
        )
    )
    return (diagonal + points).properties(
        title="Stated chances of running out against what happened (on the dashes: honest)",
        height=300,
    )


def reorder_position(frame: pd.DataFrame, *, limit: int = 15) -> alt.LayerChart:
    """Stock on hand, on order and the suggested order (stacked bars) against the reorder
    point (black ticks: below it an order is needed today), for the first `limit` lines of
    a reorder plan (`plan_table.plan_frame` columns), most urgent at the top."""
    top = frame.head(limit).assign(label=lambda f: f["product_id"] + " " + f["name"].str[:30])
    order = top["label"].tolist()
    kinds = {"on_hand": "on hand", "on_order": "on order", "order": "suggested order"}
    stock = top.melt(
        id_vars=["label", "product_id", "name", "status", "reorder_point", "stockout_chance"],
        value_vars=list(kinds),
        var_name="kind",
        value_name="units",
    ).assign(kind=lambda f: f["kind"].map(kinds))
    tooltip = [
        *PRODUCT_TOOLTIP,
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("reorder_point:Q", title="Reorder point", format=",.0f"),
        alt.Tooltip("stockout_chance:Q", title="Chance of running out", format=".0%"),
    ]
    y = alt.Y("label:N", sort=order, title=None, axis=PRODUCT_AXIS)
    bars = (
        alt.Chart(stock)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("units:Q", stack="zero", title="Units"),
            color=alt.Color(
                "kind:N",
                title="Stock",
                scale=alt.Scale(
                    domain=list(kinds.values()), range=[OK_COLOUR, "#9ecae1", "#fdae6b"]
                ),
                legend=_legend(),
            ),
            tooltip=[*tooltip, alt.Tooltip("kind:N", title="Stock"), alt.Tooltip("units:Q")],
        )
    )
    reorder_ticks = (
        alt.Chart(top)
        .mark_tick(color=THRESHOLD_COLOUR, thickness=3, size=18)
        .encode(y=y, x="reorder_point:Q", tooltip=tooltip)
    )
    return (bars + reorder_ticks).properties(
        title="Stock on hand, on order and the suggested order against the reorder point (black)",
        height=alt.Step(22),
    )


def to_png(chart: alt.TopLevelMixin) -> bytes:
    """A chart rendered to PNG without a browser (vl-convert), for the REST API."""
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(chart.to_json(), scale=2)
    return png
