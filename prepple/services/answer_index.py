"""The near-duplicate index over everyone's planned answers, kept in this process.

Built from the database on first use and updated as answers are saved, so the planner can say
"this is very close to an answer someone else saved" without revealing whose or what.
(Each backend process keeps its own copy; with several processes an answer saved elsewhere is
seen after that process restarts. A shared index in Redis is the next step when scaled out.)

The index holds private answers too (visibility changes at any time), so a look-up must never
tell what it found unless the asker could read it anyway: :func:`closest_other` answers only
signed-in users, counts only answers ``sharing.access`` lets them open (public ones, and ones
shared with them), counts only answers saved *before* theirs (the earlier one is the original),
and is rate-limited per user. ARCHITECTURE.md ("Originality") has the reasoning.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import datetime

from sqlmodel import Session, select

from prepple.models import Answer, utcnow
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
    """Forget the index and the look-up counts (tests switch databases)."""
    global _index
    with _lock:
        _index = None
    reset_limits()


def index_answer(*, session: Session, answer_id: int, text: str) -> None:
    """Add or refresh one answer after it is saved."""
    index = get_index(session=session)
    if len(text.split()) >= MIN_WORDS:
        index.add(_key(answer_id), text)
    else:
        index.remove(_key(answer_id))


#: Look-ups per user: at most this many per window (seconds). Typing in the planner asks at
#: most about once a second; beyond the limit the last answer is repeated.
LIMITS = ((30, 60.0), (300, 3600.0))
CANDIDATES = 10


class RateLimiter:
    """Sliding-window limits per key, in this process (thread-safe)."""

    def __init__(self, limits: tuple[tuple[int, float], ...] = LIMITS) -> None:
        self.limits = limits
        self._hits: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: int, now: float | None = None) -> bool:
        """Count one look-up for ``key`` if every window has room; False if one is full."""
        now = time.monotonic() if now is None else now
        longest = max(w for _, w in self.limits)
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - longest:
                hits.popleft()
            for count, window in self.limits:
                if sum(1 for t in hits if t > now - window) >= count:
                    return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle users
                for k in [k for k, h in self._hits.items() if not h or h[-1] <= now - longest]:
                    del self._hits[k]
            return True


_limiter = RateLimiter()
_last: dict[int, float | None] = {}


def reset_limits() -> None:
    """Forget the look-up counts (tests)."""
    global _limiter
    _limiter = RateLimiter()
    _last.clear()


def _visible_to(session: Session, user_id: int, answer_id: int) -> bool:
    """May this user open that answer anyway (public, or shared with them)? Moderators'
    access to reported answers doesn't count: it is for judging, not for comparing."""
    from prepple.services import sharing

    try:
        grant = sharing.access(
            session=session,
            viewer=sharing.viewer_of(session, user_id),
            target=sharing.Target("answer", answer_id),
        )
    except sharing.ShareError:
        return False
    return grant.via in ("invite", "community")


def closest_other(
    *,
    session: Session,
    text: str,
    user_id: int | None,
    own_answer_id: int | None,
    now: datetime | None = None,
) -> float | None:
    """Similarity of ``text`` to the closest earlier answer by someone else that ``user_id``
    may read, if any is close. Visitors get ``None`` (no comparison at all)."""
    if not user_id or len(text.split()) < MIN_WORDS:
        return None
    if not _limiter.allow(user_id):
        return _last.get(user_id)
    own = session.get(Answer, own_answer_id) if own_answer_id else None
    if own is not None and own.user_id != user_id:
        own = None
    since = own.created_at if own is not None else (now or utcnow())
    exclude = {_key(own.id)} if own is not None else set()
    found: float | None = None
    for match in get_index(session=session).query(text, exclude=exclude, limit=CANDIDATES):
        other = session.get(Answer, int(match.key.split(":", 1)[1]))
        if other is None or other.user_id == user_id or other.created_at >= since:
            continue  # gone, one's own, or saved later: the later answer is the copy
        if _visible_to(session, user_id, other.id):
            found = match.similarity
            break
    _last[user_id] = found
    return found
