"""Friendly error pages."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state
from prepple.components.layout import page_layout


def not_found_page() -> rx.Component:
    """404: say so plainly and offer a way on."""
    return page_layout(
        empty_state(
            "map-pin-off",
            "We couldn't find that page",
            "The link may be old or mistyped. The question bank is a good place to start.",
            rx.hstack(
                rx.link(rx.button("Browse questions"), href=routes.QUESTIONS),
                rx.link(rx.button("Home", variant="soft"), href=routes.HOME),
            ),
            id="not-found",
        )
    )
