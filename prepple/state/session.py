"""Who is using the app, and the one guard every event handler goes through.

``SessionState`` keeps the session token in the browser's localStorage (as reflex-local-auth
does), the visitor's own data (their practice list), and the small public view of the viewer
that the navigation bar shows. Feature states are siblings (they inherit straight from
``rx.State``) and read the token through ``get_state(SessionState)``, so an event of one feature
loads only that feature's state and this small one, also from Redis when scaled out.

Every event handler in ``prepple.state`` is decorated with :func:`guarded`, naming the
permission it needs (``PUBLIC`` for visitors). The guard reads the principal from the database
on each call, so a handler called directly over the websocket is checked just the same as one
triggered by the UI. ``tests/state/test_authorization.py`` enumerates every handler to prove it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import reflex as rx

from prepple.db import session_scope
from prepple.models import User
from prepple.services import accounts, flags, planner, saved
from prepple.services.authz import (
    PUBLIC,
    VISITOR,
    Denied,
    Principal,
    permissions_of,
    require,
)
from prepple.services.flags import FeatureDisabled
from prepple.services.signing import Holder

logger = logging.getLogger("prepple.authz")

GUARD_ATTR = "__prepple_guard__"
MAX_ID = 2**31 - 1
_principal: ContextVar[Principal] = ContextVar("prepple_principal", default=VISITOR)
_holder: ContextVar[Holder | None] = ContextVar("prepple_holder", default=None)
#: States that hold no account data and survive log-out (the account forms' own messages).
KEEP_ON_LOGOUT = frozenset({"AuthState"})


@dataclass(frozen=True)
class Guard:
    """What a handler needs: a permission and, optionally, a feature flag that is on."""

    permission: str
    flag: str | None = None


class Refusal(list):
    """The events a refused handler returns (a list, so Reflex sends them to the browser).

    A distinct type so tests can tell a refusal from a handler that ran."""


def current_principal() -> Principal:
    """The principal the running handler was authorised for (inside a guarded handler)."""
    return _principal.get()


def current_holder() -> Holder | None:
    """Whom signed links made by the running handler are for: the signed-in account and this
    tab's log-in session (see ``services/signing.py``); ``None`` for a visitor."""
    return _holder.get()


def _prepple_states() -> list[type[rx.State]]:
    # Python's own subclass links: Reflex's registry needs a context that a handler running
    # in another thread may not have.
    found, stack = [], [rx.State]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("prepple."):
                found.append(sub)
    return found


async def clear_tab(state: rx.State) -> None:
    """Reset every Prepple state of this tab but the session's (callers reset that): nothing
    an earlier user loaded (recordings, media links, plans, admin lists) outlives their
    session, also in states not loaded by this event (fetched from Redis when scaled out)."""
    for cls in _prepple_states():
        if cls is SessionState or cls.__name__ in KEEP_ON_LOGOUT:
            continue
        (await state.get_state(cls)).reset()


# Same-site paths only: no scheme, no "//host", no backslashes, whitespace or control chars.
_SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_\-.~%?=&]*$")


def safe_next(target: object, default: str = "/questions") -> str:
    """``target`` if it is a same-site path, else ``default`` (no open redirects)."""
    if isinstance(target, str) and len(target) < 300 and _SAFE_PATH.match(target):
        return target
    return default


def login_redirect(path: str) -> rx.event.EventSpec:
    """Send a visitor to log in, coming back to ``path`` afterwards."""
    path = path.rstrip("/")
    target = "/login" + (f"?next={quote(path, safe='/')}" if safe_next(path, "") else "")
    return rx.redirect(target)


def _denial_events(message: str, *, needs_login: bool, path: str) -> Refusal:
    events = Refusal([rx.toast.error(message, id="prepple-denied", close_button=True)])
    if needs_login:
        events.append(login_redirect(path))
    return events


async def session_of(state: rx.State) -> SessionState:
    """The tab's SessionState, from any state."""
    if isinstance(state, SessionState):
        return state
    return await state.get_state(SessionState)


async def _authorise(
    state: rx.State, guard: Guard, name: str
) -> tuple[Principal, Holder | None, Refusal | None]:
    token = (await session_of(state)).auth_token
    principal, holder = VISITOR, None
    try:
        with session_scope() as session:
            if token:
                principal, holder = accounts.session_lookup(session=session, token=token)
            if guard.flag:
                flags.require_enabled(session=session, name=guard.flag)
        require(principal, guard.permission)
    except (Denied, FeatureDisabled) as exc:
        logger.warning("refused %s.%s: %s", type(state).__name__, name, exc)
        if token and holder is None:
            # The tab's session ended (logged out elsewhere, expired, password changed):
            # forget everything the tab holds, not only this state.
            await clear_tab(state)
        elif not isinstance(state, SessionState):
            state.reset()  # nothing an earlier user loaded into this tab stays visible
        if isinstance(exc, FeatureDisabled) and await _flag_known_off(state, exc.name):
            return VISITOR, None, Refusal()  # the page already shows "turned off"
        path = state.router.page.raw_path or state.router.page.path or ""
        needs_login = getattr(exc, "needs_login", False)
        return VISITOR, None, _denial_events(exc.message, needs_login=needs_login, path=path)
    return principal, holder, None


