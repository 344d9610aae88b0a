"""Fit to the question, judged by meaning: which competency the question probes, and whether the
story shows it.

Each competency has a *concept lexicon*: hand-written synonyms (``SEEDS``: "time pressure" is
also "deadline", "48 hours", "overnight", "ahead of schedule") plus the words that set the
competency apart in the question bank: the questions tagged with it, why they are asked and what
a strong answer shows (``prepple/data/question_bank.json``), weighted by how distinctive they
are (log-odds against the other competencies). Words are compared by stem (their first five
letters), so "prioritised", "priorities" and "prioritize" meet.

The question is mapped to competencies (the ones the caller passes, else the bank's tags when
the question is in the bank, else the lexicons that best match its words). The answer is scored
against every lexicon; it fits when the question's competencies are among the strongest it
shows. Only a clear miss is reported as one; a weak match asks instead. Why not sentence
embeddings: ARCHITECTURE.md, "Feedback engine".
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from prepple.services.feedback.text import lower_words

STEM = 5

_STOP = set(
    "a an the and or but of to in on at for with about as by from that this it is was were be been "
    "you your me my i we our they them their he she his her tell time times when what how did do "
    "does describe give example situation had have has would could can will not who whom which "
    "there then than into over also just more most some any all each other others such only own "
    "very really well way ways make made get got us its it's one two three strong answer answers "
    "shows show candidate candidates interviewers interviewer want wants asked asks question "
    "because while where why whether these those being after before through without".split()
)

#: Hand-written synonyms per competency (stems are taken from them, so any form matches).
SEEDS: dict[str, list[str]] = {
    "leadership": (
        "led lead leader team vision direction delegated motivated owners rallied coordinated "
        "responsibility mobilized organized stepped up took charge"
    ).split(),
    "conflict": (
        "disagreed disagreement conflict tension clashed argued resolved compromise concerns "
        "perspective viewpoint listened frustrated upset tense relationship common ground"
    ).split(),
    "failure": (
        "failed failure mistake wrong missed error owned apologized slipped late lesson learned "
        "differently dismissed oversight"
    ).split(),
    "ownership": (
        "owned ownership responsible accountable initiative fixed followed through myself "
        "nobody wasn't mine stayed"
    ).split(),
    "customer-focus": (
        "customer client user patient guest complaint complained satisfaction service needs "
        "experience support buyer order"
    ).split(),
    "teamwork": (
        "team together colleague teammate helped support collaborated shared pitched partner "
        "cross-functional joint peers"
    ).split(),
    "communication": (
        "explained presented wrote told message update clear audience meeting email "
        "non-technical translated summary briefed"
    ).split(),
    "influence": (
        "convinced persuaded influenced buy-in agreed proposal pushed back presented case "
        "stakeholder adopted won over evidence data"
    ).split(),
    "adaptability": (
        "change changed adapt adjusted pivot unexpected new system switched flexible quickly "
        "overnight learned"
    ).split(),
    "problem-solving": (
        "problem root cause diagnosed analysed analyzed investigated solution fixed bug traced "
        "tested issue workaround debug reproduced failure crashing"
    ).split(),
    "decision-making": (
        "decided decision option trade-off tradeoff risk chose reversible judgment weighed "
        "alternatives call uncertain"
    ).split(),
    "prioritization": (
        "prioritised prioritized priority urgent important first deadline dropped focus "
        "trade-off triage deferred"
    ).split(),
    "initiative": (
        "initiative noticed proposed started volunteered idea own nobody asked beyond "
        "self-taught launched"
    ).split(),
    "learning": (
        "learned learnt course taught studied practised practiced skill new tutorial "
        "mentor read certification"
    ).split(),
    "feedback": (
        "feedback criticism review told improved coaching suggestion acted heard listened "
        "constructive"
    ).split(),
    "integrity": (
        "right thing honest ethical ethics reported refused trust transparent wrong "
        "policy rules compliance integrity"
    ).split(),
    "innovation": (
        "new idea prototype experiment creative innovative invented built designed novel "
        "automated simplified first"
    ).split(),
    "data-driven": (
        "data metric metrics measured analysed analyzed numbers dashboard test percent "
        "evidence survey"
    ).split(),
    "mentoring": (
        "mentored mentor coached coach taught junior grow develop trained onboarded "
        "confidence pairing"
    ).split(),
    "time-management": (
        "deadline schedule time hours days weeks overnight weekend pressure urgent rush "
        "quickly ahead late on time launch plan calendar within"
    ).split(),
    "dealing-with-ambiguity": (
        "unclear ambiguous unknown assumptions clarified guidance vague undefined "
        "incomplete uncertain no playbook"
    ).split(),
    "delivering-results": (
        "delivered results target goal launched shipped met exceeded completed outcome "
        "grew increased reduced"
    ).split(),
    "stakeholder-management": (
        "stakeholder stakeholders expectations aligned update manager client sponsor "
        "departments teams board negotiated"
    ).split(),
    "diversity-inclusion": (
        "inclusive inclusion diverse diversity perspective respect background accessible "
        "equitable belonging underrepresented"
    ).split(),
}


def _stems(text: str) -> list[str]:
    return [w[:STEM] for w in lower_words(text) if len(w) > 2 and w not in _STOP]


@dataclass(frozen=True)
class Lexicons:
    """The concept lexicons, the competency names and descriptions, and the bank's questions."""

    weights: dict[str, dict[str, float]]
    baseline: dict[str, float]  # mean evidence of each lexicon over the bank's texts
    names: dict[str, str]
    descriptions: dict[str, str]
    questions: dict[str, tuple[tuple[str, ...], str]]  # normalised text -> (slugs, strong answer)


