"""Audio files of any format become float32 mono 16 kHz; bad files get named errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from simulator.audio.pcm import SAMPLE_RATE_HZ, read_audio, resample, write_wav
from simulator.errors import AudioFileError
from tests.fakes import tone


@pytest.mark.parametrize(
    ("rate", "channels", "subtype", "fmt"),
    [(8000, 1, "PCM_16", "WAV"), (48000, 2, "PCM_16", "WAV"), (44100, 1, "PCM_24", "WAV"),
     (16000, 1, "FLOAT", "WAV"), (22050, 2, "PCM_16", "FLAC")],
)
def test_formats_convert_to_internal(tmp_path: Path, rate: int, channels: int, subtype: str,
                                     fmt: str) -> None:
    """Rates, channel counts and sample widths all convert to 16 kHz mono float32."""
    t = np.arange(rate) / rate
    mono = 0.3 * np.sin(2 * np.pi * 440 * t)
    data = np.stack([mono] * channels, axis=1) if channels > 1 else mono
    path = tmp_path / f"a.{fmt.lower()}"
    soundfile.write(path, data, rate, subtype=subtype, format=fmt)
    audio = read_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == pytest.approx(SAMPLE_RATE_HZ, abs=2)
    spectrum = np.abs(np.fft.rfft(audio))
    assert np.argmax(spectrum) == pytest.approx(440, abs=2)


def test_downsampling_removes_content_above_nyquist() -> None:
    """A 10 kHz tone at 48 kHz does not alias into the 16 kHz signal."""
    t = np.arange(48000) / 48000
    high = np.sin(2 * np.pi * 10000 * t).astype(np.float32)
    assert np.abs(resample(high, 48000, 16000)[100:-100]).max() < 0.01


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (b"hello, this is text", "not a readable audio file"),
     (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a readable audio file")],
)
def test_bad_files_are_named(tmp_path: Path, content: bytes, needle: str) -> None:
    """Empty, text and truncated files raise AudioFileError naming the file."""
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFileError, match=needle) as info:
        read_audio(path)
    assert str(path) in str(info.value)


def test_wav_round_trip_is_atomic(tmp_path: Path) -> None:
    """write_wav leaves only the final file and reads back within int16 precision."""
    audio = tone(1, 0.5)
    path = write_wav(tmp_path / "x.wav", audio)
    assert [p.name for p in tmp_path.iterdir()] == ["x.wav"]
    assert np.max(np.abs(read_audio(path) - audio)) < 1e-3


def test_write_into_missing_folder_is_named(tmp_path: Path) -> None:
    """Writing into a folder that does not exist raises AudioFileError naming the path."""
    with pytest.raises(AudioFileError, match="missing"):
        write_wav(tmp_path / "missing" / "x.wav", tone(0.1))
