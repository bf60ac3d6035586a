"""Shop-level forecasts and leases: shop_forecasts holds the shop's predicted daily sales
figure (money) made from the shop-level history (recorded daily totals, else sale lines),
so a shop known only by its daily totals can be forecast; leases lets one forecast refresh
run at a time across requests and processes. Both start empty.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shop_forecasts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("predicted_sales", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=False),
        sa.Column("upper", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_shop_forecasts_run_id_forecast_runs"),
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_shop_forecasts")),
    )
    with op.batch_alter_table("shop_forecasts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shop_forecasts_run_id"), ["run_id"], unique=False)
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=36), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )


def downgrade() -> None:
    op.drop_table("leases")
    with op.batch_alter_table("shop_forecasts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_forecasts_run_id"))
    op.drop_table("shop_forecasts")
