"""Daily reminders: when they are due in each user's time zone and quiet hours, that each goes out
exactly once (double calls, racing senders, catch-up after downtime), the unsubscribe link, the
e-mail through a real SMTP server, and the bell."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlmodel import func, select

from prepple import jobs
from prepple.db import session_scope
from prepple.models import (
    Notification,
    OutboxMessage,
    PlanItem,
    Question,
    ReminderPrefs,
    ReminderSend,
    User,
)
from prepple.services import reminders, signing
from prepple.services.validation import InvalidInput
from tests.conftest import both_databases
from tests.services.test_notifications import certificate, smtp_server  # noqa: F401 - fixtures


def at(text: str) -> datetime:
    """A UTC instant: ``at("2026-12-02 19:05")``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _prefs(session, user, **changes):
    values = {
        "channel": "inapp",
        "local_time": "18:00",
        "timezone": "UTC",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
    } | changes
    view = reminders.prefs_set(session=session, user_id=user.id, **values)
    session.commit()
    return view


def _items(session, user, *due: str, minutes: int = 10, status: str = "todo"):
    qids = session.exec(select(Question.id).order_by(Question.id).limit(len(due))).all()
    for qid, day in zip(qids, due, strict=True):
        session.add(
            PlanItem(user_id=user.id, question_id=qid, due_on=day, minutes=minutes, status=status)
        )
    session.commit()


def _due(session, now):
    return {d.user_id: d for d in reminders.reminders_due(session=session, now=now)}


def _count(session, model, **where):
    session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.exec(query).one()


# --- preferences ---------------------------------------------------------------------------------


def test_prefs_default_then_saved_and_normalised(session, make_user):
    user = make_user()
    assert reminders.prefs_get(session=session, user_id=user.id) == reminders.DEFAULT_PREFS
    view = _prefs(session, user, channel="both", local_time="7:30", timezone="Pacific/Auckland")
    assert (view.channel, view.local_time, view.timezone) == ("both", "07:30", "Pacific/Auckland")
    assert reminders.prefs_get(session=session, user_id=user.id) == view


BAD_PREFS = [
    ("channel", {"channel": "sms"}),
    ("channel", {"channel": None}),
    ("local_time", {"local_time": "24:00"}),
    ("local_time", {"local_time": "7pm"}),
    ("local_time", {"local_time": "12:60"}),
    ("timezone", {"timezone": "Mars/Olympus_Mons"}),
    ("timezone", {"timezone": "localtime"}),  # a file, not a place
    ("timezone", {"timezone": "../../etc/passwd"}),
    ("timezone", {"timezone": "America"}),  # a folder of zones
    ("timezone", {"timezone": 7}),
    ("quiet_start", {"quiet_start": ""}),
    ("quiet_end", {"quiet_end": "07:00 am"}),
]


def test_bad_prefs_are_refused_naming_the_field(session, make_user):
    user = make_user()
    for field, changes in BAD_PREFS:
        with pytest.raises(InvalidInput) as err:
            _prefs(session, user, **changes)
        assert err.value.field == field, changes
    session.rollback()
    assert session.get(ReminderPrefs, user.id) is None
    # Control characters are removed where text enters (validation.scrub), not refused.
    assert _prefs(session, user, quiet_end="07:00\x00").quiet_end == "07:00"


# --- when reminders are due ----------------------------------------------------------------------


def test_quiet_hours_may_wrap_midnight():
    quiet = ("22:00", "07:00")
    assert reminders.in_quiet_hours(time(23, 0), *quiet)
    assert reminders.in_quiet_hours(time(0, 30), *quiet)
    assert reminders.in_quiet_hours(time(6, 59), *quiet)
    assert not reminders.in_quiet_hours(time(7, 0), *quiet)
    assert not reminders.in_quiet_hours(time(21, 59), *quiet)
    assert reminders.in_quiet_hours(time(13, 30), "13:00", "14:00")
    assert not reminders.in_quiet_hours(time(14, 0), "13:00", "14:00")
    assert not reminders.in_quiet_hours(time(3, 0), "00:00", "00:00")  # equal: no quiet hours


