"""SQLModel tables. Alembic (``alembic/versions``) creates and changes them; never ``create_all``.

Times are timezone-aware UTC (``utcnow()``); SQLModel's UTCDateTime stores them the same way on
SQLite and PostgreSQL and refuses naive values.
Table rows never go to the browser as they are: services return small public views instead.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


#: Table options for every table with an integer id: SQLite must never hand a freed id out again
#: (without AUTOINCREMENT it reuses the highest one, and a deleted account's links, reports and
#: tokens would then name whoever got it next). PostgreSQL's sequences never reuse ids anyway.
AUTOINCREMENT = {"sqlite_autoincrement": True}


def new_token_key() -> str:
    """A fresh random key for :attr:`User.token_key`."""
    return secrets.token_hex(16)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index)


def _visibility() -> Column:
    """Who may see an answer or recording: private (owner only), shared (owner and the people
    or links it was shared with), public (also the community)."""
    return Column(String(8), nullable=False, server_default="private")


def _target_fks() -> tuple[Column, Column]:
    return (
        Column(
            "recording_id",
            Integer,
            ForeignKey("recordings.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        Column(
            "answer_id",
            Integer,
            ForeignKey("answers.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
    )


class User(SQLModel, table=True):
    """A person with an account. E-mail is stored lower-cased and unique."""

    __tablename__ = "users"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False, index=True))
    display_name: str = Field(sa_column=Column(String(80), nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)
    #: Random; every signed link made for this account (calendar, media, upload) names it, and
    #: it is replaced when the password changes or the account is deactivated, which ends all
    #: such links at once. A new account never has an old one's key.
    token_key: str = Field(
        default_factory=new_token_key, sa_column=Column(String(32), nullable=False)
    )


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
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("users.id"))
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    last_seen_at: datetime = Field(default_factory=utcnow)


class PasswordResetToken(SQLModel, table=True):
    """A single-use, expiring password reset token (stored hashed)."""

    __tablename__ = "password_reset_tokens"
    __table_args__ = AUTOINCREMENT

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
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(60), unique=True, nullable=False))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))


class Company(SQLModel, table=True):
    """A company whose public values shape its behavioral interviews."""

    __tablename__ = "companies"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(60), unique=True, nullable=False))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    values_source: str = Field(default="", sa_column=Column(String(200), nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    values_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))


class Question(SQLModel, table=True):
    """A behavioral interview question. ``search_text`` is a folded copy for search."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_difficulty", "difficulty"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    why_asked: str = Field(default="", sa_column=Column(Text, nullable=False))
    strong_answer: str = Field(default="", sa_column=Column(Text, nullable=False))
    difficulty: str = Field(default="medium", sa_column=Column(String(10), nullable=False))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    #: "behavioral" (answer with a story: STAR and friends) or "common" (tell me about
    #: yourself, greatest weakness...: another structure, described in ``answer_structure``).
    kind: str = Field(
        default="behavioral",
        sa_column=Column(String(20), nullable=False, server_default="behavioral"),
    )
    answer_structure: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
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
    __table_args__ = (Index("ix_outbox_status", "status"), AUTOINCREMENT)

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
    __table_args__ = AUTOINCREMENT
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
    __table_args__ = AUTOINCREMENT

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
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_answer_user_question"),
        AUTOINCREMENT,
    )

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
    visibility: str = Field(default="private", sa_column=_visibility())
    #: Set when a moderator removed it from sharing; the owner can't share it again.
    moderated_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AnswerVersion(SQLModel, table=True):
    """A snapshot of an answer, for history and side-by-side comparison."""

    __tablename__ = "answer_versions"
    __table_args__ = AUTOINCREMENT

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


