"""Streaming transcription: stretches cut in pauses, nothing lost or doubled at the cuts."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from simulator.audio.pcm import SAMPLE_RATE_HZ, blocks
from simulator.config import LimitsConfig, StreamingConfig, VadConfig
from simulator.listen.recorder import EndReason, record_answer
from simulator.listen.streaming import IncrementalTranscription
from simulator.listen.turn_end import ends_sentence, sentence_end_policy
from simulator.speech.transcript import Transcript, Word
from tests.fakes import silence, tone


class MarkingTranscriber:
    """Returns one word per stretch (plus `ending`), timed at the stretch's first loud sample."""

    def __init__(self, ending: str = "") -> None:
        self.stretches: list[np.ndarray] = []
        self.contexts: list[str] = []
        self.ending = ending

    def transcribe(self, audio, language, context=""):  # type: ignore[no-untyped-def]
        self.stretches.append(audio)
        self.contexts.append(context)
        loud = np.flatnonzero(np.abs(audio) > 0.05)
        start_s = loud[0] / SAMPLE_RATE_HZ if len(loud) else 0.0
        word = f"w{len(self.stretches)}{self.ending}"
        return Transcript(text=word, normalised=word, language=language,
                          words=(Word(word, start_s, start_s + 0.5),))


def _answer() -> np.ndarray:
    parts = [silence(0.5)]
    for _ in range(3):
        parts += [tone(5), silence(0.8)]
    parts[-1] = silence(3)
    return np.concatenate(parts)


class GatedTranscriber(MarkingTranscriber):
    """Holds every call until `release` is set: a worker busy for as long as the test wants."""

    def __init__(self, ending: str = "") -> None:
        super().__init__(ending)
        self.release = threading.Event()

    def transcribe(self, audio, language, context=""):  # type: ignore[no-untyped-def]
        self.release.wait(5)
        return super().transcribe(audio, language, context)


def _run(audio: np.ndarray, config: StreamingConfig, ending: str = "",  # type: ignore[no-untyped-def]
         vad: VadConfig | None = None):
    fake = MarkingTranscriber(ending)
    stream = IncrementalTranscription(fake, "en", config)
    vad = vad or VadConfig()
    # The policy judges sentence ends only once the text is ready (wait): replayed blocks
    # arrive faster than a worker thread transcribes, a microphone's do not.
    rec = record_answer(blocks(audio), vad, LimitsConfig(), observer=stream,
                        turn_end=sentence_end_policy(stream, vad, "en", wait=True))
    return fake, rec, stream.finish(rec.stream_offset_samples, rec.speech_end_sample)


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
    """An answer shorter than min_stretch_s is one piece: the tail transcribed in its last
    pause covers all of it; the earlier speculative piece is dropped, not doubled."""
    audio = np.concatenate([silence(0.5), tone(2), silence(0.6), tone(1), silence(3)])
    fake, rec, transcript = _run(audio, StreamingConfig(min_stretch_s=4))
    last = fake.stretches[-1]
    assert transcript.text == f"w{len(fake.stretches)}" and " " not in transcript.text
    assert len(last) >= rec.stream_offset_samples + int(
        (rec.speech_end_s or 0) * SAMPLE_RATE_HZ)
    assert len(fake.stretches) <= 2


def test_tail_transcribed_in_the_pause_is_used_at_the_end() -> None:
    """When the answer ends, its last piece was already transcribed during the pause:
    finishing submits nothing new."""
    audio = np.concatenate([silence(0.5), tone(2), silence(3)])
    fake = MarkingTranscriber()
    stream = IncrementalTranscription(fake, "en", StreamingConfig(min_stretch_s=4))
    rec = record_answer(blocks(audio), VadConfig(), LimitsConfig(), observer=stream)
    calls_before_finish = len(fake.stretches)
    transcript = stream.finish(rec.stream_offset_samples, rec.speech_end_sample)
    assert calls_before_finish == 1 and len(fake.stretches) == 1
    assert transcript.text == "w1"


