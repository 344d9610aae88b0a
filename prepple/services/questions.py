"""The question bank: search, filters, random pick, detail, and the idempotent seed.

Search works the same on SQLite and PostgreSQL (see ARCHITECTURE.md, "Search is portable").
Each question keeps ``search_text``, a folded copy (lower case, accents removed) of its text,
tag names and guidance. A query is split into words; small words ("tell", "me", "about") are
dropped unless nothing else is left; each word may also match a few synonyms ("coworker" finds
"colleague"). A question matches when ANY word appears, and is scored in SQL by the words it
holds, each weighted by its rarity (inverse document frequency) and by where it appears: in the
question's own text (x3), in a competency or company tag (x2), or only in the guidance (x1), with
a bonus when the whole query appears as a phrase. Words that appear nowhere in the bank are
corrected against a vocabulary of the bank's words (Damerau-Levenshtein distance 1: "conflcit"
-> "conflict", shown as "Showing results for ..."); a distance-2 neighbour is only suggested
("Did you mean ..."). The vocabulary is built in Python from ``search_text`` and cached per
database for a few minutes (seeding clears it). At 10,000 questions a search stays around 10 ms
on SQLite (benchmarks/bench_questions.py).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import random
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import and_, case, false, func, literal, or_
from sqlmodel import Session, select

from prepple.models import (
    Company,
    Competency,
    Question,
    QuestionCompany,
    QuestionCompetency,
)
from prepple.services.validation import LIKE_ESCAPE, clean_query, like_contains

PAGE_SIZE = 20
MAX_TERMS = 8
DIFFICULTIES = ("easy", "medium", "hard")
#: ``Question.kind``: a behavioral question is answered with a story (STAR and friends); a
#: common one ("Tell me about yourself") with the structure in ``answer_structure``.
KINDS = ("behavioral", "common")
KIND_LABELS = {"behavioral": "Behavioral", "common": "Common (not behavioral)"}

#: Words too common to search by on their own (dropped unless the query has nothing else).
STOPWORDS = frozenset(
    """a about after again all also am an and any are as at be been before being both but by
    can could did do does doing during each few for from had has have having he her here hers
    him his how i if in into is it its just me more most my no nor not of off on once only or
    other our out over own same she should so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours tell time describe give example share
    walk""".split()
)

#: A few words people search for that the bank says differently. Each maps to alternatives
#: that count as the same word (at a slightly lower weight).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "coworker": ("colleague", "teammate", "peer"),
    "coworkers": ("colleague", "teammate", "peer"),
    "colleague": ("coworker", "teammate", "peer"),
    "boss": ("manager",),
    "biggest": ("greatest",),
    "greatest": ("biggest",),
    "argument": ("conflict", "disagree"),
    "fight": ("conflict", "disagree"),
    "disagreement": ("conflict", "disagree"),
    "mistake": ("failure", "failed", "error"),
    "salary": ("compensation",),
    "pay": ("salary", "compensation"),
    "quit": ("leaving", "leave"),
    "weaknesses": ("weakness",),
    "strengths": ("strength",),
    "client": ("customer",),
    "customer": ("client",),
    "deadline": ("time pressure",),
}
_SUFFIXES = ("ies", "ing", "es", "ed", "s")
_SYNONYM_WEIGHT = 0.8
_TEXT_WEIGHT, _TAG_WEIGHT, _GUIDANCE_WEIGHT = 3.0, 2.0, 1.0
_VOCAB_TTL = 900.0  # seconds: another process's edits show up within this time


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse whitespace, for accent-blind matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped).strip()


def query_terms(query: str) -> list[str]:
    """The words of a search query, folded, deduplicated and capped at ``MAX_TERMS``."""
    words = re.findall(r"\w+", fold(clean_query(query)))
    return list(dict.fromkeys(w for w in words if len(w) > 1 or w.isdigit()))[:MAX_TERMS]


def stem(word: str) -> str:
    """A crude stem so plurals and tenses match ("stakeholders" -> "stakeholder",
    "deadlines" -> "deadlin"); the pattern is matched anywhere in a word."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: an adjacent swap costs 1),
    or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@dataclass(frozen=True)
