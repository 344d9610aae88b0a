"""The recording pipeline and its worker: real transcription (tiny.en), real scoring, real huey
worker processes. A worker killed mid-transcription loses no job."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlmodel import select

from prepple import jobs
from prepple.models import Question, Recording
from prepple.services import recordings, storage, transcription
from prepple.settings import PROJECT_ROOT
from tests.media_files import speak_wav, speech_webm, wav_to_webm

ANSWER = (
    "Last year our checkout service kept failing during sales. I was the lead engineer, so I "
    "owned the fix. I added load tests, um, and I split the database writes into a queue. "
    "As a result, errors fell by ninety percent and revenue grew during the next sale."
)


@pytest.fixture(scope="module")
def answer_webm(tmp_path_factory):
    return speech_webm(ANSWER, tmp_path_factory.mktemp("jobs"), video=False)


def test_process_transcribes_scores_and_stores_the_results(
    session, make_user, answer_webm, make_recording
):
    rec = make_recording(make_user(), answer_webm)
    assert jobs.process_recording(rec.id) == "done"
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.status == "done" and row.progress == 1.0 and row.lease_owner == ""
    view = recordings.recording_view(session=session, recording_id=rec.id, user_id=rec.user_id)
    text = view.transcript["text"].lower()
    assert "checkout" in text and "queue" in text
    assert view.report["pace"]["wpm"] > 60
    assert row.overall == view.report["overall"]
    # Another run of the same job (a duplicate message) does nothing.
    assert jobs.process_recording(rec.id) == "skipped"


def test_silence_finishes_with_no_speech(session, make_user, tmp_path, make_recording):
    silent = wav_to_webm(_silence(tmp_path / "quiet.wav"), tmp_path / "quiet.webm")
    rec = make_recording(make_user(), silent)
    assert jobs.process_recording(rec.id) == "done"
    session.expire_all()
    view = recordings.recording_view(session=session, recording_id=rec.id, user_id=rec.user_id)
    assert view.report["no_speech"] is True and view.transcript["words"] == []


def _silence(path):
    from tests.media_files import silence_wav

    return silence_wav(path, seconds=4)


def test_media_that_breaks_in_storage_fails_with_a_reason_and_is_kept(
    session, make_user, answer_webm, make_recording
):
    rec = make_recording(make_user(), answer_webm)
    path = storage.get_storage().local_path(rec.media_key)
    path.write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 64)  # a WebM header and nothing else
    assert jobs.process_recording(rec.id) == "failed"
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.status == "failed" and row.failure_reason
    assert path.exists(), "the media is never deleted by a failed job"


def test_unexpected_errors_are_retried_then_fail_kept_safe(
    session, make_user, answer_webm, monkeypatch, make_recording
):
    rec = make_recording(make_user(), answer_webm)

    def broken(*args, **kwargs):
        raise RuntimeError("model crashed")

    monkeypatch.setattr(transcription, "transcribe", broken)
    for attempt in range(1, jobs.MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            jobs.process_recording(rec.id)
        session.expire_all()
        row = session.get(Recording, rec.id)
        assert row.status == "queued" and row.attempts == attempt  # handed back for a retry
    assert jobs.process_recording(rec.id) == "failed"
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.status == "failed" and "kept safe" in row.failure_reason


def _worker_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PREPPLE_DATABASE_URL"] = db_url
    env["PREPPLE_QUEUE_URL"] = ""
    return env


def _start_worker(env, log):
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "prepple.cli", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(session, rid, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.expire_all()
        row = session.get(Recording, rid)
        if predicate(row):
            return row
        time.sleep(0.2)
    raise AssertionError(f"timed out; recording is {row.status} at {row.progress:.2f}")


def test_a_worker_killed_mid_transcription_loses_no_job(
    session, make_user, db_url, tmp_path, make_recording
):
    # A long answer (about 2 minutes), so the kill lands mid-transcription.
    wav = speak_wav(" ".join([ANSWER] * 9), tmp_path / "long.wav", speed=175)
    rec = make_recording(make_user(), wav_to_webm(wav, tmp_path / "long.webm"))
    env = _worker_env(db_url)
    log = (tmp_path / "worker.log").open("w")
    subprocess.run(  # noqa: S603 - queue it exactly as the upload route does
        [sys.executable, "-c", f"from prepple import jobs; jobs.enqueue_recording({rec.id})"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
    )
    first = _start_worker(env, log)
    try:
        row = _wait(session, rec.id, lambda r: r.status == "transcribing" and r.progress > 0, 90)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = row.progress
        session.expire_all()
        row = session.get(Recording, rec.id)
        assert row.status == "transcribing" and row.progress < 1.0, "killed mid-transcription"
        assert row.lease_owner.endswith(f":{first.pid}")
        second = _start_worker(env, log)
        try:
            done = _wait(session, rec.id, lambda r: r.status in ("done", "failed"), 120)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        log.close()
    assert done.status == "done", (tmp_path / "worker.log").read_text()[-3000:]
    assert done.attempts == 2 and killed_at < 1.0
    session.expire_all()
    view = recordings.recording_view(session=session, recording_id=rec.id, user_id=rec.user_id)
    assert "lead engineer" in view.transcript["text"].lower()


def test_the_whole_path_on_s3(
    session, make_user, answer_webm, s3_endpoint, monkeypatch, make_recording, holder_for
):
    """Scaled path: recordings go to S3 (a real S3 API server), the worker reads them from
    there, and playback is a redirect to a short-lived presigned URL."""
    import urllib.request

    from starlette.testclient import TestClient

    from prepple import api
    from prepple.settings import reset_settings_cache

    for key, value in {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": "prepple-test-recordings",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(f"PREPPLE_{key}", value)
    reset_settings_cache()
    storage.reset_storage_cache()
    user = make_user()
    rec = make_recording(user, answer_webm)
    store = storage.get_storage()
    assert store.local_path(rec.media_key) is None and store.exists(rec.media_key)
    assert jobs.process_recording(rec.id) == "done"
    session.expire_all()
    assert "checkout" in session.get(Recording, rec.id).transcript_json.lower()
    token = recordings.media_token(rec.id, holder_for(user))
    res = TestClient(api.api).get(
        f"/api/recordings/{rec.id}/media?token={token}", follow_redirects=False
    )
    assert res.status_code == 302 and res.headers["location"].startswith(s3_endpoint)
    with urllib.request.urlopen(res.headers["location"]) as media:  # noqa: S310 - local server
        assert media.read(4) == b"\x1a\x45\xdf\xa3"  # the WebM file itself
    storage.reset_storage_cache()


def test_housekeeping_prunes_abandoned_uploads_and_sends_mail(session, make_user, monkeypatch):
    from datetime import timedelta

    from prepple.models import utcnow
    from prepple.services import notifications

    user = make_user()
    qid = session.exec(select(Question.id)).first()
    old = recordings.recording_create(session=session, user_id=user.id, question_id=qid)
    old.created_at = utcnow() - timedelta(days=8)
    session.add(old)
    sent = []
    monkeypatch.setattr(notifications, "deliver_pending", lambda **kw: sent.append("pending") or 0)
    session.commit()
    jobs.maintain()
    assert session.exec(select(Recording.id).where(Recording.id == old.id)).first() is None
    assert sent == ["pending"]
    # A single message goes through the queue (run in-process here: huey's immediate mode).
    monkeypatch.setattr(jobs.huey, "immediate", True)
    delivered = []
    monkeypatch.setattr(
        notifications, "deliver_one", lambda *, session, message_id: delivered.append(message_id)
    )
    jobs.enqueue_delivery(42)
    assert delivered == [42]


def test_a_recording_that_keeps_crashing_workers_is_given_up(
    session, make_user, answer_webm, make_recording
):
    rec = make_recording(make_user(), answer_webm)
    row = session.get(Recording, rec.id)
    row.attempts = jobs.MAX_ATTEMPTS  # three workers died on it without reaching their handler
    session.add(row)
    session.commit()
    assert jobs.process_recording(rec.id) == "failed"
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.status == "failed" and "several tries" in row.failure_reason
    assert storage.get_storage().exists(row.media_key)


def test_too_long_recordings_are_not_processed_or_retried(
    session, make_user, answer_webm, make_recording, monkeypatch
):
    from prepple.settings import reset_settings_cache

    user = make_user()
    monkeypatch.setenv("PREPPLE_MAX_RECORDING_SECONDS", "2")
    reset_settings_cache()
    rec = make_recording(user, answer_webm)
    assert rec.status == "failed" and "longer than 2 seconds" in rec.failure_reason
    with pytest.raises(recordings.RecordingError):
        recordings.recording_retry(session=session, recording_id=rec.id, user_id=user.id)


def test_jobs_are_taken_round_robin_by_user(session, make_user, monkeypatch, question_id_first):
    """Three long answers of one user queued before another user's short one: the short one
    is processed second, not fourth (issue 11: 11 s waited 110 s)."""
    ran: list[int] = []
    monkeypatch.setattr(jobs, "process_recording", lambda rid, **_: _fake_run(session, rid, ran))
    ann, bob = make_user(), make_user()
    ids = []
    for user in (ann, ann, ann, bob):
        rec = Recording(user_id=user.id, question_id=question_id_first, status="queued")
        session.add(rec)
        session.commit()
        ids.append(rec.id)
    # Huey delivers the messages in the order they were sent (ann's three, then bob's).
    for rid in ids:
        jobs.process_recording_task.call_local(rid)
    assert ran == [ids[0], ids[3], ids[1], ids[2]]


def _fake_run(session, rid, ran):
    row = session.get(Recording, rid, populate_existing=True)
    if row is None or row.status != "queued":
        return "skipped"
    row.status = "done"
    session.commit()
    ran.append(rid)
    return "done"


@pytest.fixture
def question_id_first(session):
    return session.exec(select(Question.id).order_by(Question.id)).first()
