"""Partial receipts: purchase_order_lines gains received_quantity (units received so far,
never more than ordered). Lines of orders already received were received whole; every
other line has received nothing yet.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("received_quantity", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_purchase_order_lines_received_within_ordered"),
            "received_quantity >= 0 and received_quantity <= quantity",
        )
    lines = sa.table(
        "purchase_order_lines",
        sa.column("order_id", sa.Integer()),
        sa.column("quantity", sa.Integer()),
        sa.column("received_quantity", sa.Integer()),
    )
    orders = sa.table("purchase_orders", sa.column("id", sa.Integer()), sa.column("status"))
    received = sa.select(orders.c.id).where(orders.c.status == "received")
    op.execute(
        lines.update()
        .where(lines.c.order_id.in_(received))
        .values(received_quantity=lines.c.quantity)
    )


def downgrade() -> None:
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_purchase_order_lines_received_within_ordered"), type_="check"
        )
        batch_op.drop_column("received_quantity")
