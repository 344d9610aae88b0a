"""Train the sentence-section model on the "tune" answers and write prepple/data/section_model.json.

    python -m prepple.services.feedback.train_sections [--data FILE ...]

Multinomial logistic regression (L2, full-batch gradient descent in NumPy) over the features of
:func:`prepple.services.feedback.sections.features`, plus start and transition log-probabilities
for the Viterbi pass. Only "tune" answers are used (from labeled_answers.json and
labeled_answers_extra.json); "holdout" ones are for the benchmark.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

from prepple.services.feedback.frameworks import ROLES, role_of
from prepple.services.feedback.sections import cue_bonus, features
from prepple.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "labeled_answers.json"
EXTRA = PROJECT_ROOT / "tests" / "data" / "labeled_answers_extra.json"
OUT = PROJECT_ROOT / "prepple" / "data" / "section_model.json"


def examples(answers: list[dict]):
    """(features, role index) per sentence, and role sequences per answer."""
    xs, ys, seqs, priors = [], [], [], []
    for answer in answers:
        sents = [s["text"] for s in answer["sentences"]]
        roles = [role_of(answer["framework"], s["label"]) for s in answer["sentences"]]
        seqs.append(roles)
        for i, (text, role) in enumerate(zip(sents, roles, strict=True)):
            xs.append(features(sents, i))
            ys.append(ROLES.index(role))
            priors.append(cue_bonus(text))
    return xs, ys, seqs, priors


def train(
    answers: list[dict],
    *,
    l2: float = 0.0005,
    epochs: int = 1200,
    lr: float = 0.5,
    min_count: int = 3,
) -> dict:
    xs, ys, seqs, priors = examples(answers)
    offsets = np.array(priors, dtype=np.float32)
    counts = Counter(f for fs in xs for f in set(fs))
    vocab = sorted(f for f, c in counts.items() if c >= min_count or not f.startswith(("w:", "b:")))
    col = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(xs), len(vocab)), dtype=np.float32)
    for r, fs in enumerate(xs):
        for f in fs:
            if f in col:
                x[r, col[f]] = 1.0
    k = len(ROLES)
    y = np.zeros((len(ys), k), dtype=np.float32)
    y[np.arange(len(ys)), ys] = 1.0
    w = np.zeros((len(vocab), k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    for _ in range(epochs):
        logits = x @ w + b + offsets
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - y) / len(ys)
        w -= lr * (x.T @ grad + l2 * w)
        b -= lr * grad.sum(axis=0)
    start = Counter(seq[0] for seq in seqs if seq)
    pairs = Counter((a, c) for seq in seqs for a, c in zip(seq, seq[1:], strict=False))
    total_start = sum(start.values())
    start_lp = [math.log((start[r] + 0.5) / (total_start + 0.5 * k)) for r in ROLES]
    trans = []
    for a in ROLES:
        row_total = sum(pairs[(a, c)] for c in ROLES)
        trans.append([math.log((pairs[(a, c)] + 0.5) / (row_total + 0.5 * k)) for c in ROLES])
    weights = {
        f: [round(float(v), 4) for v in w[i]] for f, i in col.items() if np.abs(w[i]).max() > 1e-3
    }
    return {
        "roles": list(ROLES),
        "weights": weights,
        "bias": [round(float(v), 4) for v in b],
        "start": start_lp,
        "transitions": trans,
        "trained_on": len(answers),
        "sentences": len(ys),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, nargs="+", default=[DATA, EXTRA])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    answers = [
        a for path in args.data for a in json.loads(path.read_text()) if a["split"] == "tune"
    ]
    model = train(answers)
    args.out.write_text(json.dumps(model, separators=(",", ":"), sort_keys=True) + "\n")
    print(
        f"trained on {model['trained_on']} answers / {model['sentences']} sentences; "
        f"{len(model['weights'])} features -> {args.out}"
    )


if __name__ == "__main__":
    main()
