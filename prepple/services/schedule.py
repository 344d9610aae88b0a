"""The practice schedule: a day-by-day plan from today to the interview.

The user names one upcoming interview (date, company, minutes a day). :func:`plan_build`
proposes :class:`~prepple.models.PlanItem` rows, each one step on one question:

* ``plan`` (15 min) a question without a complete answer (none yet, or a draft);
* ``practice`` (8 min) record an attempt: after planning (on a later day), or when a complete
  answer has fewer than two finished recordings;
* ``review`` (5 min) re-read the plan and the feedback. Weak answers (a plan score or the last
  delivery score under 75, the planner's "green") come back 1, 3, 7, 14 and 30 days after the
  last attempt (a done review counts as a step: the next one follows it by the next gap); a new
  question gets a check-in review 3 days after its practice when a day has minutes to spare;
  the last day before the interview holds one final review per question, as many as fit.

Questions are taken in this order: first answers already planned that need practice or a
review (from the company's questions, the practice list, then any), then the interview
company's questions (matched by slug or name), the practice list, other questions the user has
worked on, and last the most common competencies (weighted towards the company's), one question
per competency in turn. Within each group: weak answers, answers to practise, drafts, new ones,
then more common competencies first. A new question is only taken when both its plan and its
practice fit.

Days never go over the minutes per day through suggestions (on a budget shorter than a step,
the step takes the whole day); the last day is lighter (reviews only, at most half the budget)
unless it is the only day. The user's own choices are kept: items they added or moved are
*pinned* to their day, done items stay where they are, and rebuilding only replaces unpinned
items still to do. :func:`plan_rebalance` rolls overdue items forward into the first days with
room (the UI calls it on load, so a missed day catches up); a suggestion that no longer fits
before the interview is removed, an item the user added is marked dropped, and so are items
left over once an interview is past. Nothing here commits: callers commit.

Days are the user's local calendar days (``due_on`` is ISO text). Every function takes
``today`` so tests control the clock, and an optional ``tz`` (IANA name) that defaults to the
time zone in the user's reminder preferences, else UTC.
"""

from __future__ import annotations

import hashlib
import random
import re
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar
from sqlmodel import Session, col, select

from prepple import routes
from prepple.models import (
    Answer,
    Company,
    Interview,
    PlanItem,
    Question,
    QuestionCompany,
    QuestionCompetency,
    Recording,
    ReminderPrefs,
    SavedQuestion,
    utcnow,
)
from prepple.services.questions import fold
from prepple.services.rules import STRONG_SCORE
from prepple.services.validation import InvalidInput, clean_text

KINDS = ("plan", "practice", "review")
KIND_LABELS = {"plan": "Plan", "practice": "Practise", "review": "Review"}
PLAN_MINUTES = 15
PRACTICE_MINUTES = 8
REVIEW_MINUTES = 5
MINUTES = {"plan": PLAN_MINUTES, "practice": PRACTICE_MINUTES, "review": REVIEW_MINUTES}
MINUTES_PER_DAY_MIN = 5
MINUTES_PER_DAY_MAX = 240
MAX_DAYS_AHEAD = 365
#: Finished recordings a planned answer should have before it only needs reviews.
PRACTICE_TARGET = 2
#: Days between a weak answer's attempt and its reviews: due 1, 3, 7, 14, 30 days after it.
REVIEW_GAPS = (1, 2, 4, 7, 16)
#: Days from a new question's first practice to its check-in review (when there's room).
CHECK_IN_DAYS = 3
#: A day holds at most this many items, whatever the user adds.
MAX_ITEMS_PER_DAY = 30
_INTERVIEW_MINUTES = 60  # the interview's calendar event length (its real length is unknown)


class ItemNotFound(InvalidInput):
    """No such plan item for this user (also for another user's item: existence isn't told)."""

    status = 404

    def __init__(self) -> None:
        super().__init__("item", "That item isn't in your plan any more.")


# --- views ------------------------------------------------------------------------------------


@dataclass
class ItemView:
    """One plan item as the UI shows it."""

    id: int
    question_id: int
    question: str
    kind: str
    kind_label: str
    due_on: str
    minutes: int
    status: str
    pinned: bool
    overdue: bool
    link: str


@dataclass
class DayView:
    """One day of the schedule: its items and minutes used (to do and done) vs. budget."""

    day: str
    label: str
    items: list[ItemView]
    minutes: int
    budget: int
    is_today: bool
    is_last: bool


@dataclass
class InterviewView:
    """The interview the schedule counts down to; ``day`` is the user's local day."""

    id: int
    company: str
    role_title: str
    starts_at: str
    day: str
    minutes_per_day: int
    days_left: int


@dataclass
class ScheduleView:
    """The whole schedule: every day from today to the day before the interview (empty days
    included), and done/total counts over the schedule's items (done ones from earlier days
    too). ``interview`` is ``None`` when the user has no upcoming interview."""

    interview: InterviewView | None
    days: list[DayView]
    done: int
    total: int
    days_left: int


