"""Human feedback: comments pinned to moments or sentences, ratings and notes, votes on the AI's
feedback, and abuse reports, each re-checking access through the share it came through."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import select

from prepple.models import (
    AbuseReport,
    AiFeedbackVote,
    Answer,
    Comment,
    Notification,
    Question,
    Recording,
    Resume,
    Review,
    utcnow,
)
from prepple.services import accounts, reviews, sharing
from prepple.services.sharing import VISITOR, ShareError, Target, Viewer
from prepple.services.validation import InvalidInput

# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Argon2 at a token cost: these tests make many accounts and never log in."""
    fast = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
    monkeypatch.setattr(accounts, "_hasher", lambda: fast)


def done_recording(session, user, qid, *, duration=60.0):
    rec = Recording(
        user_id=user.id,
        question_id=qid,
        status="done",
        media_key=f"u{user.id}/q{qid}.webm",
        mime="video/webm",
        has_video=True,
        duration_seconds=duration,
        transcript_json=json.dumps({"text": "I led the migration.", "words": []}),
        report_json="{}",
    )
    session.add(rec)
    session.commit()
    return rec


def planned(session, user, qid) -> Answer:
    """A planned answer, inserted directly (``plan_save`` runs the whole feedback engine)."""
    row = Answer(
        user_id=user.id,
        question_id=qid,
        framework="STAR",
        sections_json=json.dumps(
            {"situation": "Our launch slipped.", "action": "I split the work."}
        ),
    )
    session.add(row)
    session.commit()
    return row


def notes_of(session, user, kind="feedback"):
    return session.exec(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


@dataclass
class Setup:
    owner: object
    ivy: object  # invited by e-mail
    mel: object  # a member holding the link
    stranger: object
    rec: Recording
    ans: Answer
    link_key: str
    invite_id: int
    link_id: int

    def v(self, session, name) -> Viewer:
        if name == "visitor":
            return VISITOR
        return sharing.viewer_of(session, getattr(self, name).id)

    @property
    def r(self) -> Target:
        return Target.of_row(self.rec)

    @property
    def a(self) -> Target:
        return Target.of_row(self.ans)


@pytest.fixture
def s(session, make_user) -> Setup:
    qids = session.exec(select(Question.id).order_by(Question.id)).all()[:2]
    owner = make_user("owner@example.com", name="Olive Owner")
    ivy = make_user("ivy@example.com", name="Ivy Invitee")
    mel = make_user("mel@example.com", name="Mel Member")
    stranger = make_user("sid@example.com", name="Sid Stranger")
    rec = done_recording(session, owner, qids[0])
    ans = planned(session, owner, qids[1])
    targets = [Target.of_row(rec), Target.of_row(ans)]
    (invite,), _ = sharing.share_create(
        session=session, owner_id=owner.id, targets=targets, emails=[ivy.email]
    )
    (link,), _ = sharing.share_create(
        session=session, owner_id=owner.id, targets=targets, link=True
    )
    session.commit()
    return Setup(owner, ivy, mel, stranger, rec, ans, sharing.share_key(link), invite.id, link.id)


def comment(session, s, who="ivy", target=None, key="", **kw):
    row = reviews.comment_add(
        session=session,
        viewer=s.v(session, who),
        target=target or s.r,
        key=key,
        **{"body": "Good pace.", **kw},
    )
    session.commit()
    return row


# --- comments -------------------------------------------------------------------------------------


def test_a_comment_pinned_to_a_moment_notifies_the_owner(session, s):
    c = comment(session, s, body="Slow down here.", at_seconds=12.346, quote="I led the migration.")
    assert (c.at_seconds, c.quote, c.body) == (12.35, "I led the migration.", "Slow down here.")
    assert (c.recording_id, c.answer_id, c.author_id) == (s.rec.id, None, s.ivy.id)
    (note,) = notes_of(session, s.owner)
    assert note.title == "Ivy Invitee commented on your answer at 0:12"
    assert note.body == "Slow down here."
    assert note.link == f"/view/r{s.rec.id}"
    assert notes_of(session, s.ivy) == []


@pytest.mark.parametrize(
    ("at", "stored"),
    [
        (0, 0.0),
        ("30", 30.0),
        (59.999, 60.0),
        (60.9, 60.9),  # within a second of the end (rounding of the duration)
        (None, None),
        ("", None),
    ],
)
def test_moments_inside_the_recording_are_accepted(session, s, at, stored):
    assert comment(session, s, at_seconds=at).at_seconds == stored


@pytest.mark.parametrize(
    "at", [61.5, 3600, -0.5, "abc", float("nan"), float("inf"), float("-inf"), [1], 10**400]
)
def test_moments_outside_the_recording_are_refused(session, s, at):
    with pytest.raises(ShareError) as err:
        comment(session, s, at_seconds=at)
    assert err.value.status == 400
    assert session.exec(select(Comment)).all() == []
    assert notes_of(session, s.owner) == []


def test_planned_answers_take_comments_and_quotes_but_no_moments(session, s):
    c = comment(session, s, target=s.a, quote="I split the work.")
    assert (c.answer_id, c.recording_id, c.at_seconds) == (s.ans.id, None, None)
    (note,) = notes_of(session, s.owner)
    assert note.title == "Ivy Invitee commented on your answer"
    assert note.link == f"/view/a{s.ans.id}"
    with pytest.raises(ShareError, match="inside the recording"):
        comment(session, s, target=s.a, at_seconds=1)


def test_hostile_looking_text_is_stored_as_given(session, s):
    body = '<script>alert("x")</script> <img src=x onerror=alert(1)> {{ state }} \' OR 1=1 --'
    c = comment(session, s, body=body, quote="the migration")
    got = reviews.comments_list(session=session, viewer=s.v(session, "owner"), target=s.r)
    assert [(v.body, v.quote) for v in got] == [(body, "the migration")]
    with pytest.raises(ShareError, match="from the answer itself"):
        comment(session, s, body="x", quote="<b>words the owner never said</b>")
    assert c.body == body
    multiline = comment(session, s, body="line one\nline two\ttabbed")
    assert multiline.body == "line one\nline two\ttabbed"


def test_control_and_bidi_characters_are_removed_from_comments(session, s):
    c = comment(session, s, body="left \u202e right\x07 nul \x00 \u2066byte\u2069\u200b 🙂")
    assert c.body == "left  right nul  byte 🙂"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "\u202e\x00\x07"),  # nothing left once cleaned
        ("body", "x" * (reviews.COMMENT_MAX + 1)),
        ("body", ""),
        ("body", "   \n  "),
        ("body", None),
        ("body", 42),
        ("body", ["text"]),
        ("quote", "x" * 601),
        ("quote", 7),
    ],
)
def test_bad_comment_text_is_refused(session, s, field, value):
    with pytest.raises(InvalidInput) as err:
        comment(session, s, **{field: value})
    assert err.value.field == field
    assert session.exec(select(Comment)).all() == []


