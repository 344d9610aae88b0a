"""Human feedback on shared answers: comments at moments or sentences, quick ratings and an
overall note, agreement with the AI's feedback, and abuse reports.

Every function takes the viewer and the target (plus the link key they came through) and
asks :func:`prepple.services.sharing.access` first, so feedback stops the moment a share is
revoked, expires or the owner makes the answer private.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from prepple.db import insert_ignore
from prepple.models import (
    AbuseReport,
    AiFeedbackVote,
    Comment,
    Notification,
    Recording,
    Resume,
    Review,
    User,
    utcnow,
)
from prepple.services import notifications, validation
from prepple.services.rules import clock
from prepple.services.sharing import (
    Access,
    ShareError,
    Target,
    Viewer,
    access,
    shares_revoke_all,
    target_row,
    target_text,
)

COMMENT_MAX = 2000
NOTE_MAX = 4000
RATINGS = ("structure", "clarity", "confidence", "impact")
REPORT_REASONS = {
    "spam": "Spam or advertising",
    "harassment": "Harassment or hate",
    "plagiarism": "Copied from someone else",
    "personal": "Shares someone's private information",
    "other": "Something else",
}
REPORT_KINDS = ("recording", "answer", "comment", "resume")


def _commenter(session: Session, viewer: Viewer, target: Target, key: str) -> Access:
    grant = access(session=session, viewer=viewer, target=target, key=key)
    if not grant.may_comment or not viewer.user_id:
        raise ShareError("Log in to leave feedback.", 401, needs_login=True)
    return grant


def _notify_owner(
    session: Session, grant: Access, viewer: Viewer, target: Target, title: str, body: str
) -> None:
    if grant.is_owner:
        return
    author = session.get(User, viewer.user_id)
    session.add(
        Notification(
            user_id=grant.owner_id,
            kind="feedback",
            title=title.format(name=author.display_name if author else "Someone")[:200],
            body=body[:300],
            link=f"/view/{target.ref}",
        )
    )


def _seconds(value: object, target_row_: object) -> float | None:
    if value in (None, "") and not isinstance(value, bool):
        return None
    if isinstance(value, bool):
        raise ShareError("That moment of the video isn't valid.")
    try:
        at = round(float(value), 2)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:
        raise ShareError("That moment of the video isn't valid.") from exc
    limit = getattr(target_row_, "duration_seconds", 0.0) or 0.0
    if not isinstance(target_row_, Recording) or not 0 <= at <= limit + 1:
        raise ShareError("That moment isn't inside the recording.")
    return at


# --- comments -------------------------------------------------------------------------------------


@dataclass
class CommentView:
    """A comment as viewers see it."""

    id: int
    author: str
    mine: bool
    at: float
    at_label: str
    quote: str
    body: str
    created: str
    edited: bool


def comment_add(
    *,
    session: Session,
    viewer: Viewer,
    target: Target,
    key: str = "",
    body: object,
    at_seconds: object = None,
    quote: object = "",
) -> Comment:
    """Add a comment, pinned to a moment (seconds into the recording), to a sentence
    (``quote``), or to neither. The owner gets a bell notification."""
    grant = _commenter(session, viewer, target, key)
    row = target_row(session, target)
    text = validation.clean_text(
        body, field="body", label="The comment", max_len=COMMENT_MAX, multiline=True
    )
    quoted = validation.clean_text(
        quote, field="quote", label="The sentence", max_len=600, required=False
    )
    if quoted and quoted not in " ".join(target_text(row).split()):
        raise ShareError("Pick the sentence from the answer itself.")
    at = _seconds(at_seconds, row)
    now = utcnow()  # one instant for both, so a new comment doesn't read as edited
    comment = Comment(
        author_id=viewer.user_id,
        at_seconds=at,
        quote=quoted,
        body=text,
        created_at=now,
        updated_at=now,
        **target.columns(),
    )
    session.add(comment)
    where = f" at {_clock(at)}" if at is not None else ""
    _notify_owner(session, grant, viewer, target, "{name} commented on your answer" + where, text)
    session.flush()
    return comment


def _own_comment(session: Session, viewer: Viewer, comment_id: object, key: str) -> Comment:
    comment = session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if comment is None or comment.deleted_at is not None or comment.author_id != viewer.user_id:
        raise ShareError("You can only change your own comments.", 404)
    target = Target.of_columns(comment.recording_id, comment.answer_id)
    _commenter(session, viewer, target, key)  # still allowed to see it?
    return comment


def comment_edit(
    *, session: Session, viewer: Viewer, comment_id: object, body: object, key: str = ""
) -> Comment:
    """Change the text of one's own comment."""
    comment = _own_comment(session, viewer, comment_id, key)
    comment.body = validation.clean_text(
        body, field="body", label="The comment", max_len=COMMENT_MAX, multiline=True
    )
    comment.updated_at = utcnow()
    session.add(comment)
    session.flush()
    return comment


