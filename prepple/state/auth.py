"""Log in, register, forgot and reset password: thin handlers over services.accounts."""

from __future__ import annotations

import asyncio

import reflex as rx

from prepple.db import session_scope
from prepple.services import accounts, notifications
from prepple.services.authz import PUBLIC
from prepple.services.validation import InvalidInput
from prepple.state.session import (
    SessionState,
    current_principal,
    form_data,
    guarded,
    password_mismatch,
)


def _safe_next(target: object) -> str:
    """Only same-site paths may follow a log-in (no open redirect)."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//"):
        if "\\" not in target and len(target) < 300:
            return target
    return "/questions"


class AuthState(SessionState):
    """Errors and messages of the account forms; field errors are keyed by input name."""

    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    reset_token: str = ""

    def _fail(self, exc: InvalidInput) -> None:
        self.errors = {exc.field: exc.message}
        self.message = ""

    def _clear(self) -> None:
        self.errors = {}
        self.message = ""

    @rx.var
    def form_error(self) -> str:
        """An error about the whole form rather than one field."""
        return self.errors.get("form", "")

    @rx.event
    @guarded(PUBLIC)
    def clear_messages(self):
        """Forget old errors when a form page opens."""
        self._clear()

    @rx.event
    @guarded(PUBLIC)
    def login(self, form: dict):
        """Check the credentials, start a session, go where the user was heading."""
        form = form_data(form)
        self._clear()
        try:
            with session_scope() as session:
                user = accounts.user_authenticate(
                    session=session, email=form.get("email"), password=form.get("password")
                )
                user_id = user.id
        except InvalidInput as exc:
            self._fail(exc)
            return
        self._start_session(user_id)
        target = _safe_next(self.router.url.query_parameters.get("next"))
        return [rx.toast.success(f"Welcome back, {self.viewer_name}."), rx.redirect(target)]

    @rx.event
    @guarded(PUBLIC, flag="registration")
    def register(self, form: dict):
        """Create an account, sign it in, keep what the visitor saved."""
        form = form_data(form)
        self._clear()
        if mismatch := password_mismatch(form, "password", "password_confirm"):
            self.errors = mismatch
            return
        try:
            with session_scope() as session:
                user = accounts.user_register(
                    session=session,
                    email=form.get("email"),
                    password=form.get("password"),
                    display_name=form.get("display_name"),
                )
                user_id = user.id
        except InvalidInput as exc:
            self._fail(exc)
            return
        kept = len(self.saved_ids) if not self.viewer_id else 0
        self._start_session(user_id)
        note = f" We kept the {kept} questions you saved." if kept else ""
        return [
            rx.toast.success(f"Welcome to Prepple, {self.viewer_name}!{note}"),
            rx.redirect("/questions"),
        ]

    @rx.event
    @guarded(PUBLIC, flag="password_reset")
    async def request_reset(self, form: dict):
        """Send a reset link if the account exists; the answer is the same either way."""
        form = form_data(form)
        self._clear()
        try:
            with session_scope() as session:
                accounts.password_reset_request(session=session, email=form.get("email"))
        except InvalidInput as exc:
            self._fail(exc)
            return
        self.message = (
            "If an account exists for that address, we've sent a link to reset the password. "
            "It works once, for a limited time."
        )
        # SMTP is slow and blocking: deliver in a thread so the event loop stays free.
        await asyncio.to_thread(_deliver_mail)

    @rx.event
    @guarded(PUBLIC, flag="password_reset")
    def load_reset(self):
        """Read the token from the link (it stays on the server side of this tab)."""
        self._clear()
        self.reset_token = self.router.url.query_parameters.get("token", "")[:200]
        if not self.reset_token:
            self.errors = {"form": "This reset link is incomplete. Ask for a new one."}

    @rx.event
    @guarded(PUBLIC, flag="password_reset")
    def complete_reset(self, form: dict):
        """Choose a new password with the token from the e-mailed link."""
        form = form_data(form)
        self._clear()
        if mismatch := password_mismatch(form, "password", "password_confirm"):
            self.errors = mismatch
            return
        try:
            with session_scope() as session:
                accounts.password_reset_complete(
                    session=session, token=self.reset_token, new_password=form.get("password")
                )
        except InvalidInput as exc:
            self._fail(exc)
            return
        self.reset_token = ""
        self.auth_token = ""
        return [
            rx.toast.success("Password changed. Log in with your new password."),
            rx.redirect("/login"),
        ]

    @rx.event
    @guarded(PUBLIC)
    def redirect_if_signed_in(self):
        """Log-in and register pages send a signed-in user on to the questions."""
        self._clear()
        if current_principal().is_authenticated:
            return rx.redirect("/questions")


def _deliver_mail() -> None:
    with session_scope() as session:
        notifications.deliver_pending(session=session)
