"""products: minimum order quantity, pack size, lead-time spread and service level

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_order_quantity", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("pack_size", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("lead_time_sd_days", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("service_level", sa.Float(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_products_min_order_at_least_one"), "min_order_quantity >= 1"
        )
        batch_op.create_check_constraint(
            op.f("ck_products_pack_size_at_least_one"), "pack_size >= 1"
        )
        batch_op.create_check_constraint(
            op.f("ck_products_lead_time_sd_not_negative"), "lead_time_sd_days >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_products_service_level_between_0_and_1"),
            "service_level > 0 and service_level < 1",
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_products_service_level_between_0_and_1"), type_="check")
        batch_op.drop_constraint(op.f("ck_products_lead_time_sd_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_products_pack_size_at_least_one"), type_="check")
        batch_op.drop_constraint(op.f("ck_products_min_order_at_least_one"), type_="check")
        batch_op.drop_column("service_level")
        batch_op.drop_column("lead_time_sd_days")
        batch_op.drop_column("pack_size")
        batch_op.drop_column("min_order_quantity")
