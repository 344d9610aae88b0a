"""The practice schedule (/schedule) and the "today" view (/today).

The schedule service does the planning; these handlers check who is asking, translate form
text into dates in the user's time zone, and keep the page's copy of the plan fresh after
each change (every change re-balances the plan on the server).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import reflex as rx

from prepple.db import session_scope
from prepple.models import ReminderPrefs
from prepple.services import planner, reminders, schedule, signing
from prepple.services import questions as qs
from prepple.services.authz import SIGNED_IN
from prepple.services.signing import Holder
from prepple.services.validation import InvalidInput
from prepple.state.session import as_int, current_holder, current_principal, guarded

ICS_TOKEN_SECONDS = 30 * 24 * 3600


def _zone(db, user_id: int) -> ZoneInfo:
    return reminders.user_zone(session=db, user_id=user_id)


def ics_token(holder: Holder | None) -> str:
    """A token for the calendar file link (30 days; a calendar app can't log in). It names
    the account and this log-in session: log-out or a password change ends it."""
    if holder is None:
        return ""
    return signing.sign("ics", holder.claims(), ttl_seconds=ICS_TOKEN_SECONDS)


class ScheduleState(rx.State):
    """The user's interview, their day-by-day plan, and today's items."""

    loaded: bool = False
    has_interview: bool = False
    company: str = ""
    role_title: str = ""
    interview_day: str = ""
    interview_time: str = ""
    minutes_per_day: int = 20
    days_left: int = 0
    done: int = 0
    total: int = 0
    days: list[schedule.DayView] = []
    today_items: list[schedule.ItemView] = []
    day_options: list[str] = []
    companies: list[qs.Facet] = []
    ics_url: str = ""
    editing: bool = False
    error: str = ""

    @rx.var
    def percent_done(self) -> int:
        """Share of the schedule's items done, 0-100."""
        return round(100 * self.done / self.total) if self.total else 0

    def _refresh(self) -> None:
        user_id = current_principal().user_id
        with session_scope() as db:
            zone = _zone(db, user_id)
            today = datetime.now(zone).date()
            # Days have passed since the last visit: roll what was left undone forward first.
            schedule.plan_rebalance(session=db, user_id=user_id, today=today, tz=zone.key)
            view = schedule.plan_view(session=db, user_id=user_id, today=today, tz=zone.key)
            self.today_items = schedule.today_items(
                session=db, user_id=user_id, today=today, tz=zone.key
            )
            if not self.companies:
                _, self.companies = qs.facets(session=db)
        self.has_interview = view.interview is not None
        self.days, self.done, self.total = view.days, view.done, view.total
        self.days_left = view.days_left
        self.day_options = [d.day for d in view.days]
        if view.interview:
            iv = view.interview
            self.company, self.role_title = iv.company, iv.role_title
            self.interview_day, self.minutes_per_day = iv.day, iv.minutes_per_day
            local = datetime.fromisoformat(iv.starts_at).astimezone(zone)
            self.interview_time = f"{local:%H:%M}"
        self.ics_url = f"/api/schedule.ics?token={ics_token(current_holder())}"
        self.loaded = True

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def load(self):
        """Open the schedule or the today view."""
        self.error, self.editing = "", False
        self._refresh()
        return rx.call_script(
            "Intl.DateTimeFormat().resolvedOptions().timeZone",
            callback=ScheduleState.adopt_timezone,
        )

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def adopt_timezone(self, name: str):
        """Someone who never chose a time zone gets their browser's, so "today", the
        interview's hour and reminders follow their clock rather than UTC."""
        user_id = current_principal().user_id
        with session_scope() as db:
            if db.get(ReminderPrefs, user_id) is not None or name not in reminders.timezone_names():
                return
            defaults = reminders.prefs_get(session=db, user_id=user_id)
            reminders.prefs_set(
                session=db,
                user_id=user_id,
                channel=defaults.channel,
                local_time=defaults.local_time,
                timezone=name,
                quiet_start=defaults.quiet_start,
                quiet_end=defaults.quiet_end,
            )
        self._refresh()

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def edit(self, on: bool):
        """Show or hide the interview form."""
        self.editing = bool(on) if isinstance(on, bool) else False
        self.error = ""

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def set_interview(self, form: dict):
        """Save the interview date (in the user's time zone) and build the plan."""
        form = form if isinstance(form, dict) else {}
        user_id = current_principal().user_id
        try:
            day = date.fromisoformat(str(form.get("day", ""))[:10])
            hour, minute = (int(p) for p in str(form.get("time") or "09:00")[:5].split(":"))
        except (TypeError, ValueError):
            self.error = "Enter the interview's date and time."
            return
        try:
            with session_scope() as db:
                zone = _zone(db, user_id)
                starts = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                schedule.interview_set(
                    session=db,
                    user_id=user_id,
                    starts_at=starts.astimezone(UTC),
                    company=form.get("company", ""),
                    role_title=form.get("role_title", ""),
                    minutes_per_day=form.get("minutes_per_day", 20),
                    today=datetime.now(zone).date(),
                    tz=zone.key,
                )
        except InvalidInput as exc:
            self.error = exc.message
            return
        except ValueError:
            self.error = "Enter the interview's date and time."
            return
        self.error, self.editing = "", False
        self._refresh()
        return rx.toast.success("Your plan is ready.", id="schedule-ready")

    def _change(self, fn, **kwargs):
        user_id = current_principal().user_id
        try:
            with session_scope() as db:
                zone = _zone(db, user_id)
                fn(
                    session=db,
                    user_id=user_id,
                    today=datetime.now(zone).date(),
                    tz=zone.key,
                    **kwargs,
                )
        except InvalidInput as exc:
            self._refresh()
            return rx.toast.error(exc.message, id="schedule-change")
        self.error = ""
        self._refresh()

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def toggle_done(self, item_id: int, done: bool):
        """Mark an item done (or not done again)."""
        if as_int(item_id) and isinstance(done, bool):
            return self._change(schedule.item_done, item_id=as_int(item_id), done=done)

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def move(self, item_id: int, day: str):
        """Move an item to another day (it stays there when the plan re-balances)."""
        if as_int(item_id) and isinstance(day, str):
            return self._change(schedule.item_move, item_id=as_int(item_id), due_on=day[:10])

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def drop(self, item_id: int):
        """Take an item out of the plan."""
        if as_int(item_id):
            return self._change(schedule.item_drop, item_id=as_int(item_id))

    @rx.event
    @guarded(SIGNED_IN, flag="schedule")
    def add_question(self, question_id: int):
        """Add a question to today's plan: plan it, or practise it when it is planned."""
        qid = as_int(question_id)
        if not qid:
            return
        user_id = current_principal().user_id
        try:
            with session_scope() as db:
                zone = _zone(db, user_id)
                today = datetime.now(zone).date()
                if (
                    schedule.interview_current(
                        session=db, user_id=user_id, today=today, tz=zone.key
                    )
                    is None
                ):
                    return [
                        rx.toast.info("Set your interview date first.", id="schedule-add"),
                        rx.redirect("/schedule"),
                    ]
                kind = (
                    "practice"
                    if planner.plan_get(session=db, user_id=user_id, question_id=qid)
                    else "plan"
                )
                schedule.item_add(
                    session=db,
                    user_id=user_id,
                    question_id=qid,
                    kind=kind,
                    due_on=today.isoformat(),
                    today=today,
                    tz=zone.key,
                )
        except InvalidInput as exc:
            return rx.toast.error(exc.message, id="schedule-add")
        return rx.toast.success("Added to today's plan.", id="schedule-add")
