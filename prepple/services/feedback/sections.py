"""Label each sentence of a free-text answer with its section (for a script or a transcript).

A small multinomial logistic regression scores each sentence for each *role* (setting, goal,
obstacle, action, result, learning, other) from its words, cue phrases and position; a Viterbi
pass then picks the most likely sequence, using transition probabilities learned from labelled
answers (stories mostly move forward: setting -> goal -> action -> result). The weights are
trained by ``python -m prepple.services.feedback.train_sections`` on the "tune" half of
``tests/data/labeled_answers.json`` and shipped in ``prepple/data/section_model.json``;
``benchmarks/bench_feedback_accuracy.py`` measures the held-out half.
"""

from __future__ import annotations

import functools
import json
import math
import re
from importlib import resources

from prepple.services.feedback.frameworks import ROLES, section_for_role, sections_of
from prepple.services.feedback.text import lower_words

#: Cue phrases per role, matched on the lower-cased sentence. They give the model features
#: that generalise beyond the words seen in training.
CUES: dict[str, tuple[str, ...]] = {
    "setting": (
        r"\b(i was|i'd been|i had been) (working|a|an|the|leading|running|in|on|at)\b",
        r"\bat the time\b",
        r"\b(last|this|that|one) (year|summer|spring|autumn|fall|winter)\b",
        r"\b(a few|two|three|several) (years|months) ago\b",
        r"\bwhen i (was|joined|started)\b",
        r"\b(our|the) (team|company|department|store|ward|school|clinic|firm|startup|client)\b",
        r"\bwe (were|had) (a|an|about|around|just|been)\b",
        r"\bback (in|when)\b",
        r"\bi (worked|work) (at|for|as|in)\b",
        r"\bthere (was|were)\b",
    ),
    "goal": (
        r"\bmy (job|task|role|goal|responsibility|brief|mandate)\b",
        r"\bi (was|had been) asked\b",
        r"\b(i|we) (had|needed) to\b",
        r"\bi was (tasked|responsible|accountable|in charge|the only)\b",
        r"\b(i|we) (was|were) (responsible for|in charge of)\b",
        r"\bmy (part|objective|remit) was\b",
        r"\b(as|being) the (team lead|lead|manager|owner|on-call|project lead)\b",
        r"\bi was on (call|the incident)\b",
        r"\bi had to (decide|resolve|find|make sure|ensure|get|deliver|fix)\b",
        r"\bthe (goal|aim|objective|target) was\b",
        r"\bit (was|fell) (on|to) me\b",
        r"\bneeded someone to\b",
        r"\bmy manager asked\b",
        r"\bi wanted to\b",
    ),
    "obstacle": (
        r"\b(the|my|our) (problem|challenge|obstacle|difficulty|issue|catch|risk)\b",
        r"\b(too busy|no way|not enough|wasn't enough|weren't enough|only had|had only|"
        r"no (formal )?authority|no playbook|no budget|no support|no one knew|nobody knew|"
        r"didn't have|did not have|couldn't get|could not get|kept changing|changing daily)\b",
        r"\b(it turned out|turned out that|the catch was|the hard part)\b",
        r"\b(but|however|unfortunately)\b",
        r"\bno (budget|time|data|one|access)\b",
        r"\b(didn't|did not|couldn't|could not|wasn't|weren't) (have|know|work|agree|want)\b",
        r"\bwas (blocked|stuck|missing|delayed|behind|short)\b",
        r"\bmade it (hard|difficult)\b",
        r"\bon top of that\b",
        r"\bdeadline\b",
        r"\b(revealed|discovered|flagged|uncovered) (that |a |an |the )?",
        r"\b(risk|risked|risks|threatened|jeopardi[sz]ed)\b",
        r"\b(not able to|unable to|cannot|can't|couldn't|wouldn't|refused to|wasn't able)\b",
        r"\b(suddenly|unexpectedly|out of nowhere|at the last minute)\b",
        r"\b(quit|resigned|fell ill|took ill|got sick|went on leave|left the company)\b",
        r"\b(backordered|back-ordered|shortage|outage|bug|failing|broke|crash(ed|ing)?)\b",
        r"\b(counterargument|pushback|pushed back|resist(ed|ance)|skeptic(al)?|objected)\b",
        r"\b(there was no|there were no|no formal|no dedicated|no clear|without any)\b",
        r"\b(issues?|problems?|hurdles?|constraints?|setbacks?|barriers?) (was|were|with)\b",
        r"\b(required|would take|took) (hours|days|weeks|months)\b",
    ),
    "action": (
        r"\bi (decided|started|set up|built|wrote|called|met|asked|proposed|created|organi[sz]ed|"
        r"scheduled|reached out|talked|spoke|sat down|went|made|put|took|ran|led|designed|"
        r"brought|suggested|offered|prepared|reviewed|analy[sz]ed|used|split|changed|focused|"
        r"worked with|escalated|documented|trained|coached|listened|explained|negotiated)\b",
        r"\b(first|then|next|after that|afterwards|finally|so i|i also|to do that)\b",
        r"\bi (would|made sure|kept|followed up)\b",
    ),
    "result": (
        r"\b(as a result|in the end|ultimately|eventually|by the end|the outcome|the result)\b",
        r"\b(increased|reduced|decreased|cut|saved|grew|improved|dropped|raised|doubled|halved|"
        r"delivered|launched|shipped|won|hit|exceeded|met|finished|completed)\b",
        r"\d+\s?(%|percent|per cent)",
        r"[$€£]\s?\d",
        r"\b(from|down to|up to) \d",
        r"\b(my manager|the client|the customer|they) (said|told|thanked|praised|gave)\b",
        r"\b(promoted|award|recogni[sz]ed|thanked|feedback)\b",
        r"\bstill (use|in use|running)\b",
    ),
    "learning": (
        r"\bi (learned|learnt|realised|realized|discovered)\b",
        r"\btaught me\b",
        r"\b(i've|i have) (also )?(carried|kept|taken|applied|used) (that|this|it|the)\b",
        r"\b(i should have|i'd (probably )?(push|do|ask|start)|i would (now|also))\b",
        r"\b(on my next|in my next|on later|on every) (project|role|job|team)\b",
        r"\bi (now|still) (always|block|use|make|ask|check|try)\b",
        r"\b(since then|ever since|now i|these days i|today i)\b",
        r"\b(next time|in hindsight|looking back|if i did it again|i would have)\b",
        r"\b(the lesson|my takeaway|what i took away|the takeaway|lesson learned|key lesson)\b",
        r"\b(this|that|the) (experience|project|incident|episode) (taught|showed|reminded|"
        r"highlighted)\b",
        r"\bi (now|always) (know|make sure|start|check|ask|share|default)\b",
    ),
    "other": (
        r"^(great|good|interesting|that's a good) question\b",
        r"^(so,? )?yeah\b",
        r"\b(comes to mind|good one for this|happy to (talk|share)|favou?rite (project|example)|"
        r"proudest of|best example|that one|the one that)\b",
        r"^(sure|okay|ok|anyway|oh)\b",
        r"\bi'm a (very )?(honest|hard-working|loyal|reliable|organi[sz]ed) person\b",
        r"\b(that's (it|about it|my answer|the story))\b",
        r"\bdoes that answer\b",
        r"^(um|uh|well|okay|ok|so),? (let me think|let me see)\b",
        r"^thank you\b",
        r"\b(hope that|i hope this) (helps|answers)\b",
    ),
}
_COMPILED = {role: [re.compile(p) for p in pats] for role, pats in CUES.items()}
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|"
    r"thousand|million|half|double|twice)\b"
)


