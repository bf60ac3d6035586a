"""login_failures: the login throttle in the database, shared by every dashboard and API
process (it was in each process's memory). Starts empty: no failure is carried over.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_failures_account_failed_at", ["account", "failed_at"], unique=False
        )
        batch_op.create_index(
            "ix_login_failures_address_failed_at", ["address", "failed_at"], unique=False
        )
        batch_op.create_index("ix_login_failures_failed_at", ["failed_at"], unique=False)


def downgrade() -> None:
    op.drop_table("login_failures")
