"""The practice schedule: building, budgets, priorities, spacing, rebalancing, the user's own
changes, ownership, validation and the calendar export. The clock is always ``TODAY``."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from random import Random

import icalendar
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import col, select

from prepple.models import (
    Answer,
    Company,
    Interview,
    PlanItem,
    QuestionCompany,
    Recording,
    SavedQuestion,
)
from prepple.services import accounts, schedule
from prepple.services.validation import InvalidInput

TODAY = date(2030, 3, 4)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Accounts here only own schedules; full-cost Argon2 would be most of this file's time."""
    hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(accounts, "_hasher", lambda: hasher)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _interview(session, user, *, days=10, company="Amazon", minutes=30, **kw):
    interview = schedule.interview_set(
        session=session,
        user_id=user.id,
        starts_at=_at(TODAY + timedelta(days=days)),
        company=company,
        minutes_per_day=minutes,
        today=kw.pop("today", TODAY),
        **kw,
    )
    session.commit()
    return interview


def _items(session, user, *, status=None):
    query = select(PlanItem).where(PlanItem.user_id == user.id)
    if status:
        query = query.where(PlanItem.status == status)
    return session.exec(query.order_by(col(PlanItem.due_on), col(PlanItem.position))).all()


def _minutes_by_day(items):
    used = defaultdict(int)
    for item in items:
        if item.status != "dropped":
            used[item.due_on] += item.minutes
    return used


def _company_ids(session, slug):
    return set(
        session.exec(
            select(QuestionCompany.question_id)
            .join(Company, col(Company.id) == col(QuestionCompany.company_id))
            .where(Company.slug == slug)
        ).all()
    )


def _answer(session, user, qid, *, status="complete", overall=85, day=TODAY):
    session.add(
        Answer(
            user_id=user.id, question_id=qid, status=status, overall=overall, updated_at=_at(day)
        )
    )


def _recording(session, user, qid, *, overall, day):
    session.add(
        Recording(
            user_id=user.id, question_id=qid, status="done", overall=overall, created_at=_at(day)
        )
    )


def test_plan_fits_the_budget_every_day_and_ends_with_a_light_review_day(session, make_user):
    user = make_user()
    _interview(session, user, days=10, minutes=30)
    items = _items(session, user)
    days = {i.due_on for i in items}
    last = (TODAY + timedelta(days=9)).isoformat()
    assert min(days) == TODAY.isoformat() and max(days) == last
    assert len(days) == 10, "every day before the interview has something to do"
    for day, minutes in _minutes_by_day(items).items():
        assert minutes <= (15 if day == last else 30), day
    assert {i.kind for i in items if i.due_on == last} == {"review"}
    assert sum(_minutes_by_day(items).values()) >= 9 * 30 * 0.75, "the budget is mostly used"
    assert all(i.minutes == schedule.MINUTES[i.kind] and not i.pinned for i in items)
    view = schedule.plan_view(session=session, user_id=user.id, today=TODAY)
    assert view.days_left == 10 and len(view.days) == 10 and view.total == len(items)
    assert all(d.minutes <= d.budget for d in view.days)
    assert view.days[-1].is_last and view.days[-1].budget == 15 and view.days[0].is_today


def test_plan_favours_the_interview_companys_questions(session, make_user):
    amazon, google = _company_ids(session, "amazon"), _company_ids(session, "google")
    ann, bob = make_user(), make_user()
    _interview(session, ann, days=20, company="Amazon Web Services")
    _interview(session, bob, days=20, company="google")
    ann_new = [i.question_id for i in _items(session, ann) if i.kind == "plan"]
    bob_new = [i.question_id for i in _items(session, bob) if i.kind == "plan"]
    assert len(ann_new) >= 15 and set(ann_new) <= amazon
    interview = session.exec(select(Interview).where(Interview.user_id == ann.id)).one()
    schedule.plan_build(
        session=session, user_id=ann.id, interview_id=interview.id, today=TODAY, rng=Random(7)
    )
    shuffled = [i.question_id for i in _items(session, ann) if i.kind == "plan"]
    assert len(shuffled) == len(ann_new) and set(shuffled) <= amazon
    # Google has only 9 tagged questions: all of them first, then common competencies.
    assert set(bob_new[:9]) == google and not set(bob_new[9:]) & google
    assert len(set(bob_new)) == len(bob_new)


