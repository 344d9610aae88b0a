"""Every event handler of every State class is guarded on the server.

Reflex handlers can be called directly over the websocket, so this calls each one directly
(no UI involved) as a visitor, as a seeker and with its feature switched off, and checks that a
handler meant for a role refuses a principal without it: the body does not run (a Refusal is
returned), and nothing changes in the database.
"""

import pytest
from sqlmodel import func, select

from prepple.models import (
    AuditEntry,
    FeatureFlag,
    OutboxMessage,
    SavedQuestion,
    User,
    UserRole,
    UserSession,
)
from prepple.services import flags
from prepple.services.authz import PUBLIC, SIGNED_IN, Principal, may
from prepple.state.admin import AdminState
from prepple.state.session import GUARD_ATTR, Refusal, SessionState
from tests.state.helpers import (
    call,
    dummy_args,
    get,
    login_token,
    new_tree,
    own_handlers,
    prepple_states,
)

HANDLERS = [(cls, name) for cls in prepple_states() for name in own_handlers(cls)]
IDS = [f"{cls.__name__}.{name}" for cls, name in HANDLERS]


def _guard(cls, name):
    return getattr(cls.event_handlers[name].fn, GUARD_ATTR, None)


def test_enumeration_finds_the_handlers():
    names = set(IDS)
    assert {
        "AdminState.set_role",
        "AuthState.login",
        "SessionState.logout",
        "QuestionsState.search",
        "AccountState.delete_account",
    } <= names
    assert len(HANDLERS) >= 25


@pytest.mark.parametrize("cls,name", HANDLERS, ids=IDS)
def test_every_handler_declares_a_guard(cls, name):
    guard = _guard(cls, name)
    assert guard is not None, f"{cls.__name__}.{name} has no @guarded(...)"
    assert (
        guard.permission == PUBLIC
        or guard.permission == SIGNED_IN
        or may(Principal(user_id=1, roles=frozenset({"admin"})), guard.permission)
    ), f"{cls.__name__}.{name} names an unknown permission {guard.permission!r}"


def _db_fingerprint(session):
    session.expire_all()
    counts = tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (
            User,
            UserRole,
            UserSession,
            SavedQuestion,
            OutboxMessage,
            AuditEntry,
            FeatureFlag,
        )
    )
    hashes = tuple(session.exec(select(User.password_hash).order_by(User.id)).all())
    return counts, hashes


RESTRICTED = [(c, n) for c, n in HANDLERS if _guard(c, n) and _guard(c, n).permission != PUBLIC]


@pytest.mark.parametrize("cls,name", RESTRICTED, ids=[f"{c.__name__}.{n}" for c, n in RESTRICTED])
def test_handler_refuses_principals_without_permission(cls, name, session, make_user):
    guard = _guard(cls, name)
    seeker = make_user("seeker@example.com")
    seeker_token = login_token(seeker)
    before = _db_fingerprint(session)
    handler = cls.event_handlers[name]

    visitor_result = call(new_tree(), cls, name, *dummy_args(handler))
    assert isinstance(visitor_result, Refusal), "a visitor was let through"

    if guard.permission != SIGNED_IN:
        root = new_tree(seeker_token)
        seeker_result = call(root, cls, name, *dummy_args(handler))
        assert isinstance(seeker_result, Refusal), "a seeker was let through"
    assert _db_fingerprint(session) == before


@pytest.mark.parametrize(
    "cls,name",
    [(c, n) for c, n in HANDLERS if _guard(c, n).flag],
    ids=[f"{c.__name__}.{n}" for c, n in HANDLERS if _guard(c, n).flag],
)
def test_handler_refuses_when_its_feature_is_off(cls, name, session, make_user):
    admin = make_user("admin@example.com", roles=("admin",))
    flags.flag_set(session=session, name=_guard(cls, name).flag, enabled=False, actor_id=None)
    session.commit()
    result = call(new_tree(login_token(admin)), cls, name, *dummy_args(cls.event_handlers[name]))
    assert isinstance(result, Refusal)


def test_admin_handler_runs_for_admin_and_not_for_seeker(session, make_user):
    """Positive control: the same direct call succeeds for the right role."""
    admin = make_user("admin@example.com", roles=("admin",))
    seeker = make_user("seeker@example.com")
    refused = call(new_tree(login_token(seeker)), AdminState, "set_role", seeker.id, "admin", True)
    assert isinstance(refused, Refusal)
    ok = call(new_tree(login_token(admin)), AdminState, "set_role", seeker.id, "mentor", True)
    assert not isinstance(ok, Refusal)
    session.expire_all()
    roles = set(session.exec(select(UserRole.role).where(UserRole.user_id == seeker.id)).all())
    assert roles == {"seeker", "mentor"}


def test_refusal_clears_data_left_from_an_earlier_user(session, make_user):
    admin = make_user("admin@example.com", roles=("admin",))
    root = new_tree(login_token(admin))
    call(root, AdminState, "load")
    admin_state = root.get_substate(AdminState.get_full_name().split(".")[1:])
    assert admin_state.users, "admin sees users"
    get(root, SessionState).auth_token = ""  # the admin's session is gone
    assert isinstance(call(root, AdminState, "load"), Refusal)
    assert admin_state.users == []


HOSTILE_ARGS = [None, [], {}, {"$gt": ""}, ["a", "b"], 10**30, -1, True, "x" * 100_000, "\x00"]


@pytest.mark.parametrize("cls,name", HANDLERS, ids=IDS)
def test_handler_survives_wrong_typed_arguments(cls, name, session, make_user):
    """A crafted websocket event can send any JSON as any argument: no handler may crash."""
    admin = make_user("admin@example.com", roles=("admin",))
    token = login_token(admin)
    handler = cls.event_handlers[name]
    n_args = len(dummy_args(handler))
    for bad in HOSTILE_ARGS:
        for position in range(n_args):
            args = dummy_args(handler)
            args[position] = bad
            root = new_tree(token)
            call(root, cls, name, *args)  # must not raise
