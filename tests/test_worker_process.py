"""The embedded worker's life with its app, with real processes (issue 11): after ``kill -9`` of
the app its worker ends too (it used to stay, orphaned, at 556 MB), and a restarted app never
runs a second worker beside a previous one that is still stopping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prepple import jobs
from prepple.settings import PROJECT_ROOT

APP = "import asyncio; from prepple.prepple import embedded_worker; asyncio.run(embedded_worker())"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


@pytest.fixture
def env(db_url, tmp_path):
    env = dict(os.environ)
    env.update(
        {
            "PREPPLE_DATABASE_URL": db_url,
            "PREPPLE_DATA_DIR": str(tmp_path / "data"),
            "PREPPLE_QUEUE_URL": "",
            "PREPPLE_EMBEDDED_SCHEDULER": "false",
            "PREPPLE_EMBEDDED_WORKER": "true",
        }
    )
    (tmp_path / "data").mkdir(exist_ok=True)
    return env


def _spawn(argv, env, log):
    return subprocess.Popen(  # noqa: S603
        argv, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def _slot_holder(env) -> int:
    try:
        text = (Path(env["PREPPLE_DATA_DIR"]) / "embedded-worker.lock").read_text().strip()
    except FileNotFoundError:
        return 0
    return int(text) if text.isdigit() else 0


def test_the_worker_dies_with_its_app_and_a_restart_never_runs_two(env, tmp_path):
    log = (tmp_path / "procs.log").open("w")
    started: list[subprocess.Popen] = []
    try:
        # An app process starts its worker; kill -9 the app: the worker goes too.
        app = _spawn([sys.executable, "-c", APP], env, log)
        started.append(app)
        _wait(lambda: _children(app.pid), 60, "the app to start its worker")
        (worker,) = _children(app.pid)
        _wait(lambda: _slot_holder(env) == worker, 60, "the worker to take its slot")
        os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=10)
        _wait(lambda: not _alive(worker), 10, "the orphaned worker to end")

        # A worker still running (its app alive: this test) holds the slot; a restarted app's
        # worker waits for it instead of running beside it.
        old = _spawn(jobs.worker_command(os.getpid()), env, log)
        started.append(old)
        _wait(lambda: _slot_holder(env) == old.pid, 60, "the old worker to take the slot")
        app2 = _spawn([sys.executable, "-c", APP], env, log)
        started.append(app2)
        _wait(lambda: _children(app2.pid), 60, "the restarted app to start its worker")
        (new,) = _children(app2.pid)
        log.flush()
        _wait(
            lambda: "still runs; waiting for it to stop" in (tmp_path / "procs.log").read_text(),
            60,
            "the new worker to wait",
        )
        time.sleep(1.0)
        assert _slot_holder(env) == old.pid and _alive(old.pid) and _alive(new)
        old.terminate()
        old.wait(timeout=30)
        _wait(lambda: _slot_holder(env) == new, 30, "the new worker to take over")

        os.kill(app2.pid, signal.SIGKILL)
        app2.wait(timeout=10)
        _wait(lambda: not _alive(new), 10, "the second orphan to end")
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        log.close()
    text = (tmp_path / "procs.log").read_text()
    assert "is gone; the worker stops" in text or "Received SIGTERM" in text, text[-3000:]


# --- kill -9 of the app while it completes an upload ---------------------------------------------

COMPLETE_AND_DIE = """
import os, signal, sys
from prepple.db import session_scope
from prepple.services import recordings, storage

moment = sys.argv[1]
real_put = storage.LocalStorage.put_file

def put_file(self, *args, **kwargs):
    if moment == "before-store":
        os.kill(os.getpid(), signal.SIGKILL)
    size = real_put(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # stored, but the row never hears of it
    return size

storage.LocalStorage.put_file = put_file
with session_scope() as session:
    recordings.upload_complete(
        session=session, recording_id=int(sys.argv[2]), user_id=int(sys.argv[3]),
        total=int(sys.argv[4]),
    )
"""


@pytest.fixture(scope="module")
def answer_webm(tmp_path_factory):
    from tests.media_files import speech_webm

    return speech_webm("I led the migration.", tmp_path_factory.mktemp("kill"))


@pytest.mark.parametrize("moment", ["before-store", "after-store"])
def test_an_app_killed_while_completing_an_upload_loses_nothing(
    session, make_user, answer_webm, moment
):
    """``kill -9`` of the app while it stores an upload (before the file is moved into
    storage, or after it was but before the row says so): the restarted app's first retry
    of the completion finishes it at once, with the very file (no "being stored" for ten
    minutes, no upload stuck or lost)."""
    from sqlmodel import select

    from prepple.models import Question, Recording
    from prepple.services import recordings, storage

    user = make_user("kim@example.com")
    qid = session.exec(select(Question.id)).first()
    rec = recordings.recording_create(
        session=session, user_id=user.id, question_id=qid, mime="audio/webm"
    )
    session.commit()
    data = answer_webm.read_bytes()
    recordings.upload_append(
        session=session, recording_id=rec.id, user_id=user.id, offset=0, data=data
    )
    session.commit()
    died = subprocess.run(  # noqa: S603
        [sys.executable, "-c", COMPLETE_AND_DIE, moment, str(rec.id), str(user.id), str(len(data))],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.status == "storing" and row.media_key
    staged = recordings.staging_path(rec.id)
    store = storage.get_storage()
    assert staged.exists() == (moment == "before-store")
    assert store.exists(row.media_key) == (moment == "after-store")

    # The browser still holds its copy and asks again; the app that answers is a new process.
    done = recordings.upload_complete(
        session=session, recording_id=rec.id, user_id=user.id, total=len(data)
    )
    session.commit()
    assert done.status == "queued", done.failure_reason
    assert done.media_key == row.media_key and done.lease_owner == ""
    stored = store.local_path(done.media_key)
    assert done.size_bytes == stored.stat().st_size > 0
    # The very answer (browser WebM is remuxed to be seekable, so compare what it holds).
    from prepple.services import media

    assert abs(media.probe(stored).duration - media.probe(answer_webm).duration) < 0.1
    assert abs(done.duration_seconds - media.probe(answer_webm).duration) < 0.1
    assert not staged.exists()
