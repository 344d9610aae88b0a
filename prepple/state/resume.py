"""Video resumes: the owner's editor (``/resume``) and the public page (``/r/<slug>``)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from prepple.db import session_scope
from prepple.models import Question, Recording
from prepple.services import recordings, resumes
from prepple.services.authz import PUBLIC, SIGNED_IN
from prepple.services.resumes import ResumeError
from prepple.services.validation import InvalidInput
from prepple.state.session import as_int, current_principal, form_data, guarded


@dataclass
class Pick:
    """A finished recording the owner may put in a resume."""

    id: int
    question: str
    created: str
    duration: str
    overall: int
    chosen: bool
    position: int


@dataclass
class ResumeCard:
    """One of the owner's resumes in the list."""

    id: int
    title: str
    slug: str
    published: bool
    views: int
    answers: int


class ResumeEditState(rx.State):
    """The owner's resumes and the one being edited."""

    cards: list[ResumeCard] = []
    current_id: int = 0
    title: str = ""
    intro: str = ""
    slug: str = ""
    published: bool = False
    views: int = 0
    chosen: list[int] = []
    picks: list[Pick] = []
    error: str = ""
    loaded: bool = False

    @rx.var
    def public_path(self) -> str:
        """Where the published resume lives."""
        return f"/r/{self.slug}" if self.slug else ""

    def _read(self, db) -> None:
        owner = current_principal().user_id
        views = resumes.resumes_of(session=db, owner_id=owner)
        self.cards = [
            ResumeCard(v.id, v.title, v.slug, v.published, v.views, len(v.items)) for v in views
        ]
        current = next((v for v in views if v.id == self.current_id), views[0] if views else None)
        if current is None:
            self.current_id, self.title, self.intro, self.slug = 0, "", "", ""
            self.published, self.views, self.chosen = False, 0, []
        else:
            self.current_id, self.title, self.intro = current.id, current.title, current.intro
            self.slug, self.published, self.views = current.slug, current.published, current.views
            self.chosen = [i.recording_id for i in current.items]
        rows = db.exec(
            select(Recording, Question.text)
            .join(Question, col(Question.id) == Recording.question_id)
            .where(Recording.user_id == owner, Recording.status == "done")
            .order_by(col(Recording.created_at).desc())
            .limit(200)
        ).all()
        self.picks = [
            Pick(
                id=r.id,
                question=text,
                created=f"{r.created_at:%Y-%m-%d}",
                duration=recordings.format_duration(r.duration_seconds),
                overall=int(r.overall or 0),
                chosen=r.id in self.chosen,
                position=self.chosen.index(r.id) + 1 if r.id in self.chosen else 0,
            )
            for r, text in rows
        ]
        self.picks.sort(key=lambda p: (not p.chosen, p.position))
        self.loaded = True

    def _do(self, fn, *, success: str = "", **kwargs):
        try:
            with session_scope() as db:
                result = fn(session=db, owner_id=current_principal().user_id, **kwargs)
                db.commit()
                if isinstance(result, resumes.Resume):
                    self.current_id = result.id
                self._read(db)
        except (ResumeError, InvalidInput) as exc:
            self.error = exc.message
            return rx.toast.error(exc.message, id="resume-error")
        except IntegrityError:  # two saves raced for one address
            return rx.toast.error("That address was just taken; try another.", id="resume-error")
        self.error = ""
        return rx.toast.success(success, id="resume-saved") if success else None

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def load(self):
        """Read the owner's resumes and finished recordings."""
        with session_scope() as db:
            self._read(db)

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def create(self, form: dict):
        """Start a new resume with a title."""
        return self._do(
            resumes.resume_create, title=form_data(form).get("title"), success="Resume started."
        )

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def select_resume(self, resume_id: int):
        """Edit another of one's resumes."""
        self.current_id = as_int(resume_id) or 0
        with session_scope() as db:
            self._read(db)

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def save(self, form: dict):
        """Save the title, the introduction and the address."""
        form = form_data(form)
        return self._do(
            resumes.resume_update,
            resume_id=self.current_id,
            title=form.get("title"),
            intro=form.get("intro", ""),
            slug=form.get("slug") or None,
            success="Saved.",
        )

    def _items(self, ids: list[int], success: str):
        return self._do(
            resumes.resume_set_items, resume_id=self.current_id, recording_ids=ids, success=success
        )

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def toggle_item(self, recording_id: int):
        """Put a recording in the resume (at the end) or take it out."""
        rid = as_int(recording_id)
        if rid is None:
            return rx.toast.error("Choose one of your recordings.")
        ids = [i for i in self.chosen if i != rid]
        if len(ids) == len(self.chosen):
            ids.append(rid)
        return self._items(ids, "")

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def move(self, recording_id: int, delta: int):
        """Move a chosen recording up (-1) or down (+1)."""
        rid, ids = as_int(recording_id), list(self.chosen)
        if rid not in ids or delta not in (-1, 1):
            return None
        i = ids.index(rid)
        j = max(0, min(len(ids) - 1, i + delta))
        ids[i], ids[j] = ids[j], ids[i]
        return self._items(ids, "")

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def set_published(self, publish: bool):
        """Publish at /r/<slug>, or take it down."""
        return self._do(
            resumes.resume_publish,
            resume_id=self.current_id,
            publish=publish is True,
            success="Published." if publish is True else "Unpublished: the page is gone.",
        )

    @rx.event
    @guarded(SIGNED_IN, flag="resume")
    def delete(self):
        """Delete the resume being edited (its recordings stay)."""
        rid = self.current_id
        self.current_id = 0
        return self._do(resumes.resume_delete, resume_id=rid, success="Resume deleted.")


@dataclass
class PublicItem:
    """One answer on a public resume."""

    question: str
    duration: str
    transcript: str
    has_video: bool
    media_url: str
    number: int


class ResumePublicState(rx.State):
    """``/r/<slug>``: a published resume, for anyone."""

    title: str = ""
    intro: str = ""
    items: list[PublicItem] = []
    not_found: bool = False
    loaded: bool = False

    @rx.event
    @guarded(PUBLIC, flag="resume")
    def load(self):
        """Read the resume (counts a view once per visitor a day; not the owner's, not bots')."""
        self.reset()
        slug = str(self.router.page.params.get("slug", ""))[:80]
        viewer_id = current_principal().user_id
        visitor = resumes.visitor_key(
            client_ip=self.router.session.client_ip or "",
            user_agent=self.router.headers.user_agent or "",
            viewer_id=viewer_id,
        )
        try:
            with session_scope() as db:
                view = resumes.resume_public(
                    session=db, slug=slug, viewer_id=viewer_id, visitor=visitor
                )
        except ResumeError:
            self.not_found, self.loaded = True, True
            return
        self.title, self.intro = view.title, view.intro
        self.items = [
            PublicItem(
                question=i.question,
                duration=i.duration,
                transcript=i.transcript,
                has_video=i.has_video,
                media_url=f"/api/recordings/{i.recording_id}/media?token="
                + recordings.resume_media_token(i.recording_id, view.id, view.stamp),
                number=n,
            )
            for n, i in enumerate(view.items, start=1)
        ]
        self.loaded = True