class Tag:
    """A competency or company tag as the UI shows it."""

    slug: str
    name: str


@dataclass(frozen=True)
class QuestionView:
    """A question with its tags (list and detail pages)."""

    id: int
    text: str
    difficulty: str
    competencies: list[Tag] = field(default_factory=list)
    companies: list[Tag] = field(default_factory=list)
    why_asked: str = ""
    strong_answer: str = ""
    #: "behavioral" or "common" (see ``KINDS``).
    kind: str = "behavioral"
    #: How to structure an answer to a common question (empty for behavioral ones).
    answer_structure: str = ""


@dataclass(frozen=True)
class SearchResult:
    """One page of search results and the total number of matches.

    ``corrected`` is the query actually searched when a word was corrected ("conflcit" ->
    "conflict"); ``suggestion`` a less certain alternative the user may pick."""

    items: list[QuestionView]
    total: int
    corrected: str = ""
    suggestion: str = ""


# ---------------------------------------------------------------------------------------------
# The vocabulary: the bank's words, their document frequencies and the tag names


class Vocabulary:
    """Words of the bank (from ``search_text``) with how many questions hold each."""

    def __init__(self, docs: list[str], tags: list[tuple[str, int, str]]) -> None:
        counts: dict[str, int] = {}
        for doc in docs:
            for word in set(re.findall(r"[a-z0-9]+", doc)):
                counts[word] = counts.get(word, 0) + 1
        self.size = max(1, len(docs))
        self.df = counts
        self.words = sorted(counts)
        self.joined = "\n" + "\n".join(self.words) + "\n"
        self.by_letter: dict[str, list[str]] = {}
        for word in self.words:
            if len(word) >= 3 and word.isalpha():
                self.by_letter.setdefault(word[0], []).append(word)
        #: (folded tag name, id, "competency" | "company")
        self.tags = tags
        self._df_cache: dict[str, int] = {}

    def known(self, fragment: str) -> bool:
        """Whether ``fragment`` occurs in some word of the bank (so LIKE finds it)."""
        return fragment in self.joined

    def doc_freq(self, fragment: str) -> int:
        """About how many questions contain ``fragment`` (summed over the words holding it)."""
        if fragment not in self._df_cache:
            if " " in fragment:
                total = min(self.df.get(w, 0) for w in fragment.split())
            else:
                lo = bisect.bisect_left(self.words, fragment)
                total = 0
                # Words starting with the fragment (sorted, contiguous), then any containing it.
                while lo < len(self.words) and self.words[lo].startswith(fragment):
                    total += self.df[self.words[lo]]
                    lo += 1
                if total == 0 and self.known(fragment):
                    total = sum(n for w, n in self.df.items() if fragment in w)
            self._df_cache[fragment] = min(self.size, total)
        return self._df_cache[fragment]

    def idf(self, fragment: str) -> float:
        """Rarity weight: rare words count more than ones in every question."""
        return math.log(1 + self.size / (1 + self.doc_freq(fragment)))

    def nearest(self, word: str) -> tuple[str, int] | None:
        """The most common bank word within edit distance 2 of ``word`` (and the distance)."""
        limit = 1 if len(word) <= 5 else 2
        pool = list(self.by_letter.get(word[0], []))
        if len(word) > 1 and word[1] != word[0]:
            pool += self.by_letter.get(word[1], [])  # a swap of the first two letters
        best: tuple[int, int, str] | None = None
        for cand in pool:
            if abs(len(cand) - len(word)) > limit:
                continue
            d = edit_distance(word, cand, limit)
            if d <= limit:
                key = (d, -self.df[cand], cand)
                if best is None or key < best:
                    best = key
        return (best[2], best[0]) if best else None

    def tag_ids(self, fragment: str, kind: str) -> list[int]:
        """Ids of competencies or companies whose name contains ``fragment``."""
        return [tid for name, tid, k in self.tags if k == kind and fragment in name]


_vocab_lock = threading.Lock()
_vocab_cache: dict[str, tuple[tuple, float, Vocabulary]] = {}


