"""forecast_models gains each product's forecast per calendar day as one value (daily_from,
daily_units): the reorder list reads 4,694 of them instead of about 850,000 prediction rows.
Forecasts made before stay without it (NULL) until the next refresh; the reorder list reads
their prediction rows as before.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("daily_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("daily_units", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.drop_column("daily_units")
        batch_op.drop_column("daily_from")
