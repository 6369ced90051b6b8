"""The turn loop: ask, listen, transcribe, score, give feedback; then the next question.

This module knows only the small interfaces in `ports.py` and the pure modules (recorder,
scorer, feedback). The composition root (`app.py`) decides whether the speaker is a real
voice or the console and whether answers come from a microphone or from files; the loop
runs the same either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from simulator.audio.pcm import SAMPLE_RATE_HZ
from simulator.bank.model import Question
from simulator.config import DeliveryConfig, LimitsConfig, ScoringConfig, StreamingConfig, VadConfig
from simulator.delivery.measure import measure_delivery
from simulator.delivery.model import Delivery
from simulator.delivery.tips import render_tip
from simulator.feedback import Feedback, Templates, render_feedback, render_summary
from simulator.ports import AudioSource, Speaker, Transcriber
from simulator.recorder import EndReason, Recording, record_answer
from simulator.scoring.rubric import Score, score_answer
from simulator.speech.transcript import Transcript
from simulator.streaming import IncrementalTranscription

_LOGGER = logging.getLogger(__name__)
MIN_TRANSCRIBE_S = 0.3
"""Recordings shorter than this, with no detected speech, are not sent to the recogniser."""


class TurnSink(Protocol):
    """Keeps the session record as it happens (see `report.SessionStore`)."""

    def save_answer(self, index: int, question: Question, recording: Recording) -> Path | None:
        """Write the answer audio at once; return its path."""
        ...

    def record_turn(self, turn: Turn) -> None:
        """Persist a finished turn."""
        ...


@dataclass(frozen=True)
class TurnTimings:
    """Where the time went in one turn, in seconds."""

    question_first_sound_s: float | None
    """From asking the speaker to say the question to its first sound."""
    transcribe_s: float
    score_s: float
    feedback_latency_s: float
    """From the end of the recording to the first sound (or print) of the feedback."""


@dataclass(frozen=True)
class Turn:
    """One question and everything that happened answering it."""

    index: int
    question: Question
    recording: Recording
    answer_path: Path | None
    transcript: Transcript
    score: Score
    feedback: Feedback
    timings: TurnTimings
    source_file: Path | None = None
    """For replay: the recorded answer that was played in."""
    delivery: Delivery | None = None
    """How the answer sounded (pace, fillers, pauses, loudness)."""


@dataclass(frozen=True)
class SessionResult:
    """All turns of a session, and whether it ran to the end."""

    turns: tuple[Turn, ...]
    interrupted: bool = False
    summary: Feedback = field(default_factory=lambda: Feedback(()))

    @property
    def total_points(self) -> float:
        """Marks earned over all turns."""
        return round(sum(t.score.points for t in self.turns), 1)

    @property
    def max_points(self) -> float:
        """Marks available over all turns."""
        return sum(t.score.max_points for t in self.turns)


@dataclass(frozen=True, kw_only=True)
class LoopSettings:
    """The slices of configuration the loop needs."""

    vad: VadConfig
    limits: LimitsConfig
    scoring: ScoringConfig
    templates: Templates
    streaming: StreamingConfig | None = None
    """Transcribe in stretches while the answer is spoken; None transcribes it afterwards."""
    delivery: DeliveryConfig | None = None
    """Measure pace, fillers, pauses and loudness (None: skip)."""
    delivery_templates: Mapping[str, Any] | None = None
    """Spoken delivery tips (`prompts/delivery.toml`); with them, one tip joins the feedback."""


class StopSignal:
    """Set from another thread (Enter pressed) to end the current answer early."""

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        """Request the current answer to end."""
        self._set = True

    def clear(self) -> None:
        """Forget an earlier request (called when an answer starts)."""
        self._set = False

    def __call__(self) -> bool:
        return self._set


@dataclass(frozen=True, kw_only=True)
class LoopParts:
    """The real or fake parts the loop talks to."""

    speaker: Speaker
    source: AudioSource
    transcriber: Transcriber
    sink: TurnSink | None = None
    stop: StopSignal = field(default_factory=StopSignal)
    clock: Callable[[], float] = time.perf_counter
    saved_to: str | None = None
    """Where the record is kept, for the spoken summary."""
    on_heard: Callable[[Transcript], None] | None = None
    """Called with each transcript before its feedback is given (console echo)."""
    on_listening: Callable[[Question], None] | None = None
    """Called when the question has been spoken and the microphone opens."""


def run_session(questions: Sequence[Question], parts: LoopParts,
                settings: LoopSettings, first_index: int = 1) -> SessionResult:
    """Ask each question in turn and return what happened.

    Args:
        questions: in the order to ask them.
        parts: speaker, audio source, transcriber, record sink, stop signal, clock.
        settings: endpointing, limits, scoring thresholds, feedback templates.
        first_index: number of the first turn (a resumed session goes on counting).

    Returns:
        The turns; `interrupted` when Ctrl-C ended an answer (that answer is kept).
    """
    turns: list[Turn] = []
    interrupted = False
    for index, question in enumerate(questions, start=first_index):
        turn = run_turn(index, question, parts, settings)
        turns.append(turn)
        if parts.sink is not None:
            parts.sink.record_turn(turn)
        if turn.recording.device_error is not None:
            # The answer so far is transcribed, scored and saved; now stop the session.
            raise turn.recording.device_error
        if turn.recording.end_reason is EndReason.INTERRUPTED:
            interrupted = True
            break
    language = questions[0].language if questions else "en"
    result = SessionResult(tuple(turns), interrupted)
    summary = render_summary(result.total_points, result.max_points, len(turns), language,
                             settings.templates, parts.saved_to)
    if not interrupted:
        parts.speaker.say(summary.text, language)
    return SessionResult(result.turns, interrupted, summary)


def run_turn(index: int, question: Question, parts: LoopParts, settings: LoopSettings) -> Turn:
    """One question: speak it, record the answer, transcribe, score, speak the feedback."""
    first_sound = parts.speaker.say(question.prompt, question.language)
    parts.stop.clear()
    if parts.on_listening is not None:
        parts.on_listening(question)
    stream = (IncrementalTranscription(parts.transcriber, question.language, settings.streaming)
              if settings.streaming is not None and settings.streaming.enabled else None)
    recording = record_answer(parts.source.open_answer(), settings.vad, settings.limits,
                              stop_requested=parts.stop, observer=stream)
    answer_ended = parts.clock()
    answer_path = (parts.sink.save_answer(index, question, recording)
                   if parts.sink is not None else None)
    transcript = transcribe_recording(recording, question.language, parts.transcriber, stream)
    transcribed = parts.clock()
    if parts.on_heard is not None:
        parts.on_heard(transcript)
    score = score_answer(transcript.normalised, question, settings.scoring)
    feedback = render_feedback(score, question.language, settings.templates,
                               heard_nothing=transcript.is_empty)
    delivery = None
    if settings.delivery is not None:
        delivery = measure_delivery(transcript, recording.audio, recording.response_latency_s,
                                    settings.delivery)
        tip = (render_tip(delivery, question.language, settings.delivery_templates)
               if settings.delivery_templates is not None else None)
        if tip:
            feedback = Feedback((*feedback.sentences, tip))
    scored = parts.clock()
    # After a device failure the session ends with the error at once: no feedback is played.
    feedback_first_sound = (parts.speaker.say(feedback.text, question.language)
                            if recording.device_error is None else None)
    timings = TurnTimings(
        question_first_sound_s=first_sound,
        transcribe_s=transcribed - answer_ended,
        score_s=scored - transcribed,
        feedback_latency_s=scored - answer_ended + (feedback_first_sound or 0.0),
    )
    _LOGGER.info("question %s: %.1f/%g in %.2f s", question.id, score.points, score.max_points,
                 timings.feedback_latency_s)
    return Turn(index=index, question=question, recording=recording, answer_path=answer_path,
                transcript=transcript, score=score, feedback=feedback, timings=timings,
                source_file=getattr(parts.source, "current_file", None), delivery=delivery)


def transcribe_recording(recording: Recording, language: str, transcriber: Transcriber,
                stream: IncrementalTranscription | None) -> Transcript:
    if stream is not None:
        if recording.has_speech and recording.speech_end_s is not None:
            speech_end = recording.stream_offset_samples + round(
                recording.speech_end_s * SAMPLE_RATE_HZ)
            return stream.finish(recording.stream_offset_samples, speech_end)
        stream.close()
    worth_trying = recording.has_speech or (
        recording.end_reason in (EndReason.ENTER, EndReason.INTERRUPTED, EndReason.DEVICE_LOST)
        and recording.duration_s >= MIN_TRANSCRIBE_S)
    if not worth_trying:
        return Transcript(text="", normalised="", language=language,
                          audio_s=recording.duration_s)
    return transcriber.transcribe(recording.audio, language)
