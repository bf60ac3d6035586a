"""data_version: on PostgreSQL, a sequence moved on after every committed write transaction,
so that the dashboard's caches see a change made by any process at once (see
stockcore.persistence.data_version). A sequence, not a table: taking its next value never
waits for another transaction. SQLite needs nothing (its own PRAGMA data_version).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(sa.schema.CreateSequence(sa.Sequence("data_version")))


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(sa.schema.DropSequence(sa.Sequence("data_version")))
