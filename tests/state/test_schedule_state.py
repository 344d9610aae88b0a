"""Schedule, reminder settings, bell and unsubscribe handlers called directly."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from prepple.models import Notification, PlanItem, ReminderPrefs
from prepple.services import reminders
from prepple.state.reminders import BellState, ReminderSettingsState, UnsubscribeState
from prepple.state.schedule import ScheduleState
from prepple.state.session import SessionState
from tests.state.helpers import call, get, login_token, new_tree


def _signed_in(user):
    root = new_tree(login_token(user))
    call(root, SessionState, "refresh_viewer")
    return root


def _interview(root, days=6, minutes="20"):
    day = (datetime.now(UTC).date() + timedelta(days=days)).isoformat()
    call(
        root,
        ScheduleState,
        "set_interview",
        {"day": day, "time": "10:00", "company": "Amazon", "minutes_per_day": minutes},
    )
    return get(root, ScheduleState)


def test_set_interview_builds_a_plan_and_items_can_be_done_moved_dropped(session, make_user):
    user = make_user()
    root = _signed_in(user)
    state = _interview(root)
    assert state.error == "" and state.has_interview and state.company == "Amazon"
    assert state.interview_time == "10:00" and len(state.days) == 6 and state.total > 0
    first = state.days[0].items[0]
    call(root, ScheduleState, "toggle_done", first.id, True)
    assert state.done == 1 and state.percent_done > 0
    todo = next(i for d in state.days for i in d.items if i.status == "todo")
    call(root, ScheduleState, "move", todo.id, state.days[-1].day)
    moved = session.get(PlanItem, todo.id)
    session.refresh(moved)
    assert moved.pinned and moved.due_on == state.days[-1].day
    call(root, ScheduleState, "drop", todo.id)
    session.refresh(moved)
    assert moved.status == "dropped"


def test_bad_interview_input_is_reported(session, make_user):
    root = _signed_in(make_user())
    state = get(root, ScheduleState)
    call(root, ScheduleState, "set_interview", {"day": "not a date"})
    assert "date" in state.error and not state.has_interview
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    call(root, ScheduleState, "set_interview", {"day": yesterday, "time": "09:00"})
    assert state.error and not state.has_interview


def test_another_users_items_are_out_of_reach(session, make_user):
    owner, other = make_user(), make_user()
    owner_state = _interview(_signed_in(owner))
    item = owner_state.days[0].items[0]
    root = _signed_in(other)
    call(root, ScheduleState, "toggle_done", item.id, True)
    call(root, ScheduleState, "drop", item.id)
    row = session.get(PlanItem, item.id)
    assert row.status == "todo"


def test_add_question_needs_an_interview_then_adds_to_today(session, make_user):
    root = _signed_in(make_user())
    events = call(root, ScheduleState, "add_question", 5)
    assert "interview date first" in str(events)
    _interview(root)
    call(root, ScheduleState, "add_question", 5)
    state = get(root, ScheduleState)
    call(root, ScheduleState, "load")
    assert any(i.question_id == 5 for i in state.today_items)


def test_reminder_settings_validate_and_save(session, make_user):
    user = make_user()
    root = _signed_in(user)
    state = get(root, ReminderSettingsState)
    call(root, ReminderSettingsState, "load")
    assert state.timezone == "UTC" and "Europe/London" in state.timezones
    call(root, ReminderSettingsState, "suggest_timezone", "Pacific/Auckland")
    assert state.timezone == "Pacific/Auckland"
    form = {
        "channel": "both",
        "local_time": "7:30",
        "timezone": "Pacific/Auckland",
        "quiet_start": "22:00",
        "quiet_end": "06:00",
    }
    call(root, ReminderSettingsState, "save", form)
    assert state.saved and state.local_time == "07:30"
    assert session.get(ReminderPrefs, user.id).timezone == "Pacific/Auckland"
    call(root, ReminderSettingsState, "save", {**form, "timezone": "../etc/passwd"})
    assert state.error and not state.saved


def test_bell_counts_opens_and_marks_read(session, make_user):
    user, other = make_user(), make_user()
    for who in (user, user, other):
        session.add(Notification(user_id=who.id, kind="reminder", title="Today", link="/today"))
    session.commit()
    root = _signed_in(user)
    bell = get(root, BellState)
    call(root, BellState, "refresh")
    assert bell.unread == 2 and len(bell.items) == 2
    theirs = session.exec(select(Notification).where(Notification.user_id == other.id)).one()
    call(root, BellState, "open_item", theirs.id)  # someone else's: nothing changes
    session.refresh(theirs)
    assert theirs.read_at is None
    event = call(root, BellState, "open_item", bell.items[0].id)
    assert bell.unread == 1 and "/today" in str(event)
    call(root, BellState, "mark_all_read")
    assert bell.unread == 0
    visitor = new_tree()
    call(visitor, BellState, "refresh")
    assert get(visitor, BellState).unread == 0


def test_unsubscribe_needs_the_button_and_a_valid_link(session, make_user):
    user = make_user()
    reminders.prefs_set(
        session=session,
        user_id=user.id,
        channel="email",
        local_time="18:00",
        timezone="UTC",
        quiet_start="22:00",
        quiet_end="07:00",
    )
    session.commit()
    token = reminders.unsubscribe_link(user).split("token=")[1]
    root = new_tree()
    state = get(root, UnsubscribeState)
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/unsubscribe", "query": {"token": token}}
    )
    call(root, UnsubscribeState, "load")
    assert session.get(ReminderPrefs, user.id).channel == "email"  # opening changes nothing
    call(root, UnsubscribeState, "confirm")
    session.expire_all()
    assert state.done and session.get(ReminderPrefs, user.id).channel == "off"
    state.router = state.router.__class__.from_router_data(
        {"pathname": "/unsubscribe", "query": {"token": token + "x"}}
    )
    call(root, UnsubscribeState, "confirm")
    assert state.failed


def test_the_browsers_time_zone_is_adopted_until_the_user_chooses(session, make_user):
    user = make_user()
    root = _signed_in(user)
    call(root, ScheduleState, "adopt_timezone", "Not/AZone")
    assert session.get(ReminderPrefs, user.id) is None
    call(root, ScheduleState, "adopt_timezone", "America/New_York")
    session.expire_all()
    assert session.get(ReminderPrefs, user.id).timezone == "America/New_York"
    call(root, ScheduleState, "adopt_timezone", "Asia/Tokyo")  # already chosen: kept
    session.expire_all()
    assert session.get(ReminderPrefs, user.id).timezone == "America/New_York"
