"""Perspectives: answers to statements, statements quoted from notes, the last analysis

The new phase kind ``perspectives`` needs nothing here: phase kinds are stored as strings.

Revision ID: b7e3c9d1a2f4
Revises: 637e3506a44e
Create Date: 2026-12-04 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7e3c9d1a2f4"
down_revision = "637e3506a44e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statement_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_statement_votes_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_statement_votes_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_votes")),
        sa.UniqueConstraint(
            "participant_id",
            "contribution_id",
            name=op.f("uq_statement_votes_participant_id_contribution_id"),
        ),
    )
    with op.batch_alter_table("statement_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_votes_contribution_id"), ["contribution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_statement_votes_participant_id"), ["participant_id"], unique=False
        )
    op.create_table(
        "statement_quotes",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_statement_quotes_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["notes.id"],
            name=op.f("fk_statement_quotes_note_id_notes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_statement_quotes")),
    )
    with op.batch_alter_table("statement_quotes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_quotes_note_id"), ["note_id"], unique=False)
    op.create_table(
        "perspectives_results",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_perspectives_results_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_perspectives_results")),
    )


def downgrade() -> None:
    op.drop_table("perspectives_results")
    with op.batch_alter_table("statement_quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_quotes_note_id"))
    op.drop_table("statement_quotes")
    with op.batch_alter_table("statement_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_votes_participant_id"))
        batch_op.drop_index(batch_op.f("ix_statement_votes_contribution_id"))
    op.drop_table("statement_votes")
