"""A seeded, synthetic evaluation set for vocal-filler detection ("um", "uh") with varied prosody.

Each clip is two or three sentences from :data:`SENTENCES` (interview-style, written for this
set, none from the scripts the filler pass was first designed on), with vocal fillers put in
at sentence starts and mid-clause, either set off by commas (``"I, um, wrote"``: espeak-ng pauses
around them) or run into the words (``"I um wrote"``: no pause, the hard case), read by
espeak-ng with one of several voices (:data:`VOICES`), speeds of 130-200 words a minute and
pitches of 30-70, and mixed with noise at a few signal-to-noise ratios (:data:`NOISES`). A
third of the clips have no fillers at all, to count invented ones.

The sentences are split in two halves: clips of the **tuning** split use only the first half,
clips of the **held-out** split only the second, so anything tuned on one never heard the
other's words. Everything is a pure function of the split and the clip number (``numpy``
generators seeded with both), so the same set is rebuilt anywhere espeak-ng 1.51 is installed:

    clips = filler_clips("heldout", 96)
    audio = clip_audio(clips[0])  # 16 kHz mono float32

Ground truth: each :class:`FillerClip` has the reference text (what was spoken, fillers
included) and :attr:`FillerClip.fillers`, one :class:`FillerMark` per filler with its word
index in ``reference_tokens(text)`` and where it sits ("start" of a sentence or "mid" clause).

This is synthetic speech. espeak-ng says "um" and "uh" as ordinary words, not as the drawn-out,
pitch-flat hesitations people make; no recordings of real spontaneous speech with verbatim
transcripts exist on our machines, so figures measured on this set say how the detector
handles prosody, voices, speed and noise, not how it does on people.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SR = 16_000

#: Interview-style sentences written for this set. Tuning clips use the first half, held-out
#: clips the second half.
SENTENCES = [
    # --- tuning half
    "Our nightly reports were taking six hours to finish.",
    "I offered to look into the slow queries myself.",
    "The warehouse team kept shipping the wrong parts to one client.",
    "My manager asked me to present the plan to the board.",
    "We had only two weeks before the trade show opened.",
    "I started by talking to the people who used the tool every day.",
    "The vendor stopped answering our emails in the middle of the project.",
    "I wrote a short proposal and shared it with the finance team.",
    "Two of my colleagues were not speaking to each other.",
    "I booked a room and asked each of them to explain their view.",
    "The old website broke whenever more than a hundred people logged in.",
    "We moved the checkout page to a separate server.",
    "A patient complained that nobody had called her back.",
    "I checked the call logs and found the message had been lost.",
    "The budget was cut by a third halfway through the year.",
    "I ranked our projects by the money each one would save.",
    "Our survey showed that new staff felt lost in their first month.",
    "I paired every new hire with a buddy from another team.",
    "The printer in our office jammed almost every morning.",
    "I tracked the problem down to a cheap brand of paper.",
    "Sales in the northern region had fallen for three quarters.",
    "I visited the four largest stores and listened to the staff.",
    "Our mobile app crashed on older phones after the update.",
    "I set up a test lab with the ten most common devices.",
    "The client wanted a custom report every single week.",
    "I built a template that filled itself from the database.",
    "Nobody owned the release checklist, so steps were skipped.",
    "I turned the checklist into an automatic pipeline.",
    "In the end the error rate dropped by half.",
    "The feedback from the team was better than I expected.",
    # --- held-out half
    "Our support queue had grown to four hundred open tickets.",
    "I sorted the tickets by topic and found five common causes.",
    "The marketing team and the engineers disagreed about the launch date.",
    "I drew up a timeline that showed what each date would cost.",
    "A large order arrived with half the boxes damaged.",
    "I photographed every box and called the carrier the same afternoon.",
    "Our lab kept running out of the same chemical every month.",
    "I set up a simple spreadsheet that warned us two weeks ahead.",
    "The new accounting system gave different totals than the old one.",
    "I compared both systems line by line for a whole weekend.",
    "A key engineer resigned a month before our deadline.",
    "I split his work between three people and took the hardest part myself.",
    "The hotel cancelled our booking two days before the conference.",
    "I called six other hotels and found rooms for everyone.",
    "Students were failing the same question on every exam.",
    "I rewrote the lesson with more practical examples.",
    "Our delivery trucks were spending hours stuck in traffic.",
    "I changed the routes so that drivers started an hour earlier.",
    "The design team wanted bright colours but the client wanted grey.",
    "I made three versions and let the client's customers vote.",
    "Our security audit found passwords stored in plain text.",
    "I fixed the storage and forced every user to pick a new password.",
    "The kitchen was always short of staff on Friday nights.",
    "I changed the rota so that the most experienced cooks worked weekends.",
    "A donor asked for proof that the money had been well spent.",
    "I collected photos and numbers from each project we funded.",
    "Our translation costs doubled after we entered two new markets.",
    "I found a partner who charged by the page instead of by the hour.",
    "Since then I always ask for feedback before I start building.",
    "That project taught me to speak up early when something looks wrong.",
]
_HALF = len(SENTENCES) // 2

#: espeak-ng voices (language + variant), cycled so every voice meets every other condition.
VOICES = [
    "en-us",
    "en-gb",
    "en-us+m3",
    "en-gb+f2",
    "en-gb-x-rp+m7",
    "en-us+f4",
    "en-029+m1",
    "en-gb-scotland+f3",
]
#: Noise conditions: (name, kind, SNR in dB); kind None means clean.
NOISES = [
    ("clean", None, None),
    ("brown 20 dB", "brown", 20.0),
    ("white 10 dB", "white", 10.0),
    ("babble 10 dB", "babble", 10.0),
]
FILLERS = ("um", "uh")
#: Comma styles: fillers set off by commas, run into the words, or a mix within the clip.
STYLES = ("commas", "none", "mixed")
#: Words a filler doesn't follow mid-clause (it would split a name or number oddly in espeak).
_NO_FILLER_AFTER = frozenset({"a", "an", "the"})

#: Spellings of a vocal filler in a transcript (lower case, letters only), for scoring.
VOCAL_FILLERS = frozenset(
    {"um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm"}
)


@dataclass(frozen=True)
class FillerMark:
    """One filler in a clip's reference: its index in ``reference_tokens(text)``, the word
    and where it sits ("start": first word of a sentence, "mid": inside a clause)."""

    index: int
    word: str
    position: str
    comma: bool


@dataclass(frozen=True)
class FillerClip:
    """One clip of the set: what espeak-ng says and how (see the module docstring)."""

    split: str
    number: int
    text: str  # what espeak-ng reads (commas included)
    voice: str
    speed: int  # words a minute
    pitch: int  # espeak-ng 0-99
    noise: str  # a name from NOISES
    style: str  # "commas", "none", "mixed", or "" for a clip without fillers
    fillers: tuple[FillerMark, ...] = field(default=())

    @property
    def seed(self) -> int:
        return (0 if self.split == "tuning" else 1_000_000) + self.number

    @property
    def speed_band(self) -> str:
        return (
            "130-150 wpm"
            if self.speed < 150
            else "150-175 wpm"
            if self.speed < 175
            else ("175-200 wpm")
        )


def reference_tokens(text: str) -> list[str]:
    """Lower-case words without punctuation (digits kept as written)."""
    out = []
    for t in text.lower().replace("-", " ").split():
        t = re.sub(r"[^a-z0-9']", "", t)
        if t:
            out.append(t)
    return out


def _insert_fillers(
    sentences: list[str], rng: np.random.Generator, style: str, count: int
) -> tuple[str, tuple[FillerMark, ...]]:
    """The sentences joined, with ``count`` fillers at random starts and mid-clause gaps."""
    words = [s.split() for s in sentences]
    # candidate gaps: (sentence, word index the filler goes before)
    starts = [(s, 0) for s in range(len(words))]
    mids = [
        (s, k)
        for s, ws in enumerate(words)
        for k in range(1, len(ws) - 1)
        if re.sub(r"\W", "", ws[k - 1].lower()) not in _NO_FILLER_AFTER
    ]
    n_start = min(len(starts), int(rng.integers(0, count + 1)))
    chosen = [starts[i] for i in rng.choice(len(starts), n_start, replace=False)]
    picks = rng.choice(len(mids), count - n_start, replace=False)
    chosen += [mids[i] for i in picks]
    chosen_set = set(chosen)
    out: list[str] = []
    marks: list[FillerMark] = []
    for s, ws in enumerate(words):
        for k, w in enumerate(ws):
            if (s, k) in chosen_set:
                filler = FILLERS[int(rng.integers(len(FILLERS)))]
                comma = style == "commas" or (style == "mixed" and bool(rng.integers(2)))
                marks.append(FillerMark(len(out), filler, "start" if k == 0 else "mid", comma))
                if k == 0:
                    out.append(filler.capitalize() + ("," if comma else ""))
                    w = w if w == "I" else w[0].lower() + w[1:]
                else:
                    if comma and not out[-1].endswith(","):
                        out[-1] += ","
                    out.append(filler + ("," if comma else ""))
            out.append(w)
    return " ".join(out), tuple(marks)


def filler_clips(split: str, count: int) -> list[FillerClip]:
    """The first ``count`` clips of a split ("tuning" or "heldout"); a third have no fillers."""
    if split not in ("tuning", "heldout"):
        raise ValueError(f"unknown split {split!r}")
    pool = SENTENCES[:_HALF] if split == "tuning" else SENTENCES[_HALF:]
    clips = []
    for n in range(count):
        rng = np.random.default_rng([0 if split == "tuning" else 1, n])
        k = int(rng.integers(2, 4))
        sentences = [pool[i] for i in rng.choice(len(pool), k, replace=False)]
        voice = VOICES[n % len(VOICES)]
        noise = NOISES[(n // len(VOICES)) % len(NOISES)][0]
        speed = int(rng.integers(130, 201))
        pitch = int(rng.integers(30, 71))
        if n % 3 == 2:
            text, marks, style = " ".join(sentences), (), ""
        else:
            style = STYLES[(n // 3) % len(STYLES)] if n % 3 == 0 else STYLES[(n // 3 + 1) % 3]
            text, marks = _insert_fillers(sentences, rng, style, int(rng.integers(2, 5)))
        clips.append(FillerClip(split, n, text, voice, speed, pitch, noise, style, marks))
    return clips


def _espeak(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        subprocess.run(  # noqa: S603 - fixed program, our own arguments
            ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(path), text],
            check=True,
            capture_output=True,
        )
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    if rate != SR:  # espeak-ng writes 22050 Hz: resample by linear interpolation
        t = np.arange(int(len(pcm) * SR / rate)) * (rate / SR)
        pcm = np.interp(t, np.arange(len(pcm)), pcm).astype(np.float32)
    return pcm


def _noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "white":
        return rng.normal(size=n)
    if kind == "brown":
        x = np.cumsum(rng.normal(size=n))
        return x - np.convolve(x, np.ones(400) / 400, mode="same")
    if kind == "babble":  # four other voices reading other sentences at once, far away
        out = np.zeros(n)
        for _ in range(4):
            words = " ".join(SENTENCES[int(i)] for i in rng.choice(len(SENTENCES), 6))
            voice = VOICES[int(rng.integers(len(VOICES)))]
            speech = _espeak(words, voice, int(rng.integers(140, 190)), int(rng.integers(20, 80)))
            speech = np.tile(speech, n // max(1, len(speech)) + 1)
            shift = int(rng.integers(len(speech) - n + 1))
            out += speech[shift : shift + n] / (np.sqrt(np.mean(speech**2)) + 1e-9)
        # blur the words so single ones aren't intelligible: a crude low-pass
        return np.convolve(out, np.ones(6) / 6, mode="same")
    raise ValueError(kind)


def clip_audio(clip: FillerClip) -> np.ndarray:
    """The clip spoken (0.5 s of silence each side) with its noise: 16 kHz mono float32."""
    speech = _espeak(clip.text, clip.voice, clip.speed, clip.pitch)
    pad = np.zeros(SR // 2, np.float32)
    audio = np.concatenate([pad, speech, pad]).astype(np.float64)
    _, kind, snr = next(x for x in NOISES if x[0] == clip.noise)
    if kind is not None:
        rng = np.random.default_rng([7, clip.seed])
        noise = _noise(kind, len(audio), rng)
        level = np.sqrt(np.mean(speech.astype(np.float64) ** 2))
        noise *= level / (np.sqrt(np.mean(noise**2)) + 1e-12) / 10 ** (snr / 20)
        audio = audio + noise
    peak = np.max(np.abs(audio))
    if peak > 0.99:
        audio *= 0.99 / peak
    return audio.astype(np.float32)


# --- scoring -----------------------------------------------------------------------------


def hypothesis_tokens(text: str) -> list[str]:
    """A transcript's words as :func:`reference_tokens`, every vocal filler as ``"<f>"``."""
    return ["<f>" if t in VOCAL_FILLERS else t for t in reference_tokens(text)]


