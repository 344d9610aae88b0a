"""Component gallery, for designers (admins only): the app's own components with realistic
sample data, in light or dark, at a laptop's or a phone's width.

Every exhibit calls the same function the pages call (``components/media.py``, ``sharing.py``,
``feedback.py``, ``questions.py``, ``forms.py``, the recorder in ``pages/practice.py``), so a
change to a component or to a token in ``components/theme.py`` shows on all of them at once.
The accent and radius pickers try another token value on the whole gallery before it is
written into ``theme.py``. Add a component to ``prepple/components`` and an exhibit here.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_radix.themes.base import Theme

from prepple import routes
from prepple.components.feedback import access_denied, empty_state, feedback_item, loading_rows
from prepple.components.forms import form_alert, form_field, submit_button
from prepple.components.layout import page_layout
from prepple.components.media import (
    pace_chart,
    score_meter,
    tip_callout,
    transcript,
)
from prepple.components.questions import difficulty_badge, question_card, tag_badge
from prepple.components.sharing import owner_feedback, share_panel
from prepple.components.theme import ACCENT, DIFFICULTY_COLOR, GRAY, RADIUS, STATUS
from prepple.pages.practice import recorder
from prepple.state.gallery import ACCENTS, RADII, GalleryState
from prepple.state.session import SessionState


class PreviewTheme(Theme):
    """A nested Radix theme whose ``appearance`` reaches the browser (Reflex's ``rx.theme``
    drops it, expecting only the root theme to set it), so the gallery can force light or
    dark on its exhibits."""

    def _render(self, props=None):
        tag = super()._render(props)
        return tag.add_props(appearance=self.appearance) if self.appearance is not None else tag


#: The recorder's phases (prepple_recorder.js sets them on #recorder[data-phase]).
PHASES = ("off", "preview", "countdown", "recording", "review", "uploading", "saved")


def _exhibit(name: str, *children: rx.Component, note: str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.code(name),
                rx.cond(note != "", rx.text(note, size="1", color=rx.color("gray", 11))),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="gallery-exhibit",
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
        spacing="3",
    )


def _picker(label: str, id_: str, options, value, on_change) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=id_, class_name="rec-label"),
        rx.el.select(
            *[rx.el.option(text, value=v) for v, text in options],
            value=value,
            on_change=on_change,
            id=id_,
            class_name="prepple-select",
        ),
        spacing="1",
    )


def _controls() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.el.span("Appearance", class_name="rec-label"),
                rx.segmented_control.root(
                    rx.segmented_control.item("As the page", value="inherit"),
                    rx.segmented_control.item("Light", value="light"),
                    rx.segmented_control.item("Dark", value="dark"),
                    value=GalleryState.appearance,
                    on_change=GalleryState.set_appearance,
                    id="gallery-appearance",
                    size="1",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.el.span("Width", class_name="rec-label"),
                rx.segmented_control.root(
                    rx.segmented_control.item("Laptop", value="laptop"),
                    rx.segmented_control.item("Phone (390 px)", value="phone"),
                    value=GalleryState.frame,
                    on_change=GalleryState.set_frame,
                    id="gallery-frame",
                    size="1",
                ),
                spacing="1",
            ),
            _picker(
                "Try an accent",
                "gallery-accent",
                [("", f"{ACCENT} (theme.py)"), *[(a, a) for a in ACCENTS if a != ACCENT]],
                GalleryState.accent,
                GalleryState.set_accent,
            ),
            _picker(
                "Try a radius",
                "gallery-radius",
                [("", f"{RADIUS} (theme.py)"), *[(r, r) for r in RADII if r != RADIUS]],
                GalleryState.radius,
                GalleryState.set_radius,
            ),
            spacing="4",
            wrap="wrap",
            align="end",
        ),
        width="100%",
    )


def _recorder_phases() -> rx.Component:
    """The real recorder, shown in one phase at a time (its CSS keys on #recorder, so there
    is one); the buttons set the phase the script would."""
    return rx.vstack(
        rx.flex(
            *[
                rx.button(
                    phase,
                    size="1",
                    variant="soft",
                    type="button",
                    class_name="gallery-phase",
                    on_click=rx.call_script(
                        f"document.getElementById('recorder').setAttribute('data-phase', '{phase}')"
                    ),
                )
                for phase in PHASES
            ],
            spacing="2",
            wrap="wrap",
        ),
        rx.box(recorder(), width="100%", max_width="40em"),
        width="100%",
        spacing="3",
    )


def _exhibits() -> rx.Component:
    return rx.vstack(
        _exhibit("theme tokens", _swatches()),
        _exhibit(
            "transcript",
            transcript(GalleryState.tokens),
            note="Fillers and long pauses marked; on a results page a click plays the word.",
        ),
        _exhibit("score_meter", rx.foreach(GalleryState.scores, score_meter)),
        _exhibit("tip_callout", rx.foreach(GalleryState.tips, lambda t: tip_callout(t))),
        _exhibit("pace_chart", pace_chart(GalleryState.pace_series, id_="gallery-pace-chart")),
        _exhibit(
            "feedback_item (planner)",
            rx.vstack(rx.foreach(GalleryState.items, feedback_item), spacing="3", width="100%"),
        ),
        _exhibit(
            "share_panel",
            share_panel(GalleryState),
            note="Samples: nothing is shared from here.",
        ),
        _exhibit("owner_feedback", owner_feedback(GalleryState)),
        _exhibit("recorder", _recorder_phases()),
        _exhibit(
            "question_card",
            question_card(GalleryState.sample),
            question_card(GalleryState.sample, saved=True, on_toggle_save=rx.toast.info("toggle")),
        ),
        _exhibit(
            "tag_badge / difficulty_badge",
            rx.hstack(
                tag_badge("Leadership", color="iris"),
                tag_badge("Amazon", color="teal"),
                *[difficulty_badge(d) for d in DIFFICULTY_COLOR],
                wrap="wrap",
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
    )


@rx.page(
    route=routes.GALLERY,
    title="Component gallery - Prepple",
    on_load=[SessionState.refresh_viewer, GalleryState.load],
)
def gallery_page() -> rx.Component:
    """The app's components with sample data, under the preview controls."""
    return page_layout(
        rx.cond(
            GalleryState.allowed,
            rx.vstack(
                rx.heading("Component gallery", size="7", as_="h1"),
                rx.text(
                    "The app's own components with sample data. Edit a token in "
                    "components/theme.py (or try one below) and every exhibit changes. Page "
                    "grids follow the window's width: narrow the window to see them stack.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                _controls(),
                PreviewTheme.create(
                    rx.box(
                        _exhibits(),
                        width="100%",
                        max_width=rx.cond(GalleryState.frame == "phone", "390px", "100%"),
                        margin_x="auto",
                        padding="3",
                        id="gallery-frame-box",
                    ),
                    appearance=GalleryState.appearance,
                    accent_color=rx.cond(GalleryState.accent != "", GalleryState.accent, ACCENT),
                    radius=rx.cond(GalleryState.radius != "", GalleryState.radius, RADIUS),
                    gray_color=GRAY,
                    has_background=True,
                    panel_background="solid",
                    id="gallery-preview",
                    width="100%",
                    border_radius="var(--radius-4)",
                ),
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
