"""Train the acoustic filler detector (``prepple/services/filler_detector.py``) and write its
weights to ``prepple/services/filler_detector.npz``.

Trains on the *tuning* split of ``tests/filler_set.py`` only (clips 48 onwards; clips 0-47 of
the tuning split are kept out for choosing thresholds end to end with Whisper), never on the
held-out split. Frame labels come from the filler spans espeak-ng's word events give. Pure
numpy (a one-hidden-layer network, Adam, class-weighted cross-entropy), seeded and on one
BLAS thread: the same weights come out again (with several threads, summation order varies
and the weights drift apart over the steps).

    python scripts/train_filler_detector.py [--clips 400] [--epochs 12] [--hidden 48]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread: the same sums, same weights
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prepple.services import filler_detector as fd  # noqa: E402
from tests.filler_set import clip_audio, filler_clips, filler_spans  # noqa: E402

#: Tuning clips below this number are the end-to-end tuning set, not training data.
FIRST_TRAINING_CLIP = 48
#: More voices for training only (espeak-ng's named variants, none used by the held-out
#: split): every other training clip is read again by one of them, so the network meets more
#: voices than the tuning split's 16 (a check with voices left out of training showed that
#: voice variety is what it lacks most).
EXTRA_VOICES = [
    f"{accent}+{variant}"
    for accent, variant in zip(
        ["en-us", "en-gb", "en-029", "en-gb-scotland", "en-gb-x-rp"] * 3,
        "Andy Annie Alicia Denis Diogo Ed Gene Hugo Jacky Michael Mr_Serious Steph Lee Max "
        "Paul".split(),
        strict=True,
    )
]
#: Share of the frames without a filler kept for training (they are 95% of all frames).
KEEP_NONE = 0.4


def frame_labels(n_frames: int, clip, spans) -> np.ndarray:  # type: ignore[no-untyped-def]
    labels = np.zeros(n_frames, np.int64)
    centres = (np.arange(n_frames) * fd.HOP + fd.WIN / 2) / fd.SR
    for mark, (a, b) in zip(clip.fillers, spans, strict=True):
        labels[(centres >= a) & (centres < b)] = fd.CLASSES.index(mark.word)
    return labels


def dataset(numbers: range, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    clips = filler_clips("tuning", numbers.stop)[numbers.start :]
    extra = [
        replace(c, voice=EXTRA_VOICES[k % len(EXTRA_VOICES)])
        for k, c in enumerate(clips[::2])
    ]
    for clip in clips + extra:
        frames = fd.frame_features(clip_audio(clip))
        labels = frame_labels(len(frames), clip, filler_spans(clip))
        keep = (labels > 0) | (rng.random(len(labels)) < KEEP_NONE)
        xs.append(fd.context_features(frames)[keep])
        ys.append(labels[keep])
    return np.vstack(xs), np.concatenate(ys)


def train(
    x: np.ndarray,
    y: np.ndarray,
    *,
    hidden: int,
    epochs: int,
    l2: float = 1e-4,
    jitter: float = 0.0,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    xn = (x - mean) / std
    d = x.shape[1]
    w = {
        "w1": rng.normal(0, np.sqrt(2 / d), (d, hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0, np.sqrt(1 / hidden), (hidden, len(fd.CLASSES))),
        "b2": np.zeros(len(fd.CLASSES)),
    }
    counts = np.bincount(y, minlength=len(fd.CLASSES)).astype(np.float64)
    counts[0] /= KEEP_NONE  # as if every frame had been kept
    class_weight = np.sqrt(counts.sum() / np.maximum(counts, 1))  # soften the imbalance
    class_weight /= class_weight[0]
    class_weight[0] /= KEEP_NONE  # the frames left out count through the ones kept
    m = {k: np.zeros_like(v) for k, v in w.items()}
    v = {k: np.zeros_like(val) for k, val in w.items()}
    step, lr, batch = 0, 2e-3, 512
    for epoch in range(epochs):
        order = rng.permutation(len(xn))
        total = 0.0
        for s in range(0, len(order), batch):
            b = order[s : s + batch]
            xb, yb = xn[b], y[b]
            if jitter:  # noise on the normalised inputs: a smoother, less voice-bound fit
                xb = xb + rng.normal(0, jitter, xb.shape)
            h_pre = xb @ w["w1"] + w["b1"]
            h = np.maximum(h_pre, 0)
            z = h @ w["w2"] + w["b2"]
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            cw = class_weight[yb]
            total += float(-(cw * np.log(p[np.arange(len(b)), yb] + 1e-12)).sum())
            g = p.copy()
            g[np.arange(len(b)), yb] -= 1
            g *= cw[:, None] / cw.sum()
            grads = {"w2": h.T @ g + l2 * w["w2"], "b2": g.sum(axis=0)}
            gh = (g @ w["w2"].T) * (h_pre > 0)
            grads["w1"] = xb.T @ gh + l2 * w["w1"]
            grads["b1"] = gh.sum(axis=0)
            step += 1
            for k in w:
                m[k] = 0.9 * m[k] + 0.1 * grads[k]
                v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
                mh = m[k] / (1 - 0.9**step)
                vh = v[k] / (1 - 0.999**step)
                w[k] -= lr * mh / (np.sqrt(vh) + 1e-8)
        if epoch == epochs // 2:
            lr /= 3
        print(f"  epoch {epoch + 1}: loss {total / len(xn):.4f}", flush=True)
    out = {k: val.astype(np.float32) for k, val in w.items()}
    out["mean"], out["std"] = mean.astype(np.float32), std.astype(np.float32)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=400, help="training clips of the tuning split")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=48)
    parser.add_argument("--out", type=Path, default=fd.WEIGHTS)
    args = parser.parse_args()
    t0 = time.perf_counter()
    x, y = dataset(range(FIRST_TRAINING_CLIP, FIRST_TRAINING_CLIP + args.clips))
    print(
        f"{len(x)} frames from {args.clips} tuning clips and half of them read again "
        f"({time.perf_counter() - t0:.0f} s); "
        f"class counts {np.bincount(y, minlength=3).tolist()}",
        flush=True,
    )
    weights = train(x, y, hidden=args.hidden, epochs=args.epochs)
    np.savez_compressed(args.out, **weights)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
