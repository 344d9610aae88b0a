"""Sharing and human feedback: the owner's share panel, the shared-answer viewer, share links,
the "shared with me" inbox and a question's community answers.

Every handler is guarded, and every one that reads or changes a shared answer asks
``sharing.access`` again with the viewer and the link key from the URL, so a revoked link, an
expired one or an answer made private stops working on the next event, also on pages that are
already open (the viewer polls every few seconds) and for the video (the media route checks too).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, replace

import reflex as rx
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from prepple import jobs
from prepple.db import session_scope
from prepple.models import Answer, Question, Recording, User
from prepple.services import community, recordings, reviews, sharing
from prepple.services.authz import PUBLIC, SIGNED_IN
from prepple.services.feedback.frameworks import sections_of
from prepple.services.planner import sections_dict
from prepple.services.sharing import ShareError, ShareView, Target
from prepple.services.validation import InvalidInput
from prepple.settings import get_settings
from prepple.state.practice import Score, Token, report_scores, report_tokens
from prepple.state.session import (
    as_bool,
    as_int,
    current_holder,
    current_principal,
    form_data,
    guarded,
    login_redirect,
)

POLL_MS = 4000
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _viewer(db) -> sharing.Viewer:
    return sharing.viewer_of(db, current_principal().user_id)


def _deliver(message_ids: list[int]) -> None:
    for message_id in message_ids:
        jobs.enqueue_delivery(message_id)


def _json(raw: str) -> dict:
    """A stored JSON object, or empty when it is missing or damaged."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def sentences_of(text: str) -> list[str]:
    """A text cut into sentences (for pinning a comment to one)."""
    return [s.strip() for s in _SENTENCE.split(text) if len(s.strip()) > 2][:80]


def _share_args(form: object, *, link: bool) -> dict:
    """What the invite form (``link=False``) or the link form asks ``share_create`` for."""
    form = form_data(form)
    args = {
        "include_plan": form.get("include_plan") in ("on", True, "true"),
        "expires_days": form.get("expires_days") or None,
    }
    if link:
        return {**args, "link": True}
    return {**args, "emails": form.get("emails", ""), "message": form.get("message", "")}


def absolute_url(path: str) -> str:
    """A path of this site as the full address people paste elsewhere (settings ``base_url``)."""
    if not path or "://" in path:
        return path
    return get_settings().base_url.rstrip("/") + "/" + path.lstrip("/")


def _absolute_links(shares: list[ShareView]) -> list[ShareView]:
    return [replace(s, link=absolute_url(s.link)) for s in shares]


def _make_shares(refs: list[str], args: dict) -> tuple[str, str]:
    """Share the current user's answers ``refs``; returns ``(new link's full address, error)``
    and queues the invitation e-mails after commit."""
    try:
        targets = [Target.parse(ref) for ref in refs]
        with session_scope() as db:
            shares, queued = sharing.share_create(
                session=db, owner_id=current_principal().user_id, targets=targets, **args
            )
            links = [f"/s/{sharing.share_key(s)}" for s in shares if not s.invitee_email]
            db.commit()
    except (ShareError, InvalidInput) as exc:
        return "", exc.message
    _deliver(queued)
    return (absolute_url(links[0]) if links else ""), ""


# --------------------------------------------------------------------------------------------
# The owner's share panel (on a recording's results page and on the planner)


