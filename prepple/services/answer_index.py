"""The near-duplicate index over everyone's planned answers, kept in this process.

Built from the database on first use and updated as answers are saved, so the planner can say
"this is very close to an answer someone else saved" without revealing whose or what.
(Each backend process keeps its own copy; with several processes an answer saved elsewhere is
seen after that process restarts. A shared index in Redis is the next step when scaled out.)
"""

from __future__ import annotations

import threading

from sqlmodel import Session, select

from prepple.models import Answer
from prepple.services.feedback.similarity import SimilarityIndex
from prepple.services.planner import script_of, sections_dict

_lock = threading.Lock()
_index: SimilarityIndex | None = None
MIN_WORDS = 25  # shorter texts are too generic to call copies


def _key(answer_id: int) -> str:
    return f"answer:{answer_id}"


def get_index(*, session: Session) -> SimilarityIndex:
    """The process-wide index, built from all stored answers the first time."""
    global _index
    with _lock:
        if _index is None:
            index = SimilarityIndex()
            for answer_id, framework, raw in session.exec(
                select(Answer.id, Answer.framework, Answer.sections_json)
            ).all():
                text = script_of(framework, sections_dict(raw))
                if len(text.split()) >= MIN_WORDS:
                    index.add(_key(answer_id), text)
            _index = index
        return _index


def reset_index() -> None:
    """Forget the index (tests switch databases)."""
    global _index
    with _lock:
        _index = None


def index_answer(*, session: Session, answer_id: int, text: str) -> None:
    """Add or refresh one answer after it is saved."""
    index = get_index(session=session)
    if len(text.split()) >= MIN_WORDS:
        index.add(_key(answer_id), text)
    else:
        index.remove(_key(answer_id))


def closest_other(*, session: Session, text: str, own_answer_id: int | None) -> float | None:
    """Similarity of ``text`` to the closest answer that isn't the user's own, if any is close."""
    if len(text.split()) < MIN_WORDS:
        return None
    exclude = {_key(own_answer_id)} if own_answer_id else set()
    matches = get_index(session=session).query(text, exclude=exclude, limit=1)
    return matches[0].similarity if matches else None
