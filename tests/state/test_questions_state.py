"""The questions page's state: relevance search with corrections, the Saved tab, the kind
filter, and the URL that keeps them."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from prepple.state.questions import QuestionDetailState, QuestionsState
from prepple.state.session import SessionState
from tests.state.helpers import call, get, login_token, new_tree


def _open(root, query: dict[str, str]):
    state = get(root, QuestionsState)
    path = "/questions" + (f"?{urlencode(query)}" if query else "")
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/questions", "query": query, "asPath": path}
    )
    return state


def test_typo_is_corrected_then_a_suggestion_can_be_taken(session):
    root = new_tree()
    qs = _open(root, {})
    call(root, QuestionsState, "load")
    call(root, QuestionsState, "search", "conflcit")
    assert qs.corrected == "conflict" and qs.total > 5 and qs.query == "conflcit"
    call(root, QuestionsState, "search", "stakehlodrs")
    assert qs.suggestion == "stakeholders" and qs.corrected == ""
    call(root, QuestionsState, "use_suggestion")
    assert qs.query == "stakeholders" and qs.suggestion == "" and qs.total >= 30
    call(root, QuestionsState, "search", "difficult coworker")
    assert qs.total > 0 and "coworker" in qs.items[0].text.lower()


def test_saved_tab_for_a_signed_in_user(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    call(root, SessionState, "refresh_viewer")
    call(root, SessionState, "toggle_saved", 3)
    call(root, SessionState, "toggle_saved", 9)
    qs = _open(root, {"saved": "1"})
    call(root, QuestionsState, "load")
    assert qs.only_saved and sorted(q.id for q in qs.items) == [3, 9] and qs.total == 2
    call(root, QuestionsState, "show_saved", "all")
    assert not qs.only_saved and qs.total > 200
    result = call(root, QuestionsState, "show_saved", "saved")
    assert qs.total == 2
    assert "saved=1" in str(result)  # the URL keeps the tab
    # Another user's list is not this one.
    other = new_tree(login_token(make_user("other@example.com")))
    call(other, SessionState, "refresh_viewer")
    qs_other = _open(other, {"saved": "1"})
    call(other, QuestionsState, "load")
    assert qs_other.total == 0 and qs_other.items == []


def test_saved_tab_for_a_visitor_reads_this_browsers_list(session):
    root = new_tree()
    get(root, SessionState).visitor_saved = json.dumps([5, 7, "x", -1])
    qs = _open(root, {"saved": "1"})
    call(root, QuestionsState, "load")
    assert sorted(q.id for q in qs.items) == [5, 7]


def test_kind_filter_and_url(session):
    root = new_tree()
    qs = _open(root, {"kind": "common", "q": "weakness"})
    call(root, QuestionsState, "load")
    assert qs.kind == "common" and qs.has_filters
    assert qs.items[0].text == "What is your greatest weakness?"
    assert all(q.kind == "common" for q in qs.items)
    result = call(root, QuestionsState, "set_kind", "nonsense")
    assert qs.kind == "" and "kind=" not in str(result)
    qs = _open(root, {"kind": "<script>"})
    call(root, QuestionsState, "load")
    assert qs.kind == ""
    call(root, QuestionsState, "set_kind", "common")
    call(root, QuestionsState, "clear_filters")
    assert qs.kind == "" and not qs.has_filters


def test_detail_of_a_common_question_carries_its_structure(session):
    root = new_tree()
    qs = _open(root, {"q": "tell me about yourself"})
    call(root, QuestionsState, "load")
    qid = qs.items[0].id
    detail = get(root, QuestionDetailState)
    detail.router = detail.router.__class__.from_router_data(
        {"pathname": "/questions/[qid]", "query": {"qid": str(qid)}}
    )
    call(root, QuestionDetailState, "load")
    assert detail.question.kind == "common"
    assert detail.question.answer_structure.startswith("Present, past, future")


def test_the_planner_shows_the_structure_of_a_common_question(session):
    from prepple.state.planner import PlannerState

    root = new_tree()
    qs = _open(root, {"q": "greatest weakness", "kind": "common"})
    call(root, QuestionsState, "load")
    weakness = qs.items[0].id

    def plan(qid: int) -> PlannerState:
        state = get(root, PlannerState)
        state.router = state.router.__class__.from_router_data(
            {"pathname": "/plan/[qid]", "query": {"qid": str(qid)}}
        )
        call(root, PlannerState, "load")
        return state

    assert plan(weakness).question_structure.startswith("Weakness, impact, action, progress")
    assert plan(1).question_structure == ""  # a behavioral question: STAR and friends fit
