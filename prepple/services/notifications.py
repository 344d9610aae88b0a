"""Notifications: every message lands in the in-app outbox; SMTP delivers it when configured.

The outbox row is written first, in the caller's transaction, so a message is never lost when
the mail server is down: the row keeps its status and error and is retried by
``deliver_pending``. Delivery claims a row atomically (status queued/failed -> sending) so two
workers never send the same message twice. Bodies marked ``sensitive`` (one-time links: password
resets, share invitations) are never shown to staff, are scrubbed once delivered or used, and
are never readable at rest: they are stored encrypted (Fernet, with a key derived from
``PREPPLE_SECRET_KEY``) and opened only to be delivered, or by the operator's
``prepple outbox`` command (:func:`readable_body`). A database dump or a staff screen shows
no link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import update
from sqlmodel import Session, select

from prepple.models import OutboxMessage, utcnow
from prepple.settings import get_settings

MAX_ATTEMPTS = 5
SCRUBBED = "(This message held a one-time link. It was delivered or used, so its text is gone.)"
REDACTED = "(Hidden: this message holds a one-time link meant only for its recipient.)"
UNREADABLE = "(This message can't be opened: it was sealed with another secret key.)"
#: Marks a body stored encrypted.
SEALED_PREFIX = "sealed:v1:"


def _fernet():
    from cryptography.fernet import Fernet

    secret = get_settings().secret_key.encode()
    key = hmac.new(secret, b"prepple outbox bodies v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    """Encrypt a message body for storage (authenticated; key derived from the secret key)."""
    return SEALED_PREFIX + _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def readable_body(msg: OutboxMessage | str) -> str:
    """A message's text as sent: sealed bodies opened (for delivery and the operator's
    ``prepple outbox``; never for staff screens, which use :func:`staff_body`)."""
    from cryptography.fernet import InvalidToken

    body = msg if isinstance(msg, str) else msg.body
    if not body.startswith(SEALED_PREFIX):
        return body
    try:
        return _fernet().decrypt(body[len(SEALED_PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return UNREADABLE


def notify(
    *,
    session: Session,
    to_email: str,
    user_id: int | None,
    kind: str,
    subject: str,
    body: str,
    sensitive: bool = False,
) -> OutboxMessage:
    """Record a message; with SMTP configured it is queued for delivery after commit."""
    smtp = bool(get_settings().smtp_host)
    msg = OutboxMessage(
        to_email=to_email,
        user_id=user_id,
        kind=kind,
        subject=subject[:200],
        body=seal(body) if sensitive else body,
        sensitive=sensitive,
        channel="smtp" if smtp else "outbox",
        status="queued" if smtp else "stored",
    )
    session.add(msg)
    session.flush()
    return msg


def _smtp_send(msg: OutboxMessage) -> None:
    settings = get_settings()
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = msg.to_email
    email["Subject"] = msg.subject
    email["Message-ID"] = make_msgid(domain="prepple.local")
    email.set_content(readable_body(msg))
    context = ssl.create_default_context(cafile=settings.smtp_ca_file or None)
    timeout = settings.smtp_timeout_seconds
    if settings.smtp_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with smtp:
        smtp.ehlo()
        if not settings.smtp_ssl:
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            elif settings.smtp_starttls:
                raise smtplib.SMTPNotSupportedError(
                    "the server does not offer STARTTLS (set PREPPLE_SMTP_STARTTLS=false to allow "
                    "plain text, e.g. for a relay on localhost)"
                )
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(email)


def _claim(session: Session, message_id: int) -> bool:
    result = session.exec(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.channel == "smtp",
            OutboxMessage.status.in_(("queued", "failed")),
            OutboxMessage.attempts < MAX_ATTEMPTS,
        )
        .values(status="sending", attempts=OutboxMessage.attempts + 1)
    )
    session.commit()
    return result.rowcount == 1


def deliver_one(*, session: Session, message_id: int) -> bool:
    """Send one queued message by SMTP; returns whether it was sent now. Blocking: call it from
    a thread or a worker, never on the event loop."""
    if not get_settings().smtp_host or not _claim(session, message_id):
        return False
    msg = session.get(OutboxMessage, message_id)
    session.refresh(msg)
    try:
        _smtp_send(msg)
    except (OSError, smtplib.SMTPException) as exc:
        msg.status, msg.error = "failed", f"{type(exc).__name__}: {exc}"[:500]
        session.commit()
        return False
    msg.status, msg.sent_at, msg.error = "sent", utcnow(), ""
    if msg.sensitive:
        msg.body = SCRUBBED
    session.commit()
    return True


def deliver_pending(*, session: Session, limit: int = 50) -> int:
    """Send queued (and retry failed) messages; returns how many were sent."""
    if not get_settings().smtp_host:
        return 0
    ids = session.exec(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == "smtp",
            OutboxMessage.status.in_(("queued", "failed")),
            OutboxMessage.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    return sum(deliver_one(session=session, message_id=i) for i in ids)


def scrub(*, session: Session, user_id: int, kind: str) -> None:
    """Forget the text of a user's sensitive messages of ``kind`` (their link was used)."""
    session.exec(
        update(OutboxMessage)
        .where(
            OutboxMessage.user_id == user_id,
            OutboxMessage.kind == kind,
            OutboxMessage.sensitive.is_(True),
        )
        .values(body=SCRUBBED)
    )


def staff_body(msg: OutboxMessage) -> str:
    """What staff may read of a message: sensitive bodies are hidden."""
    return REDACTED if msg.sensitive and msg.body != SCRUBBED else msg.body


def outbox_for(
    *, session: Session, email: str | None = None, limit: int = 50
) -> list[OutboxMessage]:
    """The newest outbox messages, optionally for one address (staff view, CLI and tests)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if email:
        query = query.where(OutboxMessage.to_email == email.lower())
    return list(session.exec(query).all())
