"""Content in several languages: meeting intros, prompt translations, contribution languages

Revision ID: be25152099dc
Revises: 09051ae9c339
Create Date: 2026-11-25 06:51:18.206917
"""

import sqlalchemy as sa
from alembic import op

revision = "be25152099dc"
down_revision = "09051ae9c339"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("translation", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("translation_language", sa.String(length=12), nullable=True))

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("intro", sa.String(length=1000), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("intro_translations", sa.JSON(), server_default="{}", nullable=False)
        )

    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prompt_translations", sa.JSON(), server_default="{}", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("phases", schema=None) as batch_op:
        batch_op.drop_column("prompt_translations")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("intro_translations")
        batch_op.drop_column("intro")

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_column("translation_language")
        batch_op.drop_column("translation")
        batch_op.drop_column("language")
