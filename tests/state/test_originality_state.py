"""The planner's originality check through PlannerState: no oracle on private answers for
visitors or members, and the earlier answer is the original."""

from __future__ import annotations

from prepple.services import sharing
from prepple.services.sharing import Target
from prepple.state.planner import PlannerState
from prepple.state.session import SessionState
from tests.state.helpers import call, get, login_token, new_tree

SECRET = (
    "In March our payroll export silently dropped every employee whose surname had an "
    "apostrophe, so I wrote a reconciliation script against the bank file, found forty-one "
    "missing payments, paid them by hand the same afternoon and added the names to our tests."
)
FLAG = "someone else saved"


def _open(root, qid: int):
    state = get(root, PlannerState)
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/plan/[qid]", "query": {"qid": str(qid)}}
    )
    call(root, SessionState, "refresh_viewer")
    call(root, PlannerState, "load")
    return state


def _flagged(state) -> bool:
    return any(FLAG in i["message"] for i in state.items)


def _write(root, qid, text):
    state = _open(root, qid)
    call(root, PlannerState, "edit_section", "situation", text)
    return state


def test_private_text_cannot_be_probed_by_visitors_or_members(session, make_user):
    author, prober = make_user(), make_user()
    _write(new_tree(login_token(author)), 8, SECRET)
    visitor = _write(new_tree(), 9, SECRET)
    assert not _flagged(visitor) and visitor.scores["originality"] > 50
    member = _write(new_tree(login_token(prober)), 9, SECRET)
    assert not _flagged(member) and member.scores["originality"] > 50


def test_the_original_author_is_not_flagged_when_someone_copies_them(session, make_user):
    author, copier = make_user(), make_user()
    root_a = new_tree(login_token(author))
    original = _write(root_a, 8, SECRET)
    sharing.visibility_set(
        session=session,
        user_id=author.id,
        target=Target("answer", original.answer_id),
        visibility="public",
    )
    session.commit()
    root_c = new_tree(login_token(copier))
    copy = _write(root_c, 8, SECRET.replace("March", "April"))
    assert _flagged(copy)
    sharing.visibility_set(
        session=session,
        user_id=copier.id,
        target=Target("answer", copy.answer_id),
        visibility="public",
        confirmed=True,
    )
    session.commit()
    # The author opens and edits their own answer again: not flagged, score intact.
    again = _write(root_a, 8, SECRET + " We have had no misses since.")
    assert not _flagged(again) and again.scores["originality"] > 50


def test_start_up_indexes_answers_saved_before_the_shared_index(session, make_user):
    """The app's warm-up backfills the near-copy index (answers from before migration 0008)."""
    import json
    from datetime import timedelta

    from prepple.models import Answer, AnswerSignature, utcnow
    from prepple.prepple import _warm
    from prepple.services import answer_index

    author, copier = make_user(), make_user()
    row = Answer(
        user_id=author.id,
        question_id=8,
        sections_json=json.dumps({"situation": SECRET}),
        visibility="public",
        created_at=utcnow() - timedelta(days=2),
    )
    session.add(row)
    session.commit()
    assert session.get(AnswerSignature, row.id) is None
    _warm()
    assert session.get(AnswerSignature, row.id).scheme == answer_index.SCHEME
    copy = _write(new_tree(login_token(copier)), 8, SECRET.replace("March", "April"))
    assert _flagged(copy)
