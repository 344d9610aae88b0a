"""The `prepple` console command, run through Typer's runner on a fresh database."""

import json

import pytest
from alembic.script import ScriptDirectory
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from prepple import migrate
from prepple.cli import app
from prepple.db import make_engine, reset_engine_cache
from prepple.models import Question, User
from prepple.services import accounts
from prepple.settings import reset_settings_cache

runner = CliRunner()


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("PREPPLE_DATABASE_URL", url)
    reset_settings_cache()
    reset_engine_cache()
    yield url
    reset_engine_cache()
    reset_settings_cache()


def _count(url, model):
    engine = make_engine(url)
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(model)).one()
    engine.dispose()
    return n


def test_upgrade_seed_twice_and_create_users(empty_db):
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    head = ScriptDirectory.from_config(migrate.alembic_config(empty_db)).get_current_head()
    assert f"database at {head}" in result.output
    first = runner.invoke(app, ["seed"])
    assert first.exit_code == 0
    counts = json.loads(first.output)
    assert counts["questions"] >= 200 and counts["created"] == counts["questions"]
    again = json.loads(runner.invoke(app, ["seed"]).output)
    assert again["created"] == 0
    assert _count(empty_db, Question) == counts["questions"]

    made = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--role",
            "support",
        ],
        env={"PREPPLE_NEW_PASSWORD": "correct horse battery"},
    )
    assert made.exit_code == 0, made.output
    engine = make_engine(empty_db)
    with Session(engine) as s:
        user = s.exec(select(User).where(User.email == "boss@example.com")).one()
        assert accounts.principal_of(s, user).roles == {"admin", "support"}
    engine.dispose()

    dup = runner.invoke(
        app,
        ["users", "create", "--email", "boss@example.com", "--name", "B"],
        env={"PREPPLE_NEW_PASSWORD": "correct horse battery"},
    )
    assert dup.exit_code == 2 and "already exists" in dup.output
    bad = runner.invoke(
        app,
        ["users", "create", "--email", "x@example.com", "--name", "X", "--role", "overlord"],
        env={"PREPPLE_NEW_PASSWORD": "correct horse battery"},
    )
    assert bad.exit_code == 2 and "Unknown role" in bad.output
    assert _count(empty_db, User) == 1


def test_flags_and_downgrade(empty_db):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["flags", "set", "registration", "off"]).exit_code == 0
    listed = runner.invoke(app, ["flags", "list"]).output
    assert "registration" in listed and "off  (override)" in listed
    assert runner.invoke(app, ["flags", "set", "registration", "maybe"]).exit_code == 2
    down = runner.invoke(app, ["db", "downgrade"])
    scripts = ScriptDirectory.from_config(migrate.alembic_config(empty_db))
    before_head = scripts.get_revision(scripts.get_current_head()).down_revision
    assert down.exit_code == 0 and f"database at {before_head}" in down.output


def test_errors_are_messages_not_tracebacks(empty_db):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    made = runner.invoke(
        app,
        ["users", "create", "--email", "a@example.com", "--name", "A"],
        env={"PREPPLE_NEW_PASSWORD": "correct horse battery"},
    )
    assert made.exit_code == 0
    bad_role = runner.invoke(app, ["users", "set-role", "a@example.com", "overlord"])
    assert bad_role.exit_code == 2 and "Unknown role" in bad_role.output
    assert bad_role.exception is None or isinstance(bad_role.exception, SystemExit)
    nobody = runner.invoke(app, ["users", "set-role", "nobody@example.com", "mentor"])
    assert nobody.exit_code == 2 and "no such user" in nobody.output
    bad_flag = runner.invoke(app, ["flags", "set", "warp_drive", "on"])
    assert bad_flag.exit_code == 2 and "unknown flag" in bad_flag.output
    ok = runner.invoke(app, ["users", "set-role", "a@example.com", "mentor"])
    assert ok.exit_code == 0 and "mentor" in ok.output


def test_prune_and_deliver_report_counts(empty_db):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    pruned = runner.invoke(app, ["prune"])
    assert pruned.exit_code == 0
    assert json.loads(pruned.output) == {"sessions": 0, "reset_tokens": 0, "throttle_rows": 0}
    delivered = runner.invoke(app, ["deliver"])
    assert delivered.exit_code == 0 and "sent 0" in delivered.output
