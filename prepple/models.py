"""SQLModel tables. Alembic (``alembic/versions``) creates and changes them; never ``create_all``.

Times are timezone-aware UTC (``utcnow()``); SQLModel's UTCDateTime stores them the same way on
SQLite and PostgreSQL and refuses naive values.
Table rows never go to the browser as they are: services return small public views instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index)


class User(SQLModel, table=True):
    """A person with an account. E-mail is stored lower-cased and unique."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False, index=True))
    display_name: str = Field(sa_column=Column(String(80), nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)


class UserRole(SQLModel, table=True):
    """One role held by one user (a user may hold several)."""

    __tablename__ = "user_roles"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    role: str = Field(sa_column=Column(String(20), primary_key=True))
    granted_at: datetime = Field(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A login session. Only the SHA-256 of the random token is stored."""

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_seen_at: datetime = Field(default_factory=utcnow)


class PasswordResetToken(SQLModel, table=True):
    """A single-use, expiring password reset token (stored hashed)."""

    __tablename__ = "password_reset_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed log-in attempts per key (an e-mail address), for throttling."""

    __tablename__ = "login_throttle"

    key: str = Field(sa_column=Column(String(300), primary_key=True))
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None


class Competency(SQLModel, table=True):
    """A competency or value that behavioral questions probe (leadership, conflict, ...)."""

    __tablename__ = "competencies"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(60), unique=True, nullable=False))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))


class Company(SQLModel, table=True):
    """A company whose public values shape its behavioral interviews."""

    __tablename__ = "companies"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(60), unique=True, nullable=False))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    values_source: str = Field(default="", sa_column=Column(String(200), nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    values_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))


