"""ids are never reused; per-account token keys; abuse reports bound to what they report

SQLite hands out the highest freed id again unless a table is declared AUTOINCREMENT, so a
deleted account's links, reports and tokens named whoever got its id next. Every table with an
integer id is rebuilt with AUTOINCREMENT (PostgreSQL's sequences never reuse ids: nothing to do
there). ``users.token_key`` is the random key signed links name (see ``services/signing.py``).
``abuse_reports`` get one foreign key per kind of target, so a report dies with its target;
open reports whose target is gone, or was created after the report (an inherited id), are
deleted.

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-05 09:30:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table with an integer id, as of this revision (later tables declare it themselves).
ID_TABLES = (
    "users",
    "user_sessions",
    "password_reset_tokens",
    "competencies",
    "companies",
    "questions",
    "outbox_messages",
    "audit_log",
    "stories",
    "answers",
    "answer_versions",
    "recordings",
    "interviews",
    "plan_items",
    "notifications",
    "reminder_sends",
    "shares",
    "share_items",
    "comments",
    "reviews",
    "ai_feedback_votes",
    "abuse_reports",
    "helpful_votes",
    "saved_examples",
    "resumes",
    "resume_items",
)

REPORT_TARGETS = {
    "recording": "recordings",
    "answer": "answers",
    "comment": "comments",
    "resume": "resumes",
}


def _rebuild(autoincrement: bool) -> None:
    for table in ID_TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    op.add_column(
        "users", sa.Column("token_key", sa.String(length=32), nullable=False, server_default="")
    )
    for (user_id,) in bind.execute(sa.text("SELECT id FROM users")).fetchall():
        bind.execute(
            sa.text("UPDATE users SET token_key = :key WHERE id = :id"),
            {"key": secrets.token_hex(16), "id": user_id},
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("token_key", server_default=None)

    with op.batch_alter_table("abuse_reports") as batch_op:
        for kind, table in REPORT_TARGETS.items():
            batch_op.add_column(sa.Column(f"{kind}_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_abuse_reports_{kind}_id", table, [f"{kind}_id"], ["id"], ondelete="CASCADE"
            )
    for kind, table in REPORT_TARGETS.items():
        # A report older than its "target" was about an earlier row with the same id.
        bind.execute(
            sa.text(
                f"DELETE FROM abuse_reports WHERE target_kind = :kind AND NOT EXISTS ("  # noqa: S608
                f"SELECT 1 FROM {table} t WHERE t.id = abuse_reports.target_id"
                " AND t.created_at <= abuse_reports.created_at)"
            ),
            {"kind": kind},
        )
        bind.execute(
            sa.text(
                f"UPDATE abuse_reports SET {kind}_id = target_id WHERE target_kind = :kind"  # noqa: S608
            ),
            {"kind": kind},
        )
    bind.execute(
        sa.text(
            "DELETE FROM abuse_reports WHERE target_kind NOT IN ('recording', 'answer', "
            "'comment', 'resume')"
        )
    )

    if sqlite:
        _rebuild(True)
        # Ids of accounts deleted before this revision are known from the audit log: never
        # hand those out again either.
        deleted = [
            int(detail.rsplit("#", 1)[1])
            for (detail,) in bind.execute(
                sa.text("SELECT detail FROM audit_log WHERE action = 'account.deleted'")
            ).fetchall()
            if detail and detail.rsplit("#", 1)[-1].isdigit()
        ]
        if deleted:
            top = max(deleted)
            current = bind.execute(
                sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'users'")
            ).scalar()
            if current is None:
                bind.execute(
                    sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('users', :top)"),
                    {"top": top},
                )
            elif current < top:
                bind.execute(
                    sa.text("UPDATE sqlite_sequence SET seq = :top WHERE name = 'users'"),
                    {"top": top},
                )


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("abuse_reports") as batch_op:
        for kind in REPORT_TARGETS:
            if bind.dialect.name != "sqlite":
                batch_op.drop_constraint(f"fk_abuse_reports_{kind}_id", type_="foreignkey")
            batch_op.drop_column(f"{kind}_id")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("token_key")
    if bind.dialect.name == "sqlite":
        _rebuild(False)
