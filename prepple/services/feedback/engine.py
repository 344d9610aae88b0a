"""The local feedback engine: one function from an answer to a structured report.

``analyze(AnswerInput(...))`` scores an answer 0-100 on structure, listenability, ownership,
specificity, tone, fit to the question and originality, and lists concrete items (severity,
the sentence it is about, what to do). It runs offline on one core in milliseconds, so the
planner can call it on every keystroke pause. Input may be the planner's sections or free
text (a script, later a transcript), in which case each sentence is labelled with its section.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

from prepple.services.feedback import fit as fitting
from prepple.services.feedback import listen, sections, similarity
from prepple.services.feedback.frameworks import (
    FRAMEWORKS,
    sections_of,
)
from prepple.services.feedback.text import (
    LANGUAGE_NAMES,
    clean,
    detect_language,
    lower_words,
    split_sentences,
    words,
)
from prepple.services.rules import TARGET_SECONDS

DIMENSIONS = (
    "structure",
    "listenability",
    "ownership",
    "specificity",
    "tone",
    "fit",
    "originality",
)
WEIGHTS = {
    "structure": 0.25,
    "listenability": 0.15,
    "ownership": 0.15,
    "specificity": 0.15,
    "tone": 0.10,
    "fit": 0.10,
    "originality": 0.10,
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
MIN_WORDS = 40


@dataclass
class AnswerInput:
    """What to analyse: sections (planner) or free text, in a framework, for a question."""

    framework: str = "STAR"
    sections: dict[str, str] = field(default_factory=dict)
    text: str = ""
    question: str = ""
    competencies: list[str] = field(default_factory=list)


@dataclass
class Item:
    """One piece of feedback."""

    dimension: str
    severity: str
    message: str
    suggestion: str
    sentence: str = ""
    sentence_index: int | None = None
    source: str = "local"  # "model" for items written by the language model
    #: What kind of item this is, for code and tests: "missing:<section>" (the engine is sure
    #: the section is absent), "ask:<section>" (it may have heard it and asks), "off_topic",
    #: "fit_ask", "language"; "" for the rest.
    code: str = ""


@dataclass
class LabeledSentence:
    """A sentence of the answer and the section it belongs to."""

    text: str
    section: str
    words: int


@dataclass
class Report:
    """The engine's verdict on one answer."""

    framework: str
    overall: int
    scores: dict[str, int]
    items: list[Item]
    sentences: list[LabeledSentence]
    section_words: dict[str, int]
    stats: dict[str, float | int | str | list]
    engine: str = "local"

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# Lexicons