def test_reminder_time_passes_in_each_users_own_time_zone(session, make_user):
    kiwi, angeleno, londoner = make_user(), make_user(), make_user()
    _prefs(session, kiwi, local_time="08:00", timezone="Pacific/Auckland")  # UTC+13 in December
    _prefs(session, angeleno, local_time="18:00", timezone="America/Los_Angeles")  # UTC-8
    assert at("2026-12-02 19:00").astimezone(reminders._zone("Pacific/Auckland")).hour == 8
    _items(session, kiwi, "2026-12-03", "2026-12-04")  # today (local) and tomorrow
    _items(session, angeleno, "2026-12-02", "2026-12-03")
    _items(session, londoner, "2026-12-02")  # no prefs: in-app at 18:00 UTC

    # 18:59 UTC: the Londoner's 18:00 has passed; Auckland is at 07:59, LA at 10:59.
    assert set(_due(session, at("2026-12-02 18:59"))) == {londoner.id}
    due = _due(session, at("2026-12-02 19:05"))  # Auckland 08:05 on the 3rd
    assert due[kiwi.id].day == "2026-12-03" and due[kiwi.id].items == 1
    assert angeleno.id not in due  # 11:05 in LA
    due = _due(session, at("2026-12-03 02:00"))  # LA: 18:00 on the 2nd (UTC is already the 3rd)
    assert due[angeleno.id].day == "2026-12-02" and due[angeleno.id].items == 1
    assert due[kiwi.id].day == "2026-12-03"  # 15:00 in Auckland, still not sent


def test_the_user_without_prefs_gets_the_default_time(session, make_user):
    user = make_user()
    _items(session, user, "2026-12-02")
    assert user.id not in _due(session, at("2026-12-02 17:59"))
    due = _due(session, at("2026-12-02 18:00"))[user.id]
    assert (due.day, due.channel, due.items, due.minutes) == ("2026-12-02", "inapp", 1, 10)


def test_a_reminder_in_quiet_hours_moves_to_their_end(session, make_user):
    user = make_user()
    # prefs_set refuses such a time now (test_reminders_quiet.py); rows saved before keep it.
    _prefs(session, user, local_time="21:30", quiet_start="22:00", quiet_end="07:00")
    row = session.get(ReminderPrefs, user.id)
    row.local_time = "23:30"
    session.commit()
    _items(session, user, "2026-12-02")
    assert _due(session, at("2026-12-02 06:59")) == {}
    assert _due(session, at("2026-12-02 07:00"))[user.id].day == "2026-12-02"
    assert reminders.reminder_time(reminders.prefs_get(session=session, user_id=user.id)) == time(
        7, 0
    )


def test_nothing_is_sent_in_quiet_hours_even_when_late(session, make_user):
    user = make_user()
    _prefs(session, user, local_time="18:00", quiet_start="22:00", quiet_end="07:00")
    _items(session, user, "2026-12-02")
    assert user.id in _due(session, at("2026-12-02 21:59"))
    assert _due(session, at("2026-12-02 22:30")) == {}  # the scheduler was down until now
    # Not sent the next morning either: that day's reminder comes at 18:00 and covers it.
    assert _due(session, at("2026-12-03 08:00")) == {}
    due = _due(session, at("2026-12-03 18:00"))[user.id]
    assert (due.day, due.items) == ("2026-12-03", 1)


def test_no_reminder_when_off_nothing_due_or_account_inactive(session, make_user):
    off, done, future, stale, inactive = (make_user() for _ in range(5))
    _prefs(session, off, channel="off")
    for user in (off, inactive):
        _items(session, user, "2026-12-02")
    _items(session, done, "2026-12-02", status="done")
    _items(session, done, "2026-12-01", status="dropped")
    _items(session, future, "2026-12-03")
    _items(session, stale, "2026-11-01")  # an abandoned plan stops nagging
    row = session.get(User, inactive.id)
    row.is_active = False
    session.add(row)
    session.commit()
    assert _due(session, at("2026-12-02 20:00")) == {}
    assert not reminders.reminder_send(
        session=session, user_id=off.id, day="2026-12-02", now=at("2026-12-02 20:00")
    )


# --- exactly once --------------------------------------------------------------------------------


@both_databases
def test_a_second_send_for_the_same_day_sends_nothing(db_url, session, make_user):
    user = make_user()
    _items(session, user, "2026-12-01", "2026-12-02", minutes=10)
    _items(session, user, "2026-12-02", minutes=5)
    now = at("2026-12-02 19:00")
    first = reminders.reminder_send(session=session, user_id=user.id, day="2026-12-02", now=now)
    session.commit()
    again = reminders.reminder_send(session=session, user_id=user.id, day="2026-12-02", now=now)
    session.commit()
    assert first and first.message_ids == () and not again
    assert _count(session, ReminderSend) == 1 and _count(session, Notification) == 1
    note = session.exec(select(Notification)).one()
    assert note.title == "Today: 3 questions to practise (25 min)"
    assert (note.link, note.kind) == ("/today", "reminder")
    assert "1 carried over" in note.body
    assert _count(session, OutboxMessage) == 0  # in-app only
    assert reminders.reminders_due(session=session, now=now) == []


