"""Bad audio in, through the CLI and `read_audio`: unreadable files are refused with one line
naming the file and exit code 2; odd but valid formats are converted, not refused; silence,
noise, clipping and a 10-minute answer neither crash nor invent an answer.

No Whisper model is loaded here: the CLI paths that would transcribe get a scripted
transcriber through the composition root's parts factory (`tests.fakes.run_scripted`), so
these tests stay fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from simulator.audio.pcm import SAMPLE_RATE_HZ, read_audio
from simulator.audio.replay import WavReplaySource
from simulator.cli import main
from simulator.config import LimitsConfig, VadConfig
from simulator.errors import AudioFileError
from simulator.listen.recorder import EndReason, record_answer
from tests.fakes import ScriptedTranscriber, run_scripted

ROOT = Path(__file__).resolve().parents[2]
ANSWER_TEXT = ("I'm so sorry about that. Let me check the order in our system; it will ship "
               "today and I'll add free delivery.")


def _speechlike(seconds: float, rate: int, amplitude: float = 0.2) -> np.ndarray:
    """Half a second of silence, then a syllable-rate modulated tone (speech for the VAD)."""
    t = np.arange(int(seconds * rate)) / rate
    voiced = amplitude * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    return np.concatenate([np.zeros(rate // 2), voiced])


def _one_line_error(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.fixture
def scripted() -> ScriptedTranscriber:
    """A scripted transcriber, put into the composition root by `run_scripted` (no model)."""
    return ScriptedTranscriber([ANSWER_TEXT] * 4, language="en")


def _replay_json(scripted: ScriptedTranscriber, path: Path, capsys: pytest.CaptureFixture[str],
                 *extra: str) -> dict:
    code = run_scripted(scripted, ["replay", str(path), "--bank", "cs-en", "--question", "2",
                                   "--json", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


# --- unreadable files: one line naming the file, exit 2 ---------------------------------------


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _header_only(path: Path) -> None:
    soundfile.write(path, np.zeros(16000), 16000, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:44])


def _cut_inside_header(path: Path) -> None:
    soundfile.write(path, np.zeros(16000), 16000, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:20])


def _text_renamed(path: Path) -> None:
    path.write_text("Dear hiring manager,\nthis is my answer, typed, not spoken.\n")


def _random_bytes(path: Path) -> None:
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())


UNREADABLE = [
    pytest.param(_empty, "empty", id="empty-file"),
    pytest.param(_header_only, "no audio samples", id="header-only"),
    pytest.param(_cut_inside_header, "not a readable audio file", id="cut-inside-header"),
    pytest.param(_text_renamed, "not a readable audio file", id="text-renamed-wav"),
    pytest.param(_random_bytes, "not a readable audio file", id="random-bytes"),
]


@pytest.mark.parametrize(("make", "needle"), UNREADABLE)
def test_unreadable_file_through_transcribe(make, needle: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`transcribe BAD.wav`: exit 2 and one line naming the file and what is wrong."""
    path = tmp_path / "answer.wav"
    make(path)
    assert main(["transcribe", str(path)]) == 2
    _one_line_error(capsys, str(path), needle)


@pytest.mark.parametrize(("make", "needle"), UNREADABLE)
def test_unreadable_file_through_score_audio(make, needle: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`score --audio BAD.wav`: the file is refused before any model is loaded."""
    path = tmp_path / "answer.wav"
    make(path)
    assert main(["score", "--bank", "cs-en", "--question", "2", "--audio", str(path)]) == 2
    _one_line_error(capsys, str(path), needle)


@pytest.mark.parametrize(("make", "needle"), UNREADABLE)
def test_unreadable_file_through_replay(make, needle: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                        capsys: pytest.CaptureFixture[str],
                                        scripted: ScriptedTranscriber) -> None:
    """`replay BAD.wav --bank --question`: exit 2, one line, nothing transcribed."""
    path = tmp_path / "answer.wav"
    make(path)
    assert run_scripted(scripted, ["replay", str(path), "--bank", "cs-en", "--question", "2"]) == 2
    _one_line_error(capsys, str(path), needle)
    assert scripted.calls == []


def test_missing_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that does not exist is named, exit 2."""
    path = tmp_path / "nowhere.wav"
    assert main(["transcribe", str(path)]) == 2
    _one_line_error(capsys, str(path), "no such audio file")


def test_truncated_wav_keeps_the_samples_present(tmp_path: Path) -> None:
    """A WAV whose data was cut off (header promises 1 s) yields the samples that are there."""
    path = tmp_path / "cut.wav"
    rate = 16000
    t = np.arange(rate) / rate
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * 440 * t), rate, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[: 44 + 10_001])  # 5000.5 frames of 16-bit mono
    audio = read_audio(path)
    assert len(audio) == 5000
    assert np.all(np.isfinite(audio)) and np.abs(audio).max() == pytest.approx(0.3, abs=0.01)


# --- odd but valid formats: converted, not refused -------------------------------------------


def _dominant_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio))
    return float(np.argmax(spectrum)) * SAMPLE_RATE_HZ / len(audio)