class AnswerSignature(SQLModel, table=True):
    """The MinHash signature of an answer's current text, for the shared near-copy index
    (``services/answer_index.py``). ``hashes`` is ``None`` when the text is too short to
    compare; ``scheme`` names how it was computed (a changed scheme is recomputed at start-up)."""

    __tablename__ = "answer_signatures"

    answer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    )
    scheme: str = Field(sa_column=Column(String(40), nullable=False))
    hashes: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class AnswerBand(SQLModel, table=True):
    """One LSH band key of an answer's signature: answers sharing a key are candidates."""

    __tablename__ = "answer_bands"

    band_key: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    answer_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("answers.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        )
    )


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
        AUTOINCREMENT,
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
    visibility: str = Field(default="private", sa_column=_visibility())
    #: Set when a moderator removed it from sharing; the owner can't share it again.
    moderated_at: datetime | None = None
    lease_owner: str = Field(default="", sa_column=Column(String(80), nullable=False))
    lease_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class Interview(SQLModel, table=True):
    """An interview the user prepares for: the date the practice schedule counts down to."""

    __tablename__ = "interviews"
    __table_args__ = AUTOINCREMENT

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
    __table_args__ = (Index("ix_plan_items_user_due", "user_id", "due_on"), AUTOINCREMENT)

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
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"), AUTOINCREMENT)

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
    __table_args__ = (
        UniqueConstraint("user_id", "day", "kind", name="uq_reminder_once"),
        AUTOINCREMENT,
    )

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


# --- sharing, human feedback, community, video resume -------------------------------------------
# Feedback rows point at what they are about with two nullable foreign keys (a recording or a
# planned answer, so deleting either deletes its feedback) plus ``target`` ("recording:12",
# "answer:5"), which the unique constraints use because NULLs never collide in SQL.


class Share(SQLModel, table=True):
    """One act of sharing by an owner: an e-mail invite (``invitee_email``) or a link (empty
    invitee). The link's key is derived from ``id`` and ``nonce`` with the app's secret, so the
    database alone does not hold usable links. Revoked or expired shares grant nothing."""

    __tablename__ = "shares"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(sa_column=_fk("users.id"))
    title: str = Field(default="", sa_column=Column(String(120), nullable=False))
    invitee_email: str = Field(
        default="", sa_column=Column(String(254), nullable=False, index=True)
    )
    #: The account that holds the invitation: set at once when the address already has one,
    #: else by the first account with that address that opens the e-mailed link.
    invitee_user_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    message: str = Field(default="", sa_column=Column(Text, nullable=False))
    include_plan: bool = True
    nonce: str = Field(sa_column=Column(String(32), nullable=False))
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    views: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class ShareItem(SQLModel, table=True):
    """One answer or recording inside a share (a share of several is a set)."""

    __tablename__ = "share_items"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(sa_column=_fk("shares.id"))
    recording_id: int | None = Field(default=None, sa_column=_target_fks()[0])
    answer_id: int | None = Field(default=None, sa_column=_target_fks()[1])
    position: int = 0


