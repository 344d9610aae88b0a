"""AuthState on the way in from an e-mailed link: the invitation notice, ``next`` kept through
sign-up and log-in, the invitation bound to the account, reset links checked on opening, and
"your password was changed" after a reset."""

from __future__ import annotations

from sqlmodel import select

from prepple.models import OutboxMessage, Question, Recording
from prepple.services import accounts, notifications, sharing
from prepple.services.sharing import Target
from prepple.state.auth import AuthState
from prepple.state.session import SessionState
from tests.state.helpers import call, get, new_tree

PW = "correct horse battery"


def _at(root, path: str, query: dict[str, str]):
    state = get(root, AuthState)
    from urllib.parse import urlencode

    state.router = state.router.__class__.from_router_data(
        {"pathname": path, "asPath": f"{path}?{urlencode(query)}" if query else path}
    )
    return state


def _invitation(session, make_user, email="ivy@example.com"):
    owner = make_user("olive@example.com", name="Olive Owner")
    qid = session.exec(select(Question.id).order_by(Question.id)).first()
    rec = Recording(
        user_id=owner.id,
        question_id=qid,
        status="done",
        media_key="u/q.webm",
        mime="video/webm",
        transcript_json='{"text": "A private transcript."}',
        report_json="{}",
    )
    session.add(rec)
    session.commit()
    (share,), _ = sharing.share_create(
        session=session, owner_id=owner.id, targets=[Target.of_row(rec)], emails=[email]
    )
    session.commit()
    return share, rec, session.get(Question, qid).text


def _redirect_target(events) -> str:
    """The path of the redirect among a handler's returned events."""
    events = events if isinstance(events, list) else [events]
    paths = [str(ev.args) for ev in events if "redirect" in str(ev)]
    assert len(paths) == 1, events
    return paths[0]


def test_login_page_names_the_inviter_and_the_question_and_keeps_next(session, make_user):
    share, _, question = _invitation(session, make_user)
    key = sharing.share_key(share)
    root = new_tree()
    state = _at(root, "/login", {"next": f"/s/{key}"})
    call(root, AuthState, "open_form")
    assert (state.invite_inviter, state.invite_title) == ("Olive Owner", question)
    assert state.next_path == f"/s/{key}"
    assert state.register_href == f"/register?next=/s/{key}"
    # A shared answer's own page (/view/<ref>?k=<key>) works too, encoded in "next".
    state = _at(root, "/register", {"next": f"/view/r1?k={key}"})
    call(root, AuthState, "open_form")
    assert state.invite_inviter == "Olive Owner"
    assert state.login_href == f"/login?next=/view/r1%3Fk%3D{key}"


def test_no_notice_for_ordinary_or_hostile_next(session, make_user):
    share, _, _ = _invitation(session, make_user)
    root = new_tree()
    for nxt in ("/account", "//evil.example/s/1-x", f"/s/{sharing.share_key(share)}x", ""):
        state = _at(root, "/login", {"next": nxt} if nxt else {})
        call(root, AuthState, "open_form")
        assert state.invite_inviter == "" and state.invite_title == ""
    assert state.register_href == "/register"
    state = _at(root, "/login", {"next": "//evil.example"})
    call(root, AuthState, "open_form")
    assert state.next_path == "" and state.register_href == "/register"


def test_sign_up_through_the_invitation_binds_it_and_goes_back(session, make_user):
    share, rec, _ = _invitation(session, make_user, email="new@example.com")
    key = sharing.share_key(share)
    root = new_tree()
    _at(root, "/register", {"next": f"/s/{key}"})
    events = call(
        root,
        AuthState,
        "register",
        {
            "display_name": "Nia",
            "email": "new@example.com",
            "password": PW,
            "password_confirm": PW,
        },
    )
    assert f"/s/{key}" in _redirect_target(events)
    user_id = get(root, SessionState).viewer_id
    inbox = sharing.shared_with_me(session=session, user_id=user_id)
    assert [i.share_id for i in inbox] == [share.id]


def test_log_in_through_the_invitation_binds_it_and_goes_back(session, make_user):
    share, rec, _ = _invitation(session, make_user, email="later@example.com")
    user = make_user("later@example.com", password=PW)  # signed up elsewhere, no link used
    assert sharing.shared_with_me(session=session, user_id=user.id) == []
    root = new_tree()
    nxt = f"/view/r{rec.id}?k={sharing.share_key(share)}"
    _at(root, "/login", {"next": nxt})
    events = call(root, AuthState, "login", {"email": "later@example.com", "password": PW})
    assert nxt in _redirect_target(events)
    session.expire_all()
    assert [i.share_id for i in sharing.shared_with_me(session=session, user_id=user.id)] == [
        share.id
    ]


def test_another_address_signing_up_through_the_link_gets_nothing(session, make_user):
    share, _, _ = _invitation(session, make_user, email="new@example.com")
    root = new_tree()
    _at(root, "/register", {"next": f"/s/{sharing.share_key(share)}"})
    call(
        root,
        AuthState,
        "register",
        {"display_name": "Eve", "email": "eve@example.com", "password": PW, "password_confirm": PW},
    )
    user_id = get(root, SessionState).viewer_id
    assert user_id and sharing.shared_with_me(session=session, user_id=user_id) == []
    session.expire_all()
    assert session.get(type(share), share.id).invitee_user_id is None


def _token(session, root, email):
    accounts.password_reset_request(session=session, email=email)
    session.commit()
    body = notifications.readable_body(
        session.exec(select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    )
    return body.split("token=")[1].split()[0]


def test_a_used_reset_link_says_so_when_opened(session, make_user):
    make_user("ann@example.com")
    root = new_tree()
    token = _token(session, root, "ann@example.com")
    state = _at(root, "/reset-password", {"token": token})
    call(root, AuthState, "load_reset")
    assert state.reset_dead is False
    call(
        root,
        AuthState,
        "complete_reset",
        {"password": "new secret phrase", "password_confirm": "new secret phrase"},
    )
    # The log-in page it lands on says the password changed (once).
    state = _at(root, "/login", {})
    call(root, AuthState, "redirect_if_signed_in")
    call(root, AuthState, "open_form")
    assert state.message == "Your password was changed. Log in with your new password."
    call(root, AuthState, "redirect_if_signed_in")
    call(root, AuthState, "open_form")
    assert state.message == ""
    # Opening the spent link again: the page says so at once, before any form is filled.
    state = _at(root, "/reset-password", {"token": token})
    call(root, AuthState, "load_reset")
    assert state.reset_dead is True and state.errors == {}


def test_a_reset_link_spent_in_another_tab_turns_the_form_into_ask_again(session, make_user):
    make_user("ann@example.com")
    root, other = new_tree(), new_tree()
    token = _token(session, root, "ann@example.com")
    state = _at(root, "/reset-password", {"token": token})
    call(root, AuthState, "load_reset")
    _at(other, "/reset-password", {"token": token})
    call(other, AuthState, "load_reset")
    form = {"password": "new secret phrase", "password_confirm": "new secret phrase"}
    call(other, AuthState, "complete_reset", form)
    call(root, AuthState, "complete_reset", form)
    assert state.reset_dead is True and state.errors == {}
