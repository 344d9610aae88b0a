"""The reminder scheduler: real APScheduler instances sharing one SQLite job store. Only the
lease holder runs the job; a standby takes over when the holder stops or dies; a scheduler that
was down across a reminder's time sends it exactly once when it comes back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, update
from sqlmodel import Session, func, select

from prepple import scheduler as sched
from prepple.db import get_engine
from prepple.models import Notification, PlanItem, Question, ReminderSend, SchedulerLease
from tests.conftest import both_databases

# Seconds, not minutes: the lease is still three renewals long, as in production.
FAST = {"interval_seconds": 0.2, "lease_seconds": 1.2, "renew_seconds": 0.1}


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def ticks(monkeypatch):
    """Replace the job's function (APScheduler resolves it by name on every run) with one that
    records which scheduler ran it (its executor's threads are named after the owner)."""
    seen: list[str] = []

    def tick() -> int:
        seen.append(threading.current_thread().name.removeprefix("reminders-").split("_")[0])
        return 0

    monkeypatch.setattr(sched, "reminders_tick", tick)
    return seen


@pytest.fixture
def started(db_url):
    """Factory for schedulers on the test database, all stopped at the end of the test."""
    made: list[sched.ReminderScheduler] = []

    def _start(owner: str, **options) -> sched.ReminderScheduler:
        scheduler = sched.ReminderScheduler(owner=owner, **(FAST | options))
        made.append(scheduler)
        scheduler.start()
        return scheduler

    yield _start
    for scheduler in made:
        if not scheduler._stopping.is_set():
            scheduler.stop()


def _lease_owner() -> str | None:
    with Session(get_engine()) as session:
        return sched.lease_holder(session=session, name=sched.LEASE_NAME, now=datetime.now(UTC))


@both_databases
def test_the_lease_has_one_holder_until_it_expires_or_is_released(db_url, session):
    t0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

    def take(owner: str, seconds: float) -> bool:
        return sched.lease_acquire(
            session=session, name="test", owner=owner, now=t0 + timedelta(seconds=seconds),
            lease_seconds=45,
        )  # fmt: skip

    assert take("A", 0)  # the first ever: the row is created
    assert not take("B", 1)
    assert take("A", 15)  # renewed until 0:60
    assert not take("B", 50)
    assert take("B", 61)  # A's lease ran out
    assert not take("A", 62)
    holder = sched.lease_holder(session=session, name="test", now=t0 + timedelta(seconds=62))
    assert holder == "B"
    assert not sched.lease_release(session=session, name="test", owner="A", now=t0)
    assert sched.lease_release(
        session=session, name="test", owner="B", now=t0 + timedelta(seconds=70)
    )
    assert sched.lease_holder(session=session, name="test", now=t0 + timedelta(seconds=70)) is None
    assert take("A", 71)  # released: taken at once


def test_only_the_holder_runs_and_a_standby_takes_over(started, ticks):
    a = started("A")
    b = started("B")
    assert a.holding and a.running_jobs
    assert not b.holding and b._scheduler is None  # a standby never starts its APScheduler
    assert _lease_owner() == "A"
    wait_until(lambda: len(ticks) >= 4)
    time.sleep(0.3)  # a window in which B would have fired too if it ran
    assert set(ticks) == {"A"}

    # A dies (its lease is left to run out): B takes over only once the lease has expired.
    died = time.monotonic()
    a.stop(release=False)
    seen = len(ticks)
    wait_until(lambda: b.holding)
    waited = time.monotonic() - died
    assert waited >= FAST["lease_seconds"] - FAST["renew_seconds"] - 0.05
    wait_until(lambda: len(ticks) >= seen + 3)
    assert set(ticks[seen:]) == {"B"} and _lease_owner() == "B"

    # B stops cleanly and releases the lease: the next standby takes over at once.
    c = started("C")
    assert not c.holding
    stopped = time.monotonic()
    b.stop()
    wait_until(lambda: c.holding)
    assert time.monotonic() - stopped < FAST["lease_seconds"] - 0.3
    seen = len(ticks)
    wait_until(lambda: len(ticks) >= seen + 2)
    assert set(ticks[seen:]) == {"C"}


def test_a_holder_that_loses_its_lease_pauses_and_resumes_when_it_is_back(started, ticks, session):
    a = started("A")
    wait_until(lambda: len(ticks) >= 2)
    # Another process took the lease (e.g. this one stalled past its expiry).
    session.exec(
        update(SchedulerLease).values(owner="X", expires_at=datetime.now(UTC) + timedelta(hours=1))
    )
    session.commit()
    wait_until(lambda: a.paused)
    assert not a.holding
    time.sleep(0.3)  # a job already running may finish; none starts after the pause
    paused_at = len(ticks)
    time.sleep(0.5)
    assert len(ticks) == paused_at

    session.exec(update(SchedulerLease).values(expires_at=datetime.now(UTC) - timedelta(1)))
    session.commit()
    wait_until(lambda: a.holding and a.running_jobs)
    wait_until(lambda: len(ticks) > paused_at)


def test_scheduler_down_across_the_due_time_sends_once_when_restarted(
    started, session, make_user, monkeypatch
):
    clock = {"now": datetime(2026, 12, 2, 17, 0, tzinfo=UTC)}  # before the 18:00 default
    runs: list[int] = []
    real_tick = sched.reminders_tick

    def tick() -> int:
        runs.append(1)
        return real_tick()

    monkeypatch.setattr(sched, "clock", lambda: clock["now"])
    monkeypatch.setattr(sched, "reminders_tick", tick)
    user = make_user()
    qid = session.exec(select(Question.id)).first()
    session.add(PlanItem(user_id=user.id, question_id=qid, due_on="2026-12-02", minutes=10))
    session.commit()

    a = started("A")
    wait_until(lambda: len(runs) >= 2)
    a.stop()
    assert _sends(session) == 0
    assert session.exec(text("SELECT count(*) FROM apscheduler_jobs")).one()[0] == 1

    clock["now"] = datetime(2026, 12, 2, 21, 30, tzinfo=UTC)  # 18:00 passed while it was down
    runs.clear()
    started("A2")
    stop_b2 = sched.start_in_background(**FAST)  # a second scheduler on the same store
    try:
        wait_until(lambda: len(runs) >= 4)
    finally:
        stop_b2()
    assert _sends(session) == 1
    note = session.exec(select(Notification)).one()
    assert note.title == "Today: 1 question to practise (10 min)"
    assert session.exec(text("SELECT count(*) FROM apscheduler_jobs")).one()[0] == 1


def _sends(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(ReminderSend)).one()


def test_run_scheduler_holds_the_lease_until_sigterm_then_releases_it(db_url):
    proc = subprocess.Popen(
        [sys.executable, "-c", "from prepple.scheduler import run_scheduler; run_scheduler()"],
        env=os.environ | {"PREPPLE_DATABASE_URL": db_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: _lease_owner() is not None or proc.poll() is not None, timeout=20)
        assert proc.poll() is None, proc.stdout.read()
        assert _lease_owner().split(":")[1] == str(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _lease_owner() is None  # released: a standby takes over at once
    assert "holds the lease; starting" in proc.stdout.read()


def _lock_database(seconds: float) -> threading.Thread:
    """Hold an exclusive lock on the SQLite file for ``seconds`` (longer than the app's busy
    timeout), from another connection, as a long migration or a stuck process would."""
    import sqlite3

    path = str(get_engine().url.database)
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, timeout=1, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    locked.wait(5)
    return thread


def test_a_locked_database_does_not_stop_reminders_for_good(started, ticks):
    """Issue 11: a 25 s lock killed APScheduler's job loop while the lease was still renewed,
    so reminders stopped for good. Now the holder renews only while its loop is alive and
    restarts a dead loop; reminders resume once the database is free."""
    a = started("A")
    wait_until(lambda: len(ticks) >= 2)
    _lock_database(7.0).join()  # beyond the 5 s busy timeout: every query in it fails
    resumed = len(ticks)
    wait_until(lambda: len(ticks) >= resumed + 3, timeout=10)
    assert a.holding and a.running_jobs and a.loop_alive()
    assert _lease_owner() == "A"


def test_a_holder_whose_job_loop_died_restarts_it(started, ticks):
    a = started("A")
    wait_until(lambda: len(ticks) >= 2)
    old = a._scheduler

    def boom(*_args, **_kw):
        raise RuntimeError("database is locked")

    # What a locked database did: an error outside APScheduler's own try/except ended its
    # loop (now the loop survives it, but goes on failing: it is stalled all the same).
    old._jobstores["default"].get_next_run_time = boom
    seen = len(ticks)
    wait_until(lambda: a._scheduler is not old and a.loop_alive(), timeout=5)
    # ... and a loop thread that is simply gone is replaced too.
    newer = a._scheduler
    newer.state = sched.STATE_STOPPED  # what ends APScheduler's loop thread
    newer.wakeup()
    wait_until(lambda: not newer._thread.is_alive(), timeout=5)
    newer.state = sched.STATE_RUNNING  # as a died thread left it: "running"
    wait_until(lambda: a._scheduler is not newer and a.loop_alive(), timeout=5)
    wait_until(lambda: len(ticks) >= seen + 3, timeout=5)
    assert a.holding


def test_a_holder_that_cannot_restart_its_loop_lets_a_standby_take_over(
    started, ticks, monkeypatch
):
    a = started("A")
    b = started("B")
    wait_until(lambda: len(ticks) >= 2)
    assert a.holding and not b.holding

    def broken(*_args, **_kw):
        raise RuntimeError("database is locked")

    # A's loop dies and every attempt to start a new one fails (only in A).
    monkeypatch.setattr(a, "_run_jobs", broken)
    a._scheduler._jobstores["default"].get_next_run_time = broken
    wait_until(lambda: b.holding, timeout=FAST["lease_seconds"] * 4)
    assert not a.holding
    seen = len(ticks)
    wait_until(lambda: len(ticks) >= seen + 3)
    assert set(ticks[seen:]) == {"B"} and _lease_owner() == "B"
