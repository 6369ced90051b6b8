"""Streaming transcription: stretches cut in pauses, nothing lost or doubled at the cuts."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.audio.pcm import SAMPLE_RATE_HZ, blocks
from simulator.config import LimitsConfig, StreamingConfig, VadConfig
from simulator.recorder import record_answer
from simulator.streaming import IncrementalTranscription
from simulator.transcript import Transcript, Word
from tests.fakes import silence, tone


class MarkingTranscriber:
    """Returns one word per stretch, timed at the stretch's first loud sample."""

    def __init__(self) -> None:
        self.stretches: list[np.ndarray] = []
        self.contexts: list[str] = []

    def transcribe(self, audio, language, context=""):  # type: ignore[no-untyped-def]
        self.stretches.append(audio)
        self.contexts.append(context)
        loud = np.flatnonzero(np.abs(audio) > 0.05)
        start_s = loud[0] / SAMPLE_RATE_HZ if len(loud) else 0.0
        word = f"w{len(self.stretches)}"
        return Transcript(text=word, normalised=word, language=language,
                          words=(Word(word, start_s, start_s + 0.5),))


def _answer() -> np.ndarray:
    parts = [silence(0.5)]
    for _ in range(3):
        parts += [tone(5), silence(0.8)]
    parts[-1] = silence(3)
    return np.concatenate(parts)


def _run(audio: np.ndarray, config: StreamingConfig):  # type: ignore[no-untyped-def]
    fake = MarkingTranscriber()
    stream = IncrementalTranscription(fake, "en", config)
    rec = record_answer(blocks(audio), VadConfig(), LimitsConfig(), observer=stream)
    end = rec.stream_offset_samples + round(rec.speech_end_s * SAMPLE_RATE_HZ)
    return fake, rec, stream.finish(rec.stream_offset_samples, end)


def test_stretches_are_cut_in_pauses_and_joined_in_order() -> None:
    """Three spoken stretches give three transcriptions, joined in order with context."""
    fake, _rec, transcript = _run(_answer(), StreamingConfig(pause_s=0.45, min_stretch_s=4,
                                                             use_context=True))
    assert transcript.text == "w1 w2 w3"
    assert fake.contexts == ["", "w1", "w1 w2"]


def test_no_audio_lost_or_doubled_at_cuts() -> None:
    """The stretches tile the stream from its start; only trailing silence is left over."""
    audio = _answer()
    fake, rec, _ = _run(audio, StreamingConfig(pause_s=0.45, min_stretch_s=4))
    joined = np.concatenate(fake.stretches)
    recorded = rec.stream_offset_samples + len(rec.audio)
    stream = np.pad(audio, (0, recorded - len(audio))) if recorded > len(audio) else audio
    assert np.array_equal(joined, stream[: len(joined)])
    assert not np.any(stream[len(joined) : recorded])


def test_word_times_are_relative_to_the_kept_recording() -> None:
    """Word timestamps from each stretch are shifted onto the recording's timeline."""
    _fake, rec, transcript = _run(_answer(), StreamingConfig(pause_s=0.45, min_stretch_s=4))
    starts = [w.start_s for w in transcript.words]
    speech_starts = [0.5 + i * 5.8 for i in range(3)]
    offset_s = rec.stream_offset_samples / SAMPLE_RATE_HZ
    assert starts == pytest.approx([s - offset_s for s in speech_starts], abs=0.05)


def test_short_answer_is_one_stretch() -> None:
    """An answer shorter than min_stretch_s is transcribed once, at the end."""
    audio = np.concatenate([silence(0.5), tone(2), silence(0.6), tone(1), silence(3)])
    fake, _rec, transcript = _run(audio, StreamingConfig(min_stretch_s=4))
    assert len(fake.stretches) == 1 and transcript.text == "w1"
