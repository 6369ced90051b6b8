"""The one answer pipeline: capture an answer from a source, for practice and calls alike.

`capture_answer` clears the stop signal, announces that it is listening (the screen's
meter sees every block), opens the source, records with endpointing, turn-taking and
(live) streaming transcription, gives one second chance when nobody started within the
thinking time, saves the WAV through the record sink the moment the answer ends, finishes
or performs the transcription, and measures the delivery. It returns an `Answer`; practice
then scores it and gives feedback, a call reads it to choose the customer's next step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from simulator.config import (
    DeliveryConfig,
    LimitsConfig,
    StreamingConfig,
    TurnTakingConfig,
    VadConfig,
)
from simulator.delivery.measure import measure_delivery
from simulator.delivery.model import Delivery
from simulator.listen.endpoint import Endpointer
from simulator.listen.recorder import (
    AudioBuffer,
    BlockObserver,
    EndReason,
    Recording,
    record_answer,
)
from simulator.listen.streaming import IncrementalTranscription
from simulator.listen.turn_end import turn_taking_policy
from simulator.ports import LoopParts, Transcriber
from simulator.speech.transcript import Transcript

MIN_TRANSCRIBE_S = 0.3
"""Recordings shorter than this, with no detected speech, are not sent to the recogniser."""


@dataclass(frozen=True, kw_only=True)
class ListenSettings:
    """The slices of configuration one answer needs."""

    vad: VadConfig
    limits: LimitsConfig
    streaming: StreamingConfig | None = None
    """Transcribe in stretches while the answer is spoken; None transcribes it afterwards."""
    delivery: DeliveryConfig | None = None
    """Measure pace, fillers, pauses and loudness (None: skip)."""
    turn_taking: TurnTakingConfig = TurnTakingConfig()
    """End phrases and the end-of-turn model's thresholds (with `LoopParts.turn_model`)."""


@dataclass(frozen=True)
class Answer:
    """One captured answer: the audio, what was heard, how it sounded, where it was saved."""

    recording: Recording
    transcript: Transcript
    delivery: Delivery | None
    wav: Path | None
    """The saved answer audio (None: no sink, or nothing recorded)."""
    source_file: Path | None
    """For replay: the recorded answer that was played in."""
    ended_at: float
    """The loop clock when the recording ended (seconds)."""
    transcribe_s: float
    """From the end of the recording to the transcript (the part the user waits for)."""

    def without_audio(self) -> Answer:
        """This answer minus its samples (saved in `wav` when there is a sink), for keeping."""
        return replace(self, recording=self.recording.without_audio())


class _Observers:
    """Several block observers as one (streaming transcription and the screen's meter)."""

    def __init__(self, observers: Sequence[BlockObserver]) -> None:
        self._observers = observers

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        for observer in self._observers:
            observer.feed(audio, endpointer)


def capture_answer(parts: LoopParts, settings: ListenSettings, *, index: int, language: str,
                   label: str = "", nudge: Callable[[], None] | None = None) -> Answer:
    """Listen to one answer, save it, transcribe it and measure its delivery.

    Args:
        parts: the source, transcriber, record sink, stop signal, clock and callbacks.
        settings: endpointing, limits, streaming and delivery options.
        index: the turn number (names the WAV).
        language: the expected language of the answer ("zh" or "en").
        label: added to the WAV's name (practice: the question id).
        nudge: when nobody starts within the thinking time, called once ("take your time,
            please start") and the answer is listened for again; None: no second chance.

    Raises:
        AudioDeviceError: the microphone failed before anything was recorded.
        AnswersExhausted: replayed answers ran out.
    """
    recording, stream = _record(parts, settings, language)
    if recording.end_reason is EndReason.NO_SPEECH and nudge is not None:
        if stream is not None:
            stream.close()
        nudge()
        recording, stream = _record(parts, settings, language)
    ended_at = parts.clock()
    wav = (parts.sink.save_answer(index, recording, label) if parts.sink is not None
           else None)
    busy = (parts.on_busy("transcribing") if parts.on_busy is not None
            else contextlib.nullcontext())
    with busy:
        transcript = transcribe_recording(recording, language, parts.transcriber, stream)
    transcribe_s = parts.clock() - ended_at
    if parts.on_heard is not None:
        parts.on_heard(transcript)
    delivery = (measure_delivery(transcript, recording.audio, recording.response_latency_s,
                                 settings.delivery) if settings.delivery is not None else None)
    return Answer(recording=recording, transcript=transcript, delivery=delivery, wav=wav,
                  source_file=getattr(parts.source, "current_file", None), ended_at=ended_at,
                  transcribe_s=transcribe_s)


def _record(parts: LoopParts, settings: ListenSettings,
            language: str) -> tuple[Recording, IncrementalTranscription | None]:
    """One listening: the microphone open from the first block to the answer's end."""
    parts.stop.clear()
    view = parts.on_listening() if parts.on_listening is not None else None
    blocks = parts.source.open_answer()
    stream = (IncrementalTranscription(parts.transcriber, language, settings.streaming)
              if settings.streaming is not None and settings.streaming.enabled else None)
    observers: list[BlockObserver] = [o for o in (stream, view) if o is not None]
    policy = turn_taking_policy(stream, parts.turn_model, settings.vad, settings.turn_taking,
                                language)
    try:
        recording = record_answer(blocks, settings.vad, settings.limits,
                                  stop_requested=parts.stop,
                                  observer=_Observers(observers) if observers else None,
                                  turn_end=policy)
    finally:
        if view is not None:
            view.close()
    return recording, stream


def transcribe_recording(recording: Recording, language: str, transcriber: Transcriber,
                         stream: IncrementalTranscription | None) -> Transcript:
    """The transcript of a recording: the streamed pieces joined, or one transcription of
    the whole recording; nothing for a recording with no speech worth sending."""
    if stream is not None:
        if recording.has_speech and recording.speech_end_sample is not None:
            return stream.finish(recording.stream_offset_samples, recording.speech_end_sample)
        stream.close()
    worth_trying = recording.has_speech or (
        recording.end_reason in (EndReason.ENTER, EndReason.INTERRUPTED, EndReason.DEVICE_LOST)
        and recording.duration_s >= MIN_TRANSCRIBE_S)
    if not worth_trying:
        return Transcript(text="", normalised="", language=language,
                          audio_s=recording.duration_s)
    return transcriber.transcribe(recording.audio, language)