def comment_delete(*, session: Session, viewer: Viewer, comment_id: object, key: str = "") -> None:
    """Delete one's own comment (the row stays, hidden, for moderation)."""
    comment = _own_comment(session, viewer, comment_id, key)
    comment.deleted_at = utcnow()
    session.add(comment)
    session.flush()


_clock = clock  # m:ss, one rule for the app (see rules.clock)


def comments_list(*, session: Session, viewer: Viewer, target: Target) -> list[CommentView]:
    """The comments on a target in video order (timed ones first), then by time written.
    The caller has checked access."""
    rows = session.exec(
        select(Comment, User.display_name)
        .join(User, col(User.id) == Comment.author_id)
        .where(target.column(Comment) == target.id, col(Comment.deleted_at).is_(None))
        .order_by(col(Comment.at_seconds).is_(None), Comment.at_seconds, Comment.id)
    ).all()
    return [
        CommentView(
            id=c.id,
            author=name,
            mine=c.author_id == viewer.user_id,
            at=c.at_seconds if c.at_seconds is not None else -1.0,
            at_label=_clock(c.at_seconds),
            quote=c.quote,
            body=c.body,
            created=f"{c.created_at:%Y-%m-%d %H:%M}",
            edited=c.updated_at > c.created_at,
        )
        for c, name in rows
    ]


# --- ratings and an overall note ------------------------------------------------------------------


@dataclass
class ReviewView:
    """One reviewer's ratings and note."""

    author: str
    mine: bool
    ratings: dict[str, int]
    note: str
    updated: str


def _rating(value: object, name: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, bool):
        raise ShareError(f"Rate {name} from 1 to 5.")
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:
        raise ShareError(f"Rate {name} from 1 to 5.") from exc
    if not 1 <= number <= 5:
        raise ShareError(f"Rate {name} from 1 to 5.")
    return number


def review_save(
    *,
    session: Session,
    viewer: Viewer,
    target: Target,
    key: str = "",
    ratings: object,
    note: object = "",
) -> Review:
    """Save (or update) the viewer's quick ratings (1-5 each, or unrated) and overall note."""
    grant = _commenter(session, viewer, target, key)
    if grant.is_owner:
        raise ShareError("Ask someone else to rate your answer; your own scores are above.")
    if not isinstance(ratings, dict):
        raise ShareError("Ratings must be a set of numbers.")
    values = {name: _rating(ratings.get(name), name) for name in RATINGS}
    text = validation.clean_text(
        note, field="note", label="The note", max_len=NOTE_MAX, required=False, multiline=True
    )
    if not text and all(v is None for v in values.values()):
        raise ShareError("Give at least one rating or a note.")
    review = session.exec(
        select(Review).where(Review.author_id == viewer.user_id, Review.target == target.key)
    ).first()
    first = review is None
    if review is None:
        review = Review(author_id=viewer.user_id, target=target.key, **target.columns())
    for name, value in values.items():
        setattr(review, name, value)
    review.note = text
    review.updated_at = utcnow()
    session.add(review)
    if first:
        _notify_owner(session, grant, viewer, target, "{name} rated your answer", text)
    session.flush()
    return review


def reviews_list(
    *, session: Session, viewer: Viewer, target: Target, owner: bool = False
) -> list[ReviewView]:
    """The reviews of a target a viewer may read: the owner reads all of them, a reviewer only
    their own (ratings are private feedback). The caller has checked access."""
    query = (
        select(Review, User.display_name)
        .join(User, col(User.id) == Review.author_id)
        .where(Review.target == target.key)
        .order_by(col(Review.updated_at).desc())
    )
    if not owner:
        query = query.where(Review.author_id == (viewer.user_id or 0))
    rows = session.exec(query).all()
    return [
        ReviewView(
            author=name,
            mine=r.author_id == viewer.user_id,
            ratings={n: getattr(r, n) or 0 for n in RATINGS},
            note=r.note,
            updated=f"{r.updated_at:%Y-%m-%d}",
        )
        for r, name in rows
    ]


