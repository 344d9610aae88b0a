"""How fast a published video resume opens for someone without an account.

Starts the production build (as the browser tests do) on a fresh database with a published
three-answer resume, then opens ``/r/<slug>`` in headless Chromium, each time in a new browser
context (no cache, no cookies: a stranger following a link), and times:
- the HTML shell (DOMContentLoaded),
- the resume readable: title, introduction and the answers' questions and transcripts on screen,
- the first answer's video ready to play (its metadata loaded through the media route).
Then the same page again in a warm context. Prints p50/p95 in milliseconds.

    python benchmarks/bench_public_resume.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlmodel import Session, select

from prepple.db import make_engine
from prepple.models import Question, Recording
from prepple.services import accounts, resumes
from prepple.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))  # the test helpers start the app the same way
from tests.conftest import migrate_and_seed  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port, _wait_ready  # noqa: E402
from tests.media_files import speech_webm  # noqa: E402

SAID = (
    "I led the billing migration for two hundred thousand customers. We finished two weeks "
    "early and cut processing costs by ten percent."
)


def arrange(db_url: str, data: Path) -> str:
    """A user with three finished recordings in a published resume; returns its slug."""
    media = speech_webm(SAID, data / "media", video=True)
    store = data / "recordings" / "bench"
    store.mkdir(parents=True, exist_ok=True)
    shutil.copy(media, store / "answer.webm")
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        user = accounts.user_register(
            session=session,
            email="bench-resume@example.com",
            password="correct horse battery",  # noqa: S106 - a throwaway bench account
            display_name="Bench",
        )
        qids = session.exec(select(Question.id).order_by(Question.id).limit(3)).all()
        ids = []
        for qid in qids:
            rec = Recording(
                user_id=user.id,
                question_id=qid,
                status="done",
                mime="video/webm",
                media_key="bench/answer.webm",
                has_video=True,
                duration_seconds=9.0,
                transcript_json=json.dumps({"text": SAID}),
            )
            session.add(rec)
            session.flush()
            ids.append(rec.id)
        resume = resumes.resume_create(session=session, owner_id=user.id, title="Bench Person")
        resumes.resume_update(
            session=session,
            owner_id=user.id,
            resume_id=resume.id,
            title="Bench Person",
            intro="Eight years shipping payments products.",
        )
        resumes.resume_set_items(
            session=session, owner_id=user.id, resume_id=resume.id, recording_ids=ids
        )
        resumes.resume_publish(session=session, owner_id=user.id, resume_id=resume.id, publish=True)
        session.commit()
        slug = resume.slug
    engine.dispose()
    return slug


def _open(page, url: str) -> tuple[float, float, float]:
    start = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    shell = time.perf_counter()
    page.wait_for_function(
        "() => { const r = document.getElementById('public-resume');"
        " return r && r.querySelectorAll('.resume-answer').length === 3"
        " && r.textContent.includes('billing migration'); }",
        timeout=30_000,
    )
    readable = time.perf_counter()
    page.wait_for_function(
        "() => { const v = document.querySelector('#public-resume video');"
        " return v && v.readyState >= 1; }",
        timeout=30_000,
    )
    video = time.perf_counter()
    return (shell - start) * 1000, (readable - start) * 1000, (video - start) * 1000


def _summary(label: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"{label:40} {statistics.median(samples):8.0f} {p95:8.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        (data / "media").mkdir()
        db_url = f"sqlite:///{data / 'prepple.db'}"
        migrate_and_seed(db_url)
        slug = arrange(db_url, data)
        port = _free_port()
        url = f"http://localhost:{port}"
        env = dict(os.environ)
        env.update(
            {
                "PREPPLE_DATABASE_URL": db_url,
                "PREPPLE_DATA_DIR": str(data),
                "PREPPLE_ENVIRONMENT": "test",
                "PREPPLE_FRONTEND_PORT": str(port),
                "PREPPLE_BACKEND_PORT": str(port),
                "PREPPLE_BASE_URL": url,
                "PREPPLE_API_URL": url,
                "PREPPLE_REDIS_URL": "",
                "PREPPLE_QUEUE_URL": "",
            }
        )
        log = data / "app.log"
        with log.open("w") as out:
            proc = subprocess.Popen(  # noqa: S603
                ["reflex", "run", "--env", "prod", "--loglevel", "warning"],  # noqa: S607
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            started = time.monotonic()
            _wait_ready(url, proc, log)
            print(f"app built and serving in {time.monotonic() - started:.0f} s")
            cold: list[tuple[float, float, float]] = []
            warm: list[tuple[float, float, float]] = []
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                _open(browser.new_page(), f"{url}/r/{slug}")  # the server's first visit
                for _ in range(args.runs):
                    context = browser.new_context()
                    page = context.new_page()
                    cold.append(_open(page, f"{url}/r/{slug}"))
                    warm.append(_open(page, f"{url}/r/{slug}"))
                    context.close()
                browser.close()
            print(f"{'/r/<slug>, logged out (ms)':40} {'p50':>8} {'p95':>8}")
            for name, rows in (("new visitor", cold), ("same visitor again", warm)):
                print(_summary(f"{name}: HTML shell", [r[0] for r in rows]))
                print(_summary(f"{name}: resume readable", [r[1] for r in rows]))
                print(_summary(f"{name}: first video ready", [r[2] for r in rows]))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