def _norm(question: str) -> str:
    return " ".join(lower_words(question))


@functools.cache
def lexicons() -> Lexicons:
    """Build the lexicons from the seeds and the question bank (once per process)."""
    raw = resources.files("prepple.data").joinpath("question_bank.json").read_text("utf-8")
    bank = json.loads(raw)
    names = {c["slug"]: c["name"] for c in bank.get("competencies", [])}
    descriptions = {c["slug"]: c.get("description", "") for c in bank.get("competencies", [])}
    docs: dict[str, Counter] = {slug: Counter() for slug in SEEDS}
    questions: dict[str, tuple[tuple[str, ...], str]] = {}
    for q in bank.get("questions", []):
        slugs = tuple(s for s in q.get("competencies", []) if s in SEEDS)
        text = " ".join((q.get("text", ""), q.get("why_asked", ""), q.get("strong_answer", "")))
        questions[_norm(q.get("text", ""))] = (slugs, q.get("strong_answer", ""))
        for slug in slugs:
            docs[slug].update(set(_stems(text)))
    totals: Counter[str] = Counter()
    for counter in docs.values():
        totals.update(counter)
    n_docs = {slug: max(1, sum(1 for q in questions.values() if slug in q[0])) for slug in SEEDS}
    all_docs = max(1, len(questions))
    weights: dict[str, dict[str, float]] = {}
    for slug, seeds in SEEDS.items():
        lex: dict[str, float] = {}
        for stem, count in docs[slug].items():
            if count < 2:
                continue
            inside = (count + 0.5) / (n_docs[slug] + 1)
            outside = (totals[stem] - count + 0.5) / (all_docs - n_docs[slug] + 1)
            odds = math.log(inside / outside)
            if odds > 1.0:
                lex[stem] = min(1.0, odds / 3)
        for seed in seeds:
            for stem in _stems(seed):
                lex[stem] = 1.0
        weights[slug] = lex
    # How much evidence each lexicon finds in text about *any* competency: broad lexicons
    # (time, plans, days) find some in every story, so evidence is read relative to this.
    texts = [
        " ".join((q.get("why_asked", ""), q.get("strong_answer", ""))) for q in bank["questions"]
    ]
    baseline = {slug: 0.0 for slug in weights}
    for text in texts:
        for slug, value in _raw_evidence(set(_stems(text)), weights).items():
            baseline[slug] += value / max(1, len(texts))
    return Lexicons(weights, baseline, names, descriptions, questions)


