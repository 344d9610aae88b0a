"""Short signed tokens for links and routes that cannot read the browser's session.

A token is ``<base64url(json payload)>.<base64url(HMAC-SHA256)>`` keyed with the app's secret
key and a *purpose*, so a token made for one use (uploading recording 12) is worthless for
another (playing it back, unsubscribing). Payloads carry an expiry (``exp``, Unix seconds).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
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
