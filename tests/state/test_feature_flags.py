"""Feature flags: every page of a feature shows one "turned off" page when its flag is off, the
navigation hides it, and the server refuses its handlers (without repeating the page in a
toast once the tab knows)."""

from __future__ import annotations

import inspect

import pytest
from reflex_base.registry import RegistrationContext

import prepple.prepple  # noqa: F401 - registers and gates every page
from prepple import routes
from prepple.components import layout
from prepple.pages.feature_flags import PAGE_FLAGS
from prepple.services import flags
from prepple.settings import DEFAULT_FLAGS
from prepple.state.session import GUARD_ATTR, Refusal, SessionState
from tests.state.helpers import call, get, new_tree

#: Flags that guard handlers but own no page of their own.
NO_PAGE = {"visitor_drafts"}


def _pages() -> dict[str, tuple]:
    return {
        kwargs["route"]: (render, kwargs)
        for render, kwargs in RegistrationContext.ensure_context().decorated_pages
        if "route" in kwargs
    }


def _loader_flags(kwargs) -> list[str]:
    on_load = kwargs.get("on_load") or []
    found = []
    for handler in on_load if isinstance(on_load, list) else [on_load]:
        fn = getattr(handler, "fn", None)
        guard = getattr(fn, GUARD_ATTR, None)
        if guard is not None and guard.flag:
            found.append(guard.flag)
    return found


def test_every_flag_has_its_pages_listed():
    assert set(PAGE_FLAGS.values()) | NO_PAGE == set(DEFAULT_FLAGS)
    assert set(PAGE_FLAGS) <= set(_pages()), "a listed route that no page registers"
    assert PAGE_FLAGS[routes.REGISTER] == "registration"
    assert PAGE_FLAGS[routes.PRACTICE_QUESTION] == "practice"


def test_every_page_whose_loader_is_flagged_is_gated_by_that_flag():
    for route, (render, kwargs) in _pages().items():
        loader_flags = _loader_flags(kwargs)
        if loader_flags:
            assert PAGE_FLAGS.get(route) == loader_flags[0], route
        if route in PAGE_FLAGS:
            assert getattr(render, "__prepple_feature_flag__", None) == PAGE_FLAGS[route], route


@pytest.mark.parametrize("route", sorted(PAGE_FLAGS))
def test_a_gated_page_renders_the_turned_off_page_behind_its_flag(route):
    render, _ = _pages()[route]
    flag = PAGE_FLAGS[route]
    compiled = str(render())
    assert "This part of Prepple is turned off for now" in compiled
    assert f'flags_on_rx_state_?.["{flag}"]' in compiled
    assert layout.FEATURE_NAMES[flag] in compiled


def test_navigation_hides_items_of_disabled_features():
    nav = str(layout.navbar())
    for _label, _href, _id, flag, _who in layout.NAV_LINKS + layout.MORE_LINKS:
        assert f'flags_on_rx_state_?.["{flag}"]' in nav
    assert 'flags_on_rx_state_?.["registration"]' in nav  # "Sign up free"


def _one_loader(flag: str):
    """A (state class, handler name) that loads one page of ``flag``."""
    for route, (_render, kwargs) in _pages().items():
        if PAGE_FLAGS.get(route) != flag:
            continue
        on_load = kwargs.get("on_load") or []
        for handler in on_load if isinstance(on_load, list) else [on_load]:
            guard = getattr(getattr(handler, "fn", None), GUARD_ATTR, None)
            if guard is not None and guard.flag == flag:
                return handler.state, handler.fn.__name__
    return None


FLAGS_WITH_LOADERS = sorted(f for f in set(PAGE_FLAGS.values()) if _one_loader(f))


def test_most_flags_have_a_flagged_page_loader():
    # registration's page loads nothing flagged; its handler is the form's submit.
    assert set(FLAGS_WITH_LOADERS) >= {
        "question_bank",
        "planner",
        "practice",
        "progress",
        "schedule",
        "sharing",
        "community",
        "resume",
        "component_gallery",
        "password_reset",
    }


@pytest.mark.parametrize("flag", FLAGS_WITH_LOADERS)
def test_each_flag_off_refuses_its_loader_quietly_once_the_tab_knows(session, flag):
    state_cls, name = _one_loader(flag)
    flags.flag_set(session=session, name=flag, enabled=False, actor_id=None)
    session.commit()
    root = new_tree()
    # The page's on_load: refresh_viewer tells the tab the flag is off (the page then shows
    # "turned off"), so the loader's refusal adds no toast on top of it.
    call(root, SessionState, "refresh_viewer")
    assert get(root, SessionState).flags_on[flag] is False
    refusal = call(root, state_cls, name)
    assert isinstance(refusal, Refusal) and list(refusal) == []
    # A tab that still thinks the feature is on (switched off while it was open) is told.
    stale = new_tree()
    refusal = call(stale, state_cls, name)
    assert isinstance(refusal, Refusal) and len(refusal) >= 1
    assert get(stale, SessionState).flags_on[flag] is False
    flags.flag_set(session=session, name=flag, enabled=None, actor_id=None)
    session.commit()
    call(root, SessionState, "refresh_viewer")
    assert get(root, SessionState).flags_on[flag] is True


def test_registration_off_refuses_the_form_and_the_tab_knows_before_it_is_filled(session):
    from prepple.state.auth import AuthState

    flags.flag_set(session=session, name="registration", enabled=False, actor_id=None)
    session.commit()
    root = new_tree()
    call(root, SessionState, "refresh_viewer")
    # Before anything is typed, the tab knows: /register shows the "turned off" page.
    assert get(root, SessionState).flags_on["registration"] is False
    form = {
        "email": "new@example.com",
        "display_name": "New",
        "password": "correct horse battery",
        "password_confirm": "correct horse battery",
    }
    assert isinstance(call(root, AuthState, "register", form), Refusal)


def test_the_gate_wraps_once():
    from prepple.pages.feature_flags import gate_flagged_pages

    before = {r: id(p[0]) for r, p in _pages().items()}
    gate_flagged_pages()
    assert {r: id(p[0]) for r, p in _pages().items()} == before
    render, _ = _pages()[routes.PRACTICE]
    assert inspect.isfunction(render)
