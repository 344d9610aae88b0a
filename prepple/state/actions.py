"""One round of "call a service, commit, refresh, tell the user" for event handlers.

Most handlers that change something do the same four steps: run one service call in a
transaction, commit it, reload what the page shows, and answer with a toast; when the service
says no (a :class:`~prepple.services.errors.DomainError`), nothing is committed, nothing is
reloaded and the user reads the service's message. :func:`perform` is those steps::

    done = perform(
        lambda db: planner.story_delete(session=db, user_id=uid, story_id=sid),
        refresh=self._run,
    )
    return done.event

Refusals the guard answers (``Denied``, ``FeatureDisabled``) are not caught here: they reach
``@guarded``, which logs them and answers as it always does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import reflex as rx
from sqlmodel import Session

from prepple.db import session_scope
from prepple.services.authz import Denied
from prepple.services.errors import DomainError
from prepple.services.flags import FeatureDisabled

T = TypeVar("T")

#: Left to ``@guarded`` (a refusal is logged and answered there, not toasted here).
GUARD_ERRORS = (Denied, FeatureDisabled)


@dataclass
class Done(Generic[T]):
    """What :func:`perform` did: the service's result, or the error it refused with, and the
    event to return from the handler (a toast, or ``None`` when there is nothing to say)."""

    value: T | None = None
    error: DomainError | None = None
    event: Any = None

    @property
    def ok(self) -> bool:
        """The service call went through and was committed."""
        return self.error is None


def perform(
    work: Callable[[Session], T],
    *,
    refresh: Callable[[], object] | None = None,
    done: str | Callable[[T], str] = "",
    toast_id: str | None = None,
) -> Done[T]:
    """Run ``work(session)`` in one transaction and commit it; then ``refresh()`` and a success
    toast saying ``done`` (a text, or a function of the result; none when empty). When the
    service raises a domain error, the transaction is rolled back, nothing is refreshed and
    the event is an error toast with its message. Other exceptions propagate."""
    ids = {"id": toast_id} if toast_id else {}
    try:
        with session_scope() as db:
            value = work(db)
    except GUARD_ERRORS:
        raise
    except DomainError as exc:
        return Done(error=exc, event=rx.toast.error(exc.message, **ids))
    if refresh is not None:
        refresh()
    text = done(value) if callable(done) else done
    return Done(value=value, event=rx.toast.success(text, **ids) if text else None)
