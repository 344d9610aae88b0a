"""Background work on huey: processing practice recordings, sending e-mail, housekeeping.

Embedded default: ``SqliteHuey`` in ``data/queue.db`` and one ``prepple worker`` process that
the app starts and restarts beside itself (``prepple.prepple.embedded_worker``). Scaled out:
``PREPPLE_QUEUE_URL=redis://...`` (``RedisHuey``), ``PREPPLE_EMBEDDED_WORKER=false`` and as many
``prepple worker`` processes on other machines as the load needs.

Huey removes a message from the queue when a worker takes it, so a worker killed mid-job would
lose that message. The job's truth is therefore the recording row, not the message: each run
takes a lease on the row (``recordings.recording_claim``) and renews it while it works, and a
periodic sweep (also run when a worker starts) queues again every recording whose message was
lost or whose worker's lease ran out or whose worker died. A second message for the same
recording is harmless: only one run can hold the lease.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey

from prepple.db import session_scope
from prepple.models import Question, Recording
from prepple.services import accounts, notifications, recordings, resumes
from prepple.settings import get_settings

logger = logging.getLogger("prepple.jobs")

MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = recordings.HEARTBEAT_SECONDS
PROGRESS_EVERY_SECONDS = 0.5


def make_huey() -> Huey:
    """The queue the settings ask for: Redis when ``queue_url`` is a Redis URL, else SQLite."""
    settings = get_settings()
    url = settings.queue_url
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("prepple", url=url, results=False)
    filename = url.removeprefix("sqlite:///") if url else str(settings.data_dir / "queue.db")
    return SqliteHuey("prepple", filename=filename, results=False)


huey = make_huey()


class _Heartbeat:
    """Renews a recording's lease in the background while a job runs; remembers progress."""

    def __init__(self, recording_id: int, owner: str) -> None:
        self.recording_id = recording_id
        self.owner = owner
        self.lost = False
        self._stop = threading.Event()
        self._last_progress = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True, name="lease-heartbeat")

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease has slack
                logger.exception("lease heartbeat for recording %s failed", self.recording_id)

    def beat(self, *, status: str | None = None, progress: float | None = None) -> None:
        """Renew the lease now (and set status/progress); notes when the lease was lost."""
        with session_scope() as session:
            kept = recordings.recording_heartbeat(
                session=session,
                recording_id=self.recording_id,
                owner=self.owner,
                status=status,
                progress=progress,
            )
        if not kept:
            self.lost = True

    def progress(self, fraction: float) -> None:
        """Record transcription progress, at most twice a second."""
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_SECONDS or fraction >= 1.0:
            self._last_progress = now
            self.beat(progress=fraction)


@contextlib.contextmanager
def _media_file(rec: Recording) -> Iterator[Path]:
    """A local path to the recording's media (downloaded to a temp file from S3)."""
    from prepple.services import storage

    store = storage.get_storage()
    local = store.local_path(rec.media_key)
    if local is not None:
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="prepple-media-") as folder:
        path = Path(folder) / Path(rec.media_key).name
        store.download_to(rec.media_key, path)
        yield path