def vocabulary(session: Session) -> Vocabulary:
    """The bank's vocabulary for this database, rebuilt when questions are added or removed,
    after a few minutes, or when this process seeds the bank."""
    bind = session.get_bind()
    key = str(getattr(bind, "url", id(bind)))
    signature = tuple(session.exec(select(func.count(), func.max(Question.id))).one())
    now = time.monotonic()
    with _vocab_lock:
        hit = _vocab_cache.get(key)
        if hit and hit[0] == signature and now - hit[1] < _VOCAB_TTL:
            return hit[2]
    docs = list(session.exec(select(Question.search_text)).all())
    tags = [
        (fold(n), i, "competency") for i, n in session.exec(select(Competency.id, Competency.name))
    ]
    tags += [(fold(n), i, "company") for i, n in session.exec(select(Company.id, Company.name))]
    vocab = Vocabulary(docs, tags)
    with _vocab_lock:
        _vocab_cache[key] = (signature, now, vocab)
    return vocab


def vocabulary_reset() -> None:
    """Forget cached vocabularies (after seeding)."""
    with _vocab_lock:
        _vocab_cache.clear()


# ---------------------------------------------------------------------------------------------
# Search


@dataclass(frozen=True)
class _Group:
    """One query word: the fragments that count as it, each with a weight."""

    word: str
    alternatives: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class _Plan:
    groups: list[_Group]
    phrase: str
    corrected: str
    suggestion: str


def _plan(query: str, vocab: Vocabulary) -> _Plan:
    """Turn a query into weighted word groups, correcting words the bank doesn't hold."""
    words = query_terms(query)
    if not words:
        return _Plan([], "", "", "")
    content = [w for w in words if w not in STOPWORDS] or words
    fixed: dict[str, str] = {}
    suggested: dict[str, str] = {}
    groups: list[_Group] = []
    for word in content:
        use = word
        if len(word) >= 4 and word.isalpha() and not vocab.known(stem(word)):
            near = vocab.nearest(word)
            if near and near[1] == 1:
                use = fixed[word] = near[0]
            elif near:
                suggested[word] = near[0]
        alts: dict[str, float] = {}
        for frag, weight in [(use, 1.0)] + [(s, _SYNONYM_WEIGHT) for s in SYNONYMS.get(use, ())]:
            frag = stem(frag)
            if weight < 1.0 and not vocab.known(frag):
                continue
            alts.setdefault(frag, weight * vocab.idf(frag))
        groups.append(_Group(use, tuple(alts.items())))
    corrected = " ".join(fixed.get(w, w) for w in words) if fixed else ""
    suggestion = " ".join(suggested.get(w, fixed.get(w, w)) for w in words) if suggested else ""
    phrase = " ".join(fixed.get(w, w) for w in words) if len(words) > 1 else ""
    return _Plan(groups, phrase, corrected, suggestion)


def _like(column, fragment: str):
    return column.like(like_contains(fragment), escape=LIKE_ESCAPE)


def _common(group: _Group, vocab: Vocabulary) -> bool:
    """Whether every fragment of ``group`` is in more than half of the questions."""
    return all(vocab.doc_freq(frag) * 2 > vocab.size for frag, _ in group.alternatives)