def test_practice_list_comes_after_the_company_and_before_the_rest(session, make_user):
    user = make_user()
    amazon = _company_ids(session, "amazon")
    saved = [q for q in range(1, 256) if q not in amazon | _company_ids(session, "google")][:2]
    for n, qid in enumerate(saved):
        session.add(SavedQuestion(user_id=user.id, question_id=qid, created_at=_at(TODAY, 8 + n)))
    session.commit()
    _interview(session, user, days=30, minutes=30, company="")
    order = [i.question_id for i in _items(session, user) if i.kind == "plan"]
    assert order[:2] == saved[::-1], "the practice list, newest first, without a company"
    user2 = make_user()
    for qid in saved:
        session.add(SavedQuestion(user_id=user2.id, question_id=qid))
    session.commit()
    _interview(session, user2, days=12, minutes=60, company="Google")
    google = _company_ids(session, "google")
    order = [i.question_id for i in _items(session, user2) if i.kind == "plan"]
    assert set(order[: len(google)]) == google
    assert order[len(google) : len(google) + 2] == saved[::-1]


def test_unplanned_questions_are_planned_before_they_are_practised(session, make_user):
    user = make_user()
    amazon = sorted(_company_ids(session, "amazon"))
    _answer(session, user, amazon[0], status="draft")
    _answer(session, user, amazon[1], overall=90)  # planned, never recorded
    session.commit()
    _interview(session, user, days=14, minutes=30)
    by_q = defaultdict(dict)
    for item in _items(session, user):
        by_q[item.question_id].setdefault(item.kind, item.due_on)
    planned = [q for q, kinds in by_q.items() if "plan" in kinds]
    assert amazon[0] in planned and amazon[1] not in planned
    for qid in planned:
        assert by_q[qid]["practice"] > by_q[qid]["plan"], qid
    assert by_q[amazon[1]]["practice"] == TODAY.isoformat(), "planned work is practised first"


def test_weak_answers_come_back_as_reviews_with_growing_gaps(session, make_user):
    user = make_user()
    weak, strong, weak_plan = 201, 202, 203
    yesterday = TODAY - timedelta(days=1)
    _answer(session, user, weak, overall=88, day=yesterday - timedelta(days=3))
    _recording(session, user, weak, overall=80, day=yesterday - timedelta(days=2))
    _recording(session, user, weak, overall=40, day=yesterday)
    _answer(session, user, strong, overall=90, day=yesterday)
    _recording(session, user, strong, overall=85, day=yesterday)
    _recording(session, user, strong, overall=92, day=yesterday)
    _answer(session, user, weak_plan, overall=55, day=yesterday)
    _recording(session, user, weak_plan, overall=90, day=yesterday)
    _recording(session, user, weak_plan, overall=90, day=yesterday)
    session.commit()
    _interview(session, user, days=21, minutes=30, company="Amazon")
    items = _items(session, user)
    reviews = [i.due_on for i in items if i.question_id == weak and i.kind == "review"]
    last = (TODAY + timedelta(days=20)).isoformat()
    days = [date.fromisoformat(d) for d in reviews]
    assert [(d - yesterday).days for d in days] == [1, 3, 7, 14, 21]  # spaced, then the last day
    assert {i.kind for i in items if i.question_id in (weak, weak_plan)} == {"review"}
    assert [i.due_on for i in items if i.question_id == strong] == [last], "strong: one last look"
    assert [i.due_on for i in items if i.question_id == weak_plan][0] == TODAY.isoformat()


def test_a_done_review_moves_the_next_one_further_out(session, make_user):
    user = make_user()
    yesterday = TODAY - timedelta(days=1)
    _answer(session, user, 201, overall=50, day=yesterday)  # a weak plan, practised twice
    _recording(session, user, 201, overall=90, day=yesterday)
    _recording(session, user, 201, overall=90, day=yesterday)
    session.commit()
    interview = _interview(session, user, days=21, minutes=20, company="")
    first = next(i for i in _items(session, user) if i.question_id == 201 and i.kind == "review")
    assert first.due_on == TODAY.isoformat()
    schedule.item_done(session=session, user_id=user.id, item_id=first.id, today=TODAY)
    tomorrow = TODAY + timedelta(days=1)
    schedule.plan_build(session=session, user_id=user.id, interview_id=interview.id, today=tomorrow)
    session.commit()
    todo = [i.due_on for i in _items(session, user, status="todo") if i.question_id == 201]
    assert todo[0] == (TODAY + timedelta(days=2)).isoformat(), "second gap is two days"


