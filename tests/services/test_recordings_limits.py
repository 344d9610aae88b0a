"""Recordings under pressure (issue 11): storage quota, a failed store, fair job order and
unusable files that are kept only for a while."""

from datetime import timedelta

import pytest
from sqlmodel import select

from prepple.models import Question, Recording, utcnow
from prepple.services import recordings, storage
from prepple.services.recordings import RecordingError
from prepple.settings import reset_settings_cache
from tests.media_files import speech_webm


@pytest.fixture
def question_id(session):
    return session.exec(select(Question.id).order_by(Question.id)).first()


@pytest.fixture(scope="module")
def webm(tmp_path_factory):
    folder = tmp_path_factory.mktemp("media")
    return speech_webm("I led the migration and we cut costs.", folder)


def _settings(monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(f"PREPPLE_{key.upper()}", str(value))
    reset_settings_cache()
    storage.reset_storage_cache()


def _create(session, user, qid):
    rec = recordings.recording_create(session=session, user_id=user.id, question_id=qid)
    session.commit()
    return rec


def _append(session, rec, data, offset=0):
    return recordings.upload_append(
        session=session, recording_id=rec.id, user_id=rec.user_id, offset=offset, data=data
    )


def _complete(session, rec, total):
    out = recordings.upload_complete(
        session=session, recording_id=rec.id, user_id=rec.user_id, total=total
    )
    session.commit()
    return out


# --- quota ---------------------------------------------------------------------------------------


def test_quota_is_checked_on_every_chunk_and_at_upload_begin(
    session, make_user, question_id, monkeypatch
):
    _settings(monkeypatch, storage_quota_mb=1)
    ann, bob = make_user(), make_user()
    first = _create(session, ann, question_id)
    _append(session, first, b"x" * 700_000)
    second = _create(session, ann, question_id)  # 0.7 MB used: may begin
    with pytest.raises(RecordingError) as err:
        _append(session, second, b"y" * 400_000)  # 0.7 + 0.4 > 1 MB
    assert err.value.status == 413
    assert "of your 1 MB of space" in str(err.value) and "Delete takes" in str(err.value)
    assert (
        recordings.upload_status(session=session, recording_id=second.id, user_id=ann.id)[
            "received"
        ]
        == 0
    )  # nothing half-written
    _append(session, second, b"y" * 348_576)  # exactly fills the 1 MB
    with pytest.raises(RecordingError, match="space"):
        _create(session, ann, question_id)  # full: refused before recording starts
    assert _create(session, bob, question_id).id  # the quota is per user
    # Deleting a take frees the space.
    recordings.recording_discard(session=session, recording_id=first.id, user_id=ann.id)
    session.commit()
    assert _create(session, ann, question_id).id


def test_stored_media_counts_towards_the_quota(session, make_user, question_id, webm, monkeypatch):
    size = webm.stat().st_size
    _settings(monkeypatch, storage_quota_mb=1)
    ann = make_user()
    done = 0
    while True:
        try:
            rec = _create(session, ann, question_id)
        except RecordingError as exc:
            assert "space" in str(exc)
            break
        try:
            _append(session, rec, webm.read_bytes())
        except RecordingError as exc:
            assert "space" in str(exc)
            break
        _complete(session, rec, size)
        done += 1
    assert done == (1024 * 1024) // size
    assert recordings.storage_used(session=session, user_id=ann.id) <= 1024 * 1024


def test_quota_zero_means_unlimited(session, make_user, question_id, monkeypatch):
    _settings(monkeypatch, storage_quota_mb=0)
    ann = make_user()
    rec = _create(session, ann, question_id)
    assert _append(session, rec, b"z" * 2_000_000) == 2_000_000


# --- a failed store releases its claim -----------------------------------------------------------


def test_a_failed_store_releases_the_claim_and_a_retry_works_at_once(
    session, make_user, question_id, webm, monkeypatch, tmp_path
):
    blocked = tmp_path / "store"
    blocked.write_text("a file where the storage folder should be")  # mkdir fails, even as root
    _settings(monkeypatch, storage_dir=blocked)
    ann = make_user()
    data = webm.read_bytes()
    rec = _create(session, ann, question_id)
    _append(session, rec, data)
    with pytest.raises(RecordingError) as err:
        _complete(session, rec, len(data))
    assert err.value.status == 503 and "Nothing is lost" in str(err.value)
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.status == "uploading" and row.media_key == ""
    assert recordings.staging_path(rec.id).stat().st_size == len(data)
    # A retry before the folder is fixed fails the same way, not with 409 "being stored".
    with pytest.raises(RecordingError) as again:
        _complete(session, rec, len(data))
    assert again.value.status == 503
    blocked.unlink()  # the operator fixes the folder
    stored = _complete(session, rec, len(data))
    assert stored.status == "queued" and stored.media_key
    assert storage.get_storage().size(stored.media_key) == len(data)


# --- fair order ---------------------------------------------------------------------------------


def test_one_users_backlog_does_not_starve_another(session, make_user, question_id):
    ann, bob, cy = make_user(), make_user(), make_user()

    def queued(user):
        rec = Recording(user_id=user.id, question_id=question_id, status="queued", mime="audio/wav")
        session.add(rec)
        session.commit()
        return rec.id

    def set_status(rid, status):
        row = session.get(Recording, rid)
        row.status, row.updated_at = status, utcnow()
        session.commit()

    a1, a2, a3 = queued(ann), queued(ann), queued(ann)
    b1 = queued(bob)
    c1, c2 = queued(cy), queued(cy)
    assert recordings.recordings_fair_order(session=session) == [a1, b1, c1, a2, c2, a3]
    # Ann's first is being processed, then done: Bob and Cy go before her second.
    set_status(a1, "transcribing")
    assert recordings.recordings_fair_order(session=session) == [b1, c1, a2, c2, a3]
    set_status(a1, "done")
    assert recordings.recordings_fair_order(session=session) == [b1, c1, a2, c2, a3]
    set_status(b1, "done")
    # Cy has not been served yet; Ann was served before Bob.
    assert recordings.recordings_fair_order(session=session) == [c1, a2, c2, a3]
    set_status(c1, "done")
    assert recordings.recordings_fair_order(session=session) == [a2, c2, a3]


# --- unusable files are kept a while, then their bytes deleted -----------------------------------


def test_unusable_file_is_kept_for_days_then_its_bytes_deleted(
    session, make_user, question_id, monkeypatch
):
    _settings(monkeypatch, unusable_media_days=7)
    ann = make_user()
    junk = bytes(range(256)) * 4000  # ~1 MB of noise, not media
    rec = _create(session, ann, question_id)
    _append(session, rec, junk)
    failed = _complete(session, rec, len(junk))
    assert failed.status == "failed"
    assert "We keep the file for 7 days" in failed.failure_reason
    key = failed.media_key
    store = storage.get_storage()
    assert store.exists(key)
    assert recordings.recordings_prune(session=session, now=utcnow() + timedelta(days=6)) == 0
    session.commit()
    assert store.exists(key)  # still there for the user to see and retry
    assert recordings.recordings_prune(session=session, now=utcnow() + timedelta(days=8)) == 1
    session.commit()
    assert not store.exists(key)
    session.expire_all()
    row = session.get(Recording, rec.id)
    assert row.media_key == "" and row.size_bytes == 0
    assert row.failure_reason == recordings.UNUSABLE_DELETED
    assert recordings.storage_used(session=session, user_id=ann.id) == 0


def test_usable_media_that_failed_later_is_kept(session, make_user, question_id, webm):
    ann = make_user()
    data = webm.read_bytes()
    rec = _create(session, ann, question_id)
    _append(session, rec, data)
    rec = _complete(session, rec, len(data))
    recordings.recording_fail(session=session, recording_id=rec.id, reason="worker broke")
    session.commit()
    assert recordings.recordings_prune(session=session, now=utcnow() + timedelta(days=60)) == 0
    session.commit()
    assert storage.get_storage().exists(rec.media_key)


# --- a take under a second (the recorder refuses it; a crafted upload must be refused too) --------


@pytest.fixture(scope="module")
def short_take(tmp_path_factory):
    """A real, playable WebM of 0.4 s: what a take stopped at 0:00 uploads."""
    from tests.media_files import silence_wav, wav_to_webm

    folder = tmp_path_factory.mktemp("short")
    return wav_to_webm(silence_wav(folder / "short.wav", seconds=0.4), folder / "short.webm")


def test_a_take_under_a_second_is_refused_and_its_file_kept(
    session, make_user, question_id, short_take, monkeypatch
):
    _settings(monkeypatch, unusable_media_days=7)
    ann = make_user()
    data = short_take.read_bytes()
    rec = _create(session, ann, question_id)
    _append(session, rec, data)
    done = _complete(session, rec, len(data))
    assert done.status == "failed", "a sub-second take must not be queued for scoring"
    assert done.failure_reason.startswith(recordings.TOO_SHORT)
    assert "We keep the file for 7 days" in done.failure_reason
    assert 0 < done.duration_seconds < recordings.MIN_TAKE_SECONDS
    key, store = done.media_key, storage.get_storage()
    assert store.exists(key), "the take is kept, not thrown away"
    # A crafted retry can't push it into the queue either.
    with pytest.raises(RecordingError) as retry:
        recordings.recording_retry(session=session, recording_id=rec.id, user_id=ann.id)
    assert retry.value.status == 422 and retry.value.message == recordings.TOO_SHORT
    session.rollback()
    assert session.get(Recording, rec.id).status == "failed"
    # Kept for the days the message promises, then its bytes go (the row stays, saying why).
    assert recordings.recordings_prune(session=session, now=utcnow() + timedelta(days=6)) == 0
    assert recordings.recordings_prune(session=session, now=utcnow() + timedelta(days=8)) == 1
    session.commit()
    assert not store.exists(key)
    session.expire_all()
    assert session.get(Recording, rec.id).failure_reason == recordings.SHORT_DELETED


def test_a_take_of_a_second_or_more_is_queued(session, make_user, question_id, tmp_path):
    from tests.media_files import silence_wav, wav_to_webm

    take = wav_to_webm(silence_wav(tmp_path / "s.wav", seconds=1.5), tmp_path / "s.webm")
    ann = make_user()
    data = take.read_bytes()
    rec = _create(session, ann, question_id)
    _append(session, rec, data)
    assert _complete(session, rec, len(data)).status == "queued"


def test_the_stored_type_is_what_the_file_is_not_what_the_browser_said(
    session, make_user, question_id, tmp_path
):
    """A WAV sent as "video/webm" (a crafted upload) is kept and scored, and served as WAV."""
    from tests.media_files import speak_wav

    wav = speak_wav("I led the migration.", tmp_path / "a.wav").read_bytes()
    ann = make_user()
    rec = recordings.recording_create(
        session=session, user_id=ann.id, question_id=question_id, mime="video/webm"
    )
    session.commit()
    _append(session, rec, wav)
    done = _complete(session, rec, len(wav))
    assert done.status == "queued" and done.mime == "audio/wav" and not done.has_video
    assert storage.get_storage().local_path(done.media_key).read_bytes() == wav


def test_an_app_killed_mid_chunk_loses_nothing(session, make_user, question_id, webm):
    """``kill -9`` in the middle of writing a chunk leaves part of it in the staging file; the
    browser asks how much the server holds and sends the rest from there: the stored file is
    the whole recording, byte for byte in its sound."""
    from prepple.services import media

    data = webm.read_bytes()
    ann = make_user()
    rec = _create(session, ann, question_id)
    _append(session, rec, data[:5000])
    with recordings.staging_path(rec.id).open("ab") as torn:  # what the killed write left
        torn.write(data[5000:7321])
    held = recordings.upload_status(session=session, recording_id=rec.id, user_id=ann.id)
    assert held["received"] == 7321 and held["status"] == "uploading"
    with pytest.raises(recordings.OffsetMismatch):  # the browser's retry of its chunk
        _append(session, rec, data[5000:10000], offset=5000)
    _append(session, rec, data[7321:], offset=7321)
    done = _complete(session, rec, len(data))
    assert done.status == "queued"
    stored = storage.get_storage().local_path(done.media_key)
    assert abs(media.probe(stored).duration - media.probe(webm).duration) < 0.1
