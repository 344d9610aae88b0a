"""The recording player and the transcript's clickable words, shared by the results page, the
shared-answer page and the side-by-side view. ``prepple_recorder.js`` seeks ``#result-player``
to any element's ``data-seek`` seconds on click or Enter."""

from __future__ import annotations

import reflex as rx


def media_player(
    has_video, url, *, id_: str | None = "result-player", class_name: str = "rec-video"
) -> rx.Component:
    """A video player, or an audio player for audio-only recordings. Only the page's main
    player has the id that clicks on ``data-seek`` elements drive."""
    ids = {"id": id_} if id_ else {}
    return rx.cond(
        has_video,
        rx.el.video(
            src=url,
            controls=True,
            plays_inline=True,
            class_name=class_name,
            preload="metadata",
            **ids,
        ),
        rx.el.audio(src=url, controls=True, preload="metadata", width="100%", **ids),
    )


def transcript_token(t) -> rx.Component:
    """One word (fillers marked) or a long pause of a transcript; click to hear it."""
    return rx.cond(
        t.kind == "pause",
        rx.el.span(
            "⏸ " + t.text,
            class_name="tx-pause",
            custom_attrs={"data-seek": t.start},
            role="button",
            tab_index=0,
        ),
        rx.el.span(
            t.text,
            class_name="tx-word tx-" + t.kind,
            custom_attrs={"data-seek": t.start, "data-section": t.section},
            role="button",
            tab_index=0,
            title=rx.cond(t.kind == "filler", "Filler word", ""),
        ),
    )


def tip_callout(t, *extra: rx.Component, **props) -> rx.Component:
    """One tip of the AI's feedback, coloured by severity, with "Play" when it points at a
    moment; ``extra`` goes underneath (e.g. agree / disagree)."""
    line = rx.hstack(
        rx.text(t.message),
        rx.cond(
            t.at != "",
            rx.button(
                "Play", size="1", variant="ghost", custom_attrs={"data-seek": t.at}, type="button"
            ),
        ),
        justify="between",
        width="100%",
        align="center",
    )
    return rx.callout(
        rx.vstack(line, *extra, spacing="2", width="100%") if extra else line,
        icon=rx.match(t.severity, ("high", "triangle-alert"), ("medium", "info"), "lightbulb"),
        color_scheme=rx.match(t.severity, ("high", "tomato"), ("medium", "amber"), "grass"),
        size="1",
        **props,
    )


def score_meter(s) -> rx.Component:
    """A named 0-100 score with its bar."""
    return rx.vstack(
        rx.hstack(
            rx.text(s.name, size="2"),
            rx.text(s.value.to_string(), size="2", weight="bold"),
            justify="between",
            width="100%",
        ),
        rx.progress(value=s.value, max=100),
        spacing="1",
        width="100%",
    )