@functools.lru_cache(maxsize=4096)
def _cue_hits(sentence: str) -> dict[str, int]:
    """How many cue patterns of each role the sentence matches (cached: a sentence is asked
    about as itself and as its neighbours' neighbour)."""
    low = sentence.lower().replace("’", "'")
    hits = {role: sum(1 for p in patterns if p.search(low)) for role, patterns in _COMPILED.items()}
    return {role: n for role, n in hits.items() if n}


def _cue_roles(sentence: str) -> list[str]:
    return list(_cue_hits(sentence))


def features(sentences: list[str], index: int) -> list[str]:
    """The feature names of sentence ``index`` of an answer (its neighbours' cues count too)."""
    sentence, count = sentences[index], len(sentences)
    low = sentence.lower().replace("’", "'")
    toks = lower_words(low)
    feats = [f"w:{t}" for t in set(toks)]
    feats += [f"b:{a}_{b}" for a, b in set(zip(toks, toks[1:], strict=False))]
    for role, hits in _cue_hits(sentence).items():
        feats.append(f"cue:{role}")
        if hits > 1:
            feats.append(f"cue2:{role}")
    rel = index / max(1, count - 1)
    feats.append(f"pos:{min(4, int(rel * 5))}")
    if index == 0:
        feats.append("first")
    if index == count - 1:
        feats.append("last")
    if _NUMBER.search(low):
        feats.append("number")
    if toks[:1] == ["i"]:
        feats.append("starts:i")
    if toks[:1] == ["we"]:
        feats.append("starts:we")
    if low.rstrip().endswith("?"):
        feats.append("question")
    if len(toks) <= 5:
        feats.append("short")
    if toks:
        feats.append(f"first:{toks[0]}")
        if len(toks) > 1:
            feats.append(f"first2:{toks[0]}_{toks[1]}")
    if re.search(r"\bi (\w+ed|made|took|went|set|ran|built|wrote|sent|spoke|told|got|put)\b", low):
        feats.append("i_past_verb")
    if re.search(r"\b(was|were) \w+ing\b", low):
        feats.append("past_progressive")
    if re.search(r"\b(now|since|still|today|always|whenever)\b", low):
        feats.append("present_habit")
    if index > 0:
        feats += [f"prev:{r}" for r in _cue_roles(sentences[index - 1])]
    if index < count - 1:
        feats += [f"next:{r}" for r in _cue_roles(sentences[index + 1])]
    return feats


