"""Delivery of a spoken practice answer: pace, fillers, pauses, length, structure, coverage of
the plan, and whether it sounds read from the script.

``delivery_score(transcript, ...)`` reads a :class:`~prepple.services.speech.Transcript` (timed
words) and the plan the user chose, and returns a :class:`DeliveryReport`: plain data with
``to_dict()`` / ``from_dict()`` (stored as JSON with the recording, rendered by the practice
page). Pure Python, no Reflex. Everything but the feedback engine is linear in the number of
words: about 4 ms for a 3-minute answer (about 15 ms more for the engine), about 50 ms for 30
minutes.

Definitions used throughout (so the numbers on screen can be explained):

* *Spoken words* are the transcript's words minus hesitation sounds ("um", "uh", "[um]"...).
  "like" and "you know" stay counted as words even when they are used as fillers.
* *Speaking time* runs from the first word's start to the last word's end: silence before the
  user starts and after they stop is not held against them. The headline words per minute
  (``wpm``) is spoken words over speaking time; ``wpm_total`` divides by the whole recording.
* Words are put in time order first (a stable sort, so the transcript order breaks ties);
  ``index`` fields always point into the original ``transcript.words`` list.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import re
import typing
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from prepple.services.feedback import listen
from prepple.services.feedback.engine import AnswerInput, Report, analyze
from prepple.services.feedback.frameworks import FRAMEWORKS, sections_of
from prepple.services.feedback.text import clean, lower_words, split_sentences
from prepple.services.rules import TARGET_MAX, TARGET_MIN, clock
from prepple.services.speech import Transcript, Word

VERSION = 1

COMFORTABLE_WPM = (130.0, 160.0)  # easy to follow by ear
PAUSE_SECONDS = 2.0  # a gap between words at least this long is a "long pause"
VERY_LONG_PAUSE = 5.0
WINDOW_SECONDS = 15.0  # the pace chart's window (grows for very long recordings)
MAX_WINDOWS = 120
BURST_OVER = 20.0  # a 15-second window this far above the band is worth a word
MIN_WORDS_FOR_PACE = 20  # fewer words (or under MIN_SECONDS_FOR_PACE) -> no pace verdict
MIN_SECONDS_FOR_PACE = 10.0
READ_OVERLAP = 0.6  # share of the transcript's 4-grams found in the script: read word for word
READ_OVERLAP_STEADY = 0.45  # ... or this much with an unusually steady pace
STEADY_PACE = 0.10  # coefficient of variation of the windowed pace below which it's "steady"
BULLET_MATCH = 0.6  # share of a bullet's content words that must be heard close together
MAX_TIPS = 6

WEIGHTS = {
    "pace": 0.20,
    "fillers": 0.20,
    "pauses": 0.10,
    "length": 0.15,
    "structure": 0.20,
    "coverage": 0.15,
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "good": 3}


# ---------------------------------------------------------------------------------------------
# The report: one group per measure, None when the measure doesn't apply


@dataclass
class PacePoint:
    """Words per minute over one window of the recording (media time, seconds)."""

    start: float
    end: float
    wpm: float
    words: int


@dataclass
class Pace:
    """Speaking rate. ``wpm`` (the one to show) is spoken words over speaking time;
    ``wpm_total`` is over the whole recording. ``verdict`` is "slow", "comfortable" or "fast"
    against :data:`COMFORTABLE_WPM`, or "" when there is too little speech to judge.
    ``variation`` is the coefficient of variation of the windowed pace (None under three
    whole windows): low means very steady, one sign of reading aloud."""

    wpm: float
    wpm_total: float | None = None
    verdict: str = ""
    series: list[PacePoint] = field(default_factory=list)
    variation: float | None = None


@dataclass
class Filler:
    """A filler: ``word`` as said ("um", "like", "you know"), its time span and the index of
    its (first) word in ``transcript.words``."""

    word: str
    time: float
    end: float
    index: int


@dataclass
class Fillers:
    """Filler words. ``per_minute`` is over speaking time counted as at least 30 s (one "um"
    in a 10-second answer isn't 6 a minute); without word timings it is estimated per word at
    150 words a minute. ``verdict``: "few" (up to 2 a minute; fluent speakers say about 1),
    "some" (up to 4), "many" (hesitant: about 5)."""

    items: list[Filler] = field(default_factory=list)
    count: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    per_minute: float = 0.0
    verdict: str = ""


@dataclass
class Pause:
    """A silence of at least :data:`PAUSE_SECONDS` between two words; ``after_index`` is the
    word before it (index into ``transcript.words``)."""

    start: float
    end: float
    duration: float
    after_index: int


@dataclass
class Pauses:
    """Long pauses between words (silence before the first and after the last word is not
    counted)."""

    items: list[Pause] = field(default_factory=list)
    count: int = 0
    longest: float = 0.0


@dataclass
class Length:
    """Speaking time against the target: "too_short", "on_target" or "too_long"."""

    seconds: float
    target_min: float
    target_max: float
    verdict: str


@dataclass
class SectionBand:
    """A stretch of the recording heard as one section of the framework ("other" for talk
    that belongs to none). Consecutive sentences of one section make one band;
    ``first_index`` / ``last_index`` are its first and last words in ``transcript.words``."""

    section: str
    start: float
    end: float
    first_index: int = 0
    last_index: int = 0


@dataclass
class Structure:
    """The sections heard (framework order), missing, the order they came in (repeats
    collapsed, "other" left out), whether that order is the framework's, the bands for a
    timeline, and seconds per section."""

    bands: list[SectionBand] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    in_order: bool = True
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class BulletCoverage:
    """One planned bullet: whether it was said, how much of it (weighted share of its content
    words heard close together) and when (start of the best match), if heard."""

    text: str
    covered: bool
    match: float
    time: float | None = None


@dataclass
class Coverage:
    """Which planned bullets were said."""

    bullets: list[BulletCoverage] = field(default_factory=list)

    def covered(self) -> list[str]:
        return [b.text for b in self.bullets if b.covered]

    def missed(self) -> list[str]:
        return [b.text for b in self.bullets if not b.covered]


@dataclass
class Reading:
    """Whether the answer sounds read from the plan's script: ``overlap`` is the share of the
    transcript's word 4-grams found in the script (None when either is too short)."""

    overlap: float | None = None
    sounds_read: bool = False


@dataclass
class Tip:
    """Advice for the speaker. ``severity`` is high/medium/low, or "good" for a strength;
    ``at`` (seconds) is a moment in the recording to jump to; ``kind`` names the measure
    (pace, fillers, pauses, length, structure, coverage, script, speech)."""

    severity: str
    message: str
    at: float | None = None
    kind: str = ""


@dataclass
class DeliveryReport:
    """How a practice answer was delivered. Scores are 0-100, ``None`` when they can't be
    judged; groups are ``None`` when they don't apply (no speech, no word timings, no plan).

    ``words`` counts spoken words (hesitation sounds left out); ``speaking_seconds`` runs
    from the first word to the last (``speech_start`` / ``speech_end``); ``timed`` is False
    when the words carry no usable timings (then only the recording's length is known)."""

    version: int = VERSION
    no_speech: bool = False
    framework: str = "STAR"
    timed: bool = True
    words: int = 0
    total_seconds: float = 0.0
    speech_start: float = 0.0
    speech_end: float = 0.0
    speaking_seconds: float = 0.0
    pace: Pace | None = None
    fillers: Fillers | None = None
    pauses: Pauses | None = None
    length: Length | None = None
    structure: Structure | None = None
    coverage: Coverage | None = None
    reading: Reading | None = None
    #: pace, fillers, pauses, length, structure, coverage: 0-100 or None.
    scores: dict[str, int | None] = field(default_factory=dict)
    overall: int | None = None
    tips: list[Tip] = field(default_factory=list)

    def section_of_word(self) -> dict[int, str]:
        """The section each word of ``transcript.words`` was heard in (by index)."""
        out: dict[int, str] = {}
        for band in self.structure.bands if self.structure else []:
            for i in range(band.first_index, band.last_index + 1):
                out.setdefault(i, band.section)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the stored form)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeliveryReport:
        """Inverse of :meth:`to_dict`. Unknown keys are ignored and missing ones defaulted, so
        reports stored by another version still load."""
        return _load(cls, data if isinstance(data, dict) else {})


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _load(kind: type, data: dict[str, Any]) -> Any:
    """A dataclass from its ``asdict`` form, nested dataclasses (plain, optional or in lists)
    included."""
    hints = _hints(kind)
    kwargs = {}
    for f in fields(kind):
        if f.name not in data:
            continue
        value, hint = data[f.name], hints[f.name]
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = args[0] if args else None
        if dataclasses.is_dataclass(hint):
            value = _load(hint, value) if isinstance(value, dict) else None
        elif typing.get_origin(hint) is list and dataclasses.is_dataclass(inner):
            value = [_load(inner, v) for v in value or [] if isinstance(v, dict)]
        elif dataclasses.is_dataclass(inner):  # X | None
            value = _load(inner, value) if isinstance(value, dict) else None
        kwargs[f.name] = value
    return kind(**kwargs)


