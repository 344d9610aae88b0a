"""The in-app admin area: users and roles, feature flags, outbox, audit log.

Each tab's data loads only for a principal holding that tab's permission; every handler is
guarded on the server whatever the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlalchemy import func, or_
from sqlmodel import select

from prepple.db import session_scope
from prepple.models import AuditEntry, User, UserRole
from prepple.services import accounts, flags, notifications, reviews
from prepple.services.authz import ROLES, may
from prepple.services.flags import FlagView
from prepple.services.validation import LIKE_ESCAPE, InvalidInput, clean_query, like_contains
from prepple.state.actions import perform
from prepple.state.session import as_bool, as_int, current_principal, guarded


@dataclass
class UserRow:
    """A user as staff see it: no password hash, no tokens."""

    id: int
    email: str
    display_name: str
    created: str
    roles: list[str]
    active: bool


@dataclass
class OutboxRow:
    """A sent or queued message."""

    id: int
    to_email: str
    kind: str
    subject: str
    body: str
    created: str
    status: str


@dataclass
class AuditRow:
    """An audit log line."""

    id: int
    actor: str
    action: str
    detail: str
    created: str


@dataclass
class AgreementRow:
    """How often people agreed with the AI's feedback on one dimension."""

    dimension: str
    votes: int
    rate: int  # percent