def process_recording(recording_id: int, *, owner: str | None = None) -> str:
    """Transcribe and score one recording. Returns ``done``, ``failed``, ``skipped`` (someone
    else holds it, or it isn't waiting) or ``lost`` (the lease went to another worker).

    Errors in the media itself fail the recording with a reason users can read; anything else
    is retried (``MAX_ATTEMPTS`` runs in all) before the recording is marked failed. The
    media is never deleted here."""
    from prepple.services import delivery, media, transcription

    owner = owner or recordings.worker_identity()
    with session_scope() as session:
        rec = recordings.recording_claim(session=session, recording_id=recording_id, owner=owner)
        if rec is None:
            return "skipped"
        session.expunge(rec)
        # A worker that crashed on this recording (killed, out of memory) never reached the
        # retry count below; stop after MAX_ATTEMPTS runs instead of crashing forever.
        give_up = ""
        if rec.attempts > MAX_ATTEMPTS:
            give_up = (
                "We couldn't process this recording after several tries. It is kept safe; "
                "play it back, or record the answer again."
            )
        elif recordings.too_long(rec):
            give_up = recordings.too_long_message()
        if give_up:
            recordings.recording_fail(
                session=session, recording_id=recording_id, reason=give_up, owner=owner
            )
            return "failed"
    with _Heartbeat(recording_id, owner) as beat:
        try:
            with _media_file(rec) as path:
                transcript = transcription.transcribe(path, progress=beat.progress)
            if beat.lost:
                return "lost"
            beat.beat(status="scoring", progress=1.0)
            plan = json.loads(rec.plan_json or "{}")
            with session_scope() as session:
                question = session.get(Question, rec.question_id)
                question_text = question.text if question else ""
            report = delivery.delivery_score(
                transcript,
                framework=plan.get("framework", "STAR"),
                plan_script=plan.get("script", ""),
                plan_bullets=plan.get("bullets", ""),
                question=question_text,
            )
            with session_scope() as session:
                finished = recordings.recording_finish(
                    session=session,
                    recording_id=recording_id,
                    owner=owner,
                    transcript=transcript.to_dict(),
                    report=report.to_dict(),
                    overall=report.overall,
                )
            return "done" if finished else "lost"
        except media.MediaError as exc:
            with session_scope() as session:
                recordings.recording_fail(
                    session=session, recording_id=recording_id, reason=exc.user_message, owner=owner
                )
            return "failed"
        except Exception:
            ref = secrets.token_hex(4)
            logger.exception("processing recording %s failed (ref %s)", recording_id, ref)
            with session_scope() as session:
                if rec.attempts >= MAX_ATTEMPTS:
                    recordings.recording_fail(
                        session=session,
                        recording_id=recording_id,
                        owner=owner,
                        reason=(
                            "We couldn't process this recording (ref "
                            f"{ref}). It is kept safe: try again in a while."
                        ),
                    )
                    return "failed"
                recordings.recording_release(
                    session=session, recording_id=recording_id, owner=owner
                )
            raise


def process_next(hint_id: int) -> str:
    """Process the recording whose turn it is (:func:`recordings.recordings_fair_order`:
    round-robin by user), falling back to ``hint_id`` (the message's own recording, which
    may be a stale job the fair list doesn't show). Every queued recording has one message,
    so each message processing one recording, in fair order, processes them all."""
    with session_scope() as session:
        order = recordings.recordings_fair_order(session=session, limit=10)
    for rid in dict.fromkeys([*order, hint_id]):
        result = process_recording(rid)
        if result != "skipped":
            return result
    return "skipped"


@huey.task(retries=MAX_ATTEMPTS - 1, retry_delay=5)
def process_recording_task(recording_id: int) -> str:
    """The queued form of :func:`process_next` (so queued jobs run in fair order, whichever
    message arrives first)."""
    return process_next(recording_id)


def enqueue_recording(recording_id: int) -> None:
    """Queue a recording for processing (call after the row's commit)."""
    process_recording_task(recording_id)


def requeue_stale() -> list[int]:
    """Queue again every recording whose job was lost (see the module docstring)."""
    with session_scope() as session:
        stale = recordings.recordings_stale(session=session)
    for rid in stale:
        logger.info("queueing recording %s again (its job was lost)", rid)
        process_recording_task(rid)
    return stale


@huey.periodic_task(crontab(minute="*"))
def sweep_stale() -> None:
    """Every minute: pick up jobs lost by crashed workers."""
    requeue_stale()


@huey.task()
def deliver_message_task(message_id: int) -> bool:
    """Send one outbox message by SMTP (a failure stays on the row for the hourly retry)."""
    with session_scope() as session:
        return notifications.deliver_one(session=session, message_id=message_id)


def enqueue_delivery(message_id: int) -> None:
    """Queue an e-mail for delivery (call after the outbox row's commit)."""
    deliver_message_task(message_id)


@huey.task()
def password_reset_task(email: str) -> None:
    """Send a reset link if the address has an account (nothing otherwise)."""
    with session_scope() as session:
        message_id = accounts.password_reset_request(session=session, email=email)
    if message_id is not None:
        with session_scope() as session:
            notifications.deliver_one(session=session, message_id=message_id)


