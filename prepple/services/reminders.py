"""Daily practice reminders (in-app bell and e-mail), sent at most once per user and local day.

Each user picks a channel (``inapp``, ``email``, ``both`` or ``off``), a local time and an IANA
time zone, and quiet hours (which may wrap midnight). A reminder is *due* once the user's local
clock has passed their reminder time today (a time inside quiet hours moves to the end of the
quiet hours), while it is not quiet, and when they have practice items due today or overdue.

Exactly once: :func:`reminder_send` first inserts a ``ReminderSend`` row keyed
``(user, local day, kind)`` with ``INSERT .. ON CONFLICT DO NOTHING``; only the transaction whose
insert lands writes the notification and the e-mail, in that same transaction. A second
scheduler, a retried job or a catch-up after downtime finds the row and sends nothing; a
transaction that fails rolls back its row too, so the next run tries again. Catch-up needs no
bookkeeping: "due" is computed from the clock, so the first run after an outage sends today's
reminder once (yesterday's is not sent late: today's covers overdue items).

E-mail goes through the outbox (:func:`notifications.notify`); SMTP delivery is queued by the
caller after commit (``run_reminders(deliver=jobs.enqueue_delivery)``), so this module never
imports the job queue.
"""

from __future__ import annotations

import functools
import logging
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from prepple.db import insert_ignore
from prepple.models import (
    Interview,
    Notification,
    PlanItem,
    ReminderPrefs,
    ReminderSend,
    User,
    utcnow,
)
from prepple.routes import REMINDERS
from prepple.services import notifications, signing
from prepple.services.validation import InvalidInput, clean_text
from prepple.settings import get_settings

logger = logging.getLogger("prepple.reminders")

CHANNELS = ("inapp", "email", "both", "off")
DAILY = "daily"
TODAY_PATH = "/today"
UNSUBSCRIBE_PATH = "/unsubscribe"
UNSUBSCRIBE_PURPOSE = "unsubscribe"
#: Unsubscribe links in old e-mails keep working this long (people click them months later).
UNSUBSCRIBE_TTL_SECONDS = 3 * 365 * 24 * 3600
#: Items overdue longer than this no longer trigger reminders: an abandoned plan stops nagging.
OVERDUE_DAYS = 14
#: Time zones that exist as files but are not places (refused in preferences).
_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules", "posixrules.tzdata"})
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_IN_CHUNK = 500


@dataclass(frozen=True)
class PrefsView:
    """A user's reminder preferences as the settings page shows them (defaults when unset)."""

    channel: str
    local_time: str
    timezone: str
    quiet_start: str
    quiet_end: str
    #: The user turned e-mail reminders off from a link (and hasn't turned them on since).
    unsubscribed: bool


@dataclass(frozen=True)
class Due:
    """A reminder that should go out now: one user, their local day, what is waiting."""

    user_id: int
    day: str
    channel: str
    items: int
    minutes: int


