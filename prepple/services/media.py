"""What is inside an uploaded recording, and its sound as samples.

``probe`` checks a file before any heavy work: that it is audio or video at all, that it has a
sound track, that its data is readable, and how long it is. It streams the file packet by
packet through PyAV (FFmpeg), so a 200 MB video is never held in memory.

Browsers' ``MediaRecorder`` write WebM without a duration in the header (the recorder doesn't
know it when it starts writing), so the duration always comes from the packets themselves: the
end of the last packet (``(pts + duration) * time_base``) less the first packet's start. The
header's figure, when there is one, is only used to notice a cut-off upload.

``decode_audio`` turns the sound track into what Whisper wants: 16 kHz mono float32 samples
(about 3.8 MB a minute). A few damaged packets are skipped, as players do; a file whose sound
mostly fails to decode is refused.

Every refusal is a :class:`MediaError` whose message is a sentence to show the user as is.
"""

from __future__ import annotations

import gc
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from prepple.services.errors import DomainError

#: Whisper's sample rate.
SAMPLE_RATE = 16_000

#: FFmpeg demuxers that read still images or text, never recordings.
_NOT_RECORDING_FORMATS = {"image2", "tty", "gif", "apng", "ico", "svg"}
#: Codecs that mean "picture", not "video", when a file has nothing else.
_IMAGE_CODECS = {"png", "apng", "bmp", "gif", "webp", "tiff", "ansi", "jpeg2000", "jpegls", "svg"}
#: How many sound packets ``probe`` decodes to prove the codec works.
_PROBE_DECODE_PACKETS = 25

MSG_MISSING = "We couldn't find the recording file. Please upload it again."
MSG_EMPTY = "The recording is empty (0 bytes). Please record your answer again."
MSG_NOT_MEDIA = (
    "This file isn't an audio or video recording we can read. Please upload a recording "
    "such as WebM, MP4, M4A, MP3, OGG or WAV."
)
MSG_TEXT = "This file is text, not an audio or video recording. Please upload your recording."
MSG_IMAGE = "This file is a picture, not an audio or video recording. Please upload your recording."
MSG_NO_AUDIO = (
    "This recording has no sound track, so we can't hear your answer. Please check that your "
    "microphone is allowed and record again."
)
MSG_CORRUPT = "This recording is damaged and can't be played back. Please record your answer again."
MSG_TRUNCATED = (
    "This recording seems cut off: it ends long before its stated length. The upload may not "
    "have finished; please try uploading it again."
)
MSG_NO_SOUND_DATA = "This recording contains no sound. Please record your answer again."


class MediaError(DomainError):
    """A recording we refuse; ``user_message`` (also ``message``) is a sentence to show the
    user as is (status 422).

    ``detail`` carries the technical cause (FFmpeg's words) for logs, never for users."""

    default_status = 422

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail


@dataclass(frozen=True)
class MediaInfo:
    """What ``probe`` found in a recording.

    ``duration`` is in seconds, measured from the packets (reliable for browser WebM).
    ``container`` is FFmpeg's demuxer name (e.g. ``"matroska,webm"``, ``"mov,mp4,m4a,3gp,3g2,mj2"``,
    ``"wav"``); codecs are FFmpeg codec names (``"opus"``, ``"aac"``, ``"vp8"``) or ``None``."""

    duration: float
    has_audio: bool
    has_video: bool
    container: str
    audio_codec: str | None
    video_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    size_bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def _looks_like_text(path: Path) -> bool:
    """Whether the file starts with printable UTF-8 text (for a kinder error message)."""
    with path.open("rb") as fh:
        head = fh.read(512)
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at 512 bytes is still text.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch >= 32 or ch in (9, 10, 13) for ch in head)


def _media_signature(path: Path) -> bool:
    """Whether the file starts like a known audio/video container (so a failure to open it
    means damage, not a wrong kind of file)."""
    with path.open("rb") as fh:
        head = fh.read(16)
    return (
        head.startswith((b"\x1a\x45\xdf\xa3", b"RIFF", b"OggS", b"ID3", b"fLaC", b"FORM"))
        or head[4:8] == b"ftyp"
        or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)  # MPEG audio frame
    )


