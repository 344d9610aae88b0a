"""Component gallery: every shared component with sample data, for designers (admins only).

Add a component to ``prepple/components`` and a row here; change a token in
``components/theme.py`` and see it everywhere at once.
"""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import access_denied, empty_state, loading_rows
from prepple.components.forms import form_alert, form_field, submit_button
from prepple.components.layout import page_layout
from prepple.components.questions import difficulty_badge, question_card, tag_badge
from prepple.components.theme import ACCENT, DIFFICULTY_COLOR, GRAY, STATUS
from prepple.state.gallery import GalleryState
from prepple.state.session import SessionState


def _exhibit(name: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.code(name), *children, spacing="3", width="100%"),
        width="100%",
    )


def _swatches() -> rx.Component:
    scales = [ACCENT, GRAY, *STATUS.values()]
    return rx.flex(
        *[
            rx.vstack(
                rx.box(
                    width="3em",
                    height="2em",
                    background=rx.color(s, 9),
                    border_radius="var(--radius-2)",
                ),
                rx.text(s, size="1"),
                align="center",
                spacing="1",
            )
            for s in scales
        ],
        wrap="wrap",
        gap="3",
    )


@rx.page(
    route=routes.GALLERY,
    title="Component gallery - Prepple",
    on_load=[SessionState.refresh_viewer, GalleryState.load],
)
def gallery_page() -> rx.Component:
    """All shared components on one page."""
    return page_layout(
        rx.cond(
            GalleryState.allowed,
            rx.vstack(
                rx.heading("Component gallery", size="7", as_="h1"),
                _exhibit("theme tokens", _swatches()),
                _exhibit(
                    "question_card",
                    question_card(GalleryState.sample),
                    question_card(
                        GalleryState.sample, saved=True, on_toggle_save=rx.toast.info("toggle")
                    ),
                ),
                _exhibit(
                    "tag_badge / difficulty_badge",
                    rx.hstack(
                        tag_badge("Leadership", color="iris"),
                        tag_badge("Amazon", color="teal"),
                        *[difficulty_badge(d) for d in DIFFICULTY_COLOR],
                    ),
                ),
                _exhibit(
                    "form_field (with error) / form_alert / submit_button",
                    rx.vstack(
                        form_alert(GalleryState.sample_message, kind="ok", id="gallery-alert"),
                        form_field("E-mail", "email", errors=GalleryState.sample_errors),
                        submit_button("Submit", id="gallery-submit"),
                        width="100%",
                        max_width="28em",
                    ),
                ),
                _exhibit(
                    "empty_state",
                    empty_state(
                        "inbox",
                        "Nothing here yet",
                        "What to do next goes here.",
                        id="gallery-empty",
                    ),
                ),
                _exhibit("loading_rows", loading_rows(2)),
                _exhibit("access_denied", access_denied()),
                width="100%",
                spacing="4",
            ),
            rx.cond(
                SessionState.is_authenticated,
                access_denied(),
                rx.center(rx.spinner(size="3"), padding="4em"),
            ),
        ),
    )
