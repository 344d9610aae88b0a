"""The sharing authorization matrix through the page (ViewState.load, what the page shows) and
through the event handlers called directly, as a crafted websocket message would."""

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from prepple.models import Comment, Question, Recording, Resume, Share, utcnow
from prepple.services import resumes, sharing
from prepple.services.sharing import Target
from prepple.state.resume import ResumeEditState, ResumePublicState
from prepple.state.session import Refusal, SessionState
from prepple.state.sharing import ShareLinkState, ShareState, ViewState
from tests.state.helpers import call, get, login_token, new_tree

SAID = "I led the migration and we cut costs by ten percent in two months."


def _route(root, cls, path: str, **params):
    state = get(root, cls)
    state.router = state.router.__class__.from_router_data(
        {"pathname": path, "query": {k: str(v) for k, v in params.items()}}
    )
    call(root, SessionState, "refresh_viewer")
    return state


@pytest.fixture
def world(session, make_user):
    """An owner's finished recording shared by invite and by links (live, revoked, expired),
    and the people who try to open it."""
    people = {
        "owner": make_user("owner@example.com", name="Olive"),
        "invitee": make_user("invitee@example.com", name="Ivan"),
        "holder": make_user("holder@example.com", name="Hana"),
        "stranger": make_user("stranger@example.com", name="Sid"),
    }
    qid = session.exec(select(Question.id).order_by(Question.id)).first()
    words = [
        {"text": f" {w}", "start": i * 0.4, "end": i * 0.4 + 0.3}
        for i, w in enumerate(SAID.split())
    ]
    rec = Recording(
        user_id=people["owner"].id,
        question_id=qid,
        status="done",
        media_key="t/x.webm",
        mime="video/webm",
        has_video=True,
        duration_seconds=30.0,
        transcript_json=json.dumps({"text": SAID, "words": words}),
        report_json=json.dumps(
            {
                "overall": 70,
                "tips": [{"severity": "medium", "message": "Slow down.", "kind": "pace"}],
            }
        ),
    )
    session.add(rec)
    session.commit()
    target = Target("recording", rec.id)
    owner = people["owner"].id
    (invite,), _ = sharing.share_create(
        session=session, owner_id=owner, targets=[target], emails="invitee@example.com"
    )
    (link,), _ = sharing.share_create(session=session, owner_id=owner, targets=[target], link=True)
    (revoked,), _ = sharing.share_create(
        session=session, owner_id=owner, targets=[target], link=True
    )
    (expired,), _ = sharing.share_create(
        session=session, owner_id=owner, targets=[target], link=True, expires_days=1
    )
    sharing.share_revoke(session=session, owner_id=owner, share_id=revoked.id)
    expired.expires_at = utcnow() - timedelta(minutes=1)
    session.add(expired)
    session.commit()
    keys = {
        "none": "",
        "invite": sharing.share_key(invite),
        "link": sharing.share_key(link),
        "revoked": sharing.share_key(revoked),
        "expired": sharing.share_key(expired),
        "forged": f"{link.id}-AAAAAAAAAAAAAAAAAAAAAAAA",
    }
    return {"people": people, "rec": rec, "keys": keys, "target": target}


def _open(world, who: str, key: str):
    user = world["people"].get(who)
    root = new_tree(login_token(user) if user else "")
    state = _route(
        root,
        ViewState,
        f"/view/r{world['rec'].id}",
        ref=f"r{world['rec'].id}",
        k=world["keys"][key],
    )
    call(root, ViewState, "load")
    return root, state


# who, link key, what the page shows ("" = the answer, else part of the refusal), may comment
MATRIX = [
    ("owner", "none", "", True),
    ("invitee", "invite", "", True),
    ("invitee", "none", "", True),
    ("holder", "link", "", True),
    ("visitor", "link", "", False),
    ("stranger", "none", "isn't shared with you", False),
    ("visitor", "none", "isn't shared with you", False),
    ("stranger", "invite", "another e-mail address", False),
    ("visitor", "invite", "Log in", False),
    ("holder", "revoked", "stopped sharing", False),
    ("visitor", "revoked", "stopped sharing", False),
    ("holder", "expired", "expired", False),
    ("holder", "forged", "isn't valid", False),
]


