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
_SPLIT = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]])|(?<=[.!?…][\"'”’)\]]{2}))\s+|"
    r"\n\s*\n+|\n(?=\s*(?:[-*•]|\d{1,2}[.)])\s)|\n(?=\s*[A-Z])"
)
_OPEN_QUOTES = re.compile(r"[\"“”]")
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
        bullet = bool(re.match(r"^\s*(?:[-*•]|\d{1,2}[.)])\s", piece))
        piece = re.sub(r"^\s*(?:[-*•]|\d{1,2}[.)])\s*", "", piece)
        if out and not bullet and _joins_previous(out[-1], piece):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    # A line that is only a heading ("Action:") is not a sentence.
    return [s for s in out if words(s) and not re.fullmatch(r"[\w ]{1,20}:", s)]


def _joins_previous(previous: str, piece: str = "") -> bool:
    """Whether ``piece`` continues ``previous`` rather than starting a sentence: after an
    abbreviation or an initial, inside an open quotation ("She asked "why?" and left"), or when
    it starts in lower case after a line break or a "?" or "!" (a hard-wrapped line, a quoted
    question)."""
    last = previous.rstrip().split()[-1].rstrip(".").lower() if previous.strip() else ""
    if last in _ABBREVIATIONS:
        return True
    if bool(re.fullmatch(r"[A-Za-z]", last)) and previous.rstrip().endswith("."):
        return True
    if len(_OPEN_QUOTES.findall(previous)) % 2 == 1:
        return True
    first = piece.lstrip()[:1]
    return bool(first) and first.islower() and not previous.rstrip().endswith(".")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, apostrophes inside words kept)."""
    return _WORD.findall(text)


def lower_words(text: str) -> list[str]:
    """Lower-cased words, with typographic apostrophes made plain."""
    return [w.lower().replace("’", "'") for w in words(text)]


# Function words, the commonest words of each language: in any stretch of ordinary prose a
# good share of the words are from this list, so they tell the language apart cheaply.
_FUNCTION_WORDS = {
    "en": "the and to of a in that is was it for on with as i my we our he she they you this "
    "but at by from had have were be not what so then when which would there their".split(),
    "es": "el la los las de que y en un una por con para es fue era se lo le su mis nos pero "
    "como más muy yo mi trabajaba estaba tenía hice cuando porque del al también".split(),
    "fr": "le la les de des du et est un une pour pas que qui dans sur avec je nous il elle "
    "mais était ai avons très mon ma mes au aux ce cette".split(),
    "de": "der die das und ist nicht ein eine ich wir mit zu den dem für auf war sich auch "
    "es aber wie hatte habe mein meine uns im".split(),
    "pt": "o a os as de que e em um uma para com não por mais eu nós foi era mas como meu "
    "minha da do das dos no na também muito".split(),
    "it": "il lo la gli le di che e è un una per con non sono ero io noi ma come mio mia del "
    "della nel nella anche molto".split(),
    "nl": "de het een en van ik we wij niet dat die in op met voor was zijn maar ook mijn ons "
    "er aan bij".split(),
}
_FUNCTION_SETS = {lang: set(ws) for lang, ws in _FUNCTION_WORDS.items()}
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
}


def detect_language(tokens: list[str]) -> str:
    """The language of lower-cased ``tokens``: "en", another code from LANGUAGE_NAMES, or "" when
    it is not clearly any of them (too short, or mostly names and numbers). English wins ties:
    a few foreign words in an English answer don't make it foreign."""
    if len(tokens) < 8:
        return "en"
    hits = {lang: sum(t in ws for t in tokens) for lang, ws in _FUNCTION_SETS.items()}
    best = max(hits, key=lambda lang: (hits[lang], lang == "en"))
    if best == "en" or hits["en"] >= 0.6 * hits[best]:
        return "en"
    return best if hits[best] >= 0.15 * len(tokens) else ""