def test_the_longest_comment_fits(session, s):
    assert len(comment(session, s, body="x" * reviews.COMMENT_MAX).body) == reviews.COMMENT_MAX


def test_the_owner_commenting_on_their_own_answer_notifies_nobody(session, s):
    c = comment(session, s, who="owner", at_seconds=5)
    assert c.author_id == s.owner.id
    assert session.exec(select(Notification).where(Notification.kind == "feedback")).all() == []


def test_link_holders_comment_only_when_signed_in(session, s):
    c = comment(session, s, who="mel", key=s.link_key)
    assert c.author_id == s.mel.id
    with pytest.raises(ShareError) as err:
        comment(session, s, who="visitor", key=s.link_key)
    assert (err.value.status, err.value.needs_login) == (401, True)
    with pytest.raises(ShareError) as err:
        comment(session, s, who="mel")  # no key, no invite
    assert err.value.status == 404
    with pytest.raises(ShareError) as err:
        comment(session, s, who="stranger", key="1-AAAA")
    assert err.value.status == 404


def test_comments_list_orders_timed_first_by_time_then_general_by_age(session, s):
    first = comment(session, s, body="general one")
    late = comment(session, s, body="at forty", at_seconds=40)
    early = comment(session, s, who="mel", key=s.link_key, body="at five", at_seconds=5)
    second = comment(session, s, who="owner", body="general two")
    zero = comment(session, s, body="at zero", at_seconds=0)
    got = reviews.comments_list(session=session, viewer=s.v(session, "ivy"), target=s.r)
    assert [v.id for v in got] == [zero.id, early.id, late.id, first.id, second.id]
    assert [v.at_label for v in got] == ["0:00", "0:05", "0:40", "", ""]
    assert [v.at for v in got] == [0.0, 5.0, 40.0, -1.0, -1.0]
    assert [v.mine for v in got] == [True, False, True, True, False]
    assert [v.author for v in got] == [
        "Ivy Invitee",
        "Mel Member",
        "Ivy Invitee",
        "Ivy Invitee",
        "Olive Owner",
    ]
    assert not any(v.edited for v in got)  # nothing was edited yet
    # comments on the answer are separate
    assert reviews.comments_list(session=session, viewer=VISITOR, target=s.a) == []