@pytest.mark.parametrize(("who", "key", "refusal", "may_comment"), MATRIX)
def test_the_page_and_the_comment_handler_follow_the_matrix(
    session, world, who, key, refusal, may_comment
):
    root, state = _open(world, who, key)
    if refusal:
        assert refusal in state.problem
        assert state.media_url == "" and state.tokens == [] and state.question_text == ""
    else:
        assert state.problem == "" and state.question_text
        assert state.media_url.startswith(f"/api/recordings/{world['rec'].id}/media?token=")
        assert "migration" in state.transcript_text
    assert state.may_comment is may_comment
    # Whatever the page showed, a crafted event tries to comment anyway.
    state.ref, state.key = f"r{world['rec'].id}", world["keys"][key]
    result = call(root, ViewState, "add_comment", {"body": f"from {who}", "pin": "on", "at": "3"})
    rows = session.exec(select(Comment).where(Comment.body == f"from {who}")).all()
    if may_comment:
        assert len(rows) == 1 and rows[0].at_seconds == 3.0
    else:
        assert rows == []
        assert result  # refused with a message (a toast, or a log-in redirect for visitors)


def test_after_visibility_changes_the_same_people_are_refused_then_let_back(session, world):
    owner = world["people"]["owner"]
    root = new_tree(login_token(owner))
    panel = _route(root, ShareState, f"/recordings/{world['rec'].id}", rid=world["rec"].id)
    call(root, ShareState, "load")
    assert panel.visibility == "shared" and len(panel.shares) == 4
    call(root, ShareState, "set_visibility", "private")
    session.expire_all()
    assert session.get(Recording, world["rec"].id).visibility == "private"
    _, invitee_view = _open(world, "invitee", "invite")
    _, holder_view = _open(world, "holder", "link")
    assert "isn't shared" in invitee_view.problem or "private" in invitee_view.problem
    assert "private again" in holder_view.problem
    call(root, ShareState, "set_visibility", "shared")
    _, invitee_view = _open(world, "invitee", "invite")
    _, revoked_view = _open(world, "holder", "revoked")
    assert invitee_view.problem == "" and "stopped sharing" in revoked_view.problem


def test_a_revoked_share_empties_an_open_page_on_its_next_poll(session, world):
    root, state = _open(world, "holder", "link")
    assert state.problem == "" and state.transcript_text
    link = session.exec(select(Share).where(Share.invitee_email == "").order_by(Share.id)).first()
    sharing.share_revoke(session=session, owner_id=world["people"]["owner"].id, share_id=link.id)
    session.commit()
    call(root, ViewState, "poll")
    assert "stopped sharing" in state.problem
    assert state.transcript_text == "" and state.media_url == "" and state.comments == []


def test_only_the_owner_manages_sharing_even_through_crafted_events(session, world):
    stranger = world["people"]["stranger"]
    root = new_tree(login_token(stranger))
    panel = _route(root, ShareState, f"/recordings/{world['rec'].id}", rid=world["rec"].id)
    call(root, ShareState, "load")
    assert not panel.ready and panel.shares == []
    panel.ref = f"r{world['rec'].id}"  # crafted: aim the panel at someone else's recording
    call(root, ShareState, "set_visibility", "public")
    call(root, ShareState, "make_link", {})
    call(root, ShareState, "invite", {"emails": "stranger@example.com"})
    link = session.exec(select(Share).where(Share.invitee_email == "").order_by(Share.id)).first()
    call(root, ShareState, "revoke", link.id)
    session.expire_all()
    assert session.get(Recording, world["rec"].id).visibility == "shared"
    assert session.get(Share, link.id).revoked_at is None
    assert len(session.exec(select(Share)).all()) == 4


def test_visitors_cannot_use_member_handlers(session, world):
    root = new_tree("")
    state = get(root, ViewState)
    state.ref, state.key = f"r{world['rec'].id}", world["keys"]["link"]
    for name, args in (
        ("add_comment", [{"body": "hi"}]),
        ("save_review", [{"structure": "4"}]),
        ("vote_ai", [{"item": "x", "agree": "yes"}]),
        ("report", [{"reason": "spam"}]),
        ("toggle_helpful", []),
    ):
        assert isinstance(call(root, ViewState, name, *args), Refusal), name
    assert session.exec(select(Comment)).all() == []