class Question(SQLModel, table=True):
    """A behavioral interview question. ``search_text`` is a folded copy for search."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_difficulty", "difficulty"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    why_asked: str = Field(default="", sa_column=Column(Text, nullable=False))
    strong_answer: str = Field(default="", sa_column=Column(Text, nullable=False))
    difficulty: str = Field(default="medium", sa_column=Column(String(10), nullable=False))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class QuestionCompetency(SQLModel, table=True):
    """Tag: a question probes a competency."""

    __tablename__ = "question_competencies"

    question_id: int = Field(
        sa_column=Column(Integer, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    )
    competency_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("competencies.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )


class QuestionCompany(SQLModel, table=True):
    """Tag: a company is known for asking this kind of question."""

    __tablename__ = "question_companies"

    question_id: int = Field(
        sa_column=Column(Integer, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    )
    company_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class SavedQuestion(SQLModel, table=True):
    """A question a user keeps on their practice list (visitors keep theirs in the browser)."""

    __tablename__ = "saved_questions"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    question_id: int = Field(
        sa_column=Column(Integer, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    )
    created_at: datetime = Field(default_factory=utcnow)


class FeatureFlag(SQLModel, table=True):
    """An admin's run-time override of a feature flag's default."""

    __tablename__ = "feature_flags"

    name: str = Field(sa_column=Column(String(60), primary_key=True))
    enabled: bool
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )


class OutboxMessage(SQLModel, table=True):
    """Every message Prepple sends: the in-app outbox, and the SMTP delivery record.

    ``channel`` is "outbox" (kept here only) or "smtp"; ``status`` moves stored/queued ->
    sending -> sent or failed (retried). ``sensitive`` bodies (one-time links) are never shown
    to staff and are scrubbed once delivered or used."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_status", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    to_email: str = Field(sa_column=Column(String(254), nullable=False, index=True))
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    subject: str = Field(sa_column=Column(String(200), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    sensitive: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    channel: str = Field(default="outbox", sa_column=Column(String(20), nullable=False))
    status: str = Field(default="stored", sa_column=Column(String(20), nullable=False))
    attempts: int = 0
    sent_at: datetime | None = None
    error: str = Field(default="", sa_column=Column(Text, nullable=False))


class AuditEntry(SQLModel, table=True):
    """What staff did in the admin area, and account events worth keeping."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    action: str = Field(sa_column=Column(String(60), nullable=False))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Story(SQLModel, table=True):
    """A story from the user's experience; one story can serve several questions."""

    __tablename__ = "stories"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    title: str = Field(sa_column=Column(String(120), nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Answer(SQLModel, table=True):
    """A user's planned answer to one question (one per user and question).

    ``sections_json`` keeps the text of every section ever written, under its key, so switching
    framework never loses text. ``revision`` goes up on every save: a save that names an older
    revision came from a stale tab, and the text it would overwrite is kept as a version."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("user_id", "question_id", name="uq_answer_user_question"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    question_id: int = Field(sa_column=_fk("questions.id"))
    story_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("stories.id", ondelete="SET NULL"), nullable=True),
    )
    framework: str = Field(default="STAR", sa_column=Column(String(8), nullable=False))
    sections_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    bullets: str = Field(default="", sa_column=Column(Text, nullable=False))
    bullets_edited: bool = False
    status: str = Field(default="draft", sa_column=Column(String(12), nullable=False))
    overall: int = 0
    words: int = 0
    revision: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AnswerVersion(SQLModel, table=True):
    """A snapshot of an answer, for history and side-by-side comparison."""

    __tablename__ = "answer_versions"

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(sa_column=_fk("answers.id"))
    number: int
    framework: str = Field(sa_column=Column(String(8), nullable=False))
    sections_json: str = Field(sa_column=Column(Text, nullable=False))
    bullets: str = Field(default="", sa_column=Column(Text, nullable=False))
    overall: int = 0
    words: int = 0
    reason: str = Field(default="", sa_column=Column(String(40), nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Recording(SQLModel, table=True):
    """One practice attempt on camera (or microphone) for one question.

    The media lives in storage under ``media_key``; the row follows it through the pipeline:
    ``uploading`` (chunks arriving in a staging file) -> ``queued`` -> ``transcribing`` ->
    ``scoring`` -> ``done``, or ``failed`` with a reason users can read. A failed recording keeps
    its media, so the user can play it back or process it again. ``lease_until``/``lease_owner``
    say which worker holds the job; an expired lease means the worker died and the job is
    taken again. ``plan_json`` is the plan as it was when the user recorded (what scoring
    compares against)."""

    __tablename__ = "recordings"
    __table_args__ = (
        Index("ix_recordings_user_question", "user_id", "question_id"),
        Index("ix_recordings_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    question_id: int = Field(sa_column=_fk("questions.id"))
    practice_key: str = Field(default="", sa_column=Column(String(40), nullable=False))
    cheat_sheet: str = Field(default="none", sa_column=Column(String(8), nullable=False))
    status: str = Field(default="uploading", sa_column=Column(String(12), nullable=False))
    failure_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    progress: float = 0.0
    mime: str = Field(default="", sa_column=Column(String(60), nullable=False))
    media_key: str = Field(default="", sa_column=Column(String(200), nullable=False))
    size_bytes: int = 0
    duration_seconds: float = 0.0
    has_video: bool = False
    plan_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    transcript_json: str = Field(default="", sa_column=Column(Text, nullable=False))
    report_json: str = Field(default="", sa_column=Column(Text, nullable=False))
    overall: int | None = None
    attempts: int = 0
    lease_owner: str = Field(default="", sa_column=Column(String(80), nullable=False))
    lease_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class Interview(SQLModel, table=True):
    """An interview the user prepares for: the date the practice schedule counts down to."""

    __tablename__ = "interviews"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    company: str = Field(default="", sa_column=Column(String(80), nullable=False))
    role_title: str = Field(default="", sa_column=Column(String(120), nullable=False))
    starts_at: datetime
    minutes_per_day: int = 20
    created_at: datetime = Field(default_factory=utcnow)


class PlanItem(SQLModel, table=True):
    """One thing to do on one day of a practice schedule: plan, practise or review a question.

    ``due_on`` is the user's local calendar day (ISO date text, e.g. 2026-12-03)."""

    __tablename__ = "plan_items"
    __table_args__ = (Index("ix_plan_items_user_due", "user_id", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    interview_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("interviews.id", ondelete="CASCADE"), nullable=True),
    )
    question_id: int = Field(sa_column=_fk("questions.id"))
    kind: str = Field(default="practice", sa_column=Column(String(10), nullable=False))
    due_on: str = Field(sa_column=Column(String(10), nullable=False))
    minutes: int = 10
    status: str = Field(default="todo", sa_column=Column(String(8), nullable=False))
    position: int = 0
    pinned: bool = False
    done_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ReminderPrefs(SQLModel, table=True):
    """How and when a user wants practice reminders (one row per user; defaults when absent)."""

    __tablename__ = "reminder_prefs"

    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    channel: str = Field(default="inapp", sa_column=Column(String(8), nullable=False))
    local_time: str = Field(default="18:00", sa_column=Column(String(5), nullable=False))
    timezone: str = Field(default="UTC", sa_column=Column(String(64), nullable=False))
    quiet_start: str = Field(default="22:00", sa_column=Column(String(5), nullable=False))
    quiet_end: str = Field(default="07:00", sa_column=Column(String(5), nullable=False))
    unsubscribed_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """An in-app notification (the bell): reminders now, comments and shares later."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    link: str = Field(default="", sa_column=Column(String(300), nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class ReminderSend(SQLModel, table=True):
    """A reminder that was sent: the unique key makes every reminder go out at most once,
    however many schedulers fire or however often a missed one is caught up."""

    __tablename__ = "reminder_sends"
    __table_args__ = (UniqueConstraint("user_id", "day", "kind", name="uq_reminder_once"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    day: str = Field(sa_column=Column(String(10), nullable=False))
    kind: str = Field(default="daily", sa_column=Column(String(12), nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class SchedulerLease(SQLModel, table=True):
    """Which process runs the reminder scheduler: one holder at a time, renewed while alive."""

    __tablename__ = "scheduler_leases"

    name: str = Field(sa_column=Column(String(40), primary_key=True))
    owner: str = Field(default="", sa_column=Column(String(120), nullable=False))
    expires_at: datetime
