"""The domain error base and the state helper for "call a service, commit, refresh, tell the
user" (prepple.state.actions.perform)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from prepple.db import get_engine
from prepple.models import Story
from prepple.services.accounts import AccountError
from prepple.services.authz import Denied
from prepple.services.errors import DomainError
from prepple.services.flags import FeatureDisabled
from prepple.services.media import MediaError
from prepple.services.recordings import OffsetMismatch, RecordingError
from prepple.services.resumes import ResumeError
from prepple.services.sharing import ShareError
from prepple.services.validation import InvalidInput
from prepple.state.actions import perform


def _toast(event) -> str:
    """The JavaScript a toast event runs (kind and text are in it)."""
    return str(event.args[0][1])


def _stories(user_id: int) -> list[str]:
    with Session(get_engine()) as db:
        return list(db.exec(select(Story.title).where(Story.user_id == user_id)).all())


def test_every_service_refusal_is_a_domain_error_with_message_status_and_field():
    cases = [
        (InvalidInput("title", "Give it a title."), 400, "title", ValueError),
        (AccountError("email", "That e-mail is taken."), 400, "email", InvalidInput),
        (ShareError("Gone.", 410), 410, "", Exception),
        (ResumeError("Not yours.", 404), 404, "", Exception),
        (RecordingError("Too long.", 413), 413, "", Exception),
        (OffsetMismatch(12), 409, "", RecordingError),
        (MediaError("Not a recording.", detail="ffmpeg said no"), 422, "", Exception),
        (Denied("Staff only."), 403, "", PermissionError),
        (Denied("Sign in first.", needs_login=True), 401, "", PermissionError),
        (FeatureDisabled("community"), 503, "", Exception),
    ]
    for exc, status, field, old_base in cases:
        assert isinstance(exc, DomainError) and isinstance(exc, old_base), exc
        assert exc.status == status and exc.field == field, exc
        assert exc.message and str(exc) == exc.message, exc
    # The extras callers read keep working.
    assert OffsetMismatch(12).received == 12
    assert MediaError("x", detail="why").user_message == "x"
    assert ShareError("x", needs_login=True).needs_login
    assert (
        FeatureDisabled("community").message
        == "This feature (community) is switched off right now."
    )


def test_perform_commits_refreshes_and_says_done(session, make_user):
    user = make_user()
    refreshed = []
    done = perform(
        lambda db: _add_story(db, user.id, "Payroll fix"),
        refresh=lambda: refreshed.append(_stories(user.id)),
        done=lambda story: f"Added {story.title}.",
        toast_id="story",
    )
    assert done.ok and done.error is None and done.value.title == "Payroll fix"
    # Committed before the refresh ran: the refresh reads the new row from a new session.
    assert refreshed == [["Payroll fix"]]
    assert '["success"]("Added Payroll fix."' in _toast(done.event) and '"story"' in _toast(
        done.event
    )
    # Nothing to say: no event at all (the handler returns None, as before).
    assert perform(lambda db: None).event is None


def test_perform_rolls_back_and_tells_the_service_message(session, make_user):
    user = make_user()
    refreshed = []

    def half_then_refuse(db):
        _add_story(db, user.id, "Half done")
        raise InvalidInput("title", "Keep the title under 120 characters.")

    done = perform(half_then_refuse, refresh=lambda: refreshed.append(1), done="Never said.")
    assert not done.ok and isinstance(done.error, InvalidInput) and done.value is None
    assert '["error"]("Keep the title under 120 characters."' in _toast(done.event)
    assert "Never said" not in _toast(done.event)
    assert refreshed == [] and _stories(user.id) == []


def test_perform_leaves_guard_refusals_and_bugs_to_the_caller(session, make_user):
    user = make_user()
    for exc in (Denied("Staff only."), FeatureDisabled("community"), KeyError("bug")):

        def work(db, exc=exc):
            _add_story(db, user.id, "Should not stay")
            raise exc

        with pytest.raises(type(exc)):
            perform(work, refresh=pytest.fail)
    assert _stories(user.id) == []


def _add_story(db, user_id: int, title: str) -> Story:
    story = Story(user_id=user_id, title=title, notes="")
    db.add(story)
    db.flush()
    return story
