"""Roles, permissions and the one question every handler and route asks: ``may(who, what)``.

Permissions are named capabilities. Each lists the roles that hold it; ``admin`` holds all.
Two special permissions: ``PUBLIC`` (anyone, visitors too) and ``SIGNED_IN`` (any account).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prepple.services.errors import DomainError

ROLES: tuple[str, ...] = (
    "seeker",
    "mentor",
    "recruiter",
    "moderator",
    "support",
    "billing",
    "admin",
)
DEFAULT_ROLE = "seeker"
STAFF_ROLES = frozenset({"moderator", "support", "billing", "admin"})

PUBLIC = "public"
SIGNED_IN = "signed_in"

#: permission -> roles that hold it (admin holds every permission implicitly).
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin.view": STAFF_ROLES,
    "admin.users.view": frozenset({"support", "admin"}),
    "admin.users.manage": frozenset({"admin"}),
    "admin.flags": frozenset({"admin"}),
    "admin.outbox": frozenset({"support", "admin"}),
    "admin.audit": frozenset({"admin"}),
    "dev.gallery": frozenset({"admin"}),
    "moderation.reports": frozenset({"moderator", "admin"}),
}


class Denied(DomainError, PermissionError):
    """Raised when a principal may not do something; ``message`` is safe to show (status 403,
    401 when signing in would help)."""

    default_status = 403

    def __init__(self, message: str, *, needs_login: bool = False) -> None:
        super().__init__(message, status=401 if needs_login else None)
        self.needs_login = needs_login


@dataclass(frozen=True)
class Principal:
    """Who is acting: the public view of a user (no secrets), or a visitor (``user_id=None``)."""

    user_id: int | None = None
    email: str = ""
    display_name: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        """Whether this is a signed-in user rather than a visitor."""
        return self.user_id is not None

    def has_role(self, role: str) -> bool:
        """Whether the user holds ``role`` (admin counts as every role)."""
        return role in self.roles or "admin" in self.roles


VISITOR = Principal()


def may(principal: Principal, permission: str) -> bool:
    """Whether ``principal`` holds ``permission``. Unknown permissions are refused."""
    if permission == PUBLIC:
        return True
    if not principal.is_authenticated:
        return False
    if permission == SIGNED_IN:
        return True
    if "admin" in principal.roles:
        return permission in PERMISSIONS
    allowed = PERMISSIONS.get(permission)
    return bool(allowed and principal.roles & allowed)


def require(principal: Principal, permission: str) -> Principal:
    """Return ``principal`` if it may act, else raise :class:`Denied` with a clear message."""
    if may(principal, permission):
        return principal
    if not principal.is_authenticated:
        raise Denied("Please log in to continue.", needs_login=True)
    raise Denied("You don't have permission to do that.")


def permissions_of(principal: Principal) -> list[str]:
    """Every named permission the principal holds (for showing the right admin tabs)."""
    return sorted(p for p in PERMISSIONS if may(principal, p))
