"""Practice recordings: resumable upload, the job lease, and what the results page shows.

The upload protocol (served by ``prepple/api.py``) never holds a whole video in memory:

1. ``recording_create`` makes a row in status ``uploading`` and an empty staging file, and
   :func:`upload_token` signs a token naming that row and its owner.
2. The browser sends chunks (``upload_append``) at an explicit byte offset. A chunk at the
   wrong offset is refused with the offset the server has, so after a dropped connection the
   browser asks (``upload_status``) and resumes where the server stands. The browser keeps its
   copy until the server confirms the recording is stored.
3. ``upload_complete`` checks the size, probes the file (it must really be audio/video), moves
   it into storage and queues it. A file that is not usable media is still stored, and the row
   says ``failed`` with a reason people can read; its bytes are kept
   ``unusable_media_days`` (so the user sees the message and can download or retry) and then
   deleted by housekeeping (:func:`recordings_prune`); the row stays, saying so. If storing
   itself fails (a full or unwritable disk, S3 down) the claim is released at once
   (status back to ``uploading``, the staging file kept), so a retry works as soon as the
   storage does. A completion whose process died (``kill -9``) is taken over by the next
   request at once: the claim names its process and the storage key, so a file stored just
   before the crash is found there. A take under a second (:data:`MIN_TAKE_SECONDS`) is
   stored but ``failed``, like unusable media.

Each user has a storage quota (``storage_quota_mb``): stored recordings plus uploads in
progress. It is checked when an upload begins and on every chunk (:func:`storage_used`).

Jobs are taken in a fair order (:func:`recordings_fair_order`): each user's first waiting
recording before anyone's second, so one user's backlog never starves another's answer.

Processing takes a *lease* (``recording_claim``): a worker owns a recording until its lease
runs out; it renews the lease while it works. A worker that dies mid-job stops renewing, and
``recordings_stale`` hands the job to the next worker, so a crash loses no job.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import secrets
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from prepple.models import Question, Recording, utcnow
from prepple.services import planner, signing
from prepple.services.errors import DomainError
from prepple.services.feedback.frameworks import sections_of
from prepple.services.rules import clock
from prepple.settings import get_settings

logger = logging.getLogger("prepple.recordings")

CHEAT_SHEETS = ("script", "bullets", "none")
#: Containers browsers record in (MediaRecorder) plus common uploads; the probe decides.
MIME_EXT = {
    "video/webm": "webm",
    "audio/webm": "webm",
    "video/mp4": "mp4",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "video/ogg": "ogv",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/mpeg": "mp3",
}
ACTIVE = ("uploading", "storing", "queued", "transcribing", "scoring")
WORKING = ("transcribing", "scoring")
CHUNK_MAX = 8 * 1024 * 1024
MAX_OPEN_UPLOADS = 10
UPLOAD_TOKEN_SECONDS = 24 * 3600
MEDIA_TOKEN_SECONDS = 6 * 3600
LEASE_SECONDS = 60
QUEUED_GRACE_SECONDS = 120
ABANDONED_UPLOAD_DAYS = 7
#: Marks a failed row whose unusable bytes housekeeping has deleted.
UNUSABLE_DELETED = "The file was deleted because it wasn't playable audio or video."
SHORT_DELETED = "The file was deleted because the take was under a second long."
#: A take shorter than this is no answer (stopped at 0:00). The recorder refuses to save one;
#: the server refuses it too (a crafted upload skips the recorder), keeping the file.
MIN_TAKE_SECONDS = 1.0
TOO_SHORT = (
    "That take is under a second long, too short to save. Record your answer again and press "
    "Stop when you're done."
)


class RecordingError(DomainError):
    """A user-facing problem with a recording; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, status=status)


class OffsetMismatch(RecordingError):
    """A chunk arrived for the wrong byte offset; ``received`` is what the server holds."""

    def __init__(self, received: int) -> None:
        super().__init__(f"The server has {received} bytes of this recording.", 409)
        self.received = received


def staging_path(recording_id: int) -> Path:
    """Where the chunks of an upload in progress are gathered."""
    folder = get_settings().data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{int(recording_id)}.part"


def base_mime(mime: object) -> str:
    """``video/webm;codecs=vp8,opus`` -> ``video/webm`` (lower-cased, parameters dropped)."""
    return str(mime or "").split(";")[0].strip().lower()[:60]


