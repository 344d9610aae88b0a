"""Empty states, access notices and loading placeholders."""

from __future__ import annotations

import reflex as rx

from prepple.components.theme import SPACE, STATUS, TEXT


def muted(*children, size: str = TEXT["small"], **props) -> rx.Component:
    """Secondary text: small and grey."""
    return rx.text(*children, size=size, color=rx.color(STATUS["muted"], 11), **props)


def error_line(message, id_: str) -> rx.Component:
    """A form's or panel's error, read out when it appears; shown only while ``message`` (a
    string Var) is not empty."""
    return rx.cond(
        message != "",
        rx.text(message, color=rx.color(STATUS["error"], 11), size="2", role="alert", id=id_),
    )


def empty_state(
    icon: str, title: str, body: str, action: rx.Component | None = None, *, id: str = "empty-state"
) -> rx.Component:  # noqa: A002
    """What a list shows when it has nothing, with the next step to take."""
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color(STATUS["muted"], 9)),
            rx.heading(title, size="4"),
            rx.text(
                body,
                color=rx.color(STATUS["muted"], 11),
                text_align="center",
                size=TEXT["body"],
                max_width="36em",
            ),
            action or rx.fragment(),
            align="center",
            spacing=SPACE["normal"],
        ),
        padding_y="3em",
        width="100%",
        id=id,
    )


def access_denied(message: str = "You don't have access to this page.") -> rx.Component:
    """Shown when a signed-in user opens a page their roles don't allow."""
    return empty_state(
        "shield-alert",
        "Not for this account",
        message,
        rx.link(rx.button("Back to questions", variant="soft"), href="/questions"),
        id="access-denied",
    )


def loading_rows(count: int = 3) -> rx.Component:
    """Placeholder rows while a list loads."""
    return rx.vstack(
        *[rx.skeleton(rx.box(height="4.5em", width="100%")) for _ in range(count)],
        width="100%",
        spacing=SPACE["tight"],
    )


def feedback_item(it) -> rx.Component:
    """One item of the planner's feedback (a dict var with ``severity``, ``dimension``,
    ``message``, ``suggestion`` and ``sentence``): what to change, and the sentence it is about."""
    return rx.box(
        rx.hstack(
            rx.badge(
                it["severity"],
                color_scheme=rx.match(
                    it["severity"],
                    ("high", STATUS["error"]),
                    ("medium", STATUS["warn"]),
                    STATUS["muted"],
                ),
                size="1",
            ),
            rx.text(it["dimension"], size="1", color=rx.color(STATUS["muted"], 10)),
            spacing="2",
        ),
        rx.text(it["message"], size="2", weight="medium"),
        rx.text(it["suggestion"], size="2", color=rx.color(STATUS["muted"], 11)),
        rx.cond(it["sentence"] != "", rx.blockquote(it["sentence"], size="1")),
        class_name="feedback-item",
        width="100%",
    )
