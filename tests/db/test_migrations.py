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