class ShareState(rx.State):
    """Who may see one of the owner's recordings or planned answers, and its shares."""

    ref: str = ""
    visibility: str = "private"
    shares: list[ShareView] = []
    warning: str = ""
    new_link: str = ""
    error: str = ""
    ready: bool = False

    def _target(self) -> Target | None:
        try:
            return Target.parse(self.ref)
        except ShareError:
            return None

    def _refresh(self, db) -> None:
        target = self._target()
        if target is None:
            self.ready = False
            return
        row = sharing.require_owner(session=db, user_id=current_principal().user_id, target=target)
        self.visibility = row.visibility
        self.shares = _absolute_links(
            sharing.shares_of(session=db, owner_id=current_principal().user_id, target=target)
        )
        self.ready = True

    @rx.event
    @guarded(PUBLIC, flag="sharing")
    def load(self):
        """Find the answer on this page (a recording's ``rid`` or the planner's ``qid``).
        Public because the planner is open to visitors; they simply get no panel."""
        self.reset()
        params = self.router.page.params
        user_id = current_principal().user_id
        if not user_id:
            return
        with session_scope() as db:
            rid = as_int(params.get("rid", ""))
            if rid:
                rec = db.get(Recording, rid)
                if rec is None or rec.user_id != user_id or rec.status != "done":
                    return
                self.ref = Target("recording", rid).ref
            else:
                qid = as_int(params.get("qid", ""))
                answer = (
                    db.exec(
                        select(Answer).where(Answer.user_id == user_id, Answer.question_id == qid)
                    ).first()
                    if qid
                    else None
                )
                if answer is None:
                    return
                self.ref = Target("answer", answer.id).ref
            try:
                self._refresh(db)
            except ShareError:
                self.ref = ""

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    async def set_visibility(self, value: str | list[str], confirmed: bool = False):
        """Private, shared or public; public may first warn about a near-copy (that check
        compares wording with the question's public answers: a thread, off the event loop)."""
        if isinstance(value, list):
            value = value[0] if value else ""
        target = self._target()
        if target is None:
            return rx.toast.error("Open one of your answers first.")
        user_id = current_principal().user_id

        def change() -> tuple[str | None, str, list[ShareView]]:
            with session_scope() as db:
                warning = sharing.visibility_set(
                    session=db,
                    user_id=user_id,
                    target=target,
                    visibility=value,
                    confirmed=as_bool(confirmed) is True,
                )
                row = sharing.require_owner(session=db, user_id=user_id, target=target)
                return (
                    warning,
                    row.visibility,
                    _absolute_links(sharing.shares_of(session=db, owner_id=user_id, target=target)),
                )

        try:
            warning, self.visibility, self.shares = await asyncio.to_thread(change)
        except ShareError as exc:
            return rx.toast.error(exc.message, id="share-error")
        self.warning = warning or ""
        if warning:
            return None
        labels = {
            "private": "Only you can see it now.",
            "shared": "Only the people and links you choose can see it.",
            "public": "The community can see it now.",
        }
        return rx.toast.success(labels[str(value)], id="visibility-changed")

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def confirm_public(self):
        """Publish despite the near-copy warning (the owner says the words are theirs)."""
        return ShareState.set_visibility("public", True)

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def dismiss_warning(self):
        """Keep the answer as it was."""
        self.warning = ""

    def _share(self, args: dict, done: str):
        if self._target() is None:
            return rx.toast.error("Open one of your answers first.")
        link, self.error = _make_shares([self.ref], args)
        if self.error:
            return None
        self.new_link = link or self.new_link
        with session_scope() as db:
            self._refresh(db)
        return rx.toast.success(done, id="share-done")

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def invite(self, form: dict):
        """Invite people by e-mail (they may not have an account yet)."""
        return self._share(_share_args(form, link=False), "Invitation sent.")

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def make_link(self, form: dict):
        """Make an unguessable link (optionally expiring)."""
        return self._share(_share_args(form, link=True), "Link ready: copy it below.")

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def revoke(self, share_id: int):
        """Turn a share off at once."""
        try:
            with session_scope() as db:
                sharing.share_revoke(
                    session=db, owner_id=current_principal().user_id, share_id=as_int(share_id)
                )
                db.commit()
                self._refresh(db)
        except ShareError as exc:
            return rx.toast.error(exc.message, id="share-error")
        self.new_link = ""
        return rx.toast.success("Turned off. That link no longer works.", id="share-revoked")


# --------------------------------------------------------------------------------------------
# Viewing a shared answer and giving feedback


@dataclass
class ViewTip:
    """One item of the AI's feedback, with the viewer's agreement."""

    severity: str
    message: str
    at: str
    item_key: str
    dimension: str
    vote: str  # agree | disagree | ""


@dataclass
class PlanPart:
    """One section of a shared plan."""

    label: str
    text: str