@pytest.mark.parametrize(
    ("rate", "channels", "subtype"),
    [pytest.param(8000, 1, "PCM_16", id="8kHz-mono"),
     pytest.param(48000, 2, "PCM_16", id="48kHz-stereo"),
     pytest.param(16000, 1, "PCM_24", id="24-bit"),
     pytest.param(44100, 2, "PCM_24", id="44.1kHz-stereo-24-bit"),
     pytest.param(22050, 1, "PCM_U8", id="8-bit-unsigned")],
)
def test_odd_format_converts_to_16k_mono(tmp_path: Path, rate: int, channels: int,
                                         subtype: str) -> None:
    """Rate, channels and width are converted; length and pitch survive."""
    t = np.arange(2 * rate) / rate
    mono = 0.3 * np.sin(2 * np.pi * 440 * t)
    data = np.stack([mono] * channels, axis=1) if channels > 1 else mono
    path = tmp_path / "odd.wav"
    soundfile.write(path, data, rate, subtype=subtype)
    audio = read_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == pytest.approx(2 * SAMPLE_RATE_HZ, abs=2)
    assert _dominant_hz(audio) == pytest.approx(440, abs=1)
    assert np.sqrt(np.mean(audio[1000:-1000] ** 2)) == pytest.approx(0.3 / np.sqrt(2), rel=0.05)


def test_stereo_with_one_silent_channel_is_averaged(tmp_path: Path) -> None:
    """Stereo becomes the mean of its channels: a one-sided recording is 6 dB quieter."""
    rate = 48000
    t = np.arange(rate) / rate
    left = 0.4 * np.sin(2 * np.pi * 300 * t)
    path = tmp_path / "left-only.wav"
    soundfile.write(path, np.stack([left, np.zeros_like(left)], axis=1), rate, subtype="PCM_16")
    audio = read_audio(path)
    assert np.abs(audio[1000:-1000]).max() == pytest.approx(0.2, abs=0.01)


def test_24_bit_precision_is_kept(tmp_path: Path) -> None:
    """Quiet 24-bit audio is not quantised to 16 bits on the way in."""
    rate = 16000
    t = np.arange(rate) / rate
    quiet = 1e-4 * np.sin(2 * np.pi * 200 * t)  # about 3 steps of a 16-bit sample
    path = tmp_path / "quiet24.wav"
    soundfile.write(path, quiet, rate, subtype="PCM_24")
    audio = read_audio(path)
    assert np.abs(audio - quiet).max() < 1e-6


@pytest.mark.parametrize(
    ("rate", "channels", "subtype"),
    [pytest.param(8000, 1, "PCM_16", id="8kHz"),
     pytest.param(48000, 2, "PCM_16", id="48kHz-stereo"),
     pytest.param(16000, 1, "PCM_24", id="24-bit")],
)
def test_odd_format_replays_through_the_loop(tmp_path: Path, rate: int, channels: int,
                                             subtype: str, capsys: pytest.CaptureFixture[str],
                                             scripted: ScriptedTranscriber) -> None:
    """`replay` of an odd-format answer: endpointed, transcribed, scored like any other."""
    voiced = _speechlike(4.0, rate)
    data = np.stack([voiced] * channels, axis=1) if channels > 1 else voiced
    path = tmp_path / "answer.wav"
    soundfile.write(path, data, rate, subtype=subtype)
    document = _replay_json(scripted, path, capsys)
    answer = document["turns"][0]["answer"]
    assert answer["end_reason"] == "silence"
    assert answer["speech_start_s"] is not None
    assert answer["speech_end_s"] - answer["speech_start_s"] == pytest.approx(4.0, abs=0.1)
    assert len(scripted.calls) == 1
    assert document["turns"][0]["score"]["points"] > 0


# --- floats out of range, clipping, non-finite samples ---------------------------------------


def test_float_wav_beyond_full_scale_is_clipped(tmp_path: Path) -> None:
    """A float WAV with samples at +-3.0 comes in clipped to [-1, 1]."""
    path = tmp_path / "hot.wav"
    t = np.arange(16000) / 16000
    soundfile.write(path, 3.0 * np.sin(2 * np.pi * 200 * t), 16000, subtype="FLOAT")
    audio = read_audio(path)
    assert audio.max() <= 1.0 and audio.min() >= -1.0
    assert audio.max() == pytest.approx(1.0)


def test_hard_clipped_answer_is_still_an_answer(tmp_path: Path) -> None:
    """A hard-clipped recording (square-ish wave at full scale) is endpointed normally."""
    rate = 16000
    t = np.arange(3 * rate) / rate
    clipped = np.clip(3.0 * np.sin(2 * np.pi * 200 * t), -1.0, 1.0)
    path = tmp_path / "clipped.wav"
    soundfile.write(path, np.concatenate([np.zeros(rate), clipped]), rate, subtype="PCM_16")
    recording = record_answer(WavReplaySource([path]).open_answer(), VadConfig(), LimitsConfig())
    assert recording.end_reason is EndReason.SILENCE
    assert recording.speech_end_s - recording.speech_start_s == pytest.approx(3.0, abs=0.1)
    assert np.abs(recording.audio).max() <= 1.0


