"""Security headers on every HTTP response (pages, API, media, health) as ASGI middleware.

Registered in ``prepple/prepple.py`` as the last ``api_transformer``, so it wraps everything the
backend serves: the compiled frontend, the Reflex endpoints, ``/api/*`` and the media route.

The Content-Security-Policy is what Reflex's production build needs and nothing more:
``script-src`` allows inline scripts (React Router's hydration data is inline) and ``eval``
(Reflex runs ``rx.call_script`` through ``eval`` in its state.js); everything else is this
origin only, plus ``data:``/``blob:`` images and media (recordings play from blob URLs), the
S3 endpoint when recordings are stored there, and the app's own origins for the event
socket. ``frame-ancestors 'none'`` (with ``X-Frame-Options: DENY`` for old browsers) stops
click-jacking; ``object-src 'none'`` and ``base-uri 'self'`` close the usual injection tricks.

Malformed Socket.IO packets (:func:`guard_socket_packets`): python-socketio reads an event's
name as ``data[0]`` before anything checks the payload, so a packet like
``42/_event,{"a":1}`` raised ``KeyError: 0`` and engine.io logged a traceback for it; a packet
that isn't JSON, or an event Reflex can't deserialize, did the same. The guard sits in front
of the server's message handler, refuses such packets with a one-line warning and passes
everything else through untouched.

CORS is not here: Reflex adds Starlette's CORS middleware with ``cors_allowed_origins`` from
``rxconfig.py``, which lists only the app's own origins (``Settings.allowed_origins``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from prepple.settings import Settings, get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("prepple.security")


def _ws(origin: str) -> str:
    return origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)


def content_security_policy(settings: Settings | None = None) -> str:
    """The CSP for this deployment (its own origins and, with S3, the bucket's endpoint)."""
    settings = settings or get_settings()
    own = settings.allowed_origins
    media = ["'self'", "blob:", "data:"]
    if settings.storage_backend == "s3":
        if settings.s3_endpoint_url:
            parts = urlsplit(settings.s3_endpoint_url)
            media.append(f"{parts.scheme}://{parts.netloc}")
        else:
            media.append("https://*.amazonaws.com")
    connect = ["'self'", *own, *(_ws(o) for o in own)]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "media-src": media,
        "connect-src": connect,
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(dict.fromkeys(v))}" for k, v in directives.items())


def security_headers(settings: Settings | None = None) -> list[tuple[bytes, bytes]]:
    """The headers added to every response (unless the route set its own)."""
    settings = settings or get_settings()
    headers = {
        "content-security-policy": content_security_policy(settings),
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "permissions-policy": "camera=(self), microphone=(self), geolocation=(), payment=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.base_url.startswith("https://"):
        headers["strict-transport-security"] = "max-age=31536000"
    return [(k.encode(), v.encode()) for k, v in headers.items()]


def with_security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap an ASGI app so every HTTP response carries :func:`security_headers`."""
    extra = security_headers()

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


def _packet_problem(sio: Any, eio_sid: str, data: Any) -> str:
    """Why a Socket.IO packet can't be handled ('' when it can)."""
    from socketio import packet

    if eio_sid in getattr(sio, "_binary_packet", {}):
        return ""  # an attachment of a binary packet: socketio checks it
    try:
        pkt = sio.packet_class(encoded_packet=data)
    except Exception as exc:  # noqa: BLE001 - any decoding failure is a malformed packet
        return f"undecodable ({type(exc).__name__})"
    if pkt.packet_type in (packet.EVENT, packet.BINARY_EVENT):
        if not isinstance(pkt.data, list) or not pkt.data or not isinstance(pkt.data[0], str):
            return "an event without a name"
    elif pkt.packet_type not in (
        packet.CONNECT,
        packet.DISCONNECT,
        packet.ACK,
        packet.BINARY_ACK,
    ):
        return f"packet type {pkt.packet_type}"
    return ""


def guard_socket_packets(app: Any) -> None:
    """Lifespan hook: put :func:`_packet_problem` in front of the event socket's message
    handler, so malformed packets are refused with a warning instead of a traceback."""
    from reflex.utils.exceptions import EventDeserializationError

    sio = getattr(app, "sio", None)
    if sio is None or getattr(sio, "_prepple_guarded", False):
        return
    handle = sio._handle_eio_message

    async def guarded(eio_sid: str, data: Any) -> None:
        problem = _packet_problem(sio, eio_sid, data)
        if problem:
            logger.warning("refused a malformed Socket.IO packet: %s", problem)
            return
        try:
            await handle(eio_sid, data)
        except EventDeserializationError:
            logger.warning("refused a Socket.IO event that isn't a Reflex event")

    sio.eio.on("message", guarded)
    sio._prepple_guarded = True