@dataclass
class ReviewRow:
    """One reviewer's ratings, flattened for the page."""

    author: str
    mine: bool
    structure: int
    clarity: int
    confidence: int
    impact: int
    note: str
    updated: str


def plan_parts(plan: dict) -> tuple[str, list[PlanPart]]:
    """A plan (an answer's, or the snapshot a recording keeps) as ``(framework, parts)``:
    its sections under their headings; a snapshot from before sections were kept shows its
    script, and the cue-card bullets come last when there are any."""
    framework = str(plan.get("framework") or "")
    if not framework:
        return "", []
    sections = plan.get("sections") if isinstance(plan.get("sections"), dict) else {}
    parts = [
        PlanPart(label=sec.label, text=str(sections.get(sec.key, "")).strip())
        for sec in sections_of(framework)
        if str(sections.get(sec.key, "")).strip()
    ]
    script = str(plan.get("script") or "").strip()
    if not parts and script:
        parts = [PlanPart(label="Script", text=script)]
    bullets = str(plan.get("bullets") or "").strip()
    if bullets:
        parts.append(PlanPart(label="Cue card", text=bullets))
    return framework, parts


def tip_key(kind: str, message: str) -> str:
    """A stable key for one AI tip (its kind and a hash of its words)."""
    return f"{kind or 'tip'}:{hashlib.sha1(message.encode()).hexdigest()[:12]}"  # noqa: S324


