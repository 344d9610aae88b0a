"""Outbox always; SMTP delivery tested against a real SMTP server on loopback (aiosmtpd)."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlmodel import select

from prepple.models import OutboxMessage
from prepple.services import accounts, notifications
from prepple.settings import reset_settings_cache


class Collect(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(monkeypatch):
    handler = Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PREPPLE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PREPPLE_SMTP_PORT", str(port))
    reset_settings_cache()
    yield handler
    controller.stop()
    reset_settings_cache()


def test_without_smtp_messages_stay_in_outbox(session, make_user):
    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    assert notifications.deliver_pending(session=session) == 0
    msg = session.exec(select(OutboxMessage)).one()
    assert msg.delivered_via == "outbox" and msg.sent_at is None
    assert "reset-password?token=" in msg.body


def test_reset_mail_is_delivered_over_smtp(db_url, session, make_user, smtp_server):
    make_user("ann@example.com", name="Ann")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    assert notifications.deliver_pending(session=session) == 1
    session.commit()
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == "Reset your Prepple password"
    assert "reset-password?token=" in mail.get_payload()
    row = session.exec(select(OutboxMessage)).one()
    assert row.sent_at is not None and row.error == ""
    assert notifications.deliver_pending(session=session) == 0  # not sent twice


def test_smtp_down_keeps_message_with_error(db_url, session, make_user, monkeypatch):
    monkeypatch.setenv("PREPPLE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PREPPLE_SMTP_PORT", str(_free_port()))  # nothing listens there
    monkeypatch.setenv("PREPPLE_SMTP_TIMEOUT_SECONDS", "2")
    reset_settings_cache()
    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    assert notifications.deliver_pending(session=session) == 0
    row = session.exec(select(OutboxMessage)).one()
    assert row.sent_at is None and "ConnectionRefused" in row.error
