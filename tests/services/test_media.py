"""Probing and decoding recordings: real files made at test time with espeak-ng and PyAV
(WebM/Opus without a duration in its header, as browsers' MediaRecorder writes), and the
bad uploads users send: empty, text, a picture, random bytes, cut off, damaged, no sound."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import wave
import zlib
from pathlib import Path

import av
import numpy as np
import pytest

from prepple.services import media
from prepple.services.media import MediaError, decode_audio, probe

SR = 16_000


def need_espeak() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        if os.environ.get("PREPPLE_REQUIRE_SERVICES") == "1":
            pytest.fail("espeak-ng is not installed (scripts/bootstrap.sh test installs it)")
        pytest.skip("espeak-ng is not installed")
    return exe


def speak(path: Path, text: str, voice: str = "en-us", speed: int = 160) -> Path:
    """espeak-ng reads ``text`` into a WAV file (22.05 kHz mono)."""
    subprocess.run(
        [need_espeak(), "-v", voice, "-s", str(speed), "-w", str(path), text], check=True
    )
    return path


def write_wav(path: Path, samples: np.ndarray, rate: int = SR) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def encode(
    src: Path, dst: Path, *, live: bool = True, video: bool = False, audio: bool = True
) -> Path:
    """Re-encode a WAV as WebM: Opus sound, optionally a small VP8 picture track.

    ``live`` leaves the duration out of the header, as MediaRecorder does."""
    with av.open(str(dst), "w", format="webm", options={"live": "1"} if live else {}) as out:
        # Every stream is added before the first packet (that writes the header).
        a = out.add_stream("libopus", rate=48000) if audio else None
        v = out.add_stream("libvpx", rate=10) if video else None
        if v is not None:
            v.width, v.height, v.pix_fmt = 64, 48, "yuv420p"
        if a is not None:
            a.layout = "mono"
            resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
            with av.open(str(src)) as inp:
                for frame in inp.decode(audio=0):
                    frame.pts = None
                    for f in resampler.resample(frame):
                        out.mux(a.encode(f))
            for f in resampler.resample(None):
                out.mux(a.encode(f))
            out.mux(a.encode(None))
        if v is not None:
            for i in range(20):
                picture = np.full((48, 64, 3), i * 10, np.uint8)
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(
                    format="yuv420p"
                )
                frame.pts = i
                out.mux(v.encode(frame))
            out.mux(v.encode(None))
    return dst


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    wav = speak(d / "answer.wav", "I led the migration of our billing system last spring.")
    out = {"wav": wav}
    out["webm"] = encode(wav, d / "browser.webm")
    out["webm_video"] = encode(wav, d / "camera.webm", video=True)
    out["webm_header"] = encode(wav, d / "with-duration.webm", live=False)
    out["video_only"] = encode(wav, d / "muted.webm", video=True, audio=False)
    return out


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_probe_wav(files):
    info = probe(files["wav"])
    assert info.container == "wav"
    assert info.audio_codec == "pcm_s16le"
    assert info.has_audio and not info.has_video
    assert info.sample_rate == 22050 and info.channels == 1
    assert info.duration == pytest.approx(wav_seconds(files["wav"]), abs=0.01)
    assert info.size_bytes == files["wav"].stat().st_size


def test_probe_browser_webm_without_header_duration(files):
    with av.open(str(files["webm"])) as c:
        assert c.duration is None  # like MediaRecorder: the header doesn't know the length
    info = probe(files["webm"])
    assert info.container == "matroska,webm"
    assert info.audio_codec == "opus"
    assert info.duration == pytest.approx(wav_seconds(files["wav"]), abs=0.05)
    assert info.to_dict()["duration"] == info.duration


def test_probe_camera_webm(files):
    info = probe(files["webm_video"])
    assert info.has_audio and info.has_video
    assert (info.audio_codec, info.video_codec) == ("opus", "vp8")
    assert info.duration == pytest.approx(wav_seconds(files["wav"]), abs=0.05)


def test_video_without_sound_is_refused(files):
    with pytest.raises(MediaError) as err:
        probe(files["video_only"])
    assert err.value.user_message == media.MSG_NO_AUDIO
    info = probe(files["video_only"], require_audio=False)
    assert info.has_video and not info.has_audio and info.audio_codec is None
    with pytest.raises(MediaError, match="no sound track"):
        decode_audio(files["video_only"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", media.MSG_EMPTY),
        (b"Tell me about a time you led a team.\nI was ...\n", media.MSG_TEXT),
        (png_bytes(), media.MSG_IMAGE),
        (
            bytes(np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8)),
            media.MSG_NOT_MEDIA,
        ),
    ],
    ids=["empty", "text", "png", "random-bytes"],
)
def test_not_a_recording(tmp_path, content, message):
    path = tmp_path / "answer.webm"  # the name says WebM; the bytes don't
    path.write_bytes(content)
    with pytest.raises(MediaError) as err:
        probe(path)
    assert err.value.user_message == message
    assert str(err.value) == message
    with pytest.raises(MediaError):
        decode_audio(path)


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match="couldn't find"):
        probe(tmp_path / "nope.webm")


def test_cut_off_uploads(files, tmp_path):
    data = files["webm_header"].read_bytes()
    half = tmp_path / "half.webm"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError) as err:
        probe(half)
    assert err.value.user_message == media.MSG_TRUNCATED

    header_only = tmp_path / "header-only.webm"
    header_only.write_bytes(data[:100])
    with pytest.raises(MediaError) as err:
        probe(header_only)
    assert err.value.user_message == media.MSG_CORRUPT


def test_damaged_data(files, tmp_path):
    data = bytearray(files["webm"].read_bytes())
    rng = np.random.default_rng(1)
    for i in range(2000, len(data), 50):
        data[i] = int(rng.integers(256))
    damaged = tmp_path / "damaged.webm"
    damaged.write_bytes(bytes(data))
    with pytest.raises(MediaError) as err:
        probe(damaged)
        decode_audio(damaged)
    assert err.value.user_message == media.MSG_CORRUPT


def test_decode_audio_is_16k_mono_float(files):
    wav = decode_audio(files["wav"])
    webm = decode_audio(files["webm_video"])
    for samples in (wav, webm):
        assert samples.dtype == np.float32 and samples.ndim == 1
        assert len(samples) / SR == pytest.approx(wav_seconds(files["wav"]), abs=0.05)
        assert 0.1 < np.abs(samples).max() <= 1.0


def test_silence_decodes_to_zeros(tmp_path):
    path = write_wav(tmp_path / "silence.wav", np.zeros(3 * SR, np.float32))
    assert probe(path).duration == pytest.approx(3.0)
    samples = decode_audio(path)
    assert len(samples) == 3 * SR and not samples.any()


def test_probe_streams_a_large_file(tmp_path):
    """A 60 MB recording is probed packet by packet, never read into memory at once."""
    psutil = pytest.importorskip("psutil")
    path = tmp_path / "long.wav"
    write_wav(path, np.zeros(SR, np.float32))
    size = 60 * 2**20
    with path.open("r+b") as fh:  # grow the data chunk to 60 MB of silence (a sparse file)
        fh.truncate(44 + size)
        fh.seek(4)
        fh.write(struct.pack("<I", 36 + size))
        fh.seek(40)
        fh.write(struct.pack("<I", size))
    before = psutil.Process().memory_info().rss
    info = probe(path)
    grown = psutil.Process().memory_info().rss - before
    assert info.duration == pytest.approx(size / 2 / SR, rel=1e-3)
    assert grown < 20 * 2**20
