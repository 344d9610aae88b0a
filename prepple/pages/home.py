"""The landing page."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.layout import page_layout
from prepple.components.theme import SPACE, STATUS, TEXT
from prepple.state.session import SessionState

_STEPS = [
    (
        "library",
        "Find the questions",
        "Hundreds of behavioral questions by competency and by "
        "company, with why they're asked and what a strong answer shows.",
    ),
    (
        "list-checks",
        "Plan in STAR, CARL or SOAR",
        "Shape each story so it's easy to follow, with instant feedback on what's missing.",
    ),
    ("video", "Practise on camera", "Answer out loud; see your pace, filler words and structure."),
]


@rx.page(
    route=routes.HOME,
    title="Prepple - prepare for behavioral interviews",
    on_load=SessionState.refresh_viewer,
)
def home_page() -> rx.Component:
    """Hero, what Prepple does, and the way in."""
    return page_layout(
        rx.vstack(
            rx.heading("Walk into your behavioral interview ready.", size="9", as_="h1"),
            rx.text(
                "Prepple helps you find the questions you'll be asked, plan answers that "
                "land, and practise them out loud until they sound like you.",
                size=TEXT["lead"],
                color=rx.color(STATUS["muted"], 11),
            ),
            rx.hstack(
                rx.link(
                    rx.button("Browse questions", size="4", id="cta-questions"),
                    href=routes.QUESTIONS,
                ),
                rx.cond(
                    ~SessionState.is_authenticated,
                    rx.link(
                        rx.button("Create a free account", size="4", variant="outline"),
                        href=routes.REGISTER,
                    ),
                ),
                wrap="wrap",
                spacing=SPACE["normal"],
            ),
            spacing=SPACE["normal"],
            padding_y="2em",
        ),
        rx.grid(
            *[
                rx.card(
                    rx.vstack(
                        rx.icon(icon, size=28),
                        rx.heading(title, size="4", as_="h2"),
                        rx.text(body, color=rx.color(STATUS["muted"], 11)),
                        spacing="2",
                    )
                )
                for icon, title, body in _STEPS
            ],
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
        ),
    )
