"""Too generic, or too similar: closeness to stock answers and to other people's answers.

Answers are compared as sets of word 3-grams ("shingles") with MinHash signatures; a
MinHash LSH index (datasketch) finds candidates among many stored answers in sub-linear time,
and only a score is returned, never the other answer's text or owner.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from prepple.services.feedback.text import lower_words

NUM_PERM = 64
THRESHOLD = 0.5  # Jaccard similarity of shingles above which two answers are near-copies
SEED = 7

#: Phrases interviewers hear all day; they say nothing about you.
CLICHES = (
    "team player",
    "hard worker",
    "hard-working",
    "go above and beyond",
    "went above and beyond",
    "think outside the box",
    "thinking outside the box",
    "perfectionist",
    "passionate about",
    "results-driven",
    "results driven",
    "detail-oriented",
    "detail oriented",
    "self-starter",
    "synergy",
    "wear many hats",
    "hit the ground running",
    "at the end of the day",
    "work smarter not harder",
    "110%",
    "win-win",
    "move the needle",
    "low-hanging fruit",
    "i always give my best",
    "people person",
    "fast learner",
    "go-getter",
)

#: Template answers that circulate online, written in their typical shape.
STOCK_ANSWERS = (
    "In my previous role I was faced with a challenging situation where there was a conflict "
    "between team members. I took the initiative to set up a meeting where everyone could "
    "share their perspective. I listened actively and found common ground. As a result the "
    "team worked better together and we delivered the project on time.",
    "My greatest weakness is that I am a perfectionist. I sometimes spend too much time making "
    "sure everything is perfect. I have been working on this by setting deadlines for myself "
    "and prioritizing tasks, and I have improved a lot.",
    "There was a time when we had a tight deadline for an important project. I stayed calm, "
    "prioritized the tasks, communicated with my team and worked extra hours. As a result we "
    "met the deadline and the client was very happy with the outcome.",
    "I once had a difficult customer who was unhappy with our service. I listened to their "
    "concerns, empathized with them and offered a solution. In the end the customer left "
    "satisfied and even gave us a positive review.",
    "When I made a mistake at work I took responsibility for it immediately. I informed my "
    "manager, fixed the issue and put measures in place so it would not happen again. I "
    "learned the importance of attention to detail.",
    "I showed leadership when my manager was away and the team needed direction. I stepped up, "
    "delegated tasks based on strengths, motivated everyone and kept the project on track. The "
    "project was a success and my manager praised my leadership.",
)


_SCHEME = MinHash(num_perm=NUM_PERM, seed=SEED).scheme


def shingles(text: str, n: int = 3) -> set[bytes]:
    """Word n-grams of ``text`` (lower case, punctuation ignored)."""
    toks = lower_words(text)
    if len(toks) < n:
        return {" ".join(toks).encode()} if toks else set()
    return {" ".join(toks[i : i + n]).encode() for i in range(len(toks) - n + 1)}


def signature(text: str) -> LeanMinHash:
    """The MinHash signature of an answer."""
    mh = MinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update_batch(list(shingles(text)))
    return LeanMinHash(mh)


def cliches_in(text: str) -> list[str]:
    """The stock phrases ``text`` uses."""
    low = " ".join(lower_words(text.replace("%", " percent ")))
    raw = text.lower()
    return [c for c in CLICHES if (" ".join(lower_words(c)) in low if c != "110%" else c in raw)]


@functools.cache
def _stock_signatures() -> list[LeanMinHash]:
    return [signature(t) for t in STOCK_ANSWERS]


def stock_similarity(sig: LeanMinHash) -> float:
    """The highest estimated Jaccard similarity to a stock template answer."""
    return max((sig.jaccard(s) for s in _stock_signatures()), default=0.0)


@dataclass(frozen=True)
class Match:
    """A near-duplicate found in the index: an opaque id and how close it is."""

    key: str
    similarity: float


class SimilarityIndex:
    """Near-duplicate search over many answers (thread-safe; in memory).

    ``add`` and ``remove`` keep it current as answers are saved and deleted; ``query`` returns
    the closest stored answers above ``THRESHOLD`` without their text."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[str, LeanMinHash] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._sigs)

    def add(self, key: str, text_or_sig: str | LeanMinHash) -> None:
        """Store (or replace) one answer under ``key``."""
        sig = signature(text_or_sig) if isinstance(text_or_sig, str) else text_or_sig
        with self._lock:
            if key in self._sigs:
                self._lsh.remove(key)
            self._lsh.insert(key, sig, check_duplication=False)
            self._sigs[key] = sig

    def remove(self, key: str) -> None:
        """Forget one answer."""
        with self._lock:
            if self._sigs.pop(key, None) is not None:
                self._lsh.remove(key)

    def query(
        self, text_or_sig: str | LeanMinHash, *, exclude: set[str] | None = None, limit: int = 3
    ) -> list[Match]:
        """The closest stored answers (most similar first), excluding ``exclude`` keys."""
        sig = signature(text_or_sig) if isinstance(text_or_sig, str) else text_or_sig
        with self._lock:
            keys = [k for k in self._lsh.query(sig) if not exclude or k not in exclude]
            matches = [Match(k, round(float(sig.jaccard(self._sigs[k])), 3)) for k in keys]
        matches.sort(key=lambda m: -m.similarity)
        return matches[:limit]


def random_signature(rng: np.random.Generator) -> LeanMinHash:
    """A signature with random hash values (for synthetic benchmark corpora)."""
    values = rng.integers(0, 2**32 - 1, size=NUM_PERM, dtype=np.uint64)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=_SCHEME)
