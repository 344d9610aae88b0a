"""Run Alembic migrations programmatically (CLI, tests, start-up of the run command)."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from prepple.settings import PROJECT_ROOT, get_settings


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic config pointing at this project's migrations and the given database."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["database_url"] = database_url or get_settings().database_url
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade(revision: str = "head", database_url: str | None = None) -> None:
    """Upgrade the database to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(revision: str = "-1", database_url: str | None = None) -> None:
    """Downgrade the database to ``revision`` (default: one step)."""
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str | None = None) -> str | None:
    """The database's current revision, or ``None`` when it has none."""
    from alembic.runtime.migration import MigrationContext

    from prepple.db import make_engine

    engine = make_engine(database_url or get_settings().database_url)
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    return rev
