"""The near-copy index over everyone's planned answers, shared by every process through the
database.

Each answer's MinHash signature (``answer_signatures``) and its LSH band keys (``answer_bands``,
an indexed 64-bit key per band) are written in the same transaction as the answer's text
(``planner.plan_save`` and ``plan_restore`` call :func:`index_answer`) and die with the answer
(foreign keys, ``ON DELETE CASCADE``). A look-up is one indexed query for the answers that share
a band key with the text, already narrowed to other people's earlier answers, then the exact
signature comparison in numpy. So every backend process (several behind Redis) sees every saved
answer at once, and nothing is rebuilt after a restart; :func:`backfill` indexes, at start-up,
answers saved before this table existed or under an older signature scheme.

The index holds private answers too (visibility changes at any time), so a look-up must never
tell what it found unless the asker could read it anyway: :func:`closest_other` answers only
signed-in users, counts only answers ``sharing.access`` lets them open (public ones, and ones
shared with them), counts only answers saved *before* theirs (the earlier one is the original),
and is rate-limited per user. ARCHITECTURE.md ("Originality") has the reasoning.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from datetime import datetime

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import delete, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from prepple.models import Answer, AnswerBand, AnswerSignature, utcnow
from prepple.services.feedback.similarity import NUM_PERM, SEED, THRESHOLD, shingles

MIN_WORDS = 25  # shorter texts are too generic to call copies
#: Bands x rows per band: datasketch's choice for the threshold (14 x 4 for 0.5 of 64), so
#: answers at the threshold share a band with probability ~0.6, at 0.7 with ~0.99.
BANDS, ROWS = (lambda lsh: (lsh.b, lsh.r))(MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM))
#: How signatures and band keys are made; a stored row with another scheme is recomputed.
SCHEME = f"w3-p{NUM_PERM}-s{SEED}-b{BANDS}x{ROWS}-m{MIN_WORDS}"
#: At most this many candidates are compared per look-up (answers sharing a band key).
MAX_CANDIDATES = 5_000
_MINHASH = MinHash(num_perm=NUM_PERM, seed=SEED)
BACKFILL_BATCH = 500


def hashes_of(text: str) -> np.ndarray | None:
    """The signature of ``text`` as ``NUM_PERM`` 32-bit values, or ``None`` if too short."""
    if len(text.split()) < MIN_WORDS:
        return None
    # ``similarity.signature``'s values, without drawing the same permutations again for every
    # answer (most of its time). datasketch keeps 64-bit slots but masks values to 32 bits.
    minhash = MinHash(
        num_perm=NUM_PERM, seed=SEED, permutations=_MINHASH.permutations, scheme=_MINHASH.scheme
    )
    minhash.update_batch(list(shingles(text)))
    return minhash.hashvalues.astype("<u4")


def band_keys(hashes: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band (the band's number is part of what is hashed)."""
    keys = set()
    for band in range(BANDS):
        chunk = hashes[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.add(int.from_bytes(digest, "little", signed=True))
    return sorted(keys)


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _write_bands(session: Session, rows: list[tuple[int, np.ndarray]]) -> None:
    values = [
        {"band_key": key, "answer_id": answer_id}
        for answer_id, hashes in rows
        for key in band_keys(hashes)
    ]
    if values:  # executemany: one cached statement, however many rows
        stmt = _insert(session)(AnswerBand.__table__).on_conflict_do_nothing()
        session.connection().execute(stmt, values)


def _write(session: Session, answer_id: int, hashes: np.ndarray | None, *, stale_only: bool):
    """Store one answer's signature and band keys (replacing what was there). With
    ``stale_only``, only if the stored row is missing or of another scheme (start-up backfill:
    a save that happened meanwhile is newer and wins)."""
    table = AnswerSignature.__table__
    values = {
        "answer_id": answer_id,
        "scheme": SCHEME,
        "hashes": None if hashes is None else hashes.tobytes(),
    }
    stmt = (
        _insert(session)(table)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[table.c.answer_id],
            set_={"scheme": values["scheme"], "hashes": values["hashes"]},
            where=(table.c.scheme != SCHEME) if stale_only else None,
        )
    )
    # The upsert first: on PostgreSQL it waits for a concurrent writer of the same row, so the
    # band rows deleted next include the ones that writer added.
    if session.exec(stmt.returning(table.c.answer_id)).first() is None:
        return False
    session.exec(delete(AnswerBand).where(AnswerBand.answer_id == answer_id))
    if hashes is not None:
        _write_bands(session, [(answer_id, hashes)])
    return True


