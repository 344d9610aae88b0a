"""The planner page (/plan/<question>) and "my answers" (/answers)."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state, error_line, feedback_item, muted
from prepple.components.forms import filter_select
from prepple.components.layout import page_layout
from prepple.components.questions import common_question_notice
from prepple.components.sharing import share_panel
from prepple.components.theme import SPACE, STATUS, TEXT
from prepple.services.rules import FAIR_SCORE, STRONG_SCORE
from prepple.state.planner import AnswersState, PlannerState, StoriesState
from prepple.state.session import SessionState
from prepple.state.sharing import ShareState

SEVERITY_COLOR = {"high": "tomato", "medium": "amber", "low": "gray"}


def _save_badge() -> rx.Component:
    return rx.hstack(
        rx.match(
            PlannerState.save_status,
            ("saved", rx.icon("cloud-check", size=16, color=rx.color("grass", 10))),
            ("saved-locally", rx.icon("hard-drive", size=16, color=rx.color("amber", 10))),
            ("error", rx.icon("triangle-alert", size=16, color=rx.color("tomato", 10))),
            rx.icon("pencil", size=16, color=rx.color("gray", 10)),
        ),
        muted(
            rx.cond(
                PlannerState.save_message, PlannerState.save_message, "Changes save as you type."
            ),
            size=TEXT["small"],
        ),
        rx.cond(
            PlannerState.spoken != "",
            rx.badge(PlannerState.spoken, variant="soft", id="spoken-time"),
        ),
        id="save-status",
        custom_attrs={
            "data-revision": PlannerState.revision.to_string(),
            "data-draft-ready": rx.cond(PlannerState.loaded, "yes", "no"),
        },
        aria_live="polite",
        align="center",
        spacing="2",
        data_status=PlannerState.save_status,
    )


def _framework_picker() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("STAR", value="STAR"),
        rx.segmented_control.item("CARL", value="CARL"),
        rx.segmented_control.item("SOAR", value="SOAR"),
        value=PlannerState.framework,
        on_change=PlannerState.set_framework,
        id="framework-picker",
        aria_label="Answer framework",
    )


def _section_editor(section) -> rx.Component:
    field_id = "section-" + section["key"]
    return rx.vstack(
        rx.hstack(
            rx.el.label(
                section["label"],
                html_for=field_id,
                style={"font_weight": "600", "font_size": "var(--font-size-3)"},
            ),
            muted(section["words"] + " words", size="1"),
            justify="between",
            width="100%",
            align="baseline",
        ),
        muted(
            section["hint"],
            size=TEXT["small"],
            id=field_id + "-hint",
        ),
        rx.debounce_input(
            rx.text_area(
                id=field_id,
                value=section["text"],
                on_change=lambda v: PlannerState.edit_section(section["key"], v),
                custom_attrs={"data-draft-key": section["key"]},
                placeholder=section["prompts"],
                aria_describedby=field_id + "-hint",
                aria_invalid=rx.cond(section["over"] != "", "true", "false"),
                rows="4",
                resize="vertical",
                width="100%",
                class_name="grow-text",  # grows with the text (prepple.css)
                # No max_length: the browser would cut a long paste without a word. The state
                # keeps the whole text, shows the count and refuses to save until it fits.
            ),
            debounce_timeout=700,
        ),
        rx.cond(
            section["over"] != "",
            rx.callout(
                section["over"],
                icon="triangle-alert",
                color_scheme="tomato",
                size="1",
                role="alert",
                id=field_id + "-over",
                width="100%",
            ),
        ),
        rx.cond(
            section["count"] != "",
            rx.text(
                section["count"],
                size="1",
                id=field_id + "-count",
                color=rx.cond(
                    section["over"] != "",
                    rx.color("tomato", 11),
                    rx.color(STATUS["muted"], 11),
                ),
                align="right",
                width="100%",
            ),
        ),
        width="100%",
        spacing="1",
        class_name="section-editor",
    )


def _aside_box(a) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("archive")),
        rx.vstack(
            rx.text(
                "Not in " + a["framework"] + ": your " + a["label"] + " text",
                weight="bold",
                size="2",
            ),
            rx.text(
                a["framework"]
                + " has no "
                + a["label"]
                + " section, so these "
                + a["words"]
                + " words aren't part of this answer, its script or its score.",
                size="1",
            ),
            rx.blockquote(a["text"], size="2", class_name="aside-text", width="100%"),
            rx.hstack(
                rx.button(
                    "Move into " + a["home_label"],
                    size="1",
                    on_click=PlannerState.move_aside(a["key"]),
                    class_name="aside-move",
                    id="aside-move-" + a["key"],
                ),
                rx.button(
                    "Leave it out",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=PlannerState.hide_aside(a["key"]),
                    class_name="aside-hide",
                    id="aside-hide-" + a["key"],
                ),
                wrap="wrap",
                spacing="2",
            ),
            muted(
                "Left out, it stays saved: switch back and it's in its own section again.",
                size="1",
            ),
            spacing="2",
            width="100%",
            min_width="0",
        ),
        color_scheme="amber",
        width="100%",
        class_name="aside-box",
        id="aside-" + a["key"],
    )


def _editor() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _framework_picker(),
            rx.segmented_control.root(
                rx.segmented_control.item("Sections", value="sections"),
                rx.segmented_control.item("Script", value="script"),
                rx.segmented_control.item("Bullets", value="bullets"),
                value=PlannerState.view,
                on_change=PlannerState.set_view,
                id="view-picker",
                aria_label="View",
            ),
            wrap="wrap",
            spacing="3",
            justify="between",
            width="100%",
        ),
        rx.foreach(PlannerState.aside, _aside_box),
        rx.match(
            PlannerState.view,
            (
                "script",
                rx.vstack(
                    rx.el.label(
                        "Full script", html_for="script-editor", style={"font_weight": "600"}
                    ),
                    muted(
                        "Edit freely: sentences are sorted back into sections.",
                        size=TEXT["small"],
                    ),
                    rx.debounce_input(
                        rx.text_area(
                            id="script-editor",
                            value=PlannerState.script,
                            on_change=PlannerState.edit_script,
                            rows="14",
                            width="100%",
                            class_name="grow-text",
                        ),
                        debounce_timeout=900,
                    ),
                    width="100%",
                ),
            ),
            (
                "bullets",
                rx.vstack(
                    rx.hstack(
                        rx.el.label(
                            "Bullets (your cheat sheet)",
                            html_for="bullets-editor",
                            style={"font_weight": "600"},
                        ),
                        rx.cond(
                            PlannerState.bullets_edited & SessionState.is_authenticated,
                            rx.button(
                                "Regenerate from script",
                                size="1",
                                variant="soft",
                                on_click=PlannerState.regenerate_bullets,
                                id="regenerate-bullets",
                            ),
                        ),
                        justify="between",
                        width="100%",
                    ),
                    rx.debounce_input(
                        rx.text_area(
                            id="bullets-editor",
                            value=PlannerState.bullets,
                            on_change=PlannerState.edit_bullets,
                            rows="12",
                            width="100%",
                            class_name="grow-text",
                        ),
                        debounce_timeout=900,
                    ),
                    width="100%",
                ),
            ),
            rx.vstack(
                rx.foreach(PlannerState.section_defs, _section_editor), width="100%", spacing="4"
            ),
        ),
        _save_badge(),
        _story_picker(),
        width="100%",
        spacing="4",
    )


def _panel(title: str, action: rx.Component, *body: rx.Component, id_: str) -> rx.Component:
    """A card beside the editor (feedback, coach, version history): its heading with one
    action or badge on the right, then its body."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="4", as_="h2"),
                action,
                justify="between",
                width="100%",
                align="center",
            ),
            *body,
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=id_,
    )


