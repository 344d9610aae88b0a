"""shared near-copy index: answers' MinHash signatures and LSH band keys in the database

The index that finds answers too close to other people's lived in each backend process's
memory, so with several workers (Redis mode) one worker missed answers saved through another,
and every process rebuilt it from all answers after a restart. It is now two tables every
process queries: ``answer_signatures`` (one row per answer: the signature of its current text,
or none when it is too short) and ``answer_bands`` (one row per LSH band key; answers sharing a
key are candidates). Both die with their answer.

Existing answers are indexed at start-up (``answer_index.backfill``), not here: the signature
is computed by the app's code (shingling, datasketch's permutations), which a migration must not
freeze; rows name their ``scheme``, so a later change of it is recomputed the same way.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_signatures",
        sa.Column(
            "answer_id",
            sa.Integer(),
            sa.ForeignKey("answers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=True),
    )
    op.create_table(
        "answer_bands",
        sa.Column("band_key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column(
            "answer_id",
            sa.Integer(),
            sa.ForeignKey("answers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_answer_bands_answer_id", "answer_bands", ["answer_id"])


def downgrade() -> None:
    op.drop_index("ix_answer_bands_answer_id", table_name="answer_bands")
    op.drop_table("answer_bands")
    op.drop_table("answer_signatures")
