"""PracticeState and RecordingState handlers called directly (as the websocket would)."""

import pytest
from sqlmodel import select

from prepple import jobs
from prepple.models import Question, Recording
from prepple.services import planner, recordings
from prepple.state.practice import PracticeState, RecordingState
from prepple.state.session import Refusal, SessionState
from tests.media_files import speech_webm
from tests.state.helpers import call, get, login_token, new_tree


def _route(root, cls, path: str, **params):
    state = get(root, cls)
    state.router = state.router.__class__.from_router_data(
        {"pathname": path, "query": {k: str(v) for k, v in params.items()}}
    )
    call(root, SessionState, "refresh_viewer")
    return state


def _arg(event, name: str):
    """One argument of an event spec (a redirect's path, a script's code) as a plain value."""
    return {str(k): getattr(v, "_var_value", None) for k, v in event.args}[name]


@pytest.fixture
def qid(session):
    return session.exec(select(Question.id).order_by(Question.id)).first()


def test_practice_page_shows_the_plan_as_notes(session, make_user, qid):
    user = make_user()
    planner.plan_save(
        session=session,
        user_id=user.id,
        question_id=qid,
        framework="STAR",
        sections={"situation": "Our launch slipped by a month.", "result": "We shipped."},
        base_revision=0,
    )
    session.commit()
    root = new_tree(login_token(user))
    state = _route(root, PracticeState, "/practice/[qid]", qid=qid)
    call(root, PracticeState, "load")
    assert state.has_plan and "Our launch slipped" in state.script
    # Whole phrases, without the plan's "- " marks (the list draws its own).
    assert state.bullets == ["Our launch slipped by a month", "We shipped"]
    call(root, PracticeState, "set_cheat_sheet", "script")
    assert state.cheat_sheet == "script"
    call(root, PracticeState, "set_cheat_sheet", ["script"])  # a crafted argument: ignored
    assert state.cheat_sheet == "script"


def test_without_a_plan_the_notes_are_off_and_unknown_questions_say_so(session, make_user):
    root = new_tree(login_token(make_user()))
    state = _route(root, PracticeState, "/practice/[qid]", qid=2)
    call(root, PracticeState, "load")
    assert not state.has_plan and state.cheat_sheet == "none"
    state = _route(root, PracticeState, "/practice/[qid]", qid=999999)
    call(root, PracticeState, "load")
    assert state.not_found


def test_begin_upload_makes_a_row_and_hands_over_a_token(session, make_user, qid):
    user = make_user()
    root = new_tree(login_token(user))
    _route(root, PracticeState, "/practice/[qid]", qid=qid)
    call(root, PracticeState, "load")
    event = call(
        root,
        PracticeState,
        "begin_upload",
        {
            "qid": qid,
            "mime": "video/webm;codecs=vp8,opus",
            "cheat_sheet": "bullets",
            "size": 10,
            "duration": 12.5,
        },
    )
    rows = session.exec(select(Recording).where(Recording.user_id == user.id)).all()
    assert len(rows) == 1 and rows[0].status == "uploading" and rows[0].cheat_sheet == "bullets"
    script = _arg(event, "javascript_code")
    assert f"window.preppleRecorder.upload({rows[0].id}," in script
    token = script.split(", ", 1)[1].rsplit(")", 1)[0].strip('"')
    assert recordings.token_target("upload", token, rows[0].id) == (rows[0].id, user.id)
    # The same take saved again (after a dropped connection) resumes the same row.
    call(
        root,
        PracticeState,
        "begin_upload",
        {"qid": qid, "mime": "video/webm", "rid": rows[0].id, "size": 10, "duration": 12.5},
    )
    assert len(session.exec(select(Recording).where(Recording.user_id == user.id)).all()) == 1


def test_begin_upload_cannot_resume_someone_elses_recording(session, make_user, qid):
    owner, other = make_user(), make_user()
    rec = recordings.recording_create(session=session, user_id=owner.id, question_id=qid)
    session.commit()
    root = new_tree(login_token(other))
    call(
        root,
        PracticeState,
        "begin_upload",
        {"qid": qid, "mime": "video/webm", "rid": rec.id, "size": 10, "duration": 12.5},
    )
    mine = session.exec(select(Recording).where(Recording.user_id == other.id)).all()
    assert len(mine) == 1 and mine[0].id != rec.id  # a new row of their own, not the owner's


def test_begin_upload_reports_bad_types_and_refuses_visitors(session, make_user, qid):
    root = new_tree(login_token(make_user()))
    state = get(root, PracticeState)
    call(
        root,
        PracticeState,
        "begin_upload",
        {"qid": qid, "mime": "application/pdf", "size": 10, "duration": 12.5},
    )
    assert "audio or video" in state.upload_error
    assert isinstance(
        call(new_tree(), PracticeState, "begin_upload", {"qid": qid, "size": 10, "duration": 12.5}),
        Refusal,
    )


@pytest.mark.parametrize("duration", [0, 0.4, 0.99, -5, None, "12", float("nan"), True])
def test_a_take_under_a_second_is_not_saved(session, make_user, qid, duration):
    user = make_user()
    root = new_tree(login_token(user))
    state = get(root, PracticeState)
    info = {"qid": qid, "mime": "video/webm", "size": 10}
    if duration is not None:
        info["duration"] = duration
    event = call(root, PracticeState, "begin_upload", info)
    assert state.upload_error.startswith("That take is under a second long, too short to save.")
    assert "window.preppleRecorder.failed(" in _arg(event, "javascript_code")
    assert session.exec(select(Recording).where(Recording.user_id == user.id)).all() == []


