"""Shared answers and human feedback: /view/<ref>, /s/<key>, /shared, /community/<qid>."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state, error_line, muted
from prepple.components.forms import labelled
from prepple.components.layout import page_layout
from prepple.components.media import (
    media_player,
    score_meter,
    tip_callout,
    transcript,
)
from prepple.components.sharing import comment_item, review_row, share_forms
from prepple.components.theme import SELECT_STYLE, SPACE
from prepple.services.reviews import RATINGS, REPORT_REASONS
from prepple.state.session import SessionState
from prepple.state.sharing import (
    POLL_MS,
    CommunityState,
    InboxState,
    SetShareState,
    ShareLinkState,
    ViewState,
)


def _select(name: str, id_: str, options: list[tuple[str, str]], value=None) -> rx.Component:
    props = {"default_value": value} if value is not None else {}
    return rx.el.select(
        *[rx.el.option(label, value=v) for v, label in options],
        name=name,
        id=id_,
        style=SELECT_STYLE,
        **props,
    )


# --- report ------------------------------------------------------------------------------------


def report_dialog(kind: str, target_id, *, trigger_id: str, label: str = "Report") -> rx.Component:
    """A small dialog to report an answer or a comment to the moderators."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("flag", size=13),
                label,
                size="1",
                variant="ghost",
                color_scheme="gray",
                id=trigger_id,
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Report to the moderators"),
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="kind", value=kind),
                    rx.el.input(type="hidden", name="target_id", value=target_id),
                    labelled(
                        "What's wrong?",
                        _select("reason", "report-reason", list(REPORT_REASONS.items())),
                        "report-reason",
                    ),
                    labelled(
                        "Details (optional)",
                        rx.text_area(name="detail", id="report-detail", max_length=2000),
                        "report-detail",
                        wide=True,
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", type="button")),
                        rx.dialog.close(rx.button("Send report", type="submit", id="report-send")),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=ViewState.report,
            ),
        ),
    )


# --- the shared-answer viewer -------------------------------------------------------------------


