"""The bell (in-app notifications), reminder settings (/reminders) and one-click unsubscribe
(/unsubscribe)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from prepple.db import session_scope
from prepple.models import ReminderPrefs
from prepple.services import reminders
from prepple.services.authz import PUBLIC, SIGNED_IN
from prepple.services.validation import InvalidInput
from prepple.state.session import as_int, current_principal, guarded, safe_next


@dataclass
class BellItem:
    """One notification in the bell's list."""

    id: int
    title: str
    body: str
    link: str
    when: str
    read: bool


class BellState(rx.State):
    """The unread count and the latest notifications of the signed-in user."""

    unread: int = 0
    items: list[BellItem] = []

    def _load(self) -> None:
        principal = current_principal()
        if not principal.is_authenticated:
            self.unread, self.items = 0, []
            return
        with session_scope() as db:
            self.unread = reminders.unread_count(session=db, user_id=principal.user_id)
            self.items = [
                BellItem(
                    id=n.id,
                    title=n.title,
                    body=n.body,
                    link=safe_next(n.link, "/today"),
                    when=f"{n.created_at:%d %b %H:%M} UTC",
                    read=n.read,
                )
                for n in reminders.notifications_list(
                    session=db, user_id=principal.user_id, limit=10
                )
            ]

    @rx.event
    @guarded(PUBLIC)
    def refresh(self, _tick: object = None):
        """Read the count again (the nav bar polls; a visitor simply has none)."""
        self._load()

    @rx.event
    @guarded(SIGNED_IN)
    def open_item(self, notification_id: int):
        """Mark one notification read and go where it points."""
        nid = as_int(notification_id)
        if not nid:
            return
        with session_scope() as db:
            reminders.mark_read(session=db, user_id=current_principal().user_id, ids=[nid])
        target = next((i.link for i in self.items if i.id == nid), "/today")
        self._load()
        return rx.redirect(target)

    @rx.event
    @guarded(SIGNED_IN)
    def mark_all_read(self):
        """Mark every notification read."""
        with session_scope() as db:
            reminders.mark_read(session=db, user_id=current_principal().user_id, ids="all")
        self._load()


class ReminderSettingsState(rx.State):
    """The reminder settings form."""

    channel: str = "inapp"
    local_time: str = "18:00"
    timezone: str = "UTC"
    quiet_start: str = "22:00"
    quiet_end: str = "07:00"
    unsubscribed: bool = False
    timezones: list[str] = []
    error: str = ""
    saved: bool = False
    #: The user has saved settings before (then their time zone is never second-guessed).
    chosen: bool = False

    @rx.var
    def time_warning(self) -> str:
        """Said at the time field as soon as the chosen time falls in the quiet hours (the
        service refuses to save it)."""
        return reminders.quiet_time_problem(
            self.local_time, self.quiet_start, self.quiet_end, channel=self.channel
        )

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def load(self):
        """Open the settings, and ask the browser for its time zone as a suggestion."""
        with session_scope() as db:
            user_id = current_principal().user_id
            prefs = reminders.prefs_get(session=db, user_id=user_id)
            self.chosen = db.get(ReminderPrefs, user_id) is not None
        self.channel, self.local_time, self.timezone = (
            prefs.channel,
            prefs.local_time,
            prefs.timezone,
        )
        self.quiet_start, self.quiet_end = prefs.quiet_start, prefs.quiet_end
        self.unsubscribed, self.error, self.saved = prefs.unsubscribed, "", False
        self.timezones = list(reminders.timezone_names())
        return rx.call_script(
            "Intl.DateTimeFormat().resolvedOptions().timeZone",
            callback=ReminderSettingsState.suggest_timezone,
        )

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def suggest_timezone(self, name: str):
        """Preselect the browser's time zone while the user still has the default."""
        if not self.chosen and isinstance(name, str) and name in self.timezones:
            self.timezone = name

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def set_field(self, name: str, value: str):
        """Keep the form's fields (checked again on save)."""
        fields = ("channel", "local_time", "timezone", "quiet_start", "quiet_end")
        if name in fields and isinstance(value, str):
            setattr(self, name, value[:64])
            self.saved = False

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def save(self, form: dict):
        """Save the reminder settings."""
        form = form if isinstance(form, dict) else {}
        try:
            with session_scope() as db:
                prefs = reminders.prefs_set(
                    session=db,
                    user_id=current_principal().user_id,
                    channel=form.get("channel"),
                    local_time=form.get("local_time"),
                    timezone=form.get("timezone"),
                    quiet_start=form.get("quiet_start"),
                    quiet_end=form.get("quiet_end"),
                )
        except InvalidInput as exc:
            self.error, self.saved = exc.message, False
            return
        self.channel, self.local_time, self.timezone = (
            prefs.channel,
            prefs.local_time,
            prefs.timezone,
        )
        self.quiet_start, self.quiet_end = prefs.quiet_start, prefs.quiet_end
        self.unsubscribed, self.error, self.saved = prefs.unsubscribed, "", True
        self.chosen = True
        return rx.toast.success("Reminder settings saved.", id="reminders-saved")


class UnsubscribeState(rx.State):
    """One-click unsubscribe from e-mailed reminders (a button, so mail scanners that open
    links don't unsubscribe anyone)."""

    done: bool = False
    failed: bool = False

    @rx.event
    @guarded(PUBLIC)
    def load(self):
        """Open the page (nothing changes until the button is pressed)."""
        self.done = self.failed = False

    @rx.event
    @guarded(PUBLIC)
    def confirm(self):
        """Turn e-mail reminders off for the account the signed link names."""
        token = self.router.page.params.get("token", "")
        with session_scope() as db:
            ok = reminders.unsubscribe(session=db, token=token)
        self.done, self.failed = ok, not ok