def _owned(session: Session, recording_id: object, user_id: int) -> Recording:
    try:
        rid = int(recording_id)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RecordingError("No such recording.", 404) from exc
    rec = session.get(Recording, rid)
    if rec is None or rec.user_id != user_id:
        raise RecordingError("No such recording.", 404)
    return rec


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def storage_used(*, session: Session, user_id: int, exclude_id: int | None = None) -> int:
    """Bytes a user's recordings take: stored media plus uploads in progress (their staging
    files), optionally leaving one upload out (the one being appended to)."""
    stored = session.exec(
        select(func.coalesce(func.sum(Recording.size_bytes), 0)).where(
            Recording.user_id == user_id, Recording.media_key != ""
        )
    ).one()
    staged = 0
    for rid in session.exec(
        select(Recording.id).where(
            Recording.user_id == user_id, col(Recording.status).in_(("uploading", "storing"))
        )
    ).all():
        if rid == exclude_id:
            continue
        path = staging_path(rid)
        with contextlib.suppress(OSError):
            staged += path.stat().st_size
    return int(stored or 0) + staged


def quota_bytes() -> int:
    """The per-user storage quota in bytes (0: no quota)."""
    return max(0, get_settings().storage_quota_mb) * 1024 * 1024


def quota_message(used: int, quota: int) -> str:
    """What a user is told when their recordings fill their space."""
    return (
        f"Your recordings use {_mb(used)} of your {_mb(quota)} of space. "
        "Delete takes you no longer need (on each question's results page) to record more."
    )


def _check_quota(session: Session, user_id: int, *, adding: int, exclude_id: int | None) -> None:
    quota = quota_bytes()
    if not quota:
        return
    used = storage_used(session=session, user_id=user_id, exclude_id=exclude_id)
    if used + adding > quota:
        raise RecordingError(quota_message(used, quota), 413)


def recording_create(
    *,
    session: Session,
    user_id: int,
    question_id: object,
    cheat_sheet: object = "none",
    mime: object = "video/webm",
    practice_key: object = "",
) -> Recording:
    """Start a recording's upload: a row in status ``uploading`` and an empty staging file.

    The user's current plan for the question is copied in, so scoring later compares the
    answer with the plan they had in front of them."""
    try:
        qid = int(question_id)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RecordingError("That question doesn't exist.", 404) from exc
    if session.get(Question, qid) is None:
        raise RecordingError("That question doesn't exist.", 404)
    kind = base_mime(mime)
    if kind not in MIME_EXT:
        raise RecordingError("Recordings must be audio or video (WebM, MP4, Ogg, WAV or MP3).", 415)
    cheat = cheat_sheet if cheat_sheet in CHEAT_SHEETS else "none"
    open_uploads = session.exec(
        select(Recording)
        .where(Recording.user_id == user_id, Recording.status == "uploading")
        .order_by(col(Recording.updated_at))
    ).all()
    # Uploads nobody has touched for an hour were abandoned (a cleared browser, a closed
    # tab); they make room before anyone is told to wait.
    idle_before = utcnow() - timedelta(hours=1)
    for old in open_uploads:
        staged = staging_path(old.id)
        touched = staged.stat().st_mtime if staged.exists() else 0
        if len(open_uploads) >= MAX_OPEN_UPLOADS and touched < idle_before.timestamp():
            staged.unlink(missing_ok=True)
            session.delete(old)
            open_uploads = [r for r in open_uploads if r.id != old.id]
    if len(open_uploads) >= MAX_OPEN_UPLOADS:
        raise RecordingError(
            "You have too many recordings still uploading. Retry or discard them first.", 429
        )
    # A full quota is said before anyone records, not after a long upload.
    _check_quota(session, user_id, adding=1, exclude_id=None)
    plan = planner.plan_get(session=session, user_id=user_id, question_id=qid)
    plan_data = (
        {
            "framework": plan.framework,
            # The sections as written, so reviewers the owner shares the plan with see it
            # section by section (the script alone loses the headings).
            "sections": {
                sec.key: plan.sections.get(sec.key, "") for sec in sections_of(plan.framework)
            },
            "script": planner.script_of(plan.framework, plan.sections),
            "bullets": plan.bullets,
        }
        if plan
        else {}
    )
    key = str(practice_key or "")
    rec = Recording(
        user_id=user_id,
        question_id=qid,
        cheat_sheet=str(cheat),
        mime=kind,
        practice_key=key[:40] if key.replace("-", "").isalnum() else "",
        plan_json=json.dumps(plan_data),
    )
    session.add(rec)
    session.flush()
    staging_path(rec.id).touch()
    return rec


def upload_token(recording: Recording, holder: signing.Holder) -> str:
    """A token that lets the owner's browser upload this one recording (24 hours, and only
    while the log-in session ``holder`` names stands: see ``services/signing.py``)."""
    payload = {"r": recording.id, "c": signing.stamp(recording.created_at), **holder.claims()}
    return signing.sign("upload", payload, ttl_seconds=UPLOAD_TOKEN_SECONDS)