def _score(plan: _Plan, vocab: Vocabulary, dialect: str):
    """The relevance expression and the any-word match condition for ``plan``."""
    # SQLite's LIKE ignores ASCII case already; PostgreSQL's doesn't, so lower() there.
    text = Question.text if dialect == "sqlite" else func.lower(Question.text)
    parts = []
    anywhere = []
    # A word in most questions ("work") ranks but doesn't select, unless it is all there is.
    selective = [g for g in plan.groups if not _common(g, vocab)] or plan.groups
    for group in plan.groups:
        whens = []
        for frag, weight in group.alternatives:
            if group in selective:
                anywhere.append(_like(Question.search_text, frag))
            whens.append((_like(text, frag), _TEXT_WEIGHT * weight))
        for frag, weight in group.alternatives:
            comp_ids = vocab.tag_ids(frag, "competency")
            co_ids = vocab.tag_ids(frag, "company")
            tag_conditions = []
            if comp_ids:
                tag_conditions.append(
                    Question.id.in_(
                        select(QuestionCompetency.question_id).where(
                            QuestionCompetency.competency_id.in_(comp_ids)
                        )
                    )
                )
            if co_ids:
                tag_conditions.append(
                    Question.id.in_(
                        select(QuestionCompany.question_id).where(
                            QuestionCompany.company_id.in_(co_ids)
                        )
                    )
                )
            if tag_conditions:
                whens.append((or_(*tag_conditions), _TAG_WEIGHT * weight))
        for frag, weight in group.alternatives:
            whens.append((_like(Question.search_text, frag), _GUIDANCE_WEIGHT * weight))
        # CASE takes the first true branch: ordered text, tags, guidance, and within each the
        # word itself before its synonyms, so the best place a word appears is what counts.
        whens.sort(key=lambda w: -w[1])
        parts.append(case(*whens, else_=literal(0.0)))
    score = parts[0] if parts else literal(0.0)
    for part in parts[1:]:
        score = score + part
    if plan.phrase:
        bonus = sum(max(w for _, w in g.alternatives) for g in plan.groups) * 2
        score = score + case((_like(text, plan.phrase), bonus), else_=literal(0.0))
    return score, or_(*anywhere) if anywhere else None


def _filters(
    competency: str, company: str, difficulty: str, kind: str = "", ids: list[int] | None = None
) -> list:
    conditions: list = []
    if competency:
        conditions.append(
            Question.id.in_(
                select(QuestionCompetency.question_id)
                .join(Competency, Competency.id == QuestionCompetency.competency_id)
                .where(Competency.slug == competency)
            )
        )
    if company:
        conditions.append(
            Question.id.in_(
                select(QuestionCompany.question_id)
                .join(Company, Company.id == QuestionCompany.company_id)
                .where(Company.slug == company)
            )
        )
    if difficulty in DIFFICULTIES:
        conditions.append(Question.difficulty == difficulty)
    if kind in KINDS:
        conditions.append(Question.kind == kind)
    if ids is not None:
        wanted = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)][:1000]
        conditions.append(Question.id.in_(wanted) if wanted else false())
    return conditions


def _filtered(query: str, competency: str, company: str, difficulty: str):
    """Every-word filter (used by the random pick, which takes no query in practice)."""
    terms = query_terms(query)
    conditions = [Question.search_text.like(like_contains(t), escape=LIKE_ESCAPE) for t in terms]
    conditions += _filters(competency, company, difficulty)
    return terms, and_(True, *conditions)


def _tags_for(
    session: Session, ids: list[int]
) -> tuple[dict[int, list[Tag]], dict[int, list[Tag]]]:
    comps: dict[int, list[Tag]] = {i: [] for i in ids}
    cos: dict[int, list[Tag]] = {i: [] for i in ids}
    if not ids:
        return comps, cos
    for qid, slug, name in session.exec(
        select(QuestionCompetency.question_id, Competency.slug, Competency.name)
        .join(Competency, Competency.id == QuestionCompetency.competency_id)
        .where(QuestionCompetency.question_id.in_(ids))
        .order_by(Competency.name)
    ).all():
        comps[qid].append(Tag(slug, name))
    for qid, slug, name in session.exec(
        select(QuestionCompany.question_id, Company.slug, Company.name)
        .join(Company, Company.id == QuestionCompany.company_id)
        .where(QuestionCompany.question_id.in_(ids))
        .order_by(Company.name)
    ).all():
        cos[qid].append(Tag(slug, name))
    return comps, cos


def _views(session: Session, rows: list[Question], *, detail: bool = False) -> list[QuestionView]:
    comps, cos = _tags_for(session, [q.id for q in rows])
    return [
        QuestionView(
            id=q.id,
            text=q.text,
            difficulty=q.difficulty,
            competencies=comps[q.id],
            companies=cos[q.id],
            why_asked=q.why_asked if detail else "",
            strong_answer=q.strong_answer if detail else "",
            kind=q.kind or "behavioral",
            answer_structure=q.answer_structure if detail else "",
        )
        for q in rows
    ]


