"""State handlers called directly: what they change, what they refuse, what they say."""

import json

import pytest
from sqlalchemy import delete
from sqlmodel import func, select

from prepple.models import SavedQuestion, User, UserSession
from prepple.services import flags, notifications
from prepple.state.account import AccountState
from prepple.state.admin import AdminState
from prepple.state.auth import AuthState
from prepple.state.questions import QuestionDetailState, QuestionsState
from prepple.state.session import Refusal, SessionState, safe_next
from tests.state.helpers import call, get, login_token, new_tree

PW = "correct horse battery"
GOOD = {"display_name": "Ann", "email": "ann@example.com", "password": PW, "password_confirm": PW}


def _users(session):
    session.expire_all()
    return session.exec(select(func.count()).select_from(User)).one()


def test_register_signs_in_and_keeps_visitor_saved_questions(session):
    root = new_tree()
    call(root, SessionState, "toggle_saved", 3)
    call(root, SessionState, "toggle_saved", 5)
    assert json.loads(get(root, SessionState).visitor_saved) == [5, 3]
    call(root, AuthState, "register", dict(GOOD))
    sess = get(root, SessionState)
    assert sess.viewer_name == "Ann" and sess.auth_token and sess.visitor_saved == "[]"
    user = session.exec(select(User).where(User.email == "ann@example.com")).one()
    kept = session.exec(select(SavedQuestion.question_id).where(SavedQuestion.user_id == user.id))
    assert sorted(kept.all()) == [3, 5]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("display_name", "", "Name is required."),
        ("display_name", "   ", "Name is required."),
        ("display_name", "x" * 81, "at most 80"),
        ("display_name", "<img src=x onerror=alert(1)>", "< or >"),
        ("display_name", "\u202e\u2066\u200b", "Name is required."),  # nothing once cleaned
        ("email", "", "E-mail is required."),
        ("email", "not an email", "Enter an e-mail address"),
        ("email", "a" * 300 + "@x.com", "at most 254"),
        ("email", "'; DROP TABLE users; --@x.com", "Enter an e-mail address"),
        ("password", "", "Password is required."),
        ("password", "short", "at least 10"),
        ("password", "p" * 5000, "at most 256"),
    ],
)
def test_register_bad_input_gives_field_message_and_creates_nothing(session, field, value, message):
    form = dict(GOOD, **{field: value})
    if field == "password":
        form["password_confirm"] = value
    root = new_tree()
    call(root, AuthState, "register", form)
    errors = get(root, AuthState).errors
    assert list(errors) == [field] and message in errors[field]
    assert _users(session) == 0
    assert get(root, SessionState).auth_token == ""


def test_register_refused_when_flag_off(session):
    flags.flag_set(session=session, name="registration", enabled=False, actor_id=None)
    session.commit()
    root = new_tree()
    assert isinstance(call(root, AuthState, "register", dict(GOOD)), Refusal)
    assert _users(session) == 0


@pytest.mark.parametrize("payload", ["not a form", None, ["a"], 42])
def test_register_with_non_dict_payload_is_harmless(session, payload):
    root = new_tree()
    call(root, AuthState, "register", payload)
    assert get(root, AuthState).errors  # a message, not a crash
    assert _users(session) == 0


def test_login_wrong_password_then_right(session, make_user):
    make_user("ann@example.com", name="Ann")
    root = new_tree()
    call(root, AuthState, "login", {"email": "ann@example.com", "password": "wrong password"})
    assert get(root, AuthState).form_error == "Wrong e-mail or password."
    assert get(root, SessionState).auth_token == ""
    call(root, AuthState, "login", {"email": "ann@example.com", "password": PW})
    assert get(root, AuthState).errors == {}
    assert get(root, SessionState).viewer_name == "Ann"


def test_logout_revokes_the_server_session(session, make_user):
    user = make_user()
    token = login_token(user)
    root = new_tree(token)
    call(root, SessionState, "refresh_viewer")
    assert get(root, SessionState).is_authenticated
    call(root, SessionState, "logout")
    assert get(root, SessionState).auth_token == ""
    session.expire_all()
    assert session.exec(select(UserSession).where(UserSession.user_id == user.id)).all() == []


def test_refresh_viewer_drops_a_revoked_token(session, make_user):
    user = make_user(name="Rev")
    token = login_token(user)
    root = new_tree(token)
    call(root, SessionState, "refresh_viewer")
    assert get(root, SessionState).viewer_name == "Rev"
    from prepple.services import accounts

    accounts.session_revoke(session=session, token=token)
    session.commit()
    call(root, SessionState, "refresh_viewer")
    sess = get(root, SessionState)
    assert sess.auth_token == "" and not sess.viewer_id and sess.viewer_name == ""


