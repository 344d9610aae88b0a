"""The progress dashboard (/progress): counts, streak, charts of scores and attempts,
per-competency and per-company averages, and the feedback that keeps coming back."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state
from prepple.components.layout import page_layout
from prepple.components.theme import STATUS, TEXT
from prepple.state.progress import SERIES, ProgressState
from prepple.state.session import SessionState


def _stat(label: str, value, id_: str, icon: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.icon(icon, size=22, color=rx.color("accent", 9)),
            rx.vstack(
                rx.text(label, size=TEXT["small"], color=rx.color(STATUS["muted"], 11)),
                rx.text(value, size="6", weight="bold", id=id_),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        width="100%",
    )


def _scores_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Scores over time", weight="bold"),
                rx.hstack(
                    rx.el.select(
                        rx.foreach(
                            ProgressState.scopes,
                            lambda o: rx.el.option(o["label"], value=o["value"]),
                        ),
                        value=ProgressState.scope,
                        on_change=ProgressState.set_scope,
                        id="scope-picker",
                        aria_label="Questions to chart",
                        class_name="prepple-select",
                    ),
                    rx.el.select(
                        *[rx.el.option(label, value=key) for key, label in SERIES.items()],
                        value=ProgressState.measure,
                        on_change=ProgressState.set_measure,
                        id="measure-picker",
                        aria_label="Score to chart",
                        class_name="prepple-select",
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.recharts.line_chart(
                rx.recharts.line(
                    data_key=ProgressState.measure,
                    stroke="var(--accent-9)",
                    stroke_width=2,
                    connect_nulls=True,
                    is_animation_active=False,
                ),
                rx.recharts.x_axis(data_key="day"),
                rx.recharts.y_axis(domain=[0, 100], width=40),
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-5)"),
                rx.recharts.graphing_tooltip(),
                data=ProgressState.points,
                height=240,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="scores-chart",
        data_points=ProgressState.points.length().to_string(),
    )


def _weeks_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Practice answers per week", weight="bold"),
            rx.recharts.bar_chart(
                rx.recharts.bar(
                    data_key="attempts", fill="var(--accent-9)", is_animation_active=False
                ),
                rx.recharts.x_axis(data_key="week"),
                rx.recharts.y_axis(allow_decimals=False, width=30),
                rx.recharts.graphing_tooltip(),
                data=ProgressState.weeks,
                height=200,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="weeks-chart",
    )


def _group_table(title: str, rows, id_: str, empty: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(title, weight="bold"),
            rx.cond(
                rows.length() > 0,
                rx.vstack(
                    rx.foreach(
                        rows,
                        lambda g: rx.vstack(
                            rx.hstack(
                                rx.text(g.name, size=TEXT["small"]),
                                rx.text(
                                    g.average.to_string()
                                    + " · "
                                    + g.questions.to_string()
                                    + rx.cond(g.questions == 1, " question", " questions"),
                                    size=TEXT["small"],
                                    color=rx.color(STATUS["muted"], 11),
                                ),
                                justify="between",
                                width="100%",
                            ),
                            rx.progress(value=g.average, max=100),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    empty,
                    size=TEXT["small"],
                    color=rx.color(STATUS["muted"], 11),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=id_,
    )


def _themes() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("What the feedback keeps saying", weight="bold"),
            rx.cond(
                ProgressState.recurring.length() > 0,
                rx.vstack(
                    rx.foreach(
                        ProgressState.recurring,
                        lambda t: rx.hstack(
                            rx.icon("repeat", size=14, color=rx.color("amber", 10)),
                            rx.text(t.label),
                            rx.text(
                                "in " + t.recent.to_string() + " of your last 3 answers",
                                size=TEXT["small"],
                                color=rx.color(STATUS["muted"], 11),
                            ),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    spacing="2",
                    id="recurring",
                ),
                rx.text(
                    "Nothing keeps coming back. Keep practising.",
                    size=TEXT["small"],
                    color=rx.color(STATUS["muted"], 11),
                ),
            ),
            rx.cond(
                ProgressState.resolved.length() > 0,
                rx.vstack(
                    rx.text("Fixed lately", weight="medium", size=TEXT["small"]),
                    rx.foreach(
                        ProgressState.resolved,
                        lambda t: rx.hstack(
                            rx.icon("circle-check", size=14, color=rx.color("grass", 10)),
                            rx.text(t.label),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    spacing="2",
                    id="resolved",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@rx.page(
    route=routes.PROGRESS,
    title="Your progress - Prepple",
    on_load=[SessionState.refresh_viewer, ProgressState.load],
)
def progress_page() -> rx.Component:
    """How preparation is going."""
    return page_layout(
        rx.heading("Your progress", size="7", as_="h1"),
        rx.cond(
            ProgressState.loaded & ProgressState.empty,
            empty_state(
                "chart-line",
                "Nothing to chart yet",
                "Plan an answer or practise one on camera; your scores and streak show here.",
                rx.hstack(
                    rx.link(rx.button("Practise now"), href=routes.PRACTICE),
                    rx.link(rx.button("Browse questions", variant="soft"), href=routes.QUESTIONS),
                    spacing="3",
                ),
                id="progress-empty",
            ),
            rx.vstack(
                rx.grid(
                    _stat("Answers planned", ProgressState.planned, "stat-planned", "notebook-pen"),
                    _stat(
                        "Questions practised", ProgressState.practised, "stat-practised", "video"
                    ),
                    _stat(
                        "Practice answers", ProgressState.attempts, "stat-attempts", "list-checks"
                    ),
                    _stat(
                        "Day streak",
                        ProgressState.streak.to_string()
                        + " (best "
                        + ProgressState.best_streak.to_string()
                        + ")",
                        "stat-streak",
                        "flame",
                    ),
                    columns=rx.breakpoints(initial="2", md="4"),
                    spacing="3",
                    width="100%",
                ),
                rx.grid(
                    _scores_chart(),
                    _weeks_chart(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                rx.grid(
                    _group_table(
                        "By competency",
                        ProgressState.competencies,
                        "by-competency",
                        "Scores appear here after your first practice answer.",
                    ),
                    _group_table(
                        "By company",
                        ProgressState.companies,
                        "by-company",
                        "None of the questions you practised is tagged with a company yet. "
                        "Practise a company's set from the Practice page.",
                    ),
                    _themes(),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
