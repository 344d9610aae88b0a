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
