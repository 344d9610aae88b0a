"""The Reflex app: theme, pages, error handling. Page modules register themselves with @rx.page."""

import asyncio
import fcntl
import logging
import os
import secrets
import traceback

import reflex as rx

from prepple.api import api
from prepple.components.theme import GLOBAL_STYLE
from prepple.db import session_scope
from prepple.pages import (  # noqa: F401 - importing registers the pages
    account,
    admin,
    auth,
    errors,
    gallery,
    home,
    planner,
    practice,
    progress,
    questions,
    reminders,
    resume,
    schedule,
    sharing,
)
from prepple.pages.feature_flags import gate_flagged_pages
from prepple.security import guard_socket_packets, with_security_headers
from prepple.services import answer_index
from prepple.services.feedback import AnswerInput, analyze

logger = logging.getLogger("prepple")


def backend_error(exception: Exception) -> rx.event.EventSpec:
    """Log an unexpected server error with a reference, and tell the user plainly."""
    ref = secrets.token_hex(4)
    logger.error(
        "unhandled error ref=%s\n%s",
        ref,
        "".join(traceback.format_exception(type(exception), exception, exception.__traceback__)),
    )
    return rx.toast.error(
        "Something went wrong on our side.",
        description=f"Nothing you typed was lost; please try again. (ref {ref})",
        id="backend-error",
        close_button=True,
    )


app = rx.App(
    style=GLOBAL_STYLE,
    stylesheets=["/prepple.css"],
    head_components=[
        rx.script(src="/prepple_drafts.js"),
        rx.script(src="/prepple_recorder.js"),
        rx.el.meta(name="description", content="Prepare for behavioral interviews with Prepple."),
    ],
    backend_exception_handler=backend_error,
    # The API routes, then security headers around everything served (prepple/security.py).
    api_transformer=[api, with_security_headers],
)


def _warm() -> None:
    # The first analysis loads the pronouncing dictionary and the section model (about 1 s);
    # answers saved before the shared near-copy index existed (or under an older signature
    # scheme) are indexed (answer_index.backfill; nothing to do once done).
    analyze(AnswerInput("STAR", text="I led the team. We shipped on time and cut costs by 10%."))
    from prepple.settings import get_settings

    # One backend worker on this machine at a time (the others then find nothing left to do).
    with (get_settings().data_dir / "near-copy-backfill.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with session_scope() as session:
            indexed = answer_index.backfill(session=session)
    if indexed:
        logger.info("near-copy index: indexed %d saved answers", indexed)


async def warm_up() -> None:
    """Load the feedback engine's data at start-up, off the event loop, so the first person
    to plan an answer doesn't wait for it."""
    try:
        await asyncio.to_thread(_warm)
    except Exception:  # noqa: BLE001 - a cold start is slower, not broken
        logger.exception("warm-up failed")


async def embedded_worker() -> None:
    """The embedded default's job worker: one ``prepple worker`` process beside the app,
    restarted if it dies. A lock file makes sure only one app process on this machine runs it
    (Reflex starts several backend workers when scaled out). The worker ends with this
    process, even after ``kill -9``, and waits for a previous one to end before it starts
    (``jobs.die_with_parent``, ``jobs.hold_embedded_slot``). Off with
    ``PREPPLE_EMBEDDED_WORKER=false`` when workers run elsewhere."""
    from prepple.jobs import worker_command
    from prepple.settings import get_settings

    settings = get_settings()
    if not settings.embedded_worker:
        return
    lock = (settings.data_dir / "worker.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return  # another app process on this machine runs the worker
    try:
        while True:
            proc = await asyncio.create_subprocess_exec(
                *worker_command(os.getpid()), env=dict(os.environ)
            )
            try:
                code = await proc.wait()
            except asyncio.CancelledError:
                proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), timeout=10)
                except TimeoutError:
                    proc.kill()
                raise
            logger.warning("job worker exited with %s; starting it again", code)
            await asyncio.sleep(2)
    finally:
        lock.close()


app.register_lifespan_task(guard_socket_packets)
app.register_lifespan_task(embedded_worker)
app.register_lifespan_task(warm_up)
app.add_page(errors.not_found_page, route="404", title="Page not found - Prepple")
gate_flagged_pages()  # a disabled feature's pages show one "turned off" page