def test_editing_and_deleting_ones_own_comment(session, s):
    c = comment(session, s, body="Tyop here", at_seconds=3)
    other = comment(session, s, who="mel", key=s.link_key, body="Mel's")
    ivy = s.v(session, "ivy")
    edited = reviews.comment_edit(session=session, viewer=ivy, comment_id=c.id, body="Typo here")
    session.commit()
    assert edited.body == "Typo here"
    (view, _) = reviews.comments_list(session=session, viewer=ivy, target=s.r)
    assert (view.body, view.edited, view.at) == ("Typo here", True, 3.0)
    with pytest.raises(InvalidInput):
        reviews.comment_edit(session=session, viewer=ivy, comment_id=c.id, body="\u202e")

    # nobody else may edit or delete it: not the owner of the answer, not another reviewer
    for who, key in (("owner", ""), ("mel", s.link_key), ("visitor", s.link_key)):
        with pytest.raises(ShareError) as err:
            reviews.comment_edit(
                session=session, viewer=s.v(session, who), comment_id=c.id, body="mine", key=key
            )
        assert err.value.status == 404
        with pytest.raises(ShareError):
            reviews.comment_delete(
                session=session, viewer=s.v(session, who), comment_id=c.id, key=key
            )
    for bad in (str(c.id), None, 999_999, 1.0):
        with pytest.raises(ShareError):
            reviews.comment_edit(session=session, viewer=ivy, comment_id=bad, body="x")

    reviews.comment_delete(session=session, viewer=ivy, comment_id=c.id)
    session.commit()
    assert [v.id for v in reviews.comments_list(session=session, viewer=ivy, target=s.r)] == [
        other.id
    ]
    assert session.get(Comment, c.id).deleted_at is not None  # kept for moderation
    with pytest.raises(ShareError):
        reviews.comment_delete(session=session, viewer=ivy, comment_id=c.id)
    with pytest.raises(ShareError):
        reviews.comment_edit(session=session, viewer=ivy, comment_id=c.id, body="back")


def test_after_revoke_comments_can_no_longer_be_changed(session, s):
    mine = comment(session, s, who="mel", key=s.link_key)
    ivys = comment(session, s, who="ivy")
    sharing.share_revoke(session=session, owner_id=s.owner.id, share_id=s.link_id)
    sharing.share_revoke(session=session, owner_id=s.owner.id, share_id=s.invite_id)
    session.commit()
    mel = s.v(session, "mel")
    with pytest.raises(ShareError) as err:
        reviews.comment_edit(
            session=session, viewer=mel, comment_id=mine.id, body="again", key=s.link_key
        )
    assert err.value.status == 410
    with pytest.raises(ShareError) as err:
        reviews.comment_delete(session=session, viewer=mel, comment_id=mine.id, key=s.link_key)
    assert err.value.status == 410
    with pytest.raises(ShareError) as err:
        reviews.comment_edit(
            session=session, viewer=s.v(session, "ivy"), comment_id=ivys.id, body="x"
        )
    assert err.value.status == 404
    with pytest.raises(ShareError):
        comment(session, s, who="mel", key=s.link_key)
    session.refresh(mine)
    assert (mine.body, mine.deleted_at) == ("Good pace.", None)


def test_after_making_it_private_comments_stop(session, s):
    c = comment(session, s)
    sharing.visibility_set(session=session, user_id=s.owner.id, target=s.r, visibility="private")
    session.commit()
    with pytest.raises(ShareError) as err:
        reviews.comment_edit(session=session, viewer=s.v(session, "ivy"), comment_id=c.id, body="x")
    assert err.value.status == 404
    with pytest.raises(ShareError) as err:
        comment(session, s, who="mel", key=s.link_key)
    assert err.value.status == 410
    # the owner still sees and may comment on their own private answer
    comment(session, s, who="owner")


# --- reviews -------------------------------------------------------------------------------------


def review(session, s, who="ivy", target=None, key="", **kw):
    row = reviews.review_save(
        session=session,
        viewer=s.v(session, who),
        target=target or s.r,
        key=key,
        **{"ratings": {"structure": 4}, **kw},
    )
    session.commit()
    return row


