"""Speed, memory and accuracy of transcription (``prepple/services/transcription.py``).

1. Speed and peak memory per model (tiny.en, base) and beam size (1, 5) on a 2-minute
   browser-like answer (WebM/Opus): model load time, real-time factor (seconds of work per
   second of audio) without and with the filler pass, and the peak RSS of a fresh process
   (each configuration runs in its own subprocess, sampled with psutil).
2. Accuracy on a synthetic evaluation set: espeak-ng voices (en-us, en-gb, female and male
   variants, 140-180 words a minute, half of them with brown noise at 20 dB SNR) reading 15
   behavioural-interview answers with 90 known vocal fillers (um, uh, er) plus "like" and
   "you know"; the same answers without fillers as a control; and both strung together into
   long answers (70-110 s, several Whisper windows). For each model: content WER (fillers
   left out of both sides), verbatim WER, and filler recall and precision (fillers matched
   by word alignment, so a filler in the wrong place counts as missed), for the plain pass,
   the filler prompt used for the whole transcript, and the default (plain + merged fillers).
3. Optionally WER on recordings you bring (``--samples DIR`` of audio files with a ``.txt``
   transcript beside each), e.g. real human speech, which no PyPI package we found ships.
4. Fillers with varied prosody (``--filler-set N``): the held-out split of
   ``tests/filler_set.py`` (seeded espeak-ng clips; fillers with and without commas, at
   sentence starts and mid-clause; the held-out split has its own sentences, 8 voices and
   noises the tuning split never uses, 120-215 wpm, pitch 30-70; a third of the clips
   without fillers). Recall and precision per condition for the plain pass, plain +
   verbatim-pass fillers, plus the forced filler check (the old default), and the default
   (plain + forced check + acoustic filler detector, no verbatim pass), and their real-time
   factor on one thread.
   Synthetic speech only: no recordings of real spontaneous speech with verbatim
   transcripts exist on our machines.
5. Time to transcribe a 2-minute answer with the defaults, in a fresh process (what a user
   waits for after upload when no model is loaded yet).

    python benchmarks/bench_transcription.py [--models tiny.en,base] [--beams 1,5]
        [--samples DIR] [--skip-accuracy] [--skip-speed] [--filler-set N] [--split heldout]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

SR = 16_000
ESPEAK = shutil.which("espeak-ng") or "espeak-ng"

#: Behavioural-interview answers with known vocal fillers (um, uh, er) and lexical ones.
SCRIPTS = [
    "So, um, in my last job I was leading a small team, and uh, we had a release planned for "
    "the end of the month. The problem was, like, our main database kept timing out. I, er, set "
    "up a war room, split the work by service, and you know, we shipped on time.",
    "Um, a time I disagreed with my manager. Uh, she wanted to cut the testing phase to save a "
    "week. I, like, pulled the numbers from our last three launches and showed her that, er, "
    "every skipped test cost us more support tickets. In the end, you know, we kept the tests.",
    "Well, uh, I think the hardest project was migrating our billing system. Um, nobody on the "
    "team had done it before. So I, like, wrote a plan with clear milestones, er, paired people "
    "up, and we moved every customer without a single outage.",
    "Okay, so, um, a customer once called us furious because an order was lost. I, uh, listened "
    "first and apologized. Then I, you know, traced the order through the warehouse system, er, "
    "found the bug, and sent the package the same day. She later, like, wrote us a thank you "
    "note.",
    "Er, the goal was to reduce onboarding time for new engineers. Uh, it took about three weeks "
    "back then. I, um, wrote a setup script and a short guide, and you know, new hires could "
    "push code on their second day.",
    "Um, I had to learn a new language quickly when, uh, our team adopted Go. I, like, spent my "
    "evenings on small projects, er, asked for code reviews from an expert, and within a month, "
    "you know, I was reviewing other people's code.",
    "So, uh, two teammates were arguing about the design of our search feature. Um, the "
    "meetings kept going in circles. I, er, suggested we build both prototypes in a day and, "
    "like, measure them. The data settled it and, you know, they both agreed.",
    "Uh, I made a mistake once when I, um, deployed a change on a Friday evening. It broke the "
    "login page. I, er, rolled it back, told my manager right away, and, like, wrote a "
    "checklist so it would not happen again.",
    "Um, our sales dropped in the spring, and uh, leadership asked me to find out why. I, like, "
    "interviewed ten customers, er, looked at the churn data, and found that, you know, a "
    "pricing change confused people. We fixed the page and sales recovered.",
    "Well, er, I was asked to organize a conference for our department. Um, the budget was "
    "very tight. I, uh, negotiated with the venue, found volunteers, and, like, the event had "
    "more attendees than the year before.",
    "Uh, a junior colleague was struggling with his tasks. Um, I noticed he was, like, staying "
    "late every night. I, er, offered to pair with him twice a week, and, you know, after two "
    "months he was leading his own feature.",
    "So, um, our mobile app had terrible reviews because it was slow. I, uh, profiled the "
    "startup, er, removed three heavy libraries, and, like, cut the loading time in half. The "
    "rating went up, you know, within a few weeks.",
    "Um, I had two deadlines on the same day. Uh, one for a client report and one for an "
    "internal audit. I, er, talked to both stakeholders, agreed on priorities, and, like, "
    "delivered the report first and the audit the next morning.",
    "Uh, when I joined the company, um, there was no documentation at all. I, like, started a "
    "wiki, er, asked each team to write one page a week, and, you know, by the end of the "
    "quarter we had a useful knowledge base.",
    "Er, my biggest failure was a product launch that, um, nobody used. I, uh, had not talked "
    "to enough customers before building it. Now I, like, always test the idea with real users "
    "first, and, you know, that lesson has saved me many times.",
]
#: espeak-ng voice and speed (words a minute), cycled over the clips.
VOICES = [
    ("en-us", 160),
    ("en-gb", 150),
    ("en-us+f3", 170),
    ("en-gb-x-rp+m3", 140),
    ("en-us+m7", 180),
    ("en-029+f2", 155),
]
VOCAL_FILLERS = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "hm", "mm"}
NUMBERS = dict(
    zip(
        "0 1 2 3 4 5 6 7 8 9 10".split(),
        "zero one two three four five six seven eight nine ten".split(),
        strict=True,
    )
)


# --- evaluation set -------------------------------------------------------------------------


def without_fillers(text: str) -> str:
    """The script as a fluent speaker would say it (the control clips)."""
    text = re.sub(r"\b(um|uh|er|like|you know),\s*", "", text, flags=re.I)
    text = re.sub(r",\s*(um|uh|er),", ",", text, flags=re.I)
    text = re.sub(r"\s+(um|uh|er)\b,?", "", text, flags=re.I)
    text = re.sub(r"\b(I|and|that|then|later|was),\s", r"\1 ", text)
    return text[0].upper() + text[1:]


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def write_webm(path: Path, audio: np.ndarray) -> None:
    """Opus in WebM without a duration in the header, as browsers' MediaRecorder writes."""
    import av

    with av.open(str(path), "w", format="webm", options={"live": "1"}) as out:
        stream = out.add_stream("libopus", rate=48000)
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
        for i in range(0, len(pcm), SR):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + SR], format="s16", layout="mono")
            frame.sample_rate = SR
            for f in resampler.resample(frame):
                out.mux(stream.encode(f))
        for f in resampler.resample(None):
            out.mux(stream.encode(f))
        out.mux(stream.encode(None))


