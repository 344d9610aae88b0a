"""Text basics for spoken answers: sentences, words, normalisation. No third-party NLP model:
answers are short, English, and must be analysed in milliseconds."""

from __future__ import annotations

import html
import re
import unicodedata

MAX_CHARS = 60_000  # about 10,000 words; longer input is cut (and the report says so)

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "inc",
    "ltd",
    "co",
    "corp",
    "dept",
    "approx",
    "no",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "a.m",
    "p.m",
}
_TAG = re.compile(r"<[^>]{0,200}>")
_SPLIT = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n\s*\n+|\n(?=\s*[-*•]\s)")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def clean(text: object) -> tuple[str, bool]:
    """Normalised plain text from user input, and whether it had to be cut.

    HTML tags are dropped (people paste from documents), entities unescaped, control
    characters removed, Unicode NFC-normalised."""
    if not isinstance(text, str):
        return "", False
    text = unicodedata.normalize("NFC", text)
    text = html.unescape(_TAG.sub(" ", text))
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    cut = len(text) > MAX_CHARS
    return text[:MAX_CHARS].strip(), cut


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, keeping abbreviations, initials and decimals intact."""
    pieces = [p.strip() for p in _SPLIT.split(text) if p and p.strip()]
    out: list[str] = []
    for piece in pieces:
        piece = re.sub(r"^\s*[-*•]\s*", "", piece)
        if out and _joins_previous(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return [s for s in out if words(s)]


def _joins_previous(previous: str) -> bool:
    last = previous.rstrip().split()[-1].rstrip(".").lower() if previous.strip() else ""
    if last in _ABBREVIATIONS:
        return True
    return bool(re.fullmatch(r"[A-Za-z]", last)) and previous.rstrip().endswith(".")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, apostrophes inside words kept)."""
    return _WORD.findall(text)


def lower_words(text: str) -> list[str]:
    """Lower-cased words, with typographic apostrophes made plain."""
    return [w.lower().replace("’", "'") for w in words(text)]