def test_logout_with_an_expired_session_still_clears_the_tab(session, make_user):
    user = make_user(name="Exp")
    root = new_tree(login_token(user))
    call(root, SessionState, "refresh_viewer")
    session.exec(delete(UserSession))
    session.commit()
    result = call(root, SessionState, "logout")
    assert not isinstance(result, Refusal)
    sess = get(root, SessionState)
    assert sess.auth_token == "" and sess.viewer_name == "" and not sess.is_authenticated


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/account", "/account"),
        ("//evil.example", "/questions"),
        ("https://evil.example", "/questions"),
        ("/\\evil.example", "/questions"),
        (None, "/questions"),
    ],
)
def test_next_redirect_stays_on_site(target, expected):
    assert safe_next(target) == expected


def test_reset_flow_through_handlers(session, make_user, monkeypatch):
    from prepple import jobs

    monkeypatch.setattr(jobs.huey, "immediate", True)  # the queued request runs in-process
    make_user("ann@example.com")
    root = new_tree()
    call(root, AuthState, "request_reset", {"email": "ann@example.com"})
    assert "If an account exists" in get(root, AuthState).message
    from prepple.models import OutboxMessage

    body = notifications.readable_body(session.exec(select(OutboxMessage.body)).one())
    token = body.split("token=")[1].split()[0]
    state = get(root, AuthState)
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/reset-password", "asPath": f"/reset-password?token={token}"}
    )
    call(root, AuthState, "load_reset")
    assert state._reset_token == token and not state.errors
    assert "_reset_token" not in state.get_delta() and token not in str(state.dict())
    call(
        root,
        AuthState,
        "complete_reset",
        {"password": "new secret phrase", "password_confirm": "different phrase"},
    )
    assert "don't match" in state.errors["password_confirm"]
    call(
        root,
        AuthState,
        "complete_reset",
        {"password": "new secret phrase", "password_confirm": "new secret phrase"},
    )
    assert state.errors == {}
    call(root, AuthState, "login", {"email": "ann@example.com", "password": "new secret phrase"})
    assert get(root, SessionState).is_authenticated


def test_questions_state_search_filter_and_clear(session):
    root = new_tree()
    call(root, QuestionsState, "load")
    qs = get(root, QuestionsState)
    everything = qs.total
    assert everything >= 200 and len(qs.items) == 20 and qs.has_more
    call(root, QuestionsState, "search", "conflict")
    assert 0 < qs.total < everything
    call(root, QuestionsState, "set_company", "amazon")
    assert qs.company_note and qs.company_values
    narrowed = qs.total
    call(root, QuestionsState, "set_competency", "ownership")
    assert qs.total <= narrowed
    call(root, QuestionsState, "clear_filters")
    assert qs.total == everything and not qs.has_filters
    call(root, QuestionsState, "load_more")
    assert len(qs.items) == 40


def test_question_bank_flag_off_refuses_search(session):
    flags.flag_set(session=session, name="question_bank", enabled=False, actor_id=None)
    session.commit()
    assert isinstance(call(new_tree(), QuestionsState, "load"), Refusal)


def test_question_detail_handles_bad_ids(session):
    root = new_tree()
    state = get(root, QuestionDetailState)

    def open_(raw):
        state.router = state.router.__class__.from_router_data(
            {"pathname": "/questions/[qid]", "query": {"qid": raw}}
        )
        call(root, QuestionDetailState, "load")

    open_("1")
    assert not state.not_found and state.question.id == 1 and state.related
    for raw in ["abc", "99999999", "-1", "1" * 40, "<script>", ""]:
        open_(raw)
        assert state.not_found and state.question is None


