"""The whole distribution of lead-time demand: lead_time_demand gains grid, a JSON list of
the demand quantiles at distribution.GRID_LEVELS (100 levels), so the reorder rule can
compute expected shortages. Rows stored before keep NULL until the next refresh.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lead_time_demand", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grid", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lead_time_demand", schema=None) as batch_op:
        batch_op.drop_column("grid")
