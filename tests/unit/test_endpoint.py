"""Endpointing and recording on synthesised audio: no files, no sleeps."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.audio.pcm import blocks
from simulator.config import LimitsConfig, VadConfig
from simulator.listen.endpoint import Endpointer, VadState
from simulator.listen.recorder import EndReason, record_answer
from tests.fakes import silence, tone

VAD = VadConfig(stop_s=1.5)  # the bound before issue 13; these tests are about the endpointer
LIMITS = LimitsConfig(max_answer_s=20, no_speech_timeout_s=5)


def _noise(seconds: float, level: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * 16000)) * level).astype(np.float32)


def test_answer_ends_after_trailing_silence() -> None:
    """Speech, a short pause, more speech, then silence: one answer ending on silence."""
    audio = np.concatenate([silence(1), tone(2), silence(0.8), tone(1), silence(3)])
    rec = record_answer(blocks(audio), VAD, LIMITS)
    assert rec.end_reason is EndReason.SILENCE
    assert rec.response_latency_s == pytest.approx(1.0, abs=0.05)
    assert rec.trailing_silence_s == pytest.approx(VAD.stop_s, abs=0.05)
    # Pre-roll kept before the start; both bursts inside the recording.
    assert rec.speech_start_s == pytest.approx(VAD.pre_roll_s, abs=0.05)
    assert rec.speech_end_s == pytest.approx(0.5 + 3.8, abs=0.06)


@pytest.mark.parametrize("stop_s", [0.6, 1.0, 2.5])
def test_stop_s_is_respected(stop_s: float) -> None:
    """The trailing-silence wait equals the configured stop_s."""
    audio = np.concatenate([silence(0.5), tone(1.5), silence(4)])
    rec = record_answer(blocks(audio), VadConfig(stop_s=stop_s), LIMITS)
    assert rec.end_reason is EndReason.SILENCE
    assert rec.trailing_silence_s == pytest.approx(stop_s, abs=0.04)


def test_pause_shorter_than_stop_does_not_end_answer() -> None:
    """A 1.2 s pause inside an answer does not end it with stop_s 1.5."""
    audio = np.concatenate([silence(0.5), tone(1), silence(1.2), tone(1), silence(3)])
    rec = record_answer(blocks(audio), VAD, LIMITS)
    assert rec.speech_end_s is not None and rec.speech_end_s > 3.0


def test_silence_times_out_without_speech() -> None:
    """Only silence: the answer ends at the no-speech timeout with no speech."""
    rec = record_answer(blocks(silence(10)), VAD, LIMITS)
    assert rec.end_reason is EndReason.NO_SPEECH
    assert not rec.has_speech
    assert rec.duration_s == pytest.approx(LIMITS.no_speech_timeout_s, abs=0.05)


def test_click_is_not_speech() -> None:
    """A 60 ms click is shorter than start_s and does not start an answer."""
    audio = np.concatenate([silence(1), tone(0.06, 0.5), silence(6)])
    assert not record_answer(blocks(audio), VAD, LIMITS).has_speech


def test_steady_background_noise_is_not_speech() -> None:
    """Stationary noise present from the start is learnt as background."""
    rec = record_answer(blocks(_noise(6, 0.02)), VAD, LIMITS)
    assert not rec.has_speech


def test_speech_over_background_noise_is_found() -> None:
    """Speech 20 dB over steady noise starts and ends an answer."""
    noise = _noise(8, 0.01)
    audio = noise.copy()
    audio[32000:64000] += tone(2, 0.2)
    rec = record_answer(blocks(audio), VAD, LIMITS)
    assert rec.end_reason is EndReason.SILENCE
    assert rec.response_latency_s == pytest.approx(2.0, abs=0.1)


def test_quiet_speaker_at_minus_30_dbfs_is_heard() -> None:
    """A quiet voice (-30 dBFS RMS) in digital silence still counts as speech."""
    amplitude = 10 ** (-30 / 20) * np.sqrt(2)
    audio = np.concatenate([silence(0.5), tone(2, amplitude), silence(3)])
    assert record_answer(blocks(audio), VAD, LIMITS).has_speech


def test_max_answer_length() -> None:
    """Continuous speech is cut at max_answer_s."""
    rec = record_answer(blocks(tone(30)), VAD, LimitsConfig(max_answer_s=5))
    assert rec.end_reason is EndReason.MAX_LENGTH
    assert rec.duration_s == pytest.approx(5 + VAD.calibration_s, abs=0.1)


def test_enter_stops_early() -> None:
    """The stop callback ends the answer at once and keeps the audio."""
    calls = iter(range(1000))
    rec = record_answer(blocks(tone(10)), VAD, LIMITS, stop_requested=lambda: next(calls) >= 100)
    assert rec.end_reason is EndReason.ENTER
    assert rec.duration_s == pytest.approx(101 * 0.03 - VAD.calibration_s + VAD.pre_roll_s,
                                           abs=0.5)


def test_source_end_keeps_audio() -> None:
    """A stream that ends mid-answer keeps what was recorded."""
    rec = record_answer(blocks(np.concatenate([silence(0.5), tone(2)])), VAD, LIMITS)
    assert rec.end_reason is EndReason.SOURCE_ENDED
    assert rec.has_speech


def test_ctrl_c_keeps_recorded_audio() -> None:
    """KeyboardInterrupt during recording ends the answer with the audio kept."""
    def _stream():  # type: ignore[no-untyped-def]
        yield from blocks(np.concatenate([silence(0.5), tone(1.5)]))
        raise KeyboardInterrupt

    rec = record_answer(_stream(), VAD, LIMITS)
    assert rec.end_reason is EndReason.INTERRUPTED
    assert rec.duration_s > 1.5


def test_generator_is_closed_when_recording_ends() -> None:
    """The source generator is closed (device released) when the answer ends."""
    closed = []

    def _stream():  # type: ignore[no-untyped-def]
        try:
            while True:
                yield from blocks(np.concatenate([silence(0.5), tone(1), silence(3)]))
        finally:
            closed.append(True)

    record_answer(_stream(), VAD, LIMITS)
    assert closed == [True]


def test_endpointer_states_in_order() -> None:
    """The state machine passes QUIET, STARTING, SPEAKING, STOPPING and back to QUIET."""
    endpointer = Endpointer(VAD)
    seen = []
    for block in blocks(np.concatenate([silence(0.5), tone(1), silence(2)])):
        state = endpointer.process(block)
        if not seen or seen[-1] is not state:
            seen.append(state)
    assert seen == [VadState.QUIET, VadState.STARTING, VadState.SPEAKING, VadState.STOPPING,
                    VadState.QUIET]
    assert endpointer.ended


def test_device_lost_mid_answer_keeps_audio() -> None:
    """A microphone failing mid-answer ends it with the audio kept and the error attached."""
    from simulator.errors import AudioDeviceError

    def _stream():  # type: ignore[no-untyped-def]
        yield from blocks(np.concatenate([silence(0.5), tone(2)]))
        raise AudioDeviceError("default microphone delivered no audio for 5 s")

    rec = record_answer(_stream(), VAD, LIMITS)
    assert rec.end_reason is EndReason.DEVICE_LOST
    assert rec.has_speech and rec.duration_s > 2
    assert rec.device_error is not None


def test_device_failing_before_any_audio_raises() -> None:
    """A microphone that never delivers raises at once (nothing to keep)."""
    from simulator.errors import AudioDeviceError

    def _stream():  # type: ignore[no-untyped-def]
        raise AudioDeviceError("no usable default input")
        yield  # pragma: no cover

    with pytest.raises(AudioDeviceError):
        record_answer(_stream(), VAD, LIMITS)