class ViewState(rx.State):
    """``/view/<ref>?k=<link key>``: a shared recording or plan with the AI's report, the
    comments, the ratings; feedback forms for those who may give it."""

    ref: str = ""
    key: str = ""
    problem: str = ""
    needs_login: bool = False
    via: str = ""
    may_comment: bool = False
    kind: str = ""
    target_id: int = 0
    question_id: int = 0
    question_text: str = ""
    owner_name: str = ""
    has_video: bool = False
    media_url: str = ""
    duration: str = ""
    tokens: list[Token] = []
    transcript_text: str = ""
    sentences: list[str] = []
    plan: list[PlanPart] = []
    framework: str = ""
    scores: list[Score] = []
    overall: int = 0
    tips: list[ViewTip] = []
    comments: list[reviews.CommentView] = []
    reviews_: list[ReviewRow] = []
    my_ratings: dict[str, int] = {}
    my_note: str = ""
    helpful: bool = False
    saved: bool = False
    visibility: str = ""

    @rx.var
    def is_owner(self) -> bool:
        """The viewer owns the answer."""
        return self.via == "owner"

    @rx.var
    def login_target(self) -> str:
        """Where "Log in to comment" comes back to."""
        return f"/view/{self.ref}" + (f"?k={self.key}" if self.key else "")

    def _refuse(self, exc: ShareError) -> None:
        ref, key = self.ref, self.key
        self.reset()
        self.ref, self.key = ref, key
        self.problem = exc.message
        self.needs_login = exc.needs_login

    def _fill(self, db, grant: sharing.Access) -> None:
        from prepple.services.delivery import DeliveryReport

        target = Target.parse(self.ref)
        row = sharing.target_row(db, target)
        question = sharing.question_of(db, row)
        user = db.get(User, row.user_id)
        self.via, self.may_comment = grant.via, grant.may_comment
        self.kind, self.target_id = target.kind, target.id
        self.question_id = row.question_id
        self.question_text = question.text if question else ""
        self.owner_name = user.display_name if user else ""
        self.visibility = row.visibility
        plan: dict = {}
        if isinstance(row, Recording):
            self.has_video = row.has_video
            self.duration = recordings.format_duration(row.duration_seconds)
            self.media_url = f"/api/recordings/{row.id}/media?token=" + recordings.media_token(
                row.id, current_holder(), self.key
            )
            report = DeliveryReport.from_dict(_json(row.report_json))
            words = _json(row.transcript_json).get("words", [])
            self.tokens = report_tokens(words, report)
            self.transcript_text = sharing.target_text(row)
            self.scores = report_scores(report)
            self.overall = report.overall or 0
            votes = reviews.ai_votes_of(session=db, viewer=_viewer(db), target=target)
            self.tips = []
            for t in report.tips:
                key = tip_key(t.kind, t.message)
                self.tips.append(
                    ViewTip(
                        severity=t.severity,
                        message=t.message,
                        at="" if t.at is None else f"{t.at:.2f}",
                        item_key=key,
                        dimension=t.kind or "overall",
                        vote={True: "agree", False: "disagree"}.get(votes.get(key), ""),
                    )
                )
            if grant.include_plan or grant.is_owner:
                plan = _json(row.plan_json)
            self.sentences = sentences_of(self.transcript_text)
        else:
            plan = {"framework": row.framework, "sections": sections_dict(row.sections_json)}
            self.transcript_text = sharing.target_text(row)
            self.sentences = sentences_of(self.transcript_text)
        self.framework, self.plan = plan_parts(plan)
        self._feedback(db)

    def _feedback(self, db) -> None:
        target = Target.parse(self.ref)
        viewer = _viewer(db)
        self.comments = reviews.comments_list(session=db, viewer=viewer, target=target)
        rows = reviews.reviews_list(
            session=db, viewer=viewer, target=target, owner=self.via == "owner"
        )
        self.reviews_ = [
            ReviewRow(author=r.author, mine=r.mine, note=r.note, updated=r.updated, **r.ratings)
            for r in rows
        ]
        mine = next((r for r in rows if r.mine), None)
        self.my_ratings = dict(mine.ratings) if mine else {}
        self.my_note = mine.note if mine else ""
        if self.via == "community":
            self.helpful, self.saved = community.marks_of(session=db, viewer=viewer, target=target)

    def _check(self, db) -> sharing.Access | None:
        try:
            return sharing.access(
                session=db, viewer=_viewer(db), target=Target.parse(self.ref), key=self.key
            )
        except ShareError as exc:
            self._refuse(exc)
            return None

    @rx.event
    @guarded(PUBLIC, flag="sharing")
    def load(self):
        """Open the answer in the URL, through the link key in ``?k=`` if there is one."""
        self.reset()
        params = self.router.page.params
        self.ref = str(params.get("ref", ""))[:12]
        self.key = str(params.get("k", ""))[:64]
        with session_scope() as db:
            grant = self._check(db)
            if grant is not None:
                self._fill(db, grant)

    @rx.event
    @guarded(PUBLIC, flag="sharing")
    def poll(self, _tick: object = None):
        """Every few seconds: still allowed? (A revoked link empties the page at once.) Then
        fresh comments and ratings."""
        if not self.ref or self.problem:
            return
        with session_scope() as db:
            if self._check(db) is not None:
                self._feedback(db)

    def _act(self, fn, *, success: str, toast_id: str, **kwargs):
        """Run a feedback service for this viewer (``target`` given as this page's ref), then
        refresh what the page shows; refusals become toasts."""
        try:
            if "target" in kwargs:
                kwargs["target"] = Target.parse(kwargs["target"])
            with session_scope() as db:
                fn(session=db, viewer=_viewer(db), **kwargs)
                db.commit()
                if self._check(db) is not None:
                    self._feedback(db)
        except ShareError as exc:
            if exc.needs_login:
                return [rx.toast.info(exc.message), login_redirect(self.login_target)]
            if exc.status in (404, 410):
                with session_scope() as db:
                    self._check(db)
            return rx.toast.error(exc.message, id=toast_id)
        except InvalidInput as exc:
            return rx.toast.error(exc.message, id=toast_id)
        except IntegrityError:  # the same click twice at once: the first one counted
            return rx.toast.info("Already saved.", id=toast_id)
        return rx.toast.success(success, id=toast_id) if success else None

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def add_comment(self, form: dict):
        """Comment, pinned to the video's current moment or a sentence when chosen."""
        form = form_data(form)
        pin = form.get("pin") in ("on", True, "true") and self.kind == "recording"
        quote = form.get("quote", "")
        return self._act(
            reviews.comment_add,
            target=self.ref,
            key=self.key,
            body=form.get("body", ""),
            at_seconds=form.get("at") if pin else None,
            quote="" if quote in ("", "none") else quote,
            success="Comment added.",
            toast_id="comment-added",
        )

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def edit_comment(self, form: dict):
        """Change one's own comment."""
        form = form_data(form)
        return self._act(
            reviews.comment_edit,
            comment_id=as_int(form.get("comment_id", "")),
            body=form.get("body", ""),
            key=self.key,
            success="Comment updated.",
            toast_id="comment-edited",
        )

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def delete_comment(self, comment_id: int):
        """Delete one's own comment."""
        return self._act(
            reviews.comment_delete,
            comment_id=as_int(comment_id),
            key=self.key,
            success="Comment deleted.",
            toast_id="comment-deleted",
        )

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def save_review(self, form: dict):
        """Save the quick ratings and the overall note."""
        form = form_data(form)
        return self._act(
            reviews.review_save,
            target=self.ref,
            key=self.key,
            ratings={name: form.get(name) for name in reviews.RATINGS},
            note=form.get("note", ""),
            success="Thanks: your feedback is saved.",
            toast_id="review-saved",
        )

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def vote_ai(self, form: dict):
        """Agree or disagree (with an optional reason) with one item of the AI's feedback."""
        form = form_data(form)
        item = str(form.get("item", ""))
        tip = next((t for t in self.tips if t.item_key == item), None)
        if tip is None:
            return rx.toast.error("That feedback item isn't on this page.")
        result = self._act(
            reviews.ai_vote,
            target=self.ref,
            key=self.key,
            item_key=item,
            dimension=tip.dimension,
            agree=form.get("agree") == "yes",
            reason=form.get("reason", ""),
            success="",
            toast_id="ai-vote",
        )
        if result is None:
            with session_scope() as db:
                votes = reviews.ai_votes_of(
                    session=db, viewer=_viewer(db), target=Target.parse(self.ref)
                )
            for t in self.tips:
                t.vote = {True: "agree", False: "disagree"}.get(votes.get(t.item_key), "")
            self.tips = list(self.tips)
            return rx.toast.success("Noted: this helps us improve the feedback.", id="ai-vote")
        return result

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def report(self, form: dict):
        """Report this answer, or one comment on it, for moderation."""
        form = form_data(form)
        kind = form.get("kind") if form.get("kind") == "comment" else self.kind
        target_id = as_int(form.get("target_id", "")) if kind == "comment" else self.target_id
        try:
            with session_scope() as db:
                fresh = reviews.report_abuse(
                    session=db,
                    viewer=_viewer(db),
                    kind=kind,
                    target_id=target_id,
                    reason=form.get("reason", ""),
                    detail=form.get("detail", ""),
                    key=self.key,
                )
        except (ShareError, InvalidInput) as exc:
            return rx.toast.error(exc.message, id="report")
        message = "Thanks. A moderator will look at it." if fresh else "You reported this already."
        return rx.toast.success(message, id="report")

    @rx.event
    @guarded(SIGNED_IN, flag="community")
    def toggle_helpful(self):
        """Mark this answer helpful (ranks it in the community), or take it back."""
        return self._act(
            community.helpful_toggle,
            target=self.ref,
            success="",
            toast_id="helpful",
        )

    @rx.event
    @guarded(SIGNED_IN, flag="community")
    def toggle_saved(self):
        """Save this answer to learn from, or forget it."""
        return self._act(
            community.saved_toggle,
            target=self.ref,
            success="",
            toast_id="saved-example",
        )