def _feedback_panel() -> rx.Component:
    return _panel(
        "Feedback",
        rx.badge(
            PlannerState.overall.to_string() + " / 100",
            size="3",
            id="overall-score",
            color_scheme=rx.cond(
                PlannerState.overall >= STRONG_SCORE,
                "grass",
                rx.cond(PlannerState.overall >= FAIR_SCORE, "amber", "tomato"),
            ),
        ),
        rx.cond(
            PlannerState.aside.length() > 0,
            muted(
                'Scored on the sections you see. Text marked "Not in '
                + PlannerState.framework
                + '" counts once you move it in.',
                size="1",
                id="aside-score-note",
            ),
        ),
        rx.foreach(
            PlannerState.score_rows,
            lambda row: rx.vstack(
                rx.hstack(
                    rx.text(row.name, size="2"),
                    rx.text(row.value.to_string(), size="2", weight="medium"),
                    justify="between",
                    width="100%",
                ),
                rx.progress(value=row.value, max=100, size="1", aria_label=row.name),
                width="100%",
                spacing="1",
            ),
        ),
        rx.separator(),
        rx.cond(
            PlannerState.items.length() > 0,
            rx.vstack(
                rx.foreach(PlannerState.items, feedback_item),
                spacing="3",
                width="100%",
                id="feedback-items",
            ),
            rx.text(
                "Nothing to fix. Read it out loud once, then practise it.",
                size="2",
                id="feedback-clear",
            ),
        ),
        id_="feedback-panel",
    )


