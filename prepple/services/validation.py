"""Cleaning and checking what people type, shared by every form.

Every function returns the cleaned value or raises :class:`InvalidInput` naming the field, so a
page can put the message next to the right input. Text is NFC-normalised, stripped, and refused
when it carries control characters, which keeps odd Unicode visible rather than silently stored.
"""

from __future__ import annotations

import re
import unicodedata

EMAIL_MAX = 254
NAME_MAX = 80
PASSWORD_MAX = 256
QUERY_MAX = 200

# Deliberately simple: one @, something before it, a dotted domain after it, no spaces.
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_SINGLE_LINE_CONTROL = {"\t"}
_MULTILINE_CONTROL = {"\n", "\t", "\r"}


class InvalidInput(ValueError):
    """A user-facing validation error tied to one form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def clean_text(
    value: object,
    *,
    field: str,
    label: str,
    max_len: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Normalise free text; refuse empty (when required), overlong or control-laden input."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(field, f"{label} must be text.")
    text = unicodedata.normalize("NFC", value).strip()
    allowed = _MULTILINE_CONTROL if multiline else _SINGLE_LINE_CONTROL
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in allowed:
            raise InvalidInput(field, f"{label} contains characters we can't store.")
        if unicodedata.category(ch) == "Cf" and ch in "\u202a\u202b\u202c\u202d\u202e":
            # Bidi overrides can disguise text (e.g. in names shown to others).
            raise InvalidInput(field, f"{label} contains text-direction control characters.")
    if required and not text:
        raise InvalidInput(field, f"{label} is required.")
    if len(text) > max_len:
        raise InvalidInput(field, f"{label} must be at most {max_len} characters.")
    return text


def clean_email(value: object, *, field: str = "email") -> str:
    """A lower-cased, syntactically plausible e-mail address."""
    email = clean_text(value, field=field, label="E-mail", max_len=EMAIL_MAX).lower()
    if not _EMAIL_RE.match(email):
        raise InvalidInput(field, "Enter an e-mail address like name@example.com.")
    return email


def clean_display_name(value: object, *, field: str = "display_name") -> str:
    """A display name: 1-80 characters, no markup-looking angle brackets."""
    name = clean_text(value, field=field, label="Name", max_len=NAME_MAX)
    if "<" in name or ">" in name:
        raise InvalidInput(field, "Name can't contain < or >.")
    return re.sub(r"\s+", " ", name)


def check_password(value: object, *, min_length: int, field: str = "password") -> str:
    """A new password: long enough, not absurdly long, not all one character. Not stripped."""
    if not isinstance(value, str) or value == "":
        raise InvalidInput(field, "Password is required.")
    if len(value) < min_length:
        raise InvalidInput(field, f"Password must be at least {min_length} characters.")
    if len(value) > PASSWORD_MAX:
        raise InvalidInput(field, f"Password must be at most {PASSWORD_MAX} characters.")
    if len(set(value)) < 4:
        raise InvalidInput(field, "Password is too easy to guess; mix more characters.")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput(field, "Password contains characters we can't store.")
    return value


def clean_query(value: object) -> str:
    """A search query: never an error, just trimmed, normalised and capped."""
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Co"))
    return text.strip()[:QUERY_MAX]


LIKE_ESCAPE = "\\"


def like_contains(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with its own % and _ taken literally
    (use with ``escape=LIKE_ESCAPE``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
