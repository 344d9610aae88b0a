"""Shared fixtures: a fresh, migrated database per test (SQLite, or PostgreSQL for the tests that
run on both), factories for users, and a Reflex root state for calling handlers directly."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

os.environ.setdefault("PREPPLE_ENVIRONMENT", "test")
# Argon2 at full cost is the point in production (tests/services/test_password_hashing.py keeps
# it so); the suite's ~400 accounts only need it to be Argon2, at a token cost.
os.environ.setdefault("PREPPLE_ARGON2_COST", "fast")
os.environ.setdefault("PREPPLE_LOGIN_MAX_FAILURES", "5")

from prepple import migrate  # noqa: E402
from prepple.db import make_engine, reset_engine_cache  # noqa: E402
from prepple.services import accounts, questions  # noqa: E402
from prepple.settings import reset_settings_cache  # noqa: E402

PG_URL = os.environ.get("PREPPLE_TEST_POSTGRES_URL", "")
REQUIRE_SERVICES = os.environ.get("PREPPLE_REQUIRE_SERVICES") == "1"


def postgres_url_or_skip() -> str:
    """The test PostgreSQL URL; skipping is only allowed outside the official test command."""
    if not PG_URL:
        if REQUIRE_SERVICES:
            pytest.fail("PREPPLE_TEST_POSTGRES_URL is not set but services are required")
        pytest.skip("no PostgreSQL (run the suite with `make test`)")
    return PG_URL


def migrate_and_seed(url: str) -> None:
    """What `make run` does to a new database: migrate to head, load the question bank."""
    migrate.upgrade(database_url=url)
    engine = make_engine(url)
    with Session(engine) as session:
        questions.seed_bank(session=session, bank=questions.load_bank())
        session.commit()
    if url.startswith("sqlite"):
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, seeded SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_and_seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> str:
    """PostgreSQL migrated to head and seeded once; tests then clear the per-user tables.

    Under pytest-xdist each worker gets a database of its own (``<name>_gw0``, ...), created
    next to the configured one, so parallel workers never truncate each other's rows."""
    url = postgres_url_or_skip()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker:
        base, name = url.rsplit("/", 1)
        own = f"{name}_{worker}"
        admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{own}"'))
        admin.dispose()
        url = f"{base}/{own}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate_and_seed(url)
    return url


PER_TEST_TABLES = (
    "resume_items",
    "resumes",
    "saved_examples",
    "helpful_votes",
    "abuse_reports",
    "ai_feedback_votes",
    "reviews",
    "comments",
    "share_items",
    "shares",
    "plan_items",
    "interviews",
    "reminder_prefs",
    "notifications",
    "reminder_sends",
    "scheduler_leases",
    "recordings",
    "answer_versions",
    "answers",
    "stories",
    "audit_log",
    "outbox_messages",
    "saved_questions",
    "feature_flags",
    "login_throttle",
    "password_reset_tokens",
    "user_sessions",
    "user_roles",
    "users",
)


def _use_database(monkeypatch, url: str) -> None:
    from prepple.services.answer_index import reset_index
    from prepple.services.storage import reset_storage_cache

    monkeypatch.setenv("PREPPLE_DATABASE_URL", url)
    reset_settings_cache()
    reset_engine_cache()
    reset_index()
    reset_storage_cache()


@pytest.fixture(params=["sqlite"])
def db_url(request, tmp_path, monkeypatch, sqlite_template) -> Iterator[str]:
    """The URL of a fresh database for this test, also made the app's configured database."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_template")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(PER_TEST_TABLES)} RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        path = tmp_path / f"prepple-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    monkeypatch.setenv("PREPPLE_DATA_DIR", str(tmp_path / "data"))
    _use_database(monkeypatch, url)
    yield url
    reset_engine_cache()
    reset_settings_cache()


both_databases = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def session(db_url) -> Iterator[Session]:
    """A session on the test database (committed work is visible to the app's handlers)."""
    from prepple.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def make_user(session):
    """Factory: ``make_user("ann@example.com", roles=("admin",))`` -> User (committed)."""
    counter = {"n": 0}

    def _make(
        email: str | None = None,
        *,
        password: str = "correct horse battery",
        name: str = "Test User",
        roles: tuple[str, ...] = ("seeker",),
    ):
        counter["n"] += 1
        user = accounts.user_register(
            session=session,
            email=email or f"user{counter['n']}@example.com",
            password=password,
            display_name=name,
            roles=roles,
        )
        session.commit()
        return user

    return _make


@pytest.fixture
def holder_for(session):
    """Factory: ``holder_for(user)`` -> the ``signing.Holder`` of a new log-in session of
    ``user`` (what the media, upload and calendar links made in that session name)."""
    from prepple.models import User

    def _make(user):
        token = accounts.session_create(session=session, user=session.get(User, user.id))
        session.commit()
        return accounts.session_lookup(session=session, token=token)[1]

    return _make


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API server (moto's ThreadedMotoServer) on a free local port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def make_recording(session):
    """Factory: ``make_recording(user, path)`` -> a Recording uploaded from ``path`` in chunks
    and completed (``queued``, or ``failed`` when the file isn't usable media), committed."""
    from prepple.models import Question
    from prepple.services import recordings

    def _make(user, path: Path, *, question_id: int | None = None, chunk: int = 1 << 20):
        qid = question_id or session.exec(select(Question.id).order_by(Question.id)).first()
        mime = "video/webm" if path.suffix == ".webm" else "audio/wav"
        rec = recordings.recording_create(
            session=session, user_id=user.id, question_id=qid, mime=mime
        )
        data = path.read_bytes()
        for offset in range(0, len(data), chunk):
            recordings.upload_append(
                session=session,
                recording_id=rec.id,
                user_id=user.id,
                offset=offset,
                data=data[offset : offset + chunk],
            )
        rec = recordings.upload_complete(
            session=session, recording_id=rec.id, user_id=user.id, total=len(data)
        )
        session.commit()
        return rec

    return _make