def test_review_save_upserts_one_row_per_author_and_target(session, s):
    first = review(
        session, s, ratings={"structure": 4, "clarity": "5", "impact": None}, note="Solid"
    )
    assert (first.structure, first.clarity, first.confidence, first.impact) == (4, 5, None, None)
    assert (first.target, first.recording_id, first.answer_id) == (
        f"recording:{s.rec.id}",
        s.rec.id,
        None,
    )
    (note,) = notes_of(session, s.owner)
    assert note.title == "Ivy Invitee rated your answer"
    again = review(session, s, ratings={"confidence": 2}, note="")
    assert again.id == first.id
    assert (again.structure, again.clarity, again.confidence) == (None, None, 2)
    assert again.note == ""
    assert len(notes_of(session, s.owner)) == 1  # only the first review notifies
    on_answer = review(session, s, target=s.a, ratings={}, note="Good plan")
    assert on_answer.id != first.id and on_answer.target == f"answer:{s.ans.id}"
    other = review(session, s, who="mel", key=s.link_key, ratings={"impact": 1})
    assert other.id != first.id
    assert len(session.exec(select(Review)).all()) == 3
    assert len(notes_of(session, s.owner)) == 3

    got = reviews.reviews_list(session=session, viewer=s.v(session, "mel"), target=s.r)
    assert {(g.author, g.mine) for g in got} == {("Mel Member", True)}  # others' stay private
    everyone = reviews.reviews_list(
        session=session, viewer=s.v(session, "owner"), target=s.r, owner=True
    )
    assert {(g.author, g.mine) for g in everyone} == {
        ("Ivy Invitee", False),
        ("Mel Member", False),
    }
    mel_view = next(g for g in got if g.mine)
    assert mel_view.ratings == {"structure": 0, "clarity": 0, "confidence": 0, "impact": 1}


@pytest.mark.parametrize(
    "ratings",
    [
        {"structure": 6},
        {"clarity": -1},
        {"impact": "x"},
        {"confidence": True},
        {"structure": [3]},
        {"structure": float("inf")},
        {"structure": "5.5"},
        [4, 4, 4, 4],
        "4",
        None,
        {},  # nothing given, and no note
        {"structure": 0, "clarity": ""},
    ],
)
def test_review_save_validates_ratings(session, s, ratings):
    with pytest.raises(ShareError) as err:
        review(session, s, ratings=ratings)
    assert err.value.status == 400
    assert session.exec(select(Review)).all() == []
    assert notes_of(session, s.owner) == []


def test_review_save_refuses_owner_visitor_stranger_and_bad_notes(session, s):
    with pytest.raises(ShareError, match="someone else"):
        review(session, s, who="owner")
    with pytest.raises(ShareError) as err:
        review(session, s, who="visitor", key=s.link_key)
    assert err.value.status == 401
    with pytest.raises(ShareError) as err:
        review(session, s, who="stranger")
    assert err.value.status == 404
    with pytest.raises(InvalidInput):
        review(session, s, note="x" * (reviews.NOTE_MAX + 1))
    assert session.exec(select(Review)).all() == []


# --- AI votes ------------------------------------------------------------------------------------


def vote(session, s, who="ivy", item="structure:0", dimension="structure", agree=True, **kw):
    row = reviews.ai_vote(
        session=session,
        viewer=s.v(session, who),
        target=kw.pop("target", s.r),
        item_key=item,
        dimension=dimension,
        agree=agree,
        **kw,
    )
    session.commit()
    return row


def test_ai_vote_upserts_and_agreement_is_per_dimension(session, s):
    first = vote(session, s, agree=True)
    again = vote(session, s, agree=False, reason="It was well structured")
    assert again.id == first.id
    assert (again.agree, again.reason) == (False, "It was well structured")
    vote(session, s, who="mel", key=s.link_key, agree=True)
    vote(session, s, who="owner", item="clarity:1", dimension="clarity", agree=True)
    vote(session, s, item="clarity:1", dimension="clarity", agree=True)
    vote(session, s, item="impact:0", dimension="impact", agree=False, target=s.a)
    assert len(session.exec(select(AiFeedbackVote)).all()) == 5

    got = {g.dimension: (g.votes, g.agreed, g.rate) for g in reviews.ai_agreement(session=session)}
    assert got == {"clarity": (2, 2, 1.0), "impact": (1, 0, 0.0), "structure": (2, 1, 0.5)}
    assert [g.dimension for g in reviews.ai_agreement(session=session)] == [
        "clarity",
        "impact",
        "structure",
    ]
    assert reviews.ai_votes_of(session=session, viewer=s.v(session, "ivy"), target=s.r) == {
        "structure:0": False,
        "clarity:1": True,
    }
    assert reviews.ai_votes_of(session=session, viewer=VISITOR, target=s.r) == {}
    assert reviews.Agreement("x", 0, 0).rate == 0.0