class Comment(SQLModel, table=True):
    """A reviewer's comment, pinned to a moment of the video (``at_seconds``) or to a sentence
    (``quote``), or general. Deleted comments keep their row (``deleted_at``) for moderation."""

    __tablename__ = "comments"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int | None = Field(default=None, sa_column=_target_fks()[0])
    answer_id: int | None = Field(default=None, sa_column=_target_fks()[1])
    author_id: int = Field(sa_column=_fk("users.id"))
    at_seconds: float | None = None
    quote: str = Field(default="", sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None


class Review(SQLModel, table=True):
    """A reviewer's quick ratings (1-5, or none) and overall note; one per reviewer and target."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("author_id", "target", name="uq_review_author_target"),
        Index("ix_reviews_target", "target"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int | None = Field(default=None, sa_column=_target_fks()[0])
    answer_id: int | None = Field(default=None, sa_column=_target_fks()[1])
    target: str = Field(sa_column=Column(String(24), nullable=False))
    author_id: int = Field(sa_column=_fk("users.id"))
    structure: int | None = None
    clarity: int | None = None
    confidence: int | None = None
    impact: int | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AiFeedbackVote(SQLModel, table=True):
    """A person agreeing or disagreeing with one item of the AI's feedback, so the engine can
    be measured against people (agreement per ``dimension``)."""

    __tablename__ = "ai_feedback_votes"
    __table_args__ = (
        UniqueConstraint("voter_id", "target", "item_key", name="uq_ai_vote_once"),
        Index("ix_ai_votes_dimension", "dimension"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int | None = Field(default=None, sa_column=_target_fks()[0])
    answer_id: int | None = Field(default=None, sa_column=_target_fks()[1])
    target: str = Field(sa_column=Column(String(24), nullable=False))
    voter_id: int = Field(sa_column=_fk("users.id"))
    item_key: str = Field(sa_column=Column(String(80), nullable=False))
    dimension: str = Field(sa_column=Column(String(20), nullable=False))
    agree: bool
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


REPORT_TARGETS = ("recording", "answer", "comment", "resume")


class AbuseReport(SQLModel, table=True):
    """A report of abuse on a shared item, comment or resume, kept for moderators."""

    __tablename__ = "abuse_reports"
    __table_args__ = (
        Index("ix_abuse_status", "status"),
        UniqueConstraint("reporter_id", "target_kind", "target_id", name="uq_abuse_once"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int = Field(sa_column=_fk("users.id"))
    target_kind: str = Field(sa_column=Column(String(12), nullable=False))
    target_id: int
    #: The reported row itself (exactly one is set, matching ``target_kind``): a report dies
    #: with what it reports and can never point at a later row that got the same id.
    recording_id: int | None = Field(
        default=None, sa_column=_fk("recordings.id", nullable=True, index=False)
    )
    answer_id: int | None = Field(
        default=None, sa_column=_fk("answers.id", nullable=True, index=False)
    )
    comment_id: int | None = Field(
        default=None, sa_column=_fk("comments.id", nullable=True, index=False)
    )
    resume_id: int | None = Field(
        default=None, sa_column=_fk("resumes.id", nullable=True, index=False)
    )

    @staticmethod
    def target_columns(kind: str, target_id: int) -> dict[str, int]:
        """The foreign-key column to set for a report on ``kind`` ``target_id``."""
        return {f"{kind}_id": target_id} if kind in REPORT_TARGETS else {}
    reason: str = Field(sa_column=Column(String(20), nullable=False))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", sa_column=Column(String(10), nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class HelpfulVote(SQLModel, table=True):
    """A user found a public answer helpful (ranks the community's answers)."""

    __tablename__ = "helpful_votes"
    __table_args__ = (UniqueConstraint("voter_id", "target", name="uq_helpful_once"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int | None = Field(default=None, sa_column=_target_fks()[0])
    answer_id: int | None = Field(default=None, sa_column=_target_fks()[1])
    target: str = Field(sa_column=Column(String(24), nullable=False, index=True))
    voter_id: int = Field(sa_column=_fk("users.id"))
    created_at: datetime = Field(default_factory=utcnow)


class SavedExample(SQLModel, table=True):
    """A public answer a user saved to learn from."""

    __tablename__ = "saved_examples"
    __table_args__ = (UniqueConstraint("user_id", "target", name="uq_saved_example"), AUTOINCREMENT)

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int | None = Field(default=None, sa_column=_target_fks()[0])
    answer_id: int | None = Field(default=None, sa_column=_target_fks()[1])
    target: str = Field(sa_column=Column(String(24), nullable=False))
    user_id: int = Field(sa_column=_fk("users.id"))
    created_at: datetime = Field(default_factory=utcnow)


class Resume(SQLModel, table=True):
    """A video resume: chosen recordings in order, published at ``/r/<slug>`` when
    ``published_at`` is set."""

    __tablename__ = "resumes"
    __table_args__ = AUTOINCREMENT

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(sa_column=_fk("users.id"))
    slug: str = Field(sa_column=Column(String(60), unique=True, nullable=False))
    title: str = Field(sa_column=Column(String(120), nullable=False))
    intro: str = Field(default="", sa_column=Column(Text, nullable=False))
    published_at: datetime | None = None
    views: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ResumeItem(SQLModel, table=True):
    """One recording in a resume, at ``position``."""

    __tablename__ = "resume_items"
    __table_args__ = (
        UniqueConstraint("resume_id", "recording_id", name="uq_resume_item"),
        AUTOINCREMENT,
    )

    id: int | None = Field(default=None, primary_key=True)
    resume_id: int = Field(sa_column=_fk("resumes.id"))
    recording_id: int = Field(sa_column=_fk("recordings.id"))
    position: int = 0


class ResumeViewMark(SQLModel, table=True):
    """One counted view of a published resume: a visitor (a keyed hash of their address and
    browser, or of their account) on one UTC day. A resume's ``views`` grows only when a
    mark is new, so reloads and scripted visits count once a day."""

    __tablename__ = "resume_view_marks"

    resume_id: int = Field(
        sa_column=Column(Integer, ForeignKey("resumes.id", ondelete="CASCADE"), primary_key=True)
    )
    visitor: str = Field(sa_column=Column(String(64), primary_key=True))
    day: str = Field(sa_column=Column(String(10), primary_key=True, index=True))
