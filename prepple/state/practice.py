"""Practice on camera: the recorder page, practice sessions, and a recording's results.

The browser side of recording lives in ``assets/prepple_recorder.js`` (MediaRecorder, the
countdown, the timer, the copy kept in IndexedDB, the chunked upload). These handlers are the
server side: they decide who may upload (``begin_upload`` hands the owner's browser a signed,
single-recording upload token), and they read the pipeline's progress from the database.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass

import reflex as rx

from prepple import jobs
from prepple.db import session_scope
from prepple.models import Recording
from prepple.services import planner, practice, recordings
from prepple.services import questions as qs
from prepple.services.authz import PUBLIC, SIGNED_IN
from prepple.services.recordings import AttemptSummary, RecordingError
from prepple.state.actions import perform
from prepple.state.session import (
    as_int,
    current_holder,
    current_principal,
    guarded,
    json_dict,
    session_of,
    visitor_ids,
)

CHEAT_LABELS = {"script": "Full script", "bullets": "Bullets", "none": "No notes"}
#: A take shorter than this is no answer (stopped at 0:00): it isn't saved. The service
#: refuses one too (a crafted upload skips this check), with the same message.
MIN_TAKE_SECONDS = recordings.MIN_TAKE_SECONDS
TOO_SHORT = recordings.TOO_SHORT


def _bullet_lines(bullets: str) -> list[str]:
    """The plan's bullets as list items (without their "- " marks: the list draws its own)."""
    out = []
    for line in bullets.splitlines():
        text = line.strip()
        for mark in ("- ", "* ", "• "):
            if text.startswith(mark):
                text = text[len(mark) :].strip()
                break
        if text:
            out.append(text)
    return out


SECTION_COLORS = {
    "situation": "blue",
    "context": "blue",
    "task": "violet",
    "obstacle": "violet",
    "action": "grass",
    "result": "amber",
    "learning": "cyan",
}


@dataclass
class Token:
    """One piece of the transcript as the page shows it."""

    text: str
    start: str  # seconds, as text for a data attribute
    kind: str  # word, filler, pause
    section: str = ""


@dataclass
class Band:
    """A framework section's span on the timeline, as percentages of the recording."""

    section: str
    label: str
    left: str
    width: str
    color: str
    start: str


@dataclass
class Score:
    """A named 0-100 score for a meter."""

    name: str
    value: int
    detail: str = ""


@dataclass
class Change:
    """One figure compared with the previous attempt at the same question."""

    name: str
    before: str
    after: str
    delta: str
    better: bool


@dataclass
class Tip:
    """One piece of advice, optionally tied to a moment in the recording."""

    severity: str
    message: str
    at: str = ""


