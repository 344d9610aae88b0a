"""Page frame: skip link, navigation bar (collapses to a menu on a phone), main column, footer,
and the "turned off" page a disabled feature shows (``feature_gate``).

The desktop bar must fit one line at 1280 px: the daily items are links, the less-used ones sit
under a "More" menu (a Radix dropdown: keyboard accessible), and each item whose feature flag
is off is hidden (``flag_on``)."""

from __future__ import annotations

import reflex as rx

from prepple.components.theme import CONTENT_WIDTH, NARROW_WIDTH, SPACE, STATUS, TEXT
from prepple.state.session import SessionState

#: The bar is wider than the text column so one line of links fits on a laptop.
NAV_WIDTH = "1200px"
_NOWRAP = {"white_space": "nowrap"}

#: Navigation items: (label, href, id, flag, who) where who is "all", "user" (signed in) or
#: "visitor". The first group are links on a laptop; MORE_LINKS sit under "More".
NAV_LINKS = [
    ("Questions", "/questions", "nav-questions", "question_bank", "all"),
    ("Practice", "/practice", "nav-practice", "practice", "all"),
    ("Today", "/today", "nav-today", "schedule", "user"),
    ("Schedule", "/schedule", "nav-schedule", "schedule", "user"),
    ("Story bank", "/stories", "nav-stories", "planner", "user"),
    ("My answers", "/answers", "nav-answers", "planner", "user"),
    ("Progress", "/progress", "nav-progress", "progress", "user"),
]
MORE_LINKS = [
    ("Saved questions", "/questions?saved=1", "nav-saved", "question_bank", "all"),
    ("Shared with me", "/shared", "nav-shared", "sharing", "user"),
    ("Video resume", "/resume", "nav-resume", "resume", "user"),
    ("Reminders", "/reminders", "nav-reminders", "schedule", "user"),
]

#: What each feature flag is called on the "turned off" page.
FEATURE_NAMES = {
    "registration": "Signing up",
    "password_reset": "Password reset",
    "question_bank": "The question bank",
    "component_gallery": "The component gallery",
    "planner": "The answer planner",
    "practice": "Practice on camera",
    "progress": "Progress",
    "schedule": "The practice schedule",
    "sharing": "Sharing",
    "community": "Community answers",
    "resume": "The video resume",
}


def flag_on(flag: str | None):
    """A Var: whether ``flag`` is on for this tab (on until the tab has loaded the flags, so a
    page never flashes "turned off" while it starts)."""
    if not flag:
        return True
    return ~(SessionState.flags_on[flag].to(bool) == False)  # noqa: E712 - a JS comparison


def _visible(flag: str | None, who: str, item: rx.Component) -> rx.Component:
    cond = flag_on(flag)
    if who == "user":
        cond = SessionState.is_authenticated & cond if flag else SessionState.is_authenticated
    elif who == "visitor":
        cond = ~SessionState.is_authenticated & cond if flag else ~SessionState.is_authenticated
    return rx.cond(cond, item) if cond is not True else item


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


def _more_menu() -> rx.Component:
    """Less-used places, one keyboard-accessible menu (Enter or Space opens, arrows move)."""
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                "More",
                rx.icon("chevron-down", size=14),
                variant="ghost",
                size="2",
                id="nav-more",
                class_name="nav-item",
            )
        ),
        rx.menu.content(
            *[
                _visible(flag, who, rx.menu.item(label, on_click=rx.redirect(href), id=id_))
                for label, href, id_, flag, who in MORE_LINKS
            ],
        ),
    )


def _desktop_links() -> rx.Component:
    return rx.hstack(
        *[
            _visible(
                flag,
                who,
                rx.link(label, href=href, id=id_, class_name="nav-item", style=_NOWRAP),
            )
            for label, href, id_, flag, who in NAV_LINKS
        ],
        _more_menu(),
        align="center",
        spacing="4",
        class_name="nav-links",
    )