def _open(path: str | os.PathLike[str]) -> tuple[Path, av.container.InputContainer]:
    """Open a recording for reading, turning every failure into a ``MediaError``."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise MediaError(MSG_MISSING, detail=str(p)) from None
    if not p.is_file():
        raise MediaError(MSG_MISSING, detail=f"{p} is not a file")
    if size == 0:
        raise MediaError(MSG_EMPTY, detail=str(p))
    try:
        container = av.open(str(p), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        if _media_signature(p):
            message = MSG_CORRUPT
        else:
            message = MSG_TEXT if _looks_like_text(p) else MSG_NOT_MEDIA
        raise MediaError(message, detail=f"{type(exc).__name__}: {exc}") from None
    return p, container


def probe(path: str | os.PathLike[str], *, require_audio: bool = True) -> MediaInfo:
    """Check a recording and describe it (streams the file; nothing big is kept in memory).

    Args:
        path: The file to look at.
        require_audio: Refuse a file without a sound track (the default; a practice answer
            needs sound). With ``False`` such a video is described with ``has_audio=False``.

    Raises:
        MediaError: The file is missing, empty, not audio/video (text, a picture, random
            bytes), damaged or cut off, or has no sound track (when ``require_audio``).
    """
    p, container = _open(path)
    with container:
        fmt = container.format.name
        audio = container.streams.audio[0] if container.streams.audio else None
        video = next(
            (s for s in container.streams.video if s.codec_context.name not in _IMAGE_CODECS),
            None,
        )
        if audio is None and video is None:
            image = fmt in _NOT_RECORDING_FORMATS or fmt.endswith("_pipe")
            image = image or any(
                s.codec_context.name in _IMAGE_CODECS for s in container.streams.video
            )
            if image:
                text = any(s.codec_context.name == "ansi" for s in container.streams.video)
                raise MediaError(MSG_TEXT if text else MSG_IMAGE, detail=f"format {fmt}")
            if container.streams.video or not require_audio:
                raise MediaError(MSG_NO_AUDIO, detail=f"format {fmt}, no audio stream")
            raise MediaError(MSG_NOT_MEDIA, detail=f"format {fmt}, no audio or video stream")
        if audio is None and require_audio:
            raise MediaError(MSG_NO_AUDIO, detail=f"format {fmt}, video only")

        declared = container.duration / av.time_base if container.duration else None
        first, last, holes, packets, decoded, failed, error = _scan(container, audio)

        info = MediaInfo(
            duration=max(0.0, last - first) if packets else 0.0,
            has_audio=audio is not None,
            has_video=video is not None,
            container=fmt,
            audio_codec=audio.codec_context.name if audio is not None else None,
            video_codec=video.codec_context.name if video is not None else None,
            sample_rate=(audio.codec_context.sample_rate or None) if audio is not None else None,
            channels=(audio.codec_context.channels or None) if audio is not None else None,
            size_bytes=p.stat().st_size,
        )

    if error and not packets:
        raise MediaError(MSG_CORRUPT, detail=error)
    if audio is not None:
        if packets == 0:
            raise MediaError(MSG_NO_SOUND_DATA, detail="no audio packets")
        if decoded == 0 and failed:
            raise MediaError(MSG_CORRUPT, detail=f"{failed} audio packets failed to decode")
        # Sound packets follow each other closely; big holes mean the demuxer skipped
        # damaged data to resynchronise.
        span = last - first
        if span > 2.0 and holes > 0.5 * span:
            raise MediaError(MSG_CORRUPT, detail=f"{holes:.1f} s of a {span:.1f} s span missing")
    if declared and declared > 2.0 and info.duration < declared - max(1.0, 0.05 * declared):
        raise MediaError(
            MSG_TRUNCATED, detail=f"header says {declared:.1f} s, data ends at {info.duration:.1f}"
        )
    if error and info.duration < 0.5:
        raise MediaError(MSG_CORRUPT, detail=error)
    return info


def _scan(
    container: av.container.InputContainer, audio: av.audio.stream.AudioStream | None
) -> tuple[float, float, float, int, int, int, str]:
    """Demux every packet once: (first start, last end, seconds lost in holes, packets,
    sound packets decoded, decode failures, demuxer error or "").

    Times come from the sound track when there is one (that is what gets transcribed), else
    from the video. A hole is a jump of over a second between consecutive packets' starts
    (sound packets are at most ~0.1 s apart): what the demuxer leaves when it skips damaged
    data. Starts are used rather than packet durations, which some muxers leave out."""
    first, last, holes = float("inf"), 0.0, 0.0
    packets = decoded = failed = 0
    previous: float | None = None
    step = 0.0  # the latest distance between packet starts, for a last packet of no length
    error = ""
    streams = [audio] if audio is not None else list(container.streams.video)
    try:
        for packet in container.demux(streams):
            if packet.pts is None or packet.size == 0:
                continue  # flush packets carry no data
            tb = packet.time_base
            start = float(packet.pts * tb)
            length = float(packet.duration * tb) if packet.duration else 0.0
            if previous is not None and start > previous:
                step = start - previous
                if step > 1.0 and audio is not None:
                    holes += step
            previous = start
            first = min(first, start)
            last = max(last, start + (length or step))
            packets += 1
            if audio is not None and decoded + failed < _PROBE_DECODE_PACKETS:
                try:
                    packet.decode()
                    decoded += 1
                except av.error.FFmpegError:
                    failed += 1
    except av.error.FFmpegError as exc:
        error = f"{type(exc).__name__}: {exc}"
    if packets == 0:
        first = 0.0
    return first, last, holes, packets, decoded, failed, error


def decode_audio(path: str | os.PathLike[str], *, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The sound track as mono float32 samples in [-1, 1] at ``sample_rate`` (16 kHz default).

    Damaged packets are skipped (their time is lost, as in players); when more than a fifth
    of them fail, or nothing decodes, the recording is refused.

    Raises:
        MediaError: As :func:`probe` (missing, empty, not media, no sound track, damaged).
    """
    _, container = _open(path)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
    chunks: list[np.ndarray] = []
    ok = failed = 0
    error = ""
    with container:
        if not container.streams.audio:
            raise MediaError(MSG_NO_AUDIO, detail="no audio stream")
        stream = container.streams.audio[0]
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.FFmpegError:
                    failed += 1
                    continue
                ok += 1
                for frame in frames:
                    frame.pts = None  # timestamps may jump after a damaged packet
                    for out in resampler.resample(frame):
                        chunks.append(out.to_ndarray().reshape(-1).copy())
        except av.error.FFmpegError as exc:
            error = f"{type(exc).__name__}: {exc}"
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1).copy())
    # PyAV's resampler holds FFmpeg buffers until collected (faster-whisper issue 390).
    del resampler
    gc.collect()
    if failed and failed > 0.2 * (ok + failed):
        raise MediaError(MSG_CORRUPT, detail=f"{failed} of {ok + failed} audio packets failed")
    if not chunks:
        raise MediaError(MSG_CORRUPT if (failed or error) else MSG_NO_SOUND_DATA, detail=error)
    return np.concatenate(chunks).astype(np.float32, copy=False)


def remux_seekable(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> bool:
    """Copy a browser recording's streams into a new WebM file with a duration and an index
    (cues), without re-encoding. MediaRecorder writes WebM as a live stream, with neither, so
    players can't show its length or seek in it. Returns ``False`` (and writes nothing usable)
    when the file can't be remuxed; the caller keeps the original then."""
    try:
        with av.open(str(src)) as source, av.open(str(dst), "w", format="webm") as target:
            mapping = {}
            for stream in source.streams:
                if stream.type in ("audio", "video"):
                    mapping[stream.index] = target.add_stream_from_template(stream)
            if not mapping:
                return False
            for packet in source.demux(*[source.streams[i] for i in mapping]):
                if packet.dts is None:
                    continue  # the demuxer's end-of-stream marker
                packet.stream = mapping[packet.stream.index]
                target.mux(packet)
    except (av.error.FFmpegError, ValueError, OSError):
        return False
    return Path(dst).stat().st_size > 0
