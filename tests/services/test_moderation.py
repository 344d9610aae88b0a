"""Moderation: removing what a report names tells its owner (bell and e-mail) what was removed,
why, and how to appeal; dismissing tells nobody; the confirmation text says what removal does."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from prepple.models import (
    AbuseReport,
    Answer,
    Comment,
    Notification,
    OutboxMessage,
    Question,
    Resume,
    Share,
    utcnow,
)
from prepple.services import reviews, sharing
from prepple.services.sharing import Target
from prepple.services.validation import InvalidInput
from prepple.settings import get_settings, reset_settings_cache


@pytest.fixture
def world(session, make_user):
    owner = make_user("paz@example.com", name="Paz")
    reporter = make_user("vic@example.com", name="Vic")
    question = session.exec(select(Question).order_by(Question.id)).first()
    answer = Answer(
        user_id=owner.id,
        question_id=question.id,
        framework="STAR",
        sections_json=json.dumps({"situation": "A public answer someone reported."}),
        visibility="public",
    )
    session.add(answer)
    session.commit()
    return owner, reporter, answer, question


def _report(session, reporter, kind, target_id, reason="plagiarism"):
    report = AbuseReport(
        reporter_id=reporter.id, target_kind=kind, target_id=target_id, reason=reason
    )
    session.add(report)
    session.commit()
    return report


def _told(session, user, kind="moderation"):
    session.expire_all()
    bell = session.exec(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()
    mail = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.to_email == user.email, OutboxMessage.kind == kind
        )
    ).all()
    return bell, mail


def test_removing_an_answer_tells_its_owner_why_and_how_to_appeal(session, world):
    owner, reporter, answer, question = world
    (link,), _ = sharing.share_create(
        session=session, owner_id=owner.id, targets=[Target.of_row(answer)], link=True
    )
    report = _report(session, reporter, "answer", answer.id)
    done = reviews.report_resolve(
        session=session, report_id=report.id, action="remove", note="Copied from a blog post."
    )
    session.commit()
    assert done.summary == f"answer {answer.id}: removed" and done.message_ids == []
    (bell,), (mail,) = _told(session, owner)
    assert bell.title.startswith("A moderator removed your written answer to")
    assert question.text[:40] in bell.title
    assert "Copied from someone else" in bell.body  # the report's reason, as people read it
    assert "Copied from a blog post." in bell.body
    assert get_settings().support_email in bell.body and bell.link == f"/plan/{question.id}"
    assert mail.subject == "A moderator removed your written answer from sharing"
    assert "Copied from a blog post." in mail.body and get_settings().support_email in mail.body
    assert "every share link and invitation" in mail.body
    # What removal does: private, links off, not shareable again. The reporter is not told.
    assert session.get(Answer, answer.id).visibility == "private"
    assert session.get(Share, link.id).revoked_at is not None
    assert _told(session, reporter) == ([], [])


def test_dismissing_tells_nobody(session, world):
    owner, reporter, answer, _ = world
    report = _report(session, reporter, "answer", answer.id)
    done = reviews.report_resolve(session=session, report_id=report.id, action="dismiss")
    session.commit()
    assert done.message_ids == [] and _told(session, owner) == ([], [])
    assert session.get(Answer, answer.id).visibility == "public"


def test_removing_a_comment_tells_its_author(session, world, make_user):
    owner, reporter, answer, _ = world
    troll = make_user("troll@example.com", name="Troll")
    comment = Comment(answer_id=answer.id, author_id=troll.id, body="rude words")
    session.add(comment)
    session.commit()
    report = _report(session, reporter, "comment", comment.id, reason="harassment")
    reviews.report_resolve(session=session, report_id=report.id, action="remove")
    session.commit()
    (bell,), (mail,) = _told(session, troll)
    assert bell.title == "A moderator removed your comment on a shared answer from sharing"
    assert "Harassment or hate" in bell.body and "note" not in bell.body
    assert _told(session, owner) == ([], [])
    assert session.get(Comment, comment.id).deleted_at is not None


def test_removing_a_resume_tells_its_owner(session, world):
    owner, reporter, _, _ = world
    resume = Resume(owner_id=owner.id, slug="paz-x1", title="Paz", published_at=utcnow())
    session.add(resume)
    session.commit()
    report = _report(session, reporter, "resume", resume.id, reason="spam")
    reviews.report_resolve(session=session, report_id=report.id, action="remove")
    session.commit()
    (bell,), _ = _told(session, owner)
    assert bell.title == "A moderator removed your video resume from sharing"
    assert bell.link == "/resume" and session.get(Resume, resume.id).published_at is None


def test_with_smtp_the_owners_e_mail_is_queued_for_delivery(session, world, monkeypatch):
    owner, reporter, answer, _ = world
    monkeypatch.setenv("PREPPLE_SMTP_HOST", "smtp.example.com")
    reset_settings_cache()
    report = _report(session, reporter, "answer", answer.id)
    done = reviews.report_resolve(session=session, report_id=report.id, action="remove")
    session.commit()
    (mail,) = _told(session, owner)[1]
    assert done.message_ids == [mail.id] and mail.status == "queued"


@pytest.mark.parametrize("note", ["x" * 501, 12, ["a list"]])
def test_a_bad_note_changes_nothing(session, world, note):
    owner, reporter, answer, _ = world
    report = _report(session, reporter, "answer", answer.id)
    with pytest.raises(InvalidInput):
        reviews.report_resolve(session=session, report_id=report.id, action="remove", note=note)
    session.rollback()
    assert session.get(Answer, answer.id).visibility == "public"
    assert _told(session, owner) == ([], [])


def test_open_reports_say_what_removal_will_do(session, world):
    owner, reporter, answer, _ = world
    _report(session, reporter, "answer", answer.id)
    (view,) = reviews.reports_open(session=session)
    assert view.effect.startswith("The answer becomes private")
    assert "owner is told" in view.effect
    assert reviews.removal_effect("comment").startswith("The comment is deleted.")