def test_rebalance_rolls_missed_items_forward_within_the_budget(session, make_user):
    user = make_user()
    _interview(session, user, days=8, minutes=30)
    before = _items(session, user)
    pinned = next(i for i in before if i.due_on == (TODAY + timedelta(days=4)).isoformat())
    schedule.item_move(
        session=session, user_id=user.id, item_id=pinned.id, due_on=pinned.due_on, today=TODAY
    )
    session.commit()
    missed = {i.id for i in before if i.due_on < (TODAY + timedelta(days=2)).isoformat()}
    later = TODAY + timedelta(days=2)  # two days pass, nothing done
    result = schedule.plan_rebalance(session=session, user_id=user.id, today=later)
    session.commit()
    after = _items(session, user, status="todo")
    assert result.moved > 0 and all(i.due_on >= later.isoformat() for i in after)
    last = (TODAY + timedelta(days=7)).isoformat()
    for day, minutes in _minutes_by_day(after).items():
        assert minutes <= (15 if day == last else 30), day
    assert {i.kind for i in after if i.due_on == last} == {"review"}
    assert len(after) == len(before) - result.removed
    assert after[0].id in missed and after[0].due_on == later.isoformat(), "missed ones first"
    session.refresh(pinned)
    assert pinned.status == "todo" and pinned.due_on == (TODAY + timedelta(days=4)).isoformat()
    for qid in {i.question_id for i in after}:
        steps = {i.kind: i.due_on for i in after if i.question_id == qid and i.kind != "review"}
        if len(steps) == 2:
            assert steps["plan"] <= steps["practice"]


def test_moved_items_are_pinned_and_suggestions_make_room(session, make_user):
    user = make_user()
    interview = _interview(session, user, days=10, minutes=30)
    day3 = (TODAY + timedelta(days=3)).isoformat()
    item = next(i for i in _items(session, user) if i.kind == "plan" and i.due_on != day3)
    view = schedule.item_move(
        session=session, user_id=user.id, item_id=item.id, due_on=day3, today=TODAY
    )
    session.commit()
    assert view.pinned and view.due_on == day3
    assert _minutes_by_day(_items(session, user))[day3] <= 30
    done = next(i for i in _items(session, user) if i.due_on == TODAY.isoformat())
    schedule.item_done(session=session, user_id=user.id, item_id=done.id, today=TODAY)
    session.commit()
    schedule.plan_build(
        session=session,
        user_id=user.id,
        interview_id=interview.id,
        today=TODAY + timedelta(days=1),
    )
    session.commit()
    session.refresh(item)
    session.refresh(done)
    assert (item.due_on, item.pinned, item.status) == (day3, True, "todo")
    assert done.status == "done" and done.done_at is not None
    assert [i.id for i in _items(session, user) if i.question_id == item.question_id] == [item.id]
    # Unpinned suggestions never push a day over budget, even around the pinned item.
    assert all(m <= 30 for m in _minutes_by_day(_items(session, user, status="todo")).values())


def test_pinned_items_over_budget_push_suggestions_later(session, make_user):
    user = make_user()
    _interview(session, user, days=6, minutes=20)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for qid in (10, 11):
        schedule.item_add(
            session=session,
            user_id=user.id,
            question_id=qid,
            kind="plan",
            due_on=tomorrow,
            today=TODAY,
        )
    session.commit()
    on_day = [i for i in _items(session, user) if i.due_on == tomorrow]
    assert {(i.question_id, i.pinned) for i in on_day} == {(10, True), (11, True)}


def test_dropping_an_item_drops_its_question_from_the_suggestions(session, make_user):
    user = make_user()
    interview = _interview(session, user, days=10, minutes=30)
    plan = next(i for i in _items(session, user) if i.kind == "plan")
    schedule.item_drop(session=session, user_id=user.id, item_id=plan.id, today=TODAY)
    session.commit()
    assert {i.status for i in _items(session, user) if i.question_id == plan.question_id} == {
        "dropped"
    }
    schedule.plan_build(session=session, user_id=user.id, interview_id=interview.id, today=TODAY)
    session.commit()
    assert plan.question_id not in {i.question_id for i in _items(session, user, status="todo")}
    added = schedule.item_add(
        session=session,
        user_id=user.id,
        question_id=plan.question_id,
        kind="practice",
        due_on=(TODAY + timedelta(days=2)).isoformat(),
        today=TODAY,
    )
    session.commit()
    assert added.pinned and added.minutes == schedule.PRACTICE_MINUTES
    assert added.link == f"/practice/{plan.question_id}"


