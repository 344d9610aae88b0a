"""My account: profile, practice list, change password, delete account."""

from __future__ import annotations

import reflex as rx
from sqlmodel import select

from prepple.db import session_scope
from prepple.models import Question
from prepple.services import accounts
from prepple.services.authz import SIGNED_IN
from prepple.services.validation import InvalidInput
from prepple.state.session import (
    SessionState,
    current_principal,
    form_data,
    guarded,
    password_mismatch,
)


class AccountState(SessionState):
    """The account page's forms and the practice list."""

    errors: dict[str, str] = {}
    password_message: str = ""
    saved_questions: list[dict[str, str]] = []

    @rx.event
    @guarded(SIGNED_IN)
    def load(self):
        """Open the account page (visitors are sent to log in)."""
        self.errors, self.password_message = {}, ""
        ids = list(self.saved_ids)
        with session_scope() as session:
            rows = session.exec(
                select(Question.id, Question.text).where(Question.id.in_(ids))
            ).all()
        by_id = {qid: text for qid, text in rows}
        self.saved_questions = [{"id": str(i), "text": by_id[i]} for i in ids if i in by_id]

    @rx.event
    @guarded(SIGNED_IN)
    def change_password(self, form: dict):
        """Change the password; every other session of this account is logged out."""
        form = form_data(form)
        self.errors, self.password_message = {}, ""
        if mismatch := password_mismatch(form, "new_password", "new_password_confirm"):
            self.errors = mismatch
            return
        try:
            with session_scope() as session:
                accounts.password_change(
                    session=session,
                    user_id=current_principal().user_id,
                    current=form.get("current_password"),
                    new=form.get("new_password"),
                    keep_token=self.auth_token,
                )
        except InvalidInput as exc:
            self.errors = {exc.field: exc.message}
            return
        self.password_message = "Password changed. Other devices have been logged out."  # noqa: S105
        fields = ("current_password", "new_password", "new_password_confirm")
        return [rx.set_value(f"field-{name}", "") for name in fields]

    @rx.event
    @guarded(SIGNED_IN)
    def delete_account(self, form: dict):
        """Delete the account and its data, after the password and a typed confirmation."""
        form = form_data(form)
        self.errors = {}
        if str(form.get("confirm", "")).strip().upper() != "DELETE":
            self.errors = {"confirm": "Type DELETE to confirm."}
            return
        try:
            with session_scope() as session:
                accounts.user_delete(
                    session=session,
                    user_id=current_principal().user_id,
                    password=form.get("delete_password"),
                )
        except InvalidInput as exc:
            self.errors = {exc.field: exc.message}
            return
        parent = self.parent_state
        if parent is not None:
            parent.reset()
        return [rx.toast.info("Your account and its data were deleted."), rx.redirect("/")]
