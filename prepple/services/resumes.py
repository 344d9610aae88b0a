"""Video resumes: a title, an intro and chosen practice recordings in order, published at
``/r/<slug>`` for anyone to watch without an account.

The public view holds only what the owner picked: the title, the intro, and for each chosen
recording its question, its transcript and the video. No scores, no e-mail, no other answers.
A recording in a published resume is playable through the resume's own media tokens only;
its visibility for sharing is untouched.

Views count once per visitor per UTC day (:func:`visitor_key`, ``resume_view_marks``): a
visitor is a keyed hash of their address and browser (or of their account when signed in),
so reloads and scripted visits don't inflate the count; bots (by user agent) and the owner
don't count at all. Marks older than two days are pruned by housekeeping.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from prepple.db import insert_ignore
from prepple.models import Question, Recording, Resume, ResumeItem, ResumeViewMark, User, utcnow
from prepple.services import signing, validation
from prepple.services.errors import DomainError
from prepple.services.sharing import target_text
from prepple.settings import get_settings

MAX_ITEMS = 12
MAX_RESUMES = 10
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])\Z")  # \Z: no trailing newline


class ResumeError(DomainError):
    """A refused or invalid resume action; ``message`` is safe to show."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, status=status)


@dataclass
class ResumeItemView:
    """One chosen recording."""

    recording_id: int
    question: str
    duration: str
    transcript: str
    has_video: bool


@dataclass
class ResumeView:
    """A resume as its owner edits it, or (``public``) as the world sees it."""

    id: int
    slug: str
    title: str
    intro: str
    published: bool
    views: int
    items: list[ResumeItemView] = field(default_factory=list)
    #: The resume's creation time (``signing.stamp``), which its media tokens name.
    stamp: int = 0


def slugify(text: str) -> str:
    """A URL-safe slug from a title ("Ana's résumé!" -> "anas-resume")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", folded.replace("'", "")).strip("-")
    slug = words[:40].strip("-")
    if len(slug) < 3:  # SLUG_RE (the public page) needs at least three characters
        slug = f"{slug}-resume" if slug else "resume"
    return slug


def _owned(session: Session, owner_id: int, resume_id: object) -> Resume:
    resume = session.get(Resume, resume_id) if isinstance(resume_id, int) else None
    if resume is None or resume.owner_id != owner_id:
        raise ResumeError("That resume doesn't exist.", 404)
    return resume


def _items(session: Session, resume: Resume, *, public: bool) -> list[ResumeItemView]:
    rows = session.exec(
        select(ResumeItem, Recording, Question)
        .join(Recording, col(Recording.id) == ResumeItem.recording_id)
        .join(Question, col(Question.id) == Recording.question_id)
        .where(ResumeItem.resume_id == resume.id)
        .order_by(ResumeItem.position, ResumeItem.id)
    ).all()
    from prepple.services.recordings import format_duration

    out = []
    for _item, rec, question in rows:
        if public and (rec.status != "done" or not rec.media_key or rec.moderated_at):
            continue
        text = target_text(rec)
        out.append(
            ResumeItemView(
                recording_id=rec.id,
                question=question.text,
                duration=format_duration(rec.duration_seconds),
                transcript=text.strip(),
                has_video=rec.has_video,
            )
        )
    return out


def _view(session: Session, resume: Resume, *, public: bool = False) -> ResumeView:
    return ResumeView(
        id=resume.id,
        slug=resume.slug,
        title=resume.title,
        intro=resume.intro,
        published=resume.published_at is not None,
        views=resume.views,
        items=_items(session, resume, public=public),
        stamp=signing.stamp(resume.created_at),
    )


def resumes_of(*, session: Session, owner_id: int) -> list[ResumeView]:
    """The owner's resumes, newest first."""
    rows = session.exec(
        select(Resume).where(Resume.owner_id == owner_id).order_by(col(Resume.id).desc())
    ).all()
    return [_view(session, r) for r in rows]


