"""Speed and memory of the local feedback engine.

1. Report for a 400-word answer (free text, so sentence labelling runs too, and planner
   sections): p50/p95 on one core, after warm-up. Goal: p95 under 30 ms.
2. Near-duplicate check against N stored answers (MinHash LSH, synthetic signatures), for N
   from 10,000 up to --max (default 1,000,000): build time, query p50/p95, memory. Goal: p95
   under 50 ms at 1,000,000.

    python benchmarks/bench_feedback_speed.py [--max 1000000] [--runs 300]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import time

import numpy as np

from prepple.services.feedback import AnswerInput, analyze
from prepple.services.feedback import sections as sections_model
from prepple.services.feedback import similarity as sim
from prepple.settings import PROJECT_ROOT

os.environ.setdefault("OMP_NUM_THREADS", "1")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def answer_of_words(n: int) -> tuple[str, dict]:
    """A real answer from the labelled set, repeated/cut to about ``n`` words."""
    data = json.loads((PROJECT_ROOT / "tests/data/labeled_answers.json").read_text())
    long = max(
        (a for a in data if a["framework"] == "STAR"),
        key=lambda a: sum(len(s["text"].split()) for s in a["sentences"]),
    )
    sents = [s["text"] for s in long["sentences"]]
    labels = [s["label"] for s in long["sentences"]]
    out, out_labels, count = [], [], 0
    while count < n:
        for s, lab in zip(sents, labels, strict=True):
            out.append(s)
            out_labels.append(lab)
            count += len(s.split())
            if count >= n:
                break
    sections: dict[str, str] = {}
    for s, lab in zip(out, out_labels, strict=True):
        sections[lab] = (sections.get(lab, "") + " " + s).strip()
    return " ".join(out), sections


def bench_report(runs: int) -> None:
    text, sections = answer_of_words(400)
    t0 = time.perf_counter()
    analyze(AnswerInput("STAR", text=text, question="Tell me about a time you led."))
    first = (time.perf_counter() - t0) * 1000
    print(f"first report in this process (loads models and lexicons): {first:.0f} ms")
    print(f"report for a {len(text.split())}-word answer, {runs} runs after warm-up:")
    for label, answer in (
        (
            "free text, every sentence new",
            AnswerInput("STAR", text=text, question="Tell me about a time you led."),
        ),
        (
            "free text (labels sentences)",
            AnswerInput("STAR", text=text, question="Tell me about a time you led."),
        ),
        (
            "free text, SOAR (sections in doubt)",
            AnswerInput("SOAR", text=text, question="Tell me about a time you led."),
        ),
        ("planner sections", AnswerInput("STAR", sections=sections)),
    ):
        for _ in range(5):
            analyze(answer)
        samples = []
        for i in range(runs):
            # A new text each run, as on autosave: one sentence changes, the others were seen
            # before (their cue matches are cached per sentence).
            if answer.text:
                answer = AnswerInput(answer.framework, text=f"{text} That was take {i}.")
                answer.question = "Tell me about a time you led."
            if label.endswith("every sentence new"):
                sections_model._cue_hits.cache_clear()  # as if no sentence had been seen
            t0 = time.perf_counter()
            analyze(answer)
            samples.append((time.perf_counter() - t0) * 1000)
        p50, p95 = _percentiles(samples)
        print(f"  {label:36} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")


def bench_similarity(max_n: int, queries: int) -> None:
    rng = np.random.default_rng(1)
    index = sim.SimilarityIndex()
    probe_text, _ = answer_of_words(300)
    probe = sim.signature(probe_text)
    near = sim.signature(probe_text.replace("I ", "We ", 3))
    base_rss = _rss_mb()
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= max_n] or [max_n]
    built = 0
    print(
        f"near-duplicate check (MinHash LSH, {sim.NUM_PERM} permutations, "
        f"threshold {sim.THRESHOLD}):"
    )
    index.add("needle", near)
    for n in sizes:
        t0 = time.perf_counter()
        while built < n:
            index.add(f"a{built}", sim.random_signature(rng))
            built += 1
        build = time.perf_counter() - t0
        gc.collect()
        samples = []
        found = None
        for _ in range(queries):
            t1 = time.perf_counter()
            found = index.query(probe)
            samples.append((time.perf_counter() - t1) * 1000)
        p50, p95 = _percentiles(samples)
        hit = bool(found) and found[0].key == "needle"
        print(
            f"  {n:>9,} answers: added in {build:6.1f} s; query p50 {p50:6.3f} ms "
            f"p95 {p95:6.3f} ms; near-copy found: {hit}; memory +{_rss_mb() - base_rss:,.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    bench_report(args.runs)
    bench_similarity(args.max, args.runs)


if __name__ == "__main__":
    main()
