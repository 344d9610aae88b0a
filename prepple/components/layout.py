"""Page frame: skip link, navigation bar (collapses to a menu on a phone), main column, footer."""

from __future__ import annotations

import reflex as rx

from prepple.components.theme import CONTENT_WIDTH, NARROW_WIDTH, SPACE, STATUS, TEXT
from prepple.state.session import SessionState

NAV_LINKS = [("Questions", "/questions", "library"), ("Practice", "/practice", "video")]


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("messages-square", size=22),
            rx.text("Prepple", size="5", weight="bold"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        color="inherit",
        aria_label="Prepple home",
    )


def bell(suffix: str = "") -> rx.Component:
    """The notification bell: unread count, the latest notifications, polled every 30 s.
    ``suffix`` keeps ids unique where the phone layout renders a second bell."""
    from prepple.state.reminders import BellState

    return rx.popover.root(
        rx.popover.trigger(
            rx.box(
                rx.icon_button(
                    rx.icon("bell", size=18),
                    variant="ghost",
                    aria_label="Notifications",
                    id="nav-bell" + suffix,
                ),
                rx.cond(
                    BellState.unread > 0,
                    rx.badge(
                        BellState.unread.to_string(),
                        color_scheme="tomato",
                        variant="solid",
                        radius="full",
                        size="1",
                        class_name="bell-count",
                        id="bell-count" + suffix,
                    ),
                ),
                # One poller per page, not one per bell (the phone layout has its own bell).
                bell_poller() if not suffix else rx.fragment(),
                position="relative",
                data_unread=BellState.unread.to_string(),
                id="bell" + suffix,
                on_mount=BellState.refresh(None) if not suffix else None,
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.text("Notifications", weight="bold"),
                    rx.cond(
                        BellState.unread > 0,
                        rx.button(
                            "Mark all read",
                            size="1",
                            variant="ghost",
                            on_click=BellState.mark_all_read,
                            id="bell-read-all" + suffix,
                        ),
                    ),
                    justify="between",
                    width="100%",
                ),
                rx.cond(
                    BellState.items.length() > 0,
                    rx.vstack(
                        rx.foreach(
                            BellState.items,
                            lambda n: rx.box(
                                rx.text(n.title, weight=rx.cond(n.read, "regular", "bold")),
                                rx.text(n.body, size="1", color=rx.color("gray", 11)),
                                rx.text(n.when, size="1", color=rx.color("gray", 10)),
                                on_click=BellState.open_item(n.id),
                                class_name="bell-item",
                                role="button",
                                tab_index=0,
                            ),
                        ),
                        spacing="2",
                        width="100%",
                        id="bell-items" + suffix,
                    ),
                    rx.text("Nothing new.", size="2", color=rx.color("gray", 11)),
                ),
                rx.link("Reminder settings", href="/reminders", size="1"),
                spacing="3",
                width="20em",
                max_width="80vw",
            ),
        ),
        on_open_change=lambda _open: BellState.refresh(None),
    )


def bell_poller() -> rx.Component:
    """Keeps the bell's count fresh while a signed-in page is open."""
    from prepple.state.reminders import BellState

    return rx.moment(interval=30_000, on_change=BellState.refresh, display="none")


def _account_links() -> rx.Component:
    return rx.cond(
        SessionState.is_authenticated,
        rx.hstack(
            bell(),
            rx.link("My answers", href="/answers", id="nav-answers"),
            rx.link("Today", href="/today", id="nav-today"),
            rx.link("Progress", href="/progress", id="nav-progress"),
            rx.link("Shared", href="/shared", id="nav-shared"),
            rx.link("Resume", href="/resume", id="nav-resume"),
            rx.cond(SessionState.is_staff, rx.link("Admin", href="/admin", id="nav-admin")),
            rx.link(SessionState.viewer_name, href="/account", id="nav-account"),
            rx.button(
                "Log out", on_click=SessionState.logout, variant="soft", size="2", id="nav-logout"
            ),
            align="center",
            spacing=SPACE["normal"],
        ),
        rx.hstack(
            rx.link("Log in", href="/login", id="nav-login"),
            rx.link(rx.button("Sign up free", size="2"), href="/register", id="nav-register"),
            align="center",
            spacing=SPACE["normal"],
        ),
    )


