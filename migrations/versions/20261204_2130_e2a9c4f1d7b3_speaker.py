"""Who has the word: the hand last given it, kept on the meeting

Revision ID: e2a9c4f1d7b3
Revises: b7e3c9d1a2f4
Create Date: 2026-12-04 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e2a9c4f1d7b3"
down_revision = "b7e3c9d1a2f4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaker_hand_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("speaker_hand_id")
