"""Accounts: registration, log-in with throttling, sessions, password reset and deletion.

Passwords are hashed with Argon2 (pwdlib). Session and reset tokens are random, shown to the
user once and stored only as SHA-256 digests, so a leaked database holds no usable token.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import secrets
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import case, delete, func, literal, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from prepple.models import (
    AuditEntry,
    LoginThrottle,
    PasswordResetToken,
    User,
    UserRole,
    UserSession,
    new_token_key,
    utcnow,
)
from prepple.services import notifications
from prepple.services.authz import DEFAULT_ROLE, ROLES, Principal
from prepple.services.signing import Holder
from prepple.services.validation import (
    InvalidInput,
    check_password,
    clean_display_name,
    clean_email,
)
from prepple.settings import get_settings


class AccountError(InvalidInput):
    """An account operation that can't go ahead; ``field`` says which input it is about."""


#: Argon2id at a token cost, for ``argon2_cost = "fast"`` (the test suite only; settings
#: refuse it outside ``environment = "test"``).
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@functools.cache
def _hasher_for(profile: str) -> PasswordHash:
    if profile == "fast":
        return PasswordHash((Argon2Hasher(**FAST_ARGON2),))
    return PasswordHash.recommended()


def _hasher() -> PasswordHash:
    return _hasher_for(get_settings().argon2_cost)


@functools.cache
def _dummy_hash_for(profile: str) -> str:
    return _hasher_for(profile).hash(secrets.token_urlsafe(16))


def _dummy_hash() -> str:
    # Verified against when the e-mail is unknown so both paths cost the same time.
    return _dummy_hash_for(get_settings().argon2_cost)


def hash_token(token: str) -> str:
    """The stored form of a session or reset token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def principal_of(session: Session, user: User) -> Principal:
    """The public view of ``user`` with its roles."""
    roles = session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all()
    return Principal(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=frozenset(roles),
    )


def audit(session: Session, *, actor_id: int | None, action: str, detail: str = "") -> None:
    """Record an account or staff action in the audit log."""
    session.add(AuditEntry(actor_id=actor_id, action=action, detail=detail[:2000]))


def user_register(
    *,
    session: Session,
    email: object,
    password: object,
    display_name: object,
    roles: tuple[str, ...] = (DEFAULT_ROLE,),
    client_ip: str = "",
    now: datetime | None = None,
) -> User:
    """Create an account. Raises :class:`InvalidInput` for bad input or a taken e-mail.

    With ``client_ip`` (the sign-up form), at most ``registrations_per_ip`` attempts an hour
    come from one address (a taken e-mail counts too: it also probes who has an account).
    Counted in a transaction of its own, like failed log-ins."""
    settings = get_settings()
    now = now or utcnow()
    email_c = clean_email(email)
    name = clean_display_name(display_name)
    pw = check_password(password, min_length=settings.password_min_length)
    if pw.lower() == email_c:
        raise AccountError("password", "Password can't be your e-mail address.")
    if client_ip:
        _registration_throttle(session, client_ip, now)
    if session.exec(select(User.id).where(User.email == email_c)).first() is not None:
        raise AccountError("email", "An account with this e-mail already exists. Log in instead?")
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise AccountError("role", f"Unknown role: {', '.join(bad)}")
    user = User(email=email_c, display_name=name, password_hash=_hasher().hash(pw))
    session.add(user)
    session.flush()
    for role in dict.fromkeys(roles):
        session.add(UserRole(user_id=user.id, role=role))
    audit(session, actor_id=user.id, action="account.register")
    session.flush()
    return user


def _throttle_key(email: str) -> str:
    return f"email:{email}"


def _registration_throttle(session: Session, client_ip: str, now: datetime) -> None:
    """Count one sign-up attempt from ``client_ip``; AccountError once the hour's are used."""
    settings = get_settings()
    # The lock falls on the attempt after the last one allowed.
    keys = {f"register:{client_ip[:100]}": settings.registrations_per_ip + 1}
    locked = _locked_until(session, keys, now) or _record_failure(
        session.get_bind(), keys, now, window_minutes=60, lock_minutes=60
    )
    if locked:
        minutes = max(1, math.ceil((locked - now).total_seconds() / 60))
        unit = "minute" if minutes == 1 else "minutes"
        raise AccountError(
            "form",
            "Too many accounts were created from your network in the last hour. "
            f"Try again in {minutes} {unit}, or log in if you already have an account.",
        )


def _lock_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed attempts. Try again in {minutes} {unit}, or reset your password."


