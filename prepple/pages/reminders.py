"""Reminder settings (/reminders) and one-click unsubscribe (/unsubscribe)."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.forms import labelled
from prepple.components.layout import page_layout
from prepple.components.theme import STATUS, TEXT
from prepple.state.reminders import ReminderSettingsState, UnsubscribeState
from prepple.state.session import SessionState


@rx.page(
    route=routes.REMINDERS,
    title="Reminders - Prepple",
    on_load=[SessionState.refresh_viewer, ReminderSettingsState.load],
)
def reminders_page() -> rx.Component:
    """When and how practice reminders arrive."""
    s = ReminderSettingsState
    return page_layout(
        rx.heading("Reminders", size="7", as_="h1"),
        rx.text(
            "On days your schedule has something to do, we remind you once, at the time you "
            "choose, never in your quiet hours.",
            size=TEXT["body"],
            color=rx.color(STATUS["muted"], 11),
        ),
        rx.cond(
            s.unsubscribed,
            rx.callout(
                "You turned e-mail reminders off from a link. Choose e-mail again to turn them "
                "back on.",
                icon="mail-x",
                id="unsubscribed-note",
            ),
        ),
        rx.form(
            rx.vstack(
                labelled(
                    "Remind me by",
                    rx.el.select(
                        rx.el.option("In-app notification", value="inapp"),
                        rx.el.option("E-mail", value="email"),
                        rx.el.option("Both", value="both"),
                        rx.el.option("Don't remind me", value="off"),
                        name="channel",
                        id="rem-channel",
                        value=s.channel,
                        on_change=lambda v: ReminderSettingsState.set_field("channel", v),
                        class_name="prepple-select",
                    ),
                    "rem-channel",
                ),
                labelled(
                    "At",
                    rx.input(
                        type="time",
                        name="local_time",
                        id="rem-time",
                        value=s.local_time,
                        on_change=lambda v: ReminderSettingsState.set_field("local_time", v),
                        aria_describedby="rem-time-warning",
                        aria_invalid=rx.cond(s.time_warning != "", "true", "false"),
                    ),
                    "rem-time",
                ),
                rx.cond(
                    s.time_warning != "",
                    rx.callout(
                        s.time_warning,
                        icon="moon",
                        color_scheme="amber",
                        size="1",
                        id="rem-time-warning",
                        role="alert",
                    ),
                ),
                labelled(
                    "Time zone",
                    rx.el.select(
                        rx.foreach(s.timezones, lambda z: rx.el.option(z, value=z)),
                        name="timezone",
                        id="rem-timezone",
                        value=s.timezone,
                        on_change=lambda v: ReminderSettingsState.set_field("timezone", v),
                        class_name="prepple-select",
                    ),
                    "rem-timezone",
                ),
                rx.hstack(
                    labelled(
                        "Quiet from",
                        rx.input(
                            type="time",
                            name="quiet_start",
                            id="rem-quiet-start",
                            value=s.quiet_start,
                            on_change=lambda v: ReminderSettingsState.set_field("quiet_start", v),
                        ),
                        "rem-quiet-start",
                    ),
                    labelled(
                        "until",
                        rx.input(
                            type="time",
                            name="quiet_end",
                            id="rem-quiet-end",
                            value=s.quiet_end,
                            on_change=lambda v: ReminderSettingsState.set_field("quiet_end", v),
                        ),
                        "rem-quiet-end",
                    ),
                    spacing="4",
                ),
                rx.cond(
                    s.error != "",
                    rx.callout(
                        s.error, icon="triangle-alert", color_scheme="tomato", id="rem-error"
                    ),
                ),
                rx.button("Save", type="submit", id="rem-save"),
                spacing="4",
                align="start",
            ),
            on_submit=ReminderSettingsState.save,
            id="reminders-form",
        ),
    )


@rx.page(
    route=routes.UNSUBSCRIBE,
    title="Unsubscribe - Prepple",
    on_load=[SessionState.refresh_viewer, UnsubscribeState.load],
)
def unsubscribe_page() -> rx.Component:
    """Stop e-mailed reminders with one click (no log-in needed)."""
    return page_layout(
        rx.heading("E-mail reminders", size="7", as_="h1"),
        rx.cond(
            UnsubscribeState.done,
            rx.callout(
                "Done: we won't e-mail you reminders any more. You can turn them back on in "
                "your reminder settings.",
                icon="circle-check",
                color_scheme="grass",
                id="unsubscribe-done",
            ),
            rx.vstack(
                rx.cond(
                    UnsubscribeState.failed,
                    rx.callout(
                        "This link is not valid any more. Log in and change your reminder "
                        "settings instead.",
                        icon="triangle-alert",
                        color_scheme="tomato",
                        id="unsubscribe-failed",
                    ),
                ),
                rx.text("Stop e-mailing me practice reminders?"),
                rx.button("Unsubscribe", on_click=UnsubscribeState.confirm, id="unsubscribe"),
                spacing="3",
                align="start",
            ),
        ),
        narrow=True,
    )
