"""Cleaning and checking what people type, shared by every form.

Every function returns the cleaned value or raises :class:`InvalidInput` naming the field, so a
page can put the message next to the right input.

One rule cleans all text that people type before it is stored (:func:`scrub`, applied by
:func:`clean_text` and by the planner to plan sections): NFC normalisation; C0/C1 control
characters removed (a newline and a tab survive in multi-line text); bidi embeddings, overrides
and isolates (U+202A-U+202E, U+2066-U+2069) removed, since they make text read differently to a
reviewer than it was written; zero-width characters removed where they carry no meaning
(a zero-width joiner survives inside emoji sequences and between letters of scripts that need it,
as does a zero-width non-joiner). Everything else - emoji, CJK, accents, right-to-left scripts
and their LRM/RLM marks - is kept as typed.
"""

from __future__ import annotations

import re
import unicodedata

from prepple.services.errors import DomainError

EMAIL_MAX = 254
NAME_MAX = 80
PASSWORD_MAX = 256
QUERY_MAX = 200

# Deliberately simple: one @, something before it, a dotted domain after it, no spaces.
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

#: Bidi embeddings, overrides and isolates: text that renders in another order than it reads.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Invisible characters with no use in typed prose (zero-width space, word joiner, BOM,
#: invisible operators, Mongolian vowel separator, Hangul fillers).
_ZERO_WIDTH = frozenset("\u200b\u2060\ufeff\u2061\u2062\u2063\u2064\u180e\u115f\u1160\u3164\uffa0")
_ZWJ = "\u200d"
_ZWNJ = "\u200c"
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x85": "\n"}
_LINE_BREAK_RE = re.compile("\r\n|[\r\u2028\u2029\x85]")


def _emojiish(ch: str) -> bool:
    """A pictographic symbol, an emoji modifier or a variation selector (parts of emoji)."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) == "So"
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or ch in "\ufe0f\ufe0e\u20e3"
        or 0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
    )


def _joins_letters(prev: str, nxt: str) -> bool:
    """Both sides are letters or marks of a non-Latin script (ZWJ/ZWNJ shape Arabic, Persian,
    Indic scripts); between ASCII letters a joiner only hides things."""

    def letter(ch: str) -> bool:
        return ord(ch) > 0x2FF and unicodedata.category(ch)[0] in ("L", "M")

    return letter(prev) and letter(nxt)


def scrub(value: str, *, multiline: bool = True) -> str:
    """The one text-cleaning rule (see the module docstring). Never raises; does not strip
    surrounding whitespace or check length (callers do)."""
    text = unicodedata.normalize("NFC", value)
    text = _LINE_BREAK_RE.sub(lambda m: _LINE_BREAKS[m.group(0)], text)
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch == "\n":
            out.append("\n" if multiline else " ")
            continue
        if ch == "\t":
            out.append("\t" if multiline else " ")
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co") or ch in _BIDI_CONTROLS or ch in _ZERO_WIDTH:
            continue
        if ch in (_ZWJ, _ZWNJ):
            prev = out[-1] if out else ""
            nxt = text[i + 1] if i + 1 < n else ""
            after_virama = bool(prev) and ord(prev) > 0x2FF and unicodedata.category(prev) == "Mn"
            if after_virama or (
                prev
                and nxt
                and (
                    (ch == _ZWJ and _emojiish(prev) and _emojiish(nxt)) or _joins_letters(prev, nxt)
                )
            ):
                out.append(ch)  # an Indic half-form or chillu, an emoji sequence, a joined word
            continue
        if 0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE:
            continue  # noncharacters
        out.append(ch)
    return "".join(out)


class InvalidInput(DomainError, ValueError):
    """A user-facing validation error tied to one form field (status 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


def clean_text(
    value: object,
    *,
    field: str,
    label: str,
    max_len: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Clean free text with :func:`scrub` and strip it; refuse empty (when required) or
    overlong input."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(field, f"{label} must be text.")
    text = scrub(value, multiline=multiline).strip()
    if required and not text:
        raise InvalidInput(field, f"{label} is required.")
    if len(text) > max_len:
        raise InvalidInput(field, f"{label} must be at most {max_len} characters.")
    return text


def clean_email(value: object, *, field: str = "email") -> str:
    """A lower-cased, syntactically plausible e-mail address (refused, not cleaned, when it
    holds control or invisible characters: an address must be exactly what was typed)."""
    if isinstance(value, str) and scrub(value.strip(), multiline=False) != unicodedata.normalize(
        "NFC", value.strip()
    ):
        raise InvalidInput(field, "E-mail contains characters we can't store.")
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
    return scrub(value, multiline=False).strip()[:QUERY_MAX]


LIKE_ESCAPE = "\\"


def like_contains(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with its own % and _ taken literally
    (use with ``escape=LIKE_ESCAPE``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
