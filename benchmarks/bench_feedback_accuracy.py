"""Sentence-labelling accuracy and section-presence precision/recall of the local engine.

Evaluates on the "holdout" answers of tests/data/labeled_answers.json, which the section model
was not trained on (and, for comparison, on the "tune" answers it was trained on).

    python benchmarks/bench_feedback_accuracy.py
"""

from __future__ import annotations

import json
import random
from collections import Counter

from prepple.services.feedback.frameworks import sections_of
from prepple.services.feedback.sections import label_sentences, prepare_model
from prepple.services.feedback.train_sections import train
from prepple.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "labeled_answers.json"
EXTRA = PROJECT_ROOT / "tests" / "data" / "labeled_answers_extra.json"


def evaluate(answers: list[dict], model: dict | None = None) -> dict:
    """Accuracy over sentences, and presence precision/recall over (answer, section) pairs."""
    correct = total = 0
    tp = fp = fn = 0
    confusion: Counter = Counter()
    for a in answers:
        sents = [s["text"] for s in a["sentences"]]
        gold = [s["label"] for s in a["sentences"]]
        pred = label_sentences(sents, a["framework"], model)
        for g, p in zip(gold, pred, strict=True):
            total += 1
            correct += g == p
            if g != p:
                confusion[(g, p)] += 1
        for section in sections_of(a["framework"]):
            in_gold, in_pred = section.key in gold, section.key in pred
            tp += in_gold and in_pred
            fp += in_pred and not in_gold
            fn += in_gold and not in_pred
    return {
        "answers": len(answers),
        "sentences": total,
        "accuracy": correct / total if total else 0.0,
        "presence_precision": tp / (tp + fp) if tp + fp else 0.0,
        "presence_recall": tp / (tp + fn) if tp + fn else 0.0,
        "top_confusions": confusion.most_common(6),
    }


def cross_validate(answers: list[dict], folds: int = 5) -> float:
    """Accuracy of k-fold cross-validation on ``answers`` (each fold scored by a model
    trained on the others): the figure used while tuning features, without the holdout."""
    shuffled = list(answers)
    random.Random(0).shuffle(shuffled)
    parts = [shuffled[i::folds] for i in range(folds)]
    correct = total = 0
    for k in range(folds):
        model = prepare_model(train([a for j, p in enumerate(parts) if j != k for a in p]))
        r = evaluate(parts[k], model)
        correct += round(r["accuracy"] * r["sentences"])
        total += r["sentences"]
    return correct / total


def main() -> None:
    answers = json.loads(DATA.read_text())
    tune = [a for a in answers if a["split"] == "tune"] + json.loads(EXTRA.read_text())
    print(f"tune 5-fold cross-validation accuracy: {cross_validate(tune):.1%}")
    for split, subset in (
        ("holdout", [a for a in answers if a["split"] == "holdout"]),
        ("tune", tune),
    ):
        r = evaluate(subset)
        print(
            f"{split:8} answers={r['answers']:3} sentences={r['sentences']:4} "
            f"accuracy={r['accuracy']:.1%} presence P={r['presence_precision']:.1%} "
            f"R={r['presence_recall']:.1%}"
        )
        print(
            "         most confused (gold -> predicted):",
            ", ".join(f"{g}->{p} x{n}" for (g, p), n in r["top_confusions"]),
        )


if __name__ == "__main__":
    main()