def media_token(recording_id: int, holder: signing.Holder | None, key: str = "") -> str:
    """A token that lets one viewer's browser stream this recording (6 hours): the owner, or
    someone it is shared with (``key``: the link they came through). ``holder`` names a
    signed-in viewer and the session the link was made in (``None``: a visitor, whose token
    is good only through ``key``)."""
    payload = {"r": recording_id, "k": key, **(holder.claims() if holder else {"u": 0})}
    return signing.sign("media", payload, ttl_seconds=MEDIA_TOKEN_SECONDS)


EXPIRED_LINK = "This link has expired. Reload the page and try again."


def _holder_user(session: Session, data: dict) -> int:
    """The account a verified token's holder names, if it still stands (RecordingError 403
    once its session ended, its password changed or the account was deactivated)."""
    from prepple.services import accounts

    try:
        holder = signing.Holder.from_claims(data)
    except signing.BadToken as exc:
        raise RecordingError(EXPIRED_LINK, 403) from exc
    user = accounts.holder_check(session=session, holder=holder)
    if user is None:
        raise RecordingError(EXPIRED_LINK, 403)
    return holder.user_id


def upload_authorise(*, session: Session, token: object, recording_id: object) -> tuple[int, int]:
    """``(recording_id, user_id)`` for an upload request: a valid upload token for this very
    recording (its id and creation time), made in a log-in session that still stands."""
    rid, _ = token_target("upload", token, recording_id)
    data = signing.verify("upload", token)
    uid = _holder_user(session, data)
    rec = session.get(Recording, rid)
    if rec is None or rec.user_id != uid or data.get("c") != signing.stamp(rec.created_at):
        raise RecordingError("This link is for another recording.", 403)
    return rid, uid


def token_target(purpose: str, token: object, recording_id: object) -> tuple[int, int]:
    """``(recording_id, user_id)`` from a valid token for this recording, or RecordingError."""
    try:
        data = signing.verify(purpose, token)
        rid = int(data["r"])
        uid = int(data["u"])
    except (signing.BadToken, KeyError, TypeError, ValueError) as exc:
        raise RecordingError(EXPIRED_LINK, 403) from exc
    if str(rid) != str(recording_id):
        raise RecordingError("This link is for another recording.", 403)
    return rid, uid


def _uploading(session: Session, recording_id: object, user_id: int) -> Recording:
    rec = _owned(session, recording_id, user_id)
    if rec.status != "uploading":
        raise RecordingError("This recording is already uploaded.", 409)
    return rec


def upload_status(*, session: Session, recording_id: object, user_id: int) -> dict:
    """How many bytes the server holds, and the recording's status."""
    rec = _owned(session, recording_id, user_id)
    path = staging_path(rec.id)
    received = (
        path.stat().st_size if rec.status == "uploading" and path.exists() else rec.size_bytes
    )
    return {"id": rec.id, "status": rec.status, "received": received}