def _throttle_keys(email: str, client_ip: str) -> dict[str, int]:
    """Throttle keys for one attempt and the failures each tolerates per window.

    Per e-mail stops guessing one account's password; per client address stops spraying one
    password across many accounts (with a higher limit, as offices share an address)."""
    settings = get_settings()
    keys = {_throttle_key(email): settings.login_max_failures}
    if client_ip:
        keys[f"ip:{client_ip[:100]}"] = settings.login_max_failures_per_ip
    return keys


def _locked_until(session: Session, keys: dict[str, int], now: datetime) -> datetime | None:
    rows = session.exec(select(LoginThrottle).where(LoginThrottle.key.in_(list(keys)))).all()
    locks = [r.locked_until for r in rows if r.locked_until and r.locked_until > now]
    return max(locks) if locks else None


def _record_failure(
    bind,
    keys: dict[str, int],
    now: datetime,
    *,
    window_minutes: int | None = None,
    lock_minutes: int | None = None,
) -> datetime | None:
    """Count one failure under each key, atomically, in a transaction of its own (the caller's
    transaction ends in an error and rolls back). Returns the lock time if one now applies."""
    settings = get_settings()
    table = LoginThrottle.__table__
    col = table.c
    stamp = literal(now, type_=col.window_started_at.type)
    window = window_minutes or settings.login_window_minutes
    cutoff = literal(now - timedelta(minutes=window), type_=col.window_started_at.type)
    until = now + timedelta(minutes=lock_minutes or settings.login_lockout_minutes)
    insert_for = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    with Session(bind) as own:
        for key, limit in keys.items():
            stale = col.window_started_at < cutoff
            stmt = insert_for(table).values(key=key, failures=1, window_started_at=now)
            stmt = stmt.on_conflict_do_update(
                index_elements=[col.key],
                set_={
                    "failures": case((stale, 1), else_=col.failures + 1),
                    "window_started_at": case((stale, stamp), else_=col.window_started_at),
                },
            )
            own.exec(stmt)
            own.exec(
                update(LoginThrottle)
                .where(LoginThrottle.key == key, LoginThrottle.failures >= limit)
                .values(locked_until=until)
            )
        own.commit()
        return _locked_until(own, keys, now)


def user_authenticate(
    *,
    session: Session,
    email: object,
    password: object,
    client_ip: str = "",
    now: datetime | None = None,
) -> User:
    """Check credentials, with throttling per e-mail and per client address.

    Raises :class:`AccountError` on failure. The message for an unknown e-mail and a wrong
    password is the same, and both paths verify one Argon2 hash, so neither the text nor the
    timing tells which accounts exist. Failures are counted in a transaction of their own, so
    call this with a session that holds no uncommitted writes (one session per request).
    """
    now = now or utcnow()
    try:
        email_c = clean_email(email)
    except InvalidInput as exc:
        raise AccountError("email", exc.message) from None
    if not isinstance(password, str) or not password:
        raise AccountError("password", "Password is required.")
    keys = _throttle_keys(email_c, client_ip)
    locked = _locked_until(session, keys, now)
    if locked:
        raise AccountError("form", _lock_message(locked, now))

    user = session.exec(select(User).where(User.email == email_c)).first()
    hashed = user.password_hash if user else _dummy_hash()
    ok = _hasher().verify(password[:1024], hashed) and user is not None and user.is_active
    if ok:
        session.exec(delete(LoginThrottle).where(LoginThrottle.key == _throttle_key(email_c)))
        return user
    locked = _record_failure(session.get_bind(), keys, now)
    if locked:
        raise AccountError("form", _lock_message(locked, now))
    raise AccountError("form", "Wrong e-mail or password.")