def _account_links() -> rx.Component:
    return rx.cond(
        SessionState.is_authenticated,
        rx.hstack(
            bell(),
            rx.cond(
                SessionState.is_staff,
                rx.link(
                    "Admin", href="/admin", id="nav-admin", class_name="nav-item", style=_NOWRAP
                ),
            ),
            rx.link(
                SessionState.viewer_name,
                href="/account",
                id="nav-account",
                class_name="nav-item nav-name",
                title=SessionState.viewer_name,
                # A long name is cut with an ellipsis rather than pushing the bar onto 2 lines.
                style={
                    **_NOWRAP,
                    "max_width": "9em",
                    "overflow": "hidden",
                    "text_overflow": "ellipsis",
                    "display": "inline-block",
                    "vertical_align": "middle",
                },
            ),
            rx.button(
                "Log out", on_click=SessionState.logout, variant="soft", size="1", id="nav-logout"
            ),
            align="center",
            spacing="3",
        ),
        rx.hstack(
            rx.link("Log in", href="/login", id="nav-login", class_name="nav-item"),
            _visible(
                "registration",
                "all",
                rx.link(rx.button("Sign up free", size="2"), href="/register", id="nav-register"),
            ),
            align="center",
            spacing="3",
        ),
    )


def _mobile_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Menu", id="nav-menu")
        ),
        rx.menu.content(
            *[
                _visible(flag, who, rx.menu.item(label, on_click=rx.redirect(href)))
                for label, href, _, flag, who in NAV_LINKS + MORE_LINKS
            ],
            rx.menu.separator(),
            rx.cond(
                SessionState.is_authenticated,
                rx.fragment(
                    rx.cond(
                        SessionState.is_staff, rx.menu.item("Admin", on_click=rx.redirect("/admin"))
                    ),
                    rx.menu.item("Account", on_click=rx.redirect("/account")),
                    rx.menu.item("Log out", on_click=SessionState.logout),
                ),
                rx.fragment(
                    rx.menu.item("Log in", on_click=rx.redirect("/login")),
                    _visible(
                        "registration",
                        "all",
                        rx.menu.item("Sign up free", on_click=rx.redirect("/register")),
                    ),
                ),
            ),
        ),
    )


def navbar() -> rx.Component:
    """The top bar: one line of links on a laptop, a menu on a phone or narrow window."""
    return rx.el.header(
        rx.hstack(
            _brand(),
            rx.desktop_only(
                rx.hstack(
                    _desktop_links(),
                    _account_links(),
                    rx.color_mode.button(size="2", variant="ghost"),
                    align="center",
                    spacing="4",
                    wrap="nowrap",
                ),
                id="nav-desktop",
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
            max_width=NAV_WIDTH,
            margin_x="auto",
            padding_x="1em",
            padding_y="0.75em",
            width="100%",
            wrap="nowrap",
            id="nav-bar",
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


def feature_off_page(flag: str) -> rx.Component:
    """The one page every disabled feature shows: what is off, that nothing is lost, a way
    back."""
    name = FEATURE_NAMES.get(flag, flag.replace("_", " ").capitalize())
    return page_layout(
        rx.center(
            rx.vstack(
                rx.icon("power-off", size=36, color=rx.color(STATUS["muted"], 9)),
                rx.heading("This part of Prepple is turned off for now", size="6", as_="h1"),
                rx.text(
                    f"{name} is switched off by the people who run Prepple, usually for a "
                    "short while. Nothing you saved is lost; it will be here when it is back.",
                    color=rx.color(STATUS["muted"], 11),
                    text_align="center",
                    size=TEXT["body"],
                    max_width="36em",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("arrow-left", size=16),
                        "Go back",
                        variant="soft",
                        on_click=rx.call_script("window.history.back()"),
                        id="feature-off-back",
                    ),
                    rx.link(rx.button("Home"), href="/", id="feature-off-home"),
                    spacing="3",
                ),
                align="center",
                spacing=SPACE["normal"],
            ),
            padding_y="3em",
            width="100%",
            id="feature-off",
            data_flag=flag,
        ),
    )


def feature_gate(flag: str, page: rx.Component) -> rx.Component:
    """``page``, or the "turned off" page when ``flag`` is off for this tab. The server refuses
    the feature's handlers anyway (``guarded(flag=...)``); this is what a person sees."""
    return rx.cond(flag_on(flag), page, feature_off_page(flag))
