"""The accessibility statement: one row the admin keeps, published at /accessibility

Revision ID: 4bb0bba0c171
Revises: 3f1c0b7d9a42
Create Date: 2026-12-04 17:05:11.827902
"""

import sqlalchemy as sa
from alembic import op

revision = "4bb0bba0c171"
down_revision = "3f1c0b7d9a42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accessibility_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "compliant",
                "partially_compliant",
                "not_compliant",
                name="compliance",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("shortcomings", sa.Text(), nullable=False),
        sa.Column("intros", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_accessibility_statement_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accessibility_statement")),
    )


def downgrade() -> None:
    op.drop_table("accessibility_statement")