@dataclass
class FillerScore:
    """Per clip: which reference fillers were found (by word alignment) and how many fillers
    the transcript has that the reference doesn't."""

    found: list[bool]
    false: int


def score_clip(clip: FillerClip, transcript: str) -> FillerScore:
    """Align the transcript's words to the reference (fillers as one token, ``<f>``) and count
    a reference filler found when aligned to a transcript filler. A filler one word off is
    still found (Whisper sometimes puts it on the other side of a short word); a transcript
    filler with no reference filler within one word is false."""
    import difflib

    ref = reference_tokens(clip.text)
    filler_at = {m.index for m in clip.fillers}
    ref = ["<f>" if i in filler_at else t for i, t in enumerate(ref)]
    hyp = hypothesis_tokens(transcript)
    matcher = difflib.SequenceMatcher(None, ref, hyp, autojunk=False)
    # map each hypothesis position to a reference position (the gap it falls in)
    hyp_to_ref: list[float] = [0.0] * len(hyp)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for j in range(j1, j2):
            if tag in ("equal", "replace") and i2 > i1:
                hyp_to_ref[j] = i1 + min(j - j1, i2 - i1 - 1)
            else:
                hyp_to_ref[j] = i1 - 0.5
    hyp_fillers = [hyp_to_ref[j] for j, t in enumerate(hyp) if t == "<f>"]
    found = []
    used: set[int] = set()
    for m in clip.fillers:
        best = None
        for n, r in enumerate(hyp_fillers):
            if (
                n not in used
                and abs(r - m.index) <= 1.0
                and (best is None or abs(r - m.index) < abs(hyp_fillers[best] - m.index))
            ):
                best = n
        if best is not None:
            used.add(best)
        found.append(best is not None)
    return FillerScore(found, len(hyp_fillers) - len(used))