# "kind of"/"sort of" hedge ("it kind of worked") unless they name a kind ("the kind of
# decision", "a sort of audit"): a determiner before them means a noun follows.
_KIND_OF = (
    r"(?<!\bthe )(?<!\ba )(?<!\bthis )(?<!\bthat )(?<!\bwhat )(?<!\bany )(?<!\bsome )"
    r"(?<!\bsame )(?<!\bevery )(?<!\bone )(?<!\bwhich )(?<!\bno )(?<!\bour )(?<!\bmy )"
    r"(?<!\bthis )(?<!\bthese )(?<!\bthose )(?<!\bother )(?<!\bright )(?<!\bwrong )"
    r"(?:kind|sort) of"
)
_HEDGES = re.compile(
    r"\b(i think|i guess|i suppose|maybe|perhaps|" + _KIND_OF + r"|probably|somewhat|"
    r"i feel like|hopefully|more or less|i'm not sure|not sure|basically|just tried|tried to)\b"
)
_NEGATIVE = re.compile(
    r"\b(lazy|incompetent|useless|stupid|idiot|clueless|terrible|awful|hopeless|annoying|"
    r"difficult person|their fault|his fault|her fault|blame[ds]?|couldn't be bothered|toxic|"
    r"hated|hate|rude|arrogant)\b"
)
_TIME = re.compile(
    r"\b(in|within|over|after|by) (a|one|two|three|four|five|six|eight|ten|twelve|\d+|few|couple "
    r"of) (day|week|month|quarter|year|hour|sprint)s?\b|\b(january|february|march|april|may|june|"
    r"july|august|september|october|november|december|q[1-4]|20\d\d|19\d\d)\b"
)
_NUMBER = re.compile(
    r"\d|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|half|double|doubled|twice|triple|tripled)\b"
)
_I = {"i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself", "mine"}
_WE = {"we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "ourselves"}

# ---------------------------------------------------------------------------------------------
# Helpers


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def _prepare(answer: AnswerInput) -> tuple[list[str], list[str], bool, str]:
    """Sentences, their section keys, whether input was cut, and the mode (sections/text)."""
    framework = answer.framework if answer.framework in FRAMEWORKS else "STAR"
    cut_any = False
    if any(isinstance(v, str) and v.strip() for v in (answer.sections or {}).values()):
        sents, labels = [], []
        for section in sections_of(framework):
            text, cut = clean((answer.sections or {}).get(section.key, ""))
            cut_any |= cut
            for s in split_sentences(text):
                sents.append(s)
                labels.append(section.key)
        return sents, labels, cut_any, "sections"
    text, cut = clean(answer.text)
    sents = split_sentences(text)
    return sents, sections.label_sentences(sents, framework), cut, "text"


def _item(
    items: list[Item],
    dimension: str,
    severity: str,
    message: str,
    suggestion: str,
    sentences: list[str] | None = None,
    index: int | None = None,
    code: str = "",
) -> None:
    sentence = sentences[index] if sentences is not None and index is not None else ""
    items.append(Item(dimension, severity, message, suggestion, sentence, index, code=code))


# ---------------------------------------------------------------------------------------------
# Dimensions


#: In free text, a section no sentence was labelled with is reported missing only when the
#: engine is confident: no sentence has even this probability of playing its role. Otherwise
#: it shows the likeliest sentence and asks. The action and the result are the heart of an
#: answer, so for them it asks only when the model leans to the role for some sentence (more
#: likely than not); for the setting, task, obstacle and learning, which writers phrase in many
#: ways, any sentence with a 1-in-20 chance is enough to ask instead of claim. Fixed a priori
#: (1/2 and 1/20), not fitted to the benchmark sets.
MISSING_CONFIDENCE = {"action": 0.5, "result": 0.5}
MISSING_CONFIDENCE_OTHER = 0.05


def _closest(sents: list[str], role: str) -> tuple[int | None, float]:
    """The sentence most likely to play ``role`` (before sequence smoothing), and how likely."""
    best, best_p = None, 0.0
    for i, scores in enumerate(sections.role_scores(sents)):
        p = math.exp(scores[role])
        if p > best_p:
            best, best_p = i, p
    return best, best_p


def _structure(framework, sents, labels, sec_words, total, mode, items) -> int:
    score = 100.0
    for section in sections_of(framework):
        got = sec_words.get(section.key, 0)
        share = got / total if total else 0.0
        if got == 0:
            core = section.role in ("action", "result")
            idx, p = _closest(sents, section.role) if mode == "text" else (None, 0.0)
            threshold = MISSING_CONFIDENCE.get(section.role, MISSING_CONFIDENCE_OTHER)
            if idx is not None and p >= threshold:
                # Not sure: say what was heard and ask, rather than claim it is missing.
                score -= 8 if core else 5
                _item(
                    items,
                    "structure",
                    "low",
                    f"Is this your {section.label.lower()}? I couldn't tell for sure.",
                    f"If it is, make it stand out ({section.hint.split('.')[0].lower()}); "
                    f"if not, add one: {section.prompts[0]}",
                    sents,
                    idx,
                    code=f"ask:{section.key}",
                )
                continue
            score -= 30 if core else 20
            _item(
                items,
                "structure",
                "high" if core else "medium",
                f"No {section.label.lower()} yet.",
                section.hint,
                code=f"missing:{section.key}",
            )
        elif share < section.share[0] * 0.6:
            score -= 8
            _item(
                items,
                "structure",
                "low",
                f"The {section.label.lower()} is very short ({got} words).",
                f"{section.hint} Try: {section.prompts[0]}",
            )
        elif share > section.share[1] * 1.3 and section.role != "action":
            score -= 12
            _item(
                items,
                "structure",
                "medium",
                f"The {section.label.lower()} takes {round(share * 100)}% of the answer.",
                "Trim it so the action stays the largest part; the listener wants to hear "
                "what you did.",
            )
    action_key = next(s.key for s in sections_of(framework) if s.role == "action")
    biggest = max(sec_words, key=sec_words.get) if sec_words else None
    if total and biggest and biggest not in (action_key, "other") and sec_words.get(action_key):
        score -= 10
        _item(
            items,
            "structure",
            "medium",
            f"The {biggest} is longer than the action.",
            "Make the action the largest part: the steps you took and why.",
        )
    if mode == "text":
        order = {s.key: i for i, s in enumerate(sections_of(framework))}
        placed = [(i, order[lab]) for i, lab in enumerate(labels) if lab in order]
        jumps = [i for (_, prev), (i, cur) in zip(placed, placed[1:], strict=False) if cur < prev]
        if len(jumps) >= 2:
            score -= 10
            _item(
                items,
                "structure",
                "medium",
                "The story jumps back and forth between sections.",
                "Tell it in order: the setting, what you had to do, what you did, what changed.",
                sents,
                jumps[0],
            )
    other = [i for i, lab in enumerate(labels) if lab == "other"]
    if other:
        _item(
            items,
            "structure",
            "low",
            "This sentence doesn't move the story on.",
            "Cut it; start with the situation and end on the result.",
            sents,
            other[0],
        )
    return _clamp(score)


def _listenability(stats: listen.ListenStats, sents, items) -> int:
    score = 100.0
    for i in stats.long_sentences[:3]:
        n = len(words(sents[i]))
        very = n > listen.VERY_LONG_SENTENCE
        score -= 10 if very else 6
        _item(
            items,
            "listenability",
            "medium" if very else "low",
            f"A {n}-word sentence is hard to follow by ear.",
            "Split it in two; one idea per sentence.",
            sents,
            i,
        )
    if stats.grade > 12:
        score -= 15
        _item(
            items,
            "listenability",
            "medium",
            f"Reads at grade {stats.grade}: dense for a spoken answer.",
            "Use shorter sentences and everyday words; aim for grade 8-10.",
        )
    elif stats.grade > 10:
        score -= 6
    if stats.hard_words:
        score -= min(15, 3 * len(stats.hard_words))
        _item(
            items,
            "listenability",
            "low",
            "Words that are hard to say or catch: " + ", ".join(stats.hard_words[:5]) + ".",
            "Swap them for plain words you would use in conversation.",
        )
    for acr in stats.acronyms[:3]:
        score -= 4
        idx = next((i for i, s in enumerate(sents) if acr in s), None)
        _item(
            items,
            "listenability",
            "low",
            f'"{acr}" may mean nothing to the interviewer.',
            f"Say what {acr} stands for the first time, or describe it.",
            sents,
            idx,
        )
    if len(stats.passive) > max(1, len(sents) // 4):
        score -= 8
        _item(
            items,
            "listenability",
            "low",
            "Several sentences are in the passive voice.",
            'Say who did it: "I rewrote the plan" rather than "the plan was rewritten".',
            sents,
            stats.passive[0],
        )
    low, high = TARGET_SECONDS
    secs = stats.speaking_seconds
    if secs and secs < low * 0.5:
        score -= 15
        _item(
            items,
            "listenability",
            "medium",
            f"About {secs} seconds spoken: too short to show what you did.",
            "Aim for 2-3 minutes (300-450 words): add the steps you took and the result.",
        )
    elif secs and secs < low:
        score -= 5
        _item(
            items,
            "listenability",
            "low",
            f"About {secs} seconds spoken; interviewers expect 2-3 minutes.",
            "Add detail to the action and the result.",
        )
    elif secs > high * 1.5:
        score -= 15
        _item(
            items,
            "listenability",
            "medium",
            f"About {secs // 60} min {secs % 60} s spoken: interviewers will drift.",
            "Cut background and side stories; keep the action and the result.",
        )
    elif secs > high:
        score -= 6
        _item(
            items,
            "listenability",
            "low",
            f"About {secs // 60} min {secs % 60} s spoken, over the 3-minute target.",
            "Trim the situation; the interviewer can ask for more.",
        )
    return _clamp(score)


def _ownership(sents, labels, framework, items) -> tuple[int, float]:
    action_key = next(s.key for s in sections_of(framework) if s.role == "action")
    focus = [i for i, lab in enumerate(labels) if lab == action_key] or list(range(len(sents)))
    i_count = we_count = 0
    worst, worst_we = None, 0
    for i in focus:
        toks = lower_words(sents[i])
        n_i = sum(t in _I for t in toks)
        n_we = sum(t in _WE for t in toks)
        i_count += n_i
        we_count += n_we
        if n_we > n_i and n_we > worst_we:
            worst, worst_we = i, n_we
    ratio = i_count / (i_count + we_count) if i_count + we_count else 0.5
    score = _clamp(40 + 60 * min(1.0, ratio / 0.7))
    if ratio < 0.5 and we_count >= 2:
        _item(
            items,
            "ownership",
            "high" if ratio < 0.3 else "medium",
            f'Your actions say "we" {we_count} times and "I" {i_count} times.',
            "Interviewers hire you, not the team: say what you did yourself.",
            sents,
            worst,
        )
    return score, round(ratio, 2)


def _specificity(sents, labels, framework, items) -> int:
    text = " ".join(sents).lower()
    numbers = len(_NUMBER.findall(text))
    times = len(_TIME.findall(text))
    names = sum(
        1
        for s in sents
        for j, w in enumerate(words(s))
        if j > 0 and w[:1].isupper() and w.lower() not in _I
    )
    result_key = next(s.key for s in sections_of(framework) if s.role == "result")
    result_text = " ".join(s for s, lab in zip(sents, labels, strict=True) if lab == result_key)
    measurable = bool(_NUMBER.search(result_text.lower()))
    score = 30 + min(30, numbers * 8) + min(15, times * 8) + min(10, names * 3)
    score += 15 if measurable else 0
    if result_text and not measurable:
        idx = labels.index(result_key)
        _item(
            items,
            "specificity",
            "medium",
            "The result has no number in it.",
            "Say what changed in numbers: time saved, money, percentage, people, a date.",
            sents,
            idx,
        )
    if numbers == 0 and times == 0:
        _item(
            items,
            "specificity",
            "medium",
            "No numbers, dates or time frames at all.",
            "Add the scale (how many, how much, how long) so the story feels real.",
        )
    return _clamp(score)


def _tone(sents, items) -> int:
    score = 100.0
    hedged = [i for i, s in enumerate(sents) if _HEDGES.search(s.lower())]
    negative = [i for i, s in enumerate(sents) if _NEGATIVE.search(s.lower())]
    if hedged:
        score -= min(30, 8 * len(hedged))
        _item(
            items,
            "tone",
            "low" if len(hedged) < 3 else "medium",
            "Hedging words make you sound unsure.",
            'Drop "I think", "kind of", "maybe": state what you did.',
            sents,
            hedged[0],
        )
    if negative:
        score -= min(45, 20 * len(negative))
        _item(
            items,
            "tone",
            "high",
            "This sounds like blaming someone.",
            "Describe the behaviour and its effect neutrally, and focus on what you did.",
            sents,
            negative[0],
        )
    return _clamp(score)


def _fit(answer: AnswerInput, sents, items) -> int:
    """Fit to the question by meaning (see :mod:`prepple.services.feedback.fit`). Only a clear
    miss is reported as one; a weak match asks the author to make the link."""
    if not answer.question.strip():
        return 70
    result = fitting.judge(answer.question, " ".join(sents), answer.competencies)
    if not result.targets:
        return result.score
    target = fitting.name_of(result.targets[0]).lower()
    heard = fitting.name_of(result.heard).lower()
    if result.verdict == "off_topic":
        _item(
            items,
            "fit",
            "medium",
            "It isn't clear how this story answers the question.",
            f"The question is about {target}; this story mostly shows {heard}. Pick a story "
            f"where {target} is the heart of it, or say plainly how this one shows it.",
            code="off_topic",
        )
    elif result.verdict == "unsure":
        _item(
            items,
            "fit",
            "low",
            f"I mostly hear {heard} in this story. Is that what the question is after?",
            f"If the question is about {target}, add a sentence that says how the story shows it.",
            code="fit_ask",
        )
    return result.score


def _originality(sents, items) -> tuple[int, float]:
    text = " ".join(sents)
    cliches = similarity.cliches_in(text)
    stock = similarity.stock_similarity(similarity.signature(text)) if text else 0.0
    score = 100.0 - min(40, 10 * len(cliches)) - (60 * max(0.0, stock - 0.15) / 0.85)
    if cliches:
        _item(
            items,
            "originality",
            "low" if len(cliches) < 3 else "medium",
            "Stock phrases: " + ", ".join(f'"{c}"' for c in cliches[:4]) + ".",
            "Show it with a detail from your story instead of saying it.",
        )
    if stock >= 0.3:
        _item(
            items,
            "originality",
            "high",
            "This reads like a template answer from the internet.",
            "Use your own story: names of systems, real numbers, what you said.",
        )
    return _clamp(score), round(stock, 2)


# ---------------------------------------------------------------------------------------------


def analyze(answer: AnswerInput, *, similar_to_others: float | None = None) -> Report:
    """Analyse one answer. Never raises on odd input; an empty answer gets a report that says
    what to write first. ``similar_to_others`` is the closest match among other users' answers
    (from a :class:`similarity.SimilarityIndex`), if the caller checked."""
    framework = (
        str(answer.framework).upper() if str(answer.framework).upper() in FRAMEWORKS else "STAR"
    )
    answer = AnswerInput(
        framework,
        dict(answer.sections or {}),
        answer.text or "",
        answer.question or "",
        list(answer.competencies or []),
    )
    sents, labels, cut, mode = _prepare(answer)
    language = detect_language(lower_words(" ".join(sents)))
    if language != "en":
        return _not_english(framework, sents, labels, language, mode)
    sent_words = [words(s) for s in sents]
    total = sum(len(w) for w in sent_words)
    sec_words: dict[str, int] = {s.key: 0 for s in sections_of(framework)}
    for lab, ws in zip(labels, sent_words, strict=True):
        sec_words[lab] = sec_words.get(lab, 0) + len(ws)
    items: list[Item] = []
    stats = listen.measure(sents, sent_words)

    if total == 0:
        first = sections_of(framework)[0]
        _item(
            items,
            "structure",
            "high",
            "Nothing to analyse yet.",
            f"Start with the {first.label.lower()}: {first.hint}",
        )
        scores = {d: 0 for d in DIMENSIONS}
        return Report(
            framework,
            0,
            scores,
            items,
            [],
            sec_words,
            {"words": 0, "speaking_seconds": 0, "mode": mode},
        )

    scores = {
        "structure": _structure(framework, sents, labels, sec_words, total, mode, items),
        "listenability": _listenability(stats, sents, items),
    }
    scores["ownership"], i_ratio = _ownership(sents, labels, framework, items)
    scores["specificity"] = _specificity(sents, labels, framework, items)
    scores["tone"] = _tone(sents, items)
    scores["fit"] = _fit(answer, sents, items)
    scores["originality"], stock = _originality(sents, items)
    if similar_to_others is not None and similar_to_others >= similarity.THRESHOLD:
        scores["originality"] = min(scores["originality"], _clamp(100 - 100 * similar_to_others))
        _item(
            items,
            "originality",
            "high",
            "This is very close to an answer someone else saved.",
            "Tell your own story in your own words; copied answers are easy to spot.",
        )
    if total < MIN_WORDS:
        scale = total / MIN_WORDS
        scores = {k: _clamp(v * (0.5 + 0.5 * scale)) for k, v in scores.items()}
    if cut:
        _item(
            items,
            "listenability",
            "high",
            "The answer is very long; only the start was read.",
            "A spoken answer is 300-450 words. Cut it down to the story's core.",
        )
    overall = _clamp(sum(scores[d] * WEIGHTS[d] for d in DIMENSIONS))
    items.sort(key=lambda it: (SEVERITY_ORDER[it.severity], DIMENSIONS.index(it.dimension)))
    return Report(
        framework=framework,
        overall=overall,
        scores=scores,
        items=items,
        sentences=[
            LabeledSentence(s, lab, len(w))
            for s, lab, w in zip(sents, labels, sent_words, strict=True)
        ],
        section_words=sec_words,
        stats={
            "words": total,
            "sentences": len(sents),
            "speaking_seconds": stats.speaking_seconds,
            "grade": stats.grade,
            "avg_sentence_words": stats.avg_sentence_words,
            "i_ratio": i_ratio,
            "stock_similarity": stock,
            "mode": mode,
            "hard_words": stats.hard_words,
            "acronyms": stats.acronyms,
            "truncated": cut,
            "language": "en",
        },
    )


def _not_english(framework, sents, labels, language, mode) -> Report:
    """The report for an answer that is not in English: the engine's checks (sections,
    readability, hedges, fit) are built for English and would only mislead, so it says so."""
    name = LANGUAGE_NAMES.get(language, "another language")
    n = sum(len(words(s)) for s in sents)
    items = [
        Item(
            "listenability",
            "high",
            f"This answer reads as {name}, not English."
            if language
            else "This answer doesn't read as English.",
            "Prepple's feedback only understands English, so it can't score this answer. "
            "Write it in English to get feedback on its structure and delivery.",
            code="language",
        )
    ]
    sec_words = {s.key: 0 for s in sections_of(framework)}
    return Report(
        framework,
        0,
        {d: 0 for d in DIMENSIONS},
        items,
        [LabeledSentence(s, "other", len(words(s))) for s in sents],
        sec_words,
        {"words": n, "sentences": len(sents), "mode": mode, "language": language or "unknown"},
    )
