"""Practice on camera: start a session (/practice), answer one question (/practice/<question>),
and see what came across (/recordings/<recording>)."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state, muted
from prepple.components.layout import page_layout
from prepple.components.media import (
    media_player,
    pace_chart,
    score_meter,
    tip_callout,
    transcript,
)
from prepple.components.sharing import owner_feedback, share_panel
from prepple.components.theme import SPACE, STATUS, TEXT
from prepple.services.rules import TARGET_MAX, TARGET_MIN
from prepple.settings import get_settings
from prepple.state.practice import CompareState, PracticeState, RecordingState
from prepple.state.session import SessionState
from prepple.state.sharing import OwnerFeedbackState, ShareState

STEP_LABELS = {
    "uploading": "Uploading",
    "queued": "Waiting for a worker",
    "transcribing": "Transcribing",
    "scoring": "Scoring",
    "done": "Done",
    "failed": "Failed",
}


# ---------------------------------------------------------------------------------------------
# /practice: start a session


@rx.page(
    route=routes.PRACTICE,
    title="Practice - Prepple",
    on_load=[SessionState.refresh_viewer, PracticeState.load_start],
)
def practice_start_page() -> rx.Component:
    """Pick what to practise and how much help to see."""
    return page_layout(
        rx.heading("Practise out loud", size="7", as_="h1"),
        muted(
            "Answer on camera, the way you would in the interview. Each answer is transcribed "
            "and scored for pace, filler words, pauses, length and structure."
        ),
        rx.form(
            rx.vstack(
                rx.el.label("Questions", html_for="practice-source", style={"font_weight": "600"}),
                rx.el.select(
                    rx.el.option("Random questions", value="random"),
                    rx.el.option("My practice list", value="saved"),
                    rx.el.option("Questions I have planned", value="planned"),
                    rx.foreach(
                        PracticeState.companies,
                        lambda c: rx.el.option(c.name + " set", value="company:" + c.slug),
                    ),
                    id="practice-source",
                    class_name="prepple-select",
                    name="source",
                    default_value="random",
                ),
                rx.el.label("How many", html_for="practice-count", style={"font_weight": "600"}),
                rx.el.select(
                    *[rx.el.option(str(n), value=str(n)) for n in (1, 3, 5, 10)],
                    id="practice-count",
                    class_name="prepple-select",
                    name="count",
                    default_value="3",
                ),
                rx.el.label(
                    "Notes while you answer",
                    html_for="practice-cheat",
                    style={"font_weight": "600"},
                ),
                rx.el.select(
                    rx.el.option("Bullets from my plan", value="bullets"),
                    rx.el.option("My full script", value="script"),
                    rx.el.option("No notes", value="none"),
                    id="practice-cheat",
                    class_name="prepple-select",
                    name="cheat_sheet",
                    default_value="bullets",
                ),
                rx.button(rx.icon("video"), "Start practising", type="submit", id="practice-start"),
                spacing="3",
                align="start",
                max_width="28em",
            ),
            on_submit=PracticeState.start_session,
        ),
    )


# ---------------------------------------------------------------------------------------------
# /practice/<question>: the recorder


def _cheat_sheet() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Notes", weight="bold"),
                rx.segmented_control.root(
                    rx.segmented_control.item("Script", value="script"),
                    rx.segmented_control.item("Bullets", value="bullets"),
                    rx.segmented_control.item("None", value="none"),
                    value=PracticeState.cheat_sheet,
                    on_change=PracticeState.set_cheat_sheet,
                    id="cheat-picker",
                    aria_label="Notes while you answer",
                    size="1",
                ),
                justify="between",
                width="100%",
                align="center",
            ),
            rx.cond(
                PracticeState.has_plan,
                rx.match(
                    PracticeState.cheat_sheet,
                    (
                        "script",
                        rx.text(PracticeState.script, id="cheat-script", white_space="pre-wrap"),
                    ),
                    (
                        "bullets",
                        rx.el.ul(
                            rx.foreach(PracticeState.bullets, lambda b: rx.el.li(b)),
                            id="cheat-bullets",
                            class_name="cheat-bullets",
                        ),
                    ),
                    muted("No notes: answer from memory, as in the interview.", id="cheat-none"),
                ),
                rx.vstack(
                    muted(
                        "You haven't planned this answer yet. Plan it first to practise with notes."
                    ),
                    rx.link(
                        "Plan this answer",
                        href="/plan/" + PracticeState.question_id.to_string(),
                        id="cheat-plan-link",
                    ),
                    spacing="1",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _show(phases: str, child: rx.Component, **props) -> rx.Component:
    """A piece of the recorder shown only in the given phases (space-separated)."""
    return rx.box(child, custom_attrs={"data-show": phases}, **props)


def _rec_button(label: str, icon: str, action: str, *, variant: str = "solid", color=None):
    return rx.button(
        rx.icon(icon, size=16),
        label,
        type="button",
        variant=variant,
        color_scheme=color,
        id="rec-" + action,
        custom_attrs={"data-rec-action": action},
    )


def recorder() -> rx.Component:
    """The recorder: preview, countdown, timer, review, save; driven by prepple_recorder.js."""
    settings = get_settings()
    return rx.box(
        rx.callout(
            rx.hstack(
                rx.text("", id="rec-pending-text"),
                rx.button(
                    "Review it",
                    size="1",
                    custom_attrs={"data-rec-action": "restore"},
                    id="rec-restore",
                    type="button",
                ),
                rx.button(
                    "Delete it",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    custom_attrs={"data-rec-action": "drop-pending"},
                    id="rec-drop-pending",
                    type="button",
                ),
                wrap="wrap",
                align="center",
                spacing="2",
            ),
            icon="hard-drive",
            color_scheme="amber",
            id="rec-pending",
            hidden=True,
        ),
        rx.box(
            rx.el.video(
                id="rec-preview",
                muted=True,
                auto_play=True,
                plays_inline=True,
                class_name="rec-video",
                aria_label="Camera preview",
            ),
            rx.el.video(
                id="rec-playback",
                controls=True,
                plays_inline=True,
                class_name="rec-video rec-playback",
                aria_label="Your recording",
            ),
            rx.box(id="rec-countdown", class_name="rec-countdown", aria_live="assertive"),
            rx.box(
                rx.icon("video-off", size=40),
                muted("Camera off"),
                class_name="rec-placeholder",
            ),
            class_name="rec-stage",
        ),
        _show(
            "preview countdown recording",
            rx.hstack(
                rx.icon("mic", size=14, color=rx.color(STATUS["muted"], 10)),
                rx.box(
                    rx.box(id="rec-level-fill", class_name="rec-level-fill"),
                    class_name="rec-level",
                    role="img",
                    aria_label="Microphone level",
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        _show(
            "recording",
            # Shown by prepple_recorder.js when the microphone level stays near zero.
            rx.callout.root(
                rx.callout.icon(rx.icon("mic-off")),
                rx.callout.text(
                    rx.text("We can't hear you: check your microphone.", weight="bold"),
                    " Is it muted, or is another microphone selected? Stop, pick the right "
                    "one and start again.",
                ),
                color_scheme="tomato",
                role="alert",
                id="rec-silence",
                hidden=True,
                width="100%",
            ),
            width="100%",
        ),
        _show(
            "recording",
            rx.vstack(
                rx.hstack(
                    rx.box(class_name="rec-dot"),
                    rx.text("0:00 / 3:00", id="rec-timer", weight="bold"),
                    muted("Aim for 2 to 3 minutes."),
                    align="center",
                    spacing="2",
                ),
                rx.box(rx.box(id="rec-timer-bar", class_name="rec-bar-fill"), class_name="rec-bar"),
                width="100%",
                spacing="1",
            ),
            width="100%",
        ),
        _show(
            "uploading",
            rx.vstack(
                rx.text("Uploading… 0%", id="rec-upload-label"),
                rx.box(
                    rx.box(id="rec-upload-bar", class_name="rec-bar-fill"), class_name="rec-bar"
                ),
                width="100%",
                spacing="1",
            ),
            width="100%",
        ),
        rx.text("", id="rec-status", role="status", aria_live="polite", class_name="rec-status"),
        rx.hstack(
            _show("off", _rec_button("Turn on camera", "video", "enable")),
            _show("preview", _rec_button("Start", "circle-dot", "start", color="tomato")),
            _show("countdown recording", _rec_button("Stop", "square", "stop", color="gray")),
            _show(
                "review",
                rx.button(
                    rx.icon("upload", size=16),
                    "Save and get feedback",
                    type="button",
                    id="rec-save",
                    on_click=rx.call_script(
                        "window.preppleRecorder.info()", callback=PracticeState.begin_upload
                    ),
                ),
            ),
            _show("review", _rec_button("Record again", "rotate-ccw", "retake", variant="soft")),
            _show(
                "review",
                _rec_button("Discard", "trash-2", "discard", variant="ghost", color="gray"),
            ),
            _show("review", muted("Length: ", rx.el.span("0:00", id="rec-length"))),
            wrap="wrap",
            spacing="3",
            align="center",
        ),
        rx.hstack(
            _show(
                "preview",
                rx.vstack(
                    rx.el.label("Camera", html_for="rec-camera", class_name="rec-label"),
                    rx.el.select(id="rec-camera", aria_label="Camera"),
                    spacing="1",
                ),
            ),
            _show(
                "preview",
                rx.vstack(
                    rx.el.label("Microphone", html_for="rec-mic", class_name="rec-label"),
                    rx.el.select(id="rec-mic", aria_label="Microphone"),
                    spacing="1",
                ),
            ),
            _show(
                "off preview",
                rx.el.label(
                    rx.el.input(type="checkbox", id="rec-audio-only"),
                    " Audio only",
                    html_for="rec-audio-only",
                    class_name="rec-check",
                ),
            ),
            wrap="wrap",
            spacing="4",
            align="end",
        ),
        rx.cond(
            ~SessionState.is_authenticated,
            rx.callout(
                "You can record and watch yourself back without an account. To get a transcript "
                "and feedback, log in or sign up when you save: your recording waits in this "
                "browser.",
                icon="info",
                id="rec-visitor-note",
                size="1",
            ),
        ),
        id="recorder",
        class_name="recorder",
        custom_attrs={
            "data-qid": PracticeState.question_id.to_string(),
            "data-cheat": PracticeState.cheat_sheet,
            "data-target-min": str(TARGET_MIN),
            "data-target-max": str(TARGET_MAX),
            "data-max-seconds": str(settings.max_recording_seconds),
        },
    )


def _attempt_row(a) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("video", size=14),
            rx.text(a.created, size=TEXT["small"]),
            rx.text(a.duration, size=TEXT["small"]),
            rx.cond(
                a.overall,
                rx.badge(a.overall.to_string(), variant="soft"),
                rx.badge(a.status, variant="soft", color_scheme="gray"),
            ),
            spacing="3",
            align="center",
        ),
        href="/recordings/" + a.id.to_string(),
    )


@rx.page(
    route=routes.PRACTICE_QUESTION,
    title="Practise an answer - Prepple",
    on_load=[SessionState.refresh_viewer, PracticeState.load],
)
def practice_page() -> rx.Component:
    """Answer one question on camera."""
    return page_layout(
        rx.cond(
            PracticeState.not_found,
            empty_state(
                "file-question",
                "Question not found",
                "Pick a question from the bank to practise.",
                rx.link(rx.button("Browse questions"), href=routes.QUESTIONS),
                id="practice-not-found",
            ),
            rx.vstack(
                rx.hstack(
                    rx.link(
                        "← Question",
                        href="/questions/" + PracticeState.question_id.to_string(),
                        size=TEXT["small"],
                    ),
                    rx.cond(
                        PracticeState.session_label != "",
                        rx.badge(PracticeState.session_label, id="practice-position"),
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.heading(PracticeState.question_text, size="6", as_="h1", id="practice-question"),
                rx.grid(
                    rx.vstack(
                        recorder(),
                        rx.cond(
                            PracticeState.upload_error != "",
                            rx.callout(
                                PracticeState.upload_error,
                                icon="triangle-alert",
                                color_scheme="tomato",
                                id="upload-error",
                            ),
                        ),
                        rx.cond(
                            PracticeState.saved_id & (PracticeState.next_question > 0),
                            rx.hstack(
                                rx.link(
                                    rx.button(rx.icon("arrow-right"), "Next question"),
                                    href="/practice/" + PracticeState.next_question.to_string(),
                                    id="practice-next",
                                ),
                                rx.link(
                                    "See this answer's results",
                                    href="/recordings/" + PracticeState.saved_id.to_string(),
                                ),
                                spacing="4",
                                align="center",
                            ),
                        ),
                        width="100%",
                        spacing="3",
                    ),
                    rx.vstack(
                        _cheat_sheet(),
                        rx.cond(
                            PracticeState.attempts.length() > 0,
                            rx.card(
                                rx.vstack(
                                    rx.text("Earlier attempts", weight="bold"),
                                    rx.foreach(PracticeState.attempts, _attempt_row),
                                    spacing="2",
                                ),
                                width="100%",
                                id="practice-attempts",
                            ),
                        ),
                        width="100%",
                        spacing="3",
                    ),
                    columns=rx.breakpoints(initial="1", md="3fr 2fr"),
                    spacing="5",
                    width="100%",
                ),
                width="100%",
                spacing=SPACE["normal"],
            ),
        ),
    )


# ---------------------------------------------------------------------------------------------
# /recordings/<recording>: results


def _progress() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.spinner(size="2"),
                rx.text(
                    rx.match(
                        RecordingState.status,
                        ("queued", "Waiting for a free worker…"),
                        ("transcribing", "Transcribing what you said… "),
                        ("scoring", "Scoring your delivery…"),
                        "Uploading…",
                    ),
                    rx.cond(
                        RecordingState.status == "transcribing",
                        RecordingState.progress.to_string() + "%",
                        "",
                    ),
                    weight="medium",
                ),
                align="center",
                spacing="3",
            ),
            rx.progress(
                value=rx.match(
                    RecordingState.status,
                    ("queued", 5),
                    ("transcribing", 5 + RecordingState.progress * 0.85),
                    ("scoring", 95),
                    0,
                ),
                max=100,
                width="100%",
            ),
            muted("You can leave this page: the results will be here when you come back."),
            # Reads the status again every 0.7 s while the recording is processed.
            rx.moment(interval=700, on_change=RecordingState.poll, display="none"),
            spacing="3",
            width="100%",
        ),
        id="recording-progress",
        data_status=RecordingState.status,
        width="100%",
    )


def _player() -> rx.Component:
    return media_player(RecordingState.has_video, RecordingState.media_url)


def _timeline() -> rx.Component:
    return rx.vstack(
        rx.text("Structure over time", weight="bold", size=TEXT["small"]),
        rx.box(
            rx.foreach(
                RecordingState.bands,
                lambda b: rx.box(
                    rx.text(b.label, size="1", class_name="band-label"),
                    class_name="band",
                    custom_attrs={"data-seek": b.start},
                    role="button",
                    tab_index=0,
                    title=b.label,
                    style={
                        "left": b.left,
                        "width": b.width,
                        "background": "var(--" + b.color + "-5)",
                    },
                ),
            ),
            class_name="band-track",
            id="section-bands",
        ),
        width="100%",
        spacing="1",
    )


def _results() -> rx.Component:
    return rx.grid(
        rx.vstack(
            _player(),
            rx.cond(RecordingState.bands.length() > 0, _timeline()),
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.text("Transcript", weight="bold"),
                        muted(
                            "Click a word to hear it. Fillers and long pauses are marked; "
                            "Tab goes from one to the next."
                        ),
                        justify="between",
                        width="100%",
                        wrap="wrap",
                    ),
                    transcript(RecordingState.tokens),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            width="100%",
            spacing="3",
        ),
        rx.vstack(
            rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.text("Delivery", weight="bold"),
                        rx.badge(
                            RecordingState.overall.to_string() + " / 100",
                            size="2",
                            id="delivery-overall",
                        ),
                        justify="between",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.vstack(
                            muted("Words per minute"),
                            rx.text(RecordingState.wpm, size="5", weight="bold", id="stat-wpm"),
                            spacing="0",
                        ),
                        rx.vstack(
                            muted("Fillers per minute"),
                            rx.text(
                                RecordingState.fillers_per_minute,
                                size="5",
                                weight="bold",
                                id="stat-fillers",
                            ),
                            spacing="0",
                        ),
                        rx.vstack(
                            muted("Length"),
                            rx.text(RecordingState.duration, size="5", weight="bold"),
                            spacing="0",
                        ),
                        spacing="5",
                        wrap="wrap",
                    ),
                    rx.foreach(RecordingState.scores, score_meter),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
                id="delivery-scores",
            ),
            rx.cond(
                RecordingState.pace_series.length() > 1,
                pace_chart(RecordingState.pace_series),
            ),
            rx.vstack(
                rx.foreach(RecordingState.tips, lambda t: tip_callout(t)),
                width="100%",
                spacing="2",
                id="tips",
            ),
            width="100%",
            spacing="3",
        ),
        # minmax(0, ..): a column may shrink below its content's width (a long transcript line
        # or a wide video must not widen the page); one column on a phone.
        columns=rx.breakpoints(initial="minmax(0, 1fr)", md="minmax(0, 3fr) minmax(0, 2fr)"),
        spacing="5",
        width="100%",
        class_name="results-grid",
    )


def _change(c) -> rx.Component:
    return rx.table.row(
        rx.table.cell(c.name),
        rx.table.cell(c.before),
        rx.table.cell(c.after),
        rx.table.cell(
            rx.badge(
                c.delta,
                color_scheme=rx.cond(
                    c.delta == "same", "gray", rx.cond(c.better, "grass", "tomato")
                ),
                variant="soft",
            )
        ),
    )


def changes_table(changes, before: str, after: str) -> rx.Component:
    """Figures of two attempts with their change (the results page and side by side)."""
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(""),
                rx.table.column_header_cell(before),
                rx.table.column_header_cell(after),
                rx.table.column_header_cell("Change"),
            )
        ),
        rx.table.body(rx.foreach(changes, _change)),
        size="1",
        width="100%",
    )


def _comparison() -> rx.Component:
    return rx.cond(
        RecordingState.changes.length() > 0,
        rx.card(
            rx.vstack(
                rx.text(
                    "Compared with your attempt of ", RecordingState.compared_with, weight="bold"
                ),
                changes_table(RecordingState.changes, "Before", "Now"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="attempt-comparison",
        ),
    )


def _attempt_compare_row(a) -> rx.Component:
    return rx.hstack(
        _attempt_row(a),
        rx.cond(
            (a.status == "done") & (RecordingState.status == "done"),
            rx.link(
                "Compare side by side",
                href="/compare/" + a.id.to_string() + "/" + RecordingState.recording_id.to_string(),
                size=TEXT["small"],
                class_name="compare-link",
            ),
        ),
        spacing="4",
        align="center",
        wrap="wrap",
    )


def _attempts() -> rx.Component:
    return rx.cond(
        RecordingState.attempts.length() > 0,
        rx.card(
            rx.vstack(
                rx.text("Your other attempts at this question", weight="bold"),
                rx.foreach(RecordingState.attempts, _attempt_compare_row),
                spacing="2",
            ),
            width="100%",
            id="recording-attempts",
        ),
    )


@rx.page(
    route=routes.RECORDING,
    title="Your practice answer - Prepple",
    on_load=[
        SessionState.refresh_viewer,
        RecordingState.load,
        ShareState.load,
        OwnerFeedbackState.load,
    ],
)
def recording_page() -> rx.Component:
    """A recording's progress and then its results."""
    return page_layout(
        rx.cond(
            RecordingState.not_found,
            empty_state(
                "file-question",
                "Recording not found",
                "It may have been deleted, or it belongs to someone else.",
                rx.link(rx.button("Practise a question"), href=routes.PRACTICE),
                id="recording-not-found",
            ),
            rx.vstack(
                rx.link(
                    "← Practise this question again",
                    href="/practice/" + RecordingState.question_id.to_string(),
                    size=TEXT["small"],
                    id="practice-again",
                ),
                rx.heading(RecordingState.question_text, size="6", as_="h1"),
                rx.hstack(
                    muted(RecordingState.created),
                    rx.cond(
                        RecordingState.cheat_sheet != "",
                        rx.badge(RecordingState.cheat_sheet, variant="soft"),
                    ),
                    rx.badge(
                        rx.match(
                            RecordingState.status,
                            *[(k, v) for k, v in STEP_LABELS.items()],
                            RecordingState.status,
                        ),
                        id="recording-status",
                        color_scheme=rx.match(
                            RecordingState.status, ("done", "grass"), ("failed", "tomato"), "blue"
                        ),
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(RecordingState.is_active, _progress()),
                rx.cond(
                    RecordingState.status == "failed",
                    rx.callout(
                        rx.vstack(
                            rx.text(RecordingState.failure_reason, id="failure-reason"),
                            rx.hstack(
                                rx.button(
                                    "Process it again", on_click=RecordingState.retry, id="retry"
                                ),
                                spacing="3",
                            ),
                            spacing="2",
                        ),
                        icon="triangle-alert",
                        color_scheme="tomato",
                        id="recording-failed",
                    ),
                ),
                rx.cond(
                    (RecordingState.status == "done") & RecordingState.no_speech,
                    rx.callout(
                        "We heard no speech in this recording. Check that the right microphone "
                        "is selected and not muted, then record again.",
                        icon="mic-off",
                        color_scheme="amber",
                        id="no-speech",
                    ),
                ),
                rx.cond(
                    (RecordingState.status == "done") & ~RecordingState.no_speech,
                    _results(),
                ),
                rx.cond(RecordingState.status == "done", owner_feedback()),
                rx.cond(
                    (RecordingState.status == "failed") | RecordingState.no_speech,
                    _player(),
                ),
                _comparison(),
                rx.cond(RecordingState.status == "done", share_panel()),
                _attempts(),
                rx.hstack(
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button(
                                rx.icon("trash-2", size=14),
                                "Delete recording",
                                variant="ghost",
                                color_scheme="tomato",
                                id="delete-recording",
                            )
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Delete this recording?"),
                            rx.alert_dialog.description(
                                "The video, transcript and scores are deleted for good."
                            ),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                                rx.alert_dialog.action(
                                    rx.button(
                                        "Delete",
                                        color_scheme="tomato",
                                        on_click=RecordingState.delete,
                                        id="confirm-delete",
                                    )
                                ),
                                spacing="3",
                                justify="end",
                            ),
                        ),
                    ),
                    justify="end",
                    width="100%",
                ),
                width="100%",
                spacing=SPACE["normal"],
            ),
        ),
    )


