"""Crafted events with another user's ids (issue 11 red team).

Every event handler of every State is called directly, as the websocket allows, by a signed-in
attacker and by a visitor, with the victim's ids in every argument and in the page's URL:
recordings, plans, versions, stories, resumes, shares, comments, notifications and schedule
items, as numbers, as share refs ("r12", "a5"), as text and inside form dicts; also with ids of
the victim's rows deleted and of rows deleted then recreated by the victim. Nothing of the
victim's may change, and nothing the victim keeps private may reach the attacker's tab.
"""

from __future__ import annotations

import inspect
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import or_, select
from sqlmodel import SQLModel

from prepple.models import Comment, Notification, PlanItem, Question, Recording
from prepple.services import planner, resumes, schedule, sharing
from prepple.services.sharing import Target
from prepple.state.session import Refusal
from tests.state.helpers import call, get, login_token, new_tree, prepple_states

SECRET = "ZEBRAQUARTZ"

HANDLERS = [
    (cls, name) for cls in prepple_states() for name in cls.event_handlers if name != "setvar"
]


def _recording(session, user_id: int, qid: int) -> Recording:
    words = [
        {"text": w, "start": i * 0.4, "end": i * 0.4 + 0.3}
        for i, w in enumerate(f"I fixed the {SECRET} outage myself".split())
    ]
    rec = Recording(
        user_id=user_id,
        question_id=qid,
        status="done",
        media_key=f"recordings/{user_id}/x.webm",
        mime="video/webm",
        duration_seconds=3.0,
        transcript_json=json.dumps({"text": f"I fixed the {SECRET} outage", "words": words}),
        report_json="{}",
        plan_json=json.dumps({"framework": "STAR", "script": SECRET}),
    )
    session.add(rec)
    session.flush()
    return rec


@pytest.fixture
def victim(session, make_user):
    """A user with one of everything, all private, plus ids of rows they deleted and rows they
    deleted and made again."""
    ann = make_user("ann@example.com", name="Ann")
    cid = make_user("cid@example.com", name="Cid")  # someone Ann shared with
    qids = session.exec(select(Question.id).order_by(Question.id).limit(3)).scalars().all()
    planner.plan_save(
        session=session,
        user_id=ann.id,
        question_id=qids[0],
        framework="STAR",
        sections={"situation": f"The {SECRET} service kept failing.", "action": "I fixed it."},
    )
    planner.plan_snapshot(session=session, user_id=ann.id, question_id=qids[0], reason="test")
    story = planner.story_create(session=session, user_id=ann.id, title=f"{SECRET} outage")
    rec = _recording(session, ann.id, qids[0])
    gone = _recording(session, ann.id, qids[1])
    gone_id = gone.id
    session.delete(gone)
    session.flush()
    again = _recording(session, ann.id, qids[1])  # deleted then recreated (a new id)
    resume = resumes.resume_create(session=session, owner_id=ann.id, title=f"{SECRET} resume")
    shares, _ = sharing.share_create(
        session=session,
        owner_id=ann.id,
        targets=[Target("recording", rec.id)],
        emails=["cid@example.com"],
    )
    comment = Comment(recording_id=rec.id, author_id=cid.id, body=f"{SECRET} was great")
    note = Notification(user_id=ann.id, kind="test", title=SECRET, body=SECRET, link="/")
    session.add_all([comment, note])
    schedule.interview_set(
        session=session,
        user_id=ann.id,
        starts_at=datetime.now(UTC) + timedelta(days=10),
        company=SECRET,
        today=date.today(),
        tz="UTC",
    )
    session.commit()
    items = session.exec(select(PlanItem.id).where(PlanItem.user_id == ann.id)).scalars().all()
    from prepple.models import Answer

    answer_id = session.exec(select(Answer.id).where(Answer.user_id == ann.id)).scalar_one()
    ids = {
        "recording": rec.id,
        "recreated": again.id,
        "deleted": gone_id,
        "answer": answer_id,
        "story": story.id,
        "resume": resume.id,
        "share": shares[0].id,
        "comment": comment.id,
        "notification": note.id,
        "item": items[0],
        "question": qids[0],
        "version": 1,
    }
    return ann, ids, {"slug": resume.slug, "cid": cid}


def _fingerprint(session, owner_id: int, rec_ids: list[int], answer_ids: list[int]):
    """Every row that is the victim's or is about one of their answers."""
    session.expire_all()
    out = {}
    for table in SQLModel.metadata.sorted_tables:
        cols = table.columns
        conds = [cols[c] == owner_id for c in ("user_id", "owner_id") if c in cols]
        if "recording_id" in cols:
            conds.append(cols["recording_id"].in_(rec_ids))
        if "answer_id" in cols:
            conds.append(cols["answer_id"].in_(answer_ids))
        if table.name == "users":
            conds.append(cols["id"] == owner_id)
        if not conds:
            continue
        rows = session.execute(select(table).where(or_(*conds))).all()
        out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


