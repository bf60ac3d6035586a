"""Forecasts judged by RMSSE, with the season followed, fallbacks, and the distribution of
lead-time demand: forecast_models gains rmsse, naive_rmsse, season, season_phase, fallback,
skipped and distribution; lead_time_demand holds the quantiles of total demand over a
product's lead time and over its lead time plus the review period.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rmsse", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("naive_rmsse", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("season", sa.String(250), nullable=True))
        batch_op.add_column(sa.Column("season_phase", sa.String(500), nullable=True))
        batch_op.add_column(sa.Column("fallback", sa.String(1000), nullable=True))
        batch_op.add_column(sa.Column("skipped", sa.String(2000), nullable=True))
        batch_op.add_column(sa.Column("distribution", sa.String(50), nullable=True))
    op.create_table(
        "lead_time_demand",
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("cover", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("trading_days", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("q50", sa.Float(), nullable=False),
        sa.Column("q80", sa.Float(), nullable=False),
        sa.Column("q90", sa.Float(), nullable=False),
        sa.Column("q95", sa.Float(), nullable=False),
        sa.Column("q98", sa.Float(), nullable=False),
        sa.Column("q99", sa.Float(), nullable=False),
        sa.Column("q995", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=50), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "cover in ('lead', 'lead+review')", name=op.f("ck_lead_time_demand_cover_known")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.product_id"],
            name=op.f("fk_lead_time_demand_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["forecast_runs.id"], name=op.f("fk_lead_time_demand_run_id_forecast_runs")
        ),
        sa.PrimaryKeyConstraint("product_id", "cover", name=op.f("pk_lead_time_demand")),
    )
    with op.batch_alter_table("lead_time_demand", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_time_demand_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lead_time_demand", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_time_demand_run_id"))
    op.drop_table("lead_time_demand")
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        for name in (
            "distribution",
            "skipped",
            "fallback",
            "season_phase",
            "season",
            "naive_rmsse",
            "rmsse",
        ):
            batch_op.drop_column(name)
