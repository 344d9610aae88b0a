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
            class_name=class_name + " media-player",
            preload="metadata",
            **ids,
        ),
        rx.el.audio(
            src=url,
            controls=True,
            preload="metadata",
            width="100%",
            style={"maxWidth": "100%"},
            **ids,
        ),
    )


def transcript_token(t, *, seekable: bool = True) -> rx.Component:
    """One word (fillers marked) or a long pause of a transcript, followed by a real space.

    The space is a text node between the words, not a margin: without it the browser sees one
    unbreakable "word" (the line can't wrap and the page grows thousands of pixels wide) and
    copying the transcript gives "Thistermkeptfailing". ``seekable`` words are buttons that
    ``prepple_recorder.js`` seeks the page's ``#result-player`` to."""
    # Only the marked moments (fillers, long pauses) are Tab stops: with every word one, a
    # 3-minute answer put ~450 stops between the keyboard and the rest of the page. Plain
    # words still play on click (and on Enter when focused some other way).
    seek = (
        {
            "custom_attrs": {"data-seek": t.start, "data-section": t.section},
            "tab_index": rx.cond(t.kind == "word", -1, 0),
        }
        if seekable
        else {"custom_attrs": {"data-section": t.section}}
    )
    role = {"role": "button"} if seekable else {}
    return rx.fragment(
        rx.cond(
            t.kind == "pause",
            rx.el.span(
                t.text,
                class_name="tx-pause",
                title="Long pause",
                **role,
                **seek,
            ),
            rx.el.span(
                t.text,
                class_name="tx-word tx-" + t.kind,
                title=rx.cond(t.kind == "filler", "Filler word", ""),
                **role,
                **seek,
            ),
        ),
        " ",
    )


def transcript(tokens, *, id_: str | None = "transcript", seekable: bool = True) -> rx.Component:
    """A whole transcript: words that wrap like prose, fillers and long pauses marked; click a
    word to hear it (when the page has a ``#result-player``)."""
    ids = {"id": id_} if id_ else {}
    return rx.el.div(
        rx.foreach(tokens, lambda t: transcript_token(t, seekable=seekable)),
        class_name="transcript",
        **ids,
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


def pace_chart(series, *, id_: str = "pace-chart") -> rx.Component:
    """Words per minute over the recording (``series``: ``{"t": minutes, "wpm": n}`` points),
    with the comfortable 130-160 band shaded."""
    return rx.card(
        rx.vstack(
            rx.text("Pace over time", weight="bold", size="2"),
            rx.recharts.line_chart(
                rx.recharts.reference_area(y1=130, y2=160, fill="var(--grass-4)", fill_opacity=0.6),
                rx.recharts.line(
                    data_key="wpm", stroke="var(--accent-9)", dot=False, is_animation_active=False
                ),
                rx.recharts.x_axis(data_key="t", unit=" min", type_="number"),
                rx.recharts.y_axis(unit=" wpm", width=70),
                rx.recharts.graphing_tooltip(),
                data=series,
                height=180,
                width="100%",
            ),
            rx.text(
                "The green band is the comfortable 130 to 160 words per minute.",
                size="2",
                color=rx.color("gray", 11),
            ),
            width="100%",
            spacing="1",
        ),
        width="100%",
        id=id_,
    )