def index_answer(*, session: Session, answer_id: int, text: str) -> None:
    """Index (or re-index) one saved answer's current text, in the caller's transaction."""
    _write(session, answer_id, hashes_of(text), stale_only=False)


def _script(framework: str, raw: str) -> str:
    from prepple.services.planner import script_of, sections_dict

    return script_of(framework, sections_dict(raw))


def backfill(*, session: Session, batch: int = BACKFILL_BATCH) -> int:
    """Index every answer that has no signature of the current scheme; returns how many.
    Commits after each batch (so saves elsewhere aren't held up); several processes may run it
    at once (a row another one wrote first is left alone)."""
    done, last = 0, 0
    while True:
        rows = session.exec(
            select(Answer.id, Answer.framework, Answer.sections_json, AnswerSignature.scheme)
            .outerjoin(AnswerSignature, AnswerSignature.answer_id == Answer.id)
            .where(
                Answer.id > last,
                or_(AnswerSignature.scheme.is_(None), AnswerSignature.scheme != SCHEME),
            )
            .order_by(Answer.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        fresh: list[tuple[int, np.ndarray | None]] = []
        for answer_id, framework, raw, scheme in rows:
            hashes = hashes_of(_script(framework, raw))
            if scheme is None:
                fresh.append((answer_id, hashes))
            else:  # an older scheme: replace it
                done += _write(session, answer_id, hashes, stale_only=True)
        if fresh:
            table = AnswerSignature.__table__
            values = [
                {
                    "answer_id": answer_id,
                    "scheme": SCHEME,
                    "hashes": None if hashes is None else hashes.tobytes(),
                }
                for answer_id, hashes in fresh
            ]
            stmt = _insert(session)(table).on_conflict_do_nothing().returning(table.c.answer_id)
            inserted = set(session.connection().execute(stmt, values).scalars().all())
            _write_bands(
                session,
                [(a, h) for a, h in fresh if a in inserted and h is not None],
            )
            done += len(inserted)
        session.commit()
        last = rows[-1][0]


def reset_index() -> None:
    """Forget the look-up counts (tests switch databases; the index itself is in the database)."""
    reset_limits()


def _matches(
    session: Session, hashes: np.ndarray, *, user_id: int, since: datetime, exclude: int | None
) -> list[tuple[int, float]]:
    """Other people's answers saved before ``since`` whose signature is close to ``hashes``
    (estimated Jaccard at least ``THRESHOLD``), as (answer id, similarity), closest first.
    Private answers are left out here already: ``sharing.access`` never lets anyone but the
    owner (and a moderator judging a report, which doesn't count) open one, so they can't
    crowd out a readable match, and cost no access check (no timing signal either)."""
    candidates = (
        select(AnswerBand.answer_id).where(AnswerBand.band_key.in_(band_keys(hashes))).distinct()
    )
    query = (
        select(AnswerSignature.answer_id, AnswerSignature.hashes)
        .join(Answer, Answer.id == AnswerSignature.answer_id)
        .where(
            AnswerSignature.answer_id.in_(candidates),
            AnswerSignature.scheme == SCHEME,
            AnswerSignature.hashes.is_not(None),
            Answer.user_id != user_id,
            Answer.created_at < since,
            Answer.visibility != "private",
        )
        .limit(MAX_CANDIDATES)
    )
    if exclude is not None:
        query = query.where(Answer.id != exclude)
    rows = session.exec(query).all()
    if not rows:
        return []
    stored = np.frombuffer(b"".join(bytes(h) for _, h in rows), dtype="<u4")
    similarity = (stored.reshape(len(rows), NUM_PERM) == hashes).mean(axis=1)
    found = [
        (answer_id, round(float(sim), 3))
        for (answer_id, _), sim in zip(rows, similarity, strict=True)
        if sim >= THRESHOLD
    ]
    found.sort(key=lambda m: (-m[1], m[0]))
    return found


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
    hashes = hashes_of(text)
    found: float | None = None
    matches = _matches(
        session, hashes, user_id=user_id, since=since, exclude=own.id if own else None
    )
    for answer_id, similarity in matches[:CANDIDATES]:
        if _visible_to(session, user_id, answer_id):
            found = similarity
            break
    _last[user_id] = found
    return found
