"""The question bank: list with search and filters, and one question in detail."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state, loading_rows
from prepple.components.forms import filter_select
from prepple.components.layout import page_layout
from prepple.components.questions import (
    common_question_notice,
    difficulty_badge,
    kind_badge,
    question_card,
    tag_badge,
)
from prepple.components.theme import SPACE, STATUS, TEXT
from prepple.state.questions import QuestionDetailState, QuestionsState
from prepple.state.schedule import ScheduleState
from prepple.state.session import SessionState


def _facet_select(label: str, id_: str, value, facets, on_change, all_label: str) -> rx.Component:
    """A filter over a facet (competency, company), each choice with its question count."""
    return filter_select(
        label,
        id_,
        value,
        on_change,
        rx.el.option(all_label, value=""),
        rx.foreach(
            facets,
            lambda f: rx.el.option(f.name + " (" + f.count.to_string() + ")", value=f.slug),
        ),
    )


def _fixed_select(label: str, id_: str, value, on_change, choices) -> rx.Component:
    """A filter with fixed choices: (label, value) pairs after "Any"."""
    return filter_select(
        label,
        id_,
        value,
        on_change,
        *[rx.el.option(text, value=v) for text, v in (("Any", ""), *choices)],
    )


def _tabs() -> rx.Component:
    """All questions / Saved: the practice list has its own visible place."""
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger(
                rx.hstack(rx.icon("library", size=16), "All questions", align="center"),
                value="all",
                id="tab-all",
            ),
            rx.tabs.trigger(
                rx.hstack(
                    rx.icon("bookmark", size=16),
                    "Saved",
                    rx.badge(SessionState.saved_count.to_string(), radius="full", size="1"),
                    align="center",
                ),
                value="saved",
                id="tab-saved",
            ),
        ),
        value=rx.cond(QuestionsState.only_saved, "saved", "all"),
        on_change=QuestionsState.show_saved,
        id="question-tabs",
    )


def _search_notice() -> rx.Component:
    """ "Showing results for ..." after a correction; "Did you mean ...?" for a suggestion."""
    return rx.fragment(
        rx.cond(
            QuestionsState.corrected,
            rx.text(
                "Showing results for ",
                rx.el.strong(QuestionsState.corrected),
                rx.text.span(
                    " (you typed " + QuestionsState.query + ")",
                    color=rx.color(STATUS["muted"], 11),
                ),
                id="search-corrected",
                size=TEXT["body"],
            ),
        ),
        rx.cond(
            QuestionsState.suggestion,
            rx.text(
                "Did you mean ",
                rx.link(
                    rx.el.strong(QuestionsState.suggestion),
                    href="#",
                    on_click=QuestionsState.use_suggestion.prevent_default,
                    id="search-suggestion",
                ),
                "?",
                size=TEXT["body"],
            ),
        ),
    )


def _toolbar() -> rx.Component:
    return rx.vstack(
        rx.el.label("Search questions", html_for="question-search", class_name="sr-only"),
        rx.debounce_input(
            rx.input(
                rx.input.slot(rx.icon("search")),
                id="question-search",
                placeholder="Search: conflict, deadline, customer...",
                value=QuestionsState.query,
                on_change=QuestionsState.search,
                size="3",
                width="100%",
                max_length=200,
                type="search",
            ),
            debounce_timeout=250,
        ),
        rx.flex(
            _facet_select(
                "Competency",
                "filter-competency",
                QuestionsState.competency,
                QuestionsState.competencies,
                QuestionsState.set_competency,
                "All competencies",
            ),
            _facet_select(
                "Company",
                "filter-company",
                QuestionsState.company,
                QuestionsState.companies,
                QuestionsState.set_company,
                "All companies",
            ),
            _fixed_select(
                "Difficulty",
                "filter-difficulty",
                QuestionsState.difficulty,
                QuestionsState.set_difficulty,
                (("Easy", "easy"), ("Medium", "medium"), ("Hard", "hard")),
            ),
            _fixed_select(
                "Type",
                "filter-kind",
                QuestionsState.kind,
                QuestionsState.set_kind,
                (
                    ("Behavioral (tell a story)", "behavioral"),
                    ("Common (not behavioral)", "common"),
                ),
            ),
            rx.spacer(),
            rx.hstack(
                rx.cond(
                    QuestionsState.has_filters,
                    rx.button(
                        "Clear",
                        variant="soft",
                        color_scheme="gray",
                        on_click=QuestionsState.clear_filters,
                        id="clear-filters",
                    ),
                ),
                rx.button(
                    rx.icon("shuffle"),
                    "Random question",
                    variant="outline",
                    on_click=QuestionsState.random_question,
                    id="random-question",
                ),
                spacing="2",
            ),
            wrap="wrap",
            spacing="3",
            align="end",
            width="100%",
        ),
        width="100%",
        spacing=SPACE["normal"],
    )


def _company_banner() -> rx.Component:
    return rx.cond(
        QuestionsState.company_note,
        rx.callout(
            rx.vstack(
                rx.text(QuestionsState.company_note),
                rx.flex(
                    rx.foreach(
                        QuestionsState.company_values, lambda v: rx.badge(v, variant="surface")
                    ),
                    wrap="wrap",
                    spacing="1",
                ),
                spacing="2",
            ),
            icon="building-2",
            color_scheme="teal",
            id="company-note",
        ),
    )


@rx.page(
    route=routes.QUESTIONS,
    title="Interview questions - Prepple",
    on_load=[SessionState.refresh_viewer, QuestionsState.load],
)
def questions_page() -> rx.Component:
    """Search and filter the bank."""
    return page_layout(
        rx.vstack(
            rx.heading("Interview questions", size="7", as_="h1"),
            rx.text(
                "Find the questions you'll be asked, by competency or by company, from "
                "behavioral ones to the classics like \u201cTell me about yourself\u201d. "
                "Save the ones to practise.",
                color=rx.color(STATUS["muted"], 11),
            ),
            spacing="2",
        ),
        _tabs(),
        _toolbar(),
        _company_banner(),
        _search_notice(),
        rx.text(
            QuestionsState.total.to_string()
            + rx.cond(QuestionsState.total == 1, " question", " questions"),
            id="result-count",
            size=TEXT["small"],
            color=rx.color(STATUS["muted"], 11),
            aria_live="polite",
        ),
        rx.cond(
            QuestionsState.loading,
            loading_rows(4),
            rx.cond(
                QuestionsState.total > 0,
                rx.vstack(
                    rx.foreach(
                        QuestionsState.items,
                        lambda q: question_card(
                            q,
                            saved=SessionState.saved_ids.contains(q.id),
                            on_toggle_save=SessionState.toggle_saved(q.id),
                        ),
                    ),
                    rx.cond(
                        QuestionsState.has_more,
                        rx.button(
                            "Show more",
                            on_click=QuestionsState.load_more,
                            variant="soft",
                            id="load-more",
                            width="100%",
                        ),
                    ),
                    width="100%",
                    spacing=SPACE["tight"],
                    id="question-list",
                ),
                rx.cond(
                    QuestionsState.only_saved & ~QuestionsState.has_filters,
                    empty_state(
                        "bookmark",
                        "No saved questions yet",
                        "Press the bookmark on any question to keep it here for practice.",
                        rx.button(
                            "Browse all questions",
                            on_click=QuestionsState.show_saved("all"),
                            variant="soft",
                        ),
                        id="no-saved",
                    ),
                    empty_state(
                        "search-x",
                        "No questions match",
                        "Try fewer words, another spelling, or clear the filters.",
                        rx.button(
                            "Clear filters", on_click=QuestionsState.clear_filters, variant="soft"
                        ),
                        id="no-results",
                    ),
                ),
            ),
        ),
    )


def _guidance(title: str, icon: str, body) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18), rx.heading(title, size="3", as_="h2"), align="center"
            ),
            rx.text(body, size=TEXT["body"]),
            spacing="2",
        ),
        width="100%",
    )


@rx.page(
    route=routes.QUESTION,
    title="Question - Prepple",
    on_load=[SessionState.refresh_viewer, QuestionDetailState.load],
)
def question_detail_page() -> rx.Component:
    """One question: why it's asked, what a strong answer shows, related questions."""
    q = QuestionDetailState.question
    return page_layout(
        rx.cond(
            QuestionDetailState.not_found,
            empty_state(
                "file-question",
                "Question not found",
                "It may have been removed, or the link is mistyped.",
                rx.link(rx.button("Browse questions"), href=routes.QUESTIONS),
                id="question-not-found",
            ),
            rx.cond(
                q,
                rx.vstack(
                    rx.link("← All questions", href=routes.QUESTIONS, size=TEXT["small"]),
                    rx.heading(q.text, size="7", as_="h1", id="question-text"),
                    rx.flex(
                        kind_badge(q.kind),
                        difficulty_badge(q.difficulty),
                        rx.foreach(
                            q.competencies,
                            lambda t: tag_badge(
                                t.name, href="/questions?competency=" + t.slug, color="iris"
                            ),
                        ),
                        rx.foreach(
                            q.companies,
                            lambda t: tag_badge(
                                t.name, href="/questions?company=" + t.slug, color="teal"
                            ),
                        ),
                        wrap="wrap",
                        spacing="2",
                    ),
                    rx.hstack(
                        rx.button(
                            rx.cond(
                                SessionState.saved_ids.contains(q.id),
                                rx.icon("bookmark-check"),
                                rx.icon("bookmark"),
                            ),
                            rx.cond(
                                SessionState.saved_ids.contains(q.id), "Saved", "Save to practise"
                            ),
                            variant=rx.cond(
                                SessionState.saved_ids.contains(q.id), "solid", "outline"
                            ),
                            on_click=SessionState.toggle_saved(q.id),
                            id="save-question",
                        ),
                        rx.link(
                            rx.button(rx.icon("notebook-pen"), "Plan your answer"),
                            href="/plan/" + q.id.to_string(),
                            id="plan-answer",
                        ),
                        rx.link(
                            rx.button(rx.icon("video"), "Practise on camera", variant="soft"),
                            href="/practice/" + q.id.to_string(),
                            id="practice-answer",
                        ),
                        rx.link(
                            rx.button(rx.icon("users"), "Community answers", variant="soft"),
                            href="/community/" + q.id.to_string(),
                            id="community-link",
                        ),
                        rx.cond(
                            SessionState.is_authenticated,
                            rx.button(
                                rx.icon("calendar-plus"),
                                "Add to today's plan",
                                variant="soft",
                                color_scheme="gray",
                                on_click=ScheduleState.add_question(q.id),
                                id="add-to-plan",
                            ),
                        ),
                        # Five actions don't fit a phone's width on one line.
                        wrap="wrap",
                        spacing="2",
                        id="question-actions",
                    ),
                    rx.cond(q.kind == "common", common_question_notice(q.answer_structure)),
                    _guidance("Why interviewers ask it", "circle-help", q.why_asked),
                    _guidance("What a strong answer shows", "trophy", q.strong_answer),
                    rx.cond(
                        QuestionDetailState.related.length() > 0,
                        rx.vstack(
                            rx.heading("Related questions", size="4", as_="h2"),
                            rx.foreach(QuestionDetailState.related, lambda r: question_card(r)),
                            width="100%",
                            spacing=SPACE["tight"],
                        ),
                    ),
                    spacing=SPACE["normal"],
                    width="100%",
                    align="stretch",
                ),
                rx.center(rx.spinner(size="3"), padding="4em"),
            ),
        ),
    )
