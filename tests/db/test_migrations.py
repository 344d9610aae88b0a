"""Migrations: upgrade from empty, downgrade to empty, and the models match the migrated schema,
on SQLite and on the real local PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import prepple.models  # noqa: F401
from prepple import migrate
from prepple.db import make_engine
from tests.conftest import postgres_url_or_skip


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    base = postgres_url_or_skip()
    name = f"prepple_mig_{abs(hash(str(tmp_path))) % 10**8}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables(url):
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    return names


def test_upgrade_downgrade_roundtrip(empty_db):
    migrate.upgrade(database_url=empty_db)
    head = ScriptDirectory.from_config(migrate.alembic_config(empty_db)).get_current_head()
    assert migrate.current(empty_db) == head
    assert _tables(empty_db) == set(SQLModel.metadata.tables)
    migrate.downgrade("base", database_url=empty_db)
    assert migrate.current(empty_db) is None
    assert _tables(empty_db) == set()
    migrate.upgrade(database_url=empty_db)
    migrate.downgrade("-1", database_url=empty_db)
    migrate.upgrade(database_url=empty_db)
    assert migrate.current(empty_db) == head


def test_models_match_migrations(empty_db):
    migrate.upgrade(database_url=empty_db)
    engine = make_engine(empty_db)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_0006_keys_accounts_binds_reports_and_drops_inherited_ones(empty_db):
    """Upgrading a database with data: every account gets its own token key; an open report
    keeps its target, while one older than its "target" (an id inherited by a later row) and
    one whose target is gone are deleted; on SQLite, ids are never handed out again."""
    migrate.upgrade("0007", database_url=empty_db)
    engine = make_engine(empty_db)
    old, new = "2026-11-01 10:00:00", "2026-11-20 10:00:00"
    with engine.begin() as conn:
        for uid in (1, 2, 3):
            conn.execute(
                text(
                    "INSERT INTO users (id, email, display_name, password_hash, is_active,"
                    " created_at, password_changed_at) VALUES (:id, :e, 'U', 'h', true, :t, :t)"
                ),
                {"id": uid, "e": f"u{uid}@example.com", "t": old},
            )
        conn.execute(
            text(
                "INSERT INTO questions (id, key, text, why_asked, strong_answer, difficulty,"
                " search_text, created_at) VALUES (1, 'q', 'Q?', '', '', 'medium', '', :t)"
            ),
            {"t": old},
        )
        for rid, made in ((10, old), (11, new)):  # 11 was created after the report on it
            conn.execute(
                text(
                    "INSERT INTO recordings (id, user_id, question_id, practice_key, cheat_sheet,"
                    " status, failure_reason, progress, mime, media_key, size_bytes,"
                    " duration_seconds, has_video, plan_json, transcript_json, report_json,"
                    " attempts, visibility, lease_owner, created_at, updated_at) VALUES (:id, 1,"
                    " 1, '', 'none', 'done', '', 0, '', '', 0, 0, false, '{}', '', '', 0,"
                    " 'public', '', :t, :t)"
                ),
                {"id": rid, "t": made},
            )
        for reporter, target in ((2, 10), (2, 11), (3, 12)):  # 12 doesn't exist any more
            conn.execute(
                text(
                    "INSERT INTO abuse_reports (reporter_id, target_kind, target_id, reason,"
                    " detail, status, created_at) VALUES (:r, 'recording', :t, 'spam', '',"
                    " 'open', :at)"
                ),
                {"r": reporter, "t": target, "at": "2026-11-10 10:00:00"},
            )
    migrate.upgrade(database_url=empty_db)
    with engine.begin() as conn:
        keys = conn.execute(text("SELECT token_key FROM users")).scalars().all()
        assert len(keys) == 3 and len(set(keys)) == 3 and all(len(k) == 32 for k in keys)
        reports = conn.execute(text("SELECT target_id, recording_id FROM abuse_reports")).all()
        assert [tuple(r) for r in reports] == [(10, 10)]
        conn.execute(text("DELETE FROM recordings WHERE id = 10"))
    with engine.begin() as conn:
        # The report died with its recording (the app's engine enforces foreign keys).
        assert conn.execute(text("SELECT count(*) FROM abuse_reports")).scalar() == 0
        if conn.dialect.name == "sqlite":
            conn.execute(text("DELETE FROM users WHERE id = 3"))
            conn.execute(
                text(
                    "INSERT INTO users (email, display_name, password_hash, is_active,"
                    " created_at, password_changed_at, token_key) VALUES ('n@example.com', 'N',"
                    " 'h', 1, :t, :t, 'k')"
                ),
                {"t": new},
            )
            assert conn.execute(text("SELECT max(id) FROM users")).scalar() == 4
    engine.dispose()
    migrate.downgrade("0007", database_url=empty_db)
    migrate.upgrade(database_url=empty_db)
