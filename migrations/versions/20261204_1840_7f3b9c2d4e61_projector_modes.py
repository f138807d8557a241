"""The projector's mode and theme, switched on the console

Revision ID: 7f3b9c2d4e61
Revises: 5c2e7a1d9f30
Create Date: 2026-12-04 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7f3b9c2d4e61"
down_revision = "5c2e7a1d9f30"
branch_labels = None
depends_on = None

MODES = ("join", "question", "wall", "questions", "results", "speaker")


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "screen_mode",
                sa.Enum(*MODES, name="screenmode", native_enum=False, length=20),
                server_default="wall",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "screen_theme",
                sa.Enum("light", "dark", name="screentheme", native_enum=False, length=20),
                server_default="light",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("screen_theme")
        batch_op.drop_column("screen_mode")