def test_another_users_items_cant_be_touched(session, make_user):
    owner, other = make_user(), make_user()
    _interview(session, owner)
    _interview(session, other)
    item = _items(session, owner)[0]
    snapshot = (item.due_on, item.status, item.pinned)
    calls = (
        lambda: schedule.item_move(
            session=session, user_id=other.id, item_id=item.id, due_on=TODAY, today=TODAY
        ),
        lambda: schedule.item_done(session=session, user_id=other.id, item_id=item.id, today=TODAY),
        lambda: schedule.item_drop(session=session, user_id=other.id, item_id=item.id, today=TODAY),
        lambda: schedule.item_done(session=session, user_id=other.id, item_id="x", today=TODAY),
    )
    for call in calls:
        with pytest.raises(schedule.ItemNotFound):
            call()
    session.refresh(item)
    assert (item.due_on, item.status, item.pinned) == snapshot


def test_interview_input_is_checked(session, make_user):
    user = make_user()
    cases = [
        ({"starts_at": _at(TODAY - timedelta(days=1))}, "starts_at"),
        ({"starts_at": _at(TODAY, 23)}, "starts_at"),  # today: no day left to prepare
        ({"starts_at": _at(TODAY + timedelta(days=366))}, "starts_at"),
        ({"starts_at": datetime(2030, 3, 9, 10)}, "starts_at"),  # naive
        ({"minutes_per_day": 4}, "minutes_per_day"),
        ({"minutes_per_day": 241}, "minutes_per_day"),
        ({"minutes_per_day": True}, "minutes_per_day"),
        ({"company": "x" * 121}, "company"),
        ({"role_title": "x" * 121}, "role_title"),
        ({"tz": "Mars/Olympus"}, "tz"),
    ]
    for change, field in cases:
        args = dict(starts_at=_at(TODAY + timedelta(days=5)), company="Amazon", minutes_per_day=20)
        args.update(change)
        with pytest.raises(InvalidInput) as err:
            schedule.interview_set(session=session, user_id=user.id, today=TODAY, **args)
        assert err.value.field == field, change
    assert session.exec(select(Interview).where(Interview.user_id == user.id)).all() == []
    ok = schedule.interview_set(
        session=session,
        user_id=user.id,
        starts_at=_at(TODAY + timedelta(days=365)),
        minutes_per_day="45",
        today=TODAY,
    )
    assert ok.minutes_per_day == 45 and ok.company == ""
    # Control characters are removed where text enters (validation.scrub), not refused.
    cleaned = schedule.interview_set(
        session=session, user_id=user.id, starts_at=_at(TODAY + timedelta(days=5)),
        company="Amazon\x00\u202e", today=TODAY,
    )
    assert cleaned.company == "Amazon"


def test_items_refuse_past_days_and_days_after_the_interview(session, make_user):
    user = make_user()
    _interview(session, user, days=5)
    item = _items(session, user)[0]
    for day in (TODAY - timedelta(days=1), TODAY + timedelta(days=5), "soon"):
        with pytest.raises(InvalidInput) as err:
            schedule.item_move(
                session=session, user_id=user.id, item_id=item.id, due_on=day, today=TODAY
            )
        assert err.value.field == "due_on"
    with pytest.raises(InvalidInput) as err:
        schedule.item_add(
            session=session, user_id=user.id, question_id=1, kind="nap", due_on=TODAY, today=TODAY
        )
    assert err.value.field == "kind"


def test_setting_the_interview_again_replaces_it_and_keeps_the_users_items(session, make_user):
    user = make_user()
    first = _interview(session, user, days=10, company="Amazon")
    kept = _items(session, user)[0]
    schedule.item_done(session=session, user_id=user.id, item_id=kept.id, today=TODAY)
    second = _interview(session, user, days=5, company="Google", minutes=20, role_title=" PM ")
    assert second.id == first.id and second.company == "Google" and second.role_title == "PM"
    assert len(session.exec(select(Interview).where(Interview.user_id == user.id)).all()) == 1
    session.refresh(kept)
    assert kept.status == "done"
    todo = _items(session, user, status="todo")
    assert max(i.due_on for i in todo) == (TODAY + timedelta(days=4)).isoformat()
    google = _company_ids(session, "google")
    assert {i.question_id for i in todo if i.kind == "plan"} <= google