# ---------------------------------------------------------------------------------------------
# Words: normalising, ordering, fillers

_NON_WORD = re.compile(r"[^\w']+")
_HAS_WORD = re.compile(r"[^\W_]")
_SOUND = re.compile(r"(?:u+m+|u+h+m*|e+r+m*|a+h+|h+m+|m{2,})")
_TERMINAL = re.compile(r"[.!?…][\"')\]]*$")
_NUMBER = re.compile(r"\d")

#: "like" after these is a verb or a comparison ("I would like", "looks like"), never a filler.
_LIKE_NOT_AFTER = frozenset(
    "i you we they he she it people would i'd you'd we'd they'd he'd she'd 'd to don't didn't "
    "doesn't do does did not never really also always still just more much most less look looks "
    "looked looking feel feels felt feeling seem seems seemed sound sounds sounded taste tastes "
    "smell smells act acts acted be things stuff something anything nothing everything someone "
    "somebody anyone nobody everyone exactly very".split()
)
#: "like," after these is the discourse particle ("it was like, broken", "and like, ...").
_LIKE_DISCOURSE_AFTER = frozenset(
    "is was were are am been it's that's he's she's i'm we're they're you're there's and so but "
    "or then".split()
)
#: "you know," after these is a real question or phrase ("do you know", "as you know").
_YOU_KNOW_NOT_AFTER = frozenset(
    "do did does don't didn't doesn't if as would will you'll i'd we'd let now whether what "
    "how".split()
)