def _side(side) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(side.created, weight="bold", size=TEXT["small"]),
            rx.badge(side.overall.to_string() + " / 100"),
            justify="between",
            width="100%",
        ),
        media_player(
            side.has_video, side.media_url, id_=None, class_name="rec-video compare-player"
        ),
        transcript(side.tokens, id_=None, seekable=False),
        spacing="2",
        width="100%",
        class_name="compare-side",
    )


@rx.page(
    route=routes.COMPARE,
    title="Compare attempts - Prepple",
    on_load=[SessionState.refresh_viewer, CompareState.load],
)
def compare_page() -> rx.Component:
    """Two attempts at one question side by side."""
    return page_layout(
        rx.cond(
            CompareState.not_found,
            empty_state(
                "file-question",
                "Nothing to compare",
                "Pick two finished attempts at the same question from a recording's page.",
                rx.link(rx.button("Practise a question"), href=routes.PRACTICE),
                id="compare-not-found",
            ),
            rx.vstack(
                rx.link(
                    "← Practise this question again",
                    href="/practice/" + CompareState.question_id.to_string(),
                    size=TEXT["small"],
                ),
                rx.heading(CompareState.question_text, size="6", as_="h1"),
                rx.grid(
                    rx.foreach(CompareState.sides, _side),
                    columns=rx.breakpoints(
                        initial="minmax(0, 1fr)", md="repeat(2, minmax(0, 1fr))"
                    ),
                    spacing="5",
                    width="100%",
                    id="compare-sides",
                    class_name="results-grid",
                ),
                rx.cond(
                    CompareState.changes.length() > 0,
                    rx.card(
                        changes_table(CompareState.changes, "Earlier", "Later"),
                        width="100%",
                        id="compare-changes",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
