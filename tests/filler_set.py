"""A seeded, synthetic evaluation set for vocal-filler detection ("um", "uh") with varied prosody.

Each clip is two or three sentences from :data:`SENTENCES` (interview-style, written for this
set, none from the scripts the filler pass was first designed on), with vocal fillers put in
at sentence starts and mid-clause, either set off by commas (``"I, um, wrote"``: espeak-ng pauses
around them) or run into the words (``"I um wrote"``: no pause, the hard case), read by
espeak-ng with one of several voices (:data:`VOICES`), speeds of 130-200 words a minute and
pitches of 30-70, and mixed with noise at a few signal-to-noise ratios (:data:`NOISES`). A
third of the clips have no fillers at all, to count invented ones.

The two splits share nothing but the generator: clips of the **tuning** split use only the
first half of the sentences, the tuning voices (:data:`TUNING_VOICES`), the tuning noises
(:data:`TUNING_NOISES`) and speeds of 130-200 wpm; clips of the **held-out** split use the second
half of the sentences, other voices (:data:`HELDOUT_VOICES`: other accents and variants), other
noises and levels (:data:`HELDOUT_NOISES`: pink noise, other SNRs) and 120-215 wpm, with
other seeds. So anything tuned or trained on one split never heard the other's words, voices
or noise. Everything is a pure function of the split and the clip number (``numpy``
generators seeded with both), so the same set is rebuilt anywhere espeak-ng 1.51 is installed:

    clips = filler_clips("heldout", 96)
    audio = clip_audio(clips[0])  # 16 kHz mono float32
    spans = filler_spans(clips[0])  # (start, end) seconds of each filler in that audio

Speech is made with libespeak-ng (the library behind the ``espeak-ng`` command, same
samples), whose word events give each word's start, so every filler also has its time span
(for training the acoustic detector on the tuning split). Clips are cached as ``.npz`` under
``$PREPPLE_FILLER_CACHE`` (default ``~/.cache/prepple/filler-set``), outside the repository.

Ground truth: each :class:`FillerClip` has the reference text (what was spoken, fillers
included) and :attr:`FillerClip.fillers`, one :class:`FillerMark` per filler with its word
index in ``reference_tokens(text)`` and where it sits ("start" of a sentence or "mid" clause).

This is synthetic speech. espeak-ng says "um" and "uh" as ordinary words, not as the drawn-out,
pitch-flat hesitations people make; no recordings of real spontaneous speech with verbatim
transcripts exist on our machines, so figures measured on this set say how the detector
handles prosody, voices, speed and noise, not how it does on people.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
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

#: espeak-ng voices (language + variant) of the tuning split, cycled so every voice meets every
#: other condition.
TUNING_VOICES = [
    "en-us",
    "en-gb",
    "en-us+m3",
    "en-gb+f2",
    "en-gb-x-rp+m7",
    "en-us+f4",
    "en-029+m1",
    "en-gb-scotland+f3",
    "en-us+m4",
    "en-gb+klatt2",
    "en-029+f3",
    "en-gb-scotland+m1",
    "en-gb-x-rp+f4",
    "en-us+klatt4",
    "en-gb+m7",
    "en-029+f2",
]
#: Voices of the held-out split: accents (Lancaster, West Midlands, New York) and variants
#: (m2, m5, m6, f1, f5, klatt) the tuning split never uses.
HELDOUT_VOICES = [
    "en-gb-x-gbclan",
    "en-us+f5",
    "en-gb-x-gbcwmd+m2",
    "en-us-nyc+f1",
    "en-029+m6",
    "en-gb-x-rp+f5",
    "en-gb-scotland+m5",
    "en-us+klatt",
]
VOICES = TUNING_VOICES + HELDOUT_VOICES
#: Noise conditions: (name, kind, SNR in dB); kind None means clean.
TUNING_NOISES = [
    ("clean", None, None),
    ("brown 20 dB", "brown", 20.0),
    ("white 10 dB", "white", 10.0),
    ("babble 10 dB", "babble", 10.0),
]
HELDOUT_NOISES = [
    ("clean", None, None),
    ("pink 15 dB", "pink", 15.0),
    ("white 15 dB", "white", 15.0),
    ("babble 12 dB", "babble", 12.0),
]
NOISES = TUNING_NOISES + HELDOUT_NOISES[1:]
#: Speeds (words a minute, inclusive) of each split.
SPEEDS = {"tuning": (130, 200), "heldout": (120, 215)}
#: Bumped when the audio a clip makes changes (invalidates the cache).
_AUDIO_VERSION = 2
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
            "120-150 wpm"
            if self.speed < 150
            else "150-175 wpm"
            if self.speed < 175
            else ("175-215 wpm")
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
        voices = TUNING_VOICES if split == "tuning" else HELDOUT_VOICES
        noises = TUNING_NOISES if split == "tuning" else HELDOUT_NOISES
        voice = voices[n % len(voices)]
        noise = noises[(n // len(voices)) % len(noises)][0]
        low, high = SPEEDS[split]
        speed = int(rng.integers(low, high + 1))
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


class _Event(ctypes.Structure):  # espeak_EVENT of speak_lib.h
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


_lib: ctypes.CDLL | None = None
_lib_rate = 22050
_chunks: list[np.ndarray] = []
_events: list[tuple[int, int]] = []  # (character offset, sample) of each word start


@ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)
def _on_synth(wav, n, events):  # type: ignore[no-untyped-def]
    if n > 0:
        _chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
    i = 0
    while events[i].type != 0:  # espeakEVENT_LIST_TERMINATED
        if events[i].type == 1:  # espeakEVENT_WORD
            _events.append((events[i].text_position - 1, events[i].sample))
        i += 1
    return 0


def _synth(text: str, voice: str, speed: int, pitch: int) -> tuple[np.ndarray, list[float]]:
    """What ``espeak-ng -v voice -s speed -p pitch`` says (the same samples, resampled to 16
    kHz) and, for each whitespace-separated token of ``text``, the second it starts."""
    global _lib, _lib_rate
    if _lib is None:
        lib = ctypes.CDLL("libespeak-ng.so.1")
        _lib_rate = lib.espeak_Initialize(2, 0, None, 0)  # AUDIO_OUTPUT_SYNCHRONOUS
        lib.espeak_SetSynthCallback(_on_synth)
        _lib = lib
    _chunks.clear()
    _events.clear()
    _lib.espeak_SetVoiceByName(voice.encode())
    _lib.espeak_SetParameter(1, speed, 0)  # espeakRATE
    _lib.espeak_SetParameter(3, pitch, 0)  # espeakPITCH
    data = text.encode()
    _lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, 0, None, None)
    _lib.espeak_Synchronize()
    pcm = np.concatenate(_chunks).astype(np.float32) / 32768 if _chunks else np.zeros(0)
    starts_at = {pos: sample / _lib_rate for pos, sample in _events}
    token_starts = [m.start() for m in re.finditer(r"\S+", text)]
    times = []
    for pos in token_starts:  # a token without its own event: carry the last start
        times.append(starts_at.get(pos, times[-1] if times else 0.0))
    t = np.arange(int(len(pcm) * SR / _lib_rate)) * (_lib_rate / SR)
    pcm = np.interp(t, np.arange(len(pcm)), pcm).astype(np.float32)
    return pcm, times


def _noise(kind: str, n: int, rng: np.random.Generator, split: str) -> np.ndarray:
    if kind == "white":
        return rng.normal(size=n)
    if kind == "pink":  # 1/f power: white noise shaped in the frequency domain
        spectrum = np.fft.rfft(rng.normal(size=n))
        spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
        return np.fft.irfft(spectrum, n)
    if kind == "brown":
        x = np.cumsum(rng.normal(size=n))
        return x - np.convolve(x, np.ones(400) / 400, mode="same")
    if kind == "babble":  # four other voices of the split reading its sentences, far away
        pool = SENTENCES[:_HALF] if split == "tuning" else SENTENCES[_HALF:]
        voices = TUNING_VOICES if split == "tuning" else HELDOUT_VOICES
        out = np.zeros(n)
        for _ in range(4):
            words = " ".join(pool[int(i)] for i in rng.choice(len(pool), 6))
            voice = voices[int(rng.integers(len(voices)))]
            speech = _espeak(words, voice, int(rng.integers(140, 190)), int(rng.integers(20, 80)))
            speech = np.tile(speech, n // max(1, len(speech)) + 1)
            shift = int(rng.integers(len(speech) - n + 1))
            out += speech[shift : shift + n] / (np.sqrt(np.mean(speech**2)) + 1e-9)
        # blur the words so single ones aren't intelligible: a crude low-pass
        return np.convolve(out, np.ones(6) / 6, mode="same")
    raise ValueError(kind)


def _cache_dir() -> Path:
    default = Path.home() / ".cache" / "prepple" / "filler-set"
    return Path(os.environ.get("PREPPLE_FILLER_CACHE", default))


def _rendered(clip: FillerClip) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """The clip's audio and filler spans, from the cache or made (and cached) now."""
    key = hashlib.sha1(f"{_AUDIO_VERSION}|{clip!r}".encode()).hexdigest()[:20]
    path = _cache_dir() / f"{clip.split}-{clip.number:04d}-{key}.npz"
    try:
        with np.load(path) as data:
            return data["audio"], [tuple(map(float, s)) for s in data["spans"]]
    except (OSError, KeyError, ValueError):
        pass
    audio, spans = _render(clip)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(tmp, audio=audio, spans=np.array(spans, dtype=np.float64).reshape(-1, 2))
    os.replace(tmp, path)
    return audio, spans