def _norm(text: str) -> str:
    """Lower-case, plain apostrophes, punctuation and brackets removed."""
    return _NON_WORD.sub("", text.lower().replace("’", "'")).strip("'")


def _core(text: str) -> str:
    return text.strip(" ,.;:!?…\"'“”‘’-–—")


def _bracketed(core: str) -> bool:
    """A transcriber's marker such as "[music]", "(inaudible)" or "[um]"."""
    return len(core) >= 2 and core[0] in "[(<" and core[-1] in "])>"


def _is_sound(text: str) -> bool:
    """A hesitation sound ("um", "Uh,", "[um]", "hmm"). Words in capitals are acronyms unless
    bracketed: "I worked in the ER" is the emergency room, not a hesitation."""
    core = _core(text)
    bracketed = _bracketed(core)
    inner = core.strip("[]()<>")
    if not bracketed and len(inner) >= 2 and inner.isupper():
        return False
    low = _norm(inner)
    return bool(low) and (bool(_SOUND.fullmatch(low)) or (bracketed and low == "hesitation"))


@dataclass
class _W:
    """A transcript word prepared for scoring."""

    index: int  # into transcript.words
    text: str
    norm: str
    start: float
    end: float
    sound: bool  # a hesitation sound (not counted as a spoken word)


def _finite(value: float, default: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default


def _prepare(words: list[Word]) -> list[_W]:
    """Words and hesitation sounds in time order, with repaired times (finite, non-negative,
    end >= start). Tokens with no letter or digit ("-") and markers of other noises
    ("[music]", "(inaudible)") are dropped: they are neither speech nor silence."""
    out: list[_W] = []
    last = 0.0
    for i, w in enumerate(words):
        text = str(getattr(w, "text", "") or "").strip()
        sound = _is_sound(text)
        if not sound and (not _HAS_WORD.search(text) or _bracketed(_core(text))):
            continue
        start = max(0.0, _finite(w.start, last))
        end = max(start, _finite(w.end, start))
        last = end
        out.append(_W(i, text, _norm(text), start, end, sound))
    out.sort(key=lambda w: w.start)  # stable: ties keep transcript order
    return out


def _ends_with_comma(text: str) -> bool:
    return text.rstrip("\"'”’)").endswith(",")


def _ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text))


def _find_fillers(ws: list[_W]) -> list[tuple[int, int, str]]:
    """Fillers as (first, last) positions into ``ws`` and the word reported.

    Precision over recall: "like" and "you know" count only where punctuation or the words
    around them make the filler use unambiguous."""
    found: list[tuple[int, int, str]] = []
    n = len(ws)
    skip_until = -1
    for k, w in enumerate(ws):
        if k <= skip_until:
            continue
        if w.sound:
            if w.norm == "mm" and k and _NUMBER.search(ws[k - 1].text):
                continue  # "5 mm": millimetres
            found.append((k, k, _norm(w.text.strip("[]()<>")) or w.norm))
            continue
        prev = ws[k - 1] if k else None
        nxt = ws[k + 1] if k + 1 < n else None
        if w.norm == "like" and _like_is_filler(ws, k, prev, nxt):
            found.append((k, k, "like"))
        elif (
            w.norm == "you"
            and nxt is not None
            and nxt.norm == "know"
            and _you_know_is_filler(ws, k, prev, nxt)
        ):
            found.append((k, k + 1, "you know"))
            skip_until = k + 1
    return found


def _like_is_filler(ws: list[_W], k: int, prev: _W | None, nxt: _W | None) -> bool:
    w = ws[k]
    if _ends_sentence(w.text) or nxt is None:
        return False  # "... the people I like." / last word
    if prev is not None and prev.norm in _LIKE_NOT_AFTER:
        return False
    if (k >= 2 and ws[k - 2].norm in ("what", "how")) or (k >= 3 and ws[k - 3].norm == "what"):
        return False  # "what it was like, ..." / "what it's like"
    set_off_after = _ends_with_comma(w.text) or nxt.sound
    if not set_off_after:
        return False
    sentence_start = prev is None or _ends_sentence(prev.text)
    set_off_before = sentence_start or _ends_with_comma(prev.text) or prev.sound
    # ", like," / "Like, ..." or "it was like, ..." / "and like, um ..."
    return set_off_before or prev.norm in _LIKE_DISCOURSE_AFTER


def _you_know_is_filler(ws: list[_W], k: int, prev: _W | None, know: _W) -> bool:
    if prev is not None and prev.norm in _YOU_KNOW_NOT_AFTER:
        return False
    if _ends_with_comma(know.text):
        return True  # "..., you know, we ..." / "You know, ..."
    # "..., you know." at the end of a sentence
    return _ends_sentence(know.text) and prev is not None and _ends_with_comma(prev.text)


# ---------------------------------------------------------------------------------------------
# Text for the feedback engine, and aligning its sentences back to the words


@dataclass
class _EngineText:
    text: str
    tokens: list[str]  # lower_words of each kept word, flattened
    token_word: list[int]  # position in ``ws`` of each token


