"""A meeting's call link and calendar sequence; when an action item's public note changed

Revision ID: 5c2e7a1d9f30
Revises: a5bd20066d16
Create Date: 2026-12-05 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5c2e7a1d9f30"
down_revision = "a5bd20066d16"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("video_url", sa.String(length=1000), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("calendar_sequence", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_note_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_column("public_note_at")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("calendar_sequence")
        batch_op.drop_column("video_url")
