"""The shapes spoken answers travel in: a transcript with timed words.

Shared by transcription (which makes them), delivery scoring (which reads them) and the
recordings service (which stores them as JSON). Plain dataclasses, no heavy imports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in seconds and the model's confidence."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Transcript:
    """What was said in a recording.

    ``text`` is the whole transcript as readable text; ``words`` carry timings (the word text
    keeps its punctuation, without the leading space Whisper emits); ``duration`` is the length
    of the media in seconds (not only the speech)."""

    text: str
    words: list[Word] = field(default_factory=list)
    duration: float = 0.0
    language: str = "en"
    model: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``prepple transcribe`` output and the stored form)."""
        return {
            "text": self.text,
            "words": [asdict(w) for w in self.words],
            "duration": round(self.duration, 3),
            "language": self.language,
            "model": self.model,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        """Inverse of :meth:`to_dict` (tolerates missing keys)."""
        words = [
            Word(
                text=str(w.get("text", "")),
                start=float(w.get("start", 0.0)),
                end=float(w.get("end", 0.0)),
                probability=float(w.get("probability", 1.0)),
            )
            for w in data.get("words", [])
        ]
        return cls(
            text=str(data.get("text", "")),
            words=words,
            duration=float(data.get("duration", 0.0)),
            language=str(data.get("language", "en")),
            model=str(data.get("model", "")),
        )
