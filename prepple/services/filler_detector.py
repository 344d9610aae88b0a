"""An acoustic detector of vocal hesitations ("um", "uh"), independent of Whisper.

Whisper drops most hesitations, and when one is run into the words ("new uh staff") it fuses
it into a neighbour ("numerous"), so nothing in its transcript or its word boundaries says a
filler was there. This detector listens to the sound instead: every 10 ms it describes the
audio (40 log-mel bands, log energy, how voiced the frame is, how steady its pitch and its
spectrum are; normalised per recording) together with the mean of those descriptions over
windows up to 0.3 s before and after, and a small neural network (one hidden layer, numpy
only) gives the probability that the frame is inside an "um", inside an "uh", or neither.
Runs of frames above a threshold become :class:`FillerSpan` s; the transcription service
puts a filler word into the transcript at each span's time (see
``prepple/services/transcription.py``).

The weights (``filler_detector.npz`` beside this file, about 50 kB) come from
``scripts/train_filler_detector.py``, which trains on the *tuning* split of
``tests/filler_set.py`` only: synthetic espeak-ng speech, because no recordings of real
spontaneous speech with verbatim transcripts exist on our machines. The figures in the
transcription module's docstring are measured on the held-out split (other sentences, voices,
noises and speeds); how well the detector hears real people's hesitations is not measured.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 16_000
HOP = 160  # 10 ms
WIN = 400  # 25 ms
NFFT = 512
N_MELS = 40
#: Context windows (frame offsets, inclusive, relative to the frame) whose mean features are
#: stacked into one frame's input.
CONTEXT = ((-2, 2), (-12, -3), (3, 12), (-30, -13), (13, 30))
#: The classes the network tells apart, in output order.
CLASSES = ("none", "um", "uh")
WEIGHTS = Path(__file__).with_name("filler_detector.npz")

#: Default decision: a span is frames whose smoothed filler probability passes ``ON``, at
#: least ``MIN_SECONDS`` long, and its peak passes ``PEAK`` (tuned on the tuning split; the
#: transcription service asks for weaker spans too and lets Whisper's forced check confirm
#: them, see ``transcription.HEARD_CONFIRMED``).
ON = 0.5
PEAK = 0.98
MIN_SECONDS = 0.05

#: Frames computed at once (30 s): bounds the memory a long recording needs.
_BLOCK = 3000

_lock = threading.Lock()
_weights: dict[str, np.ndarray] | None = None


@dataclass(frozen=True)
class FillerSpan:
    """Where the detector hears a hesitation: seconds, its peak probability, and which."""

    start: float
    end: float
    score: float
    word: str  # "um" or "uh"


def _mel_filters() -> np.ndarray:
    def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    mels = np.linspace(hz_to_mel(60.0), hz_to_mel(7600.0), N_MELS + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(NFFT, 1 / SR)
    fb = np.zeros((N_MELS, len(bins)))
    for m in range(N_MELS):
        lo, mid, hi = hz[m], hz[m + 1], hz[m + 2]
        fb[m] = np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0, None)
    return fb


_MEL = _mel_filters()


def frame_features(audio: np.ndarray) -> np.ndarray:
    """Per 10-ms frame: 40 normalised log-mel bands, log energy, voicing strength, pitch
    change and spectral change (``(frames, 44)``, float32)."""
    x = np.asarray(audio, dtype=np.float64).reshape(-1)
    if len(x) < WIN:
        x = np.pad(x, (0, WIN - len(x)))
    n = 1 + (len(x) - WIN) // HOP
    long_win = 640  # 40 ms for the pitch
    xp = np.pad(x, (0, long_win))
    parts = []
    for first in range(0, n, _BLOCK):  # in blocks: a long recording needs no giant arrays
        frames_here = np.arange(first, min(n, first + _BLOCK))
        idx = np.arange(WIN)[None, :] + HOP * frames_here[:, None]
        power = np.abs(np.fft.rfft(x[idx] * np.hanning(WIN)[None, :], NFFT)) ** 2
        # voicing and pitch from the normalised autocorrelation (50-400 Hz)
        lf = xp[np.arange(long_win)[None, :] + HOP * frames_here[:, None]]
        lf = lf - lf.mean(axis=1, keepdims=True)
        ac = np.fft.irfft(np.abs(np.fft.rfft(lf, 2 * long_win)) ** 2)[:, : long_win // 2 + 1]
        ac = ac / (ac[:, :1] + 1e-10)
        lo, hi = SR // 400, SR // 50
        lag = lo + np.argmax(ac[:, lo : hi + 1], axis=1)
        parts.append(
            np.column_stack(
                [
                    np.log(power @ _MEL.T + 1e-10),
                    np.log(power.sum(axis=1) + 1e-10),
                    ac[np.arange(len(lag)), lag],
                    np.log(SR / lag),
                ]
            )
        )
    raw = np.vstack(parts)
    logmel, energy, voicing, log_f0 = raw[:, :N_MELS], raw[:, N_MELS], raw[:, -2], raw[:, -1]
    d_f0 = np.abs(np.roll(log_f0, -2) - np.roll(log_f0, 2)) * (voicing > 0.5)

    mu, sd = logmel.mean(axis=0), logmel.std(axis=0) + 1e-6
    logmel = (logmel - mu) / sd
    energy = (energy - energy.mean()) / (energy.std() + 1e-6)
    flux = np.abs(np.roll(logmel, -2, axis=0) - np.roll(logmel, 2, axis=0)).mean(axis=1)
    return np.column_stack([logmel, energy, voicing, np.minimum(d_f0, 1.0) * 4, flux]).astype(
        np.float32
    )


def context_features(frames: np.ndarray) -> np.ndarray:
    """Each frame's input to the network: the mean features over the :data:`CONTEXT`
    windows around it (edges padded with the first and last frame)."""
    pad = max(max(abs(a), abs(b)) for a, b in CONTEXT)
    padded = np.pad(frames.astype(np.float64), ((pad, pad), (0, 0)), mode="edge")
    csum = np.vstack([np.zeros((1, frames.shape[1])), np.cumsum(padded, axis=0)])
    t = np.arange(len(frames)) + pad
    parts = [(csum[t + b + 1] - csum[t + a]) / (b - a + 1) for a, b in CONTEXT]
    return np.hstack(parts).astype(np.float32)


def _load() -> dict[str, np.ndarray]:
    global _weights
    if _weights is None:
        with _lock:
            if _weights is None:
                with np.load(WEIGHTS) as data:
                    _weights = {k: data[k] for k in data.files}
    return _weights


def forward(x: np.ndarray, weights: dict[str, np.ndarray]) -> np.ndarray:
    """Class probabilities ``(frames, 3)`` for context features ``x``."""
    h = (x - weights["mean"]) / weights["std"]
    h = np.maximum(h @ weights["w1"] + weights["b1"], 0.0)
    z = h @ weights["w2"] + weights["b2"]
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def frame_probabilities(
    audio: np.ndarray, weights: dict[str, np.ndarray] | None = None
) -> np.ndarray:
    """Per 10-ms frame of 16 kHz mono audio: probabilities of none / um / uh."""
    return forward(context_features(frame_features(audio)), weights or _load())


def spans_from_probabilities(
    probs: np.ndarray, *, on: float = ON, peak: float = PEAK, min_seconds: float = MIN_SECONDS
) -> list[FillerSpan]:
    """Runs of frames whose filler probability (smoothed over 50 ms) passes ``on``, at least
    ``min_seconds`` long, whose highest probability passes ``peak``."""
    p = 1.0 - probs[:, 0]
    if len(p) >= 5:
        p = np.convolve(p, np.ones(5) / 5, mode="same")
    above = np.concatenate([[False], p >= on, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    out = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        score = float(p[a:b].max())
        if (b - a) * HOP / SR >= min_seconds and score >= peak:
            um, uh = probs[a:b, 1].sum(), probs[a:b, 2].sum()
            out.append(
                FillerSpan(
                    start=a * HOP / SR + WIN / SR / 2 - HOP / SR / 2,
                    end=b * HOP / SR + WIN / SR / 2 - HOP / SR / 2,
                    score=score,
                    word="um" if um >= uh else "uh",
                )
            )
    return out


def detect(audio: np.ndarray, **thresholds: float) -> list[FillerSpan]:
    """The hesitations heard in 16 kHz mono audio (see the module docstring)."""
    if len(audio) == 0:
        return []
    return spans_from_probabilities(frame_probabilities(audio), **thresholds)
