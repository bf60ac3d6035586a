"""forecast_models.error_sd: the spread of daily forecast errors, for safety stock

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_sd", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.drop_column("error_sd")