def _values(ids: dict, slug: str) -> list:
    numbers = sorted(set(ids.values()))
    refs = [f"r{ids['recording']}", f"r{ids['recreated']}", f"r{ids['deleted']}"]
    refs.append(f"a{ids['answer']}")
    form = {
        key: ids["recording"]
        for key in ("id", "rid", "recording_id", "target_id", "qid", "question_id")
    }
    form |= {
        "ref": refs[0],
        "comment_id": ids["comment"],
        "story_id": ids["story"],
        "resume_id": ids["resume"],
        "share_id": ids["share"],
        "item_id": ids["item"],
        "kind": "comment",
        "slug": slug,
        "body": "x",
        "reason": "spam",
        "emails": "eve@example.com",
        "title": "x",
        "size": 10,
        "duration": 5,
        "ok": True,
        "stored": True,
    }
    return [*numbers, *[str(n) for n in numbers], *refs, form, [refs[0]]]


def _router(state, ids: dict, slug: str) -> None:
    params = {
        "rid": str(ids["recording"]),
        "qid": str(ids["question"]),
        "ref": f"r{ids['recording']}",
        "a": str(ids["recording"]),
        "b": str(ids["recreated"]),
        "slug": slug,
    }
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/recordings/[rid]", "query": params}
    )


def _arity(cls, name) -> int:
    sig = inspect.signature(inspect.unwrap(cls.event_handlers[name].fn))
    return len(sig.parameters) - 1


@pytest.mark.parametrize("who", ["seeker", "visitor"])
def test_no_handler_reaches_another_users_rows(session, make_user, victim, who):
    ann, ids, extra = victim
    rec_ids = [ids["recording"], ids["recreated"]]
    before = _fingerprint(session, ann.id, rec_ids, [ids["answer"]])
    token = login_token(make_user("eve@example.com", name="Eve")) if who == "seeker" else ""
    values = _values(ids, extra["slug"])
    leaks, changes = [], []
    for cls, name in HANDLERS:
        arity = _arity(cls, name)
        trials = [[]] if arity == 0 else [[v] * arity for v in values]
        for args in trials:
            root = new_tree(token)
            for state_cls in (cls,):
                _router(get(root, state_cls), ids, extra["slug"])
            try:
                result = call(root, cls, name, *args)
            except Exception as exc:  # noqa: BLE001 - a crash is reported, not a pass
                changes.append(f"{cls.__name__}.{name}{tuple(args)!r:.60} raised {exc!r:.120}")
                continue
            if isinstance(result, Refusal):
                continue
            seen = json.dumps(root.dict(), default=str) + repr(result)
            if SECRET in seen:
                leaks.append(f"{cls.__name__}.{name}{tuple(args)!r:.80}")
        after = _fingerprint(session, ann.id, rec_ids, [ids["answer"]])
        if after != before:
            diff = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            changes.append(f"{cls.__name__}.{name} changed {diff!r:.400}")
            before = after
    assert not leaks, "another user's private text reached the tab:\n" + "\n".join(leaks)
    assert not changes, "\n".join(changes)


def test_the_owner_does_see_the_secret(session, victim):
    """Positive control: the same calls made by the owner do show the text and do change rows,
    so the checks above can fail."""
    from prepple.state.practice import RecordingState
    from prepple.state.schedule import ScheduleState

    ann, ids, extra = victim
    root = new_tree(login_token(ann))
    _router(get(root, RecordingState), ids, extra["slug"])
    assert not isinstance(call(root, RecordingState, "load"), Refusal)
    assert SECRET in json.dumps(root.dict(), default=str)
    before = _fingerprint(session, ann.id, [ids["recording"]], [ids["answer"]])
    assert not isinstance(call(root, ScheduleState, "drop", ids["item"]), Refusal)
    assert _fingerprint(session, ann.id, [ids["recording"]], [ids["answer"]]) != before


def test_no_handler_crashes_on_hostile_arguments_on_the_owners_own_page(session, victim):
    """The hostile-argument test of test_authorization, deeper: as the owner, on a page whose
    URL names their own rows (so handlers get past "nothing loaded"), with wrong types, huge
    text, NaN, negative, zero, a deleted row's id and an unknown ref in each argument."""
    from tests.state.helpers import dummy_args
    from tests.state.test_authorization import HOSTILE_ARGS

    ann, ids, extra = victim
    odd = [ids["deleted"], -5, 0, 1.5, float("nan"), "r999999", {"rid": ids["deleted"]}]
    crashes = []
    for cls, name in HANDLERS:
        base = dummy_args(cls.event_handlers[name])
        trials = [base] if not base else []
        for position in range(len(base)):
            for bad in [*HOSTILE_ARGS, *odd]:
                trials.append([*base[:position], bad, *base[position + 1 :]])
        for args in trials:
            root = new_tree(login_token(ann))  # a fresh session: log-out in one trial ends it
            _router(get(root, cls), ids, extra["slug"])
            try:
                call(root, cls, name, *args)
            except Exception as exc:  # noqa: BLE001 - every crash is listed
                crashes.append(f"{cls.__name__}.{name}{tuple(args)!r:.80} raised {exc!r:.150}")
    assert not crashes, "\n".join(crashes)
