"""resume view marks: a resume view counts once per visitor per day

Revision ID: 0007
Revises: 0010
Create Date: 2026-12-05 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resume_view_marks",
        sa.Column(
            "resume_id",
            sa.Integer(),
            sa.ForeignKey("resumes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("visitor", sa.String(length=64), primary_key=True),
        sa.Column("day", sa.String(length=10), primary_key=True),
    )
    op.create_index("ix_resume_view_marks_day", "resume_view_marks", ["day"])


def downgrade() -> None:
    op.drop_index("ix_resume_view_marks_day", table_name="resume_view_marks")
    op.drop_table("resume_view_marks")