async def _flag_known_off(state: rx.State, name: str) -> bool:
    """Tell the tab that feature ``name`` is off (its pages then show the one "turned off"
    page, ``components.layout.feature_gate``); whether the tab knew already, in which case a
    toast would only repeat that page."""
    sess = await session_of(state)
    if sess.flags_on.get(name) is False:
        return True
    sess.flags_on = {**sess.flags_on, name: False}
    return False


def guarded(permission: str, *, flag: str | None = None) -> Callable:
    """Decorate an event handler so it runs only for principals holding ``permission``.

    Put it under ``@rx.event``. The handler may be sync, async or an async generator; the
    wrapper is async either way. On refusal the handler body does not run; the state's own
    fields are reset, the user sees a toast, and a visitor is sent to the log-in page.
    """
    guard = Guard(permission=permission, flag=flag)

    def decorate(fn: Callable) -> Callable:
        signature = inspect.signature(fn)

        def misfit(self: rx.State, args: tuple, kwargs: dict) -> Refusal | None:
            # A crafted event may name arguments the handler doesn't take or leave one out:
            # refuse it quietly instead of a TypeError traceback in the handler.
            try:
                signature.bind(self, *args, **kwargs)
            except TypeError as exc:
                logger.warning("refused %s.%s: %s", type(self).__name__, fn.__name__, exc)
                return Refusal()
            return None

        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def gen_wrapper(self: rx.State, *args: Any, **kwargs: Any) -> Any:
                refused = misfit(self, args, kwargs)
                if refused is not None:
                    yield refused
                    return
                principal, holder, denial = await _authorise(self, guard, fn.__name__)
                if denial is not None:
                    yield denial
                    return
                reset, reset_holder = _principal.set(principal), _holder.set(holder)
                try:
                    async for item in fn(self, *args, **kwargs):
                        yield item
                finally:
                    _principal.reset(reset)
                    _holder.reset(reset_holder)

            wrapper: Callable = gen_wrapper
        else:

            @functools.wraps(fn)
            async def wrapper(self: rx.State, *args: Any, **kwargs: Any) -> Any:
                refused = misfit(self, args, kwargs)
                if refused is not None:
                    return refused
                principal, holder, denial = await _authorise(self, guard, fn.__name__)
                if denial is not None:
                    return denial
                reset, reset_holder = _principal.set(principal), _holder.set(holder)
                try:
                    result = fn(self, *args, **kwargs)
                    return await result if inspect.isawaitable(result) else result
                finally:
                    _principal.reset(reset)
                    _holder.reset(reset_holder)

        setattr(wrapper, GUARD_ATTR, guard)
        return wrapper

    return decorate


