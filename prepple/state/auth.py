"""Log in, register, forgot and reset password: thin handlers over services.accounts.

Argon2 hashing and SMTP are slow by design, so that work runs in a thread
(``asyncio.to_thread``); the event loop keeps serving every other tab meanwhile.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from prepple import jobs
from prepple.db import session_scope
from prepple.services import accounts, sharing
from prepple.services.authz import PUBLIC
from prepple.services.validation import InvalidInput, clean_email
from prepple.state.session import (
    current_principal,
    form_data,
    guarded,
    password_mismatch,
    safe_next,
    session_of,
)


def _authenticate(email: object, password: object, client_ip: str) -> int:
    with session_scope() as session:
        user = accounts.user_authenticate(
            session=session, email=email, password=password, client_ip=client_ip
        )
        return user.id


def _register(form: dict, client_ip: str) -> int:
    with session_scope() as session:
        user = accounts.user_register(
            session=session,
            email=form.get("email"),
            password=form.get("password"),
            display_name=form.get("display_name"),
            client_ip=client_ip,
        )
        return user.id


def _request_reset(email: object) -> None:
    # Only the address's form is checked here; looking the account up, writing the link and
    # sending it happen on the job queue, so the answer takes the same time whether or not
    # the account exists (the work it would do for one is not on the request path at all).
    jobs.enqueue_password_reset(clean_email(email))


def _complete_reset(token: str, password: object) -> None:
    with session_scope() as session:
        accounts.password_reset_complete(session=session, token=token, new_password=password)


def _reset_valid(token: str) -> bool:
    with session_scope() as session:
        return accounts.password_reset_valid(session=session, token=token)


def _invitation(next_path: str) -> sharing.InvitePreview | None:
    key = sharing.key_in_path(next_path)
    if not key:
        return None
    with session_scope() as session:
        return sharing.invitation_preview(session=session, key=key)


def _bind_invitation(user_id: int, next_path: str) -> None:
    """The account came through an invitation's link (its key is in ``next``): it holds the
    invitation from now on, so "Shared with me" lists it at once."""
    key = sharing.key_in_path(next_path)
    if key:
        with session_scope() as session:
            sharing.invitation_bind(session=session, user_id=user_id, key=key)


class AuthState(rx.State):
    """Errors and messages of the account forms; field errors are keyed by input name."""

    errors: dict[str, str] = {}
    message: str = ""
    #: Where log-in and sign-up go afterwards (a same-site path from ``?next=``, or "").
    next_path: str = ""
    #: Who invited the visitor to what, when ``next`` is an invitation's link.
    invite_inviter: str = ""
    invite_title: str = ""
    invite_stop: str = "."  # the full stop after the title, unless it ends with one
    #: The reset link was checked on opening and no longer works.
    reset_dead: bool = False
    # Backend-only (leading underscore): never sent to the browser.
    _reset_token: str = ""
    _password_changed: bool = False

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

    @rx.var
    def register_href(self) -> str:
        """Where "Create an account" goes, keeping the way back."""
        nxt = self.next_path
        return "/register" + (f"?next={quote(nxt, safe='/')}" if nxt else "")

    @rx.var
    def login_href(self) -> str:
        """Where "Log in" on the sign-up page goes, keeping the way back."""
        nxt = self.next_path
        return "/login" + (f"?next={quote(nxt, safe='/')}" if nxt else "")

    @rx.event
    @guarded(PUBLIC)
    async def open_form(self):
        """Log-in and sign-up pages: keep ``next``, say who invited the visitor to what when
        ``next`` is an invitation's link, and confirm a password reset just completed."""
        self.next_path = safe_next(self.router.url.query_parameters.get("next"), "")
        preview = await asyncio.to_thread(_invitation, self.next_path)
        self.invite_inviter = preview.inviter if preview else ""
        self.invite_title = preview.title if preview else ""
        self.invite_stop = "" if self.invite_title.endswith(("?", ".", "!", "…")) else "."
        if self._password_changed:
            self._password_changed = False
            self.message = "Your password was changed. Log in with your new password."

    @rx.event
    @guarded(PUBLIC)
    def clear_messages(self):
        """Forget old errors when a form page opens."""
        self._clear()

    @rx.event
    @guarded(PUBLIC)
    async def login(self, form: dict):
        """Check the credentials, start a session, go where the user was heading."""
        form = form_data(form)
        self._clear()
        ip = self.router.session.client_ip or ""
        try:
            user_id = await asyncio.to_thread(
                _authenticate, form.get("email"), form.get("password"), ip
            )
        except InvalidInput as exc:
            self._fail(exc)
            return
        session = await session_of(self)
        await session._start_session(user_id)
        target = safe_next(self.router.url.query_parameters.get("next"))
        await asyncio.to_thread(_bind_invitation, user_id, target)
        return [rx.toast.success(f"Welcome back, {session.viewer_name}."), rx.redirect(target)]

    @rx.event
    @guarded(PUBLIC, flag="registration")
    async def register(self, form: dict):
        """Create an account, sign it in, keep what the visitor saved."""
        form = form_data(form)
        self._clear()
        if mismatch := password_mismatch(form, "password", "password_confirm"):
            self.errors = mismatch
            return
        try:
            user_id = await asyncio.to_thread(_register, form, self.router.session.client_ip or "")
        except InvalidInput as exc:
            self._fail(exc)
            return
        session = await session_of(self)
        kept = len(session.saved_ids) if not session.viewer_id else 0
        await session._start_session(user_id)
        target = safe_next(self.router.url.query_parameters.get("next"))
        await asyncio.to_thread(_bind_invitation, user_id, target)
        note = f" We kept the {kept} saved question{'s' if kept != 1 else ''}." if kept else ""
        return [
            rx.toast.success(f"Welcome to Prepple, {session.viewer_name}!{note}"),
            rx.redirect(target),
        ]

    @rx.event
    @guarded(PUBLIC, flag="password_reset")
    async def request_reset(self, form: dict):
        """Send a reset link if the account exists; the answer is the same either way."""
        form = form_data(form)
        self._clear()
        try:
            await asyncio.to_thread(_request_reset, form.get("email"))
        except InvalidInput as exc:
            self._fail(exc)
            return
        self.message = (
            "If an account exists for that address, we've sent a link to reset the password. "
            "It works once, for a limited time."
        )

    @rx.event
    @guarded(PUBLIC, flag="password_reset")
    async def load_reset(self):
        """Keep the token from the link on the server, take it out of the address bar, and
        say at once when the link no longer works (used, expired or never valid)."""
        self._clear()
        self.reset_dead = False
        self._reset_token = str(self.router.url.query_parameters.get("token", ""))[:200]
        if not self._reset_token:
            self.errors = {"form": "This reset link is incomplete. Ask for a new one."}
            return
        self.reset_dead = not await asyncio.to_thread(_reset_valid, self._reset_token)
        return rx.call_script("window.history.replaceState(null, '', '/reset-password')")

    @rx.event
    @guarded(PUBLIC, flag="password_reset")
    async def complete_reset(self, form: dict):
        """Choose a new password with the token from the e-mailed link."""
        form = form_data(form)
        self._clear()
        if mismatch := password_mismatch(form, "password", "password_confirm"):
            self.errors = mismatch
            return
        try:
            await asyncio.to_thread(_complete_reset, self._reset_token, form.get("password"))
        except InvalidInput as exc:
            self._fail(exc)
            if exc.message == accounts.RESET_LINK_DEAD:  # the page turns into "ask again"
                self.reset_dead, self.errors = True, {}
            return
        self._reset_token = ""
        self._password_changed = True  # the log-in page says so
        await (await session_of(self))._end_session()
        return rx.redirect("/login")

    @rx.event
    @guarded(PUBLIC)
    def redirect_if_signed_in(self):
        """Log-in and register pages send a signed-in user on (to ``next``, or the questions)."""
        self._clear()
        if current_principal().is_authenticated:
            return rx.redirect(safe_next(self.router.url.query_parameters.get("next")))