def test_share_links_open_one_answer_directly_and_refuse_dead_links(session, world):
    root = new_tree("")
    link_state = _route(root, ShareLinkState, "/s/x", key=world["keys"]["link"])
    events = call(root, ShareLinkState, "load")
    assert link_state.problem == "" and len(link_state.items) == 1
    assert f"/view/r{world['rec'].id}?k=" in repr(events)
    root2 = new_tree("")
    dead = _route(root2, ShareLinkState, "/s/x", key=world["keys"]["revoked"])
    call(root2, ShareLinkState, "load")
    assert "stopped sharing" in dead.problem and dead.items == []


def test_resume_handlers_belong_to_the_owner_and_the_page_to_everyone(session, world):
    owner = world["people"]["owner"]
    resume = resumes.resume_create(session=session, owner_id=owner.id, title="Olive, PM")
    resumes.resume_set_items(
        session=session, owner_id=owner.id, resume_id=resume.id, recording_ids=[world["rec"].id]
    )
    session.commit()
    stranger_root = new_tree(login_token(world["people"]["stranger"]))
    editor = get(stranger_root, ResumeEditState)
    call(stranger_root, SessionState, "refresh_viewer")
    editor.current_id = resume.id  # crafted
    call(stranger_root, ResumeEditState, "set_published", True)
    call(stranger_root, ResumeEditState, "delete")
    session.expire_all()
    assert session.get(Resume, resume.id).published_at is None
    owner_root = new_tree(login_token(owner))
    call(owner_root, SessionState, "refresh_viewer")
    call(owner_root, ResumeEditState, "load")
    call(owner_root, ResumeEditState, "set_published", True)
    session.expire_all()
    assert session.get(Resume, resume.id).published_at is not None
    visitor_root = new_tree("")
    page = _route(visitor_root, ResumePublicState, "/r/x", slug=resume.slug)
    call(visitor_root, ResumePublicState, "load")
    assert page.title == "Olive, PM" and len(page.items) == 1
    assert page.items[0].media_url.startswith(f"/api/recordings/{world['rec'].id}/media?token=")
    assert "70" not in repr(page.items)  # no scores on the public page


def test_reports_reach_moderators_who_alone_can_resolve_them(session, world, make_user):
    from prepple.models import AbuseReport, AuditEntry
    from prepple.state.admin import AdminState

    holder = world["people"]["holder"]
    root, state = _open(world, "holder", "link")
    call(root, ViewState, "report", {"reason": "plagiarism", "detail": "Copied from a blog"})
    call(root, ViewState, "report", {"reason": "spam"})  # a second report on the same answer
    reports = session.exec(select(AbuseReport)).all()
    assert [(r.reporter_id, r.target_kind, r.reason) for r in reports] == [
        (holder.id, "recording", "plagiarism")
    ]
    seeker_root = new_tree(login_token(world["people"]["stranger"]))
    call(seeker_root, SessionState, "refresh_viewer")
    assert isinstance(
        call(seeker_root, AdminState, "resolve_report", reports[0].id, "remove"), Refusal
    )
    moderator = make_user("mod@example.com", roles=("moderator",))
    mod_root = new_tree(login_token(moderator))
    call(mod_root, SessionState, "refresh_viewer")
    admin = get(mod_root, AdminState)
    call(mod_root, AdminState, "load")
    assert admin.tab == "reports" and len(admin.reports) == 1
    assert admin.reports[0].excerpt.startswith("I led the migration")
    call(mod_root, AdminState, "resolve_report", reports[0].id, "remove")
    session.expire_all()
    assert session.get(AbuseReport, reports[0].id).status == "open"  # asks first
    assert admin.confirm_report == reports[0].id and "owner is told" in admin.confirm_effect
    call(mod_root, AdminState, "confirm_remove", {"note": "Word for word from a blog."})
    session.expire_all()
    assert session.get(AbuseReport, reports[0].id).status == "removed"
    assert session.get(Recording, world["rec"].id).visibility == "private"
    assert admin.reports == []
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "report.resolve")).first()