def _mobile_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Menu", id="nav-menu")
        ),
        rx.menu.content(
            *[rx.menu.item(label, on_click=rx.redirect(href)) for label, href, _ in NAV_LINKS],
            rx.menu.separator(),
            rx.cond(
                SessionState.is_authenticated,
                rx.fragment(
                    rx.menu.item("My answers", on_click=rx.redirect("/answers")),
                    rx.menu.item("Today", on_click=rx.redirect("/today")),
                    rx.menu.item("Schedule", on_click=rx.redirect("/schedule")),
                    rx.menu.item("Progress", on_click=rx.redirect("/progress")),
                    rx.menu.item("Shared with me", on_click=rx.redirect("/shared")),
                    rx.menu.item("Video resume", on_click=rx.redirect("/resume")),
                    rx.cond(
                        SessionState.is_staff, rx.menu.item("Admin", on_click=rx.redirect("/admin"))
                    ),
                    rx.menu.item("Account", on_click=rx.redirect("/account")),
                    rx.menu.item("Log out", on_click=SessionState.logout),
                ),
                rx.fragment(
                    rx.menu.item("Log in", on_click=rx.redirect("/login")),
                    rx.menu.item("Sign up free", on_click=rx.redirect("/register")),
                ),
            ),
        ),
    )


def navbar() -> rx.Component:
    """The top bar; links on a laptop, a menu on a phone."""
    return rx.el.header(
        rx.hstack(
            _brand(),
            rx.desktop_only(
                rx.hstack(
                    *[rx.link(label, href=href) for label, href, _ in NAV_LINKS],
                    _account_links(),
                    rx.color_mode.button(size="2", variant="ghost"),
                    align="center",
                    spacing=SPACE["section"],
                )
            ),
            rx.mobile_and_tablet(
                rx.hstack(
                    rx.cond(SessionState.is_authenticated, bell("-m")),
                    rx.color_mode.button(size="2", variant="ghost"),
                    _mobile_menu(),
                    align="center",
                    spacing=SPACE["normal"],
                )
            ),
            justify="between",
            align="center",
            max_width=CONTENT_WIDTH,
            margin_x="auto",
            padding_x="1em",
            padding_y="0.75em",
            width="100%",
        ),
        style={"border_bottom": f"1px solid {rx.color('gray', 5)}"},
    )


def footer() -> rx.Component:
    """Quiet footer."""
    return rx.el.footer(
        rx.text(
            "Prepple: plan it, say it, own the interview.",
            size=TEXT["small"],
            color=rx.color(STATUS["muted"], 10),
        ),
        padding="2em 1em",
        text_align="center",
    )


def page_layout(*children: rx.Component, narrow: bool = False) -> rx.Component:
    """Wrap a page's content in the nav bar, a centred main column and the footer."""
    return rx.box(
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        navbar(),
        rx.el.main(
            rx.vstack(*children, spacing=SPACE["section"], width="100%", align="stretch"),
            id="main",
            max_width=NARROW_WIDTH if narrow else CONTENT_WIDTH,
            margin_x="auto",
            padding_x="1em",
            padding_y="2em",
            width="100%",
            tab_index=-1,
        ),
        footer(),
        # Marks the page as interactive (state loaded); end-to-end tests wait for it.
        rx.el.span(
            id="app-ready",
            # Hydrated (the page's on_load handlers have run) and the viewer is known.
            data_ready=rx.cond(rx.State.is_hydrated & SessionState.viewer_loaded, "yes", "no"),
            hidden=True,
        ),
        min_height="100vh",
    )
