"""HTTP routes beside the Reflex app: resumable recording upload and media playback.

These are plain Starlette routes (mounted through ``rx.App(api_transformer=...)``) because
video bytes should not travel over the state websocket. They authorise with signed tokens
(``prepple.services.signing``) that a guarded event handler hands to the owner's browser, so
the same server-side checks apply as everywhere else: a token names one recording and the
account and log-in session it was made for, for one purpose, and expires; every request checks
again that the session still stands (log-out, a password change or deactivation ends the link)
and, for uploads, that the recording is the very one the token was made for. All database and
file work runs in worker threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from prepple.db import session_scope
from prepple.services import recordings
from prepple.services.recordings import OffsetMismatch, RecordingError
from prepple.services.storage import StorageError

logger = logging.getLogger("prepple.api")

NO_STORE = {"Cache-Control": "no-store"}


def _error(exc: RecordingError) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error": exc.message}
    if isinstance(exc, OffsetMismatch):
        body["received"] = exc.received
    return JSONResponse(body, status_code=exc.status, headers=NO_STORE)


async def _in_session(fn: Callable[..., Any], **kwargs: Any) -> Any:
    def run() -> Any:
        with session_scope() as session:
            return fn(session=session, **kwargs)

    return await run_in_threadpool(run)


def _upload_precheck(request: Request) -> None:
    """Refuse a malformed, forged or expired token before reading any body."""
    recordings.token_target(
        "upload", request.headers.get("x-upload-token"), request.path_params["rid"]
    )


async def _upload_call(request: Request, fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Run ``fn`` for the recording and owner the upload token names, after checking, in the
    same transaction, that the token still stands (:func:`recordings.upload_authorise`)."""
    token = request.headers.get("x-upload-token")
    rid_param = request.path_params["rid"]

    def run() -> Any:
        with session_scope() as session:
            rid, uid = recordings.upload_authorise(
                session=session, token=token, recording_id=rid_param
            )
            return fn(session=session, recording_id=rid, user_id=uid, **kwargs)

    return await run_in_threadpool(run)


async def upload_status(request: Request) -> Response:
    """``GET``: how many bytes the server holds (the browser resumes from there)."""
    try:
        _upload_precheck(request)
        status = await _upload_call(request, recordings.upload_status)
    except RecordingError as exc:
        return _error(exc)
    return JSONResponse({"ok": True, **status}, headers=NO_STORE)


async def _read_chunk(request: Request) -> bytes:
    """The request body, refusing more than one chunk's worth (never a whole video)."""
    declared = request.headers.get("content-length")
    if declared is not None and not (declared.isascii() and declared.isdigit()):
        raise RecordingError("The chunk's length (Content-Length) is malformed.", 400)
    if declared is not None and int(declared) > recordings.CHUNK_MAX:
        raise RecordingError("Chunks may be at most 8 MB.", 413)
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > recordings.CHUNK_MAX:
            raise RecordingError("Chunks may be at most 8 MB.", 413)
        parts.append(part)
    return b"".join(parts)


async def upload_chunk(request: Request) -> Response:
    """``PUT ?offset=N``: append one chunk at byte ``N``."""
    try:
        _upload_precheck(request)
        offset_text = request.query_params.get("offset", "")
        if not offset_text.isdigit():
            raise RecordingError("The chunk's offset is missing.", 400)
        data = await _read_chunk(request)
        received = await _upload_call(
            request, recordings.upload_append, offset=int(offset_text), data=data
        )
    except RecordingError as exc:
        return _error(exc)
    return JSONResponse({"ok": True, "received": received}, headers=NO_STORE)


async def upload_complete(request: Request) -> Response:
    """``POST ?total=N``: the upload is whole; probe, store and queue it."""
    from prepple import jobs

    try:
        _upload_precheck(request)
        total_text = request.query_params.get("total", "")
        if not total_text.isdigit():
            raise RecordingError("The recording's size is missing.", 400)
        rec = await _upload_call(request, recordings.upload_complete, total=int(total_text))
    except RecordingError as exc:
        return _error(exc)
    except StorageError:
        logger.exception("storing recording %s failed", request.path_params["rid"])
        return _error(RecordingError("We couldn't store the recording just now; try again.", 503))
    if rec.status == "queued":
        # Also for a repeated request: a second message is harmless (one run takes the lease).
        await run_in_threadpool(jobs.enqueue_recording, rec.id)
    if rec.status != "failed":
        return JSONResponse({"ok": True, "id": rec.id, "status": rec.status}, headers=NO_STORE)
    # Stored, but not usable media: the browser may drop its copy; the reason is shown.
    return JSONResponse(
        {"ok": False, "stored": True, "id": rec.id, "error": rec.failure_reason},
        status_code=422,
        headers=NO_STORE,
    )


async def media(request: Request) -> Response:
    """``GET ?token=...``: stream a recording (HTTP ranges, so the player can seek), or
    redirect to a short-lived presigned S3 URL."""
    try:
        where = await _in_session(
            recordings.media_for_token,
            token=request.query_params.get("token"),
            recording_id=request.path_params["rid"],
        )
    except RecordingError as exc:
        return _error(exc)
    except StorageError:
        logger.exception("locating media of recording %s failed", request.path_params["rid"])
        return _error(RecordingError("This recording can't be played just now.", 503))
    # Only the owner's browser may cache; anyone else asks again (a revoked share stops at once).
    cache = {"Cache-Control": "private, max-age=600"} if where.owner else NO_STORE
    if where.path is not None:
        if not where.path.is_file():
            return _error(RecordingError("This recording's media is missing.", 404))
        return FileResponse(where.path, media_type=where.mime, headers=cache)
    if where.url:
        return RedirectResponse(where.url, status_code=302, headers=NO_STORE)
    return _error(RecordingError("This recording is not available.", 404))


async def schedule_ics(request: Request) -> Response:
    """``GET ?token=...``: the user's practice schedule as an iCalendar file (a calendar app
    subscribes with this link; it can't log in, so the link carries a signed token naming the
    account and the log-in session it was made in)."""
    from datetime import datetime

    from prepple.services import accounts, reminders, schedule, signing

    try:
        holder = signing.Holder.from_claims(
            signing.verify("ics", request.query_params.get("token"))
        )
    except signing.BadToken:
        return _error(RecordingError("This calendar link has expired; download it again.", 403))

    def build() -> bytes | None:
        with session_scope() as db:
            if accounts.holder_check(session=db, holder=holder) is None:
                # Logged out, password changed, deactivated or deleted: the link stops.
                return None
            user_id = holder.user_id
            zone = reminders.user_zone(session=db, user_id=user_id)
            today = datetime.now(zone).date()
            return schedule.plan_ics(session=db, user_id=user_id, today=today, tz=zone.key)

    body = await run_in_threadpool(build)
    if body is None:
        return _error(RecordingError("This calendar link is no longer valid.", 403))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="prepple-plan.ics"', **NO_STORE},
    )


api = Starlette(
    routes=[
        Route("/api/recordings/{rid:int}/upload", upload_status, methods=["GET"]),
        Route("/api/recordings/{rid:int}/upload", upload_chunk, methods=["PUT"]),
        Route("/api/recordings/{rid:int}/upload/complete", upload_complete, methods=["POST"]),
        Route("/api/recordings/{rid:int}/media", media, methods=["GET"]),
        Route("/api/schedule.ics", schedule_ics, methods=["GET"]),
    ]
)