class PracticeState(rx.State):
    """One question on the practice page, the chosen cheat sheet, and the session's queue."""

    question_id: int = 0
    question_text: str = ""
    not_found: bool = False
    loaded: bool = False
    cheat_sheet: str = "bullets"
    script: str = ""
    bullets: list[str] = []
    has_plan: bool = False
    attempts: list[AttemptSummary] = []
    # A practice session: the questions in order, where we are, and a key grouping the takes.
    queue: list[int] = []
    position: int = 0
    practice_key: str = ""
    saved_id: int = 0
    upload_error: str = ""
    companies: list[qs.Facet] = []

    @rx.var
    def session_label(self) -> str:
        """``Question 2 of 5`` inside a session, else empty."""
        if self.question_id in self.queue:
            return f"Question {self.queue.index(self.question_id) + 1} of {len(self.queue)}"
        return ""

    @rx.var
    def next_question(self) -> int:
        """The next question of the session, or 0."""
        if self.question_id in self.queue:
            index = self.queue.index(self.question_id) + 1
            return self.queue[index] if index < len(self.queue) else 0
        return 0

    @rx.event
    @guarded(PUBLIC, flag="practice")
    async def load(self):
        """Open the practice page for the question in the URL."""
        qid = as_int(self.router.page.params.get("qid", ""))
        self.not_found, self.saved_id, self.upload_error = False, 0, ""
        self.script, self.bullets, self.has_plan, self.attempts = "", [], False, []
        with session_scope() as db:
            question = qs.question_get(session=db, question_id=qid) if qid else None
            if question is None:
                self.not_found, self.loaded = True, True
                return
            self.question_id, self.question_text = question.id, question.text
            principal = current_principal()
            framework, sections = "STAR", {}
            if principal.is_authenticated:
                view = planner.plan_get(session=db, user_id=principal.user_id, question_id=qid)
                if view:
                    framework, sections = view.framework, view.sections
                    self.bullets = _bullet_lines(view.bullets)
                self.attempts = recordings.attempts(
                    session=db, user_id=principal.user_id, question_id=qid
                )
            else:
                plan = json_dict((await session_of(self)).visitor_plans).get(str(qid))
                if isinstance(plan, dict) and isinstance(plan.get("sections"), dict):
                    framework = str(plan.get("framework", "STAR")).upper()
                    sections = {k: v for k, v in plan["sections"].items() if isinstance(v, str)}
        self.script = planner.script_of(framework, sections) if sections else ""
        if self.script and not self.bullets:
            self.bullets = _bullet_lines(planner.bullets_of(self.script))
        self.has_plan = bool(self.script.strip())
        if not self.has_plan and self.cheat_sheet != "none":
            self.cheat_sheet = "none"
        self.loaded = True
        return rx.call_script("window.preppleRecorder && window.preppleRecorder.pageReady()")

    @rx.event
    @guarded(PUBLIC, flag="practice")
    def load_start(self):
        """Open the session picker (the companies with question sets)."""
        with session_scope() as db:
            _, self.companies = qs.facets(session=db)

    @rx.event
    @guarded(PUBLIC, flag="practice")
    def set_cheat_sheet(self, value: str | list[str]):
        """Choose what to see while answering: the full script, bullets or nothing."""
        if isinstance(value, str) and value in recordings.CHEAT_SHEETS:
            self.cheat_sheet = value

    @rx.event
    @guarded(PUBLIC, flag="practice")
    async def start_session(self, form: dict):
        """Start a practice session: pick the questions and open the first."""
        source = str(form.get("source", "random")) if isinstance(form, dict) else "random"
        company = ""
        if source.startswith("company:"):
            source, company = "company", source.removeprefix("company:")[:60]
        if source not in practice.SOURCES:
            source = "random"
        count = as_int(form.get("count", 3) if isinstance(form, dict) else 3) or 3
        cheat = form.get("cheat_sheet") if isinstance(form, dict) else None
        if cheat in recordings.CHEAT_SHEETS:
            self.cheat_sheet = cheat
        principal = current_principal()
        visitor_saved = visitor_ids((await session_of(self)).visitor_saved)
        with session_scope() as db:
            ids = practice.practice_set(
                session=db,
                user_id=principal.user_id,
                source=source,
                company=company,
                count=count,
                saved_ids=visitor_saved,
            )
        if not ids:
            empty = {
                "saved": "Your practice list is empty. Save questions from the bank first.",
                "planned": "You haven't planned any answers yet.",
            }
            return rx.toast.info(empty.get(source, "No questions match."), id="practice-empty")
        self.queue, self.practice_key = ids, uuid.uuid4().hex
        return rx.redirect(f"/practice/{ids[0]}")

    @rx.event
    @guarded(SIGNED_IN, flag="practice")
    def begin_upload(self, info: dict):
        """The user pressed Save: make (or resume) the recording's row and hand the browser a
        token for uploading exactly that recording."""
        info = info if isinstance(info, dict) else {}
        if not as_int(info.get("size")):
            return  # no take in the browser (or a second click): nothing to upload
        duration = info.get("duration")
        if (
            not isinstance(duration, (int, float))
            or isinstance(duration, bool)
            or not duration >= MIN_TAKE_SECONDS  # also NaN
        ):
            self.upload_error = TOO_SHORT
            return rx.call_script(f"window.preppleRecorder.failed({json.dumps(TOO_SHORT)})")
        principal = current_principal()
        self.upload_error = ""
        try:
            with session_scope() as db:
                rec = None
                previous = as_int(info.get("rid"))
                if previous:
                    # The same take saved again (the connection dropped, or the answer to the
                    # last request was lost): resume that row, whatever stage it reached.
                    found = db.get(Recording, previous)
                    rec = found if found and found.user_id == principal.user_id else None
                if rec is None:
                    rec = recordings.recording_create(
                        session=db,
                        user_id=principal.user_id,
                        question_id=as_int(info.get("qid")) or self.question_id,
                        cheat_sheet=info.get("cheat_sheet", self.cheat_sheet),
                        mime=info.get("mime", ""),
                        practice_key=self.practice_key,
                    )
                rid, token = rec.id, recordings.upload_token(rec, current_holder())
        except RecordingError as exc:
            self.upload_error = exc.message
            return rx.call_script(f"window.preppleRecorder.failed({json.dumps(exc.message)})")
        return rx.call_script(
            f"window.preppleRecorder.upload({rid}, {json.dumps(token)})",
            callback=PracticeState.upload_finished,
        )

    @rx.event
    @guarded(SIGNED_IN, flag="practice")
    def upload_finished(self, result: dict):
        """The browser finished (or gave up on) an upload."""
        result = result if isinstance(result, dict) else {}
        rid = as_int(result.get("id"))
        if not result.get("ok") and not result.get("stored"):
            self.upload_error = str(result.get("error") or "The upload didn't finish.")[:300]
            return
        if not rid:
            return
        with session_scope() as db:
            try:
                recordings.upload_status(
                    session=db, recording_id=rid, user_id=current_principal().user_id
                )
            except RecordingError:
                return
        self.saved_id = rid
        if not self.next_question:
            return rx.redirect(f"/recordings/{rid}")


