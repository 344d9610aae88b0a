"""Sharing at scale (SQLite, the embedded default): how long the checks on every request take.

Builds a temporary database with U users, each with a finished recording shared by invitation
and by link (plus a few public ones per question), then times:
- ``access()`` for the owner, an invitee without a key (the inbox lookup), a link holder and a
  stranger (refused): the check every shared page event and every media range request makes;
- ``media_for_token()``: the whole media-route decision;
- ``resume_public()`` for a 12-answer resume (the public page's one query set);
- ``public_answers()`` and ``near_copy_warning()`` on a question with P public answers.
Prints p50/p95 in milliseconds.

    python benchmarks/bench_sharing.py [--users 2000] [--public 200] [--runs 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from prepple import migrate
from prepple.db import make_engine
from prepple.models import Question, Recording, User
from prepple.services import accounts, community, recordings, resumes, sharing
from prepple.services.sharing import Target, Viewer

WORDS = (
    "led migrated negotiated shipped team budget customer deadline outage launch metric "
    "stakeholder roadmap hiring mentoring conflict vendor latency revenue churn"
).split()


def _text(rng: random.Random, n: int = 80) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


def _time(engine, fn, runs: int) -> tuple[float, float]:
    """Each run in a fresh session, as each request gets (no identity-map cache)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        with Session(engine) as db:
            fn(db)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def build(session: Session, users: int, public: int, rng: random.Random) -> dict:
    qids = session.exec(select(Question.id).order_by(Question.id)).all()
    people = []
    for i in range(users):
        user = User(email=f"u{i}@example.com", display_name=f"User {i}", password_hash="x" * 60)
        session.add(user)
        people.append(user)
    session.flush()
    recs = []
    for i, user in enumerate(people):
        rec = Recording(
            user_id=user.id,
            question_id=qids[0] if i < public else rng.choice(qids),
            status="done",
            media_key=f"bench/{i}.webm",
            mime="video/webm",
            has_video=True,
            duration_seconds=120.0,
            transcript_json=json.dumps({"text": _text(rng)}),
            report_json="{}",
            visibility="public" if i < public else "private",
        )
        session.add(rec)
        recs.append(rec)
    session.flush()
    links = []
    for i, rec in enumerate(recs):
        invitee = people[(i + 1) % users].email
        shares, _ = sharing.share_create(
            session=session,
            owner_id=rec.user_id,
            targets=[Target("recording", rec.id)],
            emails=[invitee],
            link=True,
        )
        links.append(next(s for s in shares if not s.invitee_email))
    session.commit()
    owner = people[users // 2]
    mine = [r for r in recs if r.user_id == owner.id]
    resume = resumes.resume_create(session=session, owner_id=owner.id, title="Bench resume")
    extra = []
    for _ in range(11):
        rec = Recording(
            user_id=owner.id,
            question_id=rng.choice(qids),
            status="done",
            media_key="bench/extra.webm",
            mime="video/webm",
            duration_seconds=90.0,
            transcript_json=json.dumps({"text": _text(rng, 300)}),
        )
        session.add(rec)
        extra.append(rec)
    session.flush()
    resumes.resume_set_items(
        session=session,
        owner_id=owner.id,
        resume_id=resume.id,
        recording_ids=[mine[0].id, *[r.id for r in extra]],
    )
    resumes.resume_publish(session=session, owner_id=owner.id, resume_id=resume.id, publish=True)
    session.commit()
    k = users // 2
    return {
        "rec": recs[k],
        "owner": people[k],
        "invitee": people[(k + 1) % users],
        "stranger": people[(k + 7) % users],
        "link": sharing.share_key(links[k]),
        "resume": resume,
        "qid": qids[0],
        "public_rec": recs[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--public", type=int, default=200)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["PREPPLE_DATABASE_URL"] = url
        os.environ["PREPPLE_DATA_DIR"] = tmp
        migrate.upgrade(database_url=url)
        from prepple.services import questions as qs

        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            qs.seed_bank(session=session, bank=qs.load_bank())
            session.commit()
            started = time.perf_counter()
            w = build(session, args.users, args.public, rng)
            print(
                f"built {args.users} users, {args.users} recordings, {2 * args.users} shares "
                f"in {time.perf_counter() - started:.1f} s"
            )
            target = Target("recording", w["rec"].id)
            owner = Viewer(w["owner"].id, w["owner"].email)
            invitee = Viewer(w["invitee"].id, w["invitee"].email)
            stranger = Viewer(w["stranger"].id, w["stranger"].email)
            owner_login = accounts.session_create(session=session, user=w["owner"])
            session.commit()
            holder = accounts.session_lookup(session=session, token=owner_login)[1]
            token_owner = recordings.media_token(w["rec"].id, holder)
            token_link = recordings.media_token(w["rec"].id, None, w["link"])

            def refused(db: Session) -> None:
                try:
                    sharing.access(session=db, viewer=stranger, target=target)
                except sharing.ShareError:
                    return
                raise AssertionError("a stranger was let in")

            cases = {
                "access: owner": lambda db: sharing.access(session=db, viewer=owner, target=target),
                "access: invitee, no key (inbox lookup)": lambda db: sharing.access(
                    session=db, viewer=invitee, target=target
                ),
                "access: link holder (visitor)": lambda db: sharing.access(
                    session=db, viewer=sharing.VISITOR, target=target, key=w["link"]
                ),
                "access: stranger (refused)": refused,
                "media route decision: owner": lambda db: recordings.media_for_token(
                    session=db, token=token_owner, recording_id=w["rec"].id
                ),
                "media route decision: link holder": lambda db: recordings.media_for_token(
                    session=db, token=token_link, recording_id=w["rec"].id
                ),
                "public resume (12 answers)": lambda db: resumes.resume_public(
                    session=db, slug=w["resume"].slug, count_view=False
                ),
                f"community list ({args.public} public answers)": lambda db: (
                    community.public_answers(session=db, viewer=invitee, question_id=w["qid"])
                ),
                f"near-copy check ({args.public} public answers)": lambda db: (
                    community.near_copy_warning(
                        session=db, row=db.get(Recording, w["public_rec"].id)
                    )
                ),
            }
            print(f"{'case':48} {'p50 ms':>8} {'p95 ms':>8}")
            for name, fn in cases.items():
                runs = args.runs if "near-copy" not in name and "community" not in name else 30
                p50, p95 = _time(engine, fn, runs)
                print(f"{name:48} {p50:8.2f} {p95:8.2f}")
        engine.dispose()


if __name__ == "__main__":
    main()
