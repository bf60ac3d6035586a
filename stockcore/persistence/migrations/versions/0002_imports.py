"""imports: batches, imported line keys, shop totals, mappings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "column_mappings",
        sa.Column("header_key", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("header_key", name=op.f("pk_column_mappings")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("rows_already_imported", sa.Integer(), nullable=False),
        sa.Column("non_product_rows", sa.Integer(), nullable=False),
        sa.Column("new_products", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("revenue_minor", sa.BigInteger(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("applied_to_stock", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_batches_content_sha256"), ["content_sha256"], unique=False
        )

    op.create_table(
        "imported_lines",
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_imported_lines_import_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("source_key", name=op.f("pk_imported_lines")),
    )
    with op.batch_alter_table("imported_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imported_lines_import_batch_id"), ["import_batch_id"], unique=False
        )

    op.create_table(
        "product_import_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_product_import_changes_import_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_import_changes")),
    )
    with op.batch_alter_table("product_import_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_import_changes_import_batch_id"),
            ["import_batch_id"],
            unique=False,
        )

    op.create_table(
        "shop_daily_sales",
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("sales_minor", sa.BigInteger(), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_shop_daily_sales_import_batch_id_import_batches"),
        ),
        sa.PrimaryKeyConstraint("sold_on", name=op.f("pk_shop_daily_sales")),
    )
    with op.batch_alter_table("shop_daily_sales", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shop_daily_sales_import_batch_id"), ["import_batch_id"], unique=False
        )

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_batch_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_products_created_by_batch_id_import_batches"),
            "import_batches",
            ["created_by_batch_id"],
            ["id"],
        )

    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_sale_lines_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sale_lines_import_batch_id_import_batches"),
            "import_batches",
            ["import_batch_id"],
            ["id"],
        )

    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_batch_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_stock_movements_import_batch_id"), ["import_batch_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_stock_movements_import_batch_id_import_batches"),
            "import_batches",
            ["import_batch_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_stock_movements_import_batch_id_import_batches"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_stock_movements_import_batch_id"))
        batch_op.drop_column("import_batch_id")

    with op.batch_alter_table("sale_lines", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sale_lines_import_batch_id_import_batches"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_sale_lines_import_batch_id"))
        batch_op.drop_column("import_batch_id")

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_products_created_by_batch_id_import_batches"), type_="foreignkey"
        )
        batch_op.drop_column("created_by_batch_id")

    with op.batch_alter_table("shop_daily_sales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_daily_sales_import_batch_id"))

    op.drop_table("shop_daily_sales")
    with op.batch_alter_table("product_import_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_import_changes_import_batch_id"))

    op.drop_table("product_import_changes")
    with op.batch_alter_table("imported_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_lines_import_batch_id"))

    op.drop_table("imported_lines")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_content_sha256"))

    op.drop_table("import_batches")
    op.drop_table("column_mappings")
