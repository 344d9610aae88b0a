"""The community's answers to one question: public answers from users and example answers from
mentors, ranked by helpfulness votes; saving one to learn from; and the near-copy check that
keeps someone from publishing another person's public answer as their own without a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from prepple.db import insert_ignore
from prepple.models import (
    Answer,
    HelpfulVote,
    Question,
    Recording,
    SavedExample,
    User,
    UserRole,
)
from prepple.services.feedback.similarity import signature
from prepple.services.sharing import (
    ShareError,
    Target,
    Viewer,
    access,
    target_row,
    target_text,
)

NEAR_COPY = 0.5  # Jaccard similarity of word shingles (the planner's near-duplicate threshold)
MIN_WORDS = 25  # shorter texts are too generic to call copies
LIST_LIMIT = 50


@dataclass
class PublicAnswer:
    """One public answer in a question's community list."""

    ref: str
    kind: str
    author: str
    by_mentor: bool
    excerpt: str
    helpful: int
    voted: bool
    saved: bool
    mine: bool
    duration: str
    overall: int


def _public_rows(session: Session, question_id: int) -> list[Recording | Answer]:
    recs = session.exec(
        select(Recording)
        .join(User, col(User.id) == Recording.user_id)
        .where(
            Recording.question_id == question_id,
            Recording.visibility == "public",
            Recording.status == "done",
            col(User.is_active),
        )
    ).all()
    answers = session.exec(
        select(Answer)
        .join(User, col(User.id) == Answer.user_id)
        .where(
            Answer.question_id == question_id, Answer.visibility == "public", col(User.is_active)
        )
    ).all()
    return [*recs, *answers]


def public_answers(*, session: Session, viewer: Viewer, question_id: int) -> list[PublicAnswer]:
    """Public answers to a question, most helpful first (then mentors', then newest)."""
    from prepple.services.recordings import format_duration

    rows = _public_rows(session, question_id)
    if not rows:
        return []
    keys = [Target.of_row(r).key for r in rows]
    votes = dict(
        session.exec(
            select(HelpfulVote.target, func.count())
            .where(col(HelpfulVote.target).in_(keys))
            .group_by(HelpfulVote.target)
        ).all()
    )
    mine_votes = set(
        session.exec(
            select(HelpfulVote.target).where(
                HelpfulVote.voter_id == (viewer.user_id or 0), col(HelpfulVote.target).in_(keys)
            )
        ).all()
    )
    saved = set(
        session.exec(
            select(SavedExample.target).where(
                SavedExample.user_id == (viewer.user_id or 0), col(SavedExample.target).in_(keys)
            )
        ).all()
    )
    owners = {r.user_id for r in rows}
    names = dict(
        session.exec(select(User.id, User.display_name).where(col(User.id).in_(owners))).all()
    )
    mentors = set(
        session.exec(
            select(UserRole.user_id).where(
                col(UserRole.user_id).in_(owners), col(UserRole.role).in_(("mentor", "admin"))
            )
        ).all()
    )
    out = []
    for row in rows:
        target = Target.of_row(row)
        words = target_text(row).split()
        is_rec = isinstance(row, Recording)
        out.append(
            PublicAnswer(
                ref=target.ref,
                kind=target.kind,
                author=names.get(row.user_id, ""),
                by_mentor=row.user_id in mentors,
                excerpt=" ".join(words[:40]) + (" …" if len(words) > 40 else ""),
                helpful=int(votes.get(target.key, 0)),
                voted=target.key in mine_votes,
                saved=target.key in saved,
                mine=row.user_id == viewer.user_id,
                duration=format_duration(row.duration_seconds) if is_rec else "",
                overall=int(row.overall or 0),
            )
        )
    out.sort(key=lambda a: (-a.helpful, not a.by_mentor, a.kind, -int(a.ref[1:])))
    return out[:LIST_LIMIT]