@contextlib.contextmanager
def _locked(path: Path):
    """The staging file, open for appending under an exclusive lock. Never creates it: once
    completion has moved it into storage, a late chunk finds nothing to append to."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError as exc:
        raise RecordingError("This recording is already uploaded.", 409) from exc
    with os.fdopen(fd, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upload_append(
    *, session: Session, recording_id: object, user_id: int, offset: int, data: bytes
) -> int:
    """Append one chunk at ``offset``; returns the bytes now held.

    Refuses a chunk at any other offset (:class:`OffsetMismatch`, so the browser can resume),
    chunks over 8 MB, and uploads beyond the size limit."""
    rec = _uploading(session, recording_id, user_id)
    if len(data) > CHUNK_MAX:
        raise RecordingError("Chunks may be at most 8 MB.", 413)
    limit = get_settings().max_recording_mb * 1024 * 1024
    path = staging_path(rec.id)
    with _locked(path) as handle:
        held = handle.seek(0, os.SEEK_END)
        if offset != held:
            raise OffsetMismatch(held)
        if held + len(data) > limit:
            raise RecordingError(
                f"This recording is larger than {get_settings().max_recording_mb} MB. "
                "Record a shorter answer, or choose audio only.",
                413,
            )
        _check_quota(session, rec.user_id, adding=held + len(data), exclude_id=rec.id)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        return held + len(data)


STORING_STALE_SECONDS = 600


def _claim_storing(session: Session, rec: Recording, key: str) -> bool:
    """Move ``uploading`` to ``storing``, atomically, so two completion requests can't both
    store the file; also a ``storing`` left by a request that died (its process is gone, as
    after ``kill -9`` of the app, or it has been storing for 10 minutes). The claim names its
    process and the storage key the file goes to, so whoever takes over finds a file that
    was stored just before the crash (:func:`upload_complete`)."""
    now = utcnow()
    stale = (col(Recording.status) == "storing") & (
        col(Recording.updated_at) < now - timedelta(seconds=STORING_STALE_SECONDS)
    )
    if rec.status == "storing" and rec.lease_owner and _holder_dead(rec.lease_owner):
        stale = or_(
            stale,
            (col(Recording.status) == "storing") & (col(Recording.lease_owner) == rec.lease_owner),
        )
    result = session.exec(
        update(Recording)
        .where(col(Recording.id) == rec.id)
        .where(or_(col(Recording.status) == "uploading", stale))
        .values(status="storing", updated_at=now, lease_owner=worker_identity(), media_key=key)
    )
    session.commit()
    return result.rowcount == 1


def _release_storing(session: Session, recording_id: int) -> None:
    """Give a ``storing`` claim back (status ``uploading``; the staging file is still there),
    so the next completion request can store it at once."""
    session.exec(
        update(Recording)
        .where(col(Recording.id) == recording_id, col(Recording.status) == "storing")
        .values(status="uploading", updated_at=utcnow(), lease_owner="", media_key="")
    )
    session.commit()


@contextlib.contextmanager
def _stored_copy(store, key: str):
    """A local path to the stored object ``key`` (a temporary download from S3)."""
    local = store.local_path(key)
    if local is not None:
        yield local
        return
    fd, tmp = tempfile.mkstemp(suffix=Path(key).suffix, dir=staging_path(0).parent)
    os.close(fd)
    try:
        store.download_to(key, tmp)
        yield Path(tmp)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _seekable(path: Path, duration: float) -> None:
    """Replace browser WebM (no duration, no index) by a remuxed copy with both, so players
    can seek; only when the copy probes as the same recording."""
    from prepple.services import media

    fd, tmp = tempfile.mkstemp(suffix=".webm", dir=path.parent)
    os.close(fd)
    copy = Path(tmp)
    try:
        if media.remux_seekable(path, copy):
            info = media.probe(copy)
            if info.duration >= duration - 0.5:
                os.replace(copy, path)
    except media.MediaError:
        pass
    finally:
        copy.unlink(missing_ok=True)


def upload_complete(
    *, session: Session, recording_id: object, user_id: int, total: int
) -> Recording:
    """Finish an upload: check, probe, store and queue it.

    Returns the row; its status is ``queued`` when the media is usable and ``failed`` (with
    the reason) when it isn't, in which case the file is stored all the same. Idempotent: a
    repeated request (the browser never saw the first answer) gets the row as it stands."""
    from prepple.services import storage  # heavy imports, only where media is handled

    rec = _owned(session, recording_id, user_id)
    if rec.status not in ("uploading", "storing"):
        return rec
    path = staging_path(rec.id)
    held = path.stat().st_size if path.exists() else 0
    if rec.status == "uploading" and held != total:
        raise OffsetMismatch(held)
    if rec.status == "uploading" and held == 0:
        raise RecordingError("The recording is empty. Check your microphone and record again.", 422)
    ext = MIME_EXT.get(rec.mime, "bin")
    key = rec.media_key or f"recordings/{rec.user_id}/{rec.id}-{secrets.token_hex(8)}.{ext}"
    if not _claim_storing(session, rec, key):
        session.refresh(rec)
        if rec.status == "storing":
            raise RecordingError("This recording is being stored; try again in a moment.", 409)
        return rec
    session.refresh(rec)
    store = storage.get_storage()
    reason = ""
    try:
        if path.exists():
            reason = _media_problem(rec, path)
            if not reason and MIME_EXT.get(rec.mime) == "webm":
                _seekable(path, rec.duration_seconds)
            rec.size_bytes = store.put_file(key, path, rec.mime)  # consumes the file
        elif store.exists(key):
            # An earlier completion stored the file and died before it could say so (the
            # app was killed): take the stored file as it is.
            logger.warning("recording %s: adopting %s, stored before a crash", rec.id, key)
            with _stored_copy(store, key) as copy:
                reason = _media_problem(rec, copy)
            rec.size_bytes = store.size(key)
        else:
            # Neither staged nor stored (the staging folder was lost): the browser still has
            # its copy and sends it again from the start.
            rid = rec.id
            session.rollback()
            _release_storing(session, rid)
            staging_path(rid).touch()
            raise OffsetMismatch(0)
    except RecordingError:
        raise
    except Exception as exc:
        # Storing failed (unwritable folder, full disk, S3 down): the staging file is still
        # here. Release the claim now, or every retry would be refused as "being stored".
        logger.warning("storing recording %s failed: %s", rec.id, exc)
        rid = rec.id
        session.rollback()
        _release_storing(session, rid)
        raise RecordingError(
            "We couldn't save your recording just now. Nothing is lost: it is still on our "
            "side, and trying again in a moment finishes it.",
            503,
        ) from exc
    rec.media_key = key
    rec.lease_owner = ""
    rec.status = "failed" if reason else "queued"
    rec.failure_reason = reason
    rec.updated_at = utcnow()
    session.add(rec)
    session.flush()
    return rec


#: Container names the probe reports -> (audio-only type, type with a picture).
_CONTAINER_MIME = {
    "matroska,webm": ("audio/webm", "video/webm"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("audio/mp4", "video/mp4"),
    "ogg": ("audio/ogg", "video/ogg"),
    "wav": ("audio/wav", "audio/wav"),
    "mp3": ("audio/mpeg", "audio/mpeg"),
}


def _probed_mime(container: str, has_video: bool) -> str:
    """The media type of what the file really is (a WAV sent as "video/webm" is served as
    WAV, so players read it), or "" for a container not listed."""
    kinds = _CONTAINER_MIME.get(container)
    return kinds[1 if has_video else 0] if kinds else ""


def _media_problem(rec: Recording, path: Path) -> str:
    """Probe the file, note its duration and picture on ``rec``, and say why it can't be
    scored ("" when it can)."""
    from prepple.services import media

    try:
        info = media.probe(path)
    except media.MediaError as exc:
        return exc.user_message + _kept_for()
    rec.duration_seconds = float(info.duration)
    rec.has_video = bool(info.has_video)
    rec.mime = _probed_mime(info.container, info.has_video) or rec.mime
    if info.duration > get_settings().max_recording_seconds:
        return too_long_message()
    if too_short(rec):
        return TOO_SHORT + _kept_for()
    return ""


def _kept_for() -> str:
    """How long an unusable upload's file is kept (housekeeping then deletes its bytes)."""
    days = get_settings().unusable_media_days
    return (
        f" We keep the file for {days} day{'s' if days != 1 else ''} so you can "
        "download it or try again; then it is deleted."
    )


