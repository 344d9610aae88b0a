"""The progress dashboard's state: figures from ``services.progress``, shaped for charts."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime

import reflex as rx

from prepple.db import session_scope
from prepple.services import progress, reminders
from prepple.services import questions as qs
from prepple.services.authz import SIGNED_IN
from prepple.state.session import current_principal, guarded

SERIES = {
    "overall": "Overall",
    "structure": "Structure",
    "pace": "Pace",
    "fillers": "Fillers",
    "pauses": "Pauses",
    "length": "Length",
    "listenability": "Listenability",
}


class ProgressState(rx.State):
    """What the dashboard shows, for the signed-in user."""

    loaded: bool = False
    empty: bool = True
    planned: int = 0
    practised: int = 0
    attempts: int = 0
    streak: int = 0
    best_streak: int = 0
    points: list[dict[str, str | int | None]] = []
    weeks: list[dict[str, str | int]] = []
    competencies: list[progress.GroupScore] = []
    companies: list[progress.GroupScore] = []
    recurring: list[progress.Theme] = []
    resolved: list[progress.Theme] = []
    measure: str = "overall"
    #: Which questions the scores over time cover: "" (all), "competency:<slug>", "company:<slug>".
    scope: str = ""
    scopes: list[dict[str, str]] = []

    @rx.event
    @guarded(SIGNED_IN, flag="progress")
    async def load(self):
        """Read the user's progress by the days of their time zone (off the event loop: a
        busy user's dashboard reads every scored answer)."""
        user_id = current_principal().user_id
        kind, _, slug = self.scope.partition(":")
        need_scopes = not self.scopes

        def read():
            with session_scope() as db:
                zone = reminders.user_zone(session=db, user_id=user_id)
                dash = progress.dashboard(
                    session=db,
                    user_id=user_id,
                    today=datetime.now(zone).date(),
                    utc_offset=zone,
                    competency=slug if kind == "competency" else "",
                    company=slug if kind == "company" else "",
                )
                facets = qs.facets(session=db) if need_scopes else None
            return dash, facets

        dash, facets = await asyncio.to_thread(read)
        if facets is not None:
            competencies, companies = facets
            self.scopes = [{"value": "", "label": "All questions"}]
            self.scopes += [
                {"value": f"competency:{f.slug}", "label": f.name} for f in competencies
            ]
            self.scopes += [
                {"value": f"company:{f.slug}", "label": f"{f.name} set"} for f in companies
            ]
        self.empty = dash.empty
        self.planned, self.practised, self.attempts = dash.planned, dash.practised, dash.attempts
        self.streak, self.best_streak = dash.streak, dash.best_streak
        self.points = [asdict(p) for p in dash.points]
        self.weeks = [asdict(w) for w in dash.weeks]
        self.competencies, self.companies = dash.competencies, dash.companies
        self.recurring, self.resolved = dash.recurring, dash.resolved
        self.loaded = True

    @rx.event
    @guarded(SIGNED_IN, flag="progress")
    def set_measure(self, value: str | list[str]):
        """Choose which score the chart over time shows."""
        if isinstance(value, str) and value in SERIES:
            self.measure = value

    @rx.event
    @guarded(SIGNED_IN, flag="progress")
    def set_scope(self, value: str | list[str]):
        """Chart the scores of one competency's or company's questions (or all)."""
        if isinstance(value, str) and any(s["value"] == value for s in self.scopes):
            self.scope = value
            return ProgressState.load
