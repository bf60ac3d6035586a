"""Alerts: the restock alert (stock below its threshold) and the lead-time alert (the
forecast uses up the stock before a new order could arrive), raised and resolved inside
the transaction that changed the stock; and the owner acknowledging them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from stockcore.domain import (
    MAX_ROW_ID,
    AlertAction,
    AlertKind,
    AlertStatus,
    Clock,
    Product,
    UnknownAlert,
    local_now,
    parse_whole_number,
    restock_alert_action,
    restock_message,
)
from stockcore.inventory.ledger import open_arrivals
from stockcore.persistence.db import Database
from stockcore.persistence.models import AlertRow, PredictionRow
from stockcore.replenishment.levels import runs_out_before_delivery


@dataclass(frozen=True)
class RaisedAlert:
    alert_id: int
    product_id: str
    name: str
    quantity: int
    restock_threshold: int

    @property
    def message(self) -> str:
        return restock_message(self.product_id, self.name, self.quantity, self.restock_threshold)


def sync_restock_alert_in(
    session: Session, product: Product, at: datetime
) -> tuple[RaisedAlert | None, bool]:
    """Raise or resolve the product's restock alert inside a caller's transaction.
    Returns (raised alert, resolved?)."""
    active = session.scalars(
        select(AlertRow).where(
            AlertRow.product_id == product.product_id,
            AlertRow.kind == AlertKind.BELOW_THRESHOLD.value,
            AlertRow.resolved_at.is_(None),
        )
    ).one_or_none()
    action = restock_alert_action(product, has_active_alert=active is not None)
    if action is AlertAction.RAISE:
        row = AlertRow(
            product_id=product.product_id,
            kind=AlertKind.BELOW_THRESHOLD.value,
            status=AlertStatus.OPEN.value,
            raised_at=at,
            quantity_at_raise=product.quantity,
            threshold_at_raise=product.restock_threshold,
        )
        session.add(row)
        session.flush()
        raised = RaisedAlert(
            row.id, product.product_id, product.name, product.quantity, product.restock_threshold
        )
        return raised, False
    if action is AlertAction.RESOLVE and active is not None:
        active.status = AlertStatus.RESOLVED.value
        active.resolved_at = at
        return None, True
    return None, False


def lead_time_shortfalls(
    session: Session, products: Sequence[Product], today: date
) -> dict[str, int]:
    """The products whose forecast uses up their stock on hand and on order before an
    order placed today could arrive, with the units forecast over their lead time.
    Products without a stored forecast are never short."""
    ids = [product.product_id for product in products]
    if not ids:
        return {}
    horizon = today + timedelta(days=max(max(1, p.lead_time_days) for p in products))
    forecast: dict[str, tuple[list[date], list[float]]] = {}
    for product_id, day, units in session.execute(
        select(PredictionRow.product_id, PredictionRow.day, PredictionRow.predicted_units)
        .where(
            PredictionRow.product_id.in_(ids),
            PredictionRow.day >= today,
            PredictionRow.day < horizon,
        )
        .order_by(PredictionRow.product_id, PredictionRow.day)
    ):
        days, values = forecast.setdefault(product_id, ([], []))
        days.append(day)
        values.append(float(units))
    arriving = open_arrivals(session, ids)
    short: dict[str, int] = {}
    for product in products:
        days, values = forecast.get(product.product_id, ([], []))
        if days and runs_out_before_delivery(
            product.quantity, days, values, arriving.get(product.product_id, []),
            lead_time_days=product.lead_time_days, today=today,
        ):  # fmt: skip
            short[product.product_id] = round(sum(values[: max(1, product.lead_time_days)]))
    return short


def sync_lead_time_alerts_in(
    session: Session, products: Sequence[Product], now: datetime
) -> tuple[list[str], list[str]]:
    """Raise a "runs out before a new order could arrive" alert for each of these products
    that will, and resolve the ones that no longer will. Returns (raised, resolved) ids."""
    short = lead_time_shortfalls(session, products, now.date())
    kind = AlertKind.RUNS_OUT_BEFORE_DELIVERY.value
    active = {
        row.product_id: row
        for row in session.scalars(
            select(AlertRow).where(
                AlertRow.kind == kind,
                AlertRow.resolved_at.is_(None),
                AlertRow.product_id.in_([p.product_id for p in products]),
            )
        )
    }
    raised: list[str] = []
    resolved: list[str] = []
    for product in products:
        pid = product.product_id
        if pid in short and pid not in active:
            session.add(
                AlertRow(
                    product_id=pid, kind=kind, status=AlertStatus.OPEN.value, raised_at=now,
                    quantity_at_raise=product.quantity, threshold_at_raise=short[pid],
                )
            )  # fmt: skip
            raised.append(pid)
        elif pid not in short and pid in active:
            active[pid].status = AlertStatus.RESOLVED.value
            active[pid].resolved_at = now
            resolved.append(pid)
    session.flush()
    return raised, resolved


def acknowledge_alerts(
    db: Database, alert_ids: Iterable[object], *, clock: Clock = local_now
) -> int:
    """Mark open alerts as seen. They stay active until the stock is back up."""
    ids = [
        parse_whole_number(value, "alert id", minimum=1, maximum=MAX_ROW_ID) for value in alert_ids
    ]
    if not ids:
        return 0
    now = clock()
    with db.write() as session:
        found = set(session.scalars(select(AlertRow.id).where(AlertRow.id.in_(ids))))
        missing = [alert_id for alert_id in ids if alert_id not in found]
        if missing:
            raise UnknownAlert(missing[0])
        result = session.execute(
            update(AlertRow)
            .where(AlertRow.id.in_(ids), AlertRow.status == AlertStatus.OPEN.value)
            .values(status=AlertStatus.ACKNOWLEDGED.value, acknowledged_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)