class RecordingState(rx.State):
    """One recording's results page: live progress while it is processed, then the results."""

    recording_id: int = 0
    not_found: bool = False
    question_id: int = 0
    question_text: str = ""
    status: str = ""
    progress: int = 0
    failure_reason: str = ""
    created: str = ""
    cheat_sheet: str = ""
    has_video: bool = False
    media_url: str = ""
    duration: str = ""
    no_speech: bool = False
    tokens: list[Token] = []
    bands: list[Band] = []
    scores: list[Score] = []
    tips: list[Tip] = []
    overall: int = 0
    wpm: str = ""
    fillers_per_minute: str = ""
    pace_series: list[dict[str, float]] = []
    attempts: list[AttemptSummary] = []
    compared_with: str = ""
    changes: list[Change] = []
    error: str = ""

    @rx.var
    def is_active(self) -> bool:
        """Still being uploaded or processed (the page polls)."""
        return self.status in recordings.ACTIVE

    def _fill(self, view: recordings.RecordingView, user_id: int) -> None:
        self.recording_id, self.question_id = view.id, view.question_id
        self.question_text, self.status = view.question_text, view.status
        self.progress = int(round(view.progress * 100))
        self.failure_reason, self.created = view.failure_reason, view.created
        self.cheat_sheet = CHEAT_LABELS.get(view.cheat_sheet, view.cheat_sheet)
        self.has_video = view.has_video
        self.duration = recordings.format_duration(view.duration_seconds)
        token = recordings.media_token(view.id, current_holder())
        self.media_url = f"/api/recordings/{view.id}/media?token={token}"
        if view.status == "done":
            self._results(view)

    def _results(self, view: recordings.RecordingView) -> None:
        from prepple.services.delivery import DeliveryReport

        report = DeliveryReport.from_dict(view.report)
        words = view.transcript.get("words", [])
        self.no_speech = bool(report.no_speech)
        self.overall = report.overall or 0
        self.tokens = report_tokens(words, report)
        self.bands = report_bands(report, view.duration_seconds)
        self.scores = report_scores(report)
        self.tips = [
            Tip(severity=t.severity, message=t.message, at="" if t.at is None else f"{t.at:.2f}")
            for t in report.tips
        ]
        self.wpm = f"{report.pace.wpm:.0f}" if report.pace else ""
        self.fillers_per_minute = f"{report.fillers.per_minute:.1f}" if report.fillers else ""
        self.pace_series = (
            [{"t": round(p.start / 60, 2), "wpm": round(p.wpm)} for p in report.pace.series]
            if report.pace
            else []
        )

    def _reload(self) -> None:
        user_id = current_principal().user_id
        with session_scope() as db:
            try:
                view = recordings.recording_view(
                    session=db, recording_id=self.recording_id, user_id=user_id
                )
            except RecordingError:
                self.not_found = True
                return
            self._fill(view, user_id)
            self.attempts = [
                a
                for a in recordings.attempts(
                    session=db, user_id=user_id, question_id=view.question_id
                )
                if a.id != view.id
            ]
            self.compared_with, self.changes = "", []
            earlier = [a for a in self.attempts if a.id < view.id and a.status == "done"]
            if view.status == "done" and earlier:
                before = recordings.recording_view(
                    session=db, recording_id=earlier[0].id, user_id=user_id
                )
                self.compared_with = earlier[0].created
                self.changes = compare_reports(before.report, view.report)

    @rx.event
    @guarded(SIGNED_IN, flag="practice")
    def load(self):
        """Open the results page for the recording in the URL."""
        self.reset()
        rid = as_int(self.router.page.params.get("rid", ""))
        if not rid:
            self.not_found = True
            return
        self.recording_id = rid
        self._reload()

    @rx.event
    @guarded(SIGNED_IN, flag="practice")
    def poll(self, _tick: object = None):
        """While the recording is processed: read its status and progress again."""
        if not self.recording_id or not self.is_active:
            return
        with session_scope() as db:
            try:
                status, progress = recordings.recording_progress(
                    session=db, recording_id=self.recording_id, user_id=current_principal().user_id
                )
            except RecordingError:
                self.not_found = True
                return
        if status != self.status or status not in recordings.ACTIVE:
            self._reload()
            if status == "done":
                from prepple.state.sharing import ShareState  # (it imports this module)

                return ShareState.load  # the share panel appears once the results are ready
        else:
            self.progress = int(round(progress * 100))

    @rx.event
    @guarded(SIGNED_IN, flag="practice")
    def retry(self):
        """Process a failed recording again (its media was kept)."""
        rid, uid = self.recording_id, current_principal().user_id

        def queued() -> None:
            jobs.enqueue_recording(rid)
            self._reload()

        return perform(
            lambda db: recordings.recording_retry(session=db, recording_id=rid, user_id=uid),
            refresh=queued,
            toast_id="recording-retry",
        ).event

    @rx.event
    @guarded(SIGNED_IN, flag="practice")
    async def delete(self):
        """Delete this recording and its media for good (storage calls off the event loop)."""
        qid, rid, uid = self.question_id, self.recording_id, current_principal().user_id

        def discard() -> None:
            with session_scope() as db:
                recordings.recording_discard(session=db, recording_id=rid, user_id=uid)

        try:
            await asyncio.to_thread(discard)
        except RecordingError as exc:
            return rx.toast.error(exc.message, id="recording-delete")
        self.reset()
        return [
            rx.toast.success("Recording deleted.", id="recording-deleted"),
            rx.redirect(f"/practice/{qid}" if qid else "/questions"),
        ]


