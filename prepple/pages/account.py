"""My account: practice list, change password, delete account."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.feedback import empty_state
from prepple.components.forms import (
    form_alert,
    form_field,
    password_field,
    stacked_form,
    submit_button,
)
from prepple.components.layout import page_layout
from prepple.components.theme import SPACE, STATUS
from prepple.state.account import AccountState
from prepple.state.session import SessionState

ERR = AccountState.errors


def _section(title: str, *children: rx.Component, id: str) -> rx.Component:  # noqa: A002
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"), *children, spacing=SPACE["normal"], width="100%"
        ),
        width="100%",
        id=id,
    )


@rx.page(
    route=routes.ACCOUNT,
    title="Your account - Prepple",
    on_load=[SessionState.refresh_viewer, AccountState.load],
)
def account_page() -> rx.Component:
    """Account settings (server-side: every handler requires a signed-in user)."""
    return page_layout(
        rx.cond(
            SessionState.is_authenticated,
            rx.vstack(
                rx.heading("Your account", size="7", as_="h1"),
                rx.text(
                    SessionState.viewer_name,
                    " · ",
                    SessionState.viewer_email,
                    color=rx.color(STATUS["muted"], 11),
                    id="account-identity",
                ),
                _section(
                    "Practice list",
                    rx.cond(
                        AccountState.saved_questions.length() > 0,
                        rx.vstack(
                            rx.foreach(
                                AccountState.saved_questions,
                                lambda q: rx.link(q["text"], href="/questions/" + q["id"]),
                            ),
                            spacing="2",
                        ),
                        empty_state(
                            "bookmark",
                            "Nothing saved yet",
                            "Save questions from the bank to build your practice list.",
                            rx.link(
                                rx.button("Browse questions", variant="soft"), href=routes.QUESTIONS
                            ),
                            id="saved-empty",
                        ),
                    ),
                    id="saved-section",
                ),
                _section(
                    "Change password",
                    stacked_form(
                        form_alert(AccountState.password_message, kind="ok", id="password-changed"),
                        password_field("Current password", "current_password", ERR),
                        password_field("New password", "new_password", ERR, new=True),
                        password_field(
                            "Repeat new password", "new_password_confirm", ERR, new=True
                        ),
                        submit_button("Change password", id="change-password-submit"),
                        on_submit=AccountState.change_password,
                        id="password-form",
                        max_width="28em",
                    ),
                    id="password-section",
                ),
                _section(
                    "Delete account",
                    rx.text(
                        "This deletes your account and everything in it, at once. "
                        "It can't be undone."
                    ),
                    stacked_form(
                        password_field("Password", "delete_password", ERR),
                        form_field("Type DELETE to confirm", "confirm", errors=ERR, max_length=20),
                        submit_button("Delete my account", id="delete-account-submit", danger=True),
                        on_submit=AccountState.delete_account,
                        id="delete-form",
                        max_width="28em",
                    ),
                    id="delete-section",
                ),
                spacing=SPACE["section"],
                width="100%",
                align="stretch",
            ),
            rx.center(rx.spinner(size="3"), padding="4em"),
        ),
    )
