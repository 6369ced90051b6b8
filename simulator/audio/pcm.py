"""The one internal audio format and the conversions into and out of it.

Inside the program audio is always float32 mono at 16 kHz with values in [-1, 1], passed
around as 1-D numpy arrays in 30 ms blocks. Other rates, channel counts and sample widths
exist only at the file and device edges, and are converted here.
"""

from __future__ import annotations

import os
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr
from numpy.typing import NDArray

from simulator.errors import AudioFileError

SAMPLE_RATE_HZ = 16_000
"""The internal sample rate."""
BLOCK_MS = 30
BLOCK_SAMPLES = SAMPLE_RATE_HZ * BLOCK_MS // 1000  # 480 samples per 30 ms block

Block = NDArray[np.float32]
"""A 1-D float32 mono array at `SAMPLE_RATE_HZ` (a block, or a whole recording)."""

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff")
"""File types `read_audio` reads (libsndfile), and so every command that takes recordings."""
MIN_FILE_RATE_HZ = 4_000
MAX_FILE_RATE_HZ = 384_000
"""Sample rates accepted from a file header. A damaged header saying 1 Hz made the
resampler produce 16,000 samples per input sample (6.3 GB, 237 s); 2147483647 Hz hung it."""
MAX_FILE_CHANNELS = 64
MAX_FILE_S = 3_600.0
"""Longest recording read (the most `--max-answer-s` allows): a bound on memory."""


@dataclass(frozen=True)
class Sound:
    """Audio at an arbitrary rate, as produced by a voice, before it reaches a speaker."""

    samples: NDArray[np.float32]
    """1-D float32 mono samples in [-1, 1]."""
    sample_rate_hz: int
    """Samples per second."""

    @property
    def duration_s(self) -> float:
        """Length in seconds, from the sample count."""
        return len(self.samples) / self.sample_rate_hz


def to_mono(samples: NDArray[np.floating]) -> NDArray[np.float32]:
    """Average the channels of a (frames, channels) array; pass 1-D arrays through."""
    if samples.ndim == 1:
        return samples.astype(np.float32, copy=False)
    return samples.mean(axis=1, dtype=np.float32)


def resample(samples: NDArray[np.float32], from_hz: int, to_hz: int) -> NDArray[np.float32]:
    """Resample mono audio with soxr (linear phase, anti-aliased; any rational ratio).

    soxr replaced a hand-written Kaiser-sinc filter (with an `np.interp` fallback for
    44.1 kHz): it is faster and cleaner on every conversion the program makes
    (`scripts/bench_resample.py` measures both in one run).
    """
    if from_hz == to_hz or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    if not (MIN_FILE_RATE_HZ // 2 <= from_hz <= MAX_FILE_RATE_HZ
            and MIN_FILE_RATE_HZ // 2 <= to_hz <= MAX_FILE_RATE_HZ):
        raise ValueError(f"resampling {from_hz} Hz -> {to_hz} Hz is out of bounds")
    out = soxr.resample(np.ascontiguousarray(samples, dtype=np.float32), from_hz, to_hz)
    return np.asarray(out, dtype=np.float32)


def to_internal(samples: NDArray[np.floating], sample_rate_hz: int) -> Block:
    """Convert any float array (mono or (frames, channels)) to the internal format."""
    mono = to_mono(np.asarray(samples, dtype=np.float32))
    out = resample(mono, sample_rate_hz, SAMPLE_RATE_HZ)
    return np.clip(out, -1.0, 1.0).astype(np.float32, copy=False)


def float_to_int16(samples: NDArray[np.float32]) -> NDArray[np.int16]:
    """Scale [-1, 1] floats to int16, clipping out-of-range values."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype(np.int16)


def read_audio(path: Path) -> Block:
    """Read an audio file (`AUDIO_SUFFIXES`) of any sensible rate, width and channel count
    as internal audio. The header is checked before anything is decoded or resampled.

    Raises:
        AudioFileError: the file is missing, empty, truncated, not audio, or its header gives
            a rate, channel count or length out of bounds (names the file).
    """
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise AudioFileError(f"{path}: the file is empty")
    import soundfile  # soundfile brings libsndfile: FLAC, MP3, 24-bit and float WAVs

    try:
        _check_header(path, soundfile.info(str(path)))
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as e:
        raise AudioFileError(f"{path}: not a readable audio file ({e})") from e
    if data.shape[0] == 0:
        raise AudioFileError(f"{path}: the file holds no audio samples")
    if not np.all(np.isfinite(data)):
        raise AudioFileError(f"{path}: corrupt audio (samples that are not numbers)")
    return to_internal(data, int(rate))


def _check_header(path: Path, info: object) -> None:
    rate = int(getattr(info, "samplerate", 0))
    channels = int(getattr(info, "channels", 0))
    frames = int(getattr(info, "frames", 0))
    if not MIN_FILE_RATE_HZ <= rate <= MAX_FILE_RATE_HZ:
        raise AudioFileError(f"{path}: sample rate {rate} Hz is outside {MIN_FILE_RATE_HZ}-"
                             f"{MAX_FILE_RATE_HZ} Hz (a damaged header?)")
    if not 1 <= channels <= MAX_FILE_CHANNELS:
        raise AudioFileError(f"{path}: {channels} channels (1 to {MAX_FILE_CHANNELS} accepted)")
    if frames / rate > MAX_FILE_S:
        raise AudioFileError(f"{path}: {frames / rate / 60:.0f} minutes of audio; recordings "
                             f"of up to {MAX_FILE_S / 60:.0f} minutes are read")


def write_wav(
    path: Path, samples: NDArray[np.float32], sample_rate_hz: int = SAMPLE_RATE_HZ
) -> Path:
    """Write mono float audio as a 16-bit PCM WAV, atomically (temp file, then rename).

    Returns:
        The path written.

    Raises:
        AudioFileError: the folder is missing or not writable (names the file).
    """
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise AudioFileError(f"{path}: cannot write ({e.strerror})") from e
    try:
        with os.fdopen(fd, "wb") as handle, wave.open(handle, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate_hz)
            wav.writeframes(float_to_int16(samples).tobytes())
        os.replace(tmp_name, path)
    except OSError as e:
        Path(tmp_name).unlink(missing_ok=True)
        raise AudioFileError(f"{path}: cannot write ({e.strerror})") from e
    return path


def blocks(samples: Block, block_samples: int = BLOCK_SAMPLES) -> Iterator[Block]:
    """Split audio into consecutive blocks; the last one is zero-padded to full length."""
    for start in range(0, len(samples), block_samples):
        block = samples[start : start + block_samples]
        if len(block) < block_samples:
            block = np.pad(block, (0, block_samples - len(block)))
        yield block


def rms_dbfs(samples: NDArray[np.float32]) -> float:
    """RMS level in dB relative to full scale (-inf for digital silence)."""
    if len(samples) == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")
