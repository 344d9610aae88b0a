"""The shared near-copy index (``answer_index``): stored in the database with the answer, in the
same transaction, gone with the answer, seen by every process, backfilled at start-up; on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from prepple.db import make_engine
from prepple.models import Answer, AnswerBand, AnswerSignature, utcnow
from prepple.services import accounts, answer_index, planner, sharing
from prepple.services.sharing import Target
from prepple.settings import PROJECT_ROOT
from tests.conftest import both_databases

ORIGINAL = (
    "Last spring I ran the front desk of a 120-room hotel in Leeds during a conference week "
    "with every room booked, and a family's connecting rooms flooded an hour before they "
    "arrived, so I called two partner hotels, held rooms, met the family in the lobby and "
    "offered our best suite with a rollaway bed and dinner for the kids."
)
COPY = ORIGINAL.replace("Leeds", "York")
OWN_WORDS = (
    "At the plant in Gdansk our packaging line jammed twice a shift for a month, so I logged "
    "every stop for two weeks, found that one worn guide rail caused most of them, replaced it "
    "with the supplier over a weekend and cut stops from eleven a week to one."
)
QID = 1


def save(session, user, text, *, qid=QID, commit=True):
    view, _ = planner.plan_save(
        session=session,
        user_id=user.id,
        question_id=qid,
        framework="STAR",
        sections={"situation": text},
    )
    if commit:
        session.commit()
    return view


def publish(session, user, answer_id):
    sharing.visibility_set(
        session=session,
        user_id=user.id,
        target=Target("answer", answer_id),
        visibility="public",
        confirmed=True,
    )
    session.commit()


def age(session, answer_id, days=1):
    row = session.get(Answer, answer_id)
    row.created_at = utcnow() - timedelta(days=days)
    session.add(row)
    session.commit()


def closest(session, user, text, own=None):
    answer_index.reset_limits()
    return answer_index.closest_other(
        session=session, text=text, user_id=user.id, own_answer_id=own
    )


def index_rows(session, answer_id):
    session.expire_all()  # the index is written with Core statements, not through the ORM
    sig = session.get(AnswerSignature, answer_id)
    keys = session.exec(select(AnswerBand.band_key).where(AnswerBand.answer_id == answer_id)).all()
    return sig, sorted(keys)


@both_databases
def test_a_save_indexes_the_answer_in_its_own_transaction(session, make_user):
    author = make_user()
    view = save(session, author, ORIGINAL, commit=False)
    session.rollback()  # the save failed later: nothing of it is indexed
    assert session.exec(select(func.count()).select_from(AnswerSignature)).one() == 0
    assert session.exec(select(func.count()).select_from(AnswerBand)).one() == 0
    view = save(session, author, ORIGINAL)
    sig, keys = index_rows(session, view.answer_id)
    assert sig.scheme == answer_index.SCHEME and len(sig.hashes) == 4 * 64
    expected = answer_index.hashes_of(ORIGINAL)
    assert keys == answer_index.band_keys(expected) and len(keys) == answer_index.BANDS


@both_databases
def test_a_copy_is_found_through_the_database_on_both_engines(session, make_user):
    author, copier = make_user(), make_user()
    original = save(session, author, ORIGINAL)
    publish(session, author, original.answer_id)
    age(session, original.answer_id)
    assert closest(session, copier, COPY) >= 0.5
    assert closest(session, copier, OWN_WORDS) is None
    copy = save(session, copier, COPY)
    assert closest(session, copier, COPY, own=copy.answer_id) >= 0.5
    # The earlier answer is the original: its author is never flagged, even after the copy
    # is made public too.
    publish(session, copier, copy.answer_id)
    assert closest(session, author, ORIGINAL, own=original.answer_id) is None


@both_databases
def test_changed_text_replaces_its_band_keys(session, make_user):
    author, copier = make_user(), make_user()
    view = save(session, author, ORIGINAL)
    publish(session, author, view.answer_id)
    age(session, view.answer_id)
    _, before = index_rows(session, view.answer_id)
    save(session, author, OWN_WORDS)
    sig, after = index_rows(session, view.answer_id)
    assert after == answer_index.band_keys(answer_index.hashes_of(OWN_WORDS))
    assert not set(before) & set(after)
    assert closest(session, copier, COPY) is None  # the old text is no longer there
    assert closest(session, copier, OWN_WORDS.replace("Gdansk", "Lodz")) >= 0.5
    # Too short to compare: the signature row says so and no band key is kept.
    save(session, author, "I fixed the printer.")
    sig, keys = index_rows(session, view.answer_id)
    assert sig.hashes is None and keys == []
    assert closest(session, copier, OWN_WORDS) is None


@both_databases
def test_the_index_dies_with_the_answer(session, make_user):
    author = make_user("gone@example.com")
    view = save(session, author, ORIGINAL)
    assert index_rows(session, view.answer_id)[1]
    accounts.user_delete(session=session, user_id=author.id, password="correct horse battery")
    session.commit()
    assert session.get(Answer, view.answer_id) is None
    assert index_rows(session, view.answer_id) == (None, [])


def test_restoring_a_version_reindexes_it(session, make_user):
    author, copier = make_user(), make_user()
    view = save(session, author, ORIGINAL)
    publish(session, author, view.answer_id)
    age(session, view.answer_id)
    number = planner.plan_snapshot(
        session=session, user_id=author.id, question_id=QID, reason="before rewrite"
    )
    save(session, author, OWN_WORDS)
    assert closest(session, copier, COPY) is None
    planner.plan_restore(session=session, user_id=author.id, question_id=QID, number=number)
    session.commit()
    assert closest(session, copier, COPY) >= 0.5


def test_imported_browser_plans_are_indexed(session, make_user):
    author = make_user()
    plans = {str(QID): {"framework": "STAR", "sections": {"situation": ORIGINAL}}}
    assert planner.plans_import(session=session, user_id=author.id, plans=plans) == 1
    session.commit()
    answer_id = session.exec(select(Answer.id).where(Answer.user_id == author.id)).one()
    assert index_rows(session, answer_id)[1]


def test_an_answer_saved_by_another_process_is_seen_at_once(session, make_user, db_url):
    """What Redis mode does: the answer is saved by another backend process; this process
    (whose previous look-ups found nothing) finds it on the next look-up."""
    author, copier = make_user(), make_user()
    assert closest(session, copier, COPY) is None
    script = (
        "import sys\n"
        "from prepple.db import session_scope\n"
        "from prepple.services import planner, sharing\n"
        "with session_scope() as db:\n"
        "    view, _ = planner.plan_save(session=db, user_id=int(sys.argv[1]), question_id=1,\n"
        "        framework='STAR', sections={'situation': sys.argv[2]})\n"
        "    sharing.visibility_set(session=db, user_id=int(sys.argv[1]),\n"
        "        target=sharing.Target('answer', view.answer_id), visibility='public',\n"
        "        confirmed=True)\n"
        "print(view.answer_id)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(author.id), ORIGINAL],
        cwd=PROJECT_ROOT,
        env={**__import__("os").environ, "PREPPLE_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer_id = int(done.stdout.strip().splitlines()[-1])
    age(session, answer_id)
    assert closest(session, copier, COPY) >= 0.5


@both_databases
def test_backfill_indexes_old_answers_once_and_recomputes_an_old_scheme(session, make_user, db_url):
    author, copier = make_user(), make_user()
    # Answers written before the index existed (straight into the table, as 0006 left them).
    rows = []
    for qid, text in ((1, ORIGINAL), (2, OWN_WORDS), (3, "Too short to compare.")):
        row = Answer(
            user_id=author.id,
            question_id=qid,
            framework="STAR",
            sections_json=json.dumps({"situation": text}),
            visibility="public",
            created_at=utcnow() - timedelta(days=3),
        )
        session.add(row)
        rows.append(row)
    session.commit()
    assert closest(session, copier, COPY) is None  # not indexed yet
    # A small batch size exercises the paging.
    assert answer_index.backfill(session=session, batch=2) == 3
    assert answer_index.backfill(session=session) == 0
    assert closest(session, copier, COPY) >= 0.5
    assert session.get(AnswerSignature, rows[2].id).hashes is None
    # A row of an older scheme (e.g. other permutations) is recomputed; a current one is left.
    old = session.get(AnswerSignature, rows[0].id)
    old.scheme, old.hashes = "w3-p32-old", b"\0" * 128
    session.add(old)
    session.commit()
    untouched = session.get(AnswerSignature, rows[1].id).hashes
    assert answer_index.backfill(session=session) == 1
    session.expire_all()
    assert session.get(AnswerSignature, rows[0].id).scheme == answer_index.SCHEME
    assert session.get(AnswerSignature, rows[1].id).hashes == untouched
    assert closest(session, copier, COPY) >= 0.5
    # Another process (its own engine) sees the same index.
    engine = make_engine(db_url)
    try:
        with Session(engine) as other:
            assert closest(other, copier, COPY) >= 0.5
    finally:
        engine.dispose()


def test_a_save_made_during_a_backfill_is_not_overwritten(session, make_user):
    """Backfill only fills missing (or old-scheme) rows: a row a save wrote is newer."""
    author = make_user()
    view = save(session, author, OWN_WORDS)
    before = index_rows(session, view.answer_id)
    # The backfill read the old text before the save committed, and writes afterwards.
    assert not answer_index._write(
        session, view.answer_id, answer_index.hashes_of(ORIGINAL), stale_only=True
    )
    session.commit()
    assert index_rows(session, view.answer_id) == before


def test_band_keys_are_stable_and_near_copies_share_one():
    a, b = answer_index.hashes_of(ORIGINAL), answer_index.hashes_of(COPY)
    assert answer_index.band_keys(a) == answer_index.band_keys(answer_index.hashes_of(ORIGINAL))
    assert set(answer_index.band_keys(a)) & set(answer_index.band_keys(b))
    c = answer_index.hashes_of(OWN_WORDS)
    assert not set(answer_index.band_keys(a)) & set(answer_index.band_keys(c))
    assert answer_index.hashes_of("Too short.") is None
    assert all(-(2**63) <= k < 2**63 for k in answer_index.band_keys(a))


@pytest.mark.parametrize("n_close", [answer_index.CANDIDATES + 3])
def test_many_close_private_answers_do_not_hide_nor_reveal(session, make_user, n_close):
    """Only readable answers count, however many unreadable ones are closer."""
    copier, reader = make_user(), make_user()
    authors = [make_user() for _ in range(n_close)]
    for i, author in enumerate(authors):
        view = save(session, author, COPY, qid=1 + i)
        age(session, view.answer_id)
    assert closest(session, copier, COPY) is None  # all private
    publish(
        session,
        authors[-1],
        session.exec(select(Answer.id).where(Answer.user_id == authors[-1].id)).one(),
    )
    assert closest(session, reader, COPY) == 1.0
