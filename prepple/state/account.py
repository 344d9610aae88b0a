"""My account: practice list, change password, delete account."""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlmodel import select

from prepple.db import session_scope
from prepple.models import Question
from prepple.services import accounts, saved
from prepple.services.authz import SIGNED_IN
from prepple.services.validation import InvalidInput
from prepple.state.session import (
    current_principal,
    form_data,
    guarded,
    password_mismatch,
    session_of,
)

PASSWORD_FIELDS = ("current_password", "new_password", "new_password_confirm")


def _change_password(user_id: int, form: dict, keep_token: str) -> None:
    with session_scope() as session:
        accounts.password_change(
            session=session,
            user_id=user_id,
            current=form.get("current_password"),
            new=form.get("new_password"),
            keep_token=keep_token,
        )


def _delete_account(user_id: int, password: object) -> None:
    with session_scope() as session:
        accounts.user_delete(session=session, user_id=user_id, password=password)


class AccountState(rx.State):
    """The account page's forms and the practice list."""

    errors: dict[str, str] = {}
    password_message: str = ""
    saved_questions: list[dict[str, str]] = []

    @rx.event
    @guarded(SIGNED_IN)
    def load(self):
        """Open the account page (visitors are sent to log in)."""
        self.errors, self.password_message = {}, ""
        with session_scope() as session:
            ids = saved.saved_ids(session=session, user_id=current_principal().user_id)
            rows = session.exec(
                select(Question.id, Question.text).where(Question.id.in_(ids))
            ).all()
        by_id = dict(rows)
        self.saved_questions = [{"id": str(i), "text": by_id[i]} for i in ids if i in by_id]

    @rx.event
    @guarded(SIGNED_IN)
    async def change_password(self, form: dict):
        """Change the password; every other session of this account is logged out."""
        form = form_data(form)
        self.errors, self.password_message = {}, ""
        if mismatch := password_mismatch(form, "new_password", "new_password_confirm"):
            self.errors = mismatch
            return
        token = (await session_of(self)).auth_token
        try:
            await asyncio.to_thread(_change_password, current_principal().user_id, form, token)
        except InvalidInput as exc:
            self.errors = {exc.field: exc.message}
            return
        self.password_message = "Password changed. Other devices have been logged out."  # noqa: S105
        return [rx.set_value(f"field-{name}", "") for name in PASSWORD_FIELDS]

    @rx.event
    @guarded(SIGNED_IN)
    async def delete_account(self, form: dict):
        """Delete the account and its data, after the password and a typed confirmation."""
        form = form_data(form)
        self.errors = {}
        if str(form.get("confirm", "")).strip().upper() != "DELETE":
            self.errors = {"confirm": "Type DELETE to confirm."}
            return
        try:
            await asyncio.to_thread(
                _delete_account, current_principal().user_id, form.get("delete_password")
            )
        except InvalidInput as exc:
            self.errors = {exc.field: exc.message}
            return
        await (await session_of(self))._end_session()
        self.reset()
        return [rx.toast.info("Your account and its data were deleted."), rx.redirect("/")]