def too_short(rec: Recording) -> bool:
    """Whether a recording is too short to be an answer (under :data:`MIN_TAKE_SECONDS`,
    also a NaN duration)."""
    return not (rec.duration_seconds or 0) >= MIN_TAKE_SECONDS


def too_long_message() -> str:
    """Why a recording over the length limit isn't scored."""
    limit = get_settings().max_recording_seconds
    span = f"{limit // 60} minutes" if limit >= 120 else f"{limit} seconds"
    return f"This recording is longer than {span}, the longest we score."


def too_long(rec: Recording) -> bool:
    """Whether a recording is longer than the settings allow to process."""
    return rec.duration_seconds > get_settings().max_recording_seconds


def _delete_media_after_commit(session: Session, key: str) -> None:
    """Delete stored media once the transaction that dropped its row commits (a rolled-back
    delete keeps both)."""
    from prepple.services import storage

    pending = session.info.setdefault("prepple_media_to_delete", [])
    if not pending:

        @sa_event.listens_for(session, "after_commit", once=True)
        def _purge(sess: Session) -> None:
            store = storage.get_storage()
            for media_key in sess.info.pop("prepple_media_to_delete", []):
                store.delete(media_key)

        @sa_event.listens_for(session, "after_rollback", once=True)
        def _keep(sess: Session) -> None:
            sess.info.pop("prepple_media_to_delete", None)

    pending.append(key)


def recording_discard(*, session: Session, recording_id: object, user_id: int) -> None:
    """Delete a recording (any status) and its media, staged or stored (the stored media
    goes when the deletion commits)."""
    rec = _owned(session, recording_id, user_id)
    staging_path(rec.id).unlink(missing_ok=True)
    if rec.media_key:
        _delete_media_after_commit(session, rec.media_key)
    session.delete(rec)
    session.flush()


def recordings_purge_user(*, session: Session, user_id: int) -> int:
    """Delete every recording's media of a user (before the account itself is deleted)."""
    rows = session.exec(select(Recording).where(Recording.user_id == user_id)).all()
    for rec in rows:
        recording_discard(session=session, recording_id=rec.id, user_id=user_id)
    return len(rows)


def recording_retry(*, session: Session, recording_id: object, user_id: int) -> Recording:
    """Queue a failed recording again (its media is kept, so nothing needs re-recording)."""
    rec = _owned(session, recording_id, user_id)
    if rec.status != "failed" or not rec.media_key:
        raise RecordingError("Only a recording that failed can be processed again.", 409)
    if too_long(rec):
        raise RecordingError(too_long_message(), 422)
    if too_short(rec):
        raise RecordingError(TOO_SHORT, 422)
    rec.status = "queued"
    rec.failure_reason = ""
    rec.progress = 0.0
    rec.attempts = 0
    rec.updated_at = utcnow()
    session.add(rec)
    session.flush()
    return rec


# ---------------------------------------------------------------------------------------------
# The job lease