def marks_of(*, session: Session, viewer: Viewer, target: Target) -> tuple[bool, bool]:
    """Whether the viewer marked this answer helpful, and saved it."""
    if not viewer.user_id:
        return False, False
    voted = session.exec(
        select(HelpfulVote.id).where(
            HelpfulVote.voter_id == viewer.user_id, HelpfulVote.target == target.key
        )
    ).first()
    saved = session.exec(
        select(SavedExample.id).where(
            SavedExample.user_id == viewer.user_id, SavedExample.target == target.key
        )
    ).first()
    return voted is not None, saved is not None


def _member_sees(session: Session, viewer: Viewer, target: Target) -> None:
    if not viewer.user_id:
        raise ShareError("Log in to vote and save answers.", 401, needs_login=True)
    grant = access(session=session, viewer=viewer, target=target)
    if grant.is_owner:
        raise ShareError("That's your own answer.")


def _toggle(session: Session, viewer: Viewer, target: Target, model: type, who: str) -> bool:
    """Add the viewer's row of ``model`` for ``target`` (``who`` names its user column), or
    take it away; returns whether it now stands."""
    _member_sees(session, viewer, target)
    existing = session.exec(
        select(model).where(getattr(model, who) == viewer.user_id, model.target == target.key)
    ).first()
    if existing is not None:
        session.delete(existing)
        session.flush()
        return False
    insert_ignore(session, model, target=target.key, **{who: viewer.user_id}, **target.columns())
    return True


def helpful_toggle(*, session: Session, viewer: Viewer, target: Target) -> bool:
    """Mark a public (or shared-with-you) answer helpful, or take the vote back; returns
    whether the viewer's vote now stands."""
    return _toggle(session, viewer, target, HelpfulVote, "voter_id")


def saved_toggle(*, session: Session, viewer: Viewer, target: Target) -> bool:
    """Save a public answer to learn from, or forget it; returns whether it is now saved."""
    return _toggle(session, viewer, target, SavedExample, "user_id")


@dataclass
class SavedView:
    """A saved example in the learner's list."""

    ref: str
    question: str
    author: str
    excerpt: str


def saved_examples(*, session: Session, viewer: Viewer) -> list[SavedView]:
    """The examples a user saved that they can still see (newest first)."""
    rows = session.exec(
        select(SavedExample)
        .where(SavedExample.user_id == (viewer.user_id or 0))
        .order_by(col(SavedExample.id).desc())
        .limit(100)
    ).all()
    out = []
    for saved in rows:
        kind, _, number = saved.target.partition(":")
        target = Target(kind, int(number))
        try:
            access(session=session, viewer=viewer, target=target)
        except ShareError:
            continue  # made private or deleted since
        row = target_row(session, target)
        question = session.get(Question, row.question_id)
        owner = session.get(User, row.user_id)
        words = target_text(row).split()
        out.append(
            SavedView(
                ref=target.ref,
                question=question.text if question else "",
                author=owner.display_name if owner else "",
                excerpt=" ".join(words[:30]) + (" …" if len(words) > 30 else ""),
            )
        )
    return out


def near_copy_warning(*, session: Session, row: Recording | Answer) -> str | None:
    """A warning when ``row`` is a near-copy of another person's public answer to the same
    question (planned or spoken) made before it, else ``None``: the earlier answer is the
    original, so its author is never warned about a later copy."""
    text = target_text(row)
    if len(text.split()) < MIN_WORDS:
        return None
    mine = signature(text)
    best = 0.0
    for other in _public_rows(session, row.question_id):
        if other.user_id == row.user_id or other.created_at >= row.created_at:
            continue
        theirs = target_text(other)
        if len(theirs.split()) < MIN_WORDS:
            continue
        best = max(best, float(mine.jaccard(signature(theirs))))
    if best < NEAR_COPY:
        return None
    return (
        f"This answer is very close ({best:.0%} the same wording) to another member's public "
        "answer to this question. Publish it only if the words are your own."
    )
