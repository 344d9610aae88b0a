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


STAR = {
    "situation": "Last spring I ran the front desk of a 120-room hotel in Leeds during a "
    "conference week with every room booked.",
    "task": "I had to rehouse a family of five whose connecting rooms flooded an hour before "
    "they arrived, without upsetting them.",
    "action": "First I called two partner hotels and held rooms. Then I met the family in the "
    "lobby, explained the leak honestly and offered our best suite with a rollaway bed.",
    "result": "They stayed all five nights, left a five-star review that named me, and came "
    "back the following year.",
}


def _write(root, sections):
    for key, text in sections.items():
        call(root, PlannerState, "edit_section", key, text)


def test_switch_shows_text_without_a_section_and_moves_it_in_one_click(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    state = _open(root, 5)
    _write(root, STAR)
    star_fit = state.scores["fit"]
    for fw in ("CARL", "STAR", "CARL"):
        call(root, PlannerState, "set_framework", fw)
    # Three switches in a minute: no versions (one per editing session).
    assert planner.versions(session=session, user_id=user.id, question_id=5) == []
    [aside] = state.aside
    assert aside["label"] == "Task" and aside["home_label"] == "Context"
    assert aside["text"] == STAR["task"] and aside["framework"] == "CARL"
    assert STAR["task"] not in state.script
    call(root, PlannerState, "move_aside", "task")
    assert state.aside == [] and STAR["task"] in state.sections["context"]
    assert state.scores["fit"] == star_fit  # the same words, the same fit
    saved = planner.plan_get(session=session, user_id=user.id, question_id=5)
    assert STAR["task"] in saved.sections["context"] and saved.framework == "CARL"
    call(root, PlannerState, "set_framework", "STAR")
    assert {k: state.sections[k] for k in STAR} == STAR and state.aside == []
    # "Leave it out": hidden for now, kept for a switch back.
    call(root, PlannerState, "set_framework", "SOAR")
    assert [a["key"] for a in state.aside] == ["task"]
    call(root, PlannerState, "hide_aside", "task")
    call(root, PlannerState, "hide_aside", {"$x": 1})
    assert state.aside == [] and state.sections["task"] == STAR["task"]
    before = dict(state.sections)
    call(root, PlannerState, "move_aside", "nope")
    assert state.sections == before


def test_a_long_paste_is_kept_whole_and_not_saved_until_it_fits(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    state = _open(root, 5)
    call(root, PlannerState, "edit_section", "situation", "A short start.")
    assert state.revision == 1
    paste = ("I called the supplier and asked for the invoice again. " * 200)[:10_000]
    call(root, PlannerState, "edit_section", "action", paste)
    # Nothing cut: the whole paste is on screen, with a count and a message at the field.
    assert state.sections["action"] == paste and len(paste) == 10_000
    action = next(d for d in state.section_defs if d["key"] == "action")
    assert action["count"] == "10,000 / 6,000 characters"
    assert "4,000 over" in action["over"] and "Nothing was cut" in action["over"]
    assert state.save_status == "error" and "4,000 over" in state.save_message
    # ... and not saved (other edits wait too, so the browser's copy isn't dropped).
    call(root, PlannerState, "edit_section", "result", "It worked.")
    assert state.revision == 1 and state.save_status == "error"
    assert (
        planner.plan_get(session=session, user_id=user.id, question_id=5).sections.get("action", "")
        == ""
    )
    near = "x" * 5_000
    call(root, PlannerState, "edit_section", "action", near)
    action = next(d for d in state.section_defs if d["key"] == "action")
    assert action["count"] == "5,000 / 6,000 characters" and action["over"] == ""
    assert state.save_status == "saved" and state.revision == 2
    short = next(d for d in state.section_defs if d["key"] == "result")
    assert short["count"] == "" and short["over"] == ""


def test_restore_a_version_from_the_planner(session, make_user):
    assert isinstance(call(new_tree(), PlannerState, "restore_version", 1), Refusal)
    user = make_user()
    root = new_tree(login_token(user))
    state = _open(root, 5)
    _write(root, STAR)
    call(root, PlannerState, "save_version")
    call(root, PlannerState, "edit_section", "result", "They left.")
    call(root, PlannerState, "restore_version", 1)
    assert state.sections["result"] == STAR["result"]
    assert state.restored_note.startswith("Restored version 1 from ")
    assert "saved as version 2" in state.restored_note and state.undo_version == 2
    call(root, PlannerState, "restore_version", state.undo_version)
    assert state.sections["result"] == "They left."
    assert planner.plan_get(session=session, user_id=user.id, question_id=5).sections["result"] == (
        "They left."
    )
    call(root, PlannerState, "restore_version", 99)
    assert state.sections["result"] == "They left."
    # Another user's planner can't restore this user's versions.
    other = new_tree(login_token(make_user()))
    _open(other, 5)
    call(other, PlannerState, "restore_version", 1)
    assert get(other, PlannerState).sections == {}
    call(root, PlannerState, "dismiss_restored")
    assert state.restored_note == ""
