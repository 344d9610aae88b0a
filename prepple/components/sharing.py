"""The owner's share panel (visibility, e-mail invites, links with a Copy button, the list of
shares), reviewers' comments and ratings, and the owner's summary of them."""

from __future__ import annotations

import reflex as rx

from prepple.components.feedback import error_line, muted
from prepple.components.forms import labelled, row_with_actions
from prepple.components.theme import SELECT_STYLE
from prepple.services.reviews import RATINGS
from prepple.state.sharing import POLL_MS, OwnerFeedbackState, ShareState

EXPIRY_CHOICES = (("", "Never expires"), ("1", "1 day"), ("7", "7 days"), ("30", "30 days"))


def _expiry(id_: str) -> rx.Component:
    return labelled(
        "Link works for",
        rx.el.select(
            *[rx.el.option(label, value=value) for value, label in EXPIRY_CHOICES],
            name="expires_days",
            id=id_,
            style=SELECT_STYLE,
        ),
        id_,
    )


def _include_plan(id_: str) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", name="include_plan", id=id_, default_checked=True),
        " Include my written plan",
        html_for=id_,
        style={"font_size": "0.9em"},
    )


# Copies the button's data-copy text: the Clipboard API where the page is a secure context,
# else a hidden textarea and execCommand (plain-http deployments); then says "Copied" in the
# button's status element for a few seconds.
_COPY_FN = """function (id) {
  var b = document.getElementById(id); if (!b) return;
  var text = b.getAttribute("data-copy") || "";
  var s = document.getElementById(id + "-status");
  function shown(ok) {
    if (s) { s.textContent = ok ? "Copied" : "Couldn't copy: select the address and copy it";
      s.setAttribute("data-copied", ok ? "yes" : "no"); }
    clearTimeout(b._preppleCopied);
    b._preppleCopied = setTimeout(function () {
      if (s) { s.textContent = ""; s.removeAttribute("data-copied"); } }, 4000);
  }
  function fallback() {
    var t = document.createElement("textarea"); t.value = text;
    t.setAttribute("readonly", ""); t.style.position = "fixed"; t.style.opacity = "0";
    document.body.appendChild(t); t.select(); var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(t); shown(ok);
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { shown(true); }, fallback);
  } else { fallback(); }
}"""


def copy_button(text, id_, *, label: str = "Copy", size: str = "2") -> rx.Component:
    """A Copy button for ``text`` and its "Copied" confirmation; ``id_`` (a string or a var of
    letters, digits and dashes) names the button, and ``<id_>-status`` the confirmation."""
    return rx.hstack(
        rx.button(
            rx.icon("copy", size=14),
            label,
            type="button",
            size=size,
            variant="soft",
            id=id_,
            custom_attrs={"data-copy": text},
            on_click=rx.call_script("(" + _COPY_FN + ")('" + id_ + "')"),
        ),
        rx.el.span(
            "",
            id=id_ + "-status",
            role="status",
            aria_live="polite",
            class_name="copy-status",
        ),
        spacing="2",
        align="center",
    )


