"""Recordings: resumable upload, probing, storage, the job lease, views."""

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlmodel import select

from prepple.models import Question, Recording, utcnow
from prepple.services import planner, recordings, signing, storage
from prepple.services.recordings import OffsetMismatch, RecordingError
from tests.media_files import speech_webm


@pytest.fixture
def question_id(session):
    return session.exec(select(Question.id).order_by(Question.id)).first()


@pytest.fixture
def seeker(make_user):
    return make_user("sam@example.com")


@pytest.fixture(scope="module")
def webm(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    return speech_webm("I led the migration and we cut costs by ten percent.", folder, video=True)


def _create(session, user, qid, **kw):
    rec = recordings.recording_create(session=session, user_id=user.id, question_id=qid, **kw)
    session.commit()
    return rec


def _upload(session, rec, data: bytes, chunk: int = 7000):
    offset = 0
    while offset < len(data):
        offset = recordings.upload_append(
            session=session,
            recording_id=rec.id,
            user_id=rec.user_id,
            offset=offset,
            data=data[offset : offset + chunk],
        )
    return recordings.upload_complete(
        session=session, recording_id=rec.id, user_id=rec.user_id, total=len(data)
    )


def test_create_makes_an_uploading_row_with_the_plan_as_it_was(session, seeker, question_id):
    planner.plan_save(
        session=session,
        user_id=seeker.id,
        question_id=question_id,
        framework="STAR",
        sections={"situation": "Our launch slipped.", "action": "I split the work."},
        base_revision=0,
    )
    session.commit()
    rec = _create(session, seeker, question_id, cheat_sheet="script", mime="video/webm;codecs=vp8")
    assert rec.status == "uploading" and rec.mime == "video/webm" and rec.cheat_sheet == "script"
    plan = json.loads(rec.plan_json)
    assert plan["framework"] == "STAR" and "I split the work." in plan["script"]
    assert recordings.staging_path(rec.id).exists()


def test_create_refuses_unknown_questions_types_and_too_many_open_uploads(
    session, seeker, question_id
):
    with pytest.raises(RecordingError) as missing:
        _create(session, seeker, 10**9)
    assert missing.value.status == 404
    with pytest.raises(RecordingError) as kind:
        _create(session, seeker, question_id, mime="text/html")
    assert kind.value.status == 415 and "audio or video" in kind.value.message
    for _ in range(recordings.MAX_OPEN_UPLOADS):
        _create(session, seeker, question_id)
    with pytest.raises(RecordingError) as many:
        _create(session, seeker, question_id)
    assert many.value.status == 429


def test_chunks_append_only_at_the_servers_offset(session, seeker, question_id):
    rec = _create(session, seeker, question_id)
    args = {"session": session, "recording_id": rec.id, "user_id": seeker.id}
    assert recordings.upload_append(**args, offset=0, data=b"abc") == 3
    with pytest.raises(OffsetMismatch) as behind:
        recordings.upload_append(**args, offset=0, data=b"abc")  # a retried chunk
    assert behind.value.received == 3 and behind.value.status == 409
    with pytest.raises(OffsetMismatch):
        recordings.upload_append(**args, offset=10, data=b"x")  # a gap
    assert recordings.upload_append(**args, offset=3, data=b"def") == 6
    assert recordings.upload_status(**args)["received"] == 6
    assert recordings.staging_path(rec.id).read_bytes() == b"abcdef"


def test_size_limit_and_chunk_limit(session, seeker, question_id, monkeypatch):
    from prepple.settings import reset_settings_cache

    monkeypatch.setenv("PREPPLE_MAX_RECORDING_MB", "1")
    reset_settings_cache()
    rec = _create(session, seeker, question_id)
    args = {"session": session, "recording_id": rec.id, "user_id": seeker.id}
    recordings.upload_append(**args, offset=0, data=b"x" * (1024 * 1024 - 10))
    with pytest.raises(RecordingError) as big:
        recordings.upload_append(**args, offset=1024 * 1024 - 10, data=b"y" * 11)
    assert big.value.status == 413 and "larger than 1 MB" in big.value.message
    with pytest.raises(RecordingError) as chunk:
        recordings.upload_append(
            **args, offset=1024 * 1024 - 10, data=b"z" * (recordings.CHUNK_MAX + 1)
        )
    assert chunk.value.status == 413


def test_another_user_cannot_touch_the_upload(session, seeker, make_user, question_id):
    other = make_user("eve@example.com")
    rec = _create(session, seeker, question_id)
    with pytest.raises(RecordingError) as refused:
        recordings.upload_append(
            session=session, recording_id=rec.id, user_id=other.id, offset=0, data=b"x"
        )
    assert refused.value.status == 404
    with pytest.raises(RecordingError):
        recordings.recording_view(session=session, recording_id=rec.id, user_id=other.id)
    with pytest.raises(RecordingError):
        recordings.recording_discard(session=session, recording_id=rec.id, user_id=other.id)


def test_complete_probes_stores_and_queues(session, seeker, question_id, webm):
    rec = _create(session, seeker, question_id)
    done = _upload(session, rec, webm.read_bytes())
    session.commit()
    assert done.status == "queued" and done.has_video
    assert 2.0 < done.duration_seconds < 6.0
    assert not recordings.staging_path(rec.id).exists()
    store = storage.get_storage()
    assert store.exists(done.media_key) and store.size(done.media_key) == done.size_bytes
    # Stored as a seekable copy (same streams, now with a duration in the header).
    import av

    with av.open(str(store.local_path(done.media_key))) as stored:
        assert stored.duration and abs(stored.duration / 1e6 - done.duration_seconds) < 0.5
        assert {s.type for s in stored.streams} == {"audio", "video"}
    assert done.media_key.startswith(f"recordings/{seeker.id}/{rec.id}-")


def test_complete_checks_the_total_and_refuses_an_empty_recording(session, seeker, question_id):
    rec = _create(session, seeker, question_id)
    with pytest.raises(RecordingError) as empty:
        recordings.upload_complete(session=session, recording_id=rec.id, user_id=seeker.id, total=0)
    assert empty.value.status == 422 and "empty" in empty.value.message
    recordings.upload_append(
        session=session, recording_id=rec.id, user_id=seeker.id, offset=0, data=b"12345"
    )
    with pytest.raises(OffsetMismatch) as short:
        recordings.upload_complete(session=session, recording_id=rec.id, user_id=seeker.id, total=9)
    assert short.value.received == 5


@pytest.mark.parametrize(
    "payload",
    [b"<html><script>alert(1)</script></html>" * 20, b"\x89PNG\r\n\x1a\n" + b"\x00" * 500],
    ids=["html", "png"],
)
def test_a_file_that_is_not_media_is_kept_and_marked_failed(session, seeker, question_id, payload):
    rec = _create(session, seeker, question_id)
    done = _upload(session, rec, payload)
    session.commit()
    assert done.status == "failed" and done.failure_reason
    assert "<script>" not in done.failure_reason
    assert storage.get_storage().exists(done.media_key), "the upload is kept, not thrown away"


def test_a_truncated_recording_still_probes_or_fails_cleanly(session, seeker, question_id, webm):
    data = webm.read_bytes()
    rec = _create(session, seeker, question_id)
    done = _upload(session, rec, data[: len(data) // 2])
    assert done.status in ("queued", "failed")
    if done.status == "failed":
        assert done.failure_reason


def test_tokens_are_bound_to_purpose_recording_and_time(session, seeker, question_id, holder_for):
    rec = _create(session, seeker, question_id)
    token = recordings.upload_token(rec, holder_for(seeker))
    assert recordings.token_target("upload", token, rec.id) == (rec.id, seeker.id)
    with pytest.raises(RecordingError):
        recordings.token_target("media", token, rec.id)  # another purpose
    with pytest.raises(RecordingError):
        recordings.token_target("upload", token, rec.id + 1)  # another recording
    body, mac = token.split(".")
    forged = signing._b64(json.dumps({"r": rec.id, "u": 999, "exp": 2**40}).encode())
    with pytest.raises(RecordingError):
        recordings.token_target("upload", f"{forged}.{mac}", rec.id)
    old = signing.sign("upload", {"r": rec.id, "u": seeker.id}, ttl_seconds=10, now=1000.0)
    with pytest.raises(RecordingError):
        recordings.token_target("upload", old, rec.id)
    for junk in (None, "", "a.b.c", "x" * 5000, 12):
        with pytest.raises(RecordingError):
            recordings.token_target("upload", junk, rec.id)


def test_only_one_worker_holds_a_job(session, seeker, question_id, webm, make_recording):
    rec = make_recording(seeker, webm, question_id=question_id)
    first = recordings.recording_claim(session=session, recording_id=rec.id, owner="hostA:1")
    second = recordings.recording_claim(session=session, recording_id=rec.id, owner="hostB:2")
    assert first is not None and first.status == "transcribing" and first.attempts == 1
    assert second is None
    assert not recordings.recording_heartbeat(
        session=session, recording_id=rec.id, owner="hostB:2", progress=0.5
    )
    assert recordings.recording_heartbeat(
        session=session, recording_id=rec.id, owner="hostA:1", progress=0.5
    )
    assert not recordings.recording_finish(
        session=session, recording_id=rec.id, owner="hostB:2", transcript={}, report={}, overall=1
    )
    assert recordings.recording_finish(
        session=session,
        recording_id=rec.id,
        owner="hostA:1",
        transcript={"text": "hi"},
        report={"overall": 70},
        overall=70,
    )
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.status == "done" and row.overall == 70 and row.lease_owner == ""
    assert recordings.recording_claim(session=session, recording_id=rec.id, owner="x:3") is None


def test_a_job_whose_worker_died_is_taken_over(session, seeker, question_id, webm, make_recording):
    rec = make_recording(seeker, webm, question_id=question_id)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    host, namespace, _ = recordings.worker_identity().rsplit(":", 2)
    # A holder in another pid namespace (a container with the same host name) can't be seen
    # from here, so it is never presumed dead: its job waits for the lease to run out.
    elsewhere = f"{host}:{int(namespace) + 1}:{dead}"
    assert recordings.recording_claim(session=session, recording_id=rec.id, owner=elsewhere)
    assert rec.id not in recordings.recordings_stale(session=session)
    assert recordings.recording_claim(session=session, recording_id=rec.id, owner="x:0:1") is None
    # A holder on this machine whose process is gone: stale before its lease runs out.
    row = session.get(Recording, rec.id)
    row.lease_owner = f"{host}:{namespace}:{dead}"
    session.add(row)
    session.commit()
    assert rec.id in recordings.recordings_stale(session=session)
    taken = recordings.recording_claim(session=session, recording_id=rec.id, owner="x:0:1")
    assert taken is not None and taken.attempts == 2


def test_an_expired_lease_is_stale_and_a_live_one_is_not(
    session, seeker, question_id, webm, make_recording
):
    rec = make_recording(seeker, webm, question_id=question_id)
    alive = recordings.worker_identity()  # this test process: alive
    recordings.recording_claim(session=session, recording_id=rec.id, owner=alive)
    assert rec.id not in recordings.recordings_stale(session=session)
    later = utcnow() + timedelta(seconds=recordings.LEASE_SECONDS + 1)
    assert rec.id in recordings.recordings_stale(session=session, now=later)


def test_a_long_queued_job_is_resent_once_per_grace_period(
    session, seeker, question_id, webm, make_recording
):
    rec = make_recording(seeker, webm, question_id=question_id)
    assert rec.id not in recordings.recordings_stale(session=session)
    later = utcnow() + timedelta(seconds=recordings.QUEUED_GRACE_SECONDS + 5)
    assert rec.id in recordings.recordings_stale(session=session, now=later)
    session.commit()
    assert rec.id not in recordings.recordings_stale(session=session, now=later)


def test_release_and_retry(session, seeker, question_id, webm, make_recording):
    rec = make_recording(seeker, webm, question_id=question_id)
    recordings.recording_claim(session=session, recording_id=rec.id, owner="w:1")
    assert recordings.recording_release(session=session, recording_id=rec.id, owner="w:1")
    session.expire_all()
    assert session.get(Recording, rec.id).status == "queued"
    recordings.recording_claim(session=session, recording_id=rec.id, owner="w:1")
    assert recordings.recording_fail(
        session=session, recording_id=rec.id, reason="Broken.", owner="w:1"
    )
    again = recordings.recording_retry(session=session, recording_id=rec.id, user_id=seeker.id)
    assert again.status == "queued" and again.failure_reason == "" and again.attempts == 0
    with pytest.raises(RecordingError):
        recordings.recording_retry(session=session, recording_id=rec.id, user_id=seeker.id)


def test_discard_and_purge_remove_the_media(session, seeker, question_id, webm, make_recording):
    one = make_recording(seeker, webm, question_id=question_id)
    two = make_recording(seeker, webm, question_id=question_id)
    store = storage.get_storage()
    recordings.recording_discard(session=session, recording_id=one.id, user_id=seeker.id)
    assert store.exists(one.media_key), "media goes only when the deletion commits"
    session.commit()
    assert not store.exists(one.media_key) and session.get(Recording, one.id) is None
    assert recordings.recordings_purge_user(session=session, user_id=seeker.id) == 1
    session.rollback()  # a deletion that doesn't commit keeps the media
    assert store.exists(two.media_key)
    assert recordings.recordings_purge_user(session=session, user_id=seeker.id) == 1
    session.commit()
    assert not store.exists(two.media_key)


def test_attempts_newest_first_without_unfinished_uploads(
    session, seeker, question_id, webm, make_recording
):
    first = make_recording(seeker, webm, question_id=question_id)
    second = make_recording(seeker, webm, question_id=question_id)
    _create(session, seeker, question_id)  # still uploading
    ids = [
        a.id
        for a in recordings.attempts(session=session, user_id=seeker.id, question_id=question_id)
    ]
    assert ids == [second.id, first.id]


def test_prune_drops_week_old_abandoned_uploads(session, seeker, question_id):
    old = _create(session, seeker, question_id)
    fresh = _create(session, seeker, question_id)
    old.created_at = utcnow() - timedelta(days=8)
    session.add(old)
    session.commit()
    assert recordings.recordings_prune(session=session) == 1
    session.commit()
    assert session.get(Recording, old.id) is None and session.get(Recording, fresh.id)
    assert not recordings.staging_path(old.id).exists()
