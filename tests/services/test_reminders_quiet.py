"""A reminder time inside the quiet hours is refused with a message that says why."""

import pytest

from prepple.services import reminders
from prepple.services.validation import InvalidInput


def _set(session, user, **changes):
    values = {
        "channel": "inapp",
        "local_time": "18:00",
        "timezone": "Europe/London",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    } | changes
    return reminders.prefs_set(session=session, user_id=user.id, **values)


@pytest.mark.parametrize(
    ("local_time", "quiet_start", "quiet_end"),
    [("23:30", "22:00", "07:00"), ("06:59", "22:00", "07:00"), ("13:15", "13:00", "14:00")],
)
def test_a_time_inside_quiet_hours_is_refused(
    session, make_user, local_time, quiet_start, quiet_end
):
    user = make_user()
    with pytest.raises(InvalidInput) as err:
        _set(session, user, local_time=local_time, quiet_start=quiet_start, quiet_end=quiet_end)
    assert err.value.field == "local_time"
    assert err.value.message == (
        f"{local_time} is inside your quiet hours ({quiet_start} to {quiet_end}), when we never "
        "send reminders. Pick a time outside them, or change your quiet hours."
    )
    assert reminders.prefs_get(session=session, user_id=user.id).local_time == "18:00"


@pytest.mark.parametrize(
    ("changes"),
    [
        {"local_time": "07:00"},  # the end of quiet hours is not quiet
        {"local_time": "21:59"},
        {"local_time": "23:30", "quiet_start": "00:00", "quiet_end": "00:00"},  # none
        {"local_time": "23:30", "channel": "off"},  # no reminders, nothing to refuse
    ],
)
def test_times_outside_quiet_hours_are_saved(session, make_user, changes):
    user = make_user()
    view = _set(session, user, **changes)
    assert view.local_time == changes["local_time"]


def test_the_problem_is_named_before_saving():
    assert reminders.quiet_time_problem("23:30", "22:00", "07:00", channel="email")
    assert reminders.quiet_time_problem("12:00", "22:00", "07:00", channel="email") == ""
    assert reminders.quiet_time_problem("23:30", "22:00", "07:00", channel="off") == ""
    assert reminders.quiet_time_problem("", "22:00", "07:00", channel="email") == ""
    assert reminders.quiet_time_problem("25:99x", "22:00", "07:00", channel="email") == ""