def report_tokens(words: list[dict], report) -> list[Token]:
    """The transcript as tokens: words, fillers marked, long pauses shown where they fell."""
    filler_at = {f.index for f in report.fillers.items} if report.fillers else set()
    pauses = {p.after_index: p for p in report.pauses.items} if report.pauses else {}
    section_of = report.section_of_word()
    out: list[Token] = []
    for i, w in enumerate(words):
        out.append(
            Token(
                text=str(w.get("text", "")),
                start=f"{float(w.get('start', 0)):.2f}",
                kind="filler" if i in filler_at else "word",
                section=section_of.get(i, ""),
            )
        )
        if i in pauses:
            p = pauses[i]
            out.append(
                Token(text=f"{p.duration:.1f} s pause", start=f"{p.start:.2f}", kind="pause")
            )
    return out


def report_bands(report, duration: float) -> list[Band]:
    """Section bands for the timeline, as percentages of the recording's length."""
    total = max(duration, 0.001)
    out = []
    for b in report.structure.bands if report.structure else []:
        left = max(0.0, min(100.0, b.start / total * 100))
        width = max(0.5, min(100.0 - left, (b.end - b.start) / total * 100))
        out.append(
            Band(
                section=b.section,
                label=b.section.capitalize(),
                left=f"{left:.2f}%",
                width=f"{width:.2f}%",
                color=SECTION_COLORS.get(b.section, "gray"),
                start=f"{b.start:.2f}",
            )
        )
    return out