def link_box(url, prefix: str) -> rx.Component:
    """A new share link as its full address, with Copy and Open."""
    return rx.vstack(
        rx.el.label("Your link", html_for=f"{prefix}-new-link-field", class_name="rt-Text"),
        rx.flex(
            rx.input(
                value=url,
                read_only=True,
                id=f"{prefix}-new-link-field",
                on_focus=rx.call_script(
                    f"document.getElementById('{prefix}-new-link-field').select()"
                ),
                flex="1 1 14em",
                min_width="0",
            ),
            copy_button(url, f"{prefix}-copy-link"),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.link(
            rx.flex(rx.icon("external-link", size=14), "Open it", spacing="1", align="center"),
            href=url,
            id=f"{prefix}-new-link",
            size="2",
            is_external=True,
        ),
        spacing="1",
        width="100%",
        id=f"{prefix}-link-box",
    )


def _share_row(s, state=ShareState) -> rx.Component:
    """One share: who (or "anyone with the link"), since when, how often opened; its status
    and actions (under the text on a phone)."""
    return row_with_actions(
        rx.hstack(
            rx.icon(rx.cond(s.kind == "invite", "mail", "link"), size=16, flex_shrink="0"),
            rx.vstack(
                rx.text(
                    rx.cond(s.kind == "invite", s.invitee, "Anyone with the link"),
                    size="2",
                    overflow_wrap="anywhere",
                ),
                muted(
                    "Since "
                    + s.created
                    + rx.cond(s.expires != "", " · until " + s.expires, "")
                    + " · opened "
                    + s.views.to_string()
                    + rx.cond(s.views == 1, " time", " times")
                ),
                spacing="0",
                min_width="0",
            ),
            spacing="3",
            align="center",
        ),
        rx.badge(
            s.status,
            color_scheme=rx.match(s.status, ("active", "grass"), ("expired", "amber"), "gray"),
        ),
        rx.cond(
            (s.status == "active") & (s.kind == "link"),
            rx.hstack(
                rx.link("Open", href=s.link, size="2", class_name="share-link"),
                copy_button(s.link, "copy-share-" + s.id.to_string(), size="1"),
                spacing="2",
                align="center",
            ),
        ),
        rx.cond(
            s.status == "active",
            rx.button(
                "Turn off",
                size="1",
                variant="soft",
                color_scheme="tomato",
                on_click=state.revoke(s.id),
                id="revoke-" + s.id.to_string(),
            ),
        ),
        class_name="share-row",
    )


def share_forms(state, prefix: str) -> rx.Component:
    """The two ways to share: invite by e-mail, or make a link (``state`` has ``invite``,
    ``make_link`` and ``new_link``); element ids start with ``prefix``."""
    return rx.grid(
        rx.form(
            rx.vstack(
                rx.heading("Invite by e-mail", size="3", as_="h3"),
                labelled(
                    "E-mail addresses (comma-separated)",
                    rx.text_area(
                        name="emails",
                        id=f"{prefix}-emails",
                        placeholder="friend@example.com, mentor@example.com",
                        rows="2",
                        max_length=3000,
                    ),
                    f"{prefix}-emails",
                    wide=True,
                ),
                labelled(
                    "A note (optional)",
                    rx.text_area(
                        name="message",
                        id=f"{prefix}-message",
                        placeholder="What would you like feedback on?",
                        rows="2",
                        max_length=1000,
                    ),
                    f"{prefix}-message",
                    wide=True,
                ),
                _include_plan(f"{prefix}-invite-plan"),
                _expiry(f"{prefix}-invite-expiry"),
                rx.button("Send invitation", type="submit", id=f"{prefix}-invite"),
                spacing="2",
                width="100%",
            ),
            on_submit=state.invite,
            reset_on_submit=True,
        ),
        rx.form(
            rx.vstack(
                rx.heading("Share a link", size="3", as_="h3"),
                muted("Anyone with the link can watch; to comment they log in."),
                _include_plan(f"{prefix}-link-plan"),
                _expiry(f"{prefix}-link-expiry"),
                rx.button("Create link", type="submit", variant="soft", id=f"{prefix}-make-link"),
                spacing="2",
                width="100%",
            ),
            on_submit=state.make_link,
        ),
        rx.cond(
            state.new_link != "", rx.box(link_box(state.new_link, prefix), grid_column="1 / -1")
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def share_panel(state=ShareState) -> rx.Component:
    """Who can see this answer, invite people, make a link, turn shares off (``state`` is
    :class:`ShareState`; the component gallery passes one with sample data)."""
    return rx.cond(
        state.ready,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Share for feedback", size="4", as_="h2"),
                    rx.badge(state.visibility, id="visibility-badge"),
                    justify="between",
                    width="100%",
                ),
                rx.segmented_control.root(
                    rx.segmented_control.item("Private", value="private"),
                    rx.segmented_control.item("Shared", value="shared"),
                    rx.segmented_control.item("Public", value="public"),
                    value=state.visibility,
                    on_change=state.set_visibility,
                    id="visibility",
                ),
                muted(
                    rx.match(
                        state.visibility,
                        ("private", "Only you can see it. Links and invitations are paused."),
                        ("shared", "Only the people and links below can see it."),
                        "Members can find it under the question's community answers.",
                    )
                ),
                rx.cond(
                    state.warning != "",
                    rx.callout(
                        rx.vstack(
                            rx.text(state.warning),
                            rx.hstack(
                                rx.button(
                                    "The words are mine: publish",
                                    size="1",
                                    on_click=state.confirm_public,
                                    id="confirm-public",
                                ),
                                rx.button(
                                    "Keep it as it was",
                                    size="1",
                                    variant="soft",
                                    on_click=state.dismiss_warning,
                                ),
                                spacing="2",
                            ),
                            spacing="2",
                        ),
                        icon="triangle-alert",
                        color_scheme="amber",
                        id="near-copy-warning",
                    ),
                ),
                share_forms(state, "share"),
                error_line(state.error, "share-error"),
                rx.cond(
                    state.shares.length() > 0,
                    rx.vstack(
                        rx.text("Shared with", weight="bold", size="2"),
                        rx.foreach(state.shares, lambda s: _share_row(s, state)),
                        width="100%",
                        spacing="2",
                        id="share-list",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="share-panel",
        ),
    )


# --- reviewers' feedback ---------------------------------------------------------------------


def comment_item(c, actions: rx.Component | None = None) -> rx.Component:
    """One reviewer's comment: who, at which moment of the video (click to play it there), the
    sentence it is about, and the text; ``actions`` (edit, delete, report) sit on the right."""
    return rx.box(
        rx.flex(
            rx.hstack(
                rx.text(c.author, weight="bold", size="2"),
                rx.cond(
                    c.at >= 0,
                    rx.badge(
                        rx.icon("play", size=10),
                        c.at_label,
                        custom_attrs={"data-seek": c.at.to_string()},
                        role="button",
                        tab_index=0,
                        title="Play from here",
                        class_name="comment-time",
                        style={"cursor": "pointer"},
                    ),
                ),
                muted(c.created + rx.cond(c.edited, " · edited", "")),
                spacing="2",
                align="center",
                wrap="wrap",
                min_width="0",
            ),
            actions or rx.fragment(),
            justify="between",
            spacing="2",
            width="100%",
        ),
        rx.cond(c.quote != "", rx.el.blockquote(c.quote, class_name="comment-quote")),
        rx.text(c.body, size="2", white_space="pre-wrap", class_name="comment-body"),
        class_name="comment",
        padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        overflow_wrap="anywhere",
    )


def review_row(r) -> rx.Component:
    """One reviewer's ratings (1-5 each) and overall note."""
    return rx.vstack(
        rx.hstack(
            rx.text(r.author, weight="bold", size="2"),
            muted(r.updated),
            spacing="2",
        ),
        rx.hstack(
            *[
                rx.cond(
                    getattr(r, name) > 0,
                    rx.badge(name.capitalize() + " " + getattr(r, name).to_string() + "/5"),
                )
                for name in RATINGS
            ],
            wrap="wrap",
            spacing="1",
        ),
        rx.cond(r.note != "", rx.text(r.note, size="2", white_space="pre-wrap")),
        spacing="1",
        width="100%",
        class_name="review-row",
        overflow_wrap="anywhere",
    )


def rating_summary(a) -> rx.Component:
    """One rating's average over the reviewers who gave it, as a meter out of 5."""
    return rx.vstack(
        rx.hstack(
            rx.text(a.name, size="2"),
            rx.text(
                a.average + " / 5",
                # A span, not muted()'s paragraph: a <p> inside the <p> broke the line.
                rx.text.span(
                    rx.cond(a.count == 1, " (1 reviewer)", " (" + a.count.to_string() + ")"),
                    color=rx.color("gray", 11),
                    weight="regular",
                ),
                size="2",
                weight="bold",
                white_space="nowrap",
            ),
            justify="between",
            width="100%",
        ),
        rx.progress(value=a.percent, max=100, aria_label=a.name + " rating"),
        spacing="1",
        width="100%",
        class_name="rating-summary",
    )


def _tip_votes(v) -> rx.Component:
    return rx.hstack(
        rx.text(v.message, size="2", flex="1", min_width="0"),
        rx.badge(rx.icon("thumbs-up", size=11), v.agree.to_string(), color_scheme="grass"),
        rx.badge(rx.icon("thumbs-down", size=11), v.disagree.to_string(), color_scheme="gray"),
        spacing="2",
        align="center",
        width="100%",
        class_name="tip-votes",
    )


def owner_feedback(state=OwnerFeedbackState) -> rx.Component:
    """On the owner's results page: what reviewers said (comments with their moment, click to
    play it; ratings on average and one by one; agreement with Prepple's tips)."""
    return rx.cond(
        state.loaded,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("What reviewers said", size="4", as_="h2"),
                    rx.badge(
                        state.comments.length().to_string()
                        + rx.cond(state.comments.length() == 1, " comment", " comments"),
                        id="owner-comment-count",
                    ),
                    rx.badge(
                        state.reviews_.length().to_string()
                        + rx.cond(state.reviews_.length() == 1, " rating", " ratings"),
                        color_scheme="gray",
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    state.has_feedback,
                    rx.grid(
                        rx.vstack(
                            rx.cond(
                                state.comments.length() > 0,
                                rx.vstack(
                                    muted("Click a time to play the moment a comment is about."),
                                    rx.box(
                                        rx.foreach(state.comments, lambda c: comment_item(c)),
                                        id="owner-comments",
                                        class_name="owner-comments",
                                        width="100%",
                                    ),
                                    spacing="1",
                                    width="100%",
                                ),
                                muted("No comments yet."),
                            ),
                            width="100%",
                        ),
                        rx.vstack(
                            rx.cond(
                                state.averages.length() > 0,
                                rx.vstack(
                                    rx.text("Ratings on average", weight="bold", size="2"),
                                    rx.foreach(state.averages, rating_summary),
                                    spacing="2",
                                    width="100%",
                                    id="owner-ratings",
                                ),
                            ),
                            rx.cond(
                                state.agreed + state.disagreed > 0,
                                rx.vstack(
                                    rx.text(
                                        "Prepple's tips, as reviewers saw them",
                                        weight="bold",
                                        size="2",
                                    ),
                                    muted(
                                        state.agreed.to_string()
                                        + " agreed · "
                                        + state.disagreed.to_string()
                                        + " disagreed",
                                        id="owner-ai-votes",
                                    ),
                                    rx.foreach(state.tip_votes, _tip_votes),
                                    spacing="2",
                                    width="100%",
                                ),
                            ),
                            rx.cond(
                                state.reviews_.length() > 0,
                                rx.vstack(
                                    rx.text("Notes", weight="bold", size="2"),
                                    rx.foreach(state.reviews_, review_row),
                                    spacing="2",
                                    width="100%",
                                    id="owner-reviews",
                                ),
                            ),
                            spacing="4",
                            width="100%",
                        ),
                        columns=rx.breakpoints(
                            initial="minmax(0, 1fr)", md="minmax(0, 3fr) minmax(0, 2fr)"
                        ),
                        spacing="5",
                        width="100%",
                        class_name="results-grid",
                    ),
                    muted(
                        "No feedback yet. Share this answer below and reviewers' comments, "
                        "ratings and votes on the tips appear here.",
                        id="owner-no-feedback",
                    ),
                ),
                rx.moment(interval=POLL_MS * 3, on_change=state.poll, display="none"),
                spacing="3",
                width="100%",
            ),
            width="100%",
            id="owner-feedback",
        ),
    )
