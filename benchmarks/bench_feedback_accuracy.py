"""How often the local engine is right, and how often it cries wolf.

1. Sentence labelling: accuracy per framework and per role, on
   - tests/data/published_answers.json: published example answers written by other people, with
     their authors' section marks (held out: the section model never trains on them);
   - the "holdout" answers of tests/data/labeled_answers.json (our own held-out set);
   - and, for comparison, the "tune" answers the model was trained on.
2. False alarms on on-topic answers that have every section their author marked: "No <section>
   yet" items for a section the author wrote, and "doesn't answer the question" warnings.
   Soft items ("I may have heard your obstacle in ... is that it?") are counted apart: they ask,
   they don't claim.
3. True alarms on tests/data/bad_answers.json (answers with their result cut, or paired with a
   question about something else): the share that still draw the warning they deserve.

    python benchmarks/bench_feedback_accuracy.py [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter

from prepple.services.feedback import AnswerInput, analyze
from prepple.services.feedback.frameworks import sections_of
from prepple.services.feedback.sections import label_sentences, prepare_model
from prepple.services.feedback.train_sections import train
from prepple.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "labeled_answers.json"
EXTRA = PROJECT_ROOT / "tests" / "data" / "labeled_answers_extra.json"
PUBLISHED = PROJECT_ROOT / "tests" / "data" / "published_answers.json"
BAD = PROJECT_ROOT / "tests" / "data" / "bad_answers.json"

_MISSING = re.compile(r"^No (\w+) yet\.")


def item_kind(item) -> tuple[str, str]:
    """("missing", section) for a missing-section claim, ("ask", section) for a soft question
    about a section, ("off_topic", "") for a fit warning, ("fit_ask", "") for a soft fit
    question, else ("", "")."""
    code = getattr(item, "code", "") or ""
    if code:
        kind, _, arg = code.partition(":")
        return kind, arg
    m = _MISSING.match(item.message)
    if m:
        return "missing", m.group(1).lower()
    if item.dimension == "fit":
        return ("off_topic", "") if item.severity != "low" else ("fit_ask", "")
    return "", ""


def labelling(answers: list[dict], model: dict | None = None) -> dict:
    """Sentence accuracy overall, per framework and per role (gold role -> share right)."""
    correct = total = 0
    per_fw: dict[str, list[int]] = {}
    per_role: dict[str, list[int]] = {}
    confusion: Counter = Counter()
    for a in answers:
        sents = [s["text"] for s in a["sentences"]]
        gold = [s["label"] for s in a["sentences"]]
        pred = label_sentences(sents, a["framework"], model)
        for g, p in zip(gold, pred, strict=True):
            ok = g == p
            total += 1
            correct += ok
            per_fw.setdefault(a["framework"], [0, 0])
            per_fw[a["framework"]][0] += ok
            per_fw[a["framework"]][1] += 1
            key = f"{a['framework']}.{g}"
            per_role.setdefault(key, [0, 0])
            per_role[key][0] += ok
            per_role[key][1] += 1
            if not ok:
                confusion[(g, p)] += 1
    return {
        "answers": len(answers),
        "sentences": total,
        "accuracy": correct / total if total else 0.0,
        "per_framework": {k: v[0] / v[1] for k, v in sorted(per_fw.items())},
        "per_role": {k: f"{v[0]}/{v[1]}" for k, v in sorted(per_role.items())},
        "top_confusions": [f"{g}->{p} x{n}" for (g, p), n in confusion.most_common(6)],
    }


def answer_text(sentences: list[dict]) -> str:
    """The answer as its author wrote it: sentences joined by spaces, notes (no full stop) by
    line breaks."""
    return "".join(
        s["text"] + (" " if s["text"].rstrip()[-1:] in ".!?\"'”’)" else "\n") for s in sentences
    ).strip()


def false_alarms(answers: list[dict]) -> dict:
    """Missing-section claims about sections the author wrote, and fit warnings, on answers
    that answer their question."""
    missing = off = asks = fit_asks = 0
    examples: list[str] = []
    for a in answers:
        text = answer_text(a["sentences"])
        gold = {s["label"] for s in a["sentences"]}
        report = analyze(AnswerInput(a["framework"], text=text, question=a["question"]))
        for it in report.items:
            kind, arg = item_kind(it)
            if kind == "missing" and arg in gold:
                missing += 1
                examples.append(f"{a['id']}: {it.message}")
            elif kind == "ask" and arg in gold:
                asks += 1
            elif kind == "off_topic":
                off += 1
                examples.append(f"{a['id']}: {it.message}")
            elif kind == "fit_ask":
                fit_asks += 1
    return {
        "answers": len(answers),
        "missing_false": missing,
        "off_topic_false": off,
        "false_alarms": missing + off,
        "soft_asks": asks + fit_asks,
        "examples": examples[:8],
    }


def true_alarms(bad: list[dict]) -> dict:
    """Share of labelled bad answers that draw the alarm they deserve."""
    hit: Counter = Counter()
    seen: Counter = Counter()
    for b in bad:
        report = analyze(AnswerInput(b["framework"], text=b["text"], question=b["question"]))
        kinds = {item_kind(it) for it in report.items}
        exp = b["expect"]
        group = "off_topic" if exp == "off_topic" else "missing"
        seen[group] += 1
        if exp == "off_topic":
            hit[group] += ("off_topic", "") in kinds
        else:
            hit[group] += ("missing", exp.split(":")[1]) in kinds
    return {g: f"{hit[g]}/{seen[g]} ({hit[g] / seen[g]:.0%})" for g in sorted(seen)} | {
        "all": f"{sum(hit.values())}/{sum(seen.values())} "
        f"({sum(hit.values()) / max(1, sum(seen.values())):.0%})"
    }


def cross_validate(answers: list[dict], folds: int = 5) -> float:
    """Accuracy of k-fold cross-validation on ``answers`` (each fold scored by a model
    trained on the others): the figure used while tuning features, without any held-out set."""
    shuffled = list(answers)
    random.Random(0).shuffle(shuffled)
    parts = [shuffled[i::folds] for i in range(folds)]
    correct = total = 0
    for k in range(folds):
        model = prepare_model(train([a for j, p in enumerate(parts) if j != k for a in p]))
        r = labelling(parts[k], model)
        correct += round(r["accuracy"] * r["sentences"])
        total += r["sentences"]
    return correct / total


def presence(answers: list[dict]) -> tuple[float, float]:
    """Section-presence precision and recall over (answer, section) pairs."""
    tp = fp = fn = 0
    for a in answers:
        gold = [s["label"] for s in a["sentences"]]
        pred = label_sentences([s["text"] for s in a["sentences"]], a["framework"])
        for section in sections_of(a["framework"]):
            g, p = section.key in gold, section.key in pred
            tp += g and p
            fp += p and not g
            fn += g and not p
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def run(cv: bool = True) -> dict:
    """All figures, as a dict."""
    own = json.loads(DATA.read_text())
    published = json.loads(PUBLISHED.read_text())["answers"]
    bad = json.loads(BAD.read_text())["answers"]
    holdout = [a for a in own if a["split"] == "holdout"]
    tune = [a for a in own if a["split"] == "tune"] + json.loads(EXTRA.read_text())
    # On-topic, complete answers only for false alarms: our held-out answers of quality
    # "weak" may really lack a section (that alarm would be true), so they are left out.
    complete_own = [a for a in holdout if a["quality"] != "weak"]
    out = {
        "published": {
            "labelling": labelling(published),
            "false_alarms": false_alarms(published),
        },
        "own_holdout": {
            "labelling": labelling(holdout),
            "false_alarms": false_alarms(complete_own),
        },
        "tune": {"labelling": labelling(tune)},
        "true_alarms": true_alarms(bad),
        "presence_published": presence(published),
    }
    if cv:
        out["tune_cv_accuracy"] = cross_validate(tune)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    args = parser.parse_args()
    r = run(cv=not args.no_cv)
    if args.json:
        print(json.dumps(r, indent=1))
        return
    if "tune_cv_accuracy" in r:
        print(f"tune 5-fold cross-validation accuracy: {r['tune_cv_accuracy']:.1%}")
    for name in ("published", "own_holdout", "tune"):
        lab = r[name]["labelling"]
        fws = ", ".join(f"{k} {v:.1%}" for k, v in lab["per_framework"].items())
        print(
            f"{name:12} answers={lab['answers']:3} sentences={lab['sentences']:4} "
            f"labelling={lab['accuracy']:.1%} ({fws})"
        )
        if name != "tune":
            roles = ", ".join(
                f"{k} {v}"
                for k, v in lab["per_role"].items()
                if k.split(".")[1] in ("obstacle", "learning", "task", "result")
            )
            print(f"             roles: {roles}")
            fa = r[name]["false_alarms"]
            print(
                f"             false alarms on {fa['answers']} on-topic answers: "
                f"{fa['false_alarms']} (missing section {fa['missing_false']}, "
                f"off-topic {fa['off_topic_false']}); soft asks {fa['soft_asks']}"
            )
            for ex in fa["examples"]:
                print(f"               - {ex}")
        print("             most confused (gold -> predicted):", ", ".join(lab["top_confusions"]))
    p, rc = r["presence_published"]
    print(f"published section presence: P={p:.1%} R={rc:.1%}")
    print("true alarms on labelled bad answers:", r["true_alarms"])


if __name__ == "__main__":
    main()
