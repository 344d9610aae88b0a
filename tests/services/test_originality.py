"""Originality against other people's answers: no oracle on private text, and the earlier
answer is the original (``answer_index.closest_other``; community's near-copy check)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from prepple.models import Answer, Question, utcnow
from prepple.services import answer_index, community, sharing
from prepple.services.sharing import Target

T0 = utcnow() - timedelta(days=10)

ORIGINAL = (
    "Last spring I ran the front desk of a 120-room hotel in Leeds during a conference week "
    "with every room booked, and a family's connecting rooms flooded an hour before they "
    "arrived, so I called two partner hotels, held rooms, met the family in the lobby and "
    "offered our best suite with a rollaway bed and dinner for the kids."
)
COPY = ORIGINAL.replace("Leeds", "York")
OWN_WORDS = (
    "At the plant in Gdansk our packaging line jammed twice a shift for a month, so I logged "
    "every stop for two weeks, found that one worn guide rail caused most of them, replaced it "
    "with the supplier over a weekend and cut stops from eleven a week to one."
)


@pytest.fixture
def qids(session):
    return session.exec(select(Question.id).order_by(Question.id)).all()[:3]


def plan(session, user, qid, text, *, visibility="private", created=None) -> Answer:
    row = Answer(
        user_id=user.id,
        question_id=qid,
        framework="STAR",
        sections_json=json.dumps({"situation": text}),
        words=len(text.split()),
        visibility=visibility,
        created_at=created or utcnow(),
    )
    session.add(row)
    session.commit()
    answer_index.index_answer(session=session, answer_id=row.id, text=text)
    return row


def closest(session, user, text, own=None):
    return answer_index.closest_other(
        session=session, text=text, user_id=user.id if user else None, own_answer_id=own
    )


def test_private_answers_are_no_oracle(session, make_user, qids):
    author, prober = make_user(), make_user()
    plan(session, author, qids[0], ORIGINAL, created=T0)
    # A visitor gets no comparison at all; a member learns nothing of a private answer.
    assert closest(session, None, COPY) is None
    assert closest(session, prober, COPY) is None
    assert closest(session, prober, ORIGINAL) is None


def test_a_public_answer_copied_later_is_flagged(session, make_user, qids):
    author, copier = make_user(), make_user()
    original = plan(session, author, qids[0], ORIGINAL, visibility="public", created=T0)
    assert closest(session, copier, COPY) >= 0.5  # typed, not saved yet: now is later
    copy = plan(session, copier, qids[0], COPY, created=T0 + timedelta(days=1))
    assert closest(session, copier, COPY, own=copy.id) >= 0.5
    # The author is not flagged: the copy is later, even once it is published too.
    copy.visibility = "public"
    session.add(copy)
    session.commit()
    assert closest(session, author, ORIGINAL, own=original.id) is None
    assert closest(session, copier, OWN_WORDS, own=copy.id) is None


def test_an_answer_shared_with_you_counts_a_stranger_s_does_not(session, make_user, qids):
    author, mentor, stranger = (
        make_user("a@example.com"),
        make_user("m@example.com"),
        make_user("s@example.com"),
    )
    row = plan(session, author, qids[1], ORIGINAL, created=T0)
    (share,), _ = sharing.share_create(
        session=session, owner_id=author.id, targets=[Target.of_row(row)], emails=[mentor.email]
    )
    session.commit()
    assert share.invitee_user_id == mentor.id  # an existing account holds it from the start
    assert closest(session, mentor, COPY) >= 0.5
    assert closest(session, stranger, COPY) is None
    sharing.share_revoke(session=session, owner_id=author.id, share_id=share.id)
    session.commit()
    answer_index.reset_limits()
    assert closest(session, mentor, COPY) is None


def test_a_moderators_access_to_reported_answers_does_not_count(session, make_user, qids):
    from prepple.models import AbuseReport

    author, moderator = make_user(), make_user(roles=("moderator",))
    row = plan(session, author, qids[0], ORIGINAL, created=T0)
    session.add(
        AbuseReport(reporter_id=moderator.id, target_kind="answer", target_id=row.id, reason="spam")
    )
    session.commit()
    viewer = sharing.viewer_of(session, moderator.id)
    assert sharing.access(session=session, viewer=viewer, target=Target.of_row(row)).via == (
        "moderator"
    )
    assert closest(session, moderator, COPY) is None


def test_look_ups_are_rate_limited_per_user(session, make_user, qids, monkeypatch):
    author, copier, other = make_user(), make_user(), make_user()
    plan(session, author, qids[0], ORIGINAL, visibility="public", created=T0)
    monkeypatch.setattr(answer_index, "_limiter", answer_index.RateLimiter(((3, 60.0),)))
    assert closest(session, copier, COPY) >= 0.5
    assert closest(session, copier, OWN_WORDS) is None
    assert closest(session, copier, OWN_WORDS) is None
    # Over the limit: the index is not asked again; the last answer is repeated.
    calls = []
    monkeypatch.setattr(answer_index, "_matches", lambda *a, **kw: calls.append(kw))
    assert closest(session, copier, COPY) is None
    assert calls == []
    monkeypatch.undo()
    assert closest(session, other, COPY) >= 0.5  # others are not limited by it


def test_rate_limiter_windows():
    limiter = answer_index.RateLimiter(((2, 10.0), (3, 100.0)))
    assert [limiter.allow(1, now=t) for t in (0, 1, 2)] == [True, True, False]
    assert limiter.allow(1, now=11) is True  # the 10 s window moved on
    assert limiter.allow(1, now=12) is False  # 3 in 100 s
    assert limiter.allow(2, now=12) is True
    assert limiter.allow(1, now=101) is True


def test_the_near_copy_warning_on_publishing_names_only_earlier_answers(session, make_user, qids):
    author, copier = make_user(), make_user()
    original = plan(session, author, qids[0], ORIGINAL, visibility="public", created=T0)
    copy = plan(session, copier, qids[0], COPY, created=T0 + timedelta(days=1))
    assert community.near_copy_warning(session=session, row=copy)
    copy.visibility = "public"
    original.visibility = "private"
    session.add_all([copy, original])
    session.commit()
    # The author publishing again is not told they copied the later copy.
    assert community.near_copy_warning(session=session, row=original) is None