# --- agreeing with the AI ------------------------------------------------------------------------


def ai_vote(
    *,
    session: Session,
    viewer: Viewer,
    target: Target,
    key: str = "",
    item_key: object,
    dimension: object,
    agree: object,
    reason: object = "",
) -> AiFeedbackVote:
    """Agree or disagree with one item of the AI's feedback (owners may too); a second vote
    on the same item replaces the first."""
    _commenter(session, viewer, target, key)
    if not isinstance(agree, bool):
        raise ShareError("Say whether you agree.")
    item = validation.clean_text(item_key, field="item", label="The item", max_len=80)
    dim = validation.clean_text(dimension, field="dimension", label="The dimension", max_len=20)
    why = validation.clean_text(
        reason, field="reason", label="The reason", max_len=1000, required=False, multiline=True
    )
    vote = session.exec(
        select(AiFeedbackVote).where(
            AiFeedbackVote.voter_id == viewer.user_id,
            AiFeedbackVote.target == target.key,
            AiFeedbackVote.item_key == item,
        )
    ).first() or AiFeedbackVote(
        voter_id=viewer.user_id,
        target=target.key,
        item_key=item,
        dimension=dim,
        agree=agree,
        **target.columns(),
    )
    vote.dimension, vote.agree, vote.reason, vote.created_at = dim, agree, why, utcnow()
    session.add(vote)
    session.flush()
    return vote


def ai_votes_of(*, session: Session, viewer: Viewer, target: Target) -> dict[str, bool]:
    """The viewer's own votes on a target's AI feedback: item key -> agreed."""
    if not viewer.user_id:
        return {}
    return dict(
        session.exec(
            select(AiFeedbackVote.item_key, AiFeedbackVote.agree).where(
                AiFeedbackVote.voter_id == viewer.user_id, AiFeedbackVote.target == target.key
            )
        ).all()
    )


def ai_votes_tally(*, session: Session, target: Target) -> dict[str, tuple[int, int]]:
    """Everyone's votes on a target's AI feedback, for its owner: item key -> (agreed,
    disagreed). The caller has checked that the viewer owns the target."""
    rows = session.exec(
        select(
            AiFeedbackVote.item_key,
            func.sum(case((col(AiFeedbackVote.agree), 1), else_=0)),
            func.sum(case((col(AiFeedbackVote.agree), 0), else_=1)),
        )
        .where(AiFeedbackVote.target == target.key)
        .group_by(AiFeedbackVote.item_key)
    ).all()
    return {key: (int(a or 0), int(d or 0)) for key, a, d in rows}


def ratings_average(reviews: list[ReviewView]) -> dict[str, tuple[float, int]]:
    """Each rating's average over the reviewers who gave it: name -> (average, how many)."""
    out: dict[str, tuple[float, int]] = {}
    for name in RATINGS:
        given = [r.ratings.get(name, 0) for r in reviews if r.ratings.get(name, 0)]
        if given:
            out[name] = (round(sum(given) / len(given), 1), len(given))
    return out


@dataclass
class Agreement:
    """How often people agree with the AI on one dimension."""

    dimension: str
    votes: int
    agreed: int

    @property
    def rate(self) -> float:
        return self.agreed / self.votes if self.votes else 0.0


def ai_agreement(*, session: Session) -> list[Agreement]:
    """Agreement with the AI's feedback per dimension (for the admin area)."""
    rows = session.exec(
        select(
            AiFeedbackVote.dimension,
            func.count(),
            func.sum(case((col(AiFeedbackVote.agree), 1), else_=0)),
        ).group_by(AiFeedbackVote.dimension)
    ).all()
    return sorted(
        (Agreement(d, int(n), int(a or 0)) for d, n, a in rows), key=lambda g: g.dimension
    )


# --- abuse reports -------------------------------------------------------------------------------


