"""Pre-moderation (a meeting's setting; waiting contributions and proposals, rejected
proposals with their reason) and answered questions

Revision ID: 5d2e7a91c4f0
Revises: c4e7a1d2b9f3
Create Date: 2026-11-25 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5d2e7a91c4f0"
down_revision = "c4e7a1d2b9f3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("premoderation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waiting", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("answered", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("waiting", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("hidden_reason", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden")
        batch_op.drop_column("waiting")

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_column("answered")
        batch_op.drop_column("waiting")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("premoderation")