def test_ai_vote_validates(session, s):
    for agree in ("yes", 1, None):
        with pytest.raises(ShareError):
            vote(session, s, agree=agree)
    for kw in ({"item": ""}, {"item": "x" * 81}, {"dimension": ""}, {"dimension": "\x00"}):
        with pytest.raises(InvalidInput):
            vote(session, s, **kw)
    with pytest.raises(ShareError) as err:
        vote(session, s, who="visitor", key=s.link_key)
    assert err.value.status == 401
    with pytest.raises(ShareError) as err:
        vote(session, s, who="stranger")
    assert err.value.status == 404
    assert session.exec(select(AiFeedbackVote)).all() == []


# --- abuse reports ------------------------------------------------------------------------------


RECORDING = object()  # the setup's recording, resolved inside report()


def report(session, s, who="ivy", kind="recording", target_id=RECORDING, reason="spam", **kw):
    done = reviews.report_abuse(
        session=session,
        viewer=s.v(session, who),
        kind=kind,
        target_id=s.rec.id if target_id is RECORDING else target_id,
        reason=reason,
        **kw,
    )
    session.commit()
    return done


def test_reports_on_each_kind_and_duplicates(session, s):
    c = comment(session, s, who="mel", key=s.link_key, body="Buy cheap watches!")
    resume = Resume(owner_id=s.owner.id, slug="olive", title="Olive", published_at=utcnow())
    session.add(resume)
    session.commit()
    cases = [
        ("recording", s.rec.id, "spam"),
        ("answer", s.ans.id, "plagiarism"),
        ("comment", c.id, "harassment"),
        ("resume", resume.id, "personal"),
    ]
    for kind, target_id, reason in cases:
        assert report(session, s, kind=kind, target_id=target_id, reason=reason, detail="See <a>")
        assert not report(session, s, kind=kind, target_id=target_id, reason="other")
    rows = session.exec(select(AbuseReport).order_by(AbuseReport.id)).all()
    assert [(r.target_kind, r.target_id, r.reason, r.status) for r in rows] == [
        (kind, target_id, reason, "open") for kind, target_id, reason in cases
    ]
    assert all(r.reporter_id == s.ivy.id and r.detail == "See <a>" for r in rows)
    # someone else may report the same thing
    assert report(session, s, who="mel", key=s.link_key)
    # a visitor (even one holding the link) must log in
    with pytest.raises(ShareError) as err:
        report(session, s, who="visitor", key=s.link_key)
    assert (err.value.status, err.value.needs_login) == (401, True)


def test_reports_only_on_what_the_reporter_can_see(session, s, make_user):
    c = comment(session, s, body="fine")
    for kind, target_id in (("recording", s.rec.id), ("answer", s.ans.id), ("comment", c.id)):
        with pytest.raises(ShareError) as err:
            report(session, s, who="stranger", kind=kind, target_id=target_id)
        assert err.value.status == 404
    unpublished = Resume(owner_id=s.owner.id, slug="draft-one", title="Draft")
    session.add(unpublished)
    session.commit()
    with pytest.raises(ShareError) as err:
        report(session, s, who="stranger", kind="resume", target_id=unpublished.id)
    assert err.value.status == 404
    reviews.comment_delete(session=session, viewer=s.v(session, "ivy"), comment_id=c.id)
    session.commit()
    with pytest.raises(ShareError) as err:
        report(session, s, who="mel", key=s.link_key, kind="comment", target_id=c.id)
    assert err.value.status == 404
    sharing.share_revoke(session=session, owner_id=s.owner.id, share_id=s.link_id)
    session.commit()
    with pytest.raises(ShareError) as err:
        report(session, s, who="mel", key=s.link_key)
    assert err.value.status == 410
    assert session.exec(select(AbuseReport)).all() == []


@pytest.mark.parametrize(
    "kw",
    [
        {"kind": "user"},
        {"kind": None},
        {"kind": ["recording"]},
        {"target_id": "1"},
        {"target_id": True},
        {"target_id": None},
        {"target_id": 999_999},
        {"reason": "boring"},
        {"reason": None},
        {"reason": ["spam"]},
        {"reason": {"spam": 1}},
    ],
)
def test_report_abuse_refuses_bad_input(session, s, kw):
    with pytest.raises(ShareError) as err:
        report(session, s, **kw)
    assert err.value.status in (400, 404)
    assert session.exec(select(AbuseReport)).all() == []


def test_report_detail_is_validated(session, s):
    with pytest.raises(InvalidInput):
        report(session, s, detail="x" * 2001)
    assert report(session, s, detail="", now=utcnow() - timedelta(days=1))
