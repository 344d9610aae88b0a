"""The planner: one question's answer in STAR, CARL or SOAR, autosaved, with live feedback.

Signed-in users' plans are saved on the server with a revision number (a stale tab never
overwrites silently: the other text becomes a version). Visitors' plans live in their browser
(``SessionState.visitor_plans``) and move into the account when they sign up or log in.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import reflex as rx

from prepple.db import session_scope
from prepple.services import planner, saved
from prepple.services import questions as qs
from prepple.services.authz import PUBLIC, SIGNED_IN
from prepple.services.feedback import AnswerInput, Report, analyze, llm
from prepple.services.feedback.frameworks import FRAMEWORKS, sections_of
from prepple.services.planner import DiffLine, VersionView
from prepple.services.validation import InvalidInput
from prepple.state.actions import perform
from prepple.state.session import as_int, current_principal, guarded, json_dict, session_of

VIEWS = ("sections", "script", "bullets")


@dataclass
class Meter:
    """A named 0-100 value for a progress bar."""

    name: str
    value: int
    detail: str = ""


class PlannerState(rx.State):
    """The open plan, its save status and its feedback report."""

    question_id: int = 0
    answer_id: int = 0
    #: True once load() has put the saved plan on screen (the browser's draft copies wait).
    loaded: bool = False
    spoken: str = ""
    question_text: str = ""
    #: For a common (non-behavioral) question, the structure that fits it instead of STAR.
    question_structure: str = ""
    competencies: list[str] = []
    not_found: bool = False
    framework: str = "STAR"
    sections: dict[str, str] = {}
    bullets: str = ""
    bullets_edited: bool = False
    view: str = "sections"
    revision: int = 0
    save_status: str = ""  # "", saving, saved, saved-locally, error
    save_message: str = ""
    overall: int = 0
    scores: dict[str, int] = {}
    items: list[dict[str, str]] = []
    section_words: dict[str, int] = {}
    versions: list[VersionView] = []
    diff: list[DiffLine] = []
    diff_labels: list[str] = []
    story_id: int = 0
    story_options: list[dict[str, str]] = []
    coach_available: bool = False
    coach_status: str = ""  # "", thinking, done, unavailable
    coach_items: list[dict[str, str]] = []
    rewrite_original: str = ""
    rewrite_improved: str = ""
    #: Aside texts the user chose to leave out of this answer (until the next switch or visit).
    aside_hidden: list[str] = []
    #: After a restore: what was restored, and the version holding the text before it.
    restored_note: str = ""
    undo_version: int = 0

    # -- derived ------------------------------------------------------------------------------

    @rx.var
    def section_defs(self) -> list[dict[str, str]]:
        """The current framework's sections with hints, prompts and text, for the editor; a
        character count appears near the limit, and a message when a section is over it."""
        out = []
        for s in sections_of(self.framework):
            text = self.sections.get(s.key, "")
            out.append(
                {
                    "key": s.key,
                    "label": s.label,
                    "hint": s.hint,
                    "prompts": " · ".join(s.prompts),
                    "text": text,
                    "words": str(self.section_words.get(s.key, 0)),
                    "count": _count_note(len(text)),
                    "over": _over_note(s.label, len(text)),
                }
            )
        return out

    @rx.var
    def aside(self) -> list[dict[str, str]]:
        """Text of sections this framework lacks ("Not in CARL: your Task text"): shown, not
        scored, one click from its nearest section."""
        return [
            {
                "key": a.key,
                "label": a.label,
                "text": a.text,
                "home": a.home,
                "home_label": a.home_label,
                "words": str(a.words),
                "framework": self.framework,
            }
            for a in planner.aside_of(self.framework, self.sections)
            if a.key not in self.aside_hidden
        ]

    @rx.var
    def script(self) -> str:
        """The full script: the sections in order."""
        return planner.script_of(self.framework, self.sections)

    @rx.var
    def score_rows(self) -> list[Meter]:
        """Scores per dimension for the feedback panel."""
        return [Meter(k, v) for k, v in self.scores.items()]

    # -- helpers ------------------------------------------------------------------------------

    def _script(self) -> str:
        # Not the computed var: inside a handler it may still hold the value before this edit.
        return planner.script_of(self.framework, self.sections)

    async def _feedback(self) -> None:
        """Show the service's report of text that isn't being saved (a visitor's plan, a
        section over the limit, the plan as opened). Saves show the report they stored."""
        # The score looks up the shared near-copy index in the database: a thread, so the
        # event loop keeps serving other tabs meanwhile.
        try:
            report = await asyncio.to_thread(
                _unsaved_report,
                current_principal().user_id or None,
                self.question_id,
                self.framework,
                dict(self.sections),
            )
        except InvalidInput as exc:
            self.save_status, self.save_message = "error", exc.message
            return
        self._show(report)

    def _show(self, report: Report) -> None:
        """Display a finished report (scored in the planner service, never here)."""
        self.spoken = _spoken(report.stats.get("speaking_seconds", 0))
        self.overall = report.overall
        self.scores = dict(report.scores)
        self.section_words = dict(report.section_words)
        self.items = [
            {
                "dimension": i.dimension,
                "severity": i.severity,
                "message": i.message,
                "suggestion": i.suggestion,
                "sentence": i.sentence,
            }
            for i in report.items[:12]
        ]

    def _load_stories(self, db) -> None:
        self.story_options = [
            {"id": str(st.id), "title": st.title}
            for st in planner.stories(session=db, user_id=current_principal().user_id)
        ]

    def _apply(self, view: planner.PlanView) -> None:
        self.answer_id, self.story_id = view.answer_id, view.story_id
        self.framework, self.sections = view.framework, dict(view.sections)
        self.bullets, self.bullets_edited = view.bullets, view.bullets_edited
        self.revision = view.revision

    def _over_limit(self) -> str:
        """The message for the first section over the limit ("" when all fit)."""
        for s in sections_of(self.framework):
            note = _over_note(s.label, len(self.sections.get(s.key, "")))
            if note:
                return note
        return ""

    async def _persist(self, *, bullets: str | None = None) -> None:
        """Save on the server (signed in) or in the browser (visitor) and show the feedback:
        the report the save scored and stored, or (not saved) the service's report of the
        text on screen. Nothing is saved while a section is over the limit: its text stays
        on screen (and in the browser's draft copy) until it is shortened, so nothing is cut
        behind the user's back."""
        over = self._over_limit()
        if over:
            self.save_status, self.save_message = "error", over
            await self._feedback()
            return
        principal = current_principal()
        if not principal.is_authenticated:
            await self._feedback()
            session = await session_of(self)
            plans = json_dict(session.visitor_plans)
            plans[str(self.question_id)] = {"framework": self.framework, "sections": self.sections}
            session.visitor_plans = json.dumps(plans)
            if bullets is None and not self.bullets_edited:
                self.bullets = planner.bullets_of(self._script())
            self.save_status, self.save_message = (
                "saved-locally",
                ("Saved in this browser. Create a free account to keep it everywhere."),
            )
            return
        try:
            # The save scores the text (a database look-up for originality): a thread.
            view, conflict, self.versions = await asyncio.to_thread(
                _save,
                principal.user_id,
                self.question_id,
                self.framework,
                dict(self.sections),
                bullets,
                self.revision,
            )
        except InvalidInput as exc:
            self.save_status, self.save_message = "error", exc.message
            await self._feedback()
            return
        if view.report is not None:
            self._show(view.report)
        self.revision, self.answer_id = view.revision, view.answer_id
        self.bullets, self.bullets_edited = view.bullets, view.bullets_edited
        self.save_status = "saved"
        self.save_message = (
            "Saved. Another tab had saved changes too; they are kept in the history."
            if conflict
            else "All changes saved."
        )

    # -- events -------------------------------------------------------------------------------

    @rx.event
    @guarded(PUBLIC, flag="planner")
    async def load(self):
        """Open the planner for the question in the URL (a saved plan, a browser plan, or new)."""
        qid = as_int(self.router.page.params.get("qid", ""))
        self.reset()
        with session_scope() as db:
            question = qs.question_get(session=db, question_id=qid) if qid else None
            if question is None:
                self.not_found = True
                return
            self.question_id, self.question_text = question.id, question.text
            self.question_structure = question.answer_structure if question.kind == "common" else ""
            self.competencies = [t.slug for t in question.competencies]
            principal = current_principal()
            if principal.is_authenticated:
                view = planner.plan_get(session=db, user_id=principal.user_id, question_id=qid)
                if view:
                    self._apply(view)
                    self.save_status, self.save_message = "saved", f"Saved {view.updated}."
                self.versions = planner.versions(
                    session=db, user_id=principal.user_id, question_id=qid
                )
                self._load_stories(db)
        self.coach_available = llm.enabled()
        self.loaded = True
        # Now the browser may compare its unsaved copies with the saved text (drafts.js).
        if not current_principal().is_authenticated:
            plan = json_dict((await session_of(self)).visitor_plans).get(str(qid))
            if isinstance(plan, dict) and isinstance(plan.get("sections"), dict):
                fw = str(plan.get("framework", "STAR")).upper()
                self.framework = fw if fw in FRAMEWORKS else "STAR"
                self.sections = {
                    str(k): v[: planner.SECTION_MAX]
                    for k, v in plan["sections"].items()
                    if isinstance(v, str)
                }
                self.bullets = planner.bullets_of(self._script())
        await self._feedback()
        return rx.call_script("window.preppleDraftsReady && window.preppleDraftsReady()")

    @rx.event
    @guarded(PUBLIC, flag="planner")
    async def edit_section(self, key: str, text: str):
        """Autosave one section (the editor debounces keystrokes)."""
        valid = {s.key for s in sections_of(self.framework)}
        if not self.question_id or key not in valid or not isinstance(text, str):
            return rx.toast.error("That edit couldn't be applied.")
        if len(text) > planner.SECTION_MAX * 4:
            # Far too long to hold here: the field and the browser's copy keep it.
            self.save_status = "error"
            self.save_message = (
                f"That's {len(text):,} characters, far over the {planner.SECTION_MAX:,} a "
                "section can hold, so it isn't saved. Your text is still in the field: "
                "shorten it there."
            )
            return
        self.sections = {**self.sections, key: text}
        await self._persist()

    @rx.event
    @guarded(PUBLIC, flag="planner")
    async def edit_script(self, text: str):
        """Edit the whole script; it is split back into sections."""
        if not self.question_id or not isinstance(text, str):
            return
        if len(text) > planner.SECTION_MAX * 4:
            self.save_status, self.save_message = "error", "The script is too long."
            return
        self.sections = {**self.sections, **planner.sections_from_script(self.framework, text)}
        await self._persist()

    @rx.event
    @guarded(PUBLIC, flag="planner")
    async def edit_bullets(self, text: str):
        """Keep the user's own bullets (until they regenerate them)."""
        if not self.question_id or not isinstance(text, str):
            return
        if len(text) > planner.BULLETS_MAX:
            self.save_status, self.save_message = "error", "The bullets are too long."
            return
        self.bullets, self.bullets_edited = text, True
        await self._persist(bullets=text)

    @rx.event
    @guarded(PUBLIC, flag="planner")
    async def set_framework(self, framework: str | list[str]):
        """Switch framework, carrying text over by role; nothing is lost."""
        framework = str(framework).upper() if isinstance(framework, str) else ""
        if framework not in FRAMEWORKS or framework == self.framework or not self.question_id:
            return
        self.sections = planner.switch_framework(self.framework, framework, self.sections)
        self.framework = framework
        self.aside_hidden = []
        await self._persist()

    @rx.event
    @guarded(PUBLIC, flag="planner")
    async def move_aside(self, key: str):
        """Move text of a section this framework lacks into its nearest section."""
        if not self.question_id or not isinstance(key, str):
            return
        try:
            moved = planner.aside_move(self.framework, self.sections, key)
        except InvalidInput as exc:
            return rx.toast.error(exc.message)
        home = next(a for a in planner.aside_of(self.framework, self.sections) if a.key == key)
        self.sections = moved
        await self._persist()
        return rx.toast.success(f"Moved your {home.label} text into {home.home_label}.")

    @rx.event
    @guarded(PUBLIC, flag="planner")
    def hide_aside(self, key: str):
        """Leave aside text out of this answer (it stays saved for a switch back)."""
        if isinstance(key, str) and key in planner.ASIDE_KEYS and key not in self.aside_hidden:
            self.aside_hidden = [*self.aside_hidden, key]

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    async def restore_version(self, number: int):
        """Make a version the current text; the text before becomes a version (undoable)."""
        wanted = as_int(number)
        if wanted is None or not self.question_id:
            return rx.toast.error("That version doesn't exist.")
        uid = current_principal().user_id
        try:
            with session_scope() as db:
                view, kept = planner.plan_restore(
                    session=db, user_id=uid, question_id=self.question_id, number=wanted
                )
                self.versions = planner.versions(
                    session=db, user_id=uid, question_id=self.question_id
                )
        except InvalidInput as exc:
            return rx.toast.error(exc.message)
        self._apply(view)
        self.aside_hidden, self.diff, self.diff_labels = [], [], []
        if view.report is not None:
            self._show(view.report)
        restored = next((v for v in self.versions if v.number == wanted), None)
        when = f" from {restored.created}" if restored else ""
        self.undo_version = kept or 0
        self.restored_note = f"Restored version {wanted}{when} ({view.framework}). " + (
            f"Your text before it is saved as version {kept}: restore that to undo."
            if kept
            else "It was the same as your text, so nothing changed."
        )
        self.save_status, self.save_message = "saved", f"Restored version {wanted}."
        return rx.toast.success(f"Restored version {wanted}.", id="restored-toast")

    @rx.event
    @guarded(PUBLIC)
    def dismiss_restored(self):
        """Hide the note about a restore."""
        self.restored_note, self.undo_version = "", 0

    @rx.event
    @guarded(PUBLIC)
    def set_view(self, view: str | list[str]):
        """Show sections, the full script, or the bullets."""
        self.view = view if view in VIEWS else "sections"

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def regenerate_bullets(self):
        """Derive the bullets from the script again."""
        uid = current_principal().user_id
        done = perform(
            lambda db: planner.plan_regenerate_bullets(
                session=db, user_id=uid, question_id=self.question_id
            )
        )
        if done.value is not None:
            self._apply(done.value)
        return done.event

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def save_version(self):
        """Keep the current text as a named version."""
        if not self.revision:
            return rx.toast.info("Write something first.")
        uid = current_principal().user_id

        def snapshot(db) -> int:
            number = planner.plan_snapshot(
                session=db, user_id=uid, question_id=self.question_id, reason="saved by you"
            )
            self.versions = planner.versions(session=db, user_id=uid, question_id=self.question_id)
            return number

        return perform(snapshot, done=lambda number: f"Saved as version {number}.").event

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def compare_with(self, number: int):
        """Compare a version with the current text, side by side."""
        left = as_int(number)
        if left is None:
            return
        try:
            with session_scope() as db:
                diff, a, b = planner.compare(
                    session=db,
                    user_id=current_principal().user_id,
                    question_id=self.question_id,
                    left=left,
                    right=None,
                )
        except InvalidInput as exc:
            return rx.toast.error(exc.message)
        self.diff, self.diff_labels = diff, [a, b]

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    async def ask_coach(self):
        """Model-written feedback and a rewrite of the weakest sentence (when configured)."""
        if not llm.enabled() or not self.question_id:
            self.coach_status = "unavailable"
            return
        self.coach_status = "thinking"
        yield
        answer = AnswerInput(
            self.framework,
            sections=dict(self.sections),
            question=self.question_text,
            competencies=self.competencies,
        )
        local = analyze(answer)
        report = await asyncio.to_thread(llm.enrich, answer, local)
        if report.engine != "local+model":
            self.coach_status = "unavailable"
            return
        self.coach_items = [
            {"severity": i.severity, "message": i.message, "suggestion": i.suggestion}
            for i in report.items
            if i.source == "model"
        ]
        self.rewrite_original = str(report.stats.get("rewrite_original", ""))
        self.rewrite_improved = str(report.stats.get("rewrite_improved", ""))
        self.coach_status = "done"

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def link_story(self, story_id: str):
        """Say which story from the story bank this answer tells ("" for none)."""
        sid = as_int(story_id) if story_id not in ("", None) else None
        if story_id not in ("", None) and sid is None:
            return rx.toast.error("That story isn't in your story bank.")
        uid = current_principal().user_id
        done = perform(
            lambda db: planner.story_link(
                session=db, user_id=uid, question_id=self.question_id, story_id=sid
            ),
            done="Story linked." if sid else "Story unlinked.",
        )
        if done.ok:
            self.story_id = sid or 0
        return done.event

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def new_story(self, form: dict):
        """Create a story in the story bank and link this answer to it."""
        title = form.get("story_title") if isinstance(form, dict) else None
        try:
            with session_scope() as db:
                story = planner.story_create(
                    session=db, user_id=current_principal().user_id, title=title
                )
                planner.story_link(
                    session=db,
                    user_id=current_principal().user_id,
                    question_id=self.question_id,
                    story_id=story.id,
                )
                self.story_id = story.id
                self._load_stories(db)
        except InvalidInput as exc:
            return rx.toast.error(exc.message)
        return [
            rx.toast.success("Story added to your story bank."),
            rx.set_value("story-title", ""),
        ]

    @rx.event
    @guarded(PUBLIC)
    def close_compare(self):
        """Hide the comparison."""
        self.diff, self.diff_labels = [], []


def _unsaved_report(
    user_id: int | None, question_id: int, framework: str, sections: dict[str, str]
) -> Report:
    with session_scope() as db:
        return planner.plan_feedback(
            session=db,
            user_id=user_id,
            question_id=question_id,
            framework=framework,
            sections=sections,
        )


def _save(
    user_id: int,
    question_id: int,
    framework: str,
    sections: dict[str, str],
    bullets: str | None,
    revision: int,
) -> tuple[planner.PlanView, bool, list[VersionView]]:
    with session_scope() as db:
        view, conflict = planner.plan_save(
            session=db,
            user_id=user_id,
            question_id=question_id,
            framework=framework,
            sections=sections,
            bullets=bullets,
            base_revision=revision,
        )
        return (
            view,
            conflict,
            planner.versions(session=db, user_id=user_id, question_id=question_id),
        )


def _count_note(chars: int) -> str:
    """ "5,612 / 6,000 characters" once a section nears the limit, else ""."""
    if chars < planner.SECTION_MAX * 0.8:
        return ""
    return f"{chars:,} / {planner.SECTION_MAX:,} characters"


def _over_note(label: str, chars: int) -> str:
    """What to say when a section is over the limit ("" when it fits)."""
    if chars <= planner.SECTION_MAX:
        return ""
    return (
        f"{label} is {chars:,} characters, {chars - planner.SECTION_MAX:,} over the "
        f"{planner.SECTION_MAX:,} limit. Nothing was cut: shorten it to save your changes."
    )


def _spoken(seconds: int) -> str:
    if not seconds:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"about {minutes} min {secs:02d} s spoken" if minutes else f"about {secs} s spoken"


class AnswersState(rx.State):
    """ "My answers": search, filters and planning progress."""

    query: str = ""
    competency: str = ""
    company: str = ""
    status: str = ""
    #: "" for the whole bank (within the filters) or "saved" for the practice list.
    scope: str = ""
    rows: list[planner.AnswerRow] = []
    progress_label: str = ""
    progress_total: int = 0
    progress_complete: int = 0
    progress_drafts: int = 0
    progress_percent: int = 0
    coverage: list[Meter] = []
    competencies: list[qs.Facet] = []
    companies: list[qs.Facet] = []

    def _run(self) -> None:
        uid = current_principal().user_id
        with session_scope() as db:
            self.rows = planner.my_answers(
                session=db,
                user_id=uid,
                query=self.query,
                competency=self.competency,
                company=self.company,
                status=self.status,
            )
            cov = planner.progress(
                session=db,
                user_id=uid,
                company=self.company,
                competency=self.competency,
                question_ids=saved.saved_ids(session=db, user_id=uid)
                if self.scope == "saved"
                else None,
            )
        self.progress_label, self.progress_total = cov.label, cov.total
        self.progress_complete, self.progress_drafts = cov.complete, cov.drafts
        self.progress_percent = cov.percent
        self.coverage = [
            Meter(n, round(100 * c / t) if t else 0, f"{c}/{t}")
            for n, c, t in cov.by_competency[:12]
        ]

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def load(self):
        """Open "my answers"."""
        with session_scope() as db:
            self.competencies, self.companies = qs.facets(session=db)
        self._run()

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def set_filter(self, name: str, value: str):
        """Change the search text or one filter."""
        allowed = ("query", "competency", "company", "status", "scope")
        if name not in allowed or not isinstance(value, str):
            return
        setattr(self, name, value[:200])
        self._run()


class StoriesState(rx.State):
    """The story bank: stories and the questions each one answers."""

    stories: list[planner.StoryView] = []
    error: str = ""

    def _run(self) -> None:
        with session_scope() as db:
            self.stories = planner.stories(session=db, user_id=current_principal().user_id)

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def load(self):
        """Open the story bank."""
        self.error = ""
        self._run()

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def create(self, form: dict):
        """Add a story."""
        form = form if isinstance(form, dict) else {}
        self.error = ""
        try:
            with session_scope() as db:
                planner.story_create(
                    session=db,
                    user_id=current_principal().user_id,
                    title=form.get("title"),
                    notes=form.get("notes", ""),
                )
        except InvalidInput as exc:
            self.error = exc.message
            return
        self._run()
        return [rx.set_value("story-new-title", ""), rx.set_value("story-new-notes", "")]

    @rx.event
    @guarded(SIGNED_IN, flag="planner")
    def delete(self, story_id: int):
        """Remove a story; its answers stay."""
        sid = as_int(story_id)
        if sid is None:
            return
        uid = current_principal().user_id
        return perform(
            lambda db: planner.story_delete(session=db, user_id=uid, story_id=sid),
            refresh=self._run,
        ).event