@both_databases
def test_catch_up_after_downtime_sends_exactly_one(db_url, session, make_user):
    user = make_user()
    _prefs(session, user, channel="both", local_time="08:00", timezone="America/Los_Angeles")
    _items(session, user, "2026-12-02")
    # Due 08:00 in LA (16:00 UTC); the scheduler was down until 20:30 LA time.
    late = at("2026-12-03 04:30")
    assert reminders.run_reminders(session_factory=session_scope, now=late) == 1
    assert reminders.run_reminders(session_factory=session_scope, now=late) == 0
    assert (
        reminders.run_reminders(session_factory=session_scope, now=late + timedelta(hours=1)) == 0
    )
    assert _count(session, ReminderSend, day="2026-12-02") == 1
    assert _count(session, Notification) == 1 and _count(session, OutboxMessage) == 1
    # The next day the item is overdue and gets that day's (single) reminder.
    next_day = at("2026-12-03 16:30")
    assert reminders.run_reminders(session_factory=session_scope, now=next_day) == 1
    assert reminders.run_reminders(session_factory=session_scope, now=next_day) == 0
    assert _count(session, Notification) == 2


@both_databases
def test_two_schedulers_racing_send_once(db_url, session, make_user):
    users = [make_user() for _ in range(2)]
    for user in users:
        _items(session, user, "2026-12-02")
    now = at("2026-12-02 19:00")
    start = threading.Barrier(3)
    counts: list[int] = []

    def scheduler() -> None:
        start.wait()
        counts.append(reminders.run_reminders(session_factory=session_scope, now=now))

    threads = [threading.Thread(target=scheduler) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(counts) == len(users) and len(counts) == 3
    assert _count(session, ReminderSend) == len(users) == _count(session, Notification)


# --- e-mail and unsubscribing ------------------------------------------------------------------


def test_email_reminder_arrives_by_smtp_and_its_link_unsubscribes(
    db_url,
    session,
    make_user,
    smtp_server,  # noqa: F811 - the imported fixture
    monkeypatch,
):
    monkeypatch.setattr(jobs.huey, "immediate", True)  # the queue runs in-process
    user = make_user("ann@example.com", name="Ann")
    _prefs(session, user, channel="email", local_time="09:00", timezone="Europe/Berlin")
    _items(session, user, "2026-12-02", minutes=15)
    now = at("2026-12-02 08:05")  # 09:05 in Berlin
    sent = reminders.run_reminders(
        session_factory=session_scope, now=now, deliver=jobs.enqueue_delivery
    )
    assert sent == 1 and len(smtp_server.messages) == 1
    envelope, encrypted = smtp_server.messages[0]
    assert encrypted and envelope.rcpt_tos == ["ann@example.com"]
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["Subject"] == "Today: 1 question to practise (15 min)"
    text = mail.get_content()
    assert "Hello Ann" in text and "http://localhost:3000/today" in text
    assert _count(session, OutboxMessage, status="sent") == 1
    assert _count(session, Notification) == 0  # e-mail only: no bell entry

    link = re.search(r"(http\S+/unsubscribe\?token=\S+)", text)[1]
    token = parse_qs(urlparse(link).query)["token"][0]
    assert reminders.unsubscribe(session=session, token=token)
    session.commit()
    assert reminders.prefs_get(session=session, user_id=user.id).channel == "off"
    tomorrow = now + timedelta(days=1)
    assert reminders.run_reminders(session_factory=session_scope, now=tomorrow) == 0
    assert len(smtp_server.messages) == 1


def test_without_smtp_the_email_waits_in_the_outbox(session, make_user):
    user = make_user()
    _prefs(session, user, channel="both")
    _items(session, user, "2026-12-02")
    result = reminders.reminder_send(
        session=session, user_id=user.id, day="2026-12-02", now=at("2026-12-02 19:00")
    )
    session.commit()
    assert result and result.message_ids == ()  # nothing for SMTP to deliver
    msg = session.exec(select(OutboxMessage)).one()
    assert (msg.kind, msg.channel, msg.status) == ("reminder", "outbox", "stored")
    assert "/unsubscribe?token=" in msg.body and not msg.sensitive
    assert _count(session, Notification) == 1


def test_unsubscribe_link_round_trip_is_idempotent(session, make_user):
    user = make_user()
    _prefs(session, user, channel="both")
    link = reminders.unsubscribe_link(user)
    assert link.startswith("http://localhost:3000/unsubscribe?token=")
    token = parse_qs(urlparse(link).query)["token"][0]
    assert reminders.unsubscribe(session=session, token=token, now=at("2026-12-02 10:00"))
    session.commit()
    view = reminders.prefs_get(session=session, user_id=user.id)
    assert (view.channel, view.unsubscribed) == ("inapp", True)  # the bell stays
    assert reminders.unsubscribe(session=session, token=token, now=at("2026-12-09 10:00"))
    session.commit()
    session.expire_all()
    row = session.get(ReminderPrefs, user.id)
    assert row.channel == "inapp" and row.unsubscribed_at == at("2026-12-02 10:00")
    # Choosing e-mail again in settings ends the unsubscribe.
    assert not _prefs(session, user, channel="email").unsubscribed


def test_unsubscribe_for_a_user_without_prefs_turns_email_off_for_good(session, make_user):
    user = make_user()
    token = parse_qs(urlparse(reminders.unsubscribe_link(user)).query)["token"][0]
    assert reminders.unsubscribe(session=session, token=token)
    session.commit()
    view = reminders.prefs_get(session=session, user_id=user.id)
    assert (view.channel, view.unsubscribed) == ("inapp", True)


def test_tampered_or_foreign_unsubscribe_tokens_are_refused(session, make_user):
    victim, attacker = make_user(), make_user()
    _prefs(session, victim, channel="email")
    token = parse_qs(urlparse(reminders.unsubscribe_link(attacker)).query)["token"][0]
    body, mac = token.split(".")
    forged_body = signing._b64(f'{{"exp":9999999999,"uid":{victim.id}}}'.encode())
    flipped = mac[:-2] + ("A" if mac[-2] != "A" else "B") + mac[-1]
    for bad in (
        f"{forged_body}.{mac}",  # someone else's id under the attacker's signature
        f"{body}.{flipped}",
        signing.sign("media", {"uid": victim.id}, ttl_seconds=60),  # another purpose
        signing.sign("unsubscribe", {"uid": victim.id}, ttl_seconds=-10),  # expired
        signing.sign("unsubscribe", {"uid": str(victim.id)}, ttl_seconds=60),
        signing.sign("unsubscribe", {"uid": True}, ttl_seconds=60),
        "",
        None,
        "a.b.c",
        "x" * 5000,
    ):
        assert reminders.unsubscribe(session=session, token=bad) is False
    session.commit()
    assert reminders.prefs_get(session=session, user_id=victim.id).channel == "email"


# --- the bell ------------------------------------------------------------------------------------


def test_bell_counts_lists_and_marks_only_its_owners_notifications(session, make_user):
    ann, bob = make_user(), make_user()
    base = at("2026-12-02 10:00")
    for n in range(3):
        session.add(
            Notification(user_id=ann.id, kind="reminder", title=f"ann {n}", created_at=base
                         + timedelta(minutes=n))
        )  # fmt: skip
    session.add(Notification(user_id=bob.id, kind="reminder", title="bob", created_at=base))
    session.commit()
    assert reminders.unread_count(session=session, user_id=ann.id) == 3
    listed = reminders.notifications_list(session=session, user_id=ann.id, limit=2)
    assert [n.title for n in listed] == ["ann 2", "ann 1"] and not listed[0].read
    bobs = reminders.notifications_list(session=session, user_id=bob.id)
    assert [n.title for n in bobs] == ["bob"]

    # Ann can't mark Bob's notification, whatever she sends.
    assert reminders.mark_read(session=session, user_id=ann.id, ids=[bobs[0].id]) == 0
    assert reminders.mark_read(session=session, user_id=ann.id, ids=["1", None, True, 1.5]) == 0
    with pytest.raises(TypeError):
        reminders.mark_read(session=session, user_id=ann.id, ids="1,2")
    session.commit()
    assert reminders.unread_count(session=session, user_id=bob.id) == 1

    assert reminders.mark_read(session=session, user_id=ann.id, ids=[listed[0].id]) == 1
    assert reminders.mark_read(session=session, user_id=ann.id, ids=[listed[0].id]) == 0
    session.commit()
    assert reminders.unread_count(session=session, user_id=ann.id) == 2
    assert reminders.notifications_list(session=session, user_id=ann.id)[0].read
    assert reminders.mark_read(session=session, user_id=ann.id, ids="all") == 2
    session.commit()
    assert reminders.unread_count(session=session, user_id=ann.id) == 0
    assert reminders.unread_count(session=session, user_id=bob.id) == 1


def test_no_reminders_for_an_interview_that_is_over(session, make_user):
    from prepple.models import Interview

    user = make_user()
    past = Interview(user_id=user.id, starts_at=at("2026-12-01 10:00"), minutes_per_day=20)
    session.add(past)
    session.commit()
    qid = session.exec(select(Question.id).order_by(Question.id)).first()
    session.add(
        PlanItem(user_id=user.id, interview_id=past.id, question_id=qid, due_on="2026-12-01")
    )
    session.commit()
    assert user.id not in _due(session, at("2026-12-02 19:00"))
    assert not reminders.reminder_send(
        session=session, user_id=user.id, day="2026-12-02", now=at("2026-12-02 19:00")
    )
