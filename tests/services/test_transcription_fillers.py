"""The acoustic filler detector (``prepple/services/filler_detector.py``) and how its spans go
into a transcript (``transcription._gap_fillers``). espeak-ng speech made at test time with
voices of the held-out split (never trained on), so these run in seconds without Whisper;
the end-to-end check with the real model is in ``test_transcription.py``."""

from __future__ import annotations

import numpy as np
import pytest

from prepple.services import filler_detector, transcription
from prepple.services.filler_detector import FillerSpan
from prepple.services.transcription import _RawWord as W
from prepple.services.transcription import is_filler
from tests.filler_set import SR, FillerClip, FillerMark, clip_audio, filler_spans
from tests.services.test_media import need_espeak


def clip(text: str, marks: tuple[FillerMark, ...], voice: str = "en-us+f5") -> FillerClip:
    need_espeak()
    return FillerClip("test", 0, text, voice, 165, 50, "clean", "commas" if marks else "", marks)


WITH = clip(
    "I sorted the tickets by topic, um, and found five common causes. "
    "Uh, then I drew up a timeline for the launch.",
    (FillerMark(6, "um", "mid", True), FillerMark(12, "uh", "start", True)),
)
WITHOUT = clip(
    "I sorted the tickets by topic and found five common causes. "
    "Then I drew up a timeline for the launch.",
    (),
)


def test_marks_point_at_the_fillers():
    from tests.filler_set import reference_tokens

    tokens = reference_tokens(WITH.text)
    assert [tokens[m.index] for m in WITH.fillers] == ["um", "uh"]


def overlaps(span: FillerSpan, a: float, b: float) -> bool:
    return span.start < b + 0.1 and span.end > a - 0.1


def test_weights_ship_with_the_code_and_are_small():
    assert filler_detector.WEIGHTS.is_file()
    assert filler_detector.WEIGHTS.stat().st_size < 200_000
    w = filler_detector._load()
    assert w["w2"].shape[1] == len(filler_detector.CLASSES)


def test_detector_hears_each_filler_where_it_was_said():
    spans = filler_detector.detect(clip_audio(WITH))
    truth = filler_spans(WITH)
    assert len(truth) == 2 and all(0.05 < b - a < 1.0 for a, b in truth)
    for a, b in truth:
        assert any(overlaps(s, a, b) for s in spans), (truth, spans)
    # and nowhere else
    assert all(any(overlaps(s, a, b) for a, b in truth) for s in spans), (truth, spans)


def test_detector_invents_nothing_in_fluent_speech():
    audio = clip_audio(WITHOUT)
    assert filler_detector.detect(audio) == []
    assert filler_detector.detect(np.zeros(SR, np.float32)) == []  # silence
    assert filler_detector.detect(np.zeros(0, np.float32)) == []


def test_frame_probabilities_shape_and_range():
    audio = clip_audio(WITHOUT)
    p = filler_detector.frame_probabilities(audio)
    assert p.shape == (1 + (len(audio) - filler_detector.WIN) // filler_detector.HOP, 3)
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5) and (p >= 0).all()


def test_spans_from_probabilities_thresholds():
    probs = np.zeros((100, 3))
    probs[:, 0] = 1.0
    probs[40:60] = [0.02, 0.9, 0.08]  # 200 ms of "um"
    probs[80:82] = [0.0, 0.0, 1.0]  # 20 ms blip: too short
    spans = filler_detector.spans_from_probabilities(probs, on=0.5, peak=0.8, min_seconds=0.06)
    assert len(spans) == 1 and spans[0].word == "um"
    assert 0.38 < spans[0].start < 0.45 and 0.58 < spans[0].end < 0.65
    assert filler_detector.spans_from_probabilities(probs, on=0.5, peak=0.99) == []


PLAIN = [
    W(" We", 0.0, 0.2, 1.0),
    W(" had", 0.2, 0.5, 1.0),
    W(" numerous", 0.6, 1.4, 0.4),  # "new uh staff" fused by Whisper
    W(" problems.", 1.5, 2.0, 1.0),
    W(" So", 2.6, 2.8, 1.0),
    W(" we", 2.8, 3.0, 1.0),
    W(" left.", 3.0, 3.3, 1.0),
]
NOTHING = [(0.0, "")] * (len(PLAIN) + 1)


