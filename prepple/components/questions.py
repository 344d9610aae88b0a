"""Question cards and tags."""

from __future__ import annotations

import reflex as rx

from prepple.components.theme import DIFFICULTY_COLOR, SPACE, TEXT


def tag_badge(name, *, href=None, color: str = "gray") -> rx.Component:
    """A competency or company tag; a link when ``href`` is given."""
    badge = rx.badge(name, color_scheme=color, variant="soft", radius="full", size="1")
    return rx.link(badge, href=href, underline="none") if href is not None else badge


def difficulty_badge(level) -> rx.Component:
    """easy / medium / hard, colored."""
    return rx.match(
        level,
        *[
            (k, rx.badge(k, color_scheme=c, variant="outline", size="1"))
            for k, c in DIFFICULTY_COLOR.items()
        ],
        rx.badge(level, variant="outline", size="1"),
    )


def kind_badge(kind) -> rx.Component:
    """ "Common question" for the non-behavioral classics; nothing for behavioral ones."""
    return rx.cond(
        kind == "common",
        rx.badge(
            rx.icon("message-circle-question", size=12),
            "Common question, not behavioral",
            color_scheme="amber",
            variant="soft",
            size="1",
            class_name="kind-common",
        ),
    )


def common_question_notice(structure, *, id_: str = "answer-structure") -> rx.Component:
    """How to answer a common (non-behavioral) question: it has no story, so STAR doesn't fit;
    the question page and the planner both show this."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("signpost")),
        rx.vstack(
            rx.text("Not a behavioral question: STAR doesn't fit", weight="bold"),
            rx.text(
                "There is no single past situation to tell here, so a Situation-Task-Action-"
                "Result story would sound forced. Use this structure instead:",
                size="2",
            ),
            rx.text(structure, size="2", class_name="answer-structure-text"),
            spacing="1",
        ),
        color_scheme="amber",
        id=id_,
        width="100%",
    )


def question_card(question, *, saved=False, on_toggle_save=None) -> rx.Component:
    """A question in a list: text (links to detail), difficulty, competency and company tags.

    ``question`` is a Var (or a dict-like) with ``id``, ``text``, ``difficulty``,
    ``competencies`` and ``companies`` (each a list of ``{slug, name}``).
    """
    save_button = (
        rx.icon_button(
            rx.cond(saved, rx.icon("bookmark-check"), rx.icon("bookmark")),
            variant=rx.cond(saved, "solid", "ghost"),
            size="2",
            on_click=on_toggle_save,
            aria_label=rx.cond(saved, "Remove from practice list", "Save to practice list"),
            title=rx.cond(saved, "Remove from practice list", "Save to practice list"),
        )
        if on_toggle_save is not None
        else rx.fragment()
    )
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.link(
                    rx.text(question.text, size=TEXT["lead"], weight="medium"),
                    href=f"/questions/{question.id}",
                    underline="hover",
                    color="inherit",
                    class_name="question-link",
                ),
                rx.flex(
                    kind_badge(question.kind),
                    difficulty_badge(question.difficulty),
                    rx.foreach(
                        question.competencies,
                        lambda t: tag_badge(
                            t.name, href=f"/questions?competency={t.slug}", color="iris"
                        ),
                    ),
                    rx.foreach(
                        question.companies,
                        lambda t: tag_badge(
                            t.name, href=f"/questions?company={t.slug}", color="teal"
                        ),
                    ),
                    wrap="wrap",
                    spacing="2",
                ),
                spacing=SPACE["tight"],
                align="start",
                width="100%",
            ),
            save_button,
            justify="between",
            align="start",
            width="100%",
            spacing=SPACE["normal"],
        ),
        width="100%",
        class_name="question-card",
    )
