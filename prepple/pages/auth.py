"""Log in, sign up, forgot password, reset password."""

from __future__ import annotations

import reflex as rx

from prepple import routes
from prepple.components.forms import (
    email_field,
    form_alert,
    form_field,
    password_field,
    stacked_form,
    submit_button,
)
from prepple.components.layout import page_layout
from prepple.components.theme import SPACE, STATUS, TEXT
from prepple.state.auth import AuthState
from prepple.state.session import SessionState

_ON_LOAD = [SessionState.refresh_viewer, AuthState.redirect_if_signed_in, AuthState.open_form]
ERR = AuthState.errors


def _invitation() -> rx.Component:
    """Who invited the visitor to what, when they came through an invitation's link."""
    return rx.cond(
        AuthState.invite_inviter != "",
        rx.callout(
            rx.text(
                rx.text.strong(AuthState.invite_inviter),
                " invited you to give feedback on ",
                rx.text.strong(AuthState.invite_title),
                AuthState.invite_stop,
                " Log in or create an account with the e-mail address the invitation went to.",
                overflow_wrap="anywhere",
            ),
            icon="mail-open",
            color_scheme="iris",
            id="invite-notice",
            width="100%",
        ),
    )


def _waiting_take() -> rx.Component:
    """A visitor sent here by saving a practice take: the take waits in this browser, and
    logging in or signing up brings them back to save it (``next`` is the practice page)."""
    return rx.cond(
        AuthState.next_path.startswith("/practice/"),
        rx.callout(
            "Your recording is waiting in this browser. Log in, or create a free account, and "
            "you'll come back to the practice page to save it and get its transcript and "
            "feedback.",
            icon="video",
            color_scheme="iris",
            id="take-waiting-notice",
            width="100%",
        ),
    )


def _card(
    title: str | rx.Var, subtitle: str | rx.Var, form: rx.Component, footer: rx.Component
) -> rx.Component:
    return page_layout(
        rx.card(
            rx.vstack(
                rx.heading(title, size="6", as_="h1"),
                rx.text(subtitle, color=rx.color(STATUS["muted"], 11), size=TEXT["body"]),
                form,
                footer,
                spacing=SPACE["normal"],
                width="100%",
            ),
            size="3",
            width="100%",
        ),
        narrow=True,
    )


@rx.page(route=routes.LOGIN, title="Log in - Prepple", on_load=_ON_LOAD)
def login_page() -> rx.Component:
    """Log in with e-mail and password."""
    return _card(
        "Log in",
        "Welcome back. Pick up where you left off.",
        stacked_form(
            _invitation(),
            _waiting_take(),
            form_alert(AuthState.message, kind="ok", id="password-changed"),
            form_alert(AuthState.form_error),
            email_field(ERR, auto_focus=True),
            password_field("Password", "password", ERR),
            submit_button("Log in", id="login-submit"),
            on_submit=AuthState.login,
            id="login-form",
        ),
        rx.hstack(
            rx.link("Forgot password?", href=routes.FORGOT, id="forgot-link"),
            rx.link("Create an account", href=AuthState.register_href, id="register-link"),
            justify="between",
            wrap="wrap",
            width="100%",
        ),
    )


@rx.page(route=routes.REGISTER, title="Sign up - Prepple", on_load=_ON_LOAD)
def register_page() -> rx.Component:
    """Create an account."""
    return _card(
        "Create your account",
        "Free. Your plans and practice stay private until you share them.",
        stacked_form(
            _invitation(),
            _waiting_take(),
            form_alert(AuthState.form_error),
            form_field(
                "Name",
                "display_name",
                errors=ERR,
                autocomplete="name",
                max_length=80,
                auto_focus=True,
                hint="Shown to people you share answers with.",
            ),
            email_field(ERR),
            password_field(
                "Password",
                "password",
                ERR,
                new=True,
                hint="At least 10 characters. A short sentence works well.",
            ),
            password_field("Repeat password", "password_confirm", ERR, new=True),
            rx.cond(
                SessionState.saved_count > 0,
                rx.callout(
                    rx.cond(
                        SessionState.saved_count == 1,
                        "We'll keep the 1 question you saved.",
                        f"We'll keep the {SessionState.saved_count} questions you saved.",
                    ),
                    icon="bookmark",
                    color_scheme="iris",
                    id="keep-notice",
                ),
            ),
            submit_button("Create account", id="register-submit"),
            on_submit=AuthState.register,
            id="register-form",
        ),
        rx.text(
            "Already have an account? ",
            rx.link("Log in", href=AuthState.login_href, id="login-link"),
            size=TEXT["small"],
        ),
    )


@rx.page(
    route=routes.FORGOT,
    title="Forgot password - Prepple",
    on_load=[SessionState.refresh_viewer, AuthState.clear_messages],
)
def forgot_page() -> rx.Component:
    """Ask for a reset link."""
    return _card(
        "Forgot your password?",
        "We'll e-mail you a link to choose a new one.",
        stacked_form(
            form_alert(AuthState.form_error),
            form_alert(AuthState.message, kind="ok", id="reset-sent"),
            email_field(ERR, auto_focus=True),
            submit_button("Send reset link", id="forgot-submit"),
            on_submit=AuthState.request_reset,
            id="forgot-form",
        ),
        rx.link("Back to log in", href=routes.LOGIN),
    )


@rx.page(
    route=routes.RESET,
    title="Choose a new password - Prepple",
    on_load=[SessionState.refresh_viewer, AuthState.load_reset],
)
def reset_page() -> rx.Component:
    """Choose a new password from the e-mailed link; a link that no longer works says so
    when it is opened, with the form to ask for a new one."""
    dead = AuthState.reset_dead
    return _card(
        rx.cond(dead, "This link no longer works", "Choose a new password"),
        rx.cond(
            dead,
            "This link was used or has expired; ask for a new one.",
            "Then log in with it. Other devices will be logged out.",
        ),
        rx.cond(
            dead,
            stacked_form(
                form_alert(AuthState.message, kind="ok", id="reset-sent"),
                form_alert(AuthState.form_error),
                email_field(ERR, auto_focus=True),
                submit_button("Send a new link", id="forgot-submit"),
                on_submit=AuthState.request_reset,
                id="forgot-form",
            ),
            stacked_form(
                form_alert(AuthState.form_error),
                password_field("New password", "password", ERR, new=True, auto_focus=True),
                password_field("Repeat new password", "password_confirm", ERR, new=True),
                submit_button("Set new password", id="reset-submit"),
                on_submit=AuthState.complete_reset,
                id="reset-form",
            ),
        ),
        rx.cond(
            dead,
            rx.link("Back to log in", href=routes.LOGIN),
            rx.link("Ask for a new link", href=routes.FORGOT),
        ),
    )
