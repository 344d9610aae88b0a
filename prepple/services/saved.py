"""A user's practice list: questions they saved. Visitors keep theirs in the browser and
the list is imported into the account when they sign up or log in."""

from __future__ import annotations

from sqlmodel import Session, select

from prepple.models import Question, SavedQuestion

MAX_SAVED = 500


def saved_ids(*, session: Session, user_id: int) -> list[int]:
    """Ids of the questions on the user's list, newest first."""
    return list(
        session.exec(
            select(SavedQuestion.question_id)
            .where(SavedQuestion.user_id == user_id)
            .order_by(SavedQuestion.created_at.desc(), SavedQuestion.question_id)
        ).all()
    )


def saved_set(*, session: Session, user_id: int, question_id: int, saved: bool) -> bool:
    """Add or remove one question; returns whether it is saved afterwards."""
    if session.get(Question, question_id) is None:
        raise LookupError("That question no longer exists.")
    row = session.get(SavedQuestion, (user_id, question_id))
    if saved and row is None:
        if len(saved_ids(session=session, user_id=user_id)) >= MAX_SAVED:
            raise ValueError(f"Your list is full ({MAX_SAVED} questions).")
        session.add(SavedQuestion(user_id=user_id, question_id=question_id))
    elif not saved and row is not None:
        session.delete(row)
    session.flush()
    return saved


def saved_import(*, session: Session, user_id: int, question_ids: object) -> int:
    """Merge a visitor's browser list into the account; ignores junk and unknown ids."""
    if not isinstance(question_ids, list):
        return 0
    wanted = {i for i in question_ids if isinstance(i, int) and not isinstance(i, bool)}
    if not wanted:
        return 0
    known = set(session.exec(select(Question.id).where(Question.id.in_(list(wanted)[:MAX_SAVED]))))
    have = set(saved_ids(session=session, user_id=user_id))
    added = 0
    for qid in sorted(known - have):
        if len(have) + added >= MAX_SAVED:
            break
        session.add(SavedQuestion(user_id=user_id, question_id=qid))
        added += 1
    session.flush()
    return added
