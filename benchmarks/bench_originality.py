"""The shared near-copy index (``services/answer_index.py``) at scale, on SQLite and PostgreSQL.

Builds a database with N planned answers (each made of 6-12 sentences drawn from the labelled
answer set, so phrasing overlaps as real answers do; a third public; plus a cluster of 2% near-
copies of one popular answer), then times:
- start-up backfill of all N answers (what a database upgraded from 0006 does once);
- indexing one answer on save (``index_answer``: signature, upsert, band keys);
- ``closest_other`` (what the planner asks on every edit; each run in a fresh session, as each
  request gets): a near-copy of a public answer (found), new text (the common case), a copy of
  a private answer (must find nothing) and a copy of the popular answer (many candidates).
Prints build time and p50/p95 in milliseconds.

    python benchmarks/bench_originality.py [--answers 10000] [--runs 300]
        [--postgres postgresql+psycopg://...]   # that database's schema is WIPED first
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, text
from sqlmodel import Session, select

from prepple import migrate
from prepple.db import make_engine
from prepple.models import Answer, AnswerBand, AnswerSignature, Question, User, utcnow
from prepple.services import answer_index, questions
from prepple.settings import PROJECT_ROOT

SENTENCES = [
    s["text"]
    for a in json.loads((PROJECT_ROOT / "tests/data/labeled_answers.json").read_text())
    for s in a["sentences"]
]


def _answer(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(6, 12)))


def _near_copy(rng: random.Random, text_: str) -> str:
    words = text_.split()
    for _ in range(max(1, len(words) // 40)):  # a word changed here and there
        words[rng.randrange(len(words))] = rng.choice(["team", "client", "project", "launch"])
    return " ".join(words)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def _fresh(url: str) -> None:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(database_url=url)
    engine = make_engine(url)
    with Session(engine) as session:
        questions.seed_bank(session=session, bank=questions.load_bank())
        session.commit()
    engine.dispose()


def build(session: Session, n: int, rng: random.Random) -> dict:
    qids = session.exec(select(Question.id).order_by(Question.id)).all()
    users = [
        User(email=f"u{i}@example.com", display_name=f"U{i}", password_hash="x" * 60)
        for i in range(n // len(qids) + 2)
    ]
    session.add_all(users)
    session.flush()
    popular = _answer(rng)
    old = utcnow() - timedelta(days=30)
    rows, texts = [], {}
    for i in range(n):
        user, qid = users[i // len(qids)], qids[i % len(qids)]
        body = _near_copy(rng, popular) if i % 50 == 0 else _answer(rng)
        rows.append(
            Answer(
                user_id=user.id,
                question_id=qid,
                framework="STAR",
                sections_json=json.dumps({"situation": body}),
                words=len(body.split()),
                visibility="public" if i % 3 == 0 or i % 50 == 0 else "private",
                created_at=old + timedelta(seconds=i),
            )
        )
        texts[i] = body
    session.add_all(rows)
    session.commit()
    public = next(r for i, r in enumerate(rows) if r.visibility == "public" and i % 50)
    private = next(r for r in rows if r.visibility == "private")
    return {
        "prober": users[-1].id,
        "public": json.loads(public.sections_json)["situation"],
        "private": json.loads(private.sections_json)["situation"],
        "popular": popular,
        "spare_answer": rows[-1].id,
    }


def run(url: str, n: int, runs: int) -> None:
    rng = random.Random(11)
    _fresh(url)
    engine = make_engine(url)
    with Session(engine) as session:
        t0 = time.perf_counter()
        data = build(session, n, rng)
        inserted = time.perf_counter() - t0
        t0 = time.perf_counter()
        indexed = answer_index.backfill(session=session)
        backfill = time.perf_counter() - t0
        bands = session.exec(select(func.count()).select_from(AnswerBand)).one()
        sigs = session.exec(select(func.count()).select_from(AnswerSignature)).one()
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"{kind}, {n:,} answers (rows inserted in {inserted:.1f} s): backfill indexed "
        f"{indexed:,} in {backfill:.2f} s ({backfill / max(indexed, 1) * 1000:.2f} ms each; "
        f"{sigs:,} signatures, {bands:,} band keys)"
    )
    assert indexed == n, "every answer is indexed once"

    samples = []
    for _ in range(runs // 3):
        body = _answer(rng)
        start = time.perf_counter()
        with Session(engine) as session:
            answer_index.index_answer(session=session, answer_id=data["spare_answer"], text=body)
            session.commit()
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = _percentiles(samples)
    print(f"  index one answer on save (own commit)   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")

    answer_index._limiter = answer_index.RateLimiter(((10**9, 60.0),))
    cases = (
        ("near-copy of a public answer", lambda: _near_copy(rng, data["public"]), True),
        ("new text (nothing close)", lambda: _answer(rng), False),
        ("copy of a private answer", lambda: _near_copy(rng, data["private"]), False),
        (f"copy of a popular answer ({n // 50} close)", lambda: data["popular"], True),
    )
    for label, make, expect in cases:
        samples, hits = [], 0
        for _ in range(runs):
            probe = make()
            start = time.perf_counter()
            with Session(engine) as session:
                found = answer_index.closest_other(
                    session=session, text=probe, user_id=data["prober"], own_answer_id=None
                )
            samples.append((time.perf_counter() - start) * 1000)
            hits += found is not None
        p50, p95 = _percentiles(samples)
        print(
            f"  closest_other: {label:34} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   "
            f"flagged {hits}/{runs}" + ("" if (hits > runs * 0.9) == expect else "  UNEXPECTED")
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL to use (wiped first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.answers, args.runs)
    if args.postgres:
        run(args.postgres, args.answers, args.runs)


if __name__ == "__main__":
    main()
