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

# Every event the socket can name on a Prepple state: its own handlers, and also any it gets
# from a mixin, a parent or a helper (an auto-setter, were they switched on). ``setvar`` is
# Reflex's own generic setter; it has its own test below.
HANDLERS = [
    (cls, name) for cls in prepple_states() for name in cls.event_handlers if name != "setvar"
]
IDS = [f"{cls.__name__}.{name}" for cls, name in HANDLERS]


def _guard(cls, name):
    return getattr(cls.event_handlers[name].fn, GUARD_ATTR, None)


def test_enumeration_finds_the_handlers():
    names = set(IDS)
    assert {f"{c.__name__}.{n}" for c in prepple_states() for n in own_handlers(c)} <= names
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


def _results_tab(session, user):
    """A tab on the results page of one of ``user``'s recordings, with its media link."""
    from prepple.models import Question, Recording
    from prepple.state.practice import RecordingState

    qid = session.exec(select(Question.id)).first()
    rec = Recording(
        user_id=user.id, question_id=qid, status="done", media_key="x/1.webm", mime="video/webm"
    )
    session.add(rec)
    session.commit()
    root = new_tree(login_token(user))
    state = get(root, RecordingState)
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/recordings/[rid]", "query": {"rid": str(rec.id)}}
    )
    call(root, SessionState, "refresh_viewer")
    call(root, RecordingState, "load")
    assert state.recording_id == rec.id and state.media_url
    return root, state, rec


def _plays(session, rec, media_url: str) -> bool:
    from prepple.services import recordings

    token = media_url.split("token=")[1]
    session.expire_all()
    try:
        recordings.media_for_token(session=session, token=token, recording_id=rec.id)
    except recordings.RecordingError:
        return False
    return True


@pytest.mark.parametrize("how", ["logout", "session_ended_elsewhere"])
def test_log_out_clears_every_state_of_the_tab_and_ends_its_media_link(session, make_user, how):
    """Log-out (or a session ended elsewhere, seen on the next event) forgets what every state
    held, not only the session's, and the media link the tab was given stops streaming."""
    from prepple.services import accounts

    user = make_user("ann@example.com")
    root, state, rec = _results_tab(session, user)
    media_url = state.media_url
    assert _plays(session, rec, media_url)
    if how == "logout":
        call(root, SessionState, "logout")
    else:
        accounts.session_revoke(session=session, token=get(root, SessionState).auth_token)
        session.commit()
        call(root, SessionState, "refresh_viewer")  # the tab reconnects / loads a page
    assert state.recording_id == 0 and state.media_url == "" and state.status == ""
    assert get(root, SessionState).auth_token == ""
    assert not _plays(session, rec, media_url)


def _fields(cls) -> list[str]:
    """The state's own fields (Reflex's own, such as ``is_hydrated``, hold nothing of ours)."""
    import reflex as rx

    return [n for n in cls.__fields__ if n not in rx.State.__fields__]


@pytest.mark.parametrize("cls", prepple_states(), ids=lambda c: c.__name__)
def test_setvar_cannot_set_any_field(cls, session, make_user):
    """Reflex gives every state a generic ``setvar(name, value)`` event, callable over the
    socket. It calls ``set_<name>``; with auto-setters off only our own guarded handlers have
    such names. So no field (ids the next handler trusts, the viewer's roles, a loaded
    recording) can be set by a crafted event, as a visitor or signed in."""
    admin = make_user("admin@example.com", roles=("admin",))
    setvar = cls.event_handlers["setvar"].fn
    for token in ("", login_token(admin)):
        root = new_tree(token)
        state = get(root, cls)
        for name in _fields(cls):
            setter = cls.event_handlers.get(f"set_{name}")
            if setter is not None:
                # The handler of that name runs, through its own guard (enumerated above).
                assert _guard(cls, f"set_{name}") is not None
                continue
            before = getattr(state, name)
            hostile = 987654 if isinstance(before, int) else "hostile"
            try:
                setvar(state, name, hostile)
            except Exception:  # noqa: BLE001, S110 - refusing by raising is fine
                pass
            assert getattr(state, name) == before, f"setvar set {cls.__name__}.{name}"


STAFF_ONLY = [(c, n) for c, n in RESTRICTED if _guard(c, n).permission != SIGNED_IN]


def test_every_role_gets_exactly_the_handlers_its_permissions_name(session, make_user):
    """Role escalation: a seeker, mentor, recruiter, moderator, support or billing account
    calling a staff handler directly is refused unless its role holds that permission, and
    one that holds it is let through (so the check is the permission, not "any staff")."""
    from prepple.services.authz import ROLES

    assert len(STAFF_ONLY) >= 10
    accounts = [make_user(f"{r}@example.com", roles=(r,)) for r in ROLES if r != "admin"]
    tokens = {user.id: login_token(user) for user in accounts}
    for cls, name in STAFF_ONLY:
        permission = _guard(cls, name).permission
        handler = cls.event_handlers[name]
        for user in accounts:
            (role,) = {r for r in ROLES if user.email.startswith(r)}
            result = call(new_tree(tokens[user.id]), cls, name, *dummy_args(handler))
            holds = may(Principal(user_id=user.id, roles=frozenset({role})), permission)
            assert isinstance(result, Refusal) != holds, f"{role} calling {cls.__name__}.{name}"


@pytest.mark.parametrize("cls,name", HANDLERS, ids=IDS)
def test_arguments_that_dont_fit_are_refused_quietly(cls, name, session, make_user):
    """A crafted event names any keyword arguments (the socket sends a payload dict): one the
    handler doesn't take, or too many, is refused before the body runs (it used to be a
    TypeError traceback); an event with the right ones still runs."""
    token = login_token(make_user("admin@example.com", roles=("admin",)))
    handler = cls.event_handlers[name]
    args = dummy_args(handler)
    assert isinstance(call(new_tree(token), cls, name, *args, bogus=1), Refusal)
    assert isinstance(call(new_tree(token), cls, name, *args, *args, "extra"), Refusal)
    assert not isinstance(call(new_tree(token), cls, name, *args), Refusal)