def _engine_text(ws: list[_W], filler_positions: set[int]) -> _EngineText:
    """The transcript as text for the engine: fillers dropped (a sentence end they carried moves
    to the word before), and, when the transcript has almost no punctuation, sentence breaks
    added at pauses and every 40 words so sections can be told apart."""
    kept = [k for k, w in enumerate(ws) if k not in filler_positions and not w.sound]
    terminals = sum(1 for w in ws if _ends_sentence(w.text))
    sparse = terminals * 40 < len(kept)
    pieces: list[str] = []
    tokens: list[str] = []
    token_word: list[int] = []
    run = 0
    for j, k in enumerate(kept):
        text = clean(ws[k].text)[0]
        nxt = kept[j + 1] if j + 1 < len(kept) else None
        # a sentence end on a dropped filler between this word and the next kept one
        if nxt is not None and not _ends_sentence(text):
            if any(_ends_sentence(ws[m].text) for m in range(k + 1, nxt)):
                text = text.rstrip(",;:") + "."
        run += 1
        if sparse and not _ends_sentence(text) and nxt is not None:
            gap = ws[nxt].start - ws[k].end
            if run >= 40 or (run >= 8 and gap >= 1.0):
                text = text.rstrip(",;:") + "."
        if _ends_sentence(text):
            run = 0
        for tok in lower_words(text):
            tokens.append(tok)
            token_word.append(k)
        pieces.append(text)
    return _EngineText(" ".join(pieces), tokens, token_word)


def engine_text(transcript: Transcript) -> str:
    """The text :func:`delivery_score` gives the feedback engine for ``transcript`` (fillers
    dropped). A caller that also shows content feedback can run
    ``analyze(AnswerInput(framework, text=engine_text(t)))`` once and pass the report to
    :func:`delivery_score` as ``content``."""
    ws = _prepare(list(transcript.words or []))
    fill = {m for a, b, _ in _find_fillers(ws) for m in range(a, b + 1)}
    return _engine_text(ws, fill).text


def _align(report: Report, et: _EngineText) -> list[tuple[str, int, int] | None]:
    """For each engine sentence, its section and first/last position in ``ws`` (None when it
    can't be placed). Fast path: the engine's sentences are our text, token for token;
    otherwise (a report made from other text) difflib matches the token streams."""
    spans: list[tuple[str, int, int] | None] = []
    pos = 0
    sent_tokens = [lower_words(s.text) for s in report.sentences]
    for s, toks in zip(report.sentences, sent_tokens, strict=True):
        if not toks:
            spans.append(None)
            continue
        if et.tokens[pos : pos + len(toks)] != toks:
            return _align_fuzzy(report, sent_tokens, et)
        spans.append((s.section, et.token_word[pos], et.token_word[pos + len(toks) - 1]))
        pos += len(toks)
    return spans


def _align_fuzzy(
    report: Report, sent_tokens: list[list[str]], et: _EngineText
) -> list[tuple[str, int, int] | None]:
    stream: list[str] = []
    owner: list[int] = []
    for i, toks in enumerate(sent_tokens):
        stream += toks
        owner += [i] * len(toks)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, stream, et.tokens, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for d in range(size):
            i, k = owner[a + d], et.token_word[b + d]
            first.setdefault(i, k)
            last[i] = k
    return [
        (s.section, first[i], last[i]) if i in first else None
        for i, s in enumerate(report.sentences)
    ]


# ---------------------------------------------------------------------------------------------
# Plan: bullets and script

_STOP = frozenset(
    "a an the and or but of to in on at for with about as by from that this these those it its "
    "is was were be been being am are i me my we our us you your they them their he him his she "
    "her so then than there here also just very really too some any all much many more most "
    "had have has having do did does done would could should can will shall may might must not "
    "no yes if when while what which who whom how why where into onto out up down over under "
    "again once only own same such other each both few per percent um uh like know get got "
    "make made go went one first next finally after before because".split()
)
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000"}
_SUFFIXES = tuple("ations ation ments ment ings ing edly ied ies ers er ed ly es s".split())


def _stem(word: str) -> str:
    """A crude stem, cut to 6 letters: enough to match "deployed"/"deployment"/"deploying"."""
    word = _NUMBER_WORDS.get(word, word)
    if word.isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (
            2 if suffix in ("ied", "ies") else 3
        ):
            word = word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
            break
    return word[:6]


def _content_words(text: str) -> list[str]:
    return [t for t in lower_words(text) if t not in _STOP and (len(t) > 2 or t.isdigit())]


def _content_stems(text: str) -> list[str]:
    return [_stem(t) for t in _content_words(text)]


_BULLET_MARK = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s*")


def _parse_bullets(bullets: str, script: str) -> list[str]:
    """Bullet lines (list marks and trailing ellipses removed); when there are none, the
    script's sentences stand in, as the planner derives its cue card from them."""
    lines = [_BULLET_MARK.sub("", line).strip().rstrip("…").strip() for line in bullets.split("\n")]
    lines = [line for line in lines if line and _content_stems(line)]
    if not lines and script.strip():
        lines = [s for s in split_sentences(clean(script)[0]) if _content_stems(s)]
    return lines


def _weight(word: str) -> float:
    """How much a bullet word counts: rare words (names, systems, "runbook") and numbers carry
    the point; everyday words ("wrote", "short") less so."""
    if word.isdigit() or word in _NUMBER_WORDS:
        return 2.0
    return min(4.0, max(1.0, 6.5 - listen.zipf(word)))


