"""Which feature flag each page belongs to, and the one place that gates them.

Every page of a feature that can be switched off is listed in ``PAGE_FLAGS``. After the page
modules have registered themselves (``@rx.page``), :func:`gate_flagged_pages` wraps each listed
page's render function in :func:`~prepple.components.layout.feature_gate`, so a disabled
feature shows one "turned off" page with a way back instead of a half-working screen (the
recorder with a blank title, a sign-up form refused only once filled in). The server refuses
the feature's handlers regardless (``guarded(flag=...)``);
``tests/state/test_feature_flags.py`` checks that every page whose loader is flagged is listed
here under the same flag.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from reflex_base.registry import RegistrationContext

from prepple import routes
from prepple.components.layout import feature_gate

PAGE_FLAGS: dict[str, str] = {
    routes.REGISTER: "registration",
    routes.FORGOT: "password_reset",
    routes.RESET: "password_reset",
    routes.QUESTIONS: "question_bank",
    routes.QUESTION: "question_bank",
    routes.GALLERY: "component_gallery",
    routes.PLAN: "planner",
    routes.ANSWERS: "planner",
    routes.STORIES: "planner",
    routes.PRACTICE: "practice",
    routes.PRACTICE_QUESTION: "practice",
    routes.RECORDING: "practice",
    routes.COMPARE: "practice",
    routes.PROGRESS: "progress",
    routes.SCHEDULE: "schedule",
    routes.TODAY: "schedule",
    routes.REMINDERS: "schedule",
    routes.VIEW: "sharing",
    routes.SHARE_LINK: "sharing",
    routes.SHARED: "sharing",
    routes.COMMUNITY: "community",
    routes.RESUME: "resume",
    routes.PUBLIC_RESUME: "resume",
}

_GATED = "__prepple_feature_flag__"


def _gated(flag: str, render: Callable) -> Callable:
    @functools.wraps(render)
    def page():
        return feature_gate(flag, render())

    setattr(page, _GATED, flag)
    return page


def gate_flagged_pages() -> list[str]:
    """Wrap every registered page listed in ``PAGE_FLAGS`` (once); returns the gated routes."""
    pages = RegistrationContext.ensure_context().decorated_pages
    gated = []
    for i, (render, kwargs) in enumerate(pages):
        flag = PAGE_FLAGS.get(kwargs.get("route", ""))
        if flag is None:
            continue
        if getattr(render, _GATED, None) is None:
            pages[i] = (_gated(flag, render), kwargs)
        gated.append(kwargs["route"])
    return gated


def page_flag(route: str) -> str | None:
    """The flag a route belongs to, if any."""
    return PAGE_FLAGS.get(route)
