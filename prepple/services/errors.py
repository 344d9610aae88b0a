"""One base for the errors a service raises to say "no" to a user.

A :class:`DomainError` carries what every caller needs, under the same names:

- ``message``: a sentence safe to show the user as is (never a secret, never a traceback);
- ``status``: the HTTP-like status an HTTP route answers with (400 unless a subclass says);
- ``field``: the form field the message is about ("" when it is about no one field).

The services' own classes keep their names and extras (``ShareError.needs_login``,
``MediaError.detail``, ``OffsetMismatch.received``) and subclass this, so callers catch
``DomainError`` (or the narrow class they mean) and read ``exc.message``, never
``getattr(exc, "message")``. State handlers use ``prepple.state.actions.perform`` for the
"call a service, commit, refresh, tell the user" round.

Not domain errors, on purpose: ``storage.StorageError`` (its message is for logs),
``signing.BadToken`` (technical reasons: "bad signature", "expired"; callers say what the
user sees) and ``transcription.ModelUnavailable`` (an installation problem).
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused or invalid action, with a message safe to show, a status and a field."""

    #: The status when the raiser doesn't name one.
    default_status = 400

    def __init__(self, message: str, *, status: int | None = None, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = self.default_status if status is None else status
        self.field = field
