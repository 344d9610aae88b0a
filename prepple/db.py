"""One engine and session factory shared by services, workers, the CLI and Alembic."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from prepple.settings import get_settings


def _sqlite_pragmas(foreign_keys: bool):
    def apply(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return apply


def make_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """Create an engine for ``url`` with the pragmas and pool settings Prepple relies on.

    ``foreign_keys=False`` is for SQLite migrations only: Alembic's batch mode copies and drops
    tables, and with foreign keys on a DROP would cascade into the rows that refer to them."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas(foreign_keys))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


def reset_engine_cache() -> None:
    """Dispose and forget the cached engine (tests switch databases)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def insert_ignore(session, model: type, **values: object) -> bool:
    """``INSERT .. ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL; whether the row went in.

    ``RETURNING`` tells, since PostgreSQL reports no row count for an insert that returns
    rows. (Not a savepoint and catch: pysqlite commits a savepoint taken before the
    transaction's first write on its own, which would break an all-or-nothing change.)"""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    table = model.__table__
    insert_for = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert_for(table).values(**values).on_conflict_do_nothing()
    return session.exec(stmt.returning(*table.primary_key.columns)).first() is not None
