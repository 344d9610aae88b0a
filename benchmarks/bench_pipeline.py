"""Time from "stop" to results for a practice answer (goal: under 15 s for 2 minutes on 2 cores
with the default model).

The answer is espeak-ng speech with fillers, encoded as browser-style WebM/Opus (with video
when --video). Steps timed, as the app runs them, in a scratch data folder and SQLite file:

1. upload: the browser's 1 MB chunks appended on the server (loopback network cost left out);
2. complete: probe, remux for seeking, store, queue;
3. pickup: a real ``prepple worker`` process taking the job from the SQLite queue (idle poll);
4. processing: transcription (two passes, see transcription.py) and scoring, with the model
   already loaded in the worker, as it is after the first job.

    python benchmarks/bench_pipeline.py [--seconds 120] [--video] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRIPT = (
    "Last year our checkout service kept failing during the big sales, um, and customers "
    "noticed. I was the lead engineer, so I owned the fix. First I added load tests that, uh, "
    "copied real traffic. Then I split the database writes into a queue and I paired with the "
    "support team on alerts. As a result, errors fell by ninety percent and revenue grew by "
    "twelve percent during the next sale. I learned to test for the worst day, not the "
    "average one. "
)


def _answer(folder: Path, seconds: float, video: bool) -> Path:
    from tests.media_files import speak_wav, wav_to_webm

    text = SCRIPT
    wav = speak_wav(text, folder / "probe.wav", speed=150)
    import wave

    with wave.open(str(wav)) as w:
        one = w.getnframes() / w.getframerate()
    repeat = max(1, round(seconds / one))
    wav = speak_wav(SCRIPT * repeat, folder / "answer.wav", speed=150)
    return wav_to_webm(wav, folder / "answer.webm", video=video)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--video", action="store_true")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="prepple-bench-"))
    os.environ.update(
        {
            "PREPPLE_DATA_DIR": str(scratch / "data"),
            "PREPPLE_DATABASE_URL": f"sqlite:///{scratch / 'bench.db'}",
            "PREPPLE_QUEUE_URL": "",
        }
    )
    from sqlmodel import select

    from prepple import jobs
    from prepple.db import session_scope
    from prepple.models import Question, Recording
    from prepple.services import accounts, recordings
    from tests.conftest import migrate_and_seed

    migrate_and_seed(os.environ["PREPPLE_DATABASE_URL"])
    media = _answer(scratch, args.seconds, args.video)
    data = media.read_bytes()
    with session_scope() as s:
        user = accounts.user_register(
            session=s,
            email="bench@example.com",
            password="correct horse battery",  # noqa: S106 - a throwaway bench account
            display_name="Bench",
        )
        uid = user.id
        qid = s.exec(select(Question.id)).first()

    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "prepple.cli", "worker"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    print(
        f"answer: {args.seconds:.0f} s of speech, {'video+audio' if args.video else 'audio'}, "
        f"{len(data) / 1e6:.1f} MB WebM"
    )
    try:
        for run in range(args.runs + 1):  # run 0 warms the worker (model load)
            t0 = time.perf_counter()
            with session_scope() as s:
                rec = recordings.recording_create(
                    session=s, user_id=uid, question_id=qid, mime="video/webm"
                )
                rid = rec.id
            for offset in range(0, len(data), 1024 * 1024):
                with session_scope() as s:
                    recordings.upload_append(
                        session=s,
                        recording_id=rid,
                        user_id=uid,
                        offset=offset,
                        data=data[offset : offset + 1024 * 1024],
                    )
            t1 = time.perf_counter()
            with session_scope() as s:
                recordings.upload_complete(
                    session=s, recording_id=rid, user_id=uid, total=len(data)
                )
            jobs.enqueue_recording(rid)
            t2 = time.perf_counter()
            picked = None
            while True:
                with session_scope() as s:
                    row = s.get(Recording, rid)
                    status = row.status
                if picked is None and status != "queued":
                    picked = time.perf_counter()
                if status in ("done", "failed"):
                    break
                time.sleep(0.05)
            t3 = time.perf_counter()
            label = "warm-up (model load)" if run == 0 else f"run {run}"
            print(
                f"{label:>22}: upload {t1 - t0:5.2f} s | complete {t2 - t1:5.2f} s | "
                f"pickup {picked - t2:5.2f} s | processing {t3 - picked:5.2f} s | "
                f"stop->results {t3 - t0:5.2f} s ({status})"
            )
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