def report_scores(report) -> list[Score]:
    """The delivery scores that apply (coverage only when there was a plan)."""
    names = ("pace", "fillers", "pauses", "length", "structure", "listenability", "coverage")
    out = []
    for name in names:
        value = report.scores.get(name) if isinstance(report.scores, dict) else None
        if value is not None:
            out.append(Score(name=name.capitalize(), value=int(value)))
    return out


def compare_reports(before: dict, after: dict) -> list[Change]:
    """The figures of two attempts side by side, each with its change and whether it is
    better (pace is better when closer to the comfortable band; fillers when fewer)."""
    from prepple.services.delivery import COMFORTABLE_WPM, DeliveryReport

    old, new = DeliveryReport.from_dict(before), DeliveryReport.from_dict(after)
    if old.no_speech or new.no_speech:
        return []
    out: list[Change] = []

    def add(name: str, a: float | None, b: float | None, *, fmt: str, higher_better: bool):
        if a is None or b is None:
            return
        delta = b - a
        out.append(
            Change(
                name=name,
                before=fmt.format(a),
                after=fmt.format(b),
                delta=("+" if delta > 0 else "") + fmt.format(delta) if delta else "same",
                better=(delta > 0) == higher_better and delta != 0,
            )
        )

    add("Overall", old.overall, new.overall, fmt="{:.0f}", higher_better=True)
    for name in ("structure", "pace", "fillers", "pauses", "length", "listenability", "coverage"):
        add(
            name.capitalize() + " score",
            old.scores.get(name),
            new.scores.get(name),
            fmt="{:.0f}",
            higher_better=True,
        )
    if old.fillers and new.fillers:
        add(
            "Fillers per minute",
            old.fillers.per_minute,
            new.fillers.per_minute,
            fmt="{:.1f}",
            higher_better=False,
        )
    if old.pace and new.pace:
        add("Words per minute", old.pace.wpm, new.pace.wpm, fmt="{:.0f}", higher_better=True)
        # Faster is not better in itself: judge by the distance from the comfortable band.
        low, high = COMFORTABLE_WPM

        def off(wpm: float) -> float:
            return max(low - wpm, 0, wpm - high)

        out[-1].better = off(new.pace.wpm) < off(old.pace.wpm)
    return out


@dataclass
class Side:
    """One attempt in the side-by-side comparison."""

    id: int
    created: str
    media_url: str
    has_video: bool
    overall: int
    tokens: list[Token]


class CompareState(rx.State):
    """Two attempts at one question side by side: videos, transcripts and score changes."""

    question_id: int = 0
    question_text: str = ""
    sides: list[Side] = []
    changes: list[Change] = []
    not_found: bool = False

    @rx.event
    @guarded(SIGNED_IN, flag="practice")
    def load(self):
        """Open /compare/<earlier>/<later> (both must be the viewer's own, finished attempts
        at the same question)."""
        from prepple.services.delivery import DeliveryReport

        params = self.router.page.params
        ids = [as_int(params.get("a", "")), as_int(params.get("b", ""))]
        self.sides, self.changes, self.not_found = [], [], False
        user_id = current_principal().user_id
        views = []
        with session_scope() as db:
            for rid in ids:
                try:
                    view = recordings.recording_view(session=db, recording_id=rid, user_id=user_id)
                except RecordingError:
                    view = None
                if view is None or view.status != "done":
                    self.not_found = True
                    return
                views.append(view)
        if views[0].question_id != views[1].question_id:
            self.not_found = True
            return
        views.sort(key=lambda v: v.id)
        self.question_id, self.question_text = views[0].question_id, views[0].question_text
        for view in views:
            report = DeliveryReport.from_dict(view.report)
            self.sides.append(
                Side(
                    id=view.id,
                    created=view.created,
                    media_url=f"/api/recordings/{view.id}/media?token="
                    + recordings.media_token(view.id, current_holder()),
                    has_video=view.has_video,
                    overall=report.overall or 0,
                    tokens=report_tokens(view.transcript.get("words", []), report),
                )
            )
        self.changes = compare_reports(views[0].report, views[1].report)
