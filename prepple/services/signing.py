"""Short signed tokens for links and routes that cannot read the browser's session.

A token is ``<base64url(json payload)>.<base64url(HMAC-SHA256)>`` keyed with the app's secret
key and a *purpose*, so a token made for one use (uploading recording 12) is worthless for
another (playing it back, unsubscribing). Payloads carry an expiry (``exp``, Unix seconds).

A token must never name something a later row could inherit (SQLite once reused freed ids, and
a deleted account's links then worked for whoever got its id). So a token also names:

- for an account, a :class:`Holder`: the user id, the log-in session the link was made in and
  the account's random ``token_key``. Log-out ends the session, a password change or reset and
  deactivation replace the key, so every media, upload and calendar link stops at once
  (``accounts.holder_check`` checks all three on use);
- for a recording, resume or account named without a session (unsubscribe), its creation time
  (:func:`stamp`), compared with the row's on use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prepple.settings import get_settings


class BadToken(Exception):
    """The token is malformed, forged, made for another purpose, or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, body: str) -> bytes:
    key = hashlib.sha256(f"{get_settings().secret_key}|{purpose}".encode()).digest()
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()


def sign(
    purpose: str, payload: dict[str, Any], *, ttl_seconds: int, now: float | None = None
) -> str:
    """A token for ``purpose`` carrying ``payload`` (JSON-able), valid for ``ttl_seconds``."""
    data = dict(payload, exp=int((now or time.time()) + ttl_seconds))
    body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(_mac(purpose, body))}"


def verify(purpose: str, token: object, *, now: float | None = None) -> dict[str, Any]:
    """The payload of a valid, unexpired ``purpose`` token; :class:`BadToken` otherwise."""
    if not isinstance(token, str) or len(token) > 2000 or token.count(".") != 1:
        raise BadToken("malformed token")
    body, mac = token.split(".")
    try:
        given = _unb64(mac)
        data = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadToken("malformed token") from exc
    if not hmac.compare_digest(given, _mac(purpose, body)):
        raise BadToken("bad signature")
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int):
        raise BadToken("malformed token")
    if data["exp"] < (now or time.time()):
        raise BadToken("expired")
    return data


def stamp(when: datetime) -> int:
    """A row's creation time as whole microseconds since 1970 (UTC): what a token names to
    tell a row from a later one with the same id."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class Holder:
    """The account a link is for, the log-in session it was made in, and the account's token
    key at the time (see the module docstring)."""

    user_id: int
    session_id: int
    key: str

    def claims(self) -> dict[str, Any]:
        """The payload fields that name this holder."""
        return {"u": self.user_id, "s": self.session_id, "a": self.key}

    @classmethod
    def from_claims(cls, data: dict[str, Any]) -> Holder:
        """The holder a verified payload names; :class:`BadToken` when it names none."""
        uid, sid, key = data.get("u"), data.get("s"), data.get("a")
        if not (
            type(uid) is int
            and type(sid) is int
            and uid > 0
            and sid > 0
            and isinstance(key, str)
            and key
        ):
            raise BadToken("the token names no account")
        return cls(uid, sid, key)