@pytest.mark.parametrize(
    ("start", "end", "boundary"),
    [
        (0.5, 0.6, 2),  # in the gap before "numerous"
        (0.62, 0.8, 2),  # inside "numerous", nearer its start
        (1.0, 1.3, 3),  # inside "numerous", nearer its end: after it
        (2.1, 2.5, 4),  # the pause between sentences
        (3.5, 3.8, 7),  # after the last word
    ],
)
def test_a_heard_filler_goes_between_the_words_whose_timing_it_falls_in(start, end, boundary):
    assert transcription._span_boundary(PLAIN, FillerSpan(start, end, 0.95, "uh")) == boundary


def test_heard_fillers_go_into_the_transcript():
    sure = transcription.HEARD_ALONE
    spans = [FillerSpan(1.0, 1.3, sure + 0.01, "uh"), FillerSpan(2.1, 2.5, sure, "um")]
    out = transcription._gap_fillers(PLAIN, NOTHING, spans)
    assert "".join(w.raw for w in out).strip() == "We had numerous uh problems. Um, so we left."
    um = next(w for w in out if w.text == "Um,")
    assert (um.start, um.end, um.probability) == (2.1, 2.5, sure)
    # just below the bar, alone: left out
    weaker = [FillerSpan(1.0, 1.3, sure - 0.01, "uh")]
    assert transcription._gap_fillers(PLAIN, NOTHING, weaker) == PLAIN
    assert [w.text for w in out if not is_filler(w.text)] == [
        "We",
        "had",
        "numerous",
        "problems.",
        "so",  # the sentence now starts with the filler
        "we",
        "left.",
    ]


def test_a_weak_heard_filler_needs_the_forced_check_to_agree():
    weak = [FillerSpan(0.5, 0.6, transcription.HEARD_CONFIRMED + 0.01, "uh")]
    assert transcription.HEARD_CONFIRMED < transcription.HEARD_ALONE
    assert transcription._gap_fillers(PLAIN, NOTHING, weak) == PLAIN
    agree = list(NOTHING)
    agree[2] = (transcription.GAP_CONFIRM, "uh")  # below the check's own threshold
    assert transcription.GAP_CONFIRM < transcription.GAP_THRESHOLD_MID
    assert transcription._gap_fillers(PLAIN, agree) == PLAIN
    out = transcription._gap_fillers(PLAIN, agree, weak)
    assert [w.text for w in out][:4] == ["We", "had", "uh", "numerous"]


def test_a_heard_filler_is_not_added_next_to_one_already_there():
    with_uh = [*PLAIN[:2], W(" uh", 0.5, 0.6, 0.8), *PLAIN[2:]]
    spans = [FillerSpan(0.5, 0.62, 0.99, "uh")]
    out = transcription._gap_fillers(with_uh, [(0.0, "")] * (len(with_uh) + 1), spans)
    assert sum(is_filler(w.text) for w in out) == 1


def test_detector_spans_make_it_into_a_transcript_end_to_end():
    """The detector's spans on real audio, placed into a (hand-timed) transcript: the filler
    the detector heard is in the transcript, and without the detector it would not be."""
    audio = clip_audio(WITH)
    spans = filler_detector.detect(audio, peak=transcription.HEARD_CONFIRMED)
    (a, b), _ = filler_spans(WITH)
    # a transcript that stretched "topic" over the "um" (as Whisper does), no filler in it
    plain = [W(" I", 0.4, a - 0.6, 1.0), W(" sorted", a - 0.6, a - 0.3, 1.0)]
    plain += [W(" topic,", a - 0.3, b, 1.0), W(" and", b + 0.05, b + 0.3, 1.0)]
    probs = [(0.0, "")] * (len(plain) + 1)
    out = transcription._gap_fillers(plain, probs, spans)
    texts = [w.text for w in out]
    assert any(is_filler(t) for t in texts), (spans, texts)
    assert transcription._gap_fillers(plain, probs, []) == plain


def test_a_heard_filler_a_word_off_from_the_checks_is_the_same_filler():
    """Whisper's first word often starts at 0.0 over the leading silence, so the check's
    "Uh," at the start and the detector's span inside that first word are one filler."""
    plain = [W(" I", 0.0, 0.9, 1.0), W(" checked", 0.9, 1.3, 1.0), W(" it.", 1.3, 1.6, 1.0)]
    probs = [(0.5, "Uh"), (0.0, ""), (0.0, ""), (0.0, "")]
    span = FillerSpan(0.5, 0.7, 1.0, "uh")
    assert transcription._span_boundary(plain, span) == 1
    out = transcription._gap_fillers(plain, probs, [span])
    assert [w.text for w in out] == ["Uh,", "I", "checked", "it."]
