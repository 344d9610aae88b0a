"""The practice schedule (/schedule): an interview date becomes a day-by-day plan; and the
"today" view (/today) that reminders link to."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state, muted
from prepple.components.forms import labelled, row_with_actions
from prepple.components.layout import page_layout
from prepple.components.theme import TEXT
from prepple.state.schedule import ScheduleState
from prepple.state.session import SessionState

KIND_COLOR = {"plan": "violet", "practice": "blue", "review": "amber"}


def _interview_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                labelled(
                    "Interview date",
                    rx.input(
                        type="date",
                        name="day",
                        id="iv-day",
                        default_value=ScheduleState.interview_day,
                        required=True,
                    ),
                    "iv-day",
                ),
                labelled(
                    "Time",
                    rx.input(
                        type="time",
                        name="time",
                        id="iv-time",
                        default_value=rx.cond(
                            ScheduleState.interview_time != "",
                            ScheduleState.interview_time,
                            "09:00",
                        ),
                    ),
                    "iv-time",
                ),
                labelled(
                    "Company",
                    rx.fragment(
                        rx.input(
                            name="company",
                            id="iv-company",
                            placeholder="e.g. Amazon",
                            default_value=ScheduleState.company,
                            list="iv-companies",
                            max_length=80,
                        ),
                        rx.el.datalist(
                            rx.foreach(
                                ScheduleState.companies, lambda c: rx.el.option(value=c.name)
                            ),
                            id="iv-companies",
                        ),
                    ),
                    "iv-company",
                ),
                labelled(
                    "Role",
                    rx.input(
                        name="role_title",
                        id="iv-role",
                        placeholder="e.g. Product manager",
                        default_value=ScheduleState.role_title,
                        max_length=120,
                    ),
                    "iv-role",
                ),
                labelled(
                    "Minutes a day",
                    rx.el.select(
                        *[rx.el.option(f"{m} minutes", value=str(m)) for m in (10, 20, 30, 45, 60)],
                        name="minutes_per_day",
                        id="iv-minutes",
                        default_value=ScheduleState.minutes_per_day.to_string(),
                        class_name="prepple-select",
                    ),
                    "iv-minutes",
                ),
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                ScheduleState.error != "",
                rx.callout(
                    ScheduleState.error, icon="triangle-alert", color_scheme="tomato", id="iv-error"
                ),
            ),
            rx.hstack(
                rx.button("Make my plan", type="submit", id="iv-save"),
                rx.cond(
                    ScheduleState.has_interview,
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=ScheduleState.edit(False),
                    ),
                ),
                spacing="3",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=ScheduleState.set_interview,
        id="interview-form",
        width="100%",
    )


def item_row(item, *, show_move: bool = True) -> rx.Component:
    """One plan item: done box, kind, question (a link to do it), and move/drop controls (under
    the question on a phone)."""
    return row_with_actions(
        rx.hstack(
            rx.checkbox(
                checked=item.status == "done",
                on_change=lambda v: ScheduleState.toggle_done(item.id, v),
                aria_label="Done",
                custom_attrs={"data-item": item.id.to_string()},
            ),
            rx.badge(
                item.kind_label, color_scheme=rx.match(item.kind, *KIND_COLOR.items(), "gray")
            ),
            rx.link(
                item.question,
                href=item.link,
                size=TEXT["small"],
                style={"flex": "1", "min_width": "0"},
                text_decoration=rx.cond(item.status == "done", "line-through", "none"),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        muted(item.minutes.to_string() + " min"),
        rx.cond(item.pinned, rx.icon("pin", size=14, color=rx.color("gray", 9))),
        rx.cond(
            show_move & (item.status == "todo"),
            rx.el.select(
                rx.el.option("Move to…", value=""),
                rx.foreach(ScheduleState.day_options, lambda d: rx.el.option(d, value=d)),
                value="",
                on_change=lambda d: ScheduleState.move(item.id, d),
                aria_label="Move to another day",
                class_name="prepple-select item-move",
            ),
        ),
        rx.cond(
            item.status == "todo",
            rx.icon_button(
                rx.icon("x", size=14),
                variant="ghost",
                color_scheme="gray",
                size="1",
                on_click=ScheduleState.drop(item.id),
                aria_label="Drop from the plan",
            ),
        ),
        class_name="plan-item",
        data_status=item.status,
    )


def _day(day) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(day.label, weight="bold"),
                rx.cond(day.is_today, rx.badge("Today", color_scheme="grass")),
                rx.cond(day.is_last, rx.badge("Last day", color_scheme="amber")),
                rx.spacer(),
                muted(day.minutes.to_string() + " / " + day.budget.to_string() + " min"),
                align="center",
                width="100%",
            ),
            rx.cond(
                day["items"].length() > 0,
                rx.vstack(rx.foreach(day["items"], item_row), spacing="2", width="100%"),
                muted("A free day."),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-day": day.day},
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("calendar-clock", size=22, color=rx.color("accent", 9)),
                rx.vstack(
                    rx.text(
                        "Interview",
                        rx.cond(ScheduleState.company != "", " at " + ScheduleState.company, ""),
                        rx.cond(
                            ScheduleState.role_title != "",
                            " (" + ScheduleState.role_title + ")",
                            "",
                        ),
                        weight="bold",
                    ),
                    muted(
                        ScheduleState.interview_day
                        + " at "
                        + ScheduleState.interview_time
                        + " · "
                        + ScheduleState.days_left.to_string()
                        + " days to go · "
                        + ScheduleState.minutes_per_day.to_string()
                        + " minutes a day",
                        id="iv-summary",
                    ),
                    spacing="0",
                ),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("calendar-plus", size=14), "Add to calendar", variant="soft"),
                    href=ScheduleState.ics_url,
                    id="ics-link",
                    is_external=True,
                ),
                rx.button(
                    "Change", variant="ghost", on_click=ScheduleState.edit(True), id="iv-edit"
                ),
                align="center",
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
            rx.hstack(
                rx.progress(value=ScheduleState.percent_done, max=100, width="100%"),
                muted(
                    ScheduleState.done.to_string()
                    + " of "
                    + ScheduleState.total.to_string()
                    + " done",
                    id="plan-progress",
                    white_space="nowrap",
                ),
                align="center",
                width="100%",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@rx.page(
    route=routes.SCHEDULE,
    title="Practice schedule - Prepple",
    on_load=[SessionState.refresh_viewer, ScheduleState.load],
)
def schedule_page() -> rx.Component:
    """The interview countdown plan."""
    return page_layout(
        rx.heading("Practice schedule", size="7", as_="h1"),
        rx.cond(
            ScheduleState.has_interview & ~ScheduleState.editing,
            rx.vstack(
                _summary(),
                rx.vstack(
                    rx.foreach(ScheduleState.days, _day), spacing="3", width="100%", id="plan-days"
                ),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                muted(
                    "Tell us when your interview is and how much time you have each day. "
                    "We plan which answers to write, which to practise on camera, and when to "
                    "come back to the weak ones. Move, add or drop anything; the plan adjusts."
                ),
                _interview_form(),
                spacing="4",
                width="100%",
            ),
        ),
    )


@rx.page(
    route=routes.TODAY,
    title="Today - Prepple",
    on_load=[SessionState.refresh_viewer, ScheduleState.load],
)
def today_page() -> rx.Component:
    """What to do today."""
    return page_layout(
        rx.heading("Today", size="7", as_="h1"),
        rx.cond(
            ScheduleState.today_items.length() > 0,
            rx.card(
                rx.vstack(
                    rx.foreach(ScheduleState.today_items, lambda i: item_row(i, show_move=False)),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
                id="today-items",
            ),
            empty_state(
                "calendar-check",
                rx.cond(ScheduleState.has_interview, "Nothing left for today", "No plan yet"),
                "Your schedule tells you what to plan and practise each day until the interview.",
                rx.link(rx.button("Open my schedule"), href=routes.SCHEDULE),
                id="today-empty",
            ),
        ),
        rx.link("See the whole schedule →", href=routes.SCHEDULE, size=TEXT["small"]),
    )