def question_search(
    *,
    session: Session,
    query: str = "",
    competency: str = "",
    company: str = "",
    difficulty: str = "",
    kind: str = "",
    ids: list[int] | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> SearchResult:
    """Questions matching any word of ``query`` (best first) within the chosen filters.

    ``ids`` limits the search to those questions (the saved list); ``kind`` to behavioral or
    common questions."""
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    conditions = _filters(competency, company, difficulty, kind, ids)
    plan = _Plan([], "", "", "")
    order: list = [Question.id]
    if query_terms(query):
        vocab = vocabulary(session)
        plan = _plan(query, vocab)
        score, anywhere = _score(plan, vocab, session.get_bind().dialect.name)
        conditions.append(anywhere)
        order = [score.desc(), func.length(Question.text), Question.id]
    where = and_(True, *conditions)
    if plan.groups:
        # Rank ids only (the sorter holds small rows), with the total as a window count: one
        # scan of the matches on SQLite and PostgreSQL alike.
        ranked = session.exec(
            select(Question.id, func.count().over())
            .where(where)
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        ).all()
        ids = [r[0] for r in ranked]
        total = int(ranked[0][1]) if ranked else None
        by_id = {q.id: q for q in session.exec(select(Question).where(Question.id.in_(ids)))}
        rows = [by_id[i] for i in ids if i in by_id]
    else:
        # No words: the primary key order walks the index, so count separately.
        rows = list(
            session.exec(select(Question).where(where).order_by(*order).offset(offset).limit(limit))
        )
        total = None
    if total is None:
        total = int(session.exec(select(func.count()).select_from(Question).where(where)).one())
    return SearchResult(
        items=_views(session, rows),
        total=total,
        corrected=plan.corrected,
        suggestion=plan.suggestion,
    )


def question_get(*, session: Session, question_id: int) -> QuestionView | None:
    """One question with its guidance and tags, or ``None``."""
    q = session.get(Question, question_id)
    return _views(session, [q], detail=True)[0] if q else None


def question_random(
    *,
    session: Session,
    competency: str = "",
    company: str = "",
    difficulty: str = "",
    rng: random.Random | None = None,
) -> int | None:
    """The id of a random question within the filters, or ``None`` when nothing matches."""
    _, where = _filtered("", competency, company, difficulty)
    total = session.exec(select(func.count()).select_from(Question).where(where)).one()
    if not total:
        return None
    index = (rng or random).randrange(total)
    return session.exec(
        select(Question.id).where(where).order_by(Question.id).offset(index)
    ).first()


def question_related(*, session: Session, question_id: int, limit: int = 5) -> list[QuestionView]:
    """Other questions sharing a competency with this one (most shared first)."""
    mine = select(QuestionCompetency.competency_id).where(
        QuestionCompetency.question_id == question_id
    )
    ids = session.exec(
        select(QuestionCompetency.question_id)
        .where(
            QuestionCompetency.competency_id.in_(mine),
            QuestionCompetency.question_id != question_id,
        )
        .group_by(QuestionCompetency.question_id)
        .order_by(func.count().desc(), QuestionCompetency.question_id)
        .limit(limit)
    ).all()
    rows = session.exec(select(Question).where(Question.id.in_(ids))).all()
    by_id = {q.id: q for q in rows}
    return _views(session, [by_id[i] for i in ids if i in by_id])


@dataclass(frozen=True)
class Facet:
    """A filter choice with how many questions carry it."""

    slug: str
    name: str
    count: int


def facets(*, session: Session) -> tuple[list[Facet], list[Facet]]:
    """Competencies and companies with question counts, for the filter menus."""
    comps = session.exec(
        select(Competency.slug, Competency.name, func.count(QuestionCompetency.question_id))
        .join(QuestionCompetency, QuestionCompetency.competency_id == Competency.id, isouter=True)
        .group_by(Competency.id)
        .order_by(Competency.name)
    ).all()
    cos = session.exec(
        select(Company.slug, Company.name, func.count(QuestionCompany.question_id))
        .join(QuestionCompany, QuestionCompany.company_id == Company.id, isouter=True)
        .group_by(Company.id)
        .order_by(Company.name)
    ).all()
    return [Facet(*row) for row in comps], [Facet(*row) for row in cos]


def company_get(*, session: Session, slug: str) -> dict | None:
    """A company's public values note, for the filter banner."""
    row = session.exec(select(Company).where(Company.slug == slug)).first()
    if row is None:
        return None
    return {
        "slug": row.slug,
        "name": row.name,
        "values_source": row.values_source,
        "note": row.note,
        "values": json.loads(row.values_json or "[]"),
    }


# ---------------------------------------------------------------------------------------------
# Seeding


def question_key(text: str) -> str:
    """A stable key for a question text, so seeding twice updates rather than duplicates."""
    folded = fold(text)
    slug = re.sub(r"[^a-z0-9]+", "-", folded)[:60].strip("-")
    return f"{slug}-{hashlib.sha1(folded.encode()).hexdigest()[:10]}"  # noqa: S324 - not security


def load_bank(path: Path | None = None) -> dict:
    """The bundled question bank (``prepple/data/question_bank.json``) or another file."""
    if path is not None:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    data = resources.files("prepple.data").joinpath("question_bank.json").read_text("utf-8")
    return json.loads(data)


def seed_bank(*, session: Session, bank: dict) -> dict[str, int]:
    """Insert or update competencies, companies and questions from ``bank``. Idempotent."""
    comp_ids: dict[str, int] = {}
    for c in bank["competencies"]:
        row = session.exec(select(Competency).where(Competency.slug == c["slug"])).first()
        if row is None:
            row = Competency(slug=c["slug"], name=c["name"])
            session.add(row)
        row.name, row.description = c["name"], c.get("description", "")
        session.flush()
        comp_ids[row.slug] = row.id
    comp_names = {c["slug"]: c["name"] for c in bank["competencies"]}
    co_ids: dict[str, int] = {}
    for c in bank["companies"]:
        row = session.exec(select(Company).where(Company.slug == c["slug"])).first()
        if row is None:
            row = Company(slug=c["slug"], name=c["name"])
            session.add(row)
        row.name = c["name"]
        row.values_source = c.get("values_source", "")
        row.note = c.get("note", "")
        row.values_json = json.dumps(c.get("values", []))
        session.flush()
        co_ids[row.slug] = row.id
    co_names = {c["slug"]: c["name"] for c in bank["companies"]}

    existing = {q.key: q for q in session.exec(select(Question)).all()}
    created = 0
    for item in bank["questions"]:
        # The bank names each question by a stable key, so editing its text updates it.
        key = item.get("key") or question_key(item["text"])
        q = existing.get(key)
        if q is None:
            q = Question(key=key, text=item["text"])
            session.add(q)
            created += 1
        q.text = item["text"]
        q.why_asked = item.get("why_asked", "")
        q.strong_answer = item.get("strong_answer", "")
        q.difficulty = item.get("difficulty", "medium")
        q.kind = item.get("kind", "behavioral") if item.get("kind") in KINDS else "behavioral"
        q.answer_structure = item.get("answer_structure", "")
        tags = [comp_names[s] for s in item.get("competencies", [])]
        tags += [co_names[s] for s in item.get("companies", [])]
        q.search_text = fold(
            " ".join([q.text, *tags, q.why_asked, q.strong_answer, q.answer_structure])
        )
        session.flush()
        existing[key] = q
        _sync_links(
            session,
            QuestionCompetency,
            "competency_id",
            q.id,
            {comp_ids[s] for s in item.get("competencies", [])},
        )
        _sync_links(
            session,
            QuestionCompany,
            "company_id",
            q.id,
            {co_ids[s] for s in item.get("companies", [])},
        )
    session.flush()
    vocabulary_reset()
    return {
        "competencies": len(comp_ids),
        "companies": len(co_ids),
        "questions": len(bank["questions"]),
        "created": created,
    }


def _sync_links(session: Session, model, column: str, question_id: int, wanted: set[int]) -> None:
    have = {
        getattr(row, column): row
        for row in session.exec(select(model).where(model.question_id == question_id)).all()
    }
    for other_id, row in have.items():
        if other_id not in wanted:
            session.delete(row)
    for other_id in wanted - set(have):
        session.add(model(question_id=question_id, **{column: other_id}))
