"""The question bank pages: search and filters, the saved list, random pick, question detail."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import reflex as rx

from prepple.db import session_scope
from prepple.services import questions as qs
from prepple.services import saved
from prepple.services.authz import PUBLIC
from prepple.services.questions import Facet, QuestionView
from prepple.services.validation import clean_query
from prepple.state.session import as_int, current_principal, guarded, session_of, visitor_ids

BANK = "question_bank"


class QuestionsState(rx.State):
    """Search box, filters and the current page of results."""

    query: str = ""
    competency: str = ""
    company: str = ""
    difficulty: str = ""
    #: "behavioral", "common" or "" (both).
    kind: str = ""
    #: The "Saved" tab: only the questions on the viewer's practice list.
    only_saved: bool = False
    items: list[QuestionView] = []
    total: int = 0
    loading: bool = True
    #: The query actually searched when a word was corrected ("Showing results for ...").
    corrected: str = ""
    #: A less certain spelling to offer ("Did you mean ...").
    suggestion: str = ""
    competencies: list[Facet] = []
    companies: list[Facet] = []
    company_note: str = ""
    company_values: list[str] = []

    async def _saved_ids(self) -> list[int]:
        """The viewer's practice list: from the account, or this browser's for a visitor."""
        principal = current_principal()
        if principal.is_authenticated:
            with session_scope() as session:
                return saved.saved_ids(session=session, user_id=principal.user_id)
        return visitor_ids((await session_of(self)).visitor_saved)

    async def _run(self, *, append: bool = False):
        """Search with the current filters; returns a script that mirrors them in the URL, so
        back, reload and sharing the link keep them."""
        offset = len(self.items) if append else 0
        ids = await self._saved_ids() if self.only_saved else None
        with session_scope() as session:
            result = qs.question_search(
                session=session,
                query=self.query,
                competency=self.competency,
                company=self.company,
                difficulty=self.difficulty,
                kind=self.kind,
                ids=ids,
                offset=offset,
            )
            info = qs.company_get(session=session, slug=self.company) if self.company else None
        self.items = (self.items + result.items) if append else result.items
        self.total = result.total
        self.corrected, self.suggestion = result.corrected, result.suggestion
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
                ("kind", self.kind),
                ("saved", "1" if self.only_saved else ""),
            )
            if v
        }
        url = "/questions" + (f"?{urlencode(params)}" if params else "")
        return rx.call_script(f"window.history.replaceState(null, '', {json.dumps(url)})")

    @rx.var
    def has_filters(self) -> bool:
        """Whether any search or filter is active (for the clear button)."""
        return bool(self.query or self.competency or self.company or self.difficulty or self.kind)

    @rx.var
    def has_more(self) -> bool:
        """Whether another page of results exists."""
        return len(self.items) < self.total

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def load(self):
        """Open the page: filters from the URL (?competency=..&company=..&q=..&saved=1)."""
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
        kind = params.get("kind", "")
        self.kind = kind if kind in qs.KINDS else ""
        self.only_saved = params.get("saved", "") == "1"
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def search(self, value: str):
        """Search as the user types (the input debounces)."""
        self.query = clean_query(value)
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def set_competency(self, value: str):
        """Filter by competency ("all" clears)."""
        self.competency = value[:60] if isinstance(value, str) and value != "all" else ""
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def set_company(self, value: str):
        """Filter by company ("all" clears)."""
        self.company = value[:60] if isinstance(value, str) and value != "all" else ""
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def set_difficulty(self, value: str):
        """Filter by difficulty ("all" clears)."""
        self.difficulty = value if value in qs.DIFFICULTIES else ""
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def set_kind(self, value: str):
        """Behavioral or common questions ("all" clears)."""
        self.kind = value if value in qs.KINDS else ""
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def show_saved(self, value: str):
        """Switch between the whole bank ("all") and the saved list ("saved")."""
        self.only_saved = value == "saved"
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def use_suggestion(self):
        """Search for the suggested spelling ("Did you mean ...")."""
        if self.suggestion:
            self.query = self.suggestion
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def clear_filters(self):
        """Show every question again (the Saved tab stays chosen)."""
        self.query = self.competency = self.company = self.difficulty = self.kind = ""
        return await self._run()

    @rx.event
    @guarded(PUBLIC, flag=BANK)
    async def load_more(self):
        """Append the next page of results."""
        return await self._run(append=True)

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
