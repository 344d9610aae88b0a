"""The question bank pages: search and filters, random pick, question detail."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import reflex as rx

from prepple.db import session_scope
from prepple.services import questions as qs
from prepple.services.authz import PUBLIC
from prepple.services.questions import Facet, QuestionView
from prepple.services.validation import clean_query
from prepple.state.session import as_int, guarded

BANK = "question_bank"


class QuestionsState(rx.State):
    """Search box, filters and the current page of results."""

    query: str = ""
    competency: str = ""
    company: str = ""
    difficulty: str = ""
    items: list[QuestionView] = []
    total: int = 0
    loading: bool = True
    competencies: list[Facet] = []
    companies: list[Facet] = []
    company_note: str = ""
    company_values: list[str] = []

    def _run(self, *, append: bool = False):
        """Search with the current filters; returns a script that mirrors them in the URL, so
        back, reload and sharing the link keep them."""
        offset = len(self.items) if append else 0
        with session_scope() as session:
            result = qs.question_search(
                session=session,
                query=self.query,
                competency=self.competency,
                company=self.company,
                difficulty=self.difficulty,
                offset=offset,
            )
            info = qs.company_get(session=session, slug=self.company) if self.company else None
        self.items = (self.items + result.items) if append else result.items
        self.total = result.total
        self.company_note = info["note"] if info else ""
        self.company_values = info["values"] if info else []
        self.loading = False
        params = {
            k: v
            for k, v in (
                ("q", self.query),
                ("competency", self.competency),
                ("company", self.company),
                ("difficulty", self.difficulty),
            )
            if v
        }
        url = "/questions" + (f"?{urlencode(params)}" if params else "")
        return rx.call_script(f"window.history.replaceState(null, '', {json.dumps(url)})")

    @rx.var
    def has_filters(self) -> bool:
        """Whether any search or filter is active (for the clear button)."""
        return bool(self.query or self.competency or self.company or self.difficulty)

    @rx.var
    def has_more(self) -> bool:
        """Whether another page of results exists."""
        return len(self.items) < self.total

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def load(self):
        """Open the page: filters from the URL (?competency=..&company=..&q=..), first page."""
        params = self.router.url.query_parameters
        with session_scope() as session:
            self.competencies, self.companies = qs.facets(session=session)
        known_comp = {f.slug for f in self.competencies}
        known_co = {f.slug for f in self.companies}
        self.query = clean_query(params.get("q", ""))
        self.competency = (
            params.get("competency", "") if params.get("competency") in known_comp else ""
        )
        self.company = params.get("company", "") if params.get("company") in known_co else ""
        diff = params.get("difficulty", "")
        self.difficulty = diff if diff in qs.DIFFICULTIES else ""
        return self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def search(self, value: str):
        """Search as the user types (the input debounces)."""
        self.query = clean_query(value)
        return self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def set_competency(self, value: str):
        """Filter by competency ("all" clears)."""
        self.competency = value[:60] if isinstance(value, str) and value != "all" else ""
        return self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def set_company(self, value: str):
        """Filter by company ("all" clears)."""
        self.company = value[:60] if isinstance(value, str) and value != "all" else ""
        return self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def set_difficulty(self, value: str):
        """Filter by difficulty ("all" clears)."""
        self.difficulty = value if value in qs.DIFFICULTIES else ""
        return self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def clear_filters(self):
        """Show every question again."""
        self.query = self.competency = self.company = self.difficulty = ""
        return self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def load_more(self):
        """Append the next page of results."""
        return self._run(append=True)

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def random_question(self):
        """Open a random question within the current filters."""
        with session_scope() as session:
            qid = qs.question_random(
                session=session,
                competency=self.competency,
                company=self.company,
                difficulty=self.difficulty,
            )
        if qid is None:
            return rx.toast.info("No question matches these filters.")
        return rx.redirect(f"/questions/{qid}")


class QuestionDetailState(rx.State):
    """One question with its guidance and related questions."""

    question: QuestionView | None = None
    related: list[QuestionView] = []
    not_found: bool = False

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    def load(self):
        """Load the question named in the URL; a clear not-found state for bad ids."""
        qid = as_int(self.router.page.params.get("qid", ""))
        self.question, self.related, self.not_found = None, [], False
        if qid is None:
            self.not_found = True
            return
        with session_scope() as session:
            self.question = qs.question_get(session=session, question_id=qid)
            if self.question is not None:
                self.related = qs.question_related(session=session, question_id=qid)
        self.not_found = self.question is None
