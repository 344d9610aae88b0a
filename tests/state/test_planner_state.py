"""PlannerState and AnswersState handlers called directly."""

import json

from prepple.services import planner, sharing
from prepple.services.sharing import Target
from prepple.state.planner import AnswersState, PlannerState
from prepple.state.session import Refusal, SessionState
from tests.state.helpers import call, get, login_token, new_tree


def _open(root, qid: int):
    state = get(root, PlannerState)
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/plan/[qid]", "query": {"qid": str(qid)}}
    )
    call(root, SessionState, "refresh_viewer")
    call(root, PlannerState, "load")
    return state


def test_visitor_plan_lives_in_the_browser(session):
    root = new_tree()
    state = _open(root, 3)
    assert state.question_text and state.overall == 0
    call(root, PlannerState, "edit_section", "situation", "I ran a shop in Leeds in 2023.")
    plans = json.loads(get(root, SessionState).visitor_plans)
    assert plans["3"]["sections"]["situation"] == "I ran a shop in Leeds in 2023."
    assert state.save_status == "saved-locally"
    assert planner.plan_get(session=session, user_id=1, question_id=3) is None
    # Version history is for accounts only.
    assert isinstance(call(root, PlannerState, "save_version"), Refusal)


def test_user_plan_saves_with_revisions_and_feedback(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    state = _open(root, 4)
    call(root, PlannerState, "edit_section", "action", "I called the supplier and I fixed it.")
    assert state.save_status == "saved" and state.revision == 1
    assert any(i["message"] == "No result yet." for i in state.items)
    saved = planner.plan_get(session=session, user_id=user.id, question_id=4)
    assert saved.sections["action"].startswith("I called")
    call(root, PlannerState, "set_framework", "SOAR")
    assert state.framework == "SOAR" and state.revision == 2
    call(root, PlannerState, "set_framework", ["not", "a", "framework"])
    assert state.framework == "SOAR"


def test_edits_that_are_not_sections_are_refused(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    state = _open(root, 4)
    call(root, PlannerState, "edit_section", "learning", "not a STAR section")
    call(root, PlannerState, "edit_section", "action", {"$set": 1})
    call(root, PlannerState, "edit_section", "action", "x" * (planner.SECTION_MAX + 1))
    assert state.save_status == "error" and state.revision == 0
    assert planner.plan_get(session=session, user_id=user.id, question_id=4) is None


def test_two_tabs_never_lose_text(session, make_user):
    user = make_user()
    token = login_token(user)
    tab_a, tab_b = new_tree(token), new_tree(token)
    _open(tab_a, 6)
    _open(tab_b, 6)
    call(tab_a, PlannerState, "edit_section", "result", "Tab A result.")
    call(tab_b, PlannerState, "edit_section", "result", "Tab B result.")
    assert "Another tab" in get(tab_b, PlannerState).save_message
    versions = planner.versions(session=session, user_id=user.id, question_id=6)
    assert versions and versions[0].reason == "kept from another tab"


def test_my_answers_requires_login_and_filters(session, make_user):
    assert isinstance(call(new_tree(), AnswersState, "load"), Refusal)
    user = make_user()
    root = new_tree(login_token(user))
    _open(root, 7)
    call(root, PlannerState, "edit_section", "situation", "A situation worth telling.")
    call(root, AnswersState, "load")
    answers = get(root, AnswersState)
    assert len(answers.rows) == 1 and answers.progress_total >= 200
    call(root, AnswersState, "set_filter", "status", "complete")
    assert answers.rows == []
    call(root, AnswersState, "set_filter", "password_hash", "x")  # not a filter: ignored
    assert not hasattr(answers, "password_hash")


LONG = (
    "Last spring I ran the front desk of a 120-room hotel in Leeds during a conference week "
    "with every room booked, and a family's connecting rooms flooded an hour before they "
    "arrived, so I called two partner hotels, held rooms, met the family in the lobby and "
    "offered our best suite with a rollaway bed and dinner for the kids."
)


def test_near_copy_of_someone_elses_answer_is_flagged(session, make_user):
    author, copier = make_user(), make_user()
    root_a = new_tree(login_token(author))
    _open(root_a, 8)
    call(root_a, PlannerState, "edit_section", "situation", LONG)
    own = get(root_a, PlannerState)
    assert not any("someone else" in i["message"] for i in own.items)  # not vs itself
    # Only answers the copier may read count (tests/state/test_originality_state.py).
    sharing.visibility_set(
        session=session,
        user_id=author.id,
        target=Target("answer", own.answer_id),
        visibility="public",
    )
    session.commit()
    root_b = new_tree(login_token(copier))
    state = _open(root_b, 9)
    call(root_b, PlannerState, "edit_section", "situation", LONG.replace("Leeds", "York"))
    assert any("someone else saved" in i["message"] for i in state.items)
    assert "front desk" not in " ".join(i["suggestion"] for i in state.items)
    assert state.spoken.startswith("about")


def test_progress_on_the_practice_list(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    call(root, SessionState, "refresh_viewer")
    for qid in (7, 8, 9):
        call(root, SessionState, "toggle_saved", qid)
    call(root, AnswersState, "load")
    answers = get(root, AnswersState)
    call(root, AnswersState, "set_filter", "scope", "saved")
    assert answers.progress_label == "My list" and answers.progress_total == 3
    assert answers.progress_complete == 0
