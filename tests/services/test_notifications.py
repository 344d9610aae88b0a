"""Outbox always; SMTP delivery against a real SMTP server on loopback (aiosmtpd), with
STARTTLS (a certificate made for the test) and SMTP AUTH."""

import socket
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import select

from prepple.models import OutboxMessage
from prepple.services import accounts, notifications
from prepple.settings import reset_settings_cache


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope, session.ssl is not None))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"mailer",
        b"s3cret",
    )
    return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def smtp_server(monkeypatch, certificate):
    """A real SMTP server that requires STARTTLS before AUTH, and the settings to reach it."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Collect()
    port = _free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=_authenticator, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    for name, value in {
        "HOST": "127.0.0.1", "PORT": str(port), "USERNAME": "mailer", "PASSWORD": "s3cret",
        "CA_FILE": str(cert), "STARTTLS": "true",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"PREPPLE_SMTP_{name}", value)
    reset_settings_cache()
    yield handler
    controller.stop()
    reset_settings_cache()


def _reset_message(session) -> OutboxMessage:
    session.expire_all()
    return session.exec(select(OutboxMessage)).one()


def test_without_smtp_messages_stay_in_outbox(session, make_user):
    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    assert notifications.deliver_pending(session=session) == 0
    msg = _reset_message(session)
    assert (msg.channel, msg.status, msg.sent_at) == ("outbox", "stored", None)
    assert "reset-password?token=" in notifications.readable_body(msg) and msg.sensitive
    assert "token=" not in msg.body  # sealed at rest
    assert "token=" not in notifications.staff_body(msg)


def test_reset_mail_is_delivered_over_starttls_with_auth(db_url, session, make_user, smtp_server):
    make_user("ann@example.com", name="Ann")
    message_id = accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    assert notifications.deliver_one(session=session, message_id=message_id) is True
    assert len(smtp_server.messages) == 1
    envelope, encrypted = smtp_server.messages[0]
    assert encrypted, "the message crossed the wire without TLS"
    assert envelope.rcpt_tos == ["ann@example.com"]
    text = envelope.content.decode()
    assert "Subject: Reset your Prepple password" in text and "reset-password?token=" in text
    row = _reset_message(session)
    assert row.status == "sent" and row.sent_at is not None and row.error == ""
    assert "token=" not in notifications.readable_body(row), (
        "a delivered one-time link must not stay in the database"
    )
    assert notifications.deliver_pending(session=session) == 0  # not sent twice
    assert notifications.deliver_one(session=session, message_id=message_id) is False


def test_wrong_smtp_password_is_recorded_and_retried(
    db_url, session, make_user, smtp_server, monkeypatch
):
    monkeypatch.setenv("PREPPLE_SMTP_PASSWORD", "wrong")
    monkeypatch.setenv("PREPPLE_SMTP_TIMEOUT_SECONDS", "2")
    reset_settings_cache()
    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    assert notifications.deliver_pending(session=session) == 0
    row = _reset_message(session)
    assert row.status == "failed" and row.error and row.attempts == 1
    assert smtp_server.messages == []
    monkeypatch.setenv("PREPPLE_SMTP_PASSWORD", "s3cret")
    reset_settings_cache()
    assert notifications.deliver_pending(session=session) == 1
    assert _reset_message(session).status == "sent" and len(smtp_server.messages) == 1


def test_plain_server_refused_when_starttls_required(db_url, session, make_user, monkeypatch):
    handler = Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("PREPPLE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PREPPLE_SMTP_PORT", str(port))
        reset_settings_cache()
        make_user("ann@example.com")
        accounts.password_reset_request(session=session, email="ann@example.com")
        session.commit()
        assert notifications.deliver_pending(session=session) == 0
        assert handler.messages == []
        assert "STARTTLS" in _reset_message(session).error
        monkeypatch.setenv("PREPPLE_SMTP_STARTTLS", "false")  # e.g. a relay on localhost
        reset_settings_cache()
        assert notifications.deliver_pending(session=session) == 1
        assert len(handler.messages) == 1
    finally:
        controller.stop()
        reset_settings_cache()


def test_smtp_down_keeps_message_with_error_until_attempts_run_out(
    db_url, session, make_user, monkeypatch
):
    monkeypatch.setenv("PREPPLE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PREPPLE_SMTP_PORT", str(_free_port()))  # nothing listens there
    monkeypatch.setenv("PREPPLE_SMTP_TIMEOUT_SECONDS", "2")
    reset_settings_cache()
    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    for _ in range(notifications.MAX_ATTEMPTS + 2):
        assert notifications.deliver_pending(session=session) == 0
    row = _reset_message(session)
    assert row.status == "failed" and "ConnectionRefused" in row.error
    assert row.attempts == notifications.MAX_ATTEMPTS
    assert "token=" in notifications.readable_body(row)  # not delivered, so kept for a later retry


def test_one_time_links_are_never_readable_at_rest(session, make_user, monkeypatch):
    """Issue 11: with no SMTP, invitation and reset links sat in plain text in
    outbox_messages.body. They are sealed; the raw column (a dump, a staff screen) shows no
    link, only delivery and the operator's `prepple outbox` open it."""
    from sqlalchemy import text

    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    raw = session.exec(text("SELECT body FROM outbox_messages")).one()[0]
    assert raw.startswith(notifications.SEALED_PREFIX)
    assert "token=" not in raw and "reset-password" not in raw
    msg = _reset_message(session)
    assert notifications.staff_body(msg) == notifications.REDACTED
    assert "reset-password?token=" in notifications.readable_body(msg)
    # Ordinary messages stay as they are.
    plain = notifications.notify(
        session=session, to_email="b@example.com", user_id=None, kind="note", subject="s",
        body="Hello there",
    )  # fmt: skip
    assert plain.body == "Hello there" and notifications.readable_body(plain) == "Hello there"
    # Another secret key can't open it (nor forge one: Fernet is authenticated).
    monkeypatch.setenv("PREPPLE_SECRET_KEY", "a-completely-different-secret-key")
    reset_settings_cache()
    assert notifications.readable_body(msg) == notifications.UNREADABLE
    tampered = raw[:-8] + ("A" * 8 if not raw.endswith("A" * 8) else "B" * 8)
    assert notifications.readable_body(tampered) == notifications.UNREADABLE


def test_the_outbox_command_shows_the_operator_the_link(session, make_user):
    from typer.testing import CliRunner

    from prepple.cli import app

    make_user("ann@example.com")
    accounts.password_reset_request(session=session, email="ann@example.com")
    session.commit()
    out = CliRunner().invoke(app, ["outbox", "--email", "ann@example.com"]).output
    assert "reset-password?token=" in out