def clip_audio(clip: FillerClip) -> np.ndarray:
    """The clip spoken (0.5 s of silence each side) with its noise: 16 kHz mono float32."""
    return _rendered(clip)[0]


def filler_spans(clip: FillerClip) -> list[tuple[float, float]]:
    """(start, end) in seconds of each filler of the clip in :func:`clip_audio`'s timeline, in
    the order of :attr:`FillerClip.fillers`: from the word's start to the next word's start,
    with the silence after it (a comma's pause) trimmed off."""
    return _rendered(clip)[1]


def _render(clip: FillerClip) -> tuple[np.ndarray, list[tuple[float, float]]]:
    speech, starts = _synth(clip.text, clip.voice, clip.speed, clip.pitch)
    tokens = clip.text.split()
    # whitespace token of each reference token (reference_tokens splits hyphens)
    owner = [k for k, t in enumerate(tokens) for _ in reference_tokens(t)]
    spans = []
    frame = SR // 100
    level = np.sqrt(np.mean(speech.astype(np.float64) ** 2)) + 1e-9
    for mark in clip.fillers:
        k = owner[mark.index]
        a = starts[k]
        b = starts[k + 1] if k + 1 < len(tokens) else len(speech) / SR
        seg = speech[int(a * SR) : int(b * SR)]
        n = len(seg) // frame
        rms = np.sqrt(np.mean(seg[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1))
        voiced = np.flatnonzero(rms > 0.1 * level)
        if len(voiced):
            b = a + (voiced[-1] + 1) * frame / SR
        spans.append((a + 0.5, b + 0.5))
    pad = np.zeros(SR // 2, np.float32)
    audio = np.concatenate([pad, speech, pad]).astype(np.float64)
    _, kind, snr = next(x for x in NOISES if x[0] == clip.noise)
    if kind is not None:
        rng = np.random.default_rng([7, clip.seed])
        noise = _noise(kind, len(audio), rng, clip.split)
        level = np.sqrt(np.mean(speech.astype(np.float64) ** 2))
        noise *= level / (np.sqrt(np.mean(noise**2)) + 1e-12) / 10 ** (snr / 20)
        audio = audio + noise
    peak = np.max(np.abs(audio))
    if peak > 0.99:
        audio *= 0.99 / peak
    return audio.astype(np.float32), spans


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