# --------------------------------------------------------------------------------------------
# What reviewers said, shown to the owner on the recording's results page


@dataclass
class RatingSummary:
    """One rating's average over the reviewers who gave it."""

    name: str
    average: str
    count: int
    percent: int  # of 5, for a meter


@dataclass
class TipVotes:
    """How many reviewers agreed and disagreed with one of the AI's tips."""

    message: str
    agree: int
    disagree: int


class OwnerFeedbackState(rx.State):
    """Reviewers' comments, ratings and agreement with the AI on one of the owner's
    recordings (``/recordings/<rid>``); the owner alone may read them here."""

    ref: str = ""
    comments: list[reviews.CommentView] = []
    reviews_: list[ReviewRow] = []
    averages: list[RatingSummary] = []
    tip_votes: list[TipVotes] = []
    agreed: int = 0
    disagreed: int = 0
    loaded: bool = False

    @rx.var
    def has_feedback(self) -> bool:
        """Anyone said anything yet."""
        return bool(self.comments or self.reviews_ or self.agreed or self.disagreed)

    def _read(self, db, rid: int) -> None:
        from prepple.services.delivery import DeliveryReport

        user_id = current_principal().user_id
        target = Target("recording", rid)
        row = sharing.require_owner(session=db, user_id=user_id, target=target)
        viewer = _viewer(db)
        self.ref = target.ref
        self.comments = reviews.comments_list(session=db, viewer=viewer, target=target)
        rows = reviews.reviews_list(session=db, viewer=viewer, target=target, owner=True)
        self.reviews_ = [
            ReviewRow(author=r.author, mine=r.mine, note=r.note, updated=r.updated, **r.ratings)
            for r in rows
        ]
        self.averages = [
            RatingSummary(
                name=name.capitalize(),
                average=f"{avg:.1f}",
                count=count,
                percent=round(avg / 5 * 100),
            )
            for name, (avg, count) in reviews.ratings_average(rows).items()
        ]
        tally = reviews.ai_votes_tally(session=db, target=target)
        report = DeliveryReport.from_dict(_json(row.report_json))
        self.tip_votes = []
        for t in report.tips:
            agree, disagree = tally.get(tip_key(t.kind, t.message), (0, 0))
            if agree or disagree:
                self.tip_votes.append(TipVotes(t.message, agree, disagree))
        self.agreed = sum(v.agree for v in self.tip_votes)
        self.disagreed = sum(v.disagree for v in self.tip_votes)
        self.loaded = True

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def load(self):
        """Read the feedback on the recording in the URL (nothing unless the viewer owns it)."""
        self.reset()
        rid = as_int(self.router.page.params.get("rid", ""))
        if not rid:
            return
        with session_scope() as db:
            try:
                self._read(db, rid)
            except ShareError:
                self.reset()

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def poll(self, _tick: object = None):
        """Every few seconds while the page is open: new comments and ratings."""
        if not self.ref:
            return
        with session_scope() as db:
            try:
                self._read(db, Target.parse(self.ref).id)
            except ShareError:
                self.reset()


