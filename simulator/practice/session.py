"""The practice turn loop: ask, capture the answer, score, give feedback; then the next question.

This module knows only the small interfaces in `ports.py` and the pure stages: the answer
pipeline (`listen.answer`), the scorer and the feedback. The composition root (`app.py`)
decides whether the speaker is a real voice or the console and whether answers come from a
microphone or from files; the loop runs the same either way.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from simulator.bank.model import Question
from simulator.config import ScoringConfig
from simulator.delivery.tips import render_tip
from simulator.feedback import Feedback, Templates, render_feedback, render_summary
from simulator.listen.answer import Answer, ListenSettings, capture_answer
from simulator.listen.recorder import EndReason
from simulator.ports import LoopParts
from simulator.scoring.result import Score
from simulator.screen.lines import Lines

if TYPE_CHECKING:
    from simulator.practice.follow_up import FollowUp

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
    take: int = 1
    """1 for the first answer to the question, 2 for an answer again (r), ..."""
    follow_up: FollowUp | None = None
    """The interviewer's follow-up on the most important missed point, if one was asked."""
    stopped: bool = False
    """Ctrl-C came while the follow-up was asked, transcribed or judged: the answer is kept
    (without the follow-up) and the session stops."""

    @property
    def skipped(self) -> bool:
        """Nobody started answering within the thinking time, even after the second chance."""
        return self.answer.recording.end_reason is EndReason.NO_SPEECH

    def without_audio(self) -> Turn:
        """This turn minus the samples of its answers (they are in the WAVs by then)."""
        follow_up = self.follow_up
        if follow_up is not None:
            follow_up = replace(follow_up, answer=follow_up.answer.without_audio())
        return replace(self, answer=self.answer.without_audio(), follow_up=follow_up)


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
    follow_ups: bool = False
    """Ask the bank's probe for the most important missed point after the feedback."""
    second_chance: bool = False
    """When nobody starts within the thinking time, say "take your time" and listen again."""


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
        take = 1
        while not interrupted:
            turn = run_turn(index, question, parts, settings, take=take)
            if parts.sink is not None:
                parts.sink.record_turn(turn)
            # Keep the turn without its samples (saved in the WAV): a session's memory must
            # not grow with every answer (issue 15's soak: 1.3 MB more per answer).
            turns.append(turn.without_audio())
            for recording in _recordings(turn):
                if recording.device_error is not None:
                    # The answer so far is transcribed, scored and saved; now stop.
                    raise recording.device_error
                interrupted |= recording.end_reason is EndReason.INTERRUPTED
            interrupted |= turn.stopped
            if interrupted or _choose_next(question, parts) != "retry":
                break
            take += 1
        if interrupted:
            break
    language = questions[0].language if questions else "en"
    result = SessionResult(tuple(turns), interrupted)
    best = _best_per_question(turns)
    summary = render_summary(round(sum(t.score.points for t in best), 1),
                             sum(t.score.max_points for t in best), len(best), language,
                             settings.templates)
    improved = [_best_line(t, turns) for t in best if t.take > 1]
    if improved:
        summary = Feedback((summary.sentences[0], *improved, *summary.sentences[1:]))
    if not interrupted:
        parts.speaker.say(summary.text, language)
    return SessionResult(result.turns, interrupted, summary)


def _recordings(turn: Turn) -> list[Any]:
    follow_up = turn.follow_up
    return [turn.answer.recording] + ([follow_up.answer.recording] if follow_up else [])


def _best_per_question(turns: Sequence[Turn]) -> list[Turn]:
    """The best take of each question answered (skipped takes left out)."""
    best: dict[str, Turn] = {}
    for turn in turns:
        held = best.get(turn.question.id)
        if not turn.skipped and (held is None or turn.score.points > held.score.points):
            best[turn.question.id] = turn
    return list(best.values())


def _best_line(best: Turn, turns: Sequence[Turn]) -> str:
    first = next(t for t in turns if t.question.id == best.question.id)
    return Lines(best.question.language)(
        "best", question=best.question.id, take=best.take, points=f"{best.score.points:g}",
        gain=f"{best.score.points - first.score.points:g}")


def _choose_next(question: Question, parts: LoopParts) -> str:
    """After the feedback: "retry", or "next"; the model answer (m) is said in between."""
    if parts.choose is None:
        return "next"
    lines = Lines(question.language)
    while True:
        choice = parts.choose(question.language)
        if choice != "model":
            return choice
        text = (lines("model_answer", answer=question.model_answer) if question.model_answer
                else lines("no_model_answer"))
        parts.speaker.say(text, question.language)


def run_turn(index: int, question: Question, parts: LoopParts,
             settings: PracticeSettings, take: int = 1) -> Turn:
    """One question: speak it, capture the answer, score it, speak the feedback (and, with
    `follow_ups`, ask about the most important missed point)."""
    prompt = question.prompt if take == 1 else (
        f"{Lines(question.language)('retry', take=take)} {question.prompt}")
    first_sound = parts.speaker.say(prompt, question.language)

    def nudge() -> None:
        parts.speaker.say(Lines(question.language)("take_your_time"), question.language)

    answer = capture_answer(parts, settings.listen, index=index, language=question.language,
                            label=f"q{question.id}",
                            nudge=nudge if settings.second_chance else None)
    transcribed = answer.ended_at + answer.transcribe_s
    busy = (parts.on_busy("scoring") if parts.on_busy is not None
            else contextlib.nullcontext())
    with busy:
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
    follow_up = None
    if (settings.follow_ups and answer.recording.device_error is None
            and answer.recording.end_reason not in (EndReason.INTERRUPTED, EndReason.NO_SPEECH)):
        from simulator.practice.follow_up import ask_follow_up

        try:
            follow_up = ask_follow_up(question, score, parts, settings.listen, index)
        except KeyboardInterrupt:  # the answer is finished and judged: keep it
            return Turn(index=index, question=question, answer=answer, score=score,
                        feedback=feedback, timings=timings, take=take, stopped=True)
    return Turn(index=index, question=question, answer=answer, score=score, feedback=feedback,
                timings=timings, take=take, follow_up=follow_up)