def _raw_evidence(stems: set[str], weights: dict[str, dict[str, float]]) -> dict[str, float]:
    scale = math.sqrt(max(20, len(stems)) / 60)
    return {slug: sum(w.get(s, 0.0) for s in stems) / scale for slug, w in weights.items()}


@dataclass
class FitResult:
    """What the fit check found."""

    score: int
    targets: list[str]  # competencies the question probes
    heard: str  # the competency the answer shows most
    target_evidence: float
    ratio: float  # target evidence / strongest evidence
    verdict: str  # "fits", "unsure" or "off_topic"


def question_targets(question: str, competencies: list[str] | None = None) -> list[str]:
    """The competencies a question probes: the given ones, the bank's tags, or the best
    matching lexicons (up to two)."""
    lex = lexicons()
    given = [c for c in competencies or [] if c in lex.weights]
    if given:
        return given
    known = lex.questions.get(_norm(question))
    if known and known[0]:
        return list(known[0])
    stems = set(_stems(question))
    scores = {slug: sum(w.get(s, 0.0) for s in stems) for slug, w in lex.weights.items()}
    ranked = sorted(scores, key=scores.get, reverse=True)
    top = [s for s in ranked[:2] if scores[s] > 0 and scores[s] >= 0.5 * scores[ranked[0]]]
    return top


#: Thresholds, chosen on the "tune" answers only (their own questions against questions about
#: a competency of another family): the question's competency must rank at least this low
#: among all competencies the story shows, with at most this share of the strongest one's
#: evidence and this share of the question's own words, before the engine says it is off topic.
OFF_TOPIC_RANK, OFF_TOPIC_RATIO, OFF_TOPIC_OVERLAP = 5, 0.35, 0.25
UNSURE_RANK, UNSURE_RATIO = 3, 0.45


def judge(question: str, answer_text: str, competencies: list[str] | None = None) -> FitResult:
    """How well ``answer_text`` answers ``question``."""
    lex = lexicons()
    targets = question_targets(question, competencies)
    stems = set(_stems(answer_text))
    raw = _raw_evidence(stems, lex.weights)
    evidence = {slug: raw[slug] / (lex.baseline[slug] + 1.0) for slug in raw}
    heard = max(evidence, key=evidence.get)
    if not targets:
        return FitResult(70, [], heard, 0.0, 1.0, "fits")
    q_stems = set(_stems(question))
    overlap = len(q_stems & stems) / max(1, len(q_stems))
    best_target = max(targets, key=lambda t: evidence[t])
    target = evidence[best_target]
    ratio = min(1.0, target / max(1e-6, evidence[heard]))
    rank = sorted(evidence.values(), reverse=True).index(target)
    confidence = 0.6 * min(1.0, ratio / 0.7) + 0.4 * min(1.0, overlap / 0.5)
    score = round(35 + 65 * confidence)
    if rank >= OFF_TOPIC_RANK and ratio < OFF_TOPIC_RATIO and overlap < OFF_TOPIC_OVERLAP:
        verdict = "off_topic"
    elif rank >= UNSURE_RANK and ratio < UNSURE_RATIO:
        verdict = "unsure"
    else:
        verdict = "fits"
    return FitResult(score, targets, heard, round(target, 2), round(ratio, 2), verdict)


def name_of(slug: str) -> str:
    """A competency's display name."""
    return lexicons().names.get(slug, slug.replace("-", " ").capitalize())


def description_of(slug: str) -> str:
    """What a competency is about (from the question bank)."""
    return lexicons().descriptions.get(slug, "")
