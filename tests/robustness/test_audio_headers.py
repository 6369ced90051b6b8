"""Audio files whose headers lie, and the one audio reader (issue 15).

A WAV whose header said 1 Hz took 237 s and 6.3 GB (the resampler made 16,000 samples of
each one); 2147483647 Hz hung it. `replay x.mp3 --bank … --question …` refused an MP3 that
`transcribe` read. Headers are now checked before anything is decoded or resampled, with
one line naming the file, and every command reads recordings through `read_audio`.
"""

from __future__ import annotations

import json
import resource
import struct
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from simulator.audio import pcm
from simulator.audio.pcm import read_audio
from simulator.errors import AudioFileError
from tests.fakes import ScriptedTranscriber, run_scripted

ROOT = Path(__file__).resolve().parents[2]
SHORT = ROOT / "audio_fixtures" / "en-1-short.wav"


def _with_rate(tmp_path: Path, rate: int) -> Path:
    raw = bytearray(SHORT.read_bytes())
    fmt = raw.index(b"fmt ")
    raw[fmt + 12:fmt + 16] = struct.pack("<I", rate)
    raw[fmt + 16:fmt + 20] = struct.pack("<I", (rate * 2) & 0xFFFFFFFF)
    path = tmp_path / f"rate-{rate}.wav"
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.timeout(60)
@pytest.mark.parametrize("rate", [1, 100, 3_000, 2_147_483_647, 1_000_000])
def test_header_rate_out_of_bounds_is_refused_at_once(
        tmp_path: Path, rate: int, capsys: pytest.CaptureFixture[str]) -> None:
    """`transcribe` of a WAV saying 1 Hz or 2^31-1 Hz: one line naming the file and the rate,
    exit 2, in well under a second and without growing the process."""
    path = _with_rate(tmp_path, rate)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    code = run_scripted(ScriptedTranscriber(["never"], language="en"),
                        ["transcribe", str(path), "--lang", "en"])
    elapsed = time.perf_counter() - started
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert str(path) in err and f"{rate} Hz" in err
    assert elapsed < 30  # was 237 s (1 Hz) or a hang; generous for a loaded machine
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 200_000  # kB


def test_resampler_refuses_absurd_ratios() -> None:
    """The resampler itself refuses a ratio no device or file can have (defence in depth)."""
    with pytest.raises(ValueError, match="out of bounds"):
        pcm.resample(np.zeros(10, dtype=np.float32), 1, 16_000)
    with pytest.raises(ValueError, match="out of bounds"):
        pcm.resample(np.zeros(10, dtype=np.float32), 2_147_483_647, 16_000)


def test_too_long_a_recording_is_refused_before_decoding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The length in the header is checked against the bound before samples are read."""
    monkeypatch.setattr(pcm, "MAX_FILE_S", 1.0)
    with pytest.raises(AudioFileError, match="minutes"):
        read_audio(SHORT)


@pytest.mark.parametrize(("rate", "channels", "needle"), [
    (3_999, 1, "3999 Hz"), (384_001, 1, "384001 Hz"), (16_000, 65, "65 channels")])
def test_edges_of_the_bounds(tmp_path: Path, rate: int, channels: int, needle: str) -> None:
    """Just outside the bounds: refused with the number; just inside: read."""
    path = tmp_path / "edge.wav"
    soundfile.write(path, np.zeros((rate // 10, channels)), rate, subtype="PCM_16")
    with pytest.raises(AudioFileError, match=needle):
        read_audio(path)


def test_odd_but_valid_rates_are_still_read(tmp_path: Path) -> None:
    """8 kHz telephone audio and 96 kHz studio audio are converted, not refused."""
    for rate in (4_000, 8_000, 96_000, 384_000):
        path = tmp_path / f"ok-{rate}.wav"
        soundfile.write(path, 0.1 * np.sin(np.arange(rate) * 0.05), rate)
        assert abs(len(read_audio(path)) - 16_000) <= 2


def test_replay_reads_the_mp3_that_transcribe_reads(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One reader: `replay x.mp3 --bank --question` plays what `transcribe x.mp3` reads."""
    data, rate = soundfile.read(SHORT)
    mp3 = tmp_path / "answer.mp3"
    try:
        soundfile.write(mp3, data, rate, format="MP3")
    except (soundfile.LibsndfileError, TypeError, ValueError) as e:
        pytest.skip(f"this libsndfile cannot write MP3: {e}")
    code = run_scripted(ScriptedTranscriber(["Sure."], language="en"),
                        ["transcribe", str(mp3), "--lang", "en", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["files"][0]["text"] == "Sure."
    code = run_scripted(ScriptedTranscriber(["Sure, I enjoy helping people."], language="en"),
                        ["replay", str(mp3), "--bank", "cs-en", "--question", "1", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    turns = json.loads(captured.out)["turns"]
    assert len(turns) == 1 and turns[0]["answer"]["source_file"].endswith("answer.mp3")
    folder = tmp_path / "folder"
    folder.mkdir()
    mp3.rename(folder / "a.mp3")
    code = run_scripted(ScriptedTranscriber(["Sure."], language="en"),
                        ["replay", str(folder), "--bank", "cs-en", "--question", "1", "--json"])
    assert code == 0 and len(json.loads(capsys.readouterr().out)["turns"]) == 1