def report_abuse(
    *,
    session: Session,
    viewer: Viewer,
    kind: object,
    target_id: object,
    reason: object,
    detail: object = "",
    key: str = "",
    now: datetime | None = None,
) -> bool:
    """Report a shared answer, recording, comment or published resume the viewer can see.
    Returns False when the viewer had already reported it (one open report each)."""
    if not viewer.user_id:
        raise ShareError("Log in to report something.", 401, needs_login=True)
    if kind not in REPORT_KINDS or not isinstance(target_id, int) or isinstance(target_id, bool):
        raise ShareError("There is nothing to report there.", 404)
    if not isinstance(reason, str) or reason not in REPORT_REASONS:
        raise ShareError("Choose a reason for the report.")
    text = validation.clean_text(
        detail, field="detail", label="The details", max_len=2000, required=False, multiline=True
    )
    if kind in ("recording", "answer"):
        access(session=session, viewer=viewer, target=Target(str(kind), target_id), key=key)
    elif kind == "comment":
        comment = session.get(Comment, target_id)
        if comment is None or comment.deleted_at is not None:
            raise ShareError("That comment no longer exists.", 404)
        target = Target.of_columns(comment.recording_id, comment.answer_id)
        access(session=session, viewer=viewer, target=target, key=key)
    else:
        resume = session.get(Resume, target_id)
        if resume is None or resume.published_at is None:
            raise ShareError("That resume isn't published.", 404)
    return insert_ignore(
        session,
        AbuseReport,
        reporter_id=viewer.user_id,
        target_kind=str(kind),
        target_id=target_id,
        # The foreign key: the report dies with what it reports.
        **AbuseReport.target_columns(str(kind), target_id),
        reason=str(reason),
        detail=text,
        status="open",
        created_at=now or utcnow(),
    )


# --- moderation ----------------------------------------------------------------------------------


@dataclass
class ReportView:
    """An open abuse report as moderators see it."""

    id: int
    kind: str
    target_id: int
    reason: str
    detail: str
    reporter: str
    excerpt: str
    link: str
    created: str
    effect: str = ""  # what "Remove it" will do, for the confirmation


def _reported_text(session: Session, kind: str, target_id: int) -> tuple[str, str]:
    from prepple.models import Answer
    from prepple.services.sharing import target_text

    if kind == "comment":
        comment = session.get(Comment, target_id)
        if comment is None:
            return "(deleted)", ""
        ref = Target.of_columns(comment.recording_id, comment.answer_id).ref
        return comment.body, f"/view/{ref}"
    if kind == "resume":
        resume = session.get(Resume, target_id)
        return (resume.title + " — " + resume.intro if resume else "(deleted)"), (
            f"/r/{resume.slug}" if resume else ""
        )
    row = session.get(Recording if kind == "recording" else Answer, target_id)
    if row is None:
        return "(deleted)", ""
    return target_text(row), f"/view/{kind[0]}{target_id}"


def reports_open(*, session: Session, limit: int = 100) -> list[ReportView]:
    """Open abuse reports, oldest first, with what was reported."""
    rows = session.exec(
        select(AbuseReport, User.email)
        .join(User, col(User.id) == AbuseReport.reporter_id)
        .where(AbuseReport.status == "open")
        .order_by(AbuseReport.id)
        .limit(limit)
    ).all()
    out = []
    for report, email in rows:
        text, link = _reported_text(session, report.target_kind, report.target_id)
        out.append(
            ReportView(
                id=report.id,
                kind=report.target_kind,
                target_id=report.target_id,
                reason=REPORT_REASONS.get(report.reason, report.reason),
                detail=report.detail,
                reporter=email,
                excerpt=text[:300],
                link=link,
                created=f"{report.created_at:%Y-%m-%d %H:%M} UTC",
                effect=removal_effect(report.target_kind),
            )
        )
    return out


@dataclass
class Resolution:
    """What closing a report did: ``summary`` for the audit log, and the outbox ids of the
    owner's e-mail to deliver after commit."""

    summary: str
    message_ids: list[int]


_EFFECTS = {
    "comment": "The comment is deleted.",
    "resume": "The video resume is unpublished; its public page stops working.",
    "answer": "The answer becomes private: every share link and invitation to it stops "
    "working, it leaves the community, and it can't be shared again.",
}


def removal_effect(kind: str) -> str:
    """What "Remove it" does to a reported ``kind``, in the words the moderator confirms."""
    effect = _EFFECTS.get(kind, _EFFECTS["answer"])
    return f"{effect} Its owner is told why (bell and e-mail) and how to appeal."