def _coverage(bullets: list[str], ws: list[_W], keep: list[int]) -> list[BulletCoverage]:
    """A bullet is covered when its content words (stemmed, weighted by rarity) are heard
    close together, at least :data:`BULLET_MATCH` of their weight within a window of about
    three times the bullet's length (not scattered across the whole answer)."""
    stems_at: dict[str, list[int]] = {}
    seq: list[int] = []  # position in ws of each content token
    for k in keep:
        for s in _content_stems(ws[k].text):
            stems_at.setdefault(s, []).append(len(seq))
            seq.append(k)
    out = []
    for text in bullets:
        weights: dict[str, float] = {}
        for word in _content_words(text):
            stem = _stem(word)
            weights[stem] = max(weights.get(stem, 0.0), _weight(word))
        total = sum(weights.values())
        span = max(12, 3 * len(weights))
        hits = sorted((p, s) for s in weights for p in stems_at.get(s, ()))
        best, best_at, best_width = 0.0, None, 0
        counts: Counter[str] = Counter()
        got, lo = 0.0, 0
        for p, s in hits:
            if not counts[s]:
                got += weights[s]
            counts[s] += 1
            while hits[lo][0] < p - span:
                old = hits[lo][1]
                counts[old] -= 1
                if not counts[old]:
                    got -= weights[old]
                lo += 1
            while counts[hits[lo][1]] > 1:  # a repeat further on: start the match later
                counts[hits[lo][1]] -= 1
                lo += 1
            width = p - hits[lo][0]
            if got > best + 1e-9 or (got > best - 1e-9 and width < best_width):
                best, best_at, best_width = got, hits[lo][0], width
        match = best / total if total else 0.0
        covered = match >= BULLET_MATCH - 1e-9
        time = ws[seq[best_at]].start if covered and best_at is not None else None
        out.append(BulletCoverage(text, covered, round(match, 2), _r(time)))
    return out


def _script_overlap(tokens: list[str], script: str) -> float | None:
    """Share of the transcript's word 4-grams that appear in the script."""
    script_tokens = lower_words(clean(script)[0])
    if len(tokens) < 12 or len(script_tokens) < 4:
        return None
    grams = {tuple(script_tokens[i : i + 4]) for i in range(len(script_tokens) - 3)}
    mine = [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]
    return sum(g in grams for g in mine) / len(mine)


# ---------------------------------------------------------------------------------------------
# Scores


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _pace_score(wpm: float) -> int:
    low, high = COMFORTABLE_WPM
    return _clamp(100 - 1.5 * max(0.0, low - wpm, wpm - high))


def _filler_score(per_minute: float) -> int:
    return _clamp(100 - 15 * max(0.0, per_minute - 1.0))


def _pause_score(pauses: list[Pause], minutes: float) -> int:
    allowance = 1 + int(minutes // 2)
    very = sum(p.duration >= VERY_LONG_PAUSE for p in pauses)
    return _clamp(100 - 15 * max(0, len(pauses) - allowance) - 10 * very)


def _length_score(seconds: float, low: float, high: float) -> int:
    if seconds < low:
        return _clamp(100 * seconds / low)
    if seconds > high:
        return _clamp(100 - 150 * (seconds - high) / high)
    return 100


_clock = clock  # m:ss, one rule for the app (see rules.clock)


def _duration(seconds: float) -> str:
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} seconds"
    return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"


# ---------------------------------------------------------------------------------------------


