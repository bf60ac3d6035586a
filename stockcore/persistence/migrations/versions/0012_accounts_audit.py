"""Accounts and the audit trail: users gain `active` (a disabled account cannot sign in) and
`session_generation` (raised to end every token and session of an account); revoked_tokens
holds tokens signed out before they expired; stock_movements and sale_lines gain who made
them (actor_kind, actor_name, actor_user_id). Existing accounts stay active; existing ledger
rows and sale lines keep NULL: made by someone unknown.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR_TABLES = ("sale_lines", "stock_movements")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_tokens")),
    )
    op.create_index(
        op.f("ix_revoked_tokens_expires_at"), "revoked_tokens", ["expires_at"], unique=False
    )
    for table in ACTOR_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("actor_kind", sa.String(length=16), nullable=True))
            batch_op.add_column(sa.Column("actor_name", sa.String(length=100), nullable=True))
            batch_op.add_column(sa.Column("actor_user_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    for table in reversed(ACTOR_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("actor_user_id")
            batch_op.drop_column("actor_name")
            batch_op.drop_column("actor_kind")
    op.drop_index(op.f("ix_revoked_tokens_expires_at"), table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
        batch_op.drop_column("active")
