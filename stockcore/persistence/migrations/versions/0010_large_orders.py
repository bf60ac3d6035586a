"""Large one-off orders: sale_lines gains customer_id (who bought, when an import or the API
says), forecast_models gains set_aside_orders and set_aside_units (large orders left out of
the history a forecast learned from), and served_customers lists the customers whose large
orders the owner serves from stock. Existing rows keep NULL: no customer known, nothing set
aside until the next refresh.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("set_aside_orders", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("set_aside_units", sa.Integer(), nullable=True))
    op.create_table(
        "served_customers",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_served_customers")),
    )


def downgrade() -> None:
    op.drop_table("served_customers")
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.drop_column("set_aside_units")
        batch_op.drop_column("set_aside_orders")
    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.drop_column("customer_id")
