"""The practice turn loop: ask, capture the answer, score, give feedback; then the next question.

This module knows only the small interfaces in `ports.py` and the pure stages: the answer
pipeline (`listen.answer`), the scorer and the feedback. The composition root (`app.py`)
decides whether the speaker is a real voice or the console and whether answers come from a
microphone or from files; the loop runs the same either way.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from simulator.bank.model import Question
from simulator.config import ScoringConfig
from simulator.delivery.tips import render_tip
from simulator.feedback import Feedback, Templates, render_feedback, render_summary
from simulator.listen.answer import Answer, ListenSettings, capture_answer
from simulator.listen.recorder import EndReason
from simulator.ports import LoopParts
from simulator.scoring.result import Score

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnTimings:
    """Where the time went in one turn after the answer, in seconds (the transcription time
    is the answer's own `transcribe_s`)."""

    question_first_sound_s: float | None
    """From asking the speaker to say the question to its first sound."""
    score_s: float
    """Scoring, feedback and delivery measurement."""
    feedback_latency_s: float
    """From the end of the recording to the first sound (or print) of the feedback."""


@dataclass(frozen=True)
class Turn:
    """One question and everything that happened answering it."""

    index: int
    question: Question
    answer: Answer
    score: Score
    feedback: Feedback
    timings: TurnTimings


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
class PracticeSettings:
    """The slices of configuration the loop needs."""

    listen: ListenSettings
    scoring: ScoringConfig
    templates: Templates
    delivery_templates: Mapping[str, Any] | None = None
    """Spoken delivery tips (`prompts/delivery.toml`); with them, one tip joins the feedback."""


def run_session(questions: Sequence[Question], parts: LoopParts,
                settings: PracticeSettings, first_index: int = 1) -> SessionResult:
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
        if parts.sink is not None:
            parts.sink.record_turn(turn)
        # Keep the turn without its samples (saved in the WAV): a session's memory must not
        # grow with every answer (issue 15's soak: 1.3 MB more per answer).
        turns.append(replace(turn, answer=turn.answer.without_audio()))
        recording = turn.answer.recording
        if recording.device_error is not None:
            # The answer so far is transcribed, scored and saved; now stop the session.
            raise recording.device_error
        if recording.end_reason is EndReason.INTERRUPTED:
            interrupted = True
            break
    language = questions[0].language if questions else "en"
    result = SessionResult(tuple(turns), interrupted)
    folder = parts.sink.folder if parts.sink is not None else None
    saved_to = str(folder) if folder is not None else None
    summary = render_summary(result.total_points, result.max_points, len(turns), language,
                             settings.templates, saved_to)
    if not interrupted:
        parts.speaker.say(summary.text, language)
    return SessionResult(result.turns, interrupted, summary)


def run_turn(index: int, question: Question, parts: LoopParts,
             settings: PracticeSettings) -> Turn:
    """One question: speak it, capture the answer, score it, speak the feedback."""
    first_sound = parts.speaker.say(question.prompt, question.language)
    answer = capture_answer(parts, settings.listen, index=index, language=question.language,
                            label=f"q{question.id}")
    transcribed = answer.ended_at + answer.transcribe_s
    score = parts.judge.score(answer.transcript.text, question)
    feedback = render_feedback(score, question.language, settings.templates,
                               heard_nothing=answer.transcript.is_empty)
    if answer.delivery is not None and settings.delivery_templates is not None:
        tip = render_tip(answer.delivery, question.language, settings.delivery_templates)
        if tip:
            feedback = Feedback((*feedback.sentences, tip))
    scored = parts.clock()
    # After a device failure the session ends with the error at once: no feedback is played.
    feedback_first_sound = (parts.speaker.say(feedback.text, question.language)
                            if answer.recording.device_error is None else None)
    timings = TurnTimings(
        question_first_sound_s=first_sound,
        score_s=scored - transcribed,
        feedback_latency_s=scored - answer.ended_at + (feedback_first_sound or 0.0),
    )
    _LOGGER.info("question %s: %.1f/%g in %.2f s", question.id, score.points, score.max_points,
                 timings.feedback_latency_s)
    return Turn(index=index, question=question, answer=answer, score=score, feedback=feedback,
                timings=timings)