def _story_picker() -> rx.Component:
    return rx.cond(
        SessionState.is_authenticated,
        rx.vstack(
            rx.el.label(
                "Which story does this answer tell?",
                html_for="story-select",
                style={"font_weight": "600"},
            ),
            rx.hstack(
                rx.el.select(
                    rx.el.option("No story linked", value=""),
                    rx.foreach(
                        PlannerState.story_options,
                        lambda o: rx.el.option(o["title"], value=o["id"]),
                    ),
                    id="story-select",
                    value=rx.cond(PlannerState.story_id > 0, PlannerState.story_id.to_string(), ""),
                    on_change=PlannerState.link_story,
                ),
                rx.form(
                    rx.hstack(
                        rx.el.label(
                            "New story title", html_for="story-title", class_name="sr-only"
                        ),
                        rx.input(
                            id="story-title",
                            name="story_title",
                            max_length=120,
                            placeholder="New story, e.g. 'Black Friday outage'",
                            width="18em",  # the placeholder was cut at "'Black Fr"
                            max_width="100%",
                        ),
                        rx.button("Add", type="submit", size="2", variant="soft", id="story-add"),
                        spacing="2",
                    ),
                    on_submit=PlannerState.new_story,
                    reset_on_submit=False,
                ),
                wrap="wrap",
                spacing="3",
                align="center",
            ),
            rx.link("Open your story bank", href=routes.STORIES, size="1"),
            spacing="2",
            width="100%",
            id="story-picker",
        ),
    )


def _coach() -> rx.Component:
    return rx.cond(
        PlannerState.coach_available & SessionState.is_authenticated,
        _panel(
            "Coach",
            rx.button(
                rx.icon("sparkles"),
                "Ask the coach",
                size="1",
                loading=PlannerState.coach_status == "thinking",
                on_click=PlannerState.ask_coach,
                id="ask-coach",
            ),
            rx.match(
                PlannerState.coach_status,
                (
                    "unavailable",
                    rx.text(
                        "The coach is unavailable right now; the checks above still apply.",
                        size="2",
                        id="coach-down",
                    ),
                ),
                (
                    "done",
                    rx.vstack(
                        rx.foreach(
                            PlannerState.coach_items,
                            lambda it: rx.box(
                                rx.text(it["message"], size="2", weight="medium"),
                                muted(
                                    it["suggestion"],
                                    size="2",
                                ),
                                class_name="coach-item",
                            ),
                        ),
                        rx.cond(
                            PlannerState.rewrite_improved != "",
                            rx.box(
                                rx.text("Try saying:", size="1", weight="medium"),
                                rx.blockquote(
                                    PlannerState.rewrite_improved, size="2", id="coach-rewrite"
                                ),
                                muted(
                                    "instead of: ",
                                    PlannerState.rewrite_original,
                                    size="1",
                                ),
                            ),
                        ),
                        spacing="3",
                        width="100%",
                        id="coach-result",
                    ),
                ),
                muted(
                    "A language model reads your plan and suggests what the checks can't see.",
                    size="2",
                ),
            ),
            id_="coach-panel",
        ),
    )


