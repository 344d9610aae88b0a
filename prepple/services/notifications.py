"""Notifications: every message lands in the in-app outbox; SMTP delivers it when configured.

The outbox row is written first, so a message is never lost when the mail server is down: the
row keeps the error and can be re-sent (``deliver_pending``).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from sqlmodel import Session, select

from prepple.models import OutboxMessage, utcnow
from prepple.settings import get_settings


def notify(
    *, session: Session, to_email: str, user_id: int | None, kind: str, subject: str, body: str
) -> OutboxMessage:
    """Record a message in the outbox; it is delivered by SMTP after commit if a host is set."""
    msg = OutboxMessage(
        to_email=to_email,
        user_id=user_id,
        kind=kind,
        subject=subject[:200],
        body=body,
        delivered_via="smtp" if get_settings().smtp_host else "outbox",
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
    email.set_content(msg.body)
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(email)


def deliver_pending(*, session: Session, limit: int = 50) -> int:
    """Send outbox messages waiting for SMTP; returns how many were sent. Blocking: call it
    from a thread or a worker, never on the event loop."""
    if not get_settings().smtp_host:
        return 0
    pending = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.delivered_via == "smtp", OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = 0
    for msg in pending:
        try:
            _smtp_send(msg)
        except (OSError, smtplib.SMTPException) as exc:
            msg.error = f"{type(exc).__name__}: {exc}"[:500]
            continue
        msg.sent_at, msg.error = utcnow(), ""
        sent += 1
    session.flush()
    return sent


def outbox_for(
    *, session: Session, email: str | None = None, limit: int = 50
) -> list[OutboxMessage]:
    """The newest outbox messages, optionally for one address (staff view and tests)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if email:
        query = query.where(OutboxMessage.to_email == email.lower())
    return list(session.exec(query).all())