def _tip(t) -> rx.Component:
    return tip_callout(
        t,
        rx.cond(
            SessionState.is_authenticated,
            rx.hstack(
                muted("Do you agree?"),
                rx.form(
                    rx.el.input(type="hidden", name="item", value=t.item_key),
                    rx.el.input(type="hidden", name="agree", value="yes"),
                    rx.button(
                        rx.icon("thumbs-up", size=12),
                        "Agree",
                        size="1",
                        type="submit",
                        variant=rx.cond(t.vote == "agree", "solid", "soft"),
                        class_name="ai-agree",
                    ),
                    on_submit=ViewState.vote_ai,
                    width="auto",  # a form is 100% wide by default: it pushed Disagree down
                ),
                rx.popover.root(
                    rx.popover.trigger(
                        rx.button(
                            rx.icon("thumbs-down", size=12),
                            "Disagree",
                            size="1",
                            type="button",
                            variant=rx.cond(t.vote == "disagree", "solid", "soft"),
                            color_scheme="gray",
                            class_name="ai-disagree",
                        )
                    ),
                    rx.popover.content(
                        rx.form(
                            rx.vstack(
                                rx.el.input(type="hidden", name="item", value=t.item_key),
                                rx.el.input(type="hidden", name="agree", value="no"),
                                rx.text_area(
                                    name="reason",
                                    placeholder="Why not? (optional)",
                                    max_length=1000,
                                    class_name="ai-reason",
                                ),
                                rx.popover.close(rx.button("Send", size="1", type="submit")),
                                spacing="2",
                            ),
                            on_submit=ViewState.vote_ai,
                        ),
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
        ),
        class_name="ai-tip",
    )


def _comment(c) -> rx.Component:
    return comment_item(
        c,
        rx.cond(
            c.mine,
            rx.hstack(
                rx.dialog.root(
                    rx.dialog.trigger(rx.button("Edit", size="1", variant="ghost")),
                    rx.dialog.content(
                        rx.dialog.title("Edit your comment"),
                        rx.form(
                            rx.vstack(
                                rx.el.input(type="hidden", name="comment_id", value=c.id),
                                rx.text_area(
                                    name="body",
                                    default_value=c.body,
                                    max_length=2000,
                                    rows="4",
                                    id="comment-edit-body",
                                ),
                                rx.dialog.close(
                                    rx.button("Save", type="submit", id="comment-edit-save")
                                ),
                                spacing="2",
                            ),
                            on_submit=ViewState.edit_comment,
                        ),
                    ),
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="ghost",
                    color_scheme="tomato",
                    on_click=ViewState.delete_comment(c.id),
                    class_name="comment-delete",
                ),
                spacing="1",
            ),
            report_dialog(
                "comment", c.id, trigger_id="report-comment-" + c.id.to_string(), label=""
            ),
        ),
    )


def _comment_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            labelled(
                "Your comment",
                rx.text_area(
                    name="body",
                    id="comment-body",
                    placeholder="What worked, what would make it stronger?",
                    rows="3",
                    max_length=2000,
                    required=True,
                ),
                "comment-body",
                wide=True,
            ),
            rx.hstack(
                rx.cond(
                    ViewState.kind == "recording",
                    rx.el.label(
                        rx.el.input(
                            type="checkbox", name="pin", id="comment-pin", default_checked=False
                        ),
                        " At ",
                        rx.el.span("0:00", id="comment-at-label"),
                        " in the video",
                        html_for="comment-pin",
                        style={"font_size": "0.9em"},
                    ),
                ),
                rx.el.input(type="hidden", name="at", id="comment-at", default_value="0"),
                rx.cond(
                    ViewState.sentences.length() > 0,
                    rx.el.select(
                        rx.el.option("About the whole answer", value="none"),
                        rx.foreach(ViewState.sentences, lambda s: rx.el.option(s, value=s)),
                        name="quote",
                        id="comment-quote",
                        aria_label="About a sentence",
                        style={**SELECT_STYLE, "max_width": "22em"},
                    ),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.button("Add comment", type="submit", id="comment-submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=ViewState.add_comment,
        reset_on_submit=True,
        width="100%",
    )


def _review_form() -> rx.Component:
    stars = [("", "—")] + [(str(n), f"{n} / 5") for n in range(1, 6)]
    return rx.form(
        rx.vstack(
            rx.grid(
                *[
                    labelled(
                        name.capitalize(),
                        _select(name, f"rate-{name}", stars),
                        f"rate-{name}",
                    )
                    for name in RATINGS
                ],
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            labelled(
                "Overall note",
                rx.text_area(
                    name="note",
                    id="review-note",
                    rows="3",
                    max_length=4000,
                    placeholder="The one thing that would make this answer land.",
                ),
                "review-note",
                wide=True,
            ),
            rx.button("Save feedback", type="submit", id="review-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=ViewState.save_review,
        width="100%",
    )


def _viewer_body() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(
                rx.match(
                    ViewState.via,
                    ("owner", "Your answer"),
                    ("community", "Community answer"),
                    ("moderator", "Reported: moderator's view"),
                    "Shared with you",
                ),
                color_scheme="blue",
            ),
            muted("by " + ViewState.owner_name),
            rx.cond(ViewState.duration != "", muted(ViewState.duration)),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.heading(ViewState.question_text, size="6", as_="h1", id="view-question"),
        rx.grid(
            rx.vstack(
                rx.cond(
                    ViewState.kind == "recording",
                    rx.vstack(
                        media_player(ViewState.has_video, ViewState.media_url),
                        rx.card(
                            rx.vstack(
                                rx.text("Transcript", weight="bold"),
                                transcript(ViewState.tokens),
                                spacing="2",
                                width="100%",
                            ),
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    ViewState.plan.length() > 0,
                    rx.card(
                        rx.vstack(
                            rx.text("The plan (" + ViewState.framework + ")", weight="bold"),
                            rx.foreach(
                                ViewState.plan,
                                lambda p: rx.vstack(
                                    rx.text(p.label, weight="bold", size="2"),
                                    rx.text(p.text, size="2", white_space="pre-wrap"),
                                    spacing="0",
                                ),
                            ),
                            spacing="2",
                        ),
                        width="100%",
                        id="shared-plan",
                    ),
                ),
                rx.card(
                    rx.vstack(
                        rx.hstack(
                            rx.heading("Comments", size="4", as_="h2"),
                            rx.badge(ViewState.comments.length().to_string()),
                            spacing="2",
                            align="center",
                        ),
                        rx.cond(
                            ViewState.comments.length() > 0,
                            rx.vstack(
                                rx.foreach(ViewState.comments, _comment),
                                width="100%",
                                spacing="0",
                                id="comments",
                            ),
                            muted("No comments yet.", id="no-comments"),
                        ),
                        rx.cond(
                            ViewState.may_comment,
                            _comment_form(),
                            rx.link(
                                rx.button("Log in to comment", variant="soft"),
                                href="/login?next=" + ViewState.login_target,
                                id="login-to-comment",
                            ),
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                width="100%",
                spacing="3",
            ),
            rx.vstack(
                rx.cond(
                    ViewState.kind == "recording",
                    rx.card(
                        rx.vstack(
                            rx.hstack(
                                rx.text("Prepple's feedback", weight="bold"),
                                rx.badge(ViewState.overall.to_string() + " / 100"),
                                justify="between",
                                width="100%",
                            ),
                            rx.foreach(
                                ViewState.scores,
                                score_meter,
                            ),
                            rx.vstack(
                                rx.foreach(ViewState.tips, _tip),
                                spacing="2",
                                width="100%",
                                id="ai-tips",
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    ViewState.may_comment & ~ViewState.is_owner,
                    rx.card(
                        rx.vstack(
                            rx.heading("Your ratings", size="4", as_="h2"),
                            _review_form(),
                            spacing="2",
                            width="100%",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    ViewState.reviews_.length() > 0,
                    rx.card(
                        rx.vstack(
                            rx.heading("Ratings", size="4", as_="h2"),
                            rx.foreach(ViewState.reviews_, review_row),
                            spacing="2",
                            width="100%",
                            id="reviews",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    SessionState.is_authenticated & ~ViewState.is_owner,
                    rx.hstack(
                        rx.cond(
                            ViewState.via == "community",
                            rx.hstack(
                                rx.button(
                                    rx.icon("heart", size=14),
                                    rx.cond(ViewState.helpful, "Helpful ✓", "Helpful"),
                                    size="1",
                                    variant="soft",
                                    on_click=ViewState.toggle_helpful,
                                    id="mark-helpful",
                                ),
                                rx.button(
                                    rx.icon("bookmark", size=14),
                                    rx.cond(ViewState.saved, "Saved ✓", "Save to learn from"),
                                    size="1",
                                    variant="soft",
                                    on_click=ViewState.toggle_saved,
                                    id="save-example",
                                ),
                                spacing="2",
                            ),
                        ),
                        report_dialog("answer", ViewState.target_id, trigger_id="report-answer"),
                        spacing="2",
                        wrap="wrap",
                    ),
                ),
                rx.cond(
                    ViewState.is_owner,
                    rx.link(
                        "Manage sharing on the answer's page",
                        href=rx.cond(
                            ViewState.kind == "recording",
                            "/recordings/" + ViewState.target_id.to_string(),
                            "/plan/" + ViewState.question_id.to_string(),
                        ),
                        size="2",
                    ),
                ),
                width="100%",
                spacing="3",
            ),
            # minmax(0, ..): columns shrink to the screen whatever their content's width.
            columns=rx.breakpoints(initial="minmax(0, 1fr)", md="minmax(0, 3fr) minmax(0, 2fr)"),
            spacing="5",
            width="100%",
            class_name="results-grid",
        ),
        rx.moment(interval=POLL_MS, on_change=ViewState.poll, display="none"),
        width="100%",
        spacing=SPACE["normal"],
        id="shared-view",
    )


@rx.page(
    route=routes.VIEW,
    title="A shared answer - Prepple",
    on_load=[SessionState.refresh_viewer, ViewState.load],
)
def view_page() -> rx.Component:
    """A shared (or public) answer with its feedback."""
    return page_layout(
        rx.cond(
            ViewState.problem != "",
            empty_state(
                "lock",
                "Can't open this answer",
                ViewState.problem,
                rx.cond(
                    ViewState.needs_login,
                    rx.link(
                        rx.button("Log in"),
                        href="/login?next=" + ViewState.login_target,
                        id="view-login",
                    ),
                    rx.link(rx.button("Browse questions", variant="soft"), href=routes.QUESTIONS),
                ),
                id="view-problem",
            ),
            rx.cond(ViewState.ref != "", _viewer_body(), rx.spinner()),
        ),
    )


@rx.page(
    route=routes.SHARE_LINK,
    title="Shared with you - Prepple",
    on_load=[SessionState.refresh_viewer, ShareLinkState.load],
)
def share_link_page() -> rx.Component:
    """Opens a share link: one answer directly, a set as a list."""
    return page_layout(
        rx.cond(
            ShareLinkState.problem != "",
            empty_state(
                "link-2-off",
                "This link doesn't open anything",
                ShareLinkState.problem,
                rx.link(rx.button("Go to Prepple", variant="soft"), href="/"),
                id="link-problem",
            ),
            rx.vstack(
                rx.heading(ShareLinkState.owner_name + " shared answers with you", size="6"),
                rx.cond(ShareLinkState.message != "", rx.text(ShareLinkState.message)),
                rx.foreach(
                    ShareLinkState.items,
                    lambda i: rx.link(rx.card(rx.text(i.question), width="100%"), href=i.href),
                ),
                spacing="3",
                width="100%",
                id="share-set",
            ),
        ),
        narrow=True,
    )


def _inbox_row(i) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.vstack(
                    rx.text(i.title, weight="bold"),
                    muted(
                        "From "
                        + i.owner_name
                        + " · "
                        + i.created
                        + rx.cond(i.count > 1, " · " + i.count.to_string() + " answers", "")
                    ),
                    spacing="1",
                ),
                rx.badge(
                    rx.cond(i.reviewed, "You gave feedback", "Waiting for you"),
                    color_scheme=rx.cond(i.reviewed, "grass", "amber"),
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            width="100%",
        ),
        href=i.link,
        class_name="inbox-item",
        width="100%",
    )


def _set_share() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Share several answers at once", size="4", as_="h2"),
            muted("Pick answers for one person or one link, e.g. everything for one interview."),
            rx.cond(
                SetShareState.options.length() > 0,
                rx.vstack(
                    rx.box(
                        rx.foreach(
                            SetShareState.options,
                            lambda o: rx.el.label(
                                rx.el.input(
                                    type="checkbox",
                                    checked=o.chosen,
                                    on_change=SetShareState.toggle(o.ref),
                                    class_name="set-option",
                                    custom_attrs={"data-ref": o.ref},
                                ),
                                rx.vstack(
                                    rx.text(o.label, size="2"),
                                    muted(o.detail),
                                    spacing="0",
                                ),
                                style={"display": "flex", "gap": "0.6em", "padding": "0.3em 0"},
                            ),
                        ),
                        max_height="16em",
                        overflow_y="auto",
                        width="100%",
                        id="set-options",
                    ),
                    muted(SetShareState.chosen.length().to_string() + " chosen"),
                    share_forms(SetShareState, "set"),
                    error_line(SetShareState.error, "set-error"),
                    spacing="3",
                    width="100%",
                ),
                muted("Plan or record answers first; then you can share them here."),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="set-share",
    )


@rx.page(
    route=routes.SHARED,
    title="Shared with me - Prepple",
    on_load=[SessionState.refresh_viewer, InboxState.load, SetShareState.load],
)
def shared_page() -> rx.Component:
    """The feedback provider's inbox and the examples the user saved."""
    return page_layout(
        rx.heading("Shared with me", size="7", as_="h1"),
        muted("Answers friends and mentees asked you to give feedback on."),
        rx.cond(
            InboxState.items.length() > 0,
            rx.vstack(rx.foreach(InboxState.items, _inbox_row), width="100%", id="inbox"),
            rx.cond(
                InboxState.loaded,
                empty_state(
                    "inbox",
                    "Nothing shared with you yet",
                    "When someone invites you by e-mail to review an answer, it appears here.",
                    id="inbox-empty",
                ),
                rx.spinner(),
            ),
        ),
        _set_share(),
        rx.heading("Saved examples", size="5", as_="h2"),
        rx.cond(
            InboxState.saved.length() > 0,
            rx.vstack(
                rx.foreach(
                    InboxState.saved,
                    lambda s: rx.link(
                        rx.card(
                            rx.vstack(
                                rx.text(s.question, weight="bold"),
                                muted("by " + s.author),
                                rx.text(s.excerpt, size="2"),
                                spacing="1",
                            ),
                            width="100%",
                        ),
                        href="/view/" + s.ref,
                        width="100%",
                    ),
                ),
                width="100%",
                id="saved-examples",
            ),
            muted("Save a community answer to learn from it; it will wait for you here."),
        ),
    )


def _public_answer(a) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.hstack(
                    rx.icon(rx.cond(a.kind == "recording", "video", "file-text"), size=16),
                    rx.text(a.author, weight="bold", size="2"),
                    rx.cond(a.by_mentor, rx.badge("Mentor example", color_scheme="violet")),
                    rx.cond(a.mine, rx.badge("Yours", color_scheme="gray")),
                    rx.cond(a.duration != "", muted(a.duration)),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.badge(
                    rx.icon("heart", size=12),
                    a.helpful.to_string(),
                    color_scheme="tomato",
                    variant="soft",
                    class_name="helpful-count",
                ),
                justify="between",
                width="100%",
            ),
            rx.text(a.excerpt, size="2"),
            rx.hstack(
                rx.link(rx.button("Open", size="1"), href="/view/" + a.ref),
                rx.cond(
                    ~a.mine,
                    rx.hstack(
                        rx.button(
                            rx.cond(a.voted, "Helpful ✓", "Helpful"),
                            size="1",
                            variant="soft",
                            on_click=CommunityState.toggle_helpful(a.ref),
                            class_name="community-helpful",
                        ),
                        rx.button(
                            rx.cond(a.saved, "Saved ✓", "Save"),
                            size="1",
                            variant="soft",
                            on_click=CommunityState.toggle_saved(a.ref),
                            class_name="community-save",
                        ),
                        spacing="2",
                    ),
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="public-answer",
    )


@rx.page(
    route=routes.COMMUNITY,
    title="Community answers - Prepple",
    on_load=[SessionState.refresh_viewer, CommunityState.load],
)
def community_page() -> rx.Component:
    """The community's public answers to one question, most helpful first."""
    return page_layout(
        rx.cond(
            CommunityState.not_found,
            empty_state(
                "file-question",
                "Question not found",
                "It may have been removed.",
                rx.link(rx.button("Browse questions"), href=routes.QUESTIONS),
            ),
            rx.vstack(
                rx.link(
                    "← The question",
                    href="/questions/" + CommunityState.question_id.to_string(),
                    size="2",
                ),
                rx.heading(CommunityState.question_text, size="6", as_="h1"),
                muted(
                    "Answers members made public and mentors' examples, most helpful first. "
                    "Learn from them, then say it in your own words."
                ),
                rx.cond(
                    CommunityState.answers.length() > 0,
                    rx.vstack(
                        rx.foreach(CommunityState.answers, _public_answer),
                        width="100%",
                        id="community-answers",
                    ),
                    empty_state(
                        "users",
                        "No public answers yet",
                        "Be the first: plan or record your answer and set it to Public.",
                        rx.link(
                            rx.button("Plan your answer"),
                            href="/plan/" + CommunityState.question_id.to_string(),
                        ),
                        id="community-empty",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
        ),
    )
