"""Progress over time: what the dashboard shows.

Everything is computed from rows the user already has (planned answers, scored recordings,
done schedule items), so there is nothing to keep in sync. The figures are per local calendar
day of the user (``today`` and a UTC offset come from the caller).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from prepple.models import (
    Answer,
    Company,
    Competency,
    PlanItem,
    QuestionCompany,
    QuestionCompetency,
    Recording,
)
from prepple.services import recordings

#: The delivery measures charted over time (keys of a delivery report's ``scores``).
MEASURES = ("structure", "pace", "fillers", "pauses", "length", "listenability")
#: Names of the feedback themes (a delivery tip's ``kind``) as people read them.
THEMES = {
    "pace": "Pace",
    "fillers": "Filler words",
    "pauses": "Long pauses",
    "length": "Answer length",
    "structure": "Structure",
    "coverage": "Planned points left out",
    "script": "Sounding read from the script",
    "speech": "No speech heard",
}
WEEKS = 8
#: A take shorter than this isn't an answer (the recorder and the upload refuse one; older
#: rows may exist).
MIN_TAKE_SECONDS = recordings.MIN_TAKE_SECONDS


@dataclass
class Point:
    """One scored attempt on the chart: its day and scores (``None`` where not scored)."""

    day: str
    overall: int | None
    structure: int | None = None
    pace: int | None = None
    fillers: int | None = None
    pauses: int | None = None
    length: int | None = None
    listenability: int | None = None


@dataclass
class Week:
    """Attempts in one week (Monday to Sunday), for the bar chart."""

    week: str
    attempts: int


@dataclass
class GroupScore:
    """The average latest delivery score over the questions of a competency or company."""

    name: str
    slug: str
    questions: int
    average: int


@dataclass
class Theme:
    """A feedback theme and how often it came up lately versus before."""

    kind: str
    label: str
    recent: int
    earlier: int


@dataclass
class Dashboard:
    """The whole dashboard."""

    planned: int = 0
    practised: int = 0
    attempts: int = 0
    streak: int = 0
    best_streak: int = 0
    points: list[Point] = field(default_factory=list)
    weeks: list[Week] = field(default_factory=list)
    competencies: list[GroupScore] = field(default_factory=list)
    companies: list[GroupScore] = field(default_factory=list)
    recurring: list[Theme] = field(default_factory=list)
    resolved: list[Theme] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing planned or practised yet (the page shows how to start)."""
        return not (self.planned or self.attempts)


def _local_day(moment: datetime, offset: timedelta | tzinfo) -> date:
    """The calendar day of ``moment`` in a time zone (daylight saving respected) or at a
    fixed UTC offset."""
    if isinstance(offset, tzinfo):
        return moment.astimezone(offset).date()
    return (moment + offset).date()


def _streaks(days: set[date], today: date) -> tuple[int, int]:
    """(current streak ending today or yesterday, best streak ever) in days."""
    best = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    current = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        current += 1
        day -= timedelta(days=1)
    return current, best


def _group_scores(session: Session, latest: dict[int, int], link, group, key) -> list[GroupScore]:
    """Average of each question's latest score, per group (competency or company); ``link``
    is the question-to-group table and ``key`` its column naming the group."""
    if not latest:
        return []
    rows = session.exec(
        select(link.question_id, group.name, group.slug)
        .join(group, col(group.id) == key)
        .where(col(link.question_id).in_(list(latest)))
    ).all()
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for qid, name, slug in rows:
        scores[(name, slug)].append(latest[qid])
    out = [
        GroupScore(name=name, slug=slug, questions=len(vals), average=round(sum(vals) / len(vals)))
        for (name, slug), vals in scores.items()
    ]
    return sorted(out, key=lambda g: (-g.questions, g.name))


def _themes(reports: list[dict]) -> tuple[list[Theme], list[Theme]]:
    """Feedback themes that keep coming back (in the latest attempts) and those that went
    away (raised before, not in the latest three)."""

    def issues(report: dict) -> set[str]:
        return {
            t.get("kind", "")
            for t in report.get("tips", [])
            if isinstance(t, dict) and t.get("severity") != "good" and t.get("kind") in THEMES
        }

    recent_reports, earlier_reports = reports[-3:], reports[:-3]
    recent = Counter(k for r in recent_reports for k in issues(r))
    earlier = Counter(k for r in earlier_reports for k in issues(r))
    recurring = [
        Theme(kind=k, label=THEMES[k], recent=n, earlier=earlier.get(k, 0))
        for k, n in recent.most_common()
        if n >= 2
    ]
    resolved = [
        Theme(kind=k, label=THEMES[k], recent=0, earlier=n)
        for k, n in earlier.most_common()
        if k not in recent and n >= 1
    ]
    return recurring, resolved