def session_create(*, session: Session, user: User, now: datetime | None = None) -> str:
    """Start a login session for ``user``; returns the raw token (shown once)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=get_settings().session_days),
        )
    )
    session.flush()
    return token


def session_user(*, session: Session, token: object, now: datetime | None = None) -> User | None:
    """The active user behind a session token, or ``None`` (unknown, expired, malformed)."""
    if not isinstance(token, str) or not (20 <= len(token) <= 100):
        return None
    now = now or utcnow()
    digest = hash_token(token)
    row = session.exec(select(UserSession).where(UserSession.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.expires_at <= now:
        session.delete(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


def session_principal(*, session: Session, token: object) -> Principal:
    """The principal behind a token; a visitor when there is no valid session."""
    return session_lookup(session=session, token=token)[0]


def session_lookup(*, session: Session, token: object) -> tuple[Principal, Holder | None]:
    """The principal behind a token and the :class:`Holder` that signed links made for it
    name (``None`` for a visitor)."""
    user = session_user(session=session, token=token)
    if user is None:
        return Principal(), None
    row = session.exec(
        select(UserSession.id).where(UserSession.token_hash == hash_token(str(token)))
    ).one()
    return principal_of(session, user), Holder(user.id, row, user.token_key)


def holder_check(*, session: Session, holder: Holder, now: datetime | None = None) -> User | None:
    """The account a link's holder names, if the link still stands: the log-in session it was
    made in is live (not logged out, expired or ended by a password change) and belongs to
    it, the account is active and its token key is unchanged. ``None`` otherwise."""
    now = now or utcnow()
    row = session.get(UserSession, holder.session_id)
    if row is None or row.user_id != holder.user_id or row.expires_at <= now:
        return None
    user = session.get(User, holder.user_id)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(user.token_key.encode(), holder.key.encode()):
        return None
    return user


def _end_links(user: User) -> None:
    """Every signed link made for ``user`` stops working (a new token key)."""
    user.token_key = new_token_key()


def session_revoke(*, session: Session, token: object) -> None:
    """End one session (log out). Unknown tokens are ignored."""
    if isinstance(token, str) and token:
        session.exec(delete(UserSession).where(UserSession.token_hash == hash_token(token)))


def _end_reset_tokens(session: Session, user_id: int, now: datetime) -> None:
    session.exec(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


def password_reset_request(
    *, session: Session, email: object, now: datetime | None = None
) -> int | None:
    """Send a single-use reset link if the account exists; silently do nothing otherwise.

    A new link ends the older ones. At most ``reset_requests_per_hour`` links an hour go to one
    account (more would be mail-bombing); the caller's answer is the same either way. Returns
    the outbox message id when a message was written (for prompt delivery)."""
    settings = get_settings()
    now = now or utcnow()
    email_c = clean_email(email)
    user = session.exec(select(User).where(User.email == email_c)).first()
    if user is None or not user.is_active:
        return None
    recent = session.exec(
        select(func.count())
        .select_from(PasswordResetToken)
        .where(
            PasswordResetToken.user_id == user.id,
            PasswordResetToken.created_at > now - timedelta(hours=1),
        )
    ).one()
    if recent >= settings.reset_requests_per_hour:
        return None
    _end_reset_tokens(session, user.id, now)
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.reset_token_minutes),
        )
    )
    link = f"{settings.base_url.rstrip('/')}/reset-password?token={token}"
    msg = notifications.notify(
        session=session,
        to_email=user.email,
        user_id=user.id,
        kind="password_reset",
        subject="Reset your Prepple password",
        body=(
            f"Hello {user.display_name},\n\nSomeone (hopefully you) asked to reset the password "
            f"of your Prepple account. Open this link within {settings.reset_token_minutes} "
            f"minutes to choose a new one:\n\n{link}\n\nIf it wasn't you, ignore this message; "
            "your password stays the same."
        ),
        sensitive=True,
    )
    audit(session, actor_id=user.id, action="account.reset_requested")
    return msg.id


RESET_LINK_DEAD = "This link was used or has expired. Ask for a new one below."


def _live_reset_token(session: Session, token: object, now: datetime) -> PasswordResetToken | None:
    if not isinstance(token, str) or not (20 <= len(token) <= 100):
        return None
    row = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def password_reset_valid(*, session: Session, token: object, now: datetime | None = None) -> bool:
    """Whether a reset link still works (checked when it is opened; nothing is spent)."""
    return _live_reset_token(session, token, now or utcnow()) is not None


def password_reset_complete(
    *, session: Session, token: object, new_password: object, now: datetime | None = None
) -> User:
    """Set a new password with a valid reset token; the token and all sessions end."""
    now = now or utcnow()
    row = _live_reset_token(session, token, now)
    if row is None:
        raise AccountError("form", RESET_LINK_DEAD)
    pw = check_password(new_password, min_length=get_settings().password_min_length)
    user = session.get(User, row.user_id)
    if user is None:
        raise AccountError("form", RESET_LINK_DEAD)
    user.password_hash = _hasher().hash(pw)
    user.password_changed_at = now
    _end_links(user)
    _end_reset_tokens(session, user.id, now)
    notifications.scrub(session=session, user_id=user.id, kind="password_reset")
    session.exec(delete(UserSession).where(UserSession.user_id == user.id))
    session.exec(delete(LoginThrottle).where(LoginThrottle.key == _throttle_key(user.email)))
    audit(session, actor_id=user.id, action="account.password_reset")
    session.flush()
    return user


def password_change(
    *, session: Session, user_id: int, current: object, new: object, keep_token: str = ""
) -> None:
    """Change a password after checking the current one; other sessions are logged out."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("form", "Account not found.")
    if not isinstance(current, str) or not _hasher().verify(current[:1024], user.password_hash):
        raise AccountError("current_password", "Current password is wrong.")
    pw = check_password(new, min_length=get_settings().password_min_length, field="new_password")
    if pw == current:
        raise AccountError("new_password", "New password must differ from the current one.")
    user.password_hash = _hasher().hash(pw)
    user.password_changed_at = utcnow()
    _end_links(user)
    _end_reset_tokens(session, user.id, utcnow())
    keep = hash_token(keep_token) if keep_token else ""
    session.exec(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.token_hash != keep)
    )
    audit(session, actor_id=user.id, action="account.password_changed")
    session.flush()