# --------------------------------------------------------------------------------------------
# A share's link, the inbox, the community


@dataclass
class LinkItem:
    """One answer inside a shared set."""

    href: str
    question: str


class ShareLinkState(rx.State):
    """``/s/<key>``: opens a share; one answer goes straight to it, a set is listed."""

    problem: str = ""
    needs_login: bool = False
    title: str = ""
    owner_name: str = ""
    message: str = ""
    items: list[LinkItem] = []

    @rx.event
    @guarded(PUBLIC, flag="sharing")
    def load(self):
        """Check the link and open what it shares."""
        self.reset()
        key = str(self.router.page.params.get("key", ""))[:64]
        try:
            with session_scope() as db:
                opened = sharing.share_open(session=db, viewer=_viewer(db), key=key)
        except ShareError as exc:
            self.problem, self.needs_login = exc.message, exc.needs_login
            if exc.needs_login:
                return login_redirect(f"/s/{key}")
            return None
        self.title, self.owner_name, self.message = (
            opened.title,
            opened.owner_name,
            opened.message,
        )
        self.items = [
            LinkItem(href=f"/view/{ref}?k={key}", question=q)
            for ref, q in zip(opened.refs, opened.questions, strict=True)
        ]
        if len(self.items) == 1:
            return rx.redirect(self.items[0].href, replace=True)
        return None


@dataclass
class SetOption:
    """One of the user's answers that can go into a shared set."""

    ref: str
    label: str
    detail: str
    chosen: bool


