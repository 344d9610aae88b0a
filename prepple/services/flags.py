"""Feature flags: defaults from settings, run-time overrides by an admin (stored in the DB).

A disabled feature is refused on the server: guarded handlers and routes call
:func:`require_enabled`, so hiding the page is only a courtesy.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from prepple.models import FeatureFlag, utcnow
from prepple.services.errors import DomainError
from prepple.settings import DEFAULT_FLAGS, get_settings


class FeatureDisabled(DomainError):
    """Raised when a handler belongs to a feature that is switched off (status 503)."""

    default_status = 503

    def __init__(self, name: str) -> None:
        super().__init__(f"This feature ({name.replace('_', ' ')}) is switched off right now.")
        self.name = name


@dataclass(frozen=True)
class FlagView:
    """A flag as the admin page shows it."""

    name: str
    enabled: bool
    default: bool
    overridden: bool


def flag_names() -> list[str]:
    """Every known flag: built-in ones plus any named in settings."""
    return sorted(set(DEFAULT_FLAGS) | set(get_settings().flags))


def flag_enabled(*, session: Session, name: str) -> bool:
    """Whether ``name`` is on: the admin override if any, else the configured default."""
    row = session.get(FeatureFlag, name)
    if row is not None:
        return row.enabled
    return get_settings().flag_default(name)


def require_enabled(*, session: Session, name: str) -> None:
    """Raise :class:`FeatureDisabled` when ``name`` is off."""
    if not flag_enabled(session=session, name=name):
        raise FeatureDisabled(name)


def flags_all(*, session: Session) -> list[FlagView]:
    """All flags with their effective values."""
    overrides = {row.name: row.enabled for row in session.exec(select(FeatureFlag)).all()}
    settings = get_settings()
    return [
        FlagView(
            name=name,
            enabled=overrides.get(name, settings.flag_default(name)),
            default=settings.flag_default(name),
            overridden=name in overrides,
        )
        for name in flag_names()
    ]


def flag_set(*, session: Session, name: str, enabled: bool | None, actor_id: int | None) -> None:
    """Override a flag (``enabled=None`` returns it to its default). Unknown names are refused."""
    if name not in flag_names():
        raise KeyError(f"Unknown feature flag: {name}")
    row = session.get(FeatureFlag, name)
    if enabled is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(FeatureFlag(name=name, enabled=enabled, updated_by=actor_id))
    else:
        row.enabled, row.updated_by, row.updated_at = enabled, actor_id, utcnow()
    session.flush()