def test_finished_sentence_ends_the_answer_after_the_shorter_silence() -> None:
    """Speech whose text ends with a full stop ends the answer after sentence_end_stop_s;
    the same speech heard as unfinished waits for the full stop_s."""
    audio = np.concatenate([silence(0.5), tone(2), silence(3)])
    vad = VadConfig(stop_s=1.5, sentence_end_stop_s=0.6)
    _f, finished, text = _run(audio, StreamingConfig(min_stretch_s=4), ending=".", vad=vad)
    _f, unfinished, _t = _run(audio, StreamingConfig(min_stretch_s=4), ending=" and", vad=vad)
    assert finished.end_reason is EndReason.SENTENCE_END
    assert finished.trailing_silence_s == pytest.approx(0.6, abs=0.04)
    assert text.text == "w1."
    assert unfinished.end_reason is EndReason.SILENCE
    assert unfinished.trailing_silence_s == pytest.approx(1.5, abs=0.04)


def test_sentence_judgement_not_ready_never_stalls_the_recorder() -> None:
    """While the tail's text is still being transcribed the recorder keeps listening (the
    pause's text is not known yet) and the normal stop_s ends the answer."""
    slow = GatedTranscriber(ending=".")
    audio = np.concatenate([silence(0.5), tone(2), silence(3)])
    stream = IncrementalTranscription(slow, "en", StreamingConfig(min_stretch_s=4))
    vad = VadConfig(stop_s=1.5, sentence_end_stop_s=0.6)
    rec = record_answer(blocks(audio), vad, LimitsConfig(), observer=stream,
                        turn_end=sentence_end_policy(stream, vad, "en"))
    slow.release.set()
    assert rec.end_reason is EndReason.SILENCE
    assert stream.finish(rec.stream_offset_samples, rec.speech_end_sample).text == "w1."


def test_no_guess_is_queued_behind_busy_work() -> None:
    """While the worker is busy, a short pause does not queue a speculative tail (it would
    delay the real one): the tail is then transcribed at the end, up to the last sample."""
    fake = GatedTranscriber()
    audio = np.concatenate([silence(0.5), tone(5), silence(0.8), tone(1), silence(0.8),
                            tone(1), silence(3)])
    stream = IncrementalTranscription(fake, "en", StreamingConfig(min_stretch_s=4))
    rec = record_answer(blocks(audio), VadConfig(), LimitsConfig(), observer=stream)
    fake.release.set()
    transcript = stream.finish(rec.stream_offset_samples, rec.speech_end_sample)
    recorded = rec.stream_offset_samples + len(rec.audio)
    assert len(fake.stretches) == 2 and transcript.text == "w1 w2"
    assert len(fake.stretches[0]) + len(fake.stretches[1]) == recorded


def test_sentence_end_silence_at_stop_s_turns_the_shortcut_off() -> None:
    """With sentence_end_stop_s >= stop_s only the normal silence ends an answer."""
    audio = np.concatenate([silence(0.5), tone(2), silence(3)])
    vad = VadConfig(stop_s=1.0, sentence_end_stop_s=1.0)
    _f, rec, _t = _run(audio, StreamingConfig(min_stretch_s=4), ending=".", vad=vad)
    assert rec.end_reason is EndReason.SILENCE


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("我会先向客户道歉。", "zh", True),
    ("我会先向客户道歉", "zh", False),
    ("我会先向客户道歉，然后。", "zh", False),
    ("首先是倾听，嗯。", "zh", False),
    ("我會先道歉，然後。", "zh", False),
    ("我會先道歉。", "zh", True),
    ("I would apologise first.", "en", True),
    ("I would apologise first and.", "en", False),
    ("So, um.", "en", False),
    ("Thank you!", "en", True),
    ("", "en", False),
    ("。", "zh", False),
])
def test_ends_sentence(text: str, language: str, expected: bool) -> None:
    """A full stop ends a sentence unless the last word announces more."""
    assert ends_sentence(text, language) is expected
