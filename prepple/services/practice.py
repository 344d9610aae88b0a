"""Choosing what to practise: the questions of a practice session."""

from __future__ import annotations

import random

from sqlmodel import Session, col, select

from prepple.models import Answer, Company, Question, QuestionCompany
from prepple.services import saved

SOURCES = ("random", "saved", "planned", "company")
MAX_SESSION = 10


def practice_set(
    *,
    session: Session,
    user_id: int | None,
    source: str,
    company: str = "",
    count: int = 3,
    saved_ids: list[int] | None = None,
    rng: random.Random | None = None,
) -> list[int]:
    """Question ids for a practice session, in the order to answer them.

    ``random``: any questions; ``saved``: the practice list (``saved_ids`` for visitors, whose
    list lives in their browser); ``planned``: questions the user has a plan for, least
    recently planned first; ``company``: one company's tagged questions."""
    rng = rng or random.Random()
    count = max(1, min(int(count), MAX_SESSION))
    pool: list[int]
    if source == "saved":
        pool = (
            saved.saved_ids(session=session, user_id=user_id)
            if user_id
            else [i for i in (saved_ids or []) if isinstance(i, int)]
        )
        existing = set(session.exec(select(Question.id).where(col(Question.id).in_(pool))).all())
        pool = [i for i in pool if i in existing]
    elif source == "planned" and user_id:
        pool = list(
            session.exec(
                select(Answer.question_id)
                .where(Answer.user_id == user_id)
                .order_by(col(Answer.updated_at))
            ).all()
        )
        return pool[:count]
    elif source == "company" and company:
        pool = list(
            session.exec(
                select(QuestionCompany.question_id)
                .join(Company, col(Company.id) == col(QuestionCompany.company_id))
                .where(Company.slug == company)
                .order_by(col(QuestionCompany.question_id))
            ).all()
        )
    else:
        pool = list(session.exec(select(Question.id).order_by(col(Question.id))).all())
    if len(pool) <= count:
        rng.shuffle(pool)
        return pool
    return rng.sample(pool, count)