def _unique_slug(session: Session, base: str) -> str:
    slug = base
    while session.exec(select(Resume.id).where(Resume.slug == slug)).first() is not None:
        slug = f"{base[:50]}-{secrets.token_hex(3)}"
    return slug


def resume_create(*, session: Session, owner_id: int, title: object) -> Resume:
    """Start a resume (unpublished) with a title; its slug comes from the title."""
    text = validation.clean_text(title, field="title", label="The title", max_len=120)
    count = session.exec(select(func.count()).where(Resume.owner_id == owner_id)).one()
    if count >= MAX_RESUMES:
        raise ResumeError(f"You can keep up to {MAX_RESUMES} resumes; delete one first.")
    resume = Resume(owner_id=owner_id, title=text, slug=_unique_slug(session, slugify(text)))
    session.add(resume)
    session.flush()
    return resume


def resume_update(
    *,
    session: Session,
    owner_id: int,
    resume_id: object,
    title: object,
    intro: object,
    slug: object | None = None,
) -> Resume:
    """Change the title, intro and (optionally) the slug of one's resume."""
    resume = _owned(session, owner_id, resume_id)
    resume.title = validation.clean_text(title, field="title", label="The title", max_len=120)
    resume.intro = validation.clean_text(
        intro, field="intro", label="The introduction", max_len=2000, required=False, multiline=True
    )
    if slug is not None and slug != resume.slug:
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise ResumeError(
                "The address may use 3 to 60 lower-case letters, digits and dashes "
                "(not at either end)."
            )
        taken = session.exec(
            select(Resume.id).where(Resume.slug == slug, Resume.id != resume.id)
        ).first()
        if taken is not None:
            raise ResumeError("That address is taken; try another.")
        resume.slug = slug
    resume.updated_at = utcnow()
    session.add(resume)
    session.flush()
    return resume


def resume_set_items(
    *, session: Session, owner_id: int, resume_id: object, recording_ids: object
) -> list[int]:
    """Choose the resume's recordings, in order: each must be one's own, finished recording."""
    resume = _owned(session, owner_id, resume_id)
    if not isinstance(recording_ids, list | tuple):
        raise ResumeError("Choose recordings from your list.")
    ids: list[int] = []
    for rid in recording_ids:
        if not isinstance(rid, int) or isinstance(rid, bool) or rid in ids:
            raise ResumeError("Choose recordings from your list.")
        ids.append(rid)
    if len(ids) > MAX_ITEMS:
        raise ResumeError(f"A resume holds at most {MAX_ITEMS} answers.")
    if ids:
        owned = set(
            session.exec(
                select(Recording.id).where(
                    col(Recording.id).in_(ids),
                    Recording.user_id == owner_id,
                    Recording.status == "done",
                )
            ).all()
        )
        if owned != set(ids):
            raise ResumeError("Only your own recordings with results can go in a resume.", 404)
    for item in session.exec(select(ResumeItem).where(ResumeItem.resume_id == resume.id)).all():
        session.delete(item)
    session.flush()
    for position, rid in enumerate(ids):
        session.add(ResumeItem(resume_id=resume.id, recording_id=rid, position=position))
    if not ids:
        resume.published_at = None  # an empty resume has nothing to show
    resume.updated_at = utcnow()
    session.add(resume)
    session.flush()
    return ids


def resume_publish(
    *,
    session: Session,
    owner_id: int,
    resume_id: object,
    publish: bool,
    now: datetime | None = None,
) -> Resume:
    """Publish (within the account's limit; a resume needs an answer) or unpublish."""
    resume = _owned(session, owner_id, resume_id)
    if not publish:
        resume.published_at = None
    elif resume.published_at is None:
        if not _items(session, resume, public=True):
            raise ResumeError("Add at least one answer with results before publishing.")
        limit = get_settings().max_published_resumes
        published = session.exec(
            select(func.count()).where(
                Resume.owner_id == owner_id, col(Resume.published_at).is_not(None)
            )
        ).one()
        if published >= limit:
            raise ResumeError(
                f"Your plan includes {limit} published resume{'s' if limit != 1 else ''}. "
                "Unpublish the other one first."
            )
        resume.published_at = now or utcnow()
    session.add(resume)
    session.flush()
    return resume