#: Prior evidence (added to the model's logits) when a sentence matches a role's cues: the
#: roles with little training data (learning, obstacle, other) rely on it most.
CUE_BONUS = {
    "learning": 4.0,
    "obstacle": 3.5,
    "other": 2.0,
    "goal": 2.0,
    "setting": 0.5,
    "action": 0.5,
    "result": 0.5,
}


def cue_bonus(sentence: str) -> list[float]:
    """The prior added to each role's logit (in ROLES order) for this sentence's cues."""
    hits = _cue_hits(sentence)
    return [CUE_BONUS[role] if role in hits else 0.0 for role in ROLES]


def prepare_model(model: dict) -> dict:
    """Add the lookup tables inference needs to a trained model."""
    model["index"] = {role: i for i, role in enumerate(model["roles"])}
    return model


@functools.cache
def _model() -> dict:
    raw = resources.files("prepple.data").joinpath("section_model.json").read_text("utf-8")
    return prepare_model(json.loads(raw))


def role_scores(sentences: list[str], model: dict | None = None) -> list[dict[str, float]]:
    """Log-probabilities of each role for each sentence (before sequence smoothing).

    With the shipped model the last few answers' scores are cached: the engine asks again
    when it checks how sure it is that a section is missing."""
    if model is None:
        return _shipped_scores(tuple(sentences))
    return _scores(sentences, model)


@functools.lru_cache(maxsize=16)
def _shipped_scores(sentences: tuple[str, ...]) -> list[dict[str, float]]:
    return _scores(list(sentences), _model())


def _scores(sentences: list[str], model: dict) -> list[dict[str, float]]:
    roles, weights, bias = model["roles"], model["weights"], model["bias"]
    out = []
    for i, sentence in enumerate(sentences):
        logits = [b + c for b, c in zip(bias, cue_bonus(sentence), strict=True)]
        for feat in features(sentences, i):
            row = weights.get(feat)
            if row:
                for k, w in enumerate(row):
                    logits[k] += w
        top = max(logits)
        norm = top + math.log(sum(math.exp(v - top) for v in logits))
        out.append({role: logits[k] - norm for k, role in enumerate(roles)})
    return out


def label_roles(sentences: list[str], framework: str, model: dict | None = None) -> list[str]:
    """The most likely role of each sentence, as a sequence (Viterbi)."""
    if not sentences:
        return []
    emissions = role_scores(sentences, model)
    model = model or _model()
    allowed = [r for r in ROLES if _native(framework, r)]
    trans = model["transitions"]
    idx = model["index"]
    start = model["start"]
    best = {r: start[idx[r]] + emissions[0][r] for r in allowed}
    back: list[dict[str, str]] = []
    for em in emissions[1:]:
        step, ptr = {}, {}
        for r in allowed:
            prev, score = max(
                ((p, best[p] + trans[idx[p]][idx[r]]) for p in allowed), key=lambda x: x[1]
            )
            step[r], ptr[r] = score + em[r], prev
        best = step
        back.append(ptr)
    last = max(best, key=best.get)
    path = [last]
    for ptr in reversed(back):
        path.append(ptr[path[-1]])
    return list(reversed(path))


def _native(framework: str, role: str) -> bool:
    """Roles a framework names as a section of its own (plus "other")."""
    return role == "other" or any(s.role == role for s in sections_of(framework))


def label_sentences(sentences: list[str], framework: str, model: dict | None = None) -> list[str]:
    """The section key of ``framework`` for each sentence ("other" for none)."""
    return [section_for_role(framework, r) for r in label_roles(sentences, framework, model)]