def _pid_namespace() -> str:
    """This process's pid namespace (containers sharing a host name have different ones)."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "0"


def worker_identity() -> str:
    """``host:pid-namespace:pid`` of this process: who holds a lease."""
    return f"{socket.gethostname()[:50]}:{_pid_namespace()}:{os.getpid()}"


def _holder_dead(owner: str) -> bool:
    """Whether a lease holder is a process of this machine and pid namespace that no longer
    runs (a process we can't see from here is never presumed dead: its lease runs out)."""
    host, namespace, pid = ([*owner.rsplit(":", 2), "", "", ""])[:3]
    if host != socket.gethostname()[:50] or namespace != _pid_namespace() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


#: A worker renews its lease this often (``jobs.HEARTBEAT_SECONDS``).
HEARTBEAT_SECONDS = 10.0


def recording_claim(
    *, session: Session, recording_id: int, owner: str, lease_seconds: int = LEASE_SECONDS
) -> Recording | None:
    """Take the job for a recording, atomically; ``None`` if another worker holds it or it is
    not waiting (done, failed, deleted). A lease whose holder died is taken over at once."""
    now = utcnow()
    rec = session.get(Recording, recording_id)
    if rec is None:
        return None
    stale_holder = rec.status in WORKING and bool(rec.lease_owner) and _holder_dead(rec.lease_owner)
    claimable = or_(
        col(Recording.status) == "queued",
        (col(Recording.status).in_(WORKING))
        & (or_(col(Recording.lease_until).is_(None), col(Recording.lease_until) < now)),
    )
    if stale_holder:
        claimable = or_(
            claimable,
            (col(Recording.status).in_(WORKING)) & (col(Recording.lease_owner) == rec.lease_owner),
        )
    result = session.exec(
        update(Recording)
        .where(col(Recording.id) == recording_id, claimable)
        .values(
            status="transcribing",
            progress=0.0,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Recording.attempts + 1,
            updated_at=now,
        )
    )
    session.commit()
    if result.rowcount != 1:
        return None
    session.refresh(rec)
    return rec


def recording_heartbeat(
    *,
    session: Session,
    recording_id: int,
    owner: str,
    status: str | None = None,
    progress: float | None = None,
    lease_seconds: int = LEASE_SECONDS,
) -> bool:
    """Renew the lease and record progress; ``False`` if the lease was lost to another worker."""
    now = utcnow()
    values: dict = {"lease_until": now + timedelta(seconds=lease_seconds), "updated_at": now}
    if status is not None:
        values["status"] = status
    if progress is not None:
        values["progress"] = max(0.0, min(1.0, float(progress)))
    result = session.exec(
        update(Recording)
        .where(
            col(Recording.id) == recording_id,
            col(Recording.lease_owner) == owner,
            col(Recording.status).in_(WORKING),
        )
        .values(**values)
    )
    session.commit()
    return result.rowcount == 1


def recording_finish(
    *,
    session: Session,
    recording_id: int,
    owner: str,
    transcript: dict,
    report: dict,
    overall: int | None,
) -> bool:
    """Store the results and mark the recording done (only by the lease holder)."""
    now = utcnow()
    result = session.exec(
        update(Recording)
        .where(col(Recording.id) == recording_id, col(Recording.lease_owner) == owner)
        .where(col(Recording.status).in_(WORKING))
        .values(
            status="done",
            progress=1.0,
            transcript_json=json.dumps(transcript),
            report_json=json.dumps(report),
            overall=overall,
            lease_owner="",
            lease_until=None,
            finished_at=now,
            updated_at=now,
        )
    )
    session.commit()
    return result.rowcount == 1


def recording_fail(*, session: Session, recording_id: int, reason: str, owner: str = "") -> bool:
    """Mark a recording failed with a reason people can read. The media stays."""
    now = utcnow()
    stmt = update(Recording).where(col(Recording.id) == recording_id)
    if owner:
        stmt = stmt.where(col(Recording.lease_owner) == owner)
    result = session.exec(
        stmt.values(
            status="failed",
            failure_reason=reason[:500],
            lease_owner="",
            lease_until=None,
            updated_at=now,
        )
    )
    session.commit()
    return result.rowcount == 1


def recording_release(*, session: Session, recording_id: int, owner: str) -> bool:
    """Give a job back to the queue (status ``queued``) after a run that will be retried."""
    result = session.exec(
        update(Recording)
        .where(col(Recording.id) == recording_id, col(Recording.lease_owner) == owner)
        .where(col(Recording.status).in_(WORKING))
        .values(status="queued", lease_owner="", lease_until=None, updated_at=utcnow())
    )
    session.commit()
    return result.rowcount == 1


def recordings_stale(*, session: Session, now: datetime | None = None) -> list[int]:
    """Recordings whose job was lost: queued a while ago and never taken (the queue lost its
    message), or being processed by a worker whose lease ran out or which died. Queued ones
    are stamped as re-sent, so a long queue isn't flooded with copies."""
    now = now or utcnow()
    queued_before = now - timedelta(seconds=QUEUED_GRACE_SECONDS)
    rows = session.exec(
        select(
            Recording.id,
            Recording.status,
            Recording.lease_owner,
            Recording.lease_until,
            Recording.updated_at,
        )
        .where(col(Recording.status).in_(("queued", *WORKING)))
        .order_by(col(Recording.id))
    ).all()
    stale = []
    for rid, status, owner, until, updated in rows:
        if status == "queued":
            if updated < queued_before:
                stale.append(rid)
        elif until is None or until < now or (owner and _holder_dead(owner)):
            stale.append(rid)
    if stale:
        # Re-sent now: the next sweep waits a full grace period before sending them again.
        session.exec(
            update(Recording)
            .where(col(Recording.id).in_(stale), col(Recording.status) == "queued")
            .values(updated_at=now)
        )
    return stale


def recordings_prune(*, session: Session, now: datetime | None = None) -> int:
    """Drop uploads abandoned for a week (never completed), with their staging files, and
    delete the bytes of files that were never playable media once they were kept
    ``unusable_media_days`` (the row stays, failed, saying the file was deleted). Returns how
    many rows were dropped or emptied."""
    now = now or utcnow()
    cutoff = now - timedelta(days=ABANDONED_UPLOAD_DAYS)
    rows = session.exec(
        select(Recording).where(Recording.status == "uploading", Recording.created_at < cutoff)
    ).all()
    for rec in rows:
        staging_path(rec.id).unlink(missing_ok=True)
        session.delete(rec)
    # Unusable media: the probe failed, so no duration was ever read, or the take was under
    # a second (a recording that failed later, in transcription, was long enough to be
    # processed and keeps its media).
    unusable_before = now - timedelta(days=get_settings().unusable_media_days)
    junk = session.exec(
        select(Recording).where(
            Recording.status == "failed",
            Recording.media_key != "",
            Recording.duration_seconds < MIN_TAKE_SECONDS,
            Recording.updated_at < unusable_before,
        )
    ).all()
    for rec in junk:
        _delete_media_after_commit(session, rec.media_key)
        rec.media_key = ""
        rec.size_bytes = 0
        rec.failure_reason = SHORT_DELETED if rec.duration_seconds > 0 else UNUSABLE_DELETED
        session.add(rec)
    session.flush()
    return len(rows) + len(junk)


def recordings_fair_order(*, session: Session, limit: int = 20) -> list[int]:
    """Queued recordings in the order jobs should take them: round-robin by user.

    A recording's turn is its place in its owner's queue; every user's first turn comes
    before anyone's second. Among equal turns the user served least recently goes first
    (served: a job of theirs ran or finished; a user with a job running now was served
    now). So a user with one short answer waits for at most the jobs already running, never
    for another user's backlog."""
    queued = session.exec(
        select(Recording.id, Recording.user_id)
        .where(Recording.status == "queued")
        .order_by(col(Recording.id))
        .limit(2000)
    ).all()
    if not queued:
        return []
    users = {uid for _, uid in queued}
    now = utcnow()
    served: dict[int, datetime] = {}
    for uid, status, last in session.exec(
        select(Recording.user_id, Recording.status, func.max(Recording.updated_at))
        .where(
            col(Recording.user_id).in_(users),
            col(Recording.status).in_((*WORKING, "done", "failed")),
        )
        .group_by(Recording.user_id, Recording.status)
    ).all():
        when = now if status in WORKING else last
        if when is not None:
            when = when.replace(tzinfo=None)  # SQLite hands back naive UTC times
        if when is not None and (uid not in served or when > served[uid]):
            served[uid] = when
    turns: dict[int, int] = {}
    keyed = []
    never = datetime.min
    for rid, uid in queued:
        turns[uid] = turns.get(uid, 0) + 1
        keyed.append(((turns[uid], served.get(uid, never), rid), rid))
    keyed.sort()
    return [rid for _, rid in keyed[:limit]]


# ---------------------------------------------------------------------------------------------
# Views for pages


@dataclass
class AttemptSummary:
    """One attempt in a list: enough to pick it and compare it."""

    id: int
    question_id: int
    status: str
    created: str
    duration: str
    overall: int | None
    cheat_sheet: str


@dataclass
class RecordingView:
    """A recording as its results page shows it."""

    id: int
    question_id: int
    question_text: str
    status: str
    progress: float
    failure_reason: str
    cheat_sheet: str
    has_video: bool
    mime: str
    duration_seconds: float
    created: str
    transcript: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)
    plan: dict = field(default_factory=dict)


