"""The question bank: search, filters, random pick, detail, and the idempotent seed.

Search works the same on SQLite and PostgreSQL: each question keeps ``search_text``, a folded
copy (lower case, accents removed) of its text, guidance and tag names, and a query matches
when every word of it appears there. Questions whose own text contains the words rank first.
On 10,000 questions this stays in single-digit milliseconds (benchmarks/bench_questions.py).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import and_, case, func
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


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse whitespace, for accent-blind matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped).strip()


def query_terms(query: str) -> list[str]:
    """The words of a search query, folded, deduplicated and capped at ``MAX_TERMS``."""
    words = re.findall(r"\w+", fold(clean_query(query)))
    return list(dict.fromkeys(w for w in words if len(w) > 1 or w.isdigit()))[:MAX_TERMS]


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


@dataclass(frozen=True)
class SearchResult:
    """One page of search results and the total number of matches."""

    items: list[QuestionView]
    total: int


def _filtered(query: str, competency: str, company: str, difficulty: str):
    terms = query_terms(query)
    conditions = [Question.search_text.like(like_contains(t), escape=LIKE_ESCAPE) for t in terms]
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
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> SearchResult:
    """Questions matching every word of ``query`` and the chosen filters, best first."""
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    terms, where = _filtered(query, competency, company, difficulty)
    total = session.exec(select(func.count()).select_from(Question).where(where)).one()
    order = [Question.id]
    if terms:
        in_text = and_(
            *[func.lower(Question.text).like(like_contains(t), escape=LIKE_ESCAPE) for t in terms]
        )
        order.insert(0, case((in_text, 0), else_=1))
    rows = session.exec(select(Question).where(where).order_by(*order).offset(offset).limit(limit))
    return SearchResult(items=_views(session, list(rows.all())), total=int(total))


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
        tags = [comp_names[s] for s in item.get("competencies", [])]
        tags += [co_names[s] for s in item.get("companies", [])]
        q.search_text = fold(" ".join([q.text, *tags, q.why_asked, q.strong_answer]))
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
