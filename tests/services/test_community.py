"""The community: public answers to a question ranked by helpful votes, saving examples, and the
near-copy warning before making an answer public."""

from __future__ import annotations

import json

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import select

from prepple.models import Answer, HelpfulVote, Question, Recording, SavedExample
from prepple.services import accounts, community, planner, sharing
from prepple.services.sharing import VISITOR, ShareError, Target

STORY = (
    "When our payment launch slipped by three weeks I took over coordination between the "
    "backend and mobile teams, split the remaining work into daily milestones, negotiated a "
    "smaller first release with the product manager and we shipped two days before the "
    "conference with no critical bugs reported in the first month."
)
OTHER_STORY = (
    "At my first internship I noticed that customer tickets about invoices were answered "
    "slowly, so I wrote a small script that tagged them by topic, shared a weekly summary "
    "with the support lead and helped cut the average response time from two days to six "
    "hours over one quarter while learning a lot about our billing system."
)


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Argon2 at a token cost: these tests make many accounts and never log in."""
    fast = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1),))
    monkeypatch.setattr(accounts, "_hasher", lambda: fast)


@pytest.fixture
def qids(session):
    return session.exec(select(Question.id).order_by(Question.id)).all()[:3]


def recording(session, user, qid, *, text=STORY, visibility="public", status="done", **kw):
    rec = Recording(
        user_id=user.id,
        question_id=qid,
        status=status,
        media_key=f"u{user.id}/q{qid}-{len(text)}.webm",
        mime="video/webm",
        has_video=True,
        duration_seconds=kw.pop("duration", 75.0),
        transcript_json=json.dumps({"text": text, "words": []}),
        report_json="{}",
        visibility=visibility,
        **kw,
    )
    session.add(rec)
    session.commit()
    return rec


def answer(session, user, qid, *, text=STORY, visibility="public", via_planner=False) -> Answer:
    """A planned answer: inserted directly, or (slower) saved through the planner."""
    if via_planner:
        planner.plan_save(
            session=session,
            user_id=user.id,
            question_id=qid,
            framework="STAR",
            sections={"situation": text},
        )
        row = session.exec(
            select(Answer).where(Answer.user_id == user.id, Answer.question_id == qid)
        ).one()
    else:
        row = Answer(
            user_id=user.id,
            question_id=qid,
            framework="STAR",
            sections_json=json.dumps({"situation": text}),
        )
    row.visibility = visibility
    session.add(row)
    session.commit()
    return row


def v(session, user):
    return VISITOR if user is None else sharing.viewer_of(session, user.id)


def ref(row) -> str:
    return Target.of_row(row).ref


# --- the list ------------------------------------------------------------------------------------


@pytest.fixture
def board(session, make_user, qids):
    """Public and non-public answers to qids[0] from several people."""
    alice = make_user("alice@example.com", name="Alice")
    bob = make_user("bob@example.com", name="Bob")
    mona = make_user("mona@example.com", name="Mona Mentor", roles=("mentor",))
    carol = make_user("carol@example.com", name="Carol")
    reader = make_user("reader@example.com", name="Reader")
    q = qids[0]
    rows = {
        "alice_rec": recording(session, alice, q, text=STORY, overall=81, duration=75.0),
        "bob_ans": answer(session, bob, q, text=OTHER_STORY),
        "mona_ans": answer(session, mona, q, text="Short mentor example."),
        # never listed:
        "carol_private": recording(session, carol, q, visibility="private"),
        "carol_shared": answer(session, carol, q, visibility="shared"),
        "bob_queued": recording(session, bob, q, status="queued"),
        "bob_failed": recording(session, bob, q, status="failed"),
        "alice_other_q": recording(session, alice, qids[1]),
    }
    return dict(alice=alice, bob=bob, mona=mona, carol=carol, reader=reader, q=q, **rows)


def listing(session, b, who="reader"):
    return community.public_answers(session=session, viewer=v(session, b[who]), question_id=b["q"])


def test_public_answers_lists_only_public_finished_answers_to_that_question(session, board):
    b = board
    got = listing(session, b)
    assert {a.ref for a in got} == {ref(b["alice_rec"]), ref(b["bob_ans"]), ref(b["mona_ans"])}
    # with no votes yet, the mentor's example comes first
    assert got[0].ref == ref(b["mona_ans"])
    by_ref = {a.ref: a for a in got}
    rec_view = by_ref[ref(b["alice_rec"])]
    assert (rec_view.kind, rec_view.author, rec_view.by_mentor) == ("recording", "Alice", False)
    assert (rec_view.duration, rec_view.overall, rec_view.helpful) == ("1:15", 81, 0)
    assert rec_view.excerpt.endswith(" …")
    assert rec_view.excerpt.split()[:40] == STORY.split()[:40]
    mentor = by_ref[ref(b["mona_ans"])]
    assert (mentor.kind, mentor.by_mentor, mentor.duration) == ("answer", True, "")
    assert mentor.excerpt == "Short mentor example."
    assert not any(a.mine or a.voted or a.saved for a in got)
    assert community.public_answers(session=session, viewer=VISITOR, question_id=999_999) == []


def test_mentor_flag_comes_from_the_role(session, board, make_user):
    b = board
    admin = make_user("admin@example.com", name="Ada Admin", roles=("admin",))
    ada = answer(session, admin, b["q"], text="Admin example answer.")
    flags = {a.ref: a.by_mentor for a in listing(session, b)}
    assert flags == {
        ref(b["alice_rec"]): False,
        ref(b["bob_ans"]): False,
        ref(b["mona_ans"]): True,
        ref(ada): True,
    }


def test_helpful_votes_rank_the_list_and_toggle(session, board, make_user):
    b = board
    voters = [b["reader"], b["carol"], make_user("x@example.com")]
    bob_ans = Target.of_row(b["bob_ans"])
    for user in voters[:2]:
        assert community.helpful_toggle(session=session, viewer=v(session, user), target=bob_ans)
    assert community.helpful_toggle(
        session=session, viewer=v(session, voters[2]), target=Target.of_row(b["alice_rec"])
    )
    session.commit()
    got = listing(session, b)
    assert [(a.ref, a.helpful) for a in got] == [
        (ref(b["bob_ans"]), 2),
        (ref(b["alice_rec"]), 1),
        (ref(b["mona_ans"]), 0),
    ]
    assert [a.voted for a in got] == [True, False, False]
    # a second toggle takes the vote back
    assert not community.helpful_toggle(
        session=session, viewer=v(session, b["reader"]), target=bob_ans
    )
    assert not community.helpful_toggle(
        session=session, viewer=v(session, b["carol"]), target=bob_ans
    )
    session.commit()
    assert listing(session, b)[0].ref == ref(b["alice_rec"])
    assert len(session.exec(select(HelpfulVote)).all()) == 1


def test_the_owner_sees_their_own_answer_marked_mine(session, board):
    got = {a.ref: a.mine for a in listing(session, board, who="bob")}
    assert got == {
        ref(board["alice_rec"]): False,
        ref(board["bob_ans"]): True,
        ref(board["mona_ans"]): False,
    }


@pytest.mark.parametrize("toggle", [community.helpful_toggle, community.saved_toggle])
def test_toggles_refuse_own_answers_invisible_ones_and_visitors(session, board, toggle):
    b = board
    with pytest.raises(ShareError, match="own answer"):
        toggle(session=session, viewer=v(session, b["bob"]), target=Target.of_row(b["bob_ans"]))
    for hidden in ("carol_private", "carol_shared"):
        with pytest.raises(ShareError) as err:
            toggle(session=session, viewer=v(session, b["reader"]), target=Target.of_row(b[hidden]))
        assert err.value.status == 404
    with pytest.raises(ShareError) as err:
        toggle(session=session, viewer=VISITOR, target=Target.of_row(b["bob_ans"]))
    assert (err.value.status, err.value.needs_login) == (401, True)
    with pytest.raises(ShareError) as err:
        toggle(session=session, viewer=v(session, b["reader"]), target=Target("answer", 999_999))
    assert err.value.status == 404
    assert session.exec(select(HelpfulVote)).all() == []
    assert session.exec(select(SavedExample)).all() == []


def test_an_invitee_may_vote_on_an_answer_shared_with_them(session, board):
    b = board
    target = Target.of_row(b["carol_shared"])
    sharing.share_create(
        session=session, owner_id=b["carol"].id, targets=[target], emails=[b["reader"].email]
    )
    session.commit()
    assert community.helpful_toggle(session=session, viewer=v(session, b["reader"]), target=target)
    assert community.saved_toggle(session=session, viewer=v(session, b["reader"]), target=target)


def test_saved_examples_toggle_and_drop_what_became_private(session, board):
    b = board
    reader = v(session, b["reader"])
    for key in ("alice_rec", "bob_ans", "mona_ans"):
        assert community.saved_toggle(session=session, viewer=reader, target=Target.of_row(b[key]))
    assert not community.saved_toggle(
        session=session, viewer=reader, target=Target.of_row(b["mona_ans"])
    )
    session.commit()
    saved = community.saved_examples(session=session, viewer=reader)
    assert [s.ref for s in saved] == [ref(b["bob_ans"]), ref(b["alice_rec"])]  # newest first
    question = session.get(Question, b["q"]).text
    assert [(s.question, s.author) for s in saved] == [(question, "Bob"), (question, "Alice")]
    assert saved[1].excerpt.split()[:30] == STORY.split()[:30] and saved[1].excerpt.endswith(" …")
    assert {a.ref: a.saved for a in listing(session, b)}[ref(b["alice_rec"])] is True

    sharing.visibility_set(
        session=session,
        user_id=b["alice"].id,
        target=Target.of_row(b["alice_rec"]),
        visibility="private",
    )
    session.commit()
    assert [s.ref for s in community.saved_examples(session=session, viewer=reader)] == [
        ref(b["bob_ans"])
    ]
    assert ref(b["alice_rec"]) not in {a.ref for a in listing(session, b)}
    # made public again, it comes back (the saved row was kept)
    sharing.visibility_set(
        session=session,
        user_id=b["alice"].id,
        target=Target.of_row(b["alice_rec"]),
        visibility="public",
        confirmed=True,
    )
    session.commit()
    assert len(community.saved_examples(session=session, viewer=reader)) == 2
    assert community.saved_examples(session=session, viewer=VISITOR) == []
    assert community.saved_examples(session=session, viewer=v(session, b["carol"])) == []


# --- near copies ---------------------------------------------------------------------------------


def test_near_copy_warning(session, make_user, qids):
    alice = make_user("alice@example.com")
    bob = make_user("bob@example.com")
    q = qids[0]
    recording(session, alice, q, text=STORY)  # Alice's public, spoken answer

    copy = answer(
        session,
        bob,
        q,
        text=STORY.replace("three weeks", "3 weeks"),
        visibility="private",
        via_planner=True,
    )
    warning = community.near_copy_warning(session=session, row=copy)
    assert warning and "very close" in warning and "%" in warning

    assert (
        community.near_copy_warning(session=session, row=answer(session, alice, q, text=STORY))
        is None
    )
    assert (
        community.near_copy_warning(session=session, row=recording(session, bob, qids[1])) is None
    )
    different = recording(session, bob, q, text=OTHER_STORY, visibility="private")
    assert community.near_copy_warning(session=session, row=different) is None
    short = " ".join(STORY.split()[: community.MIN_WORDS - 1])
    carol = make_user("carol@example.com")
    recording(session, carol, q, text=short)
    assert (
        community.near_copy_warning(session=session, row=recording(session, bob, q, text=short))
        is None
    )


def test_an_original_that_is_not_public_does_not_count(session, make_user, qids):
    alice = make_user("alice@example.com")
    bob = make_user("bob@example.com")
    recording(session, alice, qids[0], text=STORY, visibility="shared")
    copy = recording(session, bob, qids[0], text=STORY, visibility="private")
    assert community.near_copy_warning(session=session, row=copy) is None


def test_making_a_near_copy_public_needs_confirmation(session, make_user, qids):
    alice = make_user("alice@example.com")
    bob = make_user("bob@example.com")
    answer(session, alice, qids[0], text=STORY)
    copy = recording(session, bob, qids[0], text=STORY, visibility="shared")
    target = Target.of_row(copy)
    warning = sharing.visibility_set(
        session=session, user_id=bob.id, target=target, visibility="public"
    )
    assert warning and "very close" in warning
    session.commit()
    session.refresh(copy)
    assert copy.visibility == "shared"
    assert (
        sharing.visibility_set(
            session=session, user_id=bob.id, target=target, visibility="public", confirmed=True
        )
        is None
    )
    session.commit()
    session.refresh(copy)
    assert copy.visibility == "public"
    # already public: no second warning
    assert (
        sharing.visibility_set(session=session, user_id=bob.id, target=target, visibility="public")
        is None
    )
    # an original answer goes public without a warning
    own = recording(session, bob, qids[0], text=OTHER_STORY, visibility="private")
    assert (
        sharing.visibility_set(
            session=session, user_id=bob.id, target=Target.of_row(own), visibility="public"
        )
        is None
    )
    session.commit()
    session.refresh(own)
    assert own.visibility == "public"
