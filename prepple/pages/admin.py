"""The in-app admin area (staff only; each tab and action is checked on the server)."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import access_denied, empty_state
from prepple.components.layout import page_layout
from prepple.components.theme import SPACE, STATUS, TEXT
from prepple.state.admin import TAB_PERMISSIONS, AdminState
from prepple.state.session import SessionState


def _role_toggle(user, role) -> rx.Component:
    has = user.roles.contains(role)
    return rx.button(
        role,
        size="1",
        variant=rx.cond(has, "solid", "outline"),
        color_scheme=rx.cond(has, "iris", "gray"),
        on_click=AdminState.set_role(user.id, role, ~has),
        aria_pressed=rx.cond(has, "true", "false"),
        title=rx.cond(has, "Click to remove", "Click to grant"),
        class_name="role-toggle",
    )


def _users_tab() -> rx.Component:
    return rx.vstack(
        rx.el.label("Find users", html_for="user-search", class_name="sr-only"),
        rx.debounce_input(
            rx.input(
                id="user-search",
                placeholder="Search by e-mail or name",
                value=AdminState.user_query,
                on_change=AdminState.search_users,
                max_length=200,
                width="100%",
            ),
            debounce_timeout=300,
        ),
        rx.text(
            AdminState.user_total.to_string()
            + rx.cond(AdminState.user_total == 1, " user", " users"),
            size=TEXT["small"],
            color=rx.color(STATUS["muted"], 11),
        ),
        rx.foreach(
            AdminState.users,
            lambda u: rx.card(
                rx.vstack(
                    rx.hstack(
                        rx.text(u.display_name, weight="medium"),
                        rx.text(u.email, color=rx.color(STATUS["muted"], 11)),
                        rx.text(
                            "since " + u.created,
                            size=TEXT["small"],
                            color=rx.color(STATUS["muted"], 10),
                        ),
                        rx.cond(~u.active, rx.badge("deactivated", color_scheme="tomato")),
                        rx.spacer(),
                        rx.button(
                            rx.cond(u.active, "Deactivate", "Reactivate"),
                            size="1",
                            variant="ghost",
                            color_scheme=rx.cond(u.active, "tomato", "grass"),
                            on_click=AdminState.set_active(u.id, ~u.active),
                            class_name="active-toggle",
                        ),
                        wrap="wrap",
                        spacing="3",
                        width="100%",
                        align="center",
                    ),
                    rx.flex(
                        rx.foreach(AdminState.all_roles, lambda r: _role_toggle(u, r)),
                        wrap="wrap",
                        spacing="1",
                    ),
                    spacing="2",
                ),
                width="100%",
                class_name="user-row",
            ),
        ),
        width="100%",
        spacing=SPACE["tight"],
    )


def _flags_tab() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Features ship behind flags. Switching one off here refuses it on the server "
            "too, for everyone, at once.",
            color=rx.color(STATUS["muted"], 11),
        ),
        rx.foreach(
            AdminState.flag_rows,
            lambda f: rx.card(
                rx.hstack(
                    rx.vstack(
                        rx.text(f.name, weight="medium", font_family="monospace"),
                        rx.text(
                            rx.cond(f.overridden, "overridden (default ", "default ("),
                            rx.cond(f.default, "on", "off"),
                            ")",
                            size=TEXT["small"],
                            color=rx.color(STATUS["muted"], 11),
                        ),
                        spacing="1",
                    ),
                    rx.hstack(
                        rx.switch(
                            checked=f.enabled,
                            id="flag-" + f.name,
                            on_change=lambda v: AdminState.set_flag(
                                f.name, rx.cond(v, "on", "off")
                            ),
                            aria_label="Toggle " + f.name,
                        ),
                        rx.cond(
                            f.overridden,
                            rx.button(
                                "Reset",
                                size="1",
                                variant="ghost",
                                on_click=AdminState.set_flag(f.name, "default"),
                            ),
                        ),
                        align="center",
                    ),
                    justify="between",
                    width="100%",
                    align="center",
                ),
                width="100%",
            ),
        ),
        width="100%",
        spacing=SPACE["tight"],
    )


def _outbox_tab() -> rx.Component:
    return rx.cond(
        AdminState.outbox.length() > 0,
        rx.vstack(
            rx.foreach(
                AdminState.outbox,
                lambda m: rx.card(
                    rx.vstack(
                        rx.hstack(
                            rx.badge(m.kind),
                            rx.text(m.to_email, weight="medium"),
                            rx.text(m.created, size=TEXT["small"]),
                            rx.badge(m.status, variant="outline"),
                            wrap="wrap",
                        ),
                        rx.text(m.subject, weight="medium"),
                        rx.text(
                            m.body,
                            white_space="pre-wrap",
                            size=TEXT["small"],
                            class_name="outbox-body",
                        ),
                        spacing="1",
                    ),
                    width="100%",
                ),
            ),
            width="100%",
            spacing=SPACE["tight"],
        ),
        empty_state("inbox", "No messages yet", "Password resets and reminders appear here."),
    )


def _audit_tab() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[rx.table.column_header_cell(h) for h in ("When", "Who", "What", "Detail")]
            )
        ),
        rx.table.body(
            rx.foreach(
                AdminState.audit_rows,
                lambda a: rx.table.row(
                    rx.table.cell(a.created),
                    rx.table.cell(a.actor),
                    rx.table.cell(a.action),
                    rx.table.cell(a.detail),
                ),
            )
        ),
        width="100%",
        size="1",
    )


def _report(r) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(r.kind),
                rx.badge(r.reason, color_scheme="tomato", variant="soft"),
                rx.text("from " + r.reporter, size=TEXT["small"]),
                rx.text(r.created, size=TEXT["small"]),
                wrap="wrap",
            ),
            rx.text("What was reported", size="1", weight="bold", color=rx.color("gray", 11)),
            rx.blockquote(r.excerpt, white_space="pre-wrap", size="2", class_name="report-excerpt"),
            rx.cond(
                r.detail != "",
                rx.text(
                    rx.text.strong("The reporter's words: "),
                    r.detail,
                    size=TEXT["small"],
                    class_name="report-detail",
                ),
            ),
            rx.hstack(
                rx.cond(r.link != "", rx.link("Open it", href=r.link, size="2", is_external=True)),
                rx.button(
                    "Dismiss",
                    size="1",
                    variant="soft",
                    on_click=AdminState.resolve_report(r.id, "dismiss"),
                ),
                rx.button(
                    "Remove it",
                    size="1",
                    color_scheme="tomato",
                    on_click=AdminState.ask_remove(r.id),
                    class_name="report-remove",
                ),
                spacing="2",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="report-card",
    )


def _remove_dialog() -> rx.Component:
    """ "Remove it" asks first, saying what will happen and that the owner is told."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.form(
                rx.vstack(
                    rx.alert_dialog.title("Remove this " + AdminState.confirm_kind + "?"),
                    rx.alert_dialog.description(
                        AdminState.confirm_effect, id="remove-effect", size="2"
                    ),
                    rx.el.label(
                        rx.text(
                            "Note to the owner (optional)", size=TEXT["small"], weight="medium"
                        ),
                        rx.text_area(
                            name="note",
                            id="remove-note",
                            max_length=500,
                            rows="3",
                            width="100%",
                            placeholder="Why it was removed, in a sentence they will understand.",
                        ),
                        width="100%",
                    ),
                    rx.text(
                        "They get the report's reason, this note and how to appeal.",
                        size=TEXT["small"],
                        color=rx.color(STATUS["muted"], 11),
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button(
                                "Keep it",
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                                id="remove-cancel",
                                on_click=AdminState.cancel_remove,
                            )
                        ),
                        rx.button(
                            "Remove and tell the owner",
                            color_scheme="tomato",
                            type="submit",
                            id="remove-confirm",
                        ),
                        justify="end",
                        wrap="wrap",
                        spacing="2",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AdminState.confirm_remove,
                reset_on_submit=True,
            ),
            max_width="480px",
            id="remove-dialog",
        ),
        open=AdminState.confirm_report != 0,
        on_open_change=lambda _open: AdminState.cancel_remove,
    )