def test_shipped_clipping_fixture_reads_within_full_scale(fixtures_dir: Path) -> None:
    """The shipped clipping fixture reads in range and its answer is found."""
    path = fixtures_dir / "en-1-clipping.wav"
    assert np.abs(read_audio(path)).max() <= 1.0
    recording = record_answer(WavReplaySource([path]).open_answer(), VadConfig(), LimitsConfig())
    assert recording.has_speech and recording.end_reason is EndReason.SILENCE


def test_float_wav_with_nan_samples_is_not_passed_on(tmp_path: Path) -> None:
    """A corrupt float WAV with NaN samples never reaches the loop as NaN."""
    path = tmp_path / "nan.wav"
    t = np.arange(32000) / 16000
    samples = 0.3 * np.sin(2 * np.pi * 300 * t)
    samples[8000:9000] = np.nan
    soundfile.write(path, samples, 16000, subtype="FLOAT")
    try:
        audio = read_audio(path)
    except AudioFileError as e:
        assert str(path) in str(e) and len(str(e).splitlines()) == 1
        return
    assert np.all(np.isfinite(audio))


# --- silence and noise: no answer is invented ------------------------------------------------


def _write_silence(path: Path) -> None:
    soundfile.write(path, np.zeros(5 * 16000), 16000, subtype="PCM_16")


def _write_noise(path: Path) -> None:
    noise = 0.03 * np.random.default_rng(3).standard_normal(6 * 16000)  # about -30 dBFS
    soundfile.write(path, noise, 16000, subtype="PCM_16")


@pytest.mark.parametrize("make", [pytest.param(_write_silence, id="silence"),
                                  pytest.param(_write_noise, id="steady-noise")])
def test_silence_or_noise_only_scores_zero_without_transcribing(
        make, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
        scripted: ScriptedTranscriber) -> None:
    """No speech detected: the recogniser is not asked, nothing is heard, the score is 0."""
    path = tmp_path / "nothing.wav"
    make(path)
    document = _replay_json(scripted, path, capsys)
    turn = document["turns"][0]
    assert turn["answer"]["speech_start_s"] is None
    assert turn["answer"]["end_reason"] in ("source_ended", "no_speech")
    assert turn["transcript"]["text"] == ""
    assert turn["score"]["points"] == 0
    assert scripted.calls == []


@pytest.mark.parametrize("fixture_id", ["silence-digital", "silence-room-tone", "noise-pink",
                                        "noise-brown"])
def test_shipped_silence_and_noise_are_not_an_answer_to_the_endpointer(
        fixture_id: str, fixtures_dir: Path) -> None:
    """The shipped silence/noise fixtures never count as a started answer."""
    path = fixtures_dir / f"{fixture_id}.wav"
    recording = record_answer(WavReplaySource([path]).open_answer(), VadConfig(), LimitsConfig())
    assert not recording.has_speech, recording.end_reason


# --- a 10-minute answer ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ten_minute_answer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten minutes of syllable-like bursts with short gaps (never a pause that ends it)."""
    rate = 16000
    t = np.arange(int(0.8 * rate)) / rate
    syllables = 0.2 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    burst = np.concatenate([syllables, np.zeros(int(0.3 * rate))])
    total = 600 * rate
    audio = np.concatenate([np.zeros(rate // 2), np.tile(burst, total // len(burst) + 1)])[:total]
    path = tmp_path_factory.mktemp("long") / "ten-minutes.wav"
    soundfile.write(path, audio, rate, subtype="PCM_16")
    return path


@pytest.mark.parametrize("max_answer_s", [30.0, 180.0])
def test_ten_minute_answer_is_cut_at_max_answer(ten_minute_answer: Path,
                                                max_answer_s: float) -> None:
    """The recorder stops a 10-minute answer at --max-answer-s with end_reason max_length."""
    recording = record_answer(WavReplaySource([ten_minute_answer]).open_answer(), VadConfig(),
                              LimitsConfig(max_answer_s=max_answer_s))
    assert recording.end_reason is EndReason.MAX_LENGTH
    assert max_answer_s <= recording.duration_s <= max_answer_s + 1.0


def test_ten_minute_answer_replayed_and_saved(ten_minute_answer: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              scripted: ScriptedTranscriber) -> None:
    """`replay --max-answer-s 30 --save`: max_length in the record, a 30 s WAV kept."""
    sessions = tmp_path / "sessions"
    document = _replay_json(scripted, ten_minute_answer, capsys, "--max-answer-s", "30", "--save",
                            "--sessions-dir", str(sessions))
    answer = document["turns"][0]["answer"]
    assert answer["end_reason"] == "max_length"
    assert 30.0 <= answer["duration_s"] <= 31.0
    folder = Path(document["session_folder"])
    saved = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    assert saved["status"] == "complete"
    wav = folder / saved["turns"][0]["answer"]["wav"]
    assert soundfile.info(wav).duration == pytest.approx(answer["duration_s"], abs=0.01)
    assert len(scripted.calls) == 1 and scripted.calls[0] == pytest.approx(
        answer["duration_s"] * SAMPLE_RATE_HZ, abs=1)