@dataclass(frozen=True)
class SendResult:
    """What :func:`reminder_send` did. Truthy when this call sent the reminder.

    ``message_ids`` are the outbox messages queued for SMTP: hand each to
    ``jobs.enqueue_delivery`` after the commit."""

    sent: bool
    message_ids: tuple[int, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.sent


NOT_SENT = SendResult(False)


@dataclass(frozen=True)
class NotificationView:
    """One entry of the bell's list."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


#: What a user who never chose gets: the table's own defaults.
DEFAULT_PREFS = PrefsView(
    **{
        name: ReminderPrefs.model_fields[name].default
        for name in ("channel", "local_time", "timezone", "quiet_start", "quiet_end")
    },
    unsubscribed=False,
)

# --- preferences -------------------------------------------------------------------------------


@functools.cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone a user may choose, sorted (for the settings page's picker)."""
    return tuple(sorted(zoneinfo.available_timezones() - _NOT_PLACES))


def clean_timezone(value: object, *, field: str = "timezone") -> str:
    """An IANA time zone name such as ``Europe/Berlin``; anything else is refused."""
    name = clean_text(value, field=field, label="Time zone", max_len=64)
    if name not in timezone_names():
        raise InvalidInput(field, "Choose a time zone from the list, like Europe/Berlin.")
    return name


def clean_hhmm(value: object, *, field: str, label: str) -> str:
    """A time of day as ``HH:MM`` (24-hour; ``7:30`` becomes ``07:30``)."""
    text = clean_text(value, field=field, label=label, max_len=5)
    match = _HHMM.match(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidInput(field, f"{label} must be a time like 18:30.")
    return f"{int(match[1]):02d}:{match[2]}"


def _view(row: ReminderPrefs) -> PrefsView:
    return PrefsView(
        channel=row.channel,
        local_time=row.local_time,
        timezone=row.timezone,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        unsubscribed=row.unsubscribed_at is not None,
    )


def _prefs_row(session: Session, user_id: int) -> ReminderPrefs:
    """The user's preferences row, created with defaults (race-free) when missing."""
    row = session.get(ReminderPrefs, user_id)
    if row is None:
        defaults = {k: v for k, v in vars(DEFAULT_PREFS).items() if k != "unsubscribed"}
        insert_ignore(session, ReminderPrefs, user_id=user_id, updated_at=utcnow(), **defaults)
        row = session.get(ReminderPrefs, user_id, populate_existing=True)
    return row


def prefs_get(*, session: Session, user_id: int) -> PrefsView:
    """A user's reminder preferences (the defaults when they never chose any)."""
    row = session.get(ReminderPrefs, user_id)
    return _view(row) if row is not None else DEFAULT_PREFS


def prefs_set(
    *,
    session: Session,
    user_id: int,
    channel: object,
    local_time: object,
    timezone: object,
    quiet_start: object,
    quiet_end: object,
) -> PrefsView:
    """Validate and save a user's reminder preferences; :class:`InvalidInput` names the field.

    Quiet hours may wrap midnight (22:00-07:00); equal start and end mean no quiet hours. A
    reminder time inside the quiet hours is refused (it could never go out then). Choosing an
    e-mail channel again ends an earlier unsubscribe."""
    if channel not in CHANNELS:
        raise InvalidInput("channel", "Choose in-app, e-mail, both or off.")
    values = {
        "channel": channel,
        "local_time": clean_hhmm(local_time, field="local_time", label="Reminder time"),
        "timezone": clean_timezone(timezone),
        "quiet_start": clean_hhmm(quiet_start, field="quiet_start", label="Quiet hours start"),
        "quiet_end": clean_hhmm(quiet_end, field="quiet_end", label="Quiet hours end"),
    }
    problem = quiet_time_problem(
        values["local_time"], values["quiet_start"], values["quiet_end"], channel=channel
    )
    if problem:
        raise InvalidInput("local_time", problem)
    row = _prefs_row(session, user_id)
    for name, value in values.items():
        setattr(row, name, value)
    if channel in ("email", "both"):
        row.unsubscribed_at = None
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return _view(row)


def unsubscribe_link(user: User) -> str:
    """A signed, long-lived link that turns off a user's reminder e-mails in one click. It
    names the account's id and creation time, so it never works for a later account."""
    payload = {"uid": user.id, "c": signing.stamp(user.created_at)}
    token = signing.sign(UNSUBSCRIBE_PURPOSE, payload, ttl_seconds=UNSUBSCRIBE_TTL_SECONDS)
    return f"{get_settings().base_url.rstrip('/')}{UNSUBSCRIBE_PATH}?token={token}"


def unsubscribe(*, session: Session, token: object, now: datetime | None = None) -> bool:
    """Turn off reminder e-mails for the user a link was made for (in-app reminders stay).

    Returns whether the token was valid; a second click changes nothing and is also ``True``,
    as is a link for an account that no longer exists (nothing is sent to it; a later account
    with the same id is not touched)."""
    try:
        data = signing.verify(UNSUBSCRIBE_PURPOSE, token)
    except signing.BadToken:
        return False
    uid = data.get("uid")
    if not isinstance(uid, int) or isinstance(uid, bool):
        return False
    user = session.get(User, uid)
    if user is None or data.get("c") != signing.stamp(user.created_at):
        return True
    row = _prefs_row(session, uid)
    quieter = {"email": "off", "both": "inapp"}.get(row.channel, row.channel)
    if quieter != row.channel or row.unsubscribed_at is None:
        row.channel = quieter
        row.unsubscribed_at = now or utcnow()
        row.updated_at = row.unsubscribed_at
        session.add(row)
        session.flush()
    return True


# --- when a reminder is due ----------------------------------------------------------------------


def _hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_quiet_hours(moment: time, quiet_start: str, quiet_end: str) -> bool:
    """Whether a local time of day falls in quiet hours ``[start, end)``, which may wrap
    midnight; equal start and end mean no quiet hours."""
    start, end = _hhmm(quiet_start), _hhmm(quiet_end)
    moment = moment.replace(second=0, microsecond=0, tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def quiet_time_problem(local_time: str, quiet_start: str, quiet_end: str, *, channel: str) -> str:
    """What is wrong with a reminder time inside the quiet hours (``""`` when nothing is, when
    reminders are off, or when a time isn't a valid HH:MM yet): such a reminder could never go
    out at the time chosen."""
    try:
        inside = channel != "off" and in_quiet_hours(_hhmm(local_time), quiet_start, quiet_end)
    except (ValueError, AttributeError):
        return ""
    if not inside:
        return ""
    return (
        f"{local_time} is inside your quiet hours ({quiet_start} to {quiet_end}), when we never "
        "send reminders. Pick a time outside them, or change your quiet hours."
    )


def reminder_time(prefs: ReminderPrefs | PrefsView) -> time:
    """The local time of day the reminder goes out: the chosen time, or the end of quiet hours
    when the chosen time falls inside them."""
    chosen = _hhmm(prefs.local_time)
    if in_quiet_hours(chosen, prefs.quiet_start, prefs.quiet_end):
        return _hhmm(prefs.quiet_end)
    return chosen


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        logger.warning("unknown time zone %r in reminder preferences; using UTC", name)
        return zoneinfo.ZoneInfo("UTC")


def user_zone(*, session: Session, user_id: int) -> zoneinfo.ZoneInfo:
    """The user's time zone (from their reminder settings; UTC until they choose one)."""
    prefs = session.get(ReminderPrefs, user_id)
    return _zone(prefs.timezone if prefs else "UTC")


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now


def local_day_if_due(prefs: ReminderPrefs | PrefsView, now: datetime) -> str | None:
    """The user's local day (ISO) when their reminder time has passed and it isn't quiet now;
    ``None`` otherwise. Wall-clock comparison, so DST changes need no special case."""
    local = _aware(now).astimezone(_zone(prefs.timezone))
    moment = local.time().replace(tzinfo=None)
    if moment < reminder_time(prefs):
        return None
    if in_quiet_hours(moment, prefs.quiet_start, prefs.quiet_end):
        return None
    return local.date().isoformat()


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _oldest_counted(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=OVERDUE_DAYS)).isoformat()


def reminders_due(*, session: Session, now: datetime) -> list[Due]:
    """Every reminder that should go out at ``now`` (aware): active users whose reminder time
    has passed today in their time zone, outside quiet hours, channel not off, with practice
    items due today or overdue (up to ``OVERDUE_DAYS``), and no reminder sent for that day."""
    now = _aware(now)
    # Local days run from UTC-12 to UTC+14; fetch every item that could count anywhere.
    newest = (now + timedelta(hours=14)).date().isoformat()
    oldest = _oldest_counted((now - timedelta(hours=12)).date().isoformat())
    rows = session.exec(
        select(PlanItem.user_id, PlanItem.due_on, func.count(), func.sum(PlanItem.minutes))
        .join(User, col(User.id) == col(PlanItem.user_id))
        .outerjoin(Interview, col(Interview.id) == col(PlanItem.interview_id))
        .where(
            col(User.is_active).is_(True),
            # Nothing left to prepare for an interview that is over.
            or_(col(PlanItem.interview_id).is_(None), col(Interview.starts_at) > now),
            PlanItem.status == "todo",
            col(PlanItem.due_on) >= oldest,
            col(PlanItem.due_on) <= newest,
        )
        .group_by(PlanItem.user_id, PlanItem.due_on)
    ).all()
    by_user: dict[int, list[tuple[str, int, int]]] = {}
    for user_id, due_on, count, minutes in rows:
        by_user.setdefault(user_id, []).append((due_on, count, minutes or 0))
    user_ids = sorted(by_user)
    prefs: dict[int, ReminderPrefs | PrefsView] = {}
    sent: set[tuple[int, str]] = set()
    for chunk in _chunks(user_ids):
        prefs.update(
            (p.user_id, p)
            for p in session.exec(
                select(ReminderPrefs).where(col(ReminderPrefs.user_id).in_(chunk))
            ).all()
        )
        sent.update(
            session.exec(
                select(ReminderSend.user_id, ReminderSend.day).where(
                    col(ReminderSend.user_id).in_(chunk),
                    ReminderSend.kind == DAILY,
                    col(ReminderSend.day) >= oldest,
                )
            ).all()
        )
    due: list[Due] = []
    for user_id in user_ids:
        pref = prefs.get(user_id, DEFAULT_PREFS)
        if pref.channel not in CHANNELS or pref.channel == "off":
            continue
        day = local_day_if_due(pref, now)
        if day is None or (user_id, day) in sent:
            continue
        first = _oldest_counted(day)
        counted = [(c, m) for d, c, m in by_user[user_id] if first <= d <= day]
        if counted:
            due.append(
                Due(
                    user_id=user_id,
                    day=day,
                    channel=pref.channel,
                    items=sum(c for c, _ in counted),
                    minutes=sum(m for _, m in counted),
                )
            )
    return due


# --- sending -------------------------------------------------------------------------------------


def reminder_title(items: int, minutes: int) -> str:
    """``Today: 3 questions to practise (25 min)``."""
    noun = "question" if items == 1 else "questions"
    return f"Today: {items} {noun} to practise ({minutes} min)"


def _email_body(user: User, title: str, overdue: int) -> str:
    base = get_settings().base_url.rstrip("/")
    carried = f" ({overdue} carried over from earlier days)" if overdue else ""
    return (
        f"Hello {user.display_name},\n\n{title}{carried}.\n\n"
        f"Open today's plan: {base}{TODAY_PATH}\n\n"
        f"You get this e-mail because you asked Prepple for practice reminders. Change the time "
        f"or the channel in your reminder settings: {base}{REMINDERS}\n"
        f"Stop reminder e-mails with one click: {unsubscribe_link(user)}\n"
    )


def reminder_send(*, session: Session, user_id: int, day: str, now: datetime) -> SendResult:
    """Send one user's daily reminder for their local ``day`` (ISO), at most once ever.

    The ``ReminderSend`` row is inserted first; when it already exists (another scheduler, a
    retry, a catch-up) nothing is sent and the result is falsy. Then, in the same transaction,
    the bell notification (channels ``inapp``/``both``) and the outbox e-mail with an
    unsubscribe link (``email``/``both``) are written. The caller commits, then queues
    ``result.message_ids`` for SMTP.
    On an ``IntegrityError`` (the account was deleted meanwhile) the session is rolled back."""
    now = _aware(now)
    date.fromisoformat(day)  # refuse anything that isn't a date
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return NOT_SENT
    prefs = session.get(ReminderPrefs, user_id) or DEFAULT_PREFS
    if prefs.channel not in CHANNELS or prefs.channel == "off":
        return NOT_SENT
    counts = session.exec(
        select(PlanItem.due_on, func.count(), func.sum(PlanItem.minutes))
        .outerjoin(Interview, col(Interview.id) == col(PlanItem.interview_id))
        .where(
            PlanItem.user_id == user_id,
            or_(col(PlanItem.interview_id).is_(None), col(Interview.starts_at) > _aware(now)),
            PlanItem.status == "todo",
            col(PlanItem.due_on) >= _oldest_counted(day),
            col(PlanItem.due_on) <= day,
        )
        .group_by(PlanItem.due_on)
    ).all()
    items = sum(c for _, c, _ in counts)
    if not items:
        return NOT_SENT
    minutes = sum(m or 0 for _, _, m in counts)
    overdue = sum(c for d, c, _ in counts if d < day)
    try:
        inserted = insert_ignore(
            session, ReminderSend, user_id=user_id, day=day, kind=DAILY, created_at=now
        )
    except IntegrityError:
        session.rollback()
        return NOT_SENT
    if not inserted:
        return NOT_SENT
    title = reminder_title(items, minutes)
    if prefs.channel in ("inapp", "both"):
        session.add(
            Notification(
                user_id=user_id,
                kind="reminder",
                title=title,
                body=f"{overdue} carried over from earlier days." if overdue else "",
                link=TODAY_PATH,
                created_at=now,
            )
        )
    queued: list[int] = []
    if prefs.channel in ("email", "both"):
        msg = notifications.notify(
            session=session,
            to_email=user.email,
            user_id=user_id,
            kind="reminder",
            subject=title,
            body=_email_body(user, title, overdue),
        )
        if msg.channel == "smtp":
            queued.append(msg.id)
    session.flush()
    return SendResult(True, tuple(queued))


def run_reminders(
    *,
    session_factory: Callable[[], AbstractContextManager[Session]],
    now: datetime,
    deliver: Callable[[int], None] | None = None,
) -> int:
    """Send every reminder due at ``now``, each in a transaction of its own; returns how many
    were sent. ``deliver`` (e.g. ``jobs.enqueue_delivery``) gets each e-mail's outbox id after
    its commit. A reminder that fails is logged and rolled back, so the next run retries it."""
    with session_factory() as session:
        due = reminders_due(session=session, now=now)
    sent = 0
    for item in due:
        try:
            with session_factory() as session:
                result = reminder_send(session=session, user_id=item.user_id, day=item.day, now=now)
                session.commit()
        except Exception:
            logger.exception("reminder for user %s on %s failed", item.user_id, item.day)
            continue
        if not result:
            continue
        sent += 1
        for message_id in result.message_ids if deliver else ():
            try:
                deliver(message_id)
            except Exception:  # noqa: BLE001 - the row stays queued for the hourly retry
                logger.exception("queueing reminder e-mail %s failed", message_id)
    return sent


# --- the bell ------------------------------------------------------------------------------------


def unread_count(*, session: Session, user_id: int) -> int:
    """How many of a user's notifications are unread (the bell's badge)."""
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
    ).one()


def notifications_list(
    *, session: Session, user_id: int, limit: int = 20
) -> list[NotificationView]:
    """A user's newest notifications first (at most ``limit``, capped at 100)."""
    limit = max(1, min(int(limit), 100))
    rows = session.exec(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    ).all()
    return [
        NotificationView(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            link=n.link,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in rows
    ]


def mark_read(
    *,
    session: Session,
    user_id: int,
    ids: Iterable[object] | Literal["all"],
    now: datetime | None = None,
) -> int:
    """Mark notifications read; returns how many changed. Only the user's own notifications
    change: ids of others' (or unknown, or non-integer ids from a browser) are ignored."""
    query = update(Notification).where(
        col(Notification.user_id) == user_id, col(Notification.read_at).is_(None)
    )
    if ids != "all":
        if isinstance(ids, str | bytes):
            raise TypeError("ids must be a list of notification ids or 'all'")
        wanted = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})[:500]
        if not wanted:
            return 0
        query = query.where(col(Notification.id).in_(wanted))
    result = session.exec(
        query.values(read_at=now or utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount
