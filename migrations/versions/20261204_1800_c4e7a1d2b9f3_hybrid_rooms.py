"""Rooms for people with and without phones: step titles in several languages, the
projector's second language, and hands a note-taker raises for someone in the room

Revision ID: c4e7a1d2b9f3
Revises: 4bb0bba0c171
Create Date: 2026-11-25 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e7a1d2b9f3"
down_revision = "4bb0bba0c171"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title_translations", sa.JSON(), server_default="{}", nullable=False)
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screen_language", sa.String(length=12), nullable=True))

    with op.batch_alter_table("hands", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("label", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # A hand raised for someone without a phone has no participant to keep it under.
    op.execute("DELETE FROM hands WHERE participant_id IS NULL")
    with op.batch_alter_table("hands", schema=None) as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("label")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("screen_language")

    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_column("title_translations")