def test_feedback_handlers_for_an_invitee_and_what_the_owner_then_sees(session, world):
    from prepple.models import AiFeedbackVote, Notification, Review

    root, state = _open(world, "invitee", "invite")
    assert state.via == "invite" and state.may_comment
    assert state.sentences and state.tips and state.tips[0].vote == ""
    call(root, ViewState, "add_comment", {"body": "Nice opening", "quote": state.sentences[0]})
    (mine,) = state.comments
    assert mine.mine and mine.quote == state.sentences[0] and mine.at == -1.0
    call(root, ViewState, "edit_comment", {"comment_id": str(mine.id), "body": "Great opening"})
    assert state.comments[0].body == "Great opening" and state.comments[0].edited
    call(
        root,
        ViewState,
        "vote_ai",
        {"item": state.tips[0].item_key, "agree": "no", "reason": "Pace was fine"},
    )
    assert state.tips[0].vote == "disagree"
    vote = session.exec(select(AiFeedbackVote)).one()
    assert (vote.agree, vote.dimension, vote.reason) == (False, "pace", "Pace was fine")
    call(root, ViewState, "vote_ai", {"item": "not-on-this-page", "agree": "yes"})
    assert len(session.exec(select(AiFeedbackVote)).all()) == 1
    call(
        root,
        ViewState,
        "save_review",
        {"structure": "4", "impact": "5", "note": "Lead with the result"},
    )
    call(root, ViewState, "save_review", {"structure": "9"})  # out of range: refused
    review = session.exec(select(Review)).one()
    assert (review.structure, review.impact, review.note) == (4, 5, "Lead with the result")
    assert [r.author for r in state.reviews_] == ["Ivan"]

    # Another reviewer doesn't see Ivan's ratings; the owner sees everything.
    holder_root, holder = _open(world, "holder", "link")
    assert holder.reviews_ == [] and [c.body for c in holder.comments] == ["Great opening"]
    owner_root, owner_view = _open(world, "owner", "none")
    assert [r.note for r in owner_view.reviews_] == ["Lead with the result"]
    titles = [
        n.title
        for n in session.exec(
            select(Notification).where(Notification.user_id == world["people"]["owner"].id)
        )
    ]
    assert titles == ["Ivan commented on your answer", "Ivan rated your answer"]

    # Only the author deletes a comment, even through a crafted event.
    call(holder_root, ViewState, "delete_comment", mine.id)
    assert session.get(Comment, mine.id).deleted_at is None
    call(root, ViewState, "delete_comment", mine.id)
    session.expire_all()
    assert session.get(Comment, mine.id).deleted_at is not None and state.comments == []


def _owner_feedback(world, who: str):
    from prepple.state.sharing import OwnerFeedbackState

    user = world["people"].get(who)
    root = new_tree(login_token(user) if user else "")
    rid = world["rec"].id
    state = _route(root, OwnerFeedbackState, f"/recordings/{rid}", rid=rid)
    result = call(root, OwnerFeedbackState, "load")
    return root, state, result


def test_the_owner_sees_reviewers_comments_ratings_and_votes_on_the_results_page(
    session, world, make_user
):
    from prepple.state.sharing import OwnerFeedbackState

    _root, empty, _ = _owner_feedback(world, "owner")
    assert empty.loaded and not empty.has_feedback and empty.comments == []

    # Two reviewers: a comment at 0:12, a comment on the whole answer, ratings, votes.
    ivan_root, ivan = _open(world, "invitee", "invite")
    call(ivan_root, ViewState, "add_comment", {"body": "Strong start", "pin": "on", "at": "12.4"})
    call(ivan_root, ViewState, "save_review", {"structure": "4", "impact": "2", "note": "Shorter"})
    call(ivan_root, ViewState, "vote_ai", {"item": ivan.tips[0].item_key, "agree": "yes"})
    hana_root, hana = _open(world, "holder", "link")
    call(hana_root, ViewState, "add_comment", {"body": "Say the result first"})
    call(hana_root, ViewState, "save_review", {"structure": "5"})
    call(hana_root, ViewState, "vote_ai", {"item": hana.tips[0].item_key, "agree": "no"})

    root, state, _ = _owner_feedback(world, "owner")
    assert state.has_feedback
    assert [(c.body, c.at_label) for c in state.comments] == [
        ("Strong start", "0:12"),
        ("Say the result first", ""),
    ]
    assert state.comments[0].at == pytest.approx(12.4)
    assert {r.author for r in state.reviews_} == {"Ivan", "Hana"}
    averages = {a.name: (a.average, a.count, a.percent) for a in state.averages}
    assert averages == {"Structure": ("4.5", 2, 90), "Impact": ("2.0", 1, 40)}
    assert [(v.message, v.agree, v.disagree) for v in state.tip_votes] == [("Slow down.", 1, 1)]
    assert (state.agreed, state.disagreed) == (1, 1)

    # A new comment shows on the next poll.
    call(ivan_root, ViewState, "add_comment", {"body": "Nice close"})
    call(root, OwnerFeedbackState, "poll")
    assert len(state.comments) == 3

    # Nobody else reads them here: a reviewer, a stranger, a visitor (refused by the guard),
    # nor a crafted poll aimed at the recording.
    for who in ("invitee", "stranger"):
        other_root, other, _ = _owner_feedback(world, who)
        assert not other.loaded and other.comments == [] and other.reviews_ == [], who
        other.ref = f"r{world['rec'].id}"
        call(other_root, OwnerFeedbackState, "poll")
        assert other.comments == [] and other.averages == [], who
    _, visitor, result = _owner_feedback(world, "visitor")
    assert isinstance(result, Refusal) and visitor.comments == []