def user_delete(*, session: Session, user_id: int, password: object) -> None:
    """Delete an account and everything it owns, after checking its password."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("form", "Account not found.")
    if not isinstance(password, str) or not _hasher().verify(password[:1024], user.password_hash):
        raise AccountError("delete_password", "Password is wrong; your account was not deleted.")
    # ON DELETE CASCADE removes sessions, tokens, roles, saved questions and messages; the
    # audit log keeps the entry but loses the link to the person (SET NULL).
    session.exec(delete(LoginThrottle).where(LoginThrottle.key == _throttle_key(user.email)))
    # Recordings' media lives outside the database (a folder or S3): delete it explicitly.
    from prepple.services.recordings import recordings_purge_user

    recordings_purge_user(session=session, user_id=user_id)
    session.delete(user)
    audit(session, actor_id=None, action="account.deleted", detail=f"user #{user_id}")
    session.flush()


def user_set_active(*, session: Session, actor: Principal, user_id: int, active: bool) -> None:
    """Deactivate (block log-in, end all sessions) or reactivate an account. Callers check
    ``admin.users.manage`` first."""
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("user", "No such user.")
    if not active and actor.user_id == user_id:
        raise AccountError("user", "You can't deactivate your own account.")
    user.is_active = active
    if not active:
        session.exec(delete(UserSession).where(UserSession.user_id == user_id))
        _end_links(user)
    audit(
        session,
        actor_id=actor.user_id,
        action="account.reactivated" if active else "account.deactivated",
        detail=f"user #{user_id}",
    )
    session.flush()


def role_set(*, session: Session, actor: Principal, user_id: int, role: str, granted: bool) -> None:
    """Grant or revoke one role. Callers check ``admin.users.manage`` first."""
    if role not in ROLES:
        raise AccountError("role", f"Unknown role: {role}")
    if session.get(User, user_id) is None:
        raise AccountError("user", "No such user.")
    if not granted and role == "admin" and actor.user_id == user_id:
        raise AccountError("role", "You can't remove your own admin role.")
    row = session.get(UserRole, (user_id, role))
    if granted and row is None:
        session.add(UserRole(user_id=user_id, role=role))
    elif not granted and row is not None:
        session.delete(row)
    audit(
        session,
        actor_id=actor.user_id,
        action="role.grant" if granted else "role.revoke",
        detail=f"user #{user_id}: {role}",
    )
    session.flush()


def prune_expired(*, session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete expired sessions, spent reset tokens and stale throttle rows; scrub the text of
    reset messages whose link can no longer be used. Safe to run at any time."""
    now = now or utcnow()
    settings = get_settings()
    sessions = session.exec(delete(UserSession).where(UserSession.expires_at <= now)).rowcount
    spent = or_(PasswordResetToken.used_at.is_not(None), PasswordResetToken.expires_at <= now)
    for user_id in set(session.exec(select(PasswordResetToken.user_id).where(spent)).all()):
        live = session.exec(
            select(func.count())
            .select_from(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, ~spent)
        ).one()
        if not live:
            notifications.scrub(session=session, user_id=user_id, kind="password_reset")
    # Spent tokens are kept for an hour: they count towards the hourly request limit.
    old = PasswordResetToken.created_at < now - timedelta(hours=1)
    tokens = session.exec(delete(PasswordResetToken).where(spent, old)).rowcount
    window_start = now - timedelta(minutes=settings.login_window_minutes)
    throttles = session.exec(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < window_start,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    ).rowcount
    session.flush()
    return {"sessions": sessions, "reset_tokens": tokens, "throttle_rows": throttles}