def resume_delete(*, session: Session, owner_id: int, resume_id: object) -> None:
    """Delete a resume (its recordings stay)."""
    session.delete(_owned(session, owner_id, resume_id))
    session.flush()


#: User agents of crawlers, link previewers and scripts: their visits are not views.
BOT_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrapy|curl/|wget/|python-|httpx|aiohttp|go-http-client|"
    r"java/|libwww|okhttp|axios/|node-fetch|phantomjs|facebookexternalhit|embedly|preview|"
    r"monitor|lighthouse",
    re.I,
)


def visitor_key(*, client_ip: str, user_agent: str, viewer_id: int | None = None) -> str:
    """Who is looking, for counting views: a keyed hash (nothing readable is stored) of the
    account when signed in, else of the address and browser; ``""`` for bots and clients
    that send no user agent (their visits don't count)."""
    agent = (user_agent or "").strip()
    if not viewer_id and (not agent or BOT_RE.search(agent)):
        return ""
    who = f"user:{viewer_id}" if viewer_id else f"anon:{client_ip}|{agent[:300]}"
    key = hmac.new(get_settings().secret_key.encode(), b"resume views v1", hashlib.sha256)
    key.update(who.encode("utf-8", "replace"))
    return key.hexdigest()[:40]


def resume_view_marks_prune(*, session: Session, now: datetime | None = None) -> int:
    """Forget view marks older than yesterday (only today's are needed)."""
    cutoff = ((now or utcnow()) - timedelta(days=2)).strftime("%Y-%m-%d")
    rows = session.exec(select(ResumeViewMark).where(col(ResumeViewMark.day) < cutoff)).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def resume_public(
    *,
    session: Session,
    slug: object,
    count_view: bool = True,
    viewer_id: int | None = None,
    visitor: str = "",
    now: datetime | None = None,
) -> ResumeView:
    """The published resume at ``/r/<slug>`` (ResumeError 404 if none). Counts a view once
    per ``visitor`` (:func:`visitor_key`) per day; never the owner's own (``viewer_id``), a
    bot's or an unknown visitor's (``visitor=""``)."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise ResumeError("There is no resume at this address.", 404)
    resume = session.exec(select(Resume).where(Resume.slug == slug)).first()
    owner = session.get(User, resume.owner_id) if resume else None
    if resume is None or resume.published_at is None or not (owner and owner.is_active):
        raise ResumeError("There is no resume at this address.", 404)
    day = (now or utcnow()).strftime("%Y-%m-%d")
    if (
        count_view
        and visitor
        and viewer_id != resume.owner_id
        and insert_ignore(session, ResumeViewMark, resume_id=resume.id, visitor=visitor, day=day)
    ):
        session.exec(
            update(Resume)
            .where(col(Resume.id) == resume.id)
            .values(views=Resume.views + 1)
            .execution_options(synchronize_session=False)
        )
        session.expire(resume, ["views"])  # updated in SQL (no lost counts); read it again
    return _view(session, resume, public=True)


def resume_media_allowed(
    *, session: Session, resume_id: int, recording_id: int, resume_stamp: object
) -> bool:
    """Whether a published resume still includes this recording (checked on every request):
    the very resume the token was made for (``resume_stamp``, its creation time), published,
    of an active account."""
    row = session.exec(
        select(Resume.created_at)
        .join(ResumeItem, col(ResumeItem.resume_id) == Resume.id)
        .join(Recording, col(Recording.id) == ResumeItem.recording_id)
        .join(User, col(User.id) == Resume.owner_id)
        .where(
            ResumeItem.resume_id == resume_id,
            ResumeItem.recording_id == recording_id,
            col(Resume.published_at).is_not(None),
            col(Recording.moderated_at).is_(None),
            col(User.is_active).is_(True),
        )
    ).first()
    return row is not None and signing.stamp(row) == resume_stamp