def _removed_what(session: Session, kind: str, target_id: int) -> tuple[int, str, str, str] | None:
    """Whose thing was removed, how to name it to them (a noun and what it answered), and
    where they can see it."""
    from prepple.models import Answer, Question

    if kind == "comment":
        comment = session.get(Comment, target_id)
        if comment is None:
            return None
        ref = Target.of_columns(comment.recording_id, comment.answer_id).ref
        return comment.author_id, "your comment", " on a shared answer", f"/view/{ref}"
    if kind == "resume":
        resume = session.get(Resume, target_id)
        return (resume.owner_id, "your video resume", "", "/resume") if resume else None
    row = session.get(Recording if kind == "recording" else Answer, target_id)
    if row is None:
        return None
    question = session.get(Question, row.question_id)
    about = f" to \u201c{question.text[:120]}\u201d" if question else ""
    if isinstance(row, Recording):
        return row.user_id, "your recorded answer", about, f"/recordings/{row.id}"
    return row.user_id, "your written answer", about, f"/plan/{row.question_id}"


def _tell_owner(session: Session, report: AbuseReport, note: str, now: datetime) -> int | None:
    """Bell and e-mail to the owner of what was removed: what, why, and how to appeal.
    Returns the outbox id to deliver (SMTP configured), else ``None``."""
    from prepple.settings import get_settings

    found = _removed_what(session, report.target_kind, report.target_id)
    owner = session.get(User, found[0]) if found else None
    if found is None or owner is None:
        return None
    _, noun, about, link = found
    reason = REPORT_REASONS.get(report.reason, report.reason)
    support = get_settings().support_email
    title = f"A moderator removed {noun}{about} from sharing"
    why = f"Reason: {reason}." + (f" The moderator's note: {note}" if note else "")
    appeal = (
        f"If you think this was a mistake, write to {support} and say which item it was; "
        "a different moderator will look at it again."
    )
    session.add(
        Notification(
            user_id=owner.id,
            kind="moderation",
            title=title[:200],
            body=f"{why} {appeal}"[:1000],
            link=link,
            created_at=now,
        )
    )
    msg = notifications.notify(
        session=session,
        to_email=owner.email,
        user_id=owner.id,
        kind="moderation",
        subject=f"A moderator removed {noun} from sharing",
        body=(
            f"Hello {owner.display_name},\n\n{title} after another member reported it.\n\n"
            f"{why}\n\nWhat this means: "
            f"{_EFFECTS.get(report.target_kind, _EFFECTS['answer'])} "
            "Nothing else in your account changed.\n\n"
            f"{appeal}\n"
        ),
    )
    return msg.id if msg.channel == "smtp" else None


def report_resolve(
    *,
    session: Session,
    report_id: object,
    action: object,
    note: object = "",
    now: datetime | None = None,
) -> Resolution:
    """Close a report: ``dismiss`` it, or ``remove`` what it reports (a comment is deleted, an
    answer or recording made private, a resume unpublished) and tell its owner why, with the
    moderator's optional ``note`` and how to appeal. Every open report on the same thing
    closes with it."""
    from prepple.models import Answer

    now = now or utcnow()
    report = session.get(AbuseReport, report_id) if isinstance(report_id, int) else None
    if report is None or report.status != "open":
        raise ShareError("That report is already closed.", 404)
    if action not in ("dismiss", "remove"):
        raise ShareError("Choose dismiss or remove.")
    text = validation.clean_text(
        note, field="note", label="The note", max_len=500, required=False, multiline=True
    )
    kind, target_id = report.target_kind, report.target_id
    queued: list[int] = []
    if action == "remove":
        if kind == "comment":
            comment = session.get(Comment, target_id)
            if comment is not None and comment.deleted_at is None:
                comment.deleted_at = now
                session.add(comment)
        elif kind == "resume":
            resume = session.get(Resume, target_id)
            if resume is not None:
                resume.published_at = None
                session.add(resume)
        else:
            row = session.get(Recording if kind == "recording" else Answer, target_id)
            if row is not None:
                row.visibility = "private"
                row.moderated_at = now
                session.add(row)
                shares_revoke_all(session=session, target=Target(kind, target_id))
        message_id = _tell_owner(session, report, text, now)
        queued = [message_id] if message_id else []
    status = "removed" if action == "remove" else "dismissed"
    for other in session.exec(
        select(AbuseReport).where(
            AbuseReport.target_kind == kind,
            AbuseReport.target_id == target_id,
            AbuseReport.status == "open",
        )
    ).all():
        other.status = status
        session.add(other)
    session.flush()
    return Resolution(f"{kind} {target_id}: {status}", queued)
