"""Make real audio/video files for tests: speech from espeak-ng, encoded like a browser would
(WebM with Opus audio, optionally VP8 video) with PyAV."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import av
import numpy as np


def speak_wav(text: str, path: Path, *, voice: str = "en-us", speed: int = 160) -> Path:
    """``text`` spoken by espeak-ng into a WAV file."""
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    return path


def silence_wav(path: Path, seconds: float = 3.0, rate: int = 16000) -> Path:
    """A WAV file of digital silence."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return path


def wav_to_webm(wav: Path, path: Path, *, video: bool = False) -> Path:
    """Encode a WAV as WebM/Opus (plus a moving VP8 test picture when ``video``), the way
    MediaRecorder does in Chrome."""
    with av.open(str(wav)) as src, av.open(str(path), "w", format="webm") as dst:
        audio_in = src.streams.audio[0]
        audio_out = dst.add_stream("libopus", rate=48000)
        audio_out.layout = "mono"
        video_out = None
        if video:
            video_out = dst.add_stream("libvpx", rate=10)
            video_out.width, video_out.height, video_out.pix_fmt = 160, 120, "yuv420p"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        frames = 0
        seconds = 0.0
        for frame in src.decode(audio_in):
            seconds = float(frame.pts * frame.time_base) if frame.pts is not None else seconds
            for out in resampler.resample(frame):
                for packet in audio_out.encode(out):
                    dst.mux(packet)
            while video_out is not None and frames / 10 <= seconds:
                picture = np.full((120, 160, 3), (frames * 7) % 255, dtype=np.uint8)
                vf = av.VideoFrame.from_ndarray(picture, format="rgb24")
                vf.pts = frames
                for packet in video_out.encode(vf):
                    dst.mux(packet)
                frames += 1
        for out in resampler.resample(None):
            for packet in audio_out.encode(out):
                dst.mux(packet)
        for packet in audio_out.encode(None):
            dst.mux(packet)
        if video_out is not None:
            for packet in video_out.encode(None):
                dst.mux(packet)
    return path


def speech_webm(text: str, folder: Path, *, name: str = "answer", video: bool = False) -> Path:
    """``text`` spoken and encoded as a browser-style WebM file in ``folder``."""
    wav = speak_wav(text, folder / f"{name}.wav")
    return wav_to_webm(wav, folder / f"{name}.webm", video=video)
