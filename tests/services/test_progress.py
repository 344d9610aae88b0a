"""The progress dashboard, from scored recordings and planned answers (controlled clock)."""

import json
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from prepple.models import Company, PlanItem, QuestionCompany, Recording
from prepple.services import planner, progress

TODAY = date(2026, 12, 10)  # a Thursday


def _attempt(
    session,
    user,
    qid,
    day: date,
    overall: int | None,
    tips=(),
    hour: int = 12,
    duration: float = 150.0,
    no_speech: bool = False,
    **scores,
):
    report = {
        "scores": {
            "structure": 60,
            "pace": 70,
            "fillers": 80,
            "pauses": 90,
            "length": 50,
            "listenability": 65,
            **scores,
        },
        "overall": overall,
        "tips": [{"severity": "medium", "message": "…", "kind": k} for k in tips],
        "no_speech": no_speech,
    }
    rec = Recording(
        user_id=user.id,
        question_id=qid,
        status="done",
        overall=overall,
        report_json=json.dumps(report),
        duration_seconds=duration,
        created_at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
    )
    session.add(rec)
    session.commit()
    return rec


def _amazon_questions(session, n=2):
    amazon = session.exec(select(Company).where(Company.slug == "amazon")).one()
    return session.exec(
        select(QuestionCompany.question_id).where(QuestionCompany.company_id == amazon.id).limit(n)
    ).all()


def test_an_empty_dashboard_says_so(session, make_user):
    dash = progress.dashboard(session=session, user_id=make_user().id, today=TODAY)
    assert dash.empty and dash.streak == 0 and dash.points == [] and len(dash.weeks) == 8
    assert all(w.attempts == 0 for w in dash.weeks)


def test_counts_streaks_and_scores_over_time(session, make_user):
    user = make_user()
    q1, q2 = _amazon_questions(session)
    planner.plan_save(
        session=session,
        user_id=user.id,
        question_id=q1,
        framework="STAR",
        sections={"situation": "Our launch slipped."},
        base_revision=0,
    )
    for days_ago, qid, overall in ((5, q1, 50), (2, q1, 60), (1, q2, 70), (0, q2, 80)):
        _attempt(session, user, qid, TODAY - timedelta(days=days_ago), overall)
    dash = progress.dashboard(session=session, user_id=user.id, today=TODAY)
    assert not dash.empty
    assert (dash.planned, dash.practised, dash.attempts) == (1, 2, 4)
    assert dash.streak == 3 and dash.best_streak == 3  # days 2, 1, 0 in a row
    assert [p.overall for p in dash.points] == [50, 60, 70, 80]
    assert dash.points[-1].day == TODAY.isoformat() and dash.points[-1].structure == 60
    assert dash.points[-1].listenability == 65
    assert dash.weeks[-1].attempts == 3 and dash.weeks[-2].attempts == 1  # this week: Mon-Thu
    amazon = next(c for c in dash.companies if c.slug == "amazon")
    assert amazon.questions == 2 and amazon.average == 70  # latest of q1 (60) and q2 (80)


def test_a_streak_survives_until_the_end_of_today(session, make_user):
    user = make_user()
    qid = _amazon_questions(session, 1)[0]
    _attempt(session, user, qid, TODAY - timedelta(days=1), 60)
    _attempt(session, user, qid, TODAY - timedelta(days=2), 60)
    assert progress.dashboard(session=session, user_id=user.id, today=TODAY).streak == 2
    later = TODAY + timedelta(days=2)
    assert progress.dashboard(session=session, user_id=user.id, today=later).streak == 0


def test_done_schedule_items_count_towards_the_streak(session, make_user):
    user = make_user()
    qid = _amazon_questions(session, 1)[0]
    session.add(
        PlanItem(
            user_id=user.id,
            question_id=qid,
            kind="plan",
            due_on=TODAY.isoformat(),
            status="done",
            done_at=datetime(2026, 12, 10, 9, tzinfo=UTC),
        )
    )
    session.commit()
    assert progress.dashboard(session=session, user_id=user.id, today=TODAY).streak == 1


def test_days_are_the_users_local_days(session, make_user):
    user = make_user()
    qid = _amazon_questions(session, 1)[0]
    # 23:00 UTC on the 9th is already the 10th in Auckland (UTC+13).
    _attempt(session, user, qid, TODAY - timedelta(days=1), 60, hour=23)
    dash = progress.dashboard(
        session=session, user_id=user.id, today=TODAY, utc_offset=timedelta(hours=13)
    )
    assert dash.points[0].day == TODAY.isoformat()


def test_feedback_that_keeps_coming_back_and_feedback_that_went_away(session, make_user):
    user = make_user()
    qid = _amazon_questions(session, 1)[0]
    history = [("fillers", "length"), ("fillers", "length"), ("fillers",), ("pace",), ("pace",)]
    for i, tips in enumerate(history):
        _attempt(session, user, qid, TODAY - timedelta(days=len(history) - i), 60, tips=tips)
    dash = progress.dashboard(session=session, user_id=user.id, today=TODAY)
    assert [t.kind for t in dash.recurring] == ["pace"]
    assert dash.recurring[0].label == "Pace" and dash.recurring[0].recent == 2
    assert {t.kind for t in dash.resolved} == {"length"}  # fillers is still in the latest three


def test_scores_over_time_for_one_company_or_competency(session, make_user):
    user = make_user()
    amazon_q = _amazon_questions(session, 1)[0]
    other_q = session.exec(
        select(QuestionCompany.question_id).where(
            QuestionCompany.question_id.not_in(
                select(QuestionCompany.question_id).where(
                    QuestionCompany.company_id
                    == select(Company.id).where(Company.slug == "amazon").scalar_subquery()
                )
            )
        )
    ).first()
    _attempt(session, user, amazon_q, TODAY - timedelta(days=1), 55)
    _attempt(session, user, other_q, TODAY, 75)
    everything = progress.dashboard(session=session, user_id=user.id, today=TODAY)
    amazon = progress.dashboard(session=session, user_id=user.id, today=TODAY, company="amazon")
    assert [p.overall for p in everything.points] == [55, 75]
    assert [p.overall for p in amazon.points] == [55]
    assert amazon.attempts == 2  # the counts stay for all questions
    nothing = progress.dashboard(session=session, user_id=user.id, today=TODAY, competency="x")
    assert nothing.points == []


def test_silent_and_empty_takes_are_kept_but_are_not_practice(session, make_user):
    """A take in which no words were heard, or one under a second, is not practice: it counts
    in no figure (attempts, questions, weeks, streak, scores), though the row stays."""
    user = make_user()
    q1, q2 = _amazon_questions(session)
    _attempt(session, user, q1, TODAY - timedelta(days=1), 70)
    silent = _attempt(session, user, q2, TODAY, None, no_speech=True, duration=95.0)
    stopped = _attempt(session, user, q2, TODAY, 40, duration=0.4)
    dash = progress.dashboard(session=session, user_id=user.id, today=TODAY)
    assert (dash.attempts, dash.practised) == (1, 1)
    assert dash.streak == 1 and [p.overall for p in dash.points] == [70]
    assert sum(w.attempts for w in dash.weeks) == 1
    assert all(c.average == 70 for c in dash.companies)
    assert session.get(Recording, silent.id) and session.get(Recording, stopped.id)
    # Only silence: nothing practised yet.
    other = make_user()
    _attempt(session, other, q1, TODAY, None, no_speech=True)
    dash = progress.dashboard(session=session, user_id=other.id, today=TODAY)
    assert dash.empty and dash.attempts == 0 and dash.streak == 0