def delivery_score(
    transcript: Transcript,
    *,
    framework: str = "STAR",
    plan_script: str = "",
    plan_bullets: str = "",
    question: str = "",
    target_min: float = TARGET_MIN,
    target_max: float = TARGET_MAX,
    content: Report | None = None,
) -> DeliveryReport:
    """Score how ``transcript`` was delivered.

    ``plan_script`` / ``plan_bullets`` are the planned answer the user practised (either may be
    empty: bullets fall back to the script's sentences; with neither, coverage and reading are
    None). ``question`` is passed to the engine. ``target_min`` / ``target_max`` bound the
    expected speaking time in seconds. ``content`` is an engine report already made from
    :func:`engine_text` in the same framework (saves running the engine twice). Never raises on
    odd input (no words, zero, missing or unsorted timings, very long recordings)."""
    framework = str(framework or "STAR").upper()
    framework = framework if framework in FRAMEWORKS else "STAR"
    target_min, target_max = _targets(target_min, target_max)
    ws = _prepare(list(transcript.words or []))
    spoken = [k for k, w in enumerate(ws) if not w.sound]
    total_seconds = max(_finite(transcript.duration, 0.0), max((w.end for w in ws), default=0.0))
    report = DeliveryReport(framework=framework, total_seconds=round(total_seconds, 2))
    scores: dict[str, int | None] = {k: None for k in WEIGHTS}
    report.scores = scores
    if not spoken:
        report.no_speech = True
        report.timed = False
        report.tips = [
            Tip(
                "high",
                "We heard no speech in this recording. Check that the right microphone is "
                "selected and not muted, then try again. Speaking a little closer to it helps.",
                kind="speech",
            )
        ]
        return report

    start, end = ws[0].start, max(w.end for w in ws)
    speaking = end - start
    timed = speaking > 0.5 or len(spoken) < 3
    if not timed:
        # words without timings: only the recording's length is known
        start, end, speaking = 0.0, total_seconds, total_seconds
    report.timed = timed
    report.words = len(spoken)
    report.speech_start, report.speech_end = round(start, 2), round(end, 2)
    report.speaking_seconds = round(speaking, 2)
    minutes = speaking / 60
    tips: list[Tip] = []

    # --- pace
    if timed and speaking > 0:
        series = _pace_series(ws, spoken, total_seconds)
        pace = report.pace = Pace(
            wpm=round(len(spoken) / minutes, 1),
            wpm_total=round(len(spoken) / (total_seconds / 60), 1),
            series=series,
            variation=_variation(series, start, end),
        )
        if len(spoken) >= MIN_WORDS_FOR_PACE and speaking >= MIN_SECONDS_FOR_PACE:
            low, high = COMFORTABLE_WPM
            pace.verdict = (
                "slow" if pace.wpm < low else "fast" if pace.wpm > high else "comfortable"
            )
            scores["pace"] = _pace_score(pace.wpm)
            tips += _pace_tips(report, pace)

    # --- fillers
    found = _find_fillers(ws)
    items = [Filler(word, _r(ws[a].start), _r(ws[b].end), ws[a].index) for a, b, word in found]
    fillers = report.fillers = Fillers(
        items, len(items), dict(Counter(f.word for f in items).most_common())
    )
    if timed and speaking > 0:
        per_minute = len(found) / max(minutes, 0.5)
    else:  # no timings: count per word, at a typical 150 words a minute
        per_minute = len(found) / len(spoken) * 150
    fillers.per_minute = round(per_minute, 2)
    fillers.verdict = "few" if per_minute <= 2 else "some" if per_minute <= 4 else "many"
    scores["fillers"] = _filler_score(per_minute)
    tips += _filler_tips(report, fillers, per_minute)

    # --- pauses
    if timed:
        found_pauses = _pauses(ws)
        longest = max((p.duration for p in found_pauses), default=0.0)
        report.pauses = Pauses(found_pauses, len(found_pauses), round(longest, 2))
        scores["pauses"] = _pause_score(found_pauses, minutes)
        tips += _pause_tips(report.pauses, minutes)

    # --- length
    if timed or speaking > 0.5:
        verdict = (
            "too_short"
            if speaking < target_min
            else "too_long"
            if speaking > target_max
            else "on_target"
        )
        report.length = Length(round(speaking, 2), target_min, target_max, verdict)
        scores["length"] = _length_score(speaking, target_min, target_max)
        tips += _length_tips(report.length)

    # --- structure (the feedback engine labels each sentence with its section)
    fill_pos = {m for a, b, _ in found for m in range(a, b + 1)}
    et = _engine_text(ws, fill_pos)
    if content is None:
        content = analyze(AnswerInput(framework, text=et.text, question=question or ""))
    report.structure = _structure(framework, content, et, ws)
    if content.sentences:
        scores["structure"] = int(content.scores.get("structure", 0))
        # How easy the words are to follow by ear (sentence length, word choice); shown and
        # charted, but not part of the delivery score (it is about wording, not delivery).
        listenability = int(content.scores.get("listenability", 0))
    tips += _structure_tips(framework, report.structure)

    # --- plan: coverage of the bullets, read from the script
    keep = sorted(set(et.token_word))
    bullets = _parse_bullets(plan_bullets or "", plan_script or "")
    if bullets:
        report.coverage = Coverage(_coverage(bullets, ws, keep))
        scores["coverage"] = _clamp(100 * len(report.coverage.covered()) / len(bullets))
        tips += _coverage_tips(report.coverage)
    if (plan_script or "").strip():
        overlap = _script_overlap(et.tokens, plan_script)
        variation = report.pace.variation if report.pace else None
        steady = variation is not None and variation < STEADY_PACE
        sounds_read = overlap is not None and (
            overlap >= READ_OVERLAP or (overlap >= READ_OVERLAP_STEADY and steady)
        )
        report.reading = Reading(_r(overlap), sounds_read)
        if sounds_read:
            tips.append(
                Tip(
                    "medium",
                    "This sounds read from your script: most phrases match it word for word. "
                    "Interviewers warm to a story told in your own words. Next time, practise "
                    "from your bullet points only and let the sentences come fresh. It's fine "
                    "if they come out differently each time.",
                    kind="script",
                )
            )

    present = {k: v for k, v in scores.items() if v is not None}
    if present:
        weight = sum(WEIGHTS[k] for k in present)
        report.overall = _clamp(sum(v * WEIGHTS[k] for k, v in present.items()) / weight)
    if content.sentences:
        report.scores["listenability"] = listenability
    report.tips = _pick_tips(tips)
    return report


def _targets(low: float, high: float) -> tuple[float, float]:
    low = _finite(low, float(TARGET_MIN))
    high = _finite(high, float(TARGET_MAX))
    if low > high:
        low, high = high, low
    if high <= 0:
        return float(TARGET_MIN), float(TARGET_MAX)
    return max(0.0, low), high


