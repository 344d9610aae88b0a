"""AdminState's "Remove it": it asks first (saying what will happen), "Keep it" changes
nothing, confirming removes and tells the owner with the moderator's note."""

from __future__ import annotations

import json

from sqlmodel import select

from prepple.models import AbuseReport, Answer, Notification, Question
from prepple.state.admin import AdminState
from prepple.state.session import Refusal, SessionState
from tests.state.helpers import call, get, login_token, new_tree


def _setup(session, make_user):
    owner = make_user("paz@example.com", name="Paz")
    reporter = make_user("vic@example.com")
    moderator = make_user("moe@example.com", roles=("moderator",))
    qid = session.exec(select(Question.id).order_by(Question.id)).first()
    answer = Answer(
        user_id=owner.id,
        question_id=qid,
        sections_json=json.dumps({"situation": "Reported text."}),
        visibility="public",
    )
    session.add(answer)
    session.commit()
    report = AbuseReport(
        reporter_id=reporter.id, target_kind="answer", target_id=answer.id, reason="spam"
    )
    session.add(report)
    session.commit()
    root = new_tree(login_token(moderator))
    call(root, SessionState, "refresh_viewer")
    call(root, AdminState, "load")
    return owner, reporter, answer, report, root


def _bell(session, user):
    session.expire_all()
    return session.exec(
        select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "moderation"
        )
    ).all()


def test_remove_asks_first_and_keep_it_changes_nothing(session, make_user):
    owner, _, answer, report, root = _setup(session, make_user)
    admin = get(root, AdminState)
    call(root, AdminState, "ask_remove", report.id)
    assert (admin.confirm_report, admin.confirm_kind) == (report.id, "answer")
    assert "every share link" in admin.confirm_effect and "owner is told" in admin.confirm_effect
    call(root, AdminState, "cancel_remove")
    assert admin.confirm_report == 0
    session.expire_all()
    assert session.get(Answer, answer.id).visibility == "public"
    assert session.get(AbuseReport, report.id).status == "open"
    assert _bell(session, owner) == [] and len(admin.reports) == 1
    # Confirming with nothing asked removes nothing.
    call(root, AdminState, "confirm_remove", {"note": "x"})
    session.expire_all()
    assert session.get(AbuseReport, report.id).status == "open"


def test_confirming_removes_and_tells_the_owner_with_the_note(session, make_user):
    owner, _, answer, report, root = _setup(session, make_user)
    admin = get(root, AdminState)
    call(root, AdminState, "ask_remove", report.id)
    call(root, AdminState, "confirm_remove", {"note": "Advertising a course."})
    session.expire_all()
    assert session.get(Answer, answer.id).visibility == "private"
    assert session.get(AbuseReport, report.id).status == "removed"
    (bell,) = _bell(session, owner)
    assert "Spam or advertising" in bell.body and "Advertising a course." in bell.body
    assert admin.reports == [] and admin.confirm_report == 0


def test_a_bad_note_is_refused_and_nothing_is_removed(session, make_user):
    owner, _, answer, report, root = _setup(session, make_user)
    call(root, AdminState, "ask_remove", report.id)
    call(root, AdminState, "confirm_remove", {"note": "x" * 501})
    session.expire_all()
    assert session.get(Answer, answer.id).visibility == "public"
    assert _bell(session, owner) == []


def test_only_moderators_may_ask_or_confirm(session, make_user):
    owner, reporter, answer, report, _ = _setup(session, make_user)
    seeker = new_tree(login_token(reporter))
    call(seeker, SessionState, "refresh_viewer")
    assert isinstance(call(seeker, AdminState, "ask_remove", report.id), Refusal)
    assert isinstance(call(seeker, AdminState, "confirm_remove", {"note": ""}), Refusal)
    session.expire_all()
    assert session.get(AbuseReport, report.id).status == "open"