class AdminState(rx.State):
    """Admin area data, loaded per tab the principal may see."""

    tab: str = "users"
    user_query: str = ""
    users: list[UserRow] = []
    user_total: int = 0
    flag_rows: list[FlagView] = []
    outbox: list[OutboxRow] = []
    audit_rows: list[AuditRow] = []
    reports: list[reviews.ReportView] = []
    #: The report whose "Remove it" waits for confirmation (0: none), and what it will do.
    confirm_report: int = 0
    confirm_kind: str = ""
    confirm_effect: str = ""
    agreement: list[AgreementRow] = []
    all_roles: list[str] = list(ROLES)

    def _load_users(self) -> None:
        term = clean_query(self.user_query).lower()
        with session_scope() as session:
            query = select(User).order_by(User.id.desc())
            count = select(func.count()).select_from(User)
            if term:
                like = like_contains(term)
                cond = or_(
                    User.email.like(like, escape=LIKE_ESCAPE),
                    func.lower(User.display_name).like(like, escape=LIKE_ESCAPE),
                )
                query, count = query.where(cond), count.where(cond)
            rows = session.exec(query.limit(50)).all()
            self.user_total = session.exec(count).one()
            roles: dict[int, list[str]] = {u.id: [] for u in rows}
            for uid, role in session.exec(
                select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(list(roles)))
            ).all():
                roles[uid].append(role)
        self.users = [
            UserRow(
                id=u.id,
                email=u.email,
                display_name=u.display_name,
                created=f"{u.created_at:%Y-%m-%d}",
                roles=sorted(roles[u.id]),
                active=u.is_active,
            )
            for u in rows
        ]

    def _load_flags(self) -> None:
        with session_scope() as session:
            self.flag_rows = flags.flags_all(session=session)

    def _load_outbox(self) -> None:
        with session_scope() as session:
            msgs = notifications.outbox_for(session=session, limit=50)
        self.outbox = [
            OutboxRow(
                id=m.id,
                to_email=m.to_email,
                kind=m.kind,
                subject=m.subject,
                body=notifications.staff_body(m),
                created=f"{m.created_at:%Y-%m-%d %H:%M} UTC",
                status=m.status + (f": {m.error}" if m.error else ""),
            )
            for m in msgs
        ]

    def _load_audit(self) -> None:
        with session_scope() as session:
            rows = session.exec(
                select(AuditEntry, User.email)
                .join(User, User.id == AuditEntry.actor_id, isouter=True)
                .order_by(AuditEntry.id.desc())
                .limit(100)
            ).all()
        self.audit_rows = [
            AuditRow(
                id=a.id,
                actor=email or "-",
                action=a.action,
                detail=a.detail,
                created=f"{a.created_at:%Y-%m-%d %H:%M} UTC",
            )
            for a, email in rows
        ]

    def _load_reports(self) -> None:
        with session_scope() as session:
            self.reports = reviews.reports_open(session=session)
            self.agreement = [
                AgreementRow(a.dimension, a.votes, round(a.rate * 100))
                for a in reviews.ai_agreement(session=session)
            ]

    @rx.event
    @guarded("admin.view")
    def load(self):
        """Open the admin area on the first tab this principal may see."""
        principal = current_principal()
        tabs = [t for t, perm in TAB_PERMISSIONS.items() if may(principal, perm)]
        if self.tab not in tabs:
            self.tab = tabs[0] if tabs else ""
        if self.tab:
            LOADERS[self.tab](self)

    @rx.event
    @guarded("admin.view")
    def open_tab(self, tab: str):
        """Switch tab; refused for a tab whose permission the principal lacks."""
        perm = TAB_PERMISSIONS.get(tab) if isinstance(tab, str) else None
        if perm is None or not may(current_principal(), perm):
            return rx.toast.error("You don't have permission to open that.")
        self.tab = tab
        LOADERS[tab](self)

    @rx.event
    @guarded("admin.users.view")
    def search_users(self, value: str):
        """Filter users by e-mail or name."""
        self.user_query = clean_query(value)
        self._load_users()

    @rx.event
    @guarded("admin.users.manage")
    def set_role(self, user_id: int, role: str, granted: bool):
        """Grant or revoke a role."""
        uid, grant = as_int(user_id), as_bool(granted)
        if uid is None or grant is None or not isinstance(role, str):
            return rx.toast.error("That change can't be made.")
        actor = current_principal()
        return perform(
            lambda db: accounts.role_set(
                session=db, actor=actor, user_id=uid, role=role, granted=grant
            ),
            refresh=self._load_users,
            done=f"{'Granted' if grant else 'Removed'} {role}.",
        ).event

    @rx.event
    @guarded("admin.users.manage")
    def set_active(self, user_id: int, active: bool):
        """Deactivate (blocks log-in, ends sessions) or reactivate an account."""
        uid, value = as_int(user_id), as_bool(active)
        if uid is None or value is None:
            return rx.toast.error("That change can't be made.")
        actor = current_principal()
        return perform(
            lambda db: accounts.user_set_active(session=db, actor=actor, user_id=uid, active=value),
            refresh=self._load_users,
            done="Account reactivated." if value else "Account deactivated.",
        ).event

    @rx.event
    @guarded("admin.flags")
    def set_flag(self, name: str, value: str):
        """Turn a feature on or off, or back to its default ("default")."""
        enabled = {"on": True, "off": False, "default": None}
        if not isinstance(name, str) or not isinstance(value, str) or value not in enabled:
            return rx.toast.error("Unknown value.")
        try:
            with session_scope() as session:
                flags.flag_set(
                    session=session,
                    name=str(name),
                    enabled=enabled[value],
                    actor_id=current_principal().user_id,
                )
                accounts.audit(
                    session,
                    actor_id=current_principal().user_id,
                    action="flag.set",
                    detail=f"{name}={value}",
                )
        except KeyError:
            return rx.toast.error("Unknown feature flag.")
        self._load_flags()
        return rx.toast.success(f"{name}: {value}")

    @rx.event
    @guarded("moderation.reports")
    def ask_remove(self, report_id: int):
        """Open the confirmation for "Remove it", saying what removal will do."""
        return self._ask(report_id)

    def _ask(self, report_id: object):
        report = next((r for r in self.reports if r.id == as_int(report_id)), None)
        if report is None:
            self._load_reports()
            return rx.toast.error("That report is already closed.")
        self.confirm_report = report.id
        self.confirm_kind = report.kind
        self.confirm_effect = report.effect

    @rx.event
    @guarded("moderation.reports")
    def cancel_remove(self):
        """Close the confirmation; nothing is removed."""
        self._close_confirm()

    def _close_confirm(self) -> None:
        self.confirm_report, self.confirm_kind, self.confirm_effect = 0, "", ""

    @rx.event
    @guarded("moderation.reports")
    def confirm_remove(self, form: dict):
        """Remove what the report in the confirmation names; its owner is told, with the
        moderator's note."""
        report_id = self.confirm_report
        self._close_confirm()
        if not report_id:
            return rx.toast.error("Choose a report first.")
        note = form.get("note", "") if isinstance(form, dict) else ""
        return self._resolve(report_id, "remove", note)

    @rx.event
    @guarded("moderation.reports")
    def resolve_report(self, report_id: int, action: str):
        """Dismiss a report (removal goes through the confirmation: ``ask_remove``)."""
        if action == "remove":
            return self._ask(report_id)
        return self._resolve(as_int(report_id), action, "")

    def _resolve(self, report_id: int, action: str, note: object):
        """Dismiss or remove, audited; the owner's e-mail goes out after commit."""
        from prepple import jobs
        from prepple.services.sharing import ShareError

        try:
            with session_scope() as session:
                done = reviews.report_resolve(
                    session=session, report_id=report_id, action=action, note=note
                )
                accounts.audit(
                    session,
                    actor_id=current_principal().user_id,
                    action="report.resolve",
                    detail=done.summary,
                )
        except (ShareError, InvalidInput) as exc:
            return rx.toast.error(exc.message)
        for message_id in done.message_ids:
            jobs.enqueue_delivery(message_id)
        self._load_reports()
        if action == "remove":
            return rx.toast.success("Removed. The owner has been told why.")
        return rx.toast.success("Dismissed.")


TAB_PERMISSIONS: dict[str, str] = {
    "users": "admin.users.view",
    "flags": "admin.flags",
    "outbox": "admin.outbox",
    "audit": "admin.audit",
    "reports": "moderation.reports",
}
LOADERS = {
    "users": AdminState._load_users,
    "flags": AdminState._load_flags,
    "outbox": AdminState._load_outbox,
    "audit": AdminState._load_audit,
    "reports": AdminState._load_reports,
}