def test_a_shared_recording_shows_the_plan_snapshot_only_when_the_share_includes_it(
    session, world, tmp_path, monkeypatch
):
    from prepple.services import planner, recordings
    from prepple.state.sharing import plan_parts

    monkeypatch.setattr(recordings, "staging_path", lambda rid: tmp_path / f"{rid}.part")
    owner = world["people"]["owner"]
    qid = world["rec"].question_id
    planner.plan_save(
        session=session,
        user_id=owner.id,
        question_id=qid,
        framework="STAR",
        sections={
            "situation": "Our billing system failed every month-end.",
            "task": "I had to make it reliable before the audit.",
            "action": "I split the migration into five safe steps.",
            "result": "We finished two weeks early.",
        },
    )
    # The snapshot taken when recording is what reviewers see (as it was, not as edited later).
    rec = recordings.recording_create(session=session, user_id=owner.id, question_id=qid)
    rec.status, rec.transcript_json, rec.report_json = "done", world["rec"].transcript_json, "{}"
    session.add(rec)
    session.commit()
    planner.plan_save(
        session=session,
        user_id=owner.id,
        question_id=qid,
        framework="STAR",
        sections={"situation": "Edited later."},
    )
    target = Target("recording", rec.id)
    keys = {}
    for include in (True, False):
        (share,), _ = sharing.share_create(
            session=session,
            owner_id=owner.id,
            targets=[target],
            link=True,
            include_plan=include,
        )
        keys[include] = sharing.share_key(share)
    session.commit()

    seen = {}
    for include, key in keys.items():
        root = new_tree(login_token(world["people"]["holder"]))
        state = _route(root, ViewState, f"/view/r{rec.id}", ref=f"r{rec.id}", k=key)
        call(root, ViewState, "load")
        assert state.problem == ""
        seen[include] = (state.framework, [(p.label, p.text) for p in state.plan])
    assert seen[False] == ("", [])
    framework, parts = seen[True]
    assert framework == "STAR"
    assert parts[:4] == [
        ("Situation", "Our billing system failed every month-end."),
        ("Task", "I had to make it reliable before the audit."),
        ("Action", "I split the migration into five safe steps."),
        ("Result", "We finished two weeks early."),
    ]
    assert parts[4][0] == "Cue card" and "billing system" in parts[4][1]

    # A snapshot from before sections were kept still shows its script and cue card.
    framework, parts = plan_parts(
        {"framework": "CARL", "script": "Context.\n\nAction.", "bullets": "- Context"}
    )
    assert framework == "CARL"
    assert [(p.label, p.text) for p in parts] == [
        ("Script", "Context.\n\nAction."),
        ("Cue card", "- Context"),
    ]
    assert plan_parts({}) == ("", [])


def test_a_new_link_and_the_listed_links_are_full_addresses(session, world, monkeypatch):
    from prepple.settings import get_settings

    monkeypatch.setattr(get_settings(), "base_url", "https://prepple.example.org/")
    root = new_tree(login_token(world["people"]["owner"]))
    panel = _route(root, ShareState, f"/recordings/{world['rec'].id}", rid=world["rec"].id)
    call(root, ShareState, "load")
    call(root, ShareState, "make_link", {"include_plan": "on"})
    assert re.fullmatch(r"https://prepple\.example\.org/s/\d+-[\w-]+", panel.new_link)
    links = [s.link for s in panel.shares if s.kind == "link"]
    assert links and all(link.startswith("https://prepple.example.org/s/") for link in links)
    assert panel.new_link in links