def test_start_session_queues_questions(session, make_user):
    root = new_tree(login_token(make_user()))
    state = get(root, PracticeState)
    event = call(root, PracticeState, "start_session", {"source": "random", "count": "3"})
    assert len(state.queue) == 3 and len(set(state.queue)) == 3
    assert _arg(event, "path") == f"/practice/{state.queue[0]}"
    state.question_id = state.queue[0]
    assert state.session_label == "Question 1 of 3" and state.next_question == state.queue[1]
    empty = call(root, PracticeState, "start_session", {"source": "saved", "count": "3"})
    assert "practice list is empty" in str(empty)


@pytest.fixture(scope="module")
def webm(tmp_path_factory):
    return speech_webm("We cut the build time in half.", tmp_path_factory.mktemp("st"), video=True)


def test_results_page_follows_progress_then_shows_results(
    session, make_user, qid, webm, make_recording
):
    user = make_user()
    rec = make_recording(user, webm, question_id=qid)
    root = new_tree(login_token(user))
    state = _route(root, RecordingState, "/recordings/[rid]", rid=rec.id)
    call(root, RecordingState, "load")
    assert state.status == "queued" and state.is_active and state.tokens == []
    assert state.media_url.startswith(f"/api/recordings/{rec.id}/media?token=")
    recordings.recording_claim(session=session, recording_id=rec.id, owner="w:1")
    recordings.recording_heartbeat(session=session, recording_id=rec.id, owner="w:1", progress=0.4)
    call(root, RecordingState, "poll")
    assert state.status == "transcribing" and state.progress == 40
    recordings.recording_release(session=session, recording_id=rec.id, owner="w:1")
    assert jobs.process_recording(rec.id) == "done"
    call(root, RecordingState, "poll")
    assert state.status == "done" and not state.is_active
    words = [t.text.strip(".,").lower() for t in state.tokens if t.kind == "word"]
    assert "build" in words and state.scores and state.wpm


def test_results_are_private_to_their_owner(session, make_user, qid, webm, make_recording):
    owner, other = make_user(), make_user()
    rec = make_recording(owner, webm, question_id=qid)
    root = new_tree(login_token(other))
    state = _route(root, RecordingState, "/recordings/[rid]", rid=rec.id)
    call(root, RecordingState, "load")
    assert state.not_found and state.media_url == ""
    state.recording_id = rec.id  # a crafted websocket event aiming at someone else's recording
    call(root, RecordingState, "delete")
    call(root, RecordingState, "retry")
    assert session.get(Recording, rec.id) is not None


def test_delete_and_retry_for_the_owner(session, make_user, qid, webm, monkeypatch, make_recording):
    sent = []
    monkeypatch.setattr(jobs, "enqueue_recording", sent.append)
    owner = make_user()
    rec = make_recording(owner, webm, question_id=qid)
    recordings.recording_fail(session=session, recording_id=rec.id, reason="Broken.")
    root = new_tree(login_token(owner))
    state = _route(root, RecordingState, "/recordings/[rid]", rid=rec.id)
    call(root, RecordingState, "load")
    assert state.status == "failed" and state.failure_reason == "Broken."
    call(root, RecordingState, "retry")
    assert sent == [rec.id] and state.status == "queued"
    call(root, RecordingState, "delete")
    assert session.exec(select(Recording.id).where(Recording.id == rec.id)).first() is None


def test_a_second_attempt_is_compared_with_the_first(session, make_user, qid, webm, make_recording):
    user = make_user()
    first = make_recording(user, webm, question_id=qid)
    second = make_recording(user, webm, question_id=qid)
    assert jobs.process_recording(first.id) == "done"
    assert jobs.process_recording(second.id) == "done"
    root = new_tree(login_token(user))
    state = _route(root, RecordingState, "/recordings/[rid]", rid=second.id)
    call(root, RecordingState, "load")
    names = [c.name for c in state.changes]
    assert "Overall" in names and state.compared_with
    overall = state.changes[names.index("Overall")]
    assert overall.delta == "same" and overall.before == overall.after  # the same answer twice
    state = _route(root, RecordingState, "/recordings/[rid]", rid=first.id)
    call(root, RecordingState, "load")
    assert state.changes == []  # nothing earlier to compare with


def test_two_attempts_side_by_side_for_their_owner_only(
    session, make_user, qid, webm, make_recording
):
    from prepple.state.practice import CompareState

    user, other = make_user(), make_user()
    first = make_recording(user, webm, question_id=qid)
    second = make_recording(user, webm, question_id=qid)
    assert jobs.process_recording(first.id) == "done"
    assert jobs.process_recording(second.id) == "done"
    root = new_tree(login_token(user))
    state = _route(root, CompareState, "/compare/[a]/[b]", a=second.id, b=first.id)
    call(root, CompareState, "load")
    assert not state.not_found and [s.id for s in state.sides] == [first.id, second.id]
    assert all(s.media_url.startswith(f"/api/recordings/{s.id}/media?token=") for s in state.sides)
    assert any(t.text.strip(".,").lower() == "build" for t in state.sides[0].tokens)
    assert "Overall" in [c.name for c in state.changes]
    stranger = new_tree(login_token(other))
    theirs = _route(stranger, CompareState, "/compare/[a]/[b]", a=first.id, b=second.id)
    call(stranger, CompareState, "load")
    assert theirs.not_found and theirs.sides == []