def _history() -> rx.Component:
    return rx.cond(
        SessionState.is_authenticated,
        _panel(
            "Version history",
            rx.button(
                "Save version",
                size="1",
                variant="soft",
                on_click=PlannerState.save_version,
                id="save-version",
            ),
            rx.cond(
                PlannerState.restored_note != "",
                rx.callout.root(
                    rx.callout.icon(rx.icon("history")),
                    rx.vstack(
                        rx.text(PlannerState.restored_note, size="2"),
                        rx.hstack(
                            rx.cond(
                                PlannerState.undo_version > 0,
                                rx.button(
                                    "Undo: restore version "
                                    + PlannerState.undo_version.to_string(),
                                    size="1",
                                    on_click=PlannerState.restore_version(
                                        PlannerState.undo_version
                                    ),
                                    id="restore-undo",
                                ),
                            ),
                            rx.button(
                                "OK",
                                size="1",
                                variant="soft",
                                on_click=PlannerState.dismiss_restored,
                                id="restore-ok",
                            ),
                            spacing="2",
                            wrap="wrap",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    color_scheme="grass",
                    role="status",
                    id="restored-note",
                    width="100%",
                ),
            ),
            rx.cond(
                PlannerState.versions.length() > 0,
                rx.vstack(
                    rx.foreach(
                        PlannerState.versions,
                        lambda v: rx.hstack(
                            rx.text("v" + v.number.to_string(), weight="medium", size="2"),
                            rx.text(v.created, size="1"),
                            muted(v.reason, size="1"),
                            rx.text(v.overall.to_string() + "/100", size="1"),
                            rx.spacer(),
                            rx.button(
                                "Compare",
                                size="1",
                                variant="ghost",
                                on_click=PlannerState.compare_with(v.number),
                                class_name="compare-version",
                                aria_label="Compare version "
                                + v.number.to_string()
                                + " with your current text",
                            ),
                            rx.button(
                                "Restore",
                                size="1",
                                variant="soft",
                                on_click=PlannerState.restore_version(v.number),
                                class_name="restore-version",
                                aria_label="Restore version " + v.number.to_string(),
                            ),
                            width="100%",
                            align="center",
                            wrap="wrap",
                        ),
                    ),
                    width="100%",
                    spacing="1",
                ),
                muted(
                    "A version is kept for each editing session (when you come back "
                    "after a pause) and whenever you press Save version.",
                    size="2",
                ),
            ),
            rx.cond(
                PlannerState.diff.length() > 0,
                rx.vstack(
                    rx.hstack(
                        rx.text(
                            "Comparing ",
                            PlannerState.diff_labels[0],
                            " with ",
                            PlannerState.diff_labels[1],
                            size="2",
                            weight="medium",
                        ),
                        rx.button(
                            "Close",
                            size="1",
                            variant="ghost",
                            on_click=PlannerState.close_compare,
                        ),
                        justify="between",
                        width="100%",
                    ),
                    rx.grid(
                        rx.box(
                            rx.foreach(
                                PlannerState.diff,
                                lambda d: rx.cond(
                                    d.kind != "added",
                                    rx.el.span(d.text + " ", class_name="diff-" + d.kind),
                                ),
                            )
                        ),
                        rx.box(
                            rx.foreach(
                                PlannerState.diff,
                                lambda d: rx.cond(
                                    d.kind != "removed",
                                    rx.el.span(d.text + " ", class_name="diff-" + d.kind),
                                ),
                            )
                        ),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4",
                        width="100%",
                    ),
                    id="version-compare",
                    width="100%",
                ),
            ),
            id_="history-panel",
        ),
        rx.callout(
            "Create a free account to keep version history and use your plan anywhere.",
            icon="info",
            id="visitor-notice",
        ),
    )


@rx.page(
    route=routes.PLAN,
    title="Plan your answer - Prepple",
    on_load=[SessionState.refresh_viewer, PlannerState.load, ShareState.load],
)
def planner_page() -> rx.Component:
    """Plan one answer with live feedback."""
    return page_layout(
        rx.cond(
            PlannerState.not_found,
            empty_state(
                "file-question",
                "Question not found",
                "Pick a question from the bank to plan an answer.",
                rx.link(rx.button("Browse questions"), href=routes.QUESTIONS),
                id="plan-not-found",
            ),
            rx.vstack(
                rx.link(
                    "← Question",
                    href="/questions/" + PlannerState.question_id.to_string(),
                    size=TEXT["small"],
                ),
                rx.hstack(
                    rx.heading(PlannerState.question_text, size="6", as_="h1", id="plan-question"),
                    rx.link(
                        rx.button(rx.icon("video"), "Practise it", variant="soft"),
                        href="/practice/" + PlannerState.question_id.to_string(),
                        id="plan-practise",
                    ),
                    justify="between",
                    align="start",
                    width="100%",
                    wrap="wrap",
                    spacing="3",
                ),
                rx.cond(
                    PlannerState.question_structure,
                    common_question_notice(PlannerState.question_structure, id_="plan-structure"),
                ),
                rx.grid(
                    _editor(),
                    rx.vstack(_feedback_panel(), _coach(), _history(), width="100%", spacing="4"),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="5",
                    width="100%",
                ),
                share_panel(),
                _share_panel_loader(),
                width="100%",
                spacing=SPACE["normal"],
            ),
        ),
    )


def _share_panel_loader() -> rx.Component:
    """A plan started on this visit gets its share panel as soon as it is first saved (the
    panel loads with the page, when a new plan does not exist yet): this mounts once the
    answer has an id and the panel is not ready, and loads it."""
    return rx.cond(
        SessionState.is_authenticated & (PlannerState.answer_id > 0) & ~ShareState.ready,
        rx.box(on_mount=ShareState.load, display="none", id="share-panel-loader"),
    )


def _facet_filter(label: str, name: str, value, facets) -> rx.Component:
    """Filter my answers by a facet (competency, company)."""
    return filter_select(
        label,
        "answers-" + name,
        value,
        lambda v: AnswersState.set_filter(name, v),
        rx.el.option("All", value=""),
        rx.foreach(facets, lambda f: rx.el.option(f.name, value=f.slug)),
    )


@rx.page(
    route=routes.ANSWERS,
    title="My answers - Prepple",
    on_load=[SessionState.refresh_viewer, AnswersState.load],
)
def answers_page() -> rx.Component:
    """The user's planned answers and planning progress."""
    return page_layout(
        rx.hstack(
            rx.heading("My answers", size="7", as_="h1"),
            rx.link("Story bank", href=routes.STORIES, id="stories-link"),
            justify="between",
            width="100%",
            align="center",
        ),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text("Planning progress: ", AnswersState.progress_label, weight="medium"),
                    rx.text(
                        AnswersState.progress_complete.to_string()
                        + " of "
                        + AnswersState.progress_total.to_string()
                        + " planned",
                        id="progress-count",
                    ),
                    justify="between",
                    width="100%",
                    wrap="wrap",
                ),
                rx.progress(
                    value=AnswersState.progress_percent,
                    max=100,
                    id="progress-bar",
                    aria_label="Questions with a complete plan",
                ),
                rx.grid(
                    rx.foreach(
                        AnswersState.coverage,
                        lambda c: rx.vstack(
                            rx.hstack(
                                rx.text(c.name, size="1"),
                                rx.text(c.detail, size="1"),
                                justify="between",
                                width="100%",
                            ),
                            rx.progress(value=c.value, max=100, size="1", aria_label=c.name),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2", md="3"),
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.flex(
            filter_select(
                "Progress on",
                "answers-scope",
                AnswersState.scope,
                lambda v: AnswersState.set_filter("scope", v),
                rx.el.option("Questions in the filters", value=""),
                rx.el.option("My practice list", value="saved"),
            ),
            rx.vstack(
                rx.el.label(
                    "Search my answers",
                    html_for="answers-search",
                    style={"font_size": "var(--font-size-1)"},
                ),
                rx.debounce_input(
                    rx.input(
                        id="answers-search",
                        value=AnswersState.query,
                        on_change=lambda v: AnswersState.set_filter("query", v),
                        placeholder="Words from the question or your answer",
                        width="18em",
                        max_width="100%",
                    ),
                    debounce_timeout=300,
                ),
                spacing="1",
            ),
            _facet_filter(
                "Competency", "competency", AnswersState.competency, AnswersState.competencies
            ),
            _facet_filter("Company", "company", AnswersState.company, AnswersState.companies),
            filter_select(
                "Status",
                "answers-status",
                AnswersState.status,
                lambda v: AnswersState.set_filter("status", v),
                rx.el.option("Any", value=""),
                rx.el.option("Complete", value="complete"),
                rx.el.option("Draft", value="draft"),
            ),
            wrap="wrap",
            spacing="3",
            align="end",
        ),
        rx.cond(
            AnswersState.rows.length() > 0,
            rx.vstack(
                rx.foreach(
                    AnswersState.rows,
                    lambda r: rx.card(
                        rx.hstack(
                            rx.vstack(
                                rx.link(
                                    r.question,
                                    href="/plan/" + r.question_id.to_string(),
                                    weight="medium",
                                ),
                                muted(
                                    r.framework
                                    + " · "
                                    + r.words.to_string()
                                    + " words · "
                                    + r.updated,
                                    size="1",
                                ),
                                spacing="1",
                            ),
                            rx.vstack(
                                rx.badge(
                                    r.status,
                                    color_scheme=rx.cond(r.status == "complete", "grass", "amber"),
                                ),
                                rx.text(r.overall.to_string() + "/100", size="1"),
                                align="end",
                            ),
                            justify="between",
                            width="100%",
                        ),
                        width="100%",
                        class_name="answer-row",
                    ),
                ),
                width="100%",
                spacing="2",
            ),
            empty_state(
                "notebook-pen",
                "No planned answers here",
                "Open a question and plan your answer; it appears here as you type.",
                rx.link(rx.button("Browse questions"), href=routes.QUESTIONS),
                id="answers-empty",
            ),
        ),
    )


@rx.page(
    route=routes.STORIES,
    title="Story bank - Prepple",
    on_load=[SessionState.refresh_viewer, StoriesState.load],
)
def stories_page() -> rx.Component:
    """Stories from your experience, each serving several questions."""
    return page_layout(
        rx.heading("Story bank", size="7", as_="h1"),
        rx.text(
            "A good story answers several questions. Keep each one here once, then link "
            "it from the planner.",
            color=rx.color(STATUS["muted"], 11),
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.el.label("Title", html_for="story-new-title", style={"font_weight": "600"}),
                    rx.input(
                        id="story-new-title",
                        name="title",
                        max_length=120,
                        placeholder="e.g. Rehousing a family at the hotel",
                    ),
                    rx.el.label("Notes", html_for="story-new-notes", style={"font_weight": "600"}),
                    rx.text_area(
                        id="story-new-notes",
                        name="notes",
                        rows="3",
                        placeholder="Key facts and numbers to remember",
                    ),
                    error_line(StoriesState.error, "story-error"),
                    rx.button("Add story", type="submit", id="story-create"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=StoriesState.create,
                reset_on_submit=False,
            ),
            width="100%",
        ),
        rx.cond(
            StoriesState.stories.length() > 0,
            rx.vstack(
                rx.foreach(
                    StoriesState.stories,
                    lambda st: rx.card(
                        rx.vstack(
                            rx.hstack(
                                rx.heading(st.title, size="4", as_="h2"),
                                rx.button(
                                    "Delete",
                                    size="1",
                                    variant="ghost",
                                    color_scheme="tomato",
                                    on_click=StoriesState.delete(st.id),
                                ),
                                justify="between",
                                width="100%",
                            ),
                            rx.cond(st.notes != "", rx.text(st.notes, size="2")),
                            rx.flex(
                                rx.foreach(st.competencies, lambda c: rx.badge(c)),
                                wrap="wrap",
                                spacing="1",
                            ),
                            rx.cond(
                                st.questions.length() > 0,
                                rx.vstack(
                                    rx.foreach(st.questions, lambda q: rx.text("• " + q, size="2")),
                                    spacing="1",
                                ),
                                muted(
                                    "Not linked to an answer yet.",
                                    size="2",
                                ),
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        width="100%",
                        class_name="story-card",
                    ),
                ),
                width="100%",
                spacing="2",
            ),
            empty_state(
                "book-open",
                "No stories yet",
                "Add the three to five stories you know best; most questions can be "
                "answered with one of them.",
                id="stories-empty",
            ),
        ),
    )
