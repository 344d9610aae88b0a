"""Build a Reflex state tree in-process and call handlers directly, as the websocket would."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from typing import Any

import reflex as rx

import prepple.prepple  # noqa: F401 - imports every page, so every State class exists
from prepple.db import session_scope
from prepple.services import accounts
from prepple.state.session import SessionState


def prepple_states() -> list[type[rx.State]]:
    """Every State class defined in the prepple package."""
    found, stack = [], [rx.State]
    while stack:
        cls = stack.pop()
        for sub in cls.get_substates():
            stack.append(sub)
            if sub.__module__.startswith("prepple."):
                found.append(sub)
    return sorted(found, key=lambda c: c.get_full_name())


def own_handlers(cls: type[rx.State]) -> dict[str, Any]:
    """Event handlers whose function is defined on ``cls`` itself (not inherited)."""
    out = {}
    for name, handler in cls.event_handlers.items():
        fn = inspect.unwrap(handler.fn)
        if fn.__module__.startswith("prepple.") and fn.__qualname__.split(".")[0] == cls.__name__:
            out[name] = handler
    return out


def new_tree(token: str = "") -> rx.State:
    """A fresh root state; ``token`` is the browser's session token."""
    root = rx.State(_reflex_internal_init=True)
    get(root, SessionState).auth_token = token
    return root


def get(root: rx.State, cls: type[rx.State]):
    """The instance of ``cls`` inside ``root``."""
    return root.get_substate(cls.get_full_name().split(".")[1:])


def call(root: rx.State, cls: type[rx.State], name: str, *args, **kwargs):
    """Run one handler on the instance of ``cls`` in ``root`` and return what it returned."""
    state = get(root, cls)
    result = cls.event_handlers[name].fn(state, *args, **kwargs)
    if inspect.isasyncgen(result):
        result = run_async(_drain(result))
    elif inspect.isawaitable(result):
        result = run_async(result)
    return result


async def _drain(gen) -> list | object:
    """Run an async-generator handler to the end; a Refusal it yields is returned as such."""
    items = []
    async for item in gen:
        if type(item).__name__ == "Refusal":
            return item
        items.append(item)
    return items


def run_async(coro):
    """Run a coroutine on a fresh loop in a worker thread: works even when another library
    (Playwright's sync API in the same session) already runs a loop in this thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def dummy_args(handler) -> list:
    """Plausible arguments for a handler, from its annotations."""
    sig = inspect.signature(handler.fn)
    values = {
        int: 1,
        str: "x",
        dict: {},
        bool: True,
        "int": 1,
        "str": "x",
        "dict": {},
        "bool": True,
    }
    return [values.get(p.annotation, "x") for p in list(sig.parameters.values())[1:]]


def login_token(user) -> str:
    """A real session token for ``user``."""
    with session_scope() as session:
        return accounts.session_create(session=session, user=session.get(type(user), user.id))
