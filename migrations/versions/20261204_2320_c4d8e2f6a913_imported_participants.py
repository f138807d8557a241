"""Participants imported from a Pol.is conversation, told apart from those who joined

Revision ID: c4d8e2f6a913
Revises: 721be686a571
Create Date: 2026-12-04 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4d8e2f6a913"
down_revision = "721be686a571"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("imported", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("imported")