def build_eval_set(folder: Path) -> tuple[list[dict], list[dict]]:
    """Short clips (3 per script: fillers, fillers + noise, no fillers) and long answers."""
    from prepple.services.media import decode_audio

    rng = np.random.default_rng(0)
    clips: list[dict] = []
    pad = np.zeros(SR // 2, np.float32)
    for i, script in enumerate(SCRIPTS):
        for variant in range(3):
            voice, speed = VOICES[(i + 2 * variant) % len(VOICES)]  # all voices in each set
            text = script if variant < 2 else without_fillers(script)
            raw = folder / f"raw_{i}_{variant}.wav"
            subprocess.run(  # noqa: S603 - fixed program, our own arguments
                [ESPEAK, "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True
            )
            audio = np.concatenate([pad, decode_audio(raw), pad])
            raw.unlink()
            if variant == 1:  # brown noise at 20 dB SNR
                level = np.sqrt(np.mean(audio[audio != 0] ** 2))
                noise = np.cumsum(rng.normal(size=len(audio)))
                noise -= np.convolve(noise, np.ones(400) / 400, mode="same")
                audio = audio + (noise / np.sqrt(np.mean(noise**2)) * level / 10).astype(np.float32)
            path = folder / f"clip_{i:02d}_{variant}.wav"
            write_wav(path, audio)
            clips.append(
                {
                    "path": path,
                    "text": text,
                    "fillers": variant < 2,
                    "audio": audio.astype(np.float32),
                }
            )
    long: list[dict] = []
    groups = [(True, [clips[((k * 3 + j) % 15) * 3 + j % 2] for j in range(6)]) for k in range(5)]
    groups += [(False, [clips[((k * 5 + j) % 15) * 3 + 2] for j in range(5)]) for k in range(3)]
    for fillers, group in groups:
        audio = np.concatenate([c["audio"] for c in group])
        long.append(
            {"text": " ".join(c["text"] for c in group), "fillers": fillers, "audio": audio}
        )
    return clips, long


# --- scoring --------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """Lower-case words without punctuation; every vocal filler becomes ``<f>``."""
    out = []
    for t in text.lower().replace("-", " ").split():
        t = re.sub(r"[^a-z0-9']", "", t)
        if t:
            t = NUMBERS.get(t, t)
            out.append("<f>" if t in VOCAL_FILLERS else t)
    return out


def score(refs: list[str], hyps: list[str]) -> dict[str, float]:
    """Content WER, verbatim WER, and filler recall/precision over a set of clips."""
    import jiwer

    tp = fp = fn = 0
    ref_v, hyp_v, ref_c, hyp_c = [], [], [], []
    for ref, hyp in zip(refs, hyps, strict=True):
        rt, ht = tokens(ref), tokens(hyp)
        ref_v.append(" ".join(rt))
        hyp_v.append(" ".join(ht))
        ref_c.append(" ".join(t for t in rt if t != "<f>"))
        hyp_c.append(" ".join(t for t in ht if t != "<f>"))
        if not ht:
            fn += rt.count("<f>")
            continue
        for chunk in jiwer.process_words(" ".join(rt), " ".join(ht)).alignments[0]:
            r = rt[chunk.ref_start_idx : chunk.ref_end_idx]
            h = ht[chunk.hyp_start_idx : chunk.hyp_end_idx]
            if chunk.type == "equal":
                tp += r.count("<f>")
            else:
                fn += r.count("<f>")
                fp += h.count("<f>")
    return {
        "wer_content": jiwer.wer(ref_c, hyp_c),
        "wer_verbatim": jiwer.wer(ref_v, hyp_v),
        "filler_recall": tp / (tp + fn) if tp + fn else float("nan"),
        "filler_precision": tp / (tp + fp) if tp + fp else float("nan"),
        "fillers": tp + fn,
        "false_fillers": fp,
    }


# --- measurements ---------------------------------------------------------------------------


def child(model: str, beam: int, file: str, mode: str) -> None:
    """Run in a fresh process: load, then transcribe without and with the filler pass
    (``mode="both"``) or only as the app does by default (``mode="default"``)."""
    import resource

    from prepple.services import transcription

    t0 = time.perf_counter()
    transcription.get_model(model)
    load = time.perf_counter() - t0
    result: dict[str, float] = {"load": load}
    for fillers in (False, True) if mode == "both" else (True,):
        t0 = time.perf_counter()
        tr = transcription.transcribe(file, model=model, beam_size=beam, fillers=fillers)
        result["fillers" if fillers else "plain"] = time.perf_counter() - t0
        result["duration"] = tr.duration
        result["words"] = len(tr.words)
    result["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_child(*args: str) -> tuple[dict, float, float]:
    """Run this script in a subprocess; (its JSON result, peak RSS in MB, wall seconds)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - this script, our own arguments
        [sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    out = proc.stdout.read() if proc.stdout else ""
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed")
    return json.loads(out.strip().splitlines()[-1]), peak / 2**20, wall


def two_minute_answer(folder: Path, long: list[dict]) -> Path:
    audio = np.concatenate([item["audio"] for item in long if item["fillers"]])[: 120 * SR]
    path = folder / "answer-2min.webm"
    write_webm(path, audio)
    return path


def bench_speed(models: list[str], beams: list[int], answer: Path) -> None:
    print("speed and memory, 2-minute WebM/Opus answer, each configuration in a fresh process:")
    print(
        f"  {'model':8} {'beam':>4} {'load s':>7} {'RTF plain':>9} {'RTF +fillers':>12} "
        f"{'peak RSS MB':>11}"
    )
    for model in models:
        for beam in beams:
            r, peak, _ = run_child("--child", model, str(beam), str(answer), "both")
            print(
                f"  {model:8} {beam:>4} {r['load']:7.2f} {r['plain'] / r['duration']:9.3f} "
                f"{r['fillers'] / r['duration']:12.3f} {peak:11.0f}"
            )


def bench_accuracy(models: list[str], clips: list[dict], long: list[dict]) -> None:
    from prepple.services import transcription

    configs = [
        ("plain pass", {"fillers": False}),
        (
            "filler prompt on the whole transcript",
            {
                "fillers": False,
                "initial_prompt": transcription.FILLER_PROMPT,
            },
        ),
        ("plain + merged fillers (default)", {"fillers": True}),
    ]
    n_fillers = sum(tokens(c["text"]).count("<f>") for c in clips)
    print(
        f"accuracy on the espeak-ng evaluation set: {len(clips)} short clips "
        f"({sum(len(c['audio']) for c in clips) / SR / 60:.1f} min, {n_fillers} vocal fillers) "
        f"and {len(long)} long answers ({sum(len(c['audio']) for c in long) / SR / 60:.1f} min);"
        " beam 1"
    )
    print(
        f"  {'model':8} {'configuration':38} {'set':6} {'WER content':>11} {'WER verbatim':>12} "
        f"{'filler recall':>13} {'precision':>9} {'no-filler WER':>13} {'false fillers':>13} "
        f"{'RTF':>6}"
    )
    for model in models:
        transcription.transcribe(clips[0]["audio"], model=model)  # load and warm up, untimed
        for label, options in configs:
            for set_name, items in (("short", clips), ("long", long)):
                hyps, seconds = [], 0.0
                for item in items:
                    t0 = time.perf_counter()
                    hyps.append(
                        transcription.transcribe(item["audio"], model=model, **options).text
                    )
                    seconds += time.perf_counter() - t0
                audio_seconds = sum(len(i["audio"]) for i in items) / SR
                with_f = [k for k, i in enumerate(items) if i["fillers"]]
                without = [k for k, i in enumerate(items) if not i["fillers"]]
                s1 = score([items[k]["text"] for k in with_f], [hyps[k] for k in with_f])
                s0 = score([items[k]["text"] for k in without], [hyps[k] for k in without])
                print(
                    f"  {model:8} {label:38} {set_name:6} {s1['wer_content']:11.3f} "
                    f"{s1['wer_verbatim']:12.3f} {s1['filler_recall']:13.2f} "
                    f"{s1['filler_precision']:9.2f} {s0['wer_content']:13.3f} "
                    f"{s0['false_fillers']:13d} {seconds / audio_seconds:6.3f}",
                    flush=True,
                )


def bench_samples(models: list[str], folder: Path) -> None:
    from prepple.services import transcription

    files = sorted(
        p for p in folder.iterdir() if p.suffix in (".wav", ".flac", ".mp3", ".ogg", ".webm")
    )
    files = [p for p in files if p.with_suffix(".txt").exists()]
    refs = [p.with_suffix(".txt").read_text().strip() for p in files]
    print(f"WER on {len(files)} recordings from {folder}:")
    for model in models:
        hyps = [transcription.transcribe(p, model=model, fillers=False).text for p in files]
        print(f"  {model:8} WER {score(refs, hyps)['wer_content']:.3f}")
        for ref, hyp in zip(refs, hyps, strict=True):
            print(f"    ref: {ref}\n    hyp: {hyp}")


def bench_filler_set(models: list[str], count: int, split: str) -> None:
    """Recall/precision of vocal fillers per condition on the seeded filler set."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from prepple.services import transcription as tr
    from tests.filler_set import clip_audio, filler_clips, score_clip

    clips = filler_clips(split, count)
    audios = [clip_audio(c) for c in clips]
    seconds = sum(len(a) for a in audios) / SR
    n_fillers = sum(len(c.fillers) for c in clips)
    print(
        f"filler set, {split} split: {len(clips)} clips ({seconds / 60:.1f} min, {n_fillers} "
        f"fillers, {sum(not c.fillers for c in clips)} clips without any); synthetic espeak-ng "
        "speech: no real spontaneous speech with verbatim transcripts exists on these machines"
    )
    for model in models:
        whisper = tr.get_model(model, threads=1)
        tr._run_pass(whisper, audios[0], duration=1, on_fraction=lambda f: None, language="en")
        configs = (
            "plain pass",
            "plain + verbatim",
            "+ forced check (old default)",
            "check + acoustic (default)",
        )
        results: dict[str, list] = {k: [] for k in configs}
        cost = dict.fromkeys(("plain", "gap", "verbatim", "acoustic"), 0.0)
        for clip, audio in zip(clips, audios, strict=True):
            opts = {"duration": len(audio) / SR, "on_fraction": lambda f: None, "language": "en"}
            t0 = time.perf_counter()
            plain, _ = tr._run_pass(whisper, audio, beam_size=1, **opts)
            t1 = time.perf_counter()
            probs = tr._gap_filler_probs(whisper, audio, plain) if plain else []
            t2 = time.perf_counter()
            verbatim, _ = tr._run_pass(
                whisper, audio, beam_size=1, initial_prompt=tr.FILLER_PROMPT, **opts
            )
            t3 = time.perf_counter()
            spans = tr.filler_detector.detect(audio, peak=tr.HEARD_CONFIRMED) if plain else []
            t4 = time.perf_counter()
            cost["plain"] += t1 - t0
            cost["gap"] += t2 - t1
            cost["verbatim"] += t3 - t2
            cost["acoustic"] += t4 - t3
            outs = (
                plain,
                tr._merge_fillers(plain, verbatim) if plain else [],
                tr._merge_fillers(tr._gap_fillers(plain, probs), verbatim) if plain else [],
                tr._gap_fillers(plain, probs, spans) if plain else [],
            )
            for name, words in zip(configs, outs, strict=True):
                results[name].append((clip, score_clip(clip, "".join(w.raw for w in words))))
        print(
            f"  {model}: RTF on one thread: plain {cost['plain'] / seconds:.3f}, plain + verbatim "
            f"{(cost['plain'] + cost['verbatim']) / seconds:.3f}, old default "
            f"{(cost['plain'] + cost['verbatim'] + cost['gap']) / seconds:.3f}, default "
            f"{(cost['plain'] + cost['gap'] + cost['acoustic']) / seconds:.3f} (acoustic detector "
            f"{cost['acoustic'] / seconds:.4f})"
        )
        conditions: list[tuple[str, Callable]] = [
            ("all", lambda c, m: True),
            ("commas", lambda c, m: m is None or m.comma),
            ("no commas", lambda c, m: m is None or not m.comma),
            ("sentence start", lambda c, m: m is None or m.position == "start"),
            ("mid-clause", lambda c, m: m is None or m.position == "mid"),
        ]
        for band in ("120-150 wpm", "150-175 wpm", "175-215 wpm"):
            conditions.append((band, lambda c, m, b=band: c.speed_band == b))
        for voice in sorted({c.voice for c in clips}):
            conditions.append((voice, lambda c, m, v=voice: c.voice == v))
        for noise in sorted({c.noise for c in clips}):
            conditions.append((noise, lambda c, m, x=noise: c.noise == x))
        print(f"    {'condition':20} " + " ".join(f"{k[:30]:>30}" for k in configs))
        print(f"    {'':20} " + " ".join(f"{'recall precision (n)':>30}" for _ in configs))
        for label, keep in conditions:
            cells = []
            for name in configs:
                tp = n = false = 0
                for clip, sc in results[name]:
                    if not keep(clip, None):
                        continue
                    for mark, found in zip(clip.fillers, sc.found, strict=True):
                        if keep(clip, mark):
                            n += 1
                            tp += found
                    # false fillers can't be told apart by comma/position: count them on the
                    # clip-level conditions and on "all"
                    if label in ("all",) or not label.startswith(
                        ("comma", "no comma", "sent", "mid")
                    ):
                        false += sc.false
                prec = tp / (tp + false) if tp + false else float("nan")
                cells.append(f"{tp / n if n else float('nan'):10.2f} {prec:9.2f} ({n:3d})")
            print(f"    {label:20} " + " ".join(f"{c:>30}" for c in cells), flush=True)
        false_clean = {
            name: sum(sc.false for clip, sc in results[name] if not clip.fillers)
            for name in configs
        }
        print(
            f"    fillers invented on the {sum(not c.fillers for c in clips)} clips without any: "
            + ", ".join(f"{k}: {v}" for k, v in false_clean.items())
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--beams", default="1,5")
    parser.add_argument("--samples", type=Path, help="audio files with .txt transcripts")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--filler-set", type=int, default=0, help="clips of the filler set")
    parser.add_argument("--split", default="heldout", choices=("heldout", "tuning"))
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2], args.child[3])
        return
    if not shutil.which("espeak-ng"):
        raise SystemExit(
            "espeak-ng is needed to build the evaluation set (apt-get install espeak-ng)"
        )
    models = args.models.split(",")
    if args.filler_set:
        bench_filler_set(models, args.filler_set, args.split)
        if args.skip_accuracy and args.skip_speed:
            return
    print(f"{os.cpu_count()} CPU cores; int8; threads from settings (0 = CTranslate2 default)")
    with tempfile.TemporaryDirectory(prefix="prepple-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        clips, long = build_eval_set(folder)
        print(f"evaluation set built in {time.perf_counter() - t0:.1f} s")
        answer = two_minute_answer(folder, long)
        for model in models:  # join/load once so the timings below exclude first-use work
            from prepple.services import transcription

            transcription.model_path(model)
        if not args.skip_speed:
            bench_speed(models, [int(b) for b in args.beams.split(",")], answer)
        if not args.skip_accuracy:
            bench_accuracy(models, clips, long)
        if args.samples:
            bench_samples(models, args.samples)
        r, peak, wall = run_child("--child", "tiny.en", "1", str(answer), "default")
        print(
            f"2-minute answer with the defaults (tiny.en, beam 1, filler pass on): "
            f"{r['fillers']:.1f} s to transcribe once the model is loaded; "
            f"{wall:.1f} s from a cold start (process, imports, model load {r['load']:.1f} s); "
            f"peak RSS {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