def test_toggle_saved_for_user_and_unknown_question(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    call(root, SessionState, "refresh_viewer")
    call(root, SessionState, "toggle_saved", 7)
    assert get(root, SessionState).saved_ids == [7]
    call(root, SessionState, "toggle_saved", 7)
    assert get(root, SessionState).saved_ids == []
    call(root, SessionState, "toggle_saved", 10_000_000)
    assert get(root, SessionState).saved_ids == []
    call(root, SessionState, "toggle_saved", "not a number")
    assert get(root, SessionState).saved_ids == []


def test_change_password_and_delete_account(session, make_user):
    user = make_user("ann@example.com")
    root = new_tree(login_token(user))
    call(root, SessionState, "refresh_viewer")
    acct = get(root, AccountState)
    call(
        root,
        AccountState,
        "change_password",
        {
            "current_password": "nope nope nope",
            "new_password": "a new secret phrase",
            "new_password_confirm": "a new secret phrase",
        },
    )
    assert "wrong" in acct.errors["current_password"]
    call(
        root,
        AccountState,
        "change_password",
        {
            "current_password": PW,
            "new_password": "a new secret phrase",
            "new_password_confirm": "a new secret phrase",
        },
    )
    assert acct.errors == {} and "Password changed" in acct.password_message
    call(
        root,
        AccountState,
        "delete_account",
        {"delete_password": "a new secret phrase", "confirm": "nope"},
    )
    assert "DELETE" in acct.errors["confirm"]
    assert _users(session) == 1
    call(
        root,
        AccountState,
        "delete_account",
        {"delete_password": "a new secret phrase", "confirm": "delete"},
    )
    assert _users(session) == 0
    assert get(root, SessionState).auth_token == ""


def test_admin_tabs_follow_permissions(session, make_user):
    support = make_user("support@example.com", roles=("support",))
    root = new_tree(login_token(support))
    call(root, AdminState, "load")
    admin_state = get(root, AdminState)
    assert admin_state.tab == "users" and admin_state.users
    call(root, AdminState, "open_tab", "flags")
    assert admin_state.tab == "users" and admin_state.flag_rows == []
    call(root, AdminState, "open_tab", "outbox")
    assert admin_state.tab == "outbox"
    assert isinstance(call(root, AdminState, "set_role", support.id, "admin", True), Refusal)


def test_admin_switches_a_feature_off_for_everyone(session, make_user):
    admin = make_user("admin@example.com", roles=("admin",))
    root = new_tree(login_token(admin))
    call(root, AdminState, "set_flag", "question_bank", "off")
    assert isinstance(call(new_tree(), QuestionsState, "load"), Refusal)
    call(root, AdminState, "set_flag", "question_bank", "default")
    assert not isinstance(call(new_tree(), QuestionsState, "load"), Refusal)
    call(root, AdminState, "set_flag", "no_such_flag", "on")
    call(root, AdminState, "set_flag", "question_bank", "maybe")
    assert flags.flag_enabled(session=session, name="question_bank")


def test_admin_deactivates_and_reactivates_an_account(session, make_user):
    admin = make_user("admin@example.com", roles=("admin",))
    bob = make_user("bob@example.com", name="Bob")
    bob_token = login_token(bob)
    root = new_tree(login_token(admin))
    call(root, AdminState, "set_active", bob.id, False)
    bob_tab = new_tree(bob_token)
    call(bob_tab, SessionState, "refresh_viewer")
    assert not get(bob_tab, SessionState).is_authenticated  # his sessions ended
    call(bob_tab, AuthState, "login", {"email": "bob@example.com", "password": PW})
    assert get(bob_tab, AuthState).form_error == "Wrong e-mail or password."
    call(root, AdminState, "set_active", admin.id, False)  # not yourself
    session.expire_all()
    assert session.get(User, admin.id).is_active
    call(root, AdminState, "set_active", bob.id, "true")
    call(bob_tab, AuthState, "login", {"email": "bob@example.com", "password": PW})
    assert get(bob_tab, SessionState).viewer_name == "Bob"


def test_register_is_throttled_per_client_address_with_a_clear_message(session, monkeypatch):
    from prepple.settings import reset_settings_cache

    monkeypatch.setenv("PREPPLE_REGISTRATIONS_PER_IP", "2")
    reset_settings_cache()

    def sign_up(n: int, ip: str):
        root = new_tree()
        state = get(root, AuthState)
        state.router = state.router.__class__.from_router_data(
            {"pathname": "/register", "ip": ip, "token": f"tab{n}", "sid": f"sid{n}"}
        )
        form = dict(GOOD, email=f"u{n}@example.com")
        call(root, AuthState, "register", form)
        return state, get(root, SessionState)

    for n in range(2):
        state, sess = sign_up(n, "203.0.113.5")
        assert sess.auth_token and not state.errors
    state, sess = sign_up(2, "203.0.113.5")
    assert not sess.auth_token
    assert "Too many accounts were created from your network" in state.form_error
    assert session.exec(select(User).where(User.email == "u2@example.com")).first() is None
    state, sess = sign_up(3, "198.51.100.7")  # another network signs up as usual
    assert sess.auth_token and not state.errors