def test_after_the_interview_leftover_items_are_dropped(session, make_user):
    user = make_user()
    _interview(session, user, days=3)
    assert _items(session, user, status="todo")
    after = TODAY + timedelta(days=3)
    schedule.plan_rebalance(session=session, user_id=user.id, today=after)
    session.commit()
    assert _items(session, user, status="todo") == []
    view = schedule.plan_view(session=session, user_id=user.id, today=after + timedelta(days=1))
    assert view.interview is None and view.days == []


def test_today_items_and_local_days(session, make_user):
    user = make_user()
    # 23:30 UTC on day 3 is already day 4 in Tokyo: the schedule runs one day longer there.
    schedule.interview_set(
        session=session,
        user_id=user.id,
        starts_at=datetime.combine(TODAY + timedelta(days=3), time(23, 30), tzinfo=UTC),
        company="Meta",
        today=TODAY,
        tz="Asia/Tokyo",
    )
    session.commit()
    view = schedule.plan_view(session=session, user_id=user.id, today=TODAY, tz="Asia/Tokyo")
    assert view.days_left == 4 and view.interview.day == (TODAY + timedelta(days=4)).isoformat()
    today = schedule.today_items(session=session, user_id=user.id, today=TODAY, tz="Asia/Tokyo")
    assert today and all(v.due_on == TODAY.isoformat() and v.question for v in today)
    assert sum(v.minutes for v in today) <= 20


def test_ics_has_one_all_day_event_per_day_and_the_interview(session, make_user):
    user = make_user()
    _interview(session, user, days=6, minutes=20, role_title="Engineering Manager")
    first = _items(session, user)[0]
    schedule.item_done(session=session, user_id=user.id, item_id=first.id, today=TODAY)
    session.commit()
    raw = schedule.plan_ics(session=session, user_id=user.id, today=TODAY, tz="Europe/London")
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    days = sorted({i.due_on for i in _items(session, user, status="todo")})
    all_day = [e for e in events if not isinstance(e.start, datetime)]
    assert [e.start.isoformat() for e in all_day] == days
    for event in all_day:
        todo = [
            i for i in _items(session, user, status="todo") if i.due_on == event.start.isoformat()
        ]
        assert event.end == event.start + timedelta(days=1)
        assert f"({sum(i.minutes for i in todo)} min)" in str(event["SUMMARY"])
        assert str(event["SUMMARY"]).startswith("Prepple: ")
        assert str(event["DESCRIPTION"]).count("\n") == len(todo) - 1
    (interview,) = [e for e in events if isinstance(e.start, datetime)]
    assert interview.start == _at(TODAY + timedelta(days=6))
    assert str(interview["SUMMARY"]) == "Interview: Engineering Manager at Amazon"
    assert interview.start.utcoffset() == timedelta(0)
    again = icalendar.Calendar.from_ical(
        schedule.plan_ics(session=session, user_id=user.id, today=TODAY, tz="Europe/London")
    )
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]
    assert len({str(e["UID"]) for e in events}) == len(events)
    stranger = make_user()
    empty = icalendar.Calendar.from_ical(
        schedule.plan_ics(session=session, user_id=stranger.id, today=TODAY)
    )
    assert list(empty.walk("VEVENT")) == []


def test_short_days_give_a_step_the_whole_day(session, make_user):
    user = make_user()
    _interview(session, user, days=6, minutes=10, company="Uber")
    items = _items(session, user)
    assert {(i.kind, i.minutes) for i in items} >= {("plan", 10), ("practice", 8), ("review", 5)}
    assert all(m <= 10 for m in _minutes_by_day(items).values())


def test_summary_wording():
    def item(kind):
        return PlanItem(
            user_id=1, question_id=1, kind=kind, due_on="2030-03-04", minutes=schedule.MINUTES[kind]
        )

    assert schedule._summary([item("practice")] * 3) == "Prepple: practise 3 questions (24 min)"
    assert (
        schedule._summary([item("plan"), item("review"), item("review")])
        == "Prepple: plan 1, review 2 questions (25 min)"
    )