@dataclass
class Rebalance:
    """What :func:`plan_rebalance` did: items moved to another day, items that no longer fit."""

    moved: int = 0
    removed: int = 0


# --- time zones, days, the window -------------------------------------------------------------


def _zone(session: Session, user_id: int, tz: str | None) -> zoneinfo.ZoneInfo:
    if tz:
        try:
            return zoneinfo.ZoneInfo(str(tz))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput("tz", "Unknown time zone.") from exc
    prefs = session.get(ReminderPrefs, user_id)
    if prefs is not None:
        try:
            return zoneinfo.ZoneInfo(prefs.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zoneinfo.ZoneInfo("UTC")


def _local_day(moment: datetime | None, zone: zoneinfo.ZoneInfo) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back what was stored; be safe
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def interview_day(interview: Interview, zone: zoneinfo.ZoneInfo) -> date:
    """The interview's day in the user's calendar."""
    day = _local_day(interview.starts_at, zone)
    assert day is not None
    return day


def _parse_day(value: object, *, field: str = "due_on") -> date:
    if isinstance(value, datetime):
        raise InvalidInput(field, "Pick a day, not a time.")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(field, "Pick a day like 2026-12-03.")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@dataclass
class _Window:
    """The days to prepare on: today to the day before the interview."""

    first: date
    last: date
    budget: int

    @property
    def light_last(self) -> bool:
        return self.last > self.first

    def cap(self, day: date) -> int:
        if day == self.last and self.light_last:
            return max(REVIEW_MINUTES, self.budget // 2)
        return self.budget

    def cost(self, kind: str) -> int:
        """A step's minutes; on a budget shorter than the step, the step is the whole day."""
        return min(MINUTES[kind], self.budget)

    def allows(self, day: date, kind: str) -> bool:
        if not self.first <= day <= self.last:
            return False
        return kind == "review" or not (day == self.last and self.light_last)


def _window(interview: Interview, today: date, zone: zoneinfo.ZoneInfo) -> _Window | None:
    last = interview_day(interview, zone) - timedelta(days=1)
    if last < today:
        return None
    return _Window(first=today, last=last, budget=interview.minutes_per_day)


def _earliest(
    window: _Window, used: dict[date, int], start: date, kind: str, minutes: int | None = None
) -> date | None:
    """The first day from ``start`` that allows ``kind`` and has room for it."""
    day = max(start, window.first)
    need = window.cost(kind) if minutes is None else minutes
    while day <= window.last:
        if window.allows(day, kind) and used[day] + need <= window.cap(day):
            return day
        day += timedelta(days=1)
    return None


# --- the interview ----------------------------------------------------------------------------


def interview_current(
    *, session: Session, user_id: int, today: date, tz: str | None = None
) -> Interview | None:
    """The user's upcoming interview (its day is today or later), or ``None``."""
    zone = _zone(session, user_id, tz)
    rows = session.exec(
        select(Interview).where(Interview.user_id == user_id).order_by(col(Interview.id))
    ).all()
    upcoming = [r for r in rows if interview_day(r, zone) >= today]
    return min(upcoming, key=lambda r: (r.starts_at, r.id)) if upcoming else None


def _clean_minutes(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("minutes_per_day", "Minutes a day must be a whole number.")
    if not MINUTES_PER_DAY_MIN <= value <= MINUTES_PER_DAY_MAX:
        raise InvalidInput(
            "minutes_per_day",
            f"Pick between {MINUTES_PER_DAY_MIN} and {MINUTES_PER_DAY_MAX} minutes a day.",
        )
    return value


def interview_set(
    *,
    session: Session,
    user_id: int,
    starts_at: datetime,
    company: object = "",
    role_title: object = "",
    minutes_per_day: object = 20,
    today: date,
    tz: str | None = None,
) -> Interview:
    """Create the user's upcoming interview, or replace it (one upcoming interview per user),
    then build the schedule for it.

    ``starts_at`` is an aware datetime; its local day must be after ``today`` and at most a
    year away. Replacing keeps the interview's id, so pinned and done items stay with it.
    Raises :class:`InvalidInput` naming the field."""
    zone = _zone(session, user_id, tz)
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        raise InvalidInput("starts_at", "Pick the interview's date and time.")
    day = starts_at.astimezone(zone).date()
    if day <= today:
        raise InvalidInput("starts_at", "The interview must be after today.")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput("starts_at", "Pick a date within the next year.")
    company_text = re.sub(
        r"\s+",
        " ",
        clean_text(company, field="company", label="Company", max_len=80, required=False),
    )
    role_text = re.sub(
        r"\s+",
        " ",
        clean_text(role_title, field="role_title", label="Role", max_len=120, required=False),
    )
    minutes = _clean_minutes(minutes_per_day)
    interview = interview_current(session=session, user_id=user_id, today=today, tz=tz)
    if interview is None:
        interview = Interview(user_id=user_id, starts_at=starts_at, created_at=utcnow())
    interview.starts_at = starts_at.astimezone(UTC)
    interview.company = company_text
    interview.role_title = role_text
    interview.minutes_per_day = minutes
    session.add(interview)
    session.flush()
    plan_build(session=session, user_id=user_id, interview_id=interview.id, today=today, tz=tz)
    return interview


def company_match(*, session: Session, text: str) -> Company | None:
    """The known company an interview's free-text company names ("Amazon Web Services" ->
    Amazon): its slug or name as whole words, longest name first."""
    folded = fold(text or "")
    if not folded:
        return None
    companies = sorted(session.exec(select(Company)).all(), key=lambda c: -len(c.name))
    for company in companies:
        for name in (fold(company.name), company.slug.replace("-", " ")):
            if name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
                return company
    return None


# --- what the user has done, per question -----------------------------------------------------


@dataclass
class _Progress:
    planned: bool = False  # a complete answer, or a plan item marked done
    started: bool = False  # a draft
    plan_score: int | None = None
    recordings: int = 0
    last_delivery: int | None = None
    last_attempt: date | None = None
    reviews_since: int = 0  # reviews done since the last attempt
    last_activity: date | None = None

    @property
    def weak(self) -> bool:
        weak_plan = self.plan_score is not None and self.plan_score < STRONG_SCORE
        weak_delivery = self.last_delivery is not None and self.last_delivery < STRONG_SCORE
        return weak_plan or weak_delivery

    @property
    def needs_practice(self) -> bool:
        return not self.planned or self.recordings < PRACTICE_TARGET

    @property
    def stage(self) -> int:
        """Work in progress first: weak, to practise, drafts, new, then strong and practised."""
        if self.planned and self.weak:
            return 0
        if self.planned and self.needs_practice:
            return 1
        if self.started:
            return 2
        if not self.planned:
            return 3
        return 4


def _progress(
    session: Session, user_id: int, items: list[PlanItem], zone: zoneinfo.ZoneInfo
) -> dict[int, _Progress]:
    out: dict[int, _Progress] = defaultdict(_Progress)
    for answer in session.exec(select(Answer).where(Answer.user_id == user_id)).all():
        p = out[answer.question_id]
        if answer.status == "complete":
            p.planned = True
            p.plan_score = answer.overall
            p.last_attempt = _local_day(answer.updated_at, zone)
        else:
            p.started = True
    recordings = session.exec(
        select(Recording)
        .where(Recording.user_id == user_id, Recording.status == "done")
        .order_by(col(Recording.created_at), col(Recording.id))
    ).all()
    for rec in recordings:
        p = out[rec.question_id]
        p.recordings += 1
        if rec.overall is not None:
            p.last_delivery = rec.overall
        day = _local_day(rec.created_at, zone)
        p.last_attempt = max(filter(None, (p.last_attempt, day)))
    # A done item's day is its due day: marking an item done moves it to that day.
    done = sorted((i for i in items if i.status == "done"), key=lambda i: (i.due_on, i.position))
    practised: Counter[int] = Counter()
    for item in done:
        p = out[item.question_id]
        day = date.fromisoformat(item.due_on)
        if item.kind == "plan":
            p.planned = True
        elif item.kind == "practice":
            practised[item.question_id] += 1
            p.recordings = max(p.recordings, practised[item.question_id])
            p.last_attempt = max(filter(None, (p.last_attempt, day)))
    for p in out.values():
        p.last_activity = p.last_attempt
    for item in done:
        if item.kind != "review":
            continue
        p = out[item.question_id]
        day = date.fromisoformat(item.due_on)
        if p.last_attempt is None or day >= p.last_attempt:
            p.reviews_since += 1
            p.last_activity = max(filter(None, (p.last_activity, day)))
    return out


# --- choosing questions -----------------------------------------------------------------------


def _candidates(
    session: Session,
    user_id: int,
    interview: Interview,
    progress: dict[int, _Progress],
    excluded: set[int],
    rng: random.Random | None,
) -> tuple[list[int], set[int]]:
    """Question ids in the order to take them, and the ids of the first three groups (the
    company's, the practice list, the user's own work)."""
    links = session.exec(
        select(QuestionCompetency.question_id, QuestionCompetency.competency_id)
    ).all()
    comps: dict[int, list[int]] = defaultdict(list)
    for qid, cid in links:
        comps[qid].append(cid)
    company = company_match(session=session, text=interview.company)
    company_ids: list[int] = []
    if company is not None:
        company_ids = list(
            session.exec(
                select(QuestionCompany.question_id)
                .where(QuestionCompany.company_id == company.id)
                .order_by(col(QuestionCompany.question_id))
            ).all()
        )
    weight: Counter[int] = Counter(cid for _, cid in links)
    for qid in company_ids:
        for cid in comps[qid]:
            weight[cid] += 3
    score = {qid: sum(weight[c] for c in cs) for qid, cs in comps.items()}
    tie = {qid: rng.random() for qid in comps} if rng else {}

    def key(qid: int) -> tuple:
        p = progress.get(qid) or _Progress()
        return (p.stage, -score.get(qid, 0), tie.get(qid, qid))

    saved = list(
        session.exec(
            select(SavedQuestion.question_id)
            .where(SavedQuestion.user_id == user_id)
            .order_by(col(SavedQuestion.created_at).desc(), col(SavedQuestion.question_id))
        ).all()
    )
    saved_rank = {qid: i for i, qid in enumerate(saved)}
    own = [qid for qid in progress if qid in comps]
    order: list[int] = []
    seen = set(excluded)

    def take(ids: list[int]) -> None:
        for qid in ids:
            if qid not in seen and qid in comps:
                seen.add(qid)
                order.append(qid)

    def saved_key(qid: int) -> tuple:
        return ((progress.get(qid) or _Progress()).stage, saved_rank[qid])

    def planned(ids: list[int]) -> list[int]:
        # Answers already planned that need practice or a review: cheap and worth the most.
        return [q for q in ids if (progress.get(q) or _Progress()).stage <= 1]

    groups = (sorted(company_ids, key=key), sorted(saved, key=saved_key), sorted(own, key=key))
    for ids in groups:
        take(planned(ids))
    for ids in groups:
        take(ids)
    chosen = set(order)
    # Then the most common competencies, one question each in turn.
    by_comp: dict[int, list[int]] = defaultdict(list)
    for qid in sorted(comps, key=key):
        for cid in comps[qid]:
            by_comp[cid].append(qid)
    ranked = sorted(by_comp, key=lambda c: (-weight[c], c))
    while any(by_comp[c] for c in ranked):
        for cid in ranked:
            while by_comp[cid]:
                qid = by_comp[cid].pop(0)
                if qid not in seen:
                    take([qid])
                    break
    return order, chosen


def _place(
    p: _Progress, window: _Window, used: dict[date, int], today: date
) -> list[tuple[str, date]] | None:
    """The steps for one question, placed on days with room; ``None`` if its first steps
    (plan and practice, or the first review) don't fit. Doesn't touch ``used``."""
    trial: dict[date, int] = defaultdict(int, used)
    steps: list[tuple[str, date]] = []

    def room(day: date, kind: str) -> bool:
        return window.allows(day, kind) and trial[day] + window.cost(kind) <= window.cap(day)

    def find(start: date, kind: str) -> date | None:
        return _earliest(window, trial, start, kind)

    def put(kind: str, day: date) -> None:
        trial[day] += window.cost(kind)
        steps.append((kind, day))

    last: date | None = None
    if not p.planned:
        day = find(window.first, "plan")
        if day is None:
            return None
        put("plan", day)
        last = day
    if p.needs_practice:
        start = last + timedelta(days=1) if last else window.first
        day = find(start, "practice")
        if day is None and last is not None and room(last, "practice"):
            day = last  # no later day has room: practise right after planning
        if day is None:
            return None
        put("practice", day)
        last = day
    if p.weak and (p.planned or last is not None):
        level = 0 if steps else p.reviews_since
        anchor = last or p.last_activity or today - timedelta(days=1)
        while level < len(REVIEW_GAPS):
            day = find(anchor + timedelta(days=REVIEW_GAPS[level]), "review")
            if day is None:
                break
            put("review", day)
            anchor, level = day, level + 1
        if not steps:
            return None
    return steps


def plan_build(
    *,
    session: Session,
    user_id: int,
    interview_id: int,
    today: date,
    rng: random.Random | None = None,
    tz: str | None = None,
) -> list[PlanItem]:
    """(Re)build the schedule for the user's interview from ``today`` (rules in the module
    docstring). Unpinned items still to do are replaced; pinned and done items stay, and
    questions with a pinned item or a dropped one are left as the user arranged them.
    ``rng`` only breaks ties between equally good questions; without it the plan is the same
    every time. Returns the schedule's items from today on, by day and position."""
    interview = session.get(Interview, interview_id)
    if interview is None or interview.user_id != user_id:
        raise InvalidInput("interview", "Set your interview date first.")
    zone = _zone(session, user_id, tz)
    items = _items(session, user_id, interview.id)
    for item in items:
        if item.status == "todo" and not item.pinned:
            session.delete(item)
    session.flush()
    items = [i for i in items if i.status != "todo" or i.pinned]
    window = _window(interview, today, zone)
    if window is None:
        return []
    _repack(session, window, [i for i in items if i.status != "dropped"])
    used: dict[date, int] = defaultdict(int)
    excluded: set[int] = set()
    for item in items:
        if item.status == "dropped" or item.status == "todo":
            excluded.add(item.question_id)
        if item.status != "dropped":
            used[date.fromisoformat(item.due_on)] += item.minutes
    progress = _progress(session, user_id, [i for i in items if i.status == "done"], zone)
    order, chosen = _candidates(session, user_id, interview, progress, excluded, rng)
    placed: list[tuple[int, str, date]] = []
    touched: list[int] = []
    for qid in order:
        if not any(
            _earliest(window, used, window.first, k) for k in ("plan", "practice", "review")
        ):
            break
        steps = _place(progress.get(qid) or _Progress(), window, used, today)
        if not steps:
            continue
        for kind, day in steps:
            used[day] += window.cost(kind)
            placed.append((qid, kind, day))
        touched.append(qid)
    # Spare minutes: a check-in review three days after each new practice.
    reviewed = {q for q, k, _ in placed if k == "review"}
    practised = {q: d for q, k, d in placed if k == "practice"}
    for qid in touched:
        if qid in practised and qid not in reviewed:
            check_in = _earliest(
                window, used, practised[qid] + timedelta(days=CHECK_IN_DAYS), "review"
            )
            if check_in is not None and (check_in < window.last or not window.light_last):
                used[check_in] += window.cost("review")
                placed.append((qid, "review", check_in))
    if window.light_last:
        # One last look at each question: answers planned before the schedule first (in the
        # order above), then those planned during it.
        reviewed_last = {q for q, k, d in placed if k == "review" and d == window.last}
        ready = [q for q in order if q in chosen and progress.get(q) and progress[q].planned]
        finals = ready + [q for q in touched if q not in ready]
        for qid in finals:
            if qid in reviewed_last:
                continue
            if used[window.last] + window.cost("review") > window.cap(window.last):
                break
            used[window.last] += window.cost("review")
            placed.append((qid, "review", window.last))
    next_position: dict[date, int] = defaultdict(int)
    for item in items:
        if item.status != "dropped":
            day = date.fromisoformat(item.due_on)
            next_position[day] = max(next_position[day], item.position + 1)
    for qid, kind, day in placed:
        session.add(
            PlanItem(
                user_id=user_id,
                interview_id=interview.id,
                question_id=qid,
                kind=kind,
                due_on=day.isoformat(),
                minutes=window.cost(kind),
                position=next_position[day],
            )
        )
        next_position[day] += 1
    session.flush()
    return [
        i
        for i in _items(session, user_id, interview.id)
        if i.status != "dropped" and i.due_on >= today.isoformat()
    ]


# --- keeping the schedule in shape ------------------------------------------------------------


def _items(session: Session, user_id: int, interview_id: int) -> list[PlanItem]:
    return list(
        session.exec(
            select(PlanItem)
            .where(PlanItem.user_id == user_id, PlanItem.interview_id == interview_id)
            .order_by(col(PlanItem.due_on), col(PlanItem.position), col(PlanItem.id))
        ).all()
    )


def _repack(session: Session, window: _Window, items: list[PlanItem]) -> Rebalance:
    """Roll items still to do into days with room: overdue ones (and any past the window) to
    the first days with room, unpinned ones later when their day is over budget. Pinned items
    on a day in the window and done items stay. A step never moves before an earlier step
    (plan < practice < review) of the same question. ``items``: the schedule, not dropped."""
    result = Rebalance()
    used: dict[date, int] = defaultdict(int)
    movable: list[PlanItem] = []
    for item in items:
        day = date.fromisoformat(item.due_on)
        inside = window.first <= day <= window.last
        if item.status == "done":
            used[day] += item.minutes
        elif item.pinned and inside:
            used[day] += item.minutes
        elif item.status == "todo":
            movable.append(item)
    movable.sort(key=lambda i: (i.due_on, i.position, i.id or 0))
    todo = [i for i in items if i.status == "todo"]
    original = {id(i): i.due_on for i in items}
    gone: set[int] = set()
    for item in movable:
        due = date.fromisoformat(item.due_on)
        start = window.first if due > window.last else max(due, window.first)
        for other in todo:
            if (
                other is not item
                and id(other) not in gone
                and other.question_id == item.question_id
                and KINDS.index(other.kind) < KINDS.index(item.kind)
            ):
                start = max(start, date.fromisoformat(other.due_on))
        slot = _earliest(window, used, start, item.kind, item.minutes)
        if slot is None:
            result.removed += 1
            gone.add(id(item))
            if item.pinned:
                item.status = "dropped"  # the user's own item: kept, visibly, not deleted
                session.add(item)
            else:
                session.delete(item)
            continue
        used[slot] += item.minutes
        if slot.isoformat() != item.due_on:
            result.moved += 1
            item.due_on = slot.isoformat()
            session.add(item)
    # Renumber each day's items: rolled-over ones first (oldest first), then the day's own.
    by_day: dict[str, list[PlanItem]] = defaultdict(list)
    for item in items:
        if item.status != "dropped" and id(item) not in gone:
            by_day[item.due_on].append(item)
    for day_items in by_day.values():
        day_items.sort(key=lambda i: (original[id(i)], i.position, i.id or 0))
        for position, item in enumerate(day_items):
            if item.position != position:
                item.position = position
                session.add(item)
    session.flush()
    return result


def plan_rebalance(
    *, session: Session, user_id: int, today: date, tz: str | None = None
) -> Rebalance:
    """Fit the schedule around what happened: overdue items roll forward to today and the
    following days within the budget, pinned items stay on their day (an overdue pinned item
    rolls too, and stays pinned on its new day), and items that no longer fit before the
    interview go (see :func:`_repack`). Items left from an interview that is over are dropped,
    so nothing nags about it. Call it after any change and when a new day starts."""
    zone = _zone(session, user_id, tz)
    interview = interview_current(session=session, user_id=user_id, today=today, tz=tz)
    stale = session.exec(
        select(PlanItem).where(PlanItem.user_id == user_id, PlanItem.status == "todo")
    ).all()
    result = Rebalance()
    for item in stale:
        if interview is None or item.interview_id != interview.id:
            owner = session.get(Interview, item.interview_id) if item.interview_id else None
            if owner is None or interview_day(owner, zone) <= today:
                item.status = "dropped"
                session.add(item)
                result.removed += 1
    if interview is None:
        session.flush()
        return result
    items = [i for i in _items(session, user_id, interview.id) if i.status != "dropped"]
    window = _window(interview, today, zone)
    if window is None:  # the interview is today: nothing left can still be done before it
        for item in items:
            if item.status == "todo" and item.due_on < today.isoformat():
                item.status = "dropped"
                session.add(item)
                result.removed += 1
        session.flush()
        return result
    repacked = _repack(session, window, items)
    return Rebalance(moved=repacked.moved, removed=result.removed + repacked.removed)


def _owned(session: Session, user_id: int, item_id: object) -> PlanItem:
    if isinstance(item_id, bool):
        raise ItemNotFound()
    try:
        iid = int(item_id)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ItemNotFound() from exc
    item = session.get(PlanItem, iid)
    if item is None or item.user_id != user_id:
        raise ItemNotFound()
    return item


def _day_for_items(
    session: Session, user_id: int, due_on: object, today: date, tz: str | None
) -> tuple[date, Interview]:
    """A day the user may put an item on: today or later, before the interview."""
    day = _parse_day(due_on)
    interview = interview_current(session=session, user_id=user_id, today=today, tz=tz)
    if interview is None:
        raise InvalidInput("interview", "Set your interview date first.")
    if day < today:
        raise InvalidInput("due_on", "Pick today or a later day.")
    if day >= interview_day(interview, _zone(session, user_id, tz)):
        raise InvalidInput("due_on", "Pick a day before your interview.")
    count = len(
        session.exec(
            select(PlanItem.id).where(
                PlanItem.user_id == user_id,
                PlanItem.due_on == day.isoformat(),
                PlanItem.status != "dropped",
            )
        ).all()
    )
    if count >= MAX_ITEMS_PER_DAY:
        raise InvalidInput("due_on", f"That day already has {MAX_ITEMS_PER_DAY} items.")
    return day, interview


def _end_of_day(session: Session, user_id: int, day: date) -> int:
    positions = session.exec(
        select(PlanItem.position).where(
            PlanItem.user_id == user_id, PlanItem.due_on == day.isoformat()
        )
    ).all()
    return max(positions, default=-1) + 1


def item_move(
    *,
    session: Session,
    user_id: int,
    item_id: object,
    due_on: object,
    today: date,
    tz: str | None = None,
) -> ItemView:
    """Move an item still to do to another day (today or later, before the interview). The
    item is pinned there; suggestions on that day make room by moving later."""
    item = _owned(session, user_id, item_id)
    if item.status != "todo":
        raise InvalidInput("item", "Only items still to do can be moved.")
    day, interview = _day_for_items(session, user_id, due_on, today, tz)
    if item.interview_id != interview.id:
        raise InvalidInput("item", "That item belongs to an earlier interview.")
    if item.due_on != day.isoformat():
        item.position = _end_of_day(session, user_id, day)
        item.due_on = day.isoformat()
    item.pinned = True
    session.add(item)
    session.flush()
    plan_rebalance(session=session, user_id=user_id, today=today, tz=tz)
    return _item_view(session, item, today)


def item_add(
    *,
    session: Session,
    user_id: int,
    question_id: object,
    kind: object,
    due_on: object,
    today: date,
    tz: str | None = None,
) -> ItemView:
    """Add a step of the user's choosing (pinned to its day). It replaces the suggestion it
    duplicates: the same question and kind (for reviews, on the same day)."""
    if kind not in KINDS:
        raise InvalidInput("kind", "Choose plan, practise or review.")
    try:
        qid = int(question_id)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidInput("question_id", "That question doesn't exist.") from exc
    if isinstance(question_id, bool) or session.get(Question, qid) is None:
        raise InvalidInput("question_id", "That question doesn't exist.")
    day, interview = _day_for_items(session, user_id, due_on, today, tz)
    for other in _items(session, user_id, interview.id):
        if (
            other.question_id == qid
            and other.kind == kind
            and other.status == "todo"
            and not other.pinned
            and (kind != "review" or other.due_on == day.isoformat())
        ):
            session.delete(other)
    session.flush()
    item = PlanItem(
        user_id=user_id,
        interview_id=interview.id,
        question_id=qid,
        kind=str(kind),
        due_on=day.isoformat(),
        minutes=min(MINUTES[str(kind)], interview.minutes_per_day),
        position=_end_of_day(session, user_id, day),
        pinned=True,
    )
    session.add(item)
    session.flush()
    plan_rebalance(session=session, user_id=user_id, today=today, tz=tz)
    return _item_view(session, item, today)


def item_drop(
    *, session: Session, user_id: int, item_id: object, today: date, tz: str | None = None
) -> None:
    """Take an item out of the plan. Its question leaves the suggestions: the question's other
    suggested steps still to do go too, and rebuilding won't suggest it again (the user can
    still add it)."""
    item = _owned(session, user_id, item_id)
    if item.status != "todo":
        raise InvalidInput("item", "Only items still to do can be dropped.")
    item.status = "dropped"
    session.add(item)
    if item.interview_id is not None:
        for other in _items(session, user_id, item.interview_id):
            if (
                other.question_id == item.question_id
                and other.status == "todo"
                and not other.pinned
            ):
                other.status = "dropped"
                session.add(other)
    session.flush()
    plan_rebalance(session=session, user_id=user_id, today=today, tz=tz)


def item_done(
    *,
    session: Session,
    user_id: int,
    item_id: object,
    done: bool = True,
    today: date,
    tz: str | None = None,
) -> ItemView:
    """Mark an item done (or not done again). An item done ahead of (or after) its day moves to
    today, where the work happened; done items then stay on their day for good."""
    item = _owned(session, user_id, item_id)
    if item.status == "dropped":
        raise InvalidInput("item", "That item was dropped from your plan.")
    if done and item.status != "done" and item.due_on != today.isoformat():
        item.position = _end_of_day(session, user_id, today)
        item.due_on = today.isoformat()
    item.status = "done" if done else "todo"
    item.done_at = utcnow() if done else None
    session.add(item)
    session.flush()
    plan_rebalance(session=session, user_id=user_id, today=today, tz=tz)
    return _item_view(session, item, today)


# --- views ------------------------------------------------------------------------------------


def _link(kind: str, question_id: int) -> str:
    route = routes.PRACTICE_QUESTION if kind == "practice" else routes.PLAN
    return route.replace("[qid]", str(question_id))


def _views(session: Session, items: list[PlanItem], today: date) -> list[ItemView]:
    ids = list({i.question_id for i in items})
    texts = (
        dict(
            session.exec(select(Question.id, Question.text).where(col(Question.id).in_(ids))).all()
        )
        if ids
        else {}
    )
    return [
        ItemView(
            id=i.id or 0,
            question_id=i.question_id,
            question=texts.get(i.question_id, ""),
            kind=i.kind,
            kind_label=KIND_LABELS.get(i.kind, i.kind),
            due_on=i.due_on,
            minutes=i.minutes,
            status=i.status,
            pinned=i.pinned,
            overdue=i.status == "todo" and i.due_on < today.isoformat(),
            link=_link(i.kind, i.question_id),
        )
        for i in items
    ]


def _item_view(session: Session, item: PlanItem, today: date) -> ItemView:
    return _views(session, [item], today)[0]


def today_items(
    *, session: Session, user_id: int, today: date, tz: str | None = None
) -> list[ItemView]:
    """Today's items (to do and done), after any overdue ones still to do (flagged
    ``overdue``; :func:`plan_rebalance` normally has rolled them forward already)."""
    interview = interview_current(session=session, user_id=user_id, today=today, tz=tz)
    if interview is None:
        return []
    items = [
        i
        for i in _items(session, user_id, interview.id)
        if (i.due_on == today.isoformat() and i.status != "dropped")
        or (i.due_on < today.isoformat() and i.status == "todo")
    ]
    return _views(session, items, today)


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _interview_view(interview: Interview, zone: zoneinfo.ZoneInfo, today: date) -> InterviewView:
    day = interview_day(interview, zone)
    return InterviewView(
        id=interview.id or 0,
        company=interview.company,
        role_title=interview.role_title,
        starts_at=interview.starts_at.astimezone(UTC).isoformat(),
        day=day.isoformat(),
        minutes_per_day=interview.minutes_per_day,
        days_left=(day - today).days,
    )


def plan_view(
    *, session: Session, user_id: int, today: date, tz: str | None = None
) -> ScheduleView:
    """The schedule for the UI: each day from today to the day before the interview with its
    items (to do and done), minutes used and budget; done/total over the whole schedule."""
    zone = _zone(session, user_id, tz)
    interview = interview_current(session=session, user_id=user_id, today=today, tz=tz)
    if interview is None:
        return ScheduleView(interview=None, days=[], done=0, total=0, days_left=0)
    items = [i for i in _items(session, user_id, interview.id) if i.status != "dropped"]
    views = _views(session, items, today)
    view = _interview_view(interview, zone, today)
    days: list[DayView] = []
    window = _window(interview, today, zone)
    if window is not None:
        by_day: dict[str, list[ItemView]] = defaultdict(list)
        for v in views:
            by_day[v.due_on].append(v)
        for day in _days(window.first, window.last):
            day_items = by_day.get(day.isoformat(), [])
            days.append(
                DayView(
                    day=day.isoformat(),
                    label=_day_label(day),
                    items=day_items,
                    minutes=sum(v.minutes for v in day_items),
                    budget=window.cap(day),
                    is_today=day == today,
                    is_last=day == window.last,
                )
            )
    return ScheduleView(
        interview=view,
        days=days,
        done=sum(1 for i in items if i.status == "done"),
        total=len(items),
        days_left=view.days_left,
    )


# --- calendar export --------------------------------------------------------------------------


def _uid(kind: str, user_id: int, key: str) -> str:
    # Stable per user and day (re-importing updates the same events), without showing ids.
    digest = hashlib.sha256(f"prepple:{kind}:{user_id}:{key}".encode()).hexdigest()[:24]
    return f"{kind}-{key}-{digest}@prepple"


def _summary(items: list[PlanItem]) -> str:
    counts = Counter(i.kind for i in items)
    verbs = {"plan": "plan", "practice": "practise", "review": "review"}
    parts = [f"{verbs[k]} {counts[k]}" for k in KINDS if counts[k]]
    noun = "question" if len(items) == 1 else "questions"
    minutes = sum(i.minutes for i in items)
    if len(parts) == 1:
        return f"Prepple: {verbs[items[0].kind]} {len(items)} {noun} ({minutes} min)"
    return f"Prepple: {', '.join(parts)} {noun} ({minutes} min)"


def plan_ics(*, session: Session, user_id: int, today: date, tz: str | None = None) -> bytes:
    """The schedule as an iCalendar file: one all-day event per day from today that has items
    to do (what to do in the description), and the interview itself (an hour, in UTC).
    ``tz`` only decides which interview is upcoming; ``due_on`` days are already local. Event
    UIDs are stable per user and day, so importing again updates them; a day whose items are
    all done simply isn't in the next export (calendars keep the old copy)."""
    interview = interview_current(session=session, user_id=user_id, today=today, tz=tz)
    stamp = utcnow().replace(microsecond=0)
    cal = icalendar.Calendar.new(
        prodid="-//Prepple//Practice schedule//EN",
        name="Prepple practice",
        method="PUBLISH",
        uid=_uid("calendar", user_id, "schedule"),
    )
    if interview is not None:
        items = [
            i
            for i in _items(session, user_id, interview.id)
            if i.status == "todo" and i.due_on >= today.isoformat()
        ]
        ids = list({i.question_id for i in items})
        texts = (
            dict(
                session.exec(
                    select(Question.id, Question.text).where(col(Question.id).in_(ids))
                ).all()
            )
            if ids
            else {}
        )
        by_day: dict[str, list[PlanItem]] = defaultdict(list)
        for item in items:
            by_day[item.due_on].append(item)
        for key in sorted(by_day):
            day = date.fromisoformat(key)
            lines = [
                f"- {KIND_LABELS[i.kind]} ({i.minutes} min): {texts.get(i.question_id, '')}"
                for i in by_day[key]
            ]
            cal.add_component(
                icalendar.Event.new(
                    uid=_uid("day", user_id, key),
                    stamp=stamp,
                    start=day,
                    end=day + timedelta(days=1),
                    summary=_summary(by_day[key]),
                    description="\n".join(lines),
                    transparency="TRANSPARENT",
                )
            )
        start = interview.starts_at.astimezone(UTC)  # UTC: calendars show it in local time
        what = " at ".join(p for p in (interview.role_title, interview.company) if p)
        cal.add_component(
            icalendar.Event.new(
                uid=_uid("interview", user_id, str(interview.id)),
                stamp=stamp,
                start=start,
                end=start + timedelta(minutes=_INTERVIEW_MINUTES),
                summary=f"Interview: {what}" if what else "Interview",
                description="Good luck! Your Prepple practice schedule led up to today.",
            )
        )
    return cal.to_ical()
