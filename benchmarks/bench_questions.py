"""Question bank search speed at 10,000 questions (SQLite, the embedded default).

Builds a temporary database with the bundled bank plus synthetic questions up to N, then times
the queries the questions page makes: first page, one- and several-word searches (ranked by
relevance), a typo, a later page, the saved list, filters, a random pick, and a detail page.
Prints p50/p95 in milliseconds; the vocabulary (typo correction, word weights) is built once
before timing, and its build time is printed too.

    python benchmarks/bench_questions.py [--n 10000] [--runs 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from prepple import migrate
from prepple.db import make_engine
from prepple.models import Company, Competency, Question, QuestionCompany, QuestionCompetency
from prepple.services import questions as qs

VERBS = [
    "led",
    "fixed",
    "negotiated",
    "shipped",
    "rescued",
    "simplified",
    "measured",
    "coached",
    "escalated",
    "automated",
    "migrated",
    "prioritised",
    "launched",
    "reorganised",
]
OBJECTS = [
    "a late project",
    "an angry customer",
    "a failing service",
    "a new hire",
    "a budget cut",
    "a vendor dispute",
    "a product launch",
    "a data migration",
    "a security incident",
    "a team conflict",
    "an unclear goal",
    "a tight deadline",
]


def build(path: Path, n: int) -> str:
    url = f"sqlite:///{path}"
    migrate.upgrade(database_url=url)
    engine = make_engine(url)
    rng = random.Random(42)
    with Session(engine) as session:
        qs.seed_bank(session=session, bank=qs.load_bank())
        session.commit()
        comp_ids = session.exec(select(Competency.id)).all()
        co_ids = session.exec(select(Company.id)).all()
        have = len(session.exec(select(Question.id)).all())
        for i in range(n - have):
            text = (
                f"Tell me about a time you {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                f"while working on project {i}."
            )
            q = Question(
                key=f"synthetic-{i}",
                text=text,
                why_asked="Synthetic.",
                strong_answer="Synthetic.",
                difficulty=rng.choice(qs.DIFFICULTIES),
                search_text=qs.fold(text),
            )
            session.add(q)
            if i % 500 == 0:
                session.flush()
        session.flush()
        ids = session.exec(select(Question.id).where(Question.key.like("synthetic-%"))).all()
        for qid in ids:
            for cid in rng.sample(comp_ids, 2):
                session.add(QuestionCompetency(question_id=qid, competency_id=cid))
            if rng.random() < 0.4:
                session.add(QuestionCompany(question_id=qid, company_id=rng.choice(co_ids)))
        session.commit()
    engine.dispose()
    return url


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        url = build(Path(tmp) / "bench.db", args.n)
        print(f"built {args.n} questions in {time.perf_counter() - t0:.1f}s")
        engine = make_engine(url)
        with Session(engine) as s:
            cases = {
                "first page (no filter)": lambda: qs.question_search(session=s),
                "search 'conflict'": lambda: qs.question_search(session=s, query="conflict"),
                "search 'customer deadline team'": lambda: qs.question_search(
                    session=s, query="customer deadline team"
                ),
                "search 'difficult stakeholder'": lambda: qs.question_search(
                    session=s, query="difficult stakeholder"
                ),
                "search 'tell me about yourself'": lambda: qs.question_search(
                    session=s, query="tell me about yourself"
                ),
                "search 'conflcit' (typo)": lambda: qs.question_search(session=s, query="conflcit"),
                "search 'why do you want to work here'": lambda: qs.question_search(
                    session=s, query="why do you want to work here"
                ),
                "search 'team' page 3": lambda: qs.question_search(
                    session=s, query="team", offset=40
                ),
                "saved list (50 ids) + 'customer'": lambda: qs.question_search(
                    session=s, query="customer", ids=list(range(1, 5000, 100))
                ),
                "competency=leadership": lambda: qs.question_search(
                    session=s, competency="leadership"
                ),
                "company=amazon + 'customer'": lambda: qs.question_search(
                    session=s, company="amazon", query="customer"
                ),
                "facets": lambda: qs.facets(session=s),
                "random question": lambda: qs.question_random(session=s),
                "detail + related": lambda: (
                    qs.question_get(session=s, question_id=17),
                    qs.question_related(session=s, question_id=17),
                ),
            }
            t1 = time.perf_counter()
            qs.question_search(session=s, query="warm up")  # builds the vocabulary once
            print(f"vocabulary built in {(time.perf_counter() - t1) * 1000:.0f} ms")
            print(f"{'query':40} {'p50 ms':>8} {'p95 ms':>8}")
            for name, fn in cases.items():
                p50, p95 = timed(fn, args.runs)
                print(f"{name:40} {p50:8.2f} {p95:8.2f}")
        engine.dispose()


if __name__ == "__main__":
    main()
