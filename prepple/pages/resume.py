"""Video resumes: the editor (/resume) and the public page (/r/<slug>)."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state, muted
from prepple.components.forms import labelled
from prepple.components.layout import page_layout
from prepple.components.media import media_player
from prepple.state.resume import ResumeEditState, ResumePublicState
from prepple.state.session import SessionState


def _pick(p) -> rx.Component:
    return rx.hstack(
        rx.el.input(
            type="checkbox",
            checked=p.chosen,
            on_change=ResumeEditState.toggle_item(p.id),
            id="pick-" + p.id.to_string(),
            aria_label="Include this answer",
        ),
        rx.vstack(
            rx.el.label(
                p.question, html_for="pick-" + p.id.to_string(), style={"font_weight": 500}
            ),
            muted(p.created + " · " + p.duration + " · " + p.overall.to_string() + "/100"),
            spacing="0",
            flex="1",
        ),
        rx.cond(
            p.chosen,
            rx.hstack(
                rx.badge("#" + p.position.to_string()),
                rx.icon_button(
                    rx.icon("arrow-up", size=14),
                    size="1",
                    variant="soft",
                    on_click=ResumeEditState.move(p.id, -1),
                    aria_label="Move up",
                ),
                rx.icon_button(
                    rx.icon("arrow-down", size=14),
                    size="1",
                    variant="soft",
                    on_click=ResumeEditState.move(p.id, 1),
                    aria_label="Move down",
                ),
                spacing="1",
                align="center",
            ),
        ),
        width="100%",
        align="center",
        spacing="3",
        class_name="resume-pick",
    )


def _editor() -> rx.Component:
    return rx.vstack(
        rx.cond(
            ResumeEditState.cards.length() > 1,
            rx.hstack(
                rx.foreach(
                    ResumeEditState.cards,
                    lambda c: rx.button(
                        c.title,
                        size="1",
                        variant=rx.cond(c.id == ResumeEditState.current_id, "solid", "soft"),
                        on_click=ResumeEditState.select_resume(c.id),
                    ),
                ),
                wrap="wrap",
                spacing="2",
            ),
        ),
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.text(
                        rx.cond(ResumeEditState.published, "Published", "Not published"),
                        weight="bold",
                        id="resume-status",
                    ),
                    rx.cond(
                        ResumeEditState.published,
                        rx.hstack(
                            rx.link(
                                ResumeEditState.public_path,
                                href=ResumeEditState.public_path,
                                id="resume-public-link",
                                is_external=True,
                            ),
                            muted(
                                ResumeEditState.views.to_string()
                                + rx.cond(ResumeEditState.views == 1, " view", " views"),
                                id="resume-views",
                            ),
                            spacing="3",
                        ),
                        muted("Publish to get a page anyone can open, no account needed."),
                    ),
                    spacing="1",
                ),
                rx.cond(
                    ResumeEditState.published,
                    rx.button(
                        "Unpublish",
                        variant="soft",
                        color_scheme="tomato",
                        on_click=ResumeEditState.set_published(False),
                        id="resume-unpublish",
                    ),
                    rx.button(
                        "Publish",
                        on_click=ResumeEditState.set_published(True),
                        id="resume-publish",
                    ),
                ),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            width="100%",
        ),
        rx.form(
            rx.vstack(
                labelled(
                    "Title",
                    rx.input(
                        name="title",
                        default_value=ResumeEditState.title,
                        key=ResumeEditState.current_id.to_string() + ResumeEditState.title,
                        id="resume-title",
                        max_length=120,
                        required=True,
                    ),
                    "resume-title",
                    wide=True,
                ),
                labelled(
                    "Introduction",
                    rx.text_area(
                        name="intro",
                        default_value=ResumeEditState.intro,
                        key=ResumeEditState.current_id.to_string() + "intro",
                        id="resume-intro",
                        rows="3",
                        max_length=2000,
                        placeholder="Who you are and the kind of role you're after.",
                    ),
                    "resume-intro",
                    wide=True,
                ),
                labelled(
                    "Page address (lower-case letters, digits and dashes)",
                    rx.input(
                        rx.input.slot("/r/", color=rx.color("gray", 11)),
                        name="slug",
                        default_value=ResumeEditState.slug,
                        key=ResumeEditState.current_id.to_string() + ResumeEditState.slug,
                        id="resume-slug",
                        max_length=60,
                        pattern="[a-z0-9][a-z0-9\\-]{1,58}[a-z0-9]",
                    ),
                    "resume-slug",
                    wide=True,
                ),
                rx.hstack(
                    rx.button("Save", type="submit", id="resume-save"),
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button("Delete resume", variant="ghost", color_scheme="tomato")
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Delete this resume?"),
                            rx.alert_dialog.description("Your recordings stay."),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                                rx.alert_dialog.action(
                                    rx.button(
                                        "Delete",
                                        color_scheme="tomato",
                                        on_click=ResumeEditState.delete,
                                    )
                                ),
                                spacing="3",
                                justify="end",
                            ),
                        ),
                    ),
                    justify="between",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=ResumeEditState.save,
            width="100%",
        ),
        rx.heading("Answers in this resume", size="4", as_="h2"),
        muted("Tick your best recordings; they play in this order."),
        rx.cond(
            ResumeEditState.picks.length() > 0,
            rx.vstack(rx.foreach(ResumeEditState.picks, _pick), width="100%", id="resume-picks"),
            empty_state(
                "video",
                "No finished recordings yet",
                "Record an answer on camera; once its results are ready you can add it here.",
                rx.link(rx.button("Practise a question"), href=routes.PRACTICE),
            ),
        ),
        spacing="3",
        width="100%",
    )


@rx.page(
    route=routes.RESUME,
    title="Video resume - Prepple",
    on_load=[SessionState.refresh_viewer, ResumeEditState.load],
)
def resume_page() -> rx.Component:
    """Build and publish a video resume."""
    return page_layout(
        rx.heading("Video resume", size="7", as_="h1"),
        muted("Put your best answers on one page to send with applications."),
        rx.cond(
            ResumeEditState.current_id > 0,
            _editor(),
            rx.cond(
                ResumeEditState.loaded,
                rx.card(
                    rx.form(
                        rx.vstack(
                            labelled(
                                "Give it a title",
                                rx.input(
                                    name="title",
                                    id="resume-new-title",
                                    placeholder="Ana Silva, product manager",
                                    max_length=120,
                                    required=True,
                                ),
                                "resume-new-title",
                                wide=True,
                            ),
                            rx.button("Start my video resume", type="submit", id="resume-create"),
                            spacing="3",
                        ),
                        on_submit=ResumeEditState.create,
                    ),
                    id="resume-start",
                ),
                rx.spinner(),
            ),
        ),
    )


def _public_item(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(item.number.to_string()),
                rx.heading(item.question, size="4", as_="h2"),
                muted(item.duration),
                spacing="2",
                align="center",
            ),
            media_player(item.has_video, item.media_url, id_=None),
            rx.el.details(
                rx.el.summary("Transcript"),
                rx.text(item.transcript, size="2", white_space="pre-wrap"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="resume-answer",
    )


@rx.page(
    route=routes.PUBLIC_RESUME,
    title="Video resume",
    on_load=[SessionState.refresh_viewer, ResumePublicState.load],
)
def public_resume_page() -> rx.Component:
    """A published video resume, readable without an account."""
    return page_layout(
        rx.cond(
            ResumePublicState.not_found,
            empty_state(
                "file-question",
                "There is no resume here",
                "The address may be mistyped, or the owner took the page down.",
                rx.link(rx.button("Go to Prepple", variant="soft"), href="/"),
                id="resume-not-found",
            ),
            rx.cond(
                ResumePublicState.loaded,
                rx.vstack(
                    rx.heading(ResumePublicState.title, size="8", as_="h1", id="resume-title-h"),
                    rx.cond(
                        ResumePublicState.intro != "",
                        rx.text(ResumePublicState.intro, size="4", white_space="pre-wrap"),
                    ),
                    rx.foreach(ResumePublicState.items, _public_item),
                    spacing="4",
                    width="100%",
                    id="public-resume",
                ),
                rx.spinner(),
            ),
        ),
        narrow=True,
    )