class SessionState(rx.State):
    """The signed-in user (or visitor) of this browser tab."""

    auth_token: str = rx.LocalStorage("", name="prepple_session", sync=True)
    #: A visitor's practice list (JSON list of question ids), kept in the browser.
    visitor_saved: str = rx.LocalStorage("[]", name="prepple_visitor_saved", sync=True)
    #: A visitor's planned answers ({question id: {framework, sections}}), kept in the browser.
    visitor_plans: str = rx.LocalStorage("{}", name="prepple_visitor_plans", sync=True)

    viewer_id: int = 0
    viewer_name: str = ""
    viewer_email: str = ""
    viewer_roles: list[str] = []
    viewer_permissions: list[str] = []
    flags_on: dict[str, bool] = {}
    saved_ids: list[int] = []
    #: True once this tab has loaded who is signed in (the page is interactive).
    viewer_loaded: bool = False

    # ----------------------------------------------------------------------------------------
    # Server-side helpers (not events); other states call them through session_of()

    def _set_viewer(self, principal: Principal) -> None:
        self.viewer_id = principal.user_id or 0
        self.viewer_name = principal.display_name
        self.viewer_email = principal.email
        self.viewer_roles = sorted(principal.roles)
        self.viewer_permissions = permissions_of(principal)
        self.viewer_loaded = True
        with session_scope() as session:
            self.flags_on = {f.name: f.enabled for f in flags.flags_all(session=session)}
            if principal.user_id:
                self.saved_ids = saved.saved_ids(session=session, user_id=principal.user_id)
            else:
                self.saved_ids = visitor_ids(self.visitor_saved)

    async def _start_session(self, user_id: int) -> None:
        """Log ``user_id`` in on this tab and bring the visitor's list and plans into the
        account (importing plans scores each one: a thread, off the event loop). Whatever
        the tab still held from an earlier account is dropped first."""
        await clear_tab(self)
        self.auth_token, principal = await asyncio.to_thread(
            _open_session, user_id, visitor_ids(self.visitor_saved), json_dict(self.visitor_plans)
        )
        self.visitor_saved = "[]"
        self.visitor_plans = "{}"
        self._set_viewer(principal)

    async def _end_session(self) -> None:
        """Revoke the token (if any) and forget everything this tab held about the user, in
        every state (log-out ends the session, so its media and calendar links stop too)."""
        if self.auth_token:
            with session_scope() as session:
                accounts.session_revoke(session=session, token=self.auth_token)
        await clear_tab(self)
        self.reset()
        self._set_viewer(VISITOR)

    # ----------------------------------------------------------------------------------------
    # Computed vars for the UI (page guards are for comfort; handlers check again)

    @rx.var
    def is_authenticated(self) -> bool:
        """Whether a user is signed in on this tab."""
        return self.viewer_id > 0

    @rx.var
    def is_staff(self) -> bool:
        """Whether the admin area link should show."""
        return "admin.view" in self.viewer_permissions

    @rx.var
    def saved_count(self) -> int:
        """How many questions are on the practice list."""
        return len(self.saved_ids)

    # ----------------------------------------------------------------------------------------
    # Events

    @rx.event
    @guarded(PUBLIC)
    async def refresh_viewer(self):
        """Load who is signed in (every page's on_load); a stale or revoked token is dropped
        with everything the tab held for it."""
        principal = current_principal()
        if self.auth_token and not principal.is_authenticated:
            await clear_tab(self)
            self.auth_token = ""
        self._set_viewer(principal)

    @rx.event
    @guarded(PUBLIC)
    async def logout(self):
        """End the session on the server and forget everything this tab held.

        Public on purpose: a tab whose session already expired must still be able to clear
        what it shows."""
        await self._end_session()
        return [rx.toast.info("You are logged out."), rx.redirect("/")]

    @rx.event
    @guarded(PUBLIC)
    def toggle_saved(self, question_id: int):
        """Save or unsave a question: in the account, or in the browser for a visitor."""
        try:
            qid = int(question_id)
        except (TypeError, ValueError, OverflowError):
            qid = 0
        if not 0 < qid <= MAX_ID:
            return rx.toast.error("That question doesn't exist.")
        principal = current_principal()
        want = qid not in self.saved_ids
        if principal.is_authenticated:
            try:
                with session_scope() as session:
                    saved.saved_set(
                        session=session, user_id=principal.user_id, question_id=qid, saved=want
                    )
                    self.saved_ids = saved.saved_ids(session=session, user_id=principal.user_id)
            except (LookupError, ValueError) as exc:
                return rx.toast.error(str(exc))
            return rx.toast.success("Saved to your practice list." if want else "Removed.")
        with session_scope() as session:
            if not flags.flag_enabled(session=session, name="visitor_drafts"):
                return [rx.toast.info("Log in to save questions."), login_redirect("/questions")]
        ids = visitor_ids(self.visitor_saved)
        if want:
            if len(ids) >= saved.MAX_SAVED:
                return rx.toast.error("Your list is full.")
            ids.insert(0, qid)
        else:
            ids = [i for i in ids if i != qid]
        self.visitor_saved = json.dumps(ids)
        self.saved_ids = ids
        if want:
            return rx.toast.success(
                "Saved in this browser. Create a free account to keep it everywhere."
            )
        return rx.toast.success("Removed.")


def _open_session(user_id: int, saved_ids: list[int], plans: dict) -> tuple[str, Principal]:
    with session_scope() as session:
        user = session.get(User, user_id)
        token = accounts.session_create(session=session, user=user)
        saved.saved_import(session=session, user_id=user_id, question_ids=saved_ids)
        planner.plans_import(session=session, user_id=user_id, plans=plans)
        return token, accounts.principal_of(session, user)


def form_data(form: object) -> dict:
    """A submitted form as a dict; anything else (a hostile websocket payload) is empty."""
    return form if isinstance(form, dict) else {}


def password_mismatch(form: dict, first: str, second: str) -> dict[str, str]:
    """An error for the repeat field when two password fields differ, else nothing."""
    if form.get(first) != form.get(second):
        return {second: "The two passwords don't match."}
    return {}


def as_int(value: object) -> int | None:
    """A positive database id from an untrusted argument, or ``None``."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number <= MAX_ID else None


def as_bool(value: object) -> bool | None:
    """A boolean from an untrusted argument (true/false or "true"/"false"), or ``None``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def json_dict(raw: str) -> dict:
    try:
        data = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def visitor_ids(raw: str) -> list[int]:
    """The question ids a visitor saved (from their browser; checked, capped)."""
    try:
        data = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [i for i in data if as_int(i) is not None and isinstance(i, int)][: saved.MAX_SAVED]
