"""Logins are throttled per account and address, no longer locked per account

The throttle keeps its counts in the rate limiter's storage (facilitate/auth/throttle.py),
so the account's failure count and lock go.

Revision ID: 3f1c0b7d9a42
Revises: be25152099dc
Create Date: 2026-11-25 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "3f1c0b7d9a42"
down_revision = "be25152099dc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    # Existing users get no failures and no lock; the default then goes, as before.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("failed_logins", server_default=None)