class SetShareState(rx.State):
    """Share several of one's answers at once (a set), by invitation or link."""

    options: list[SetOption] = []
    chosen: list[str] = []
    new_link: str = ""
    error: str = ""

    def _read(self, db) -> None:
        user_id = current_principal().user_id
        recs = db.exec(
            select(Recording, Question.text)
            .join(Question, Question.id == Recording.question_id)
            .where(Recording.user_id == user_id, Recording.status == "done")
            .order_by(col(Recording.created_at).desc())
            .limit(100)
        ).all()
        plans = db.exec(
            select(Answer, Question.text)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.user_id == user_id, Answer.words > 0)
            .order_by(col(Answer.updated_at).desc())
            .limit(100)
        ).all()
        options = [
            SetOption(
                ref=Target("recording", r.id).ref,
                label=text,
                detail=f"Recording · {r.created_at:%Y-%m-%d} · "
                f"{recordings.format_duration(r.duration_seconds)}",
                chosen=False,
            )
            for r, text in recs
        ] + [
            SetOption(
                ref=Target("answer", a.id).ref,
                label=text,
                detail=f"Written plan ({a.framework}) · {a.words} words",
                chosen=False,
            )
            for a, text in plans
        ]
        self.chosen = [c for c in self.chosen if any(o.ref == c for o in options)]
        for option in options:
            option.chosen = option.ref in self.chosen
        self.options = options

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def load(self):
        """List the user's finished recordings and written plans."""
        self.reset()
        with session_scope() as db:
            self._read(db)

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def toggle(self, ref: str):
        """Put an answer into the set, or take it out."""
        if not any(o.ref == ref for o in self.options):
            return None
        self.chosen = (
            [c for c in self.chosen if c != ref]
            if ref in self.chosen
            else [
                *self.chosen,
                ref,
            ]
        )
        self.options = [
            SetOption(o.ref, o.label, o.detail, o.ref in self.chosen) for o in self.options
        ]
        return None

    def _share(self, args: dict, done: str):
        link, self.error = _make_shares(list(self.chosen), args)
        if self.error:
            return None
        self.new_link = link or self.new_link
        return rx.toast.success(done, id="set-shared")

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def invite(self, form: dict):
        """Invite people by e-mail to the chosen answers."""
        return self._share(_share_args(form, link=False), "Invitation sent.")

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def make_link(self, form: dict):
        """One link to all the chosen answers."""
        return self._share(_share_args(form, link=True), "Link ready: copy it below.")


class InboxState(rx.State):
    """``/shared``: answers others asked me to review, and examples I saved."""

    items: list[sharing.InboxItem] = []
    saved: list[community.SavedView] = []
    loaded: bool = False

    @rx.event
    @guarded(SIGNED_IN, flag="sharing")
    def load(self):
        """Read the inbox."""
        user_id = current_principal().user_id
        with session_scope() as db:
            self.items = sharing.shared_with_me(session=db, user_id=user_id)
            self.saved = community.saved_examples(session=db, viewer=_viewer(db))
        self.loaded = True


class CommunityState(rx.State):
    """``/community/<qid>``: the community's public answers to one question."""

    question_id: int = 0
    question_text: str = ""
    answers: list[community.PublicAnswer] = []
    not_found: bool = False

    def _read(self, db) -> None:
        self.answers = community.public_answers(
            session=db, viewer=_viewer(db), question_id=self.question_id
        )

    @rx.event
    @guarded(SIGNED_IN, flag="community")
    def load(self):
        """Open the question in the URL."""
        self.reset()
        qid = as_int(self.router.page.params.get("qid", ""))
        with session_scope() as db:
            question = db.get(Question, qid) if qid else None
            if question is None:
                self.not_found = True
                return
            self.question_id, self.question_text = question.id, question.text
            self._read(db)

    def _toggle(self, fn, ref: str):
        try:
            target = Target.parse(ref)
            with session_scope() as db:
                fn(session=db, viewer=_viewer(db), target=target)
                db.commit()
                self._read(db)
        except ShareError as exc:
            return rx.toast.error(exc.message, id="community-error")
        return None

    @rx.event
    @guarded(SIGNED_IN, flag="community")
    def toggle_helpful(self, ref: str):
        """Vote an answer helpful (or take the vote back)."""
        return self._toggle(community.helpful_toggle, ref)

    @rx.event
    @guarded(SIGNED_IN, flag="community")
    def toggle_saved(self, ref: str):
        """Save an answer to learn from (or forget it)."""
        return self._toggle(community.saved_toggle, ref)