def _pace_series(ws: list[_W], spoken: list[int], total: float) -> list[PacePoint]:
    """Words per minute per window of media time (a word counts where its midpoint falls). A
    last window shorter than half a window joins the one before."""
    window = max(WINDOW_SECONDS, total / MAX_WINDOWS)
    count = max(1, math.ceil(total / window - 1e-9))
    bounds = [(i * window, min(total, (i + 1) * window)) for i in range(count)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] < window / 2:
        bounds[-2] = (bounds[-2][0], bounds[-1][1])
        bounds.pop()
    tally = [0] * len(bounds)
    for k in spoken:
        mid = (ws[k].start + ws[k].end) / 2
        tally[min(len(bounds) - 1, int(mid // window))] += 1
    return [
        PacePoint(round(a, 2), round(b, 2), round(n * 60 / (b - a), 1) if b > a else 0.0, n)
        for (a, b), n in zip(bounds, tally, strict=True)
    ]


def _variation(series: list[PacePoint], start: float, end: float) -> float | None:
    """Coefficient of variation of the pace over windows that lie wholly inside the speech."""
    inner = [p.wpm for p in series if p.start >= start and p.end <= end]
    if len(inner) < 3:
        return None
    mean = sum(inner) / len(inner)
    if mean <= 0:
        return None
    sd = math.sqrt(sum((v - mean) ** 2 for v in inner) / len(inner))
    return round(sd / mean, 3)


def _pauses(ws: list[_W]) -> list[Pause]:
    """Gaps of at least :data:`PAUSE_SECONDS` between words (overlapping words don't make a
    gap: each word is measured from the latest end so far)."""
    out = []
    latest, latest_k = ws[0].end, 0
    for k in range(1, len(ws)):
        gap = ws[k].start - latest
        if gap >= PAUSE_SECONDS:
            out.append(Pause(_r(latest), _r(ws[k].start), _r(gap), ws[latest_k].index))
        if ws[k].end >= latest:
            latest, latest_k = ws[k].end, k
    return out


def _structure(framework: str, content: Report, et: _EngineText, ws: list[_W]) -> Structure:
    """Section bands, time per section, sections heard and their order, from the engine's
    sentence labels (``content`` must be for ``framework``)."""
    spans = _align(content, et) if content.sentences else []
    bands: list[SectionBand] = []
    for span in spans:
        if span is None:
            continue
        section, a, b = span
        part = ws[a : b + 1] or [ws[a]]
        t0, t1 = ws[a].start, max(w.end for w in part)
        first, last = min(w.index for w in part), max(w.index for w in part)
        if bands and bands[-1].section == section:
            band = bands[-1]
            band.end = max(band.end, round(t1, 2))
            band.first_index = min(band.first_index, first)
            band.last_index = max(band.last_index, last)
        else:
            bands.append(SectionBand(section, round(t0, 2), round(t1, 2), first, last))
    keys = [s.key for s in sections_of(framework)]
    seconds: dict[str, float] = {}
    for band in bands:
        seconds[band.section] = round(seconds.get(band.section, 0.0) + band.end - band.start, 2)
    order: list[str] = []
    for band in bands:
        if band.section in keys and (not order or order[-1] != band.section):
            order.append(band.section)
    ranks = [keys.index(s) for s in order]
    return Structure(
        bands=bands,
        heard=[k for k in keys if k in seconds],
        missing=[k for k in keys if k not in seconds],
        order=order,
        in_order=all(a < b for a, b in zip(ranks, ranks[1:], strict=False)),
        seconds=seconds,
    )


# ---------------------------------------------------------------------------------------------
# Tips: kind, specific, with a moment to jump to where there is one


def _pace_tips(report: DeliveryReport, pace: Pace) -> list[Tip]:
    low, high = COMFORTABLE_WPM
    rounded = round(pace.wpm)
    if pace.verdict == "comfortable":
        tips = [
            Tip("good", f"Good pace: about {rounded} words a minute, easy to follow.", kind="pace")
        ]
        inside = [
            p for p in pace.series if p.start >= report.speech_start and p.end <= report.speech_end
        ]
        burst = max(inside, key=lambda p: p.wpm, default=None)
        if burst is not None and burst.wpm > high + BURST_OVER:
            tips.insert(
                0,
                Tip(
                    "low",
                    f"Your pace was good overall, but you sped up to about {round(burst.wpm)} "
                    f"words a minute at {_clock(burst.start)}. Nerves do that; a breath "
                    "between sentences brings it back.",
                    burst.start,
                    "pace",
                ),
            )
        return tips
    distance = low - pace.wpm if pace.wpm < low else pace.wpm - high
    if distance <= 5:
        return []
    severity = "low" if distance <= 15 else "medium" if distance <= 35 else "high"
    windows = [p for p in pace.series if p.words >= 5]
    if pace.verdict == "fast":
        peak = max(windows, key=lambda p: p.wpm, default=None)
        return [
            Tip(
                severity,
                f"You spoke at about {rounded} words a minute, faster than the 130-160 that is "
                "easy to follow. Take a breath at the end of each sentence, and slow down "
                "most where you give numbers and the result.",
                peak.start if peak else None,
                "pace",
            )
        ]
    slowest = min(windows, key=lambda p: p.wpm, default=None)
    return [
        Tip(
            severity,
            f"You spoke at about {rounded} words a minute, slower than the 130-160 that "
            "keeps a listener with you. Knowing your next step helps: glance at your bullet "
            "points before you start and keep your sentences short.",
            slowest.start if slowest else None,
            "pace",
        )
    ]


def _filler_tips(report: DeliveryReport, fillers: Fillers, per_minute: float) -> list[Tip]:
    if not fillers.items:
        if report.words >= MIN_WORDS_FOR_PACE:
            return [Tip("good", "No filler words: you sound sure of your story.", kind="fillers")]
        return []
    if fillers.verdict == "few":
        return []
    top = ", ".join(f'"{w}" {n}×' for w, n in list(fillers.counts.items())[:3])
    # the densest 15 seconds
    times = [f.time for f in fillers.items]
    best, at = 0, times[0]
    lo = 0
    for hi, t in enumerate(times):
        while times[lo] < t - WINDOW_SECONDS:
            lo += 1
        if hi - lo + 1 > best:
            best, at = hi - lo + 1, times[lo]
    severity = "medium" if fillers.verdict == "many" else "low"
    return [
        Tip(
            severity,
            f"{fillers.count} filler words ({top}), about {per_minute:.0f} a minute. Everyone "
            "uses some; fewer make you sound more confident. When you feel one coming, pause "
            "silently instead: a short pause sounds thoughtful, not unsure.",
            at if report.timed else None,
            "fillers",
        )
    ]


def _pause_tips(pauses: Pauses, minutes: float) -> list[Tip]:
    if not pauses.items:
        return []
    allowance = 1 + int(minutes // 2)
    longest = max(pauses.items, key=lambda p: p.duration)
    if pauses.count <= allowance and longest.duration < VERY_LONG_PAUSE:
        return []
    severity = (
        "medium" if longest.duration >= VERY_LONG_PAUSE or pauses.count > 2 * allowance else "low"
    )
    many = f"{pauses.count} long pauses; the longest was" if pauses.count > 1 else "A pause of"
    return [
        Tip(
            severity,
            f"{many} {longest.duration:.0f} seconds at {_clock(longest.start)}. A pause to "
            'think is fine; if you lose your thread, a bridge like "So the next thing I did '
            'was..." keeps you going while you remember.',
            longest.start,
            "pauses",
        )
    ]


def _length_tips(length: Length) -> list[Tip]:
    secs, low, high = length.seconds, length.target_min, length.target_max
    if low % 60 == 0 and high % 60 == 0 and low:
        target = f"{low / 60:.0f}-{high / 60:.0f} minutes"
    else:
        target = f"{_duration(low)} to {_duration(high)}"
    if length.verdict == "too_short":
        return [
            Tip(
                "high" if secs < low * 0.5 else "medium",
                f"Your answer took {_duration(secs)}; interviewers expect about {target}. Say "
                "more about the steps you took yourself and what changed because of them.",
                kind="length",
            )
        ]
    if length.verdict == "too_long":
        return [
            Tip(
                "medium" if secs > high * 1.25 else "low",
                f"Your answer took {_duration(secs)}, longer than the {target} interviewers "
                "expect. Keep the setting to two or three sentences and get to what you did "
                "sooner; they can always ask for more.",
                kind="length",
            )
        ]
    return [Tip("good", f"Right length: {_duration(secs)}.", kind="length")]


def _structure_tips(framework: str, structure: Structure) -> list[Tip]:
    labels = {s.key: s for s in sections_of(framework)}
    tips: list[Tip] = []
    if not structure.bands:
        return tips
    missing = [labels[k] for k in structure.missing]
    for section in missing[:2]:
        tips.append(
            Tip(
                "high" if section.role in ("action", "result") else "medium",
                f"We didn't hear a clear {section.label.lower()}. {section.hint}",
                kind="structure",
            )
        )
    if not structure.in_order:
        keys = list(labels)
        bands = [b for b in structure.bands if b.section in labels]
        back = next(
            (
                b
                for a, b in zip(bands, bands[1:], strict=False)
                if keys.index(b.section) < keys.index(a.section)
            ),
            None,
        )
        tips.append(
            Tip(
                "low",
                "The story went back to an earlier part here. Telling it in order (the "
                "setting, what you had to do, what you did, what changed) is easier to follow.",
                back.start if back else None,
                "structure",
            )
        )
    if not missing and structure.in_order:
        names = ", ".join(labels[k].label.lower() for k in structure.heard)
        tips.append(
            Tip("good", f"Clear structure: we heard the {names}, in order.", kind="structure")
        )
    return tips


def _coverage_tips(coverage: Coverage) -> list[Tip]:
    missed = coverage.missed()
    if not missed:
        return [Tip("good", "You covered every point you planned.", kind="coverage")]
    total = len(coverage.bullets)
    quoted = "; ".join(f'"{m[:70]}"' for m in missed[:2])
    more = f" and {len(missed) - 2} more" if len(missed) > 2 else ""
    return [
        Tip(
            "medium" if len(missed) > total / 2 else "low",
            f"You skipped {len(missed)} of your {total} planned points: {quoted}{more}. "
            "If that was on purpose, fine; if not, a glance at your bullets before you "
            "start helps.",
            kind="coverage",
        )
    ]


def _pick_tips(tips: list[Tip]) -> list[Tip]:
    """Issues first (most severe first, at most five), then strengths to fill the list."""
    issues = sorted(
        (t for t in tips if t.severity != "good"), key=lambda t: SEVERITY_ORDER[t.severity]
    )[: MAX_TIPS - 1]
    good = [t for t in tips if t.severity == "good"]
    return issues + good[: MAX_TIPS - len(issues)]