def format_duration(seconds: float) -> str:
    """Seconds as m:ss (:func:`prepple.services.rules.clock`: whole seconds cut)."""
    return clock(seconds)


def recording_progress(
    *, session: Session, recording_id: object, user_id: int
) -> tuple[str, float]:
    """``(status, progress 0..1)`` of the owner's recording (one small query for polling)."""
    rec = _owned(session, recording_id, user_id)
    return rec.status, rec.progress


def recording_view(*, session: Session, recording_id: object, user_id: int) -> RecordingView:
    """The owner's view of one recording (RecordingError 404 for anyone else)."""
    rec = _owned(session, recording_id, user_id)
    question = session.get(Question, rec.question_id)
    return RecordingView(
        id=rec.id,
        question_id=rec.question_id,
        question_text=question.text if question else "",
        status=rec.status,
        progress=rec.progress,
        failure_reason=rec.failure_reason,
        cheat_sheet=rec.cheat_sheet,
        has_video=rec.has_video,
        mime=rec.mime,
        duration_seconds=rec.duration_seconds,
        created=f"{rec.created_at:%Y-%m-%d %H:%M} UTC",
        transcript=json.loads(rec.transcript_json) if rec.transcript_json else {},
        report=json.loads(rec.report_json) if rec.report_json else {},
        plan=json.loads(rec.plan_json or "{}"),
    )