def _questions_in(session: Session, competency: str, company: str) -> set[int] | None:
    """The question ids tagged with a competency or company (by slug); ``None`` for all."""
    if competency:
        return set(
            session.exec(
                select(QuestionCompetency.question_id)
                .join(Competency, col(Competency.id) == QuestionCompetency.competency_id)
                .where(Competency.slug == competency)
            ).all()
        )
    if company:
        return set(
            session.exec(
                select(QuestionCompany.question_id)
                .join(Company, col(Company.id) == QuestionCompany.company_id)
                .where(Company.slug == company)
            ).all()
        )
    return None


def dashboard(
    *,
    session: Session,
    user_id: int,
    today: date,
    utc_offset: timedelta | tzinfo = timedelta(0),
    competency: str = "",
    company: str = "",
) -> Dashboard:
    """The user's progress: counts, streaks, scores over time, weekly attempts, averages per
    competency and company, and the feedback that keeps coming back or went away. With
    ``competency`` or ``company`` (a slug), the scores over time cover only those questions."""
    dash = Dashboard()
    only = _questions_in(session, competency, company)
    dash.planned = len(
        session.exec(select(Answer.id).where(Answer.user_id == user_id, Answer.words > 0)).all()
    )
    # Only the columns read here (not transcripts and plans: megabytes for a busy user).
    rows = session.exec(
        select(
            Recording.question_id,
            Recording.created_at,
            Recording.overall,
            Recording.report_json,
            Recording.duration_seconds,
        )
        .where(Recording.user_id == user_id, Recording.status == "done")
        .order_by(col(Recording.created_at), col(Recording.id))
    ).all()
    # A take in which the worker heard no words (silence, a muted microphone) or that lasted
    # under a second is kept (the user can watch and delete it) but is not practice: it
    # counts nowhere here (attempts, questions practised, weeks, streaks, scores, themes).
    recs, reports_of = [], {}
    for rec in rows:
        report = json.loads(rec.report_json) if rec.report_json else {}
        if report.get("no_speech") or (rec.duration_seconds or 0) < MIN_TAKE_SECONDS:
            continue
        recs.append(rec)
        reports_of[id(rec)] = report
    dash.attempts = len(recs)
    dash.practised = len({r.question_id for r in recs})

    latest: dict[int, int] = {}
    reports: list[dict] = []
    active_days: set[date] = set()
    for rec in recs:
        report = reports_of[id(rec)]
        day = _local_day(rec.created_at, utc_offset)
        active_days.add(day)
        scores = report.get("scores") or {}
        if only is None or rec.question_id in only:
            dash.points.append(
                Point(
                    day=day.isoformat(), overall=rec.overall, **{m: scores.get(m) for m in MEASURES}
                )
            )
        if rec.overall is not None:
            latest[rec.question_id] = rec.overall
        reports.append(report)

    done_items = session.exec(
        select(PlanItem.done_at).where(
            PlanItem.user_id == user_id,
            PlanItem.status == "done",
            col(PlanItem.done_at).is_not(None),
        )
    ).all()
    active_days |= {_local_day(moment, utc_offset) for moment in done_items}
    dash.streak, dash.best_streak = _streaks(active_days, today)

    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=w) for w in range(WEEKS - 1, -1, -1)]
    days = [_local_day(r.created_at, utc_offset) for r in recs]
    per_week = Counter(d - timedelta(days=d.weekday()) for d in days)
    dash.weeks = [Week(week=f"{s:%d %b}", attempts=per_week.get(s, 0)) for s in starts]

    dash.competencies = _group_scores(
        session, latest, QuestionCompetency, Competency, QuestionCompetency.competency_id
    )
    dash.companies = _group_scores(
        session, latest, QuestionCompany, Company, QuestionCompany.company_id
    )
    dash.recurring, dash.resolved = _themes(reports)
    return dash
