"""The reminder form says at once when the chosen time is in the quiet hours."""

from prepple.services import reminders
from prepple.state.reminders import ReminderSettingsState
from prepple.state.session import SessionState
from tests.state.helpers import call, get, login_token, new_tree


def test_the_form_warns_and_refuses_a_time_in_quiet_hours(session, make_user):
    user = make_user()
    root = new_tree(login_token(user))
    call(root, SessionState, "refresh_viewer")
    call(root, ReminderSettingsState, "load")
    state = get(root, ReminderSettingsState)
    assert state.time_warning == ""
    call(root, ReminderSettingsState, "set_field", "local_time", "23:15")
    assert state.time_warning.startswith("23:15 is inside your quiet hours (22:00 to 07:00)")
    form = {
        "channel": "inapp",
        "local_time": "23:15",
        "timezone": "UTC",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    }
    call(root, ReminderSettingsState, "save", form)
    assert not state.saved and state.error.startswith("23:15 is inside your quiet hours")
    assert reminders.prefs_get(session=session, user_id=user.id).local_time == "18:00"
    # Moving the quiet hours clears the warning and the save goes through.
    call(root, ReminderSettingsState, "set_field", "quiet_start", "23:30")
    assert state.time_warning == ""
    call(root, ReminderSettingsState, "save", form | {"quiet_start": "23:30"})
    assert state.saved and state.error == ""
    assert reminders.prefs_get(session=session, user_id=user.id).local_time == "23:15"