def attempts(*, session: Session, user_id: int, question_id: int) -> list[AttemptSummary]:
    """The user's attempts at one question, newest first (uploads in progress left out)."""
    rows = session.exec(
        select(Recording)
        .where(
            Recording.user_id == user_id,
            Recording.question_id == question_id,
            Recording.status != "uploading",
        )
        .order_by(col(Recording.created_at).desc(), col(Recording.id).desc())
    ).all()
    return [
        AttemptSummary(
            id=r.id,
            question_id=r.question_id,
            status=r.status,
            created=f"{r.created_at:%Y-%m-%d %H:%M}",
            duration=format_duration(r.duration_seconds),
            overall=r.overall,
            cheat_sheet=r.cheat_sheet,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class MediaLocation:
    """Where to stream a recording from; ``private`` is False for anyone but the owner (their
    responses must not be cached, so a revoked share stops at once)."""

    path: Path | None
    url: str | None
    mime: str
    owner: bool


SHARED_PRESIGN_SECONDS = 600  # long enough to seek through a long answer


def resume_media_token(recording_id: int, resume_id: int, resume_stamp: int) -> str:
    """A token that lets anyone play one recording of one published resume (6 hours); the
    route checks on every request that the resume (``resume_stamp``: its creation time, see
    ``signing.stamp``) is still published, its owner active, and that it includes it."""
    payload = {"r": recording_id, "res": resume_id, "rc": resume_stamp}
    return signing.sign("resume-media", payload, ttl_seconds=MEDIA_TOKEN_SECONDS)


def media_for_token(*, session: Session, token: object, recording_id: object) -> MediaLocation:
    """Check a playback token again, now, and say where the media is.

    A ``media`` token names the viewer's account and log-in session (a visitor holding a link:
    none) and the link key they came through; the session must still stand, then
    :func:`prepple.services.sharing.access` decides as for every other request. A
    ``resume-media`` token is good while its resume (the very one: its creation time is in
    the token) is published, its owner active, and it includes the recording."""
    from prepple.services import resumes, sharing, storage

    try:
        data = signing.verify("media", token)
        rid, uid, key, resume_id = int(data["r"]), int(data.get("u", 0)), str(data.get("k", "")), 0
    except (signing.BadToken, KeyError, TypeError, ValueError):
        try:
            data = signing.verify("resume-media", token)
            rid, uid, key, resume_id = int(data["r"]), 0, "", int(data["res"])
        except (signing.BadToken, KeyError, TypeError, ValueError) as exc:
            raise RecordingError(EXPIRED_LINK, 403) from exc
    if str(rid) != str(recording_id):
        raise RecordingError("This link is for another recording.", 403)
    owner = False
    if resume_id:
        if not resumes.resume_media_allowed(
            session=session, resume_id=resume_id, recording_id=rid, resume_stamp=data.get("rc")
        ):
            raise RecordingError("This resume is no longer published.", 403)
    else:
        if uid:
            _holder_user(session, data)
        viewer = sharing.viewer_of(session, uid)
        try:
            grant = sharing.access(
                session=session, viewer=viewer, target=sharing.Target("recording", rid), key=key
            )
        except sharing.ShareError as exc:
            raise RecordingError(exc.message, 403 if exc.status == 401 else exc.status) from exc
        owner = grant.is_owner
    rec = session.get(Recording, rid)
    if rec is None or not rec.media_key:
        raise RecordingError("This recording has no media yet.", 404)
    store = storage.get_storage()
    expires = None if owner else SHARED_PRESIGN_SECONDS
    return MediaLocation(
        store.local_path(rec.media_key),
        store.playback_url(rec.media_key, expires=expires),
        rec.mime,
        owner,
    )
