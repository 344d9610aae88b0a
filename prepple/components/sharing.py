"""The owner's share panel: visibility, e-mail invites, links, and the list of shares."""

from __future__ import annotations

import reflex as rx

from prepple.components.feedback import muted
from prepple.components.forms import labelled
from prepple.components.theme import SELECT_STYLE, STATUS
from prepple.state.sharing import ShareState

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


def _share_row(s) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(s.kind == "invite", "mail", "link"), size=16),
        rx.vstack(
            rx.text(rx.cond(s.kind == "invite", s.invitee, "Anyone with the link"), size="2"),
            muted(
                "Since "
                + s.created
                + rx.cond(s.expires != "", " · until " + s.expires, "")
                + " · opened "
                + s.views.to_string()
                + " times"
            ),
            spacing="0",
            flex="1",
        ),
        rx.badge(
            s.status,
            color_scheme=rx.match(s.status, ("active", "grass"), ("expired", "amber"), "gray"),
        ),
        rx.cond(
            s.status == "active",
            rx.hstack(
                rx.cond(
                    s.kind == "link",
                    rx.link("Open", href=s.link, size="2", class_name="share-link"),
                ),
                rx.button(
                    "Turn off",
                    size="1",
                    variant="soft",
                    color_scheme="tomato",
                    on_click=ShareState.revoke(s.id),
                    id="revoke-" + s.id.to_string(),
                ),
                spacing="2",
                align="center",
            ),
        ),
        width="100%",
        align="center",
        spacing="3",
        class_name="share-row",
    )


def share_forms(state, prefix: str) -> rx.Component:
    """The two ways to share: invite by e-mail, or make a link (``state`` has ``invite``,
    ``make_link`` and ``new_link``); element ids start with ``prefix``."""
    return rx.grid(
        rx.form(
            rx.vstack(
                rx.text("Invite by e-mail", weight="bold", size="2"),
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
                rx.text("Share a link", weight="bold", size="2"),
                muted("Anyone with the link can watch; to comment they log in."),
                _include_plan(f"{prefix}-link-plan"),
                _expiry(f"{prefix}-link-expiry"),
                rx.button("Create link", type="submit", variant="soft", id=f"{prefix}-make-link"),
                rx.cond(
                    state.new_link != "",
                    rx.link(
                        rx.icon("link", size=14),
                        state.new_link,
                        href=state.new_link,
                        id=f"{prefix}-new-link",
                        size="2",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=state.make_link,
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def share_panel() -> rx.Component:
    """Who can see this answer, invite people, make a link, turn shares off."""
    return rx.cond(
        ShareState.ready,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Share for feedback", size="4", as_="h2"),
                    rx.badge(ShareState.visibility, id="visibility-badge"),
                    justify="between",
                    width="100%",
                ),
                rx.segmented_control.root(
                    rx.segmented_control.item("Private", value="private"),
                    rx.segmented_control.item("Shared", value="shared"),
                    rx.segmented_control.item("Public", value="public"),
                    value=ShareState.visibility,
                    on_change=ShareState.set_visibility,
                    id="visibility",
                ),
                muted(
                    rx.match(
                        ShareState.visibility,
                        ("private", "Only you can see it. Links and invitations are paused."),
                        ("shared", "Only the people and links below can see it."),
                        "Members can find it under the question's community answers.",
                    )
                ),
                rx.cond(
                    ShareState.warning != "",
                    rx.callout(
                        rx.vstack(
                            rx.text(ShareState.warning),
                            rx.hstack(
                                rx.button(
                                    "The words are mine: publish",
                                    size="1",
                                    on_click=ShareState.confirm_public,
                                    id="confirm-public",
                                ),
                                rx.button(
                                    "Keep it as it was",
                                    size="1",
                                    variant="soft",
                                    on_click=ShareState.dismiss_warning,
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
                share_forms(ShareState, "share"),
                rx.cond(
                    ShareState.error != "",
                    rx.text(
                        ShareState.error,
                        color=rx.color(STATUS["error"], 11),
                        size="2",
                        role="alert",
                        id="share-error",
                    ),
                ),
                rx.cond(
                    ShareState.shares.length() > 0,
                    rx.vstack(
                        rx.text("Shared with", weight="bold", size="2"),
                        rx.foreach(ShareState.shares, _share_row),
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