def _reports_tab() -> rx.Component:
    return rx.vstack(
        _remove_dialog(),
        rx.cond(
            AdminState.reports.length() > 0,
            rx.vstack(rx.foreach(AdminState.reports, _report), width="100%", id="reports"),
            empty_state(
                "shield-check", "No open reports", "Reported answers and comments appear here."
            ),
        ),
        rx.heading("Do people agree with the AI?", size="4", as_="h2"),
        rx.cond(
            AdminState.agreement.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in ("Dimension", "Votes", "Agree")]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        AdminState.agreement,
                        lambda a: rx.table.row(
                            rx.table.cell(a.dimension),
                            rx.table.cell(a.votes.to_string()),
                            rx.table.cell(a.rate.to_string() + "%"),
                        ),
                    )
                ),
                size="1",
                id="ai-agreement",
            ),
            rx.text("No votes on the AI's feedback yet.", size=TEXT["small"]),
        ),
        width="100%",
        spacing=SPACE["normal"],
    )


_TABS = [
    ("users", "Users", _users_tab),
    ("flags", "Feature flags", _flags_tab),
    ("outbox", "Outbox", _outbox_tab),
    ("audit", "Audit log", _audit_tab),
    ("reports", "Reports", _reports_tab),
]


@rx.page(
    route=routes.ADMIN,
    title="Admin - Prepple",
    on_load=[SessionState.refresh_viewer, AdminState.load],
)
def admin_page() -> rx.Component:
    """Tabs for the staff roles; a clear notice for everyone else."""
    return page_layout(
        rx.cond(
            SessionState.is_staff,
            rx.vstack(
                rx.hstack(
                    rx.heading("Admin", size="7", as_="h1"),
                    rx.cond(
                        SessionState.viewer_permissions.contains("dev.gallery"),
                        rx.link("Component gallery", href=routes.GALLERY),
                    ),
                    justify="between",
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    _any_tab(),
                    _tabs(),
                    empty_state(
                        "briefcase",
                        "No tools here for your role yet",
                        "Your staff role opens this page, but none of its tabs (users, "
                        "feature flags, outbox, audit log, reports). Ask an admin if your "
                        "work needs one of them.",
                        rx.link(rx.button("Back to questions", variant="soft"), href="/questions"),
                        id="admin-no-tabs",
                    ),
                ),
                width="100%",
                spacing=SPACE["normal"],
                id="admin-area",
            ),
            rx.cond(
                SessionState.is_authenticated,
                access_denied(),
                rx.center(rx.spinner(size="3"), padding="4em"),
            ),
        ),
    )


def _any_tab():
    """Whether the viewer may open at least one tab (billing staff, today, may not)."""
    has = SessionState.viewer_permissions.contains(TAB_PERMISSIONS[_TABS[0][0]])
    for key, _, _ in _TABS[1:]:
        has = has | SessionState.viewer_permissions.contains(TAB_PERMISSIONS[key])
    return has


def _tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            *[
                rx.cond(
                    SessionState.viewer_permissions.contains(TAB_PERMISSIONS[key]),
                    rx.tabs.trigger(label, value=key, id=f"tab-{key}"),
                )
                for key, label, _ in _TABS
            ],
            # Five tabs are wider than a phone: they wrap rather than hide "Reports".
            style={"flex_wrap": "wrap"},
        ),
        *[rx.tabs.content(body(), value=key, padding_top="1em") for key, _, body in _TABS],
        value=AdminState.tab,
        on_change=AdminState.open_tab,
        width="100%",
    )