def enqueue_password_reset(email: str) -> None:
    """Queue a forgot-password request: the form's answer then costs the same whether or not
    the account exists (the lookup and the e-mail happen here, off the request path)."""
    password_reset_task(email)


def maintain() -> None:
    """Housekeeping: prune expired sessions, tokens, abandoned uploads, unusable media past
    its keeping time and old resume view marks; retry e-mail."""
    with session_scope() as session:
        accounts.prune_expired(session=session)
    with session_scope() as session:
        recordings.recordings_prune(session=session)
    with session_scope() as session:
        resumes.resume_view_marks_prune(session=session)
    with session_scope() as session:
        notifications.deliver_pending(session=session)


@huey.periodic_task(crontab(minute="7"))
def maintenance_task() -> None:
    """Hourly, on whichever worker runs the periodic schedule."""
    maintain()


_started = threading.Event()


@huey.on_startup()
def _on_worker_start() -> None:
    # A restarted worker picks up what its predecessor was doing at once, not a minute later.
    # (Huey runs start-up hooks in every worker thread; one sweep per process is enough.)
    if _started.is_set():
        return
    _started.set()
    try:
        requeue_stale()
    except Exception:  # noqa: BLE001 - the periodic sweep tries again
        logger.exception("start-up sweep failed")


PR_SET_PDEATHSIG = 1
PARENT_CHECK_SECONDS = 1.0


def worker_command(parent_pid: int) -> list[str]:
    """The command line of the embedded worker the app process ``parent_pid`` starts."""
    return [sys.executable, "-m", "prepple.cli", "worker", "--parent-pid", str(parent_pid)]


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (the app that started it) ends, even by
    ``kill -9``: the kernel sends SIGTERM on the parent's death (Linux ``PR_SET_PDEATHSIG``),
    and a watcher thread checks the parent pid every second (other systems, and a parent
    that died before the ``prctl``)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watcher does it
        pass
    if os.getppid() != parent_pid:
        logger.warning("the app (pid %s) is already gone; the worker stops", parent_pid)
        raise SystemExit(0)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        logger.warning("the app (pid %s) is gone; the worker stops", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def hold_embedded_slot() -> object:
    """Take the one embedded-worker slot of this data folder (an exclusive lock held for the
    process's life), waiting while a previous embedded worker is still stopping, so a
    restarted app never runs two. Returns the open lock file (keep it referenced)."""
    path = get_settings().data_dir / "embedded-worker.lock"
    lock = path.open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        logger.warning(
            "another embedded worker (pid %s) still runs; waiting for it to stop",
            lock.read().strip() or "?",
        )
        fcntl.flock(lock, fcntl.LOCK_EX)
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def run_worker(threads: int | None = None, *, parent_pid: int = 0) -> None:
    """Run a huey consumer in this process until it is told to stop (``prepple worker``).

    ``parent_pid``: the app that started this worker (the embedded default). The worker then
    ends with it, and waits for any previous embedded worker to end before it starts."""
    from huey.consumer import Consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from prepple import scheduler

    slot = None
    if parent_pid:
        die_with_parent(parent_pid)
        slot = hold_embedded_slot()
        logger.info("embedded worker %s of app %s started", os.getpid(), parent_pid)

    # An idle SQLite consumer polls; huey's default backs off to 10 s between polls, which a
    # user waiting for results would feel. Half a second costs one indexed query.
    consumer = Consumer(
        huey,
        workers=threads or get_settings().worker_threads,
        worker_type="thread",
        periodic=True,
        max_delay=0.5,
    )
    # Reminders: the embedded default runs the scheduler here (a lease in the database makes
    # sure only one process on this database fires jobs; `prepple scheduler` when scaled out).
    settings = get_settings()
    stop = (
        scheduler.start_in_background(interval_seconds=settings.reminder_interval_seconds)
        if settings.embedded_scheduler
        else None
    )
    try:
        consumer.run()
    finally:
        if stop is not None:
            stop()
        if slot is not None:
            slot.close()
