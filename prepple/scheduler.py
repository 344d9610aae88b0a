"""The reminder scheduler: APScheduler 3 with its job in Prepple's database, one holder at a time.

One interval job (every minute) sends every reminder that is due (``reminders.run_reminders``)
and queues their e-mails for SMTP on the job queue (``jobs.enqueue_delivery``). The job lives in
APScheduler's ``SQLAlchemyJobStore`` in the app's own database (table ``apscheduler_jobs``,
created by APScheduler), so a restarted scheduler finds it again.

Two APScheduler instances on one job store both fire the same job (APScheduler 3 has no locking
between schedulers). So a process must hold the lease row ``scheduler_leases["reminders"]`` to
run its scheduler: an atomic ``UPDATE .. WHERE expires_at < now OR owner = me`` takes or renews
it every ``RENEW_SECONDS``; a process that fails to renew pauses its scheduler, and one that
takes the lease over starts (or resumes) its own and runs the job at once, which catches up
whatever came due while no scheduler ran. A clean stop releases the lease, so a standby takes
over within one renewal; after a crash it takes over once the lease expires.

Holding the lease is not enough: the holder must prove its job loop is alive. APScheduler's
loop thread dies on an error outside its own ``try`` (``jobstore.update_job`` when the
database is locked past its busy timeout), and its state still says "running". So each lease
round first checks the loop (:meth:`ReminderScheduler.loop_alive`: the thread runs and it
submitted the job, or skipped it as still running, within ``interval + lease`` seconds) and
replaces a dead or stuck loop with a new APScheduler; a holder that can't start one gives the
lease up, so a standby takes over.

The lease only keeps the work single; it is not what makes reminders exactly-once. In the
moments when two holders could overlap (a stalled process whose lease ran out, clocks that
disagree), the ``reminder_sends`` unique key still lets each reminder go out only once.

Run it as ``prepple scheduler`` (:func:`run_scheduler`) or inside the worker process
(:func:`start_in_background`).
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING, STATE_STOPPED
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from prepple.db import insert_ignore, make_engine, session_scope
from prepple.models import SchedulerLease, utcnow
from prepple.services import reminders
from prepple.settings import get_settings

logger = logging.getLogger("prepple.scheduler")

LEASE_NAME = "reminders"
JOB_ID = "prepple-reminders"
#: The job as APScheduler stores it (a textual reference, resolved each time the job runs).
JOB_FUNC = "prepple.scheduler:reminders_tick"
INTERVAL_SECONDS = 60.0
LEASE_SECONDS = 45.0
RENEW_SECONDS = 15.0
#: A run that comes late (the process was suspended, the database was slow) still runs.
MISFIRE_GRACE_SECONDS = 6 * 3600

#: The time the job passes to ``run_reminders`` (tests substitute a controlled clock).
clock: Callable[[], datetime] = utcnow


def reminders_tick() -> int:
    """The scheduled job: send the reminders due now and queue their e-mails; returns how many
    reminders were sent."""
    from prepple import jobs  # the queue is only needed once there is e-mail to deliver

    return reminders.run_reminders(
        session_factory=session_scope, now=clock(), deliver=jobs.enqueue_delivery
    )


# --- the lease -----------------------------------------------------------------------------------


def lease_acquire(
    *, session: Session, name: str, owner: str, now: datetime, lease_seconds: float
) -> bool:
    """Take or renew the lease ``name`` for ``owner`` until ``now + lease_seconds``; returns
    whether ``owner`` holds it. Atomic: of two processes racing, one wins. Commits."""
    until = now + timedelta(seconds=lease_seconds)
    result = session.exec(
        update(SchedulerLease)
        .where(
            col(SchedulerLease.name) == name,
            or_(col(SchedulerLease.expires_at) < now, col(SchedulerLease.owner) == owner),
        )
        .values(owner=owner, expires_at=until)
    )
    taken = result.rowcount == 1
    if not taken:
        # No row yet (the first scheduler ever), or someone else holds it.
        taken = insert_ignore(session, SchedulerLease, name=name, owner=owner, expires_at=until)
    session.commit()
    return taken


def lease_release(*, session: Session, name: str, owner: str, now: datetime) -> bool:
    """Give the lease up (if ``owner`` holds it) so a standby takes over at once. Commits."""
    result = session.exec(
        update(SchedulerLease)
        .where(col(SchedulerLease.name) == name, col(SchedulerLease.owner) == owner)
        .values(owner="", expires_at=now - timedelta(seconds=1))
    )
    session.commit()
    return result.rowcount == 1


def lease_holder(*, session: Session, name: str, now: datetime) -> str | None:
    """Who holds the lease ``name`` now (``None`` when nobody does)."""
    row = session.get(SchedulerLease, name, populate_existing=True)
    if row is None or not row.owner or row.expires_at < now:
        return None
    return row.owner


# --- the scheduler -------------------------------------------------------------------------------


class _SturdyScheduler(BackgroundScheduler):
    """APScheduler whose loop survives a failing job store: APScheduler 3 guards only
    ``get_due_jobs``; an error in ``update_job`` or ``get_next_run_time`` (a locked or
    unreachable database) ended its thread for good. Here the round is tried again later."""

    def _process_jobs(self) -> float | None:
        try:
            return super()._process_jobs()
        except Exception as exc:  # noqa: BLE001 - logged; the next round tries again
            logger.warning("reminder job store failed (%s); trying again shortly", exc)
            return float(self.jobstore_retry_interval)


class ReminderScheduler:
    """An APScheduler that runs the reminder job only while this process holds the lease.

    Args:
        database_url: The database of the job store and the lease (default, and normally:
            the app's; the job itself always uses the app's database).
        interval_seconds: How often the job runs (tests shorten it).
        lease_seconds: How long a lease lasts without renewal (how long a crashed holder
            blocks a standby).
        renew_seconds: How often the lease is renewed, or tried for by a standby; well under
            ``lease_seconds``.
        owner: This scheduler's name in the lease row (default: host, pid and a random tag).
    """

    def __init__(
        self,
        *,
        database_url: str | None = None,
        interval_seconds: float = INTERVAL_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS,
        owner: str | None = None,
    ) -> None:
        if renew_seconds >= lease_seconds:
            raise ValueError("renew_seconds must be shorter than lease_seconds")
        self.database_url = database_url or get_settings().database_url
        self.interval_seconds = interval_seconds
        self.lease_seconds = lease_seconds
        self.renew_seconds = renew_seconds
        self.owner = owner or f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"
        self.holding = False
        self._engine: Engine = make_engine(self.database_url)
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        #: When the job loop last showed life (monotonic seconds).
        self._loop_seen = time.monotonic()

    @property
    def running_jobs(self) -> bool:
        """Whether this process's APScheduler is running (not paused, not stopped)."""
        return self._scheduler is not None and self._scheduler.state == STATE_RUNNING

    def start(self) -> None:
        """Try for the lease now, then keep renewing (or trying) in a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("this scheduler was already started")
        self.check_lease()
        self._thread = threading.Thread(
            target=self._renew_loop, daemon=True, name=f"scheduler-lease-{self.owner}"
        )
        self._thread.start()

    def stop(self, *, release: bool = True) -> None:
        """Stop the scheduler (waiting for a running job) and release the lease.

        ``release=False`` leaves the lease to expire, as a crashed process would."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._scheduler is not None and self._scheduler.state != STATE_STOPPED:
                self._scheduler.shutdown(wait=True)
            if release and self.holding:
                try:
                    with Session(self._engine) as session:
                        lease_release(
                            session=session, name=LEASE_NAME, owner=self.owner, now=utcnow()
                        )
                except Exception:  # noqa: BLE001 - the lease then simply expires
                    logger.exception("releasing the scheduler lease failed")
            self.holding = False
        self._engine.dispose()

    def loop_alive(self) -> bool:
        """Whether the APScheduler's job loop is alive: its thread runs and, while running,
        it submitted (or skipped as still running) the job within ``interval + lease``
        seconds. A paused scheduler's loop only has to be running."""
        scheduler = self._scheduler
        if scheduler is None or scheduler.state == STATE_STOPPED:
            return False
        thread = getattr(scheduler, "_thread", None)
        if thread is None or not thread.is_alive():
            return False
        if scheduler.state == STATE_PAUSED:
            return True
        return time.monotonic() - self._loop_seen < self.interval_seconds + self.lease_seconds

    def _saw_loop(self, _event: JobEvent) -> None:
        self._loop_seen = time.monotonic()

    def _drop_dead_loop(self) -> None:
        """Throw away an APScheduler whose loop died or is stuck (called under the lock)."""
        if self._scheduler is None or self.loop_alive():
            return
        logger.error(
            "scheduler %s: the reminder job loop died or stalled; restarting it", self.owner
        )
        dead, self._scheduler = self._scheduler, None
        try:
            dead.shutdown(wait=False)  # a stuck thread exits when its call returns
        except Exception:  # noqa: BLE001 - it is being discarded either way
            logger.warning("scheduler %s: shutting the dead loop down failed", self.owner)

    def check_lease(self) -> bool:
        """Check the job loop (replacing a dead one), then renew or take the lease once and
        start, resume or pause the jobs to match. A holder whose loop can't be started
        gives the lease up."""
        with self._lock:
            if not self._stopping.is_set():
                self._drop_dead_loop()
        try:
            with Session(self._engine) as session:
                held = lease_acquire(
                    session=session,
                    name=LEASE_NAME,
                    owner=self.owner,
                    now=utcnow(),
                    lease_seconds=self.lease_seconds,
                )
        except Exception:  # noqa: BLE001 - can't tell whether we hold it: assume not
            logger.exception("renewing the scheduler lease failed")
            held = False
        with self._lock:
            self.holding = held  # before the stop check, so that stop() releases it
            if self._stopping.is_set():
                return held
            if held and not self.running_jobs:
                try:
                    self._run_jobs()
                except Exception:  # noqa: BLE001 - no loop: don't keep a lease we can't serve
                    logger.exception("scheduler %s: can't start the job loop", self.owner)
                    self._give_up_lease()
                    return False
            elif not held and self.running_jobs:
                logger.warning("scheduler %s lost the lease; pausing", self.owner)
                self._scheduler.pause()
        return held

    def _give_up_lease(self) -> None:
        """Release the lease (under the lock) so a standby takes over; if even that fails,
        it expires, as this process no longer renews it."""
        self.holding = False
        try:
            with Session(self._engine) as session:
                lease_release(session=session, name=LEASE_NAME, owner=self.owner, now=utcnow())
        except Exception:  # noqa: BLE001 - it then expires
            logger.warning("scheduler %s: releasing the lease failed; it will expire", self.owner)

    def _renew_loop(self) -> None:
        while not self._stopping.wait(self.renew_seconds):
            try:
                self.check_lease()
            except Exception:  # noqa: BLE001 - keep renewing; the next round tries again
                logger.exception("scheduler %s: lease round failed", self.owner)

    def _run_jobs(self) -> None:
        if self._scheduler is not None:
            logger.info("scheduler %s holds the lease again; resuming", self.owner)
            self._loop_seen = time.monotonic()
            self._scheduler.resume()
            return
        logger.info("scheduler %s holds the lease; starting", self.owner)
        scheduler = _SturdyScheduler(
            jobstore_retry_interval=min(10.0, self.interval_seconds),
            jobstores={"default": SQLAlchemyJobStore(engine=self._engine)},
            executors={
                "default": ThreadPoolExecutor(
                    1, pool_kwargs={"thread_name_prefix": f"reminders-{self.owner}"}
                )
            },
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
            timezone=UTC,
        )
        scheduler.add_listener(
            self._saw_loop, EVENT_JOB_SUBMITTED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED
        )
        scheduler.start(paused=True)
        try:
            self._add_job(scheduler)
        except Exception:
            scheduler.shutdown(wait=False)  # not left running half set up; the next round retries
            raise
        self._loop_seen = time.monotonic()
        scheduler.resume()
        self._scheduler = scheduler

    def _add_job(self, scheduler: BackgroundScheduler) -> None:
        # Replacing the stored job resets its interval to ours and runs it at once: whatever
        # came due while no scheduler ran goes out now, not a minute later.
        scheduler.add_job(
            JOB_FUNC,
            IntervalTrigger(seconds=self.interval_seconds, timezone=UTC),
            id=JOB_ID,
            name="send due reminders",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )

    @property
    def paused(self) -> bool:
        """Whether this process's APScheduler exists but is paused (it lost the lease)."""
        return self._scheduler is not None and self._scheduler.state == STATE_PAUSED


def start_in_background(
    *,
    database_url: str | None = None,
    interval_seconds: float = INTERVAL_SECONDS,
    lease_seconds: float = LEASE_SECONDS,
    renew_seconds: float = RENEW_SECONDS,
) -> Callable[[], None]:
    """Start a :class:`ReminderScheduler` in this process (e.g. the worker) without blocking;
    returns the function that stops it and releases the lease."""
    scheduler = ReminderScheduler(
        database_url=database_url,
        interval_seconds=interval_seconds,
        lease_seconds=lease_seconds,
        renew_seconds=renew_seconds,
    )
    scheduler.start()
    return scheduler.stop


def run_scheduler() -> None:
    """Run the reminder scheduler until SIGINT or SIGTERM (``prepple scheduler``)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    scheduler = ReminderScheduler(interval_seconds=get_settings().reminder_interval_seconds)
    scheduler.start()
    logger.info("reminder scheduler %s started (lease: %s)", scheduler.owner, scheduler.holding)
    try:
        while not done.wait(1.0):
            pass
    finally:
        scheduler.stop()
