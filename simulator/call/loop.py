"""The role-play call loop: the customer speaks, the trainee answers, the call branches.

The customer (a `Speaker` with its own voice) says a line; the trainee's answer is captured
by the same answer pipeline as a practice answer (`listen.answer.capture_answer`:
recording, streaming or batch transcription, delivery metrics, the WAV saved at once);
`branches.choose_branch` reads the transcript and picks the customer's next step (an
apology heard, a concrete time given...). When a terminal step is reached, or `max_turns`
answers have not settled the call, the trainee's turns are scored with the phone-manner
scorecard, and the narrator (the tool's usual voice, `LoopParts.speaker`, never the
customer's) speaks the result. Like the practice loop, this module knows only the ports
and the pure stages; `app.py` wires the real parts.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from simulator.call.branches import BranchChoice, choose_branch
from simulator.call.scenario import Ending, Scenario, Step
from simulator.call.scorecard.checklist import Scorecard
from simulator.call.scorecard.score import CallScorecard, score_call
from simulator.call.scorecard.speech import render_scorecard
from simulator.config import ScoringConfig
from simulator.delivery.tips import render_tip
from simulator.errors import AnswersExhausted
from simulator.listen.answer import Answer, ListenSettings, capture_answer
from simulator.listen.recorder import EndReason
from simulator.ports import LoopParts, Speaker

_LOGGER = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How the call ended."""

    SATISFIED = "satisfied"
    HUNG_UP = "hung_up"
    OUT_OF_TURNS = "out_of_turns"
    INTERRUPTED = "interrupted"
    """Ctrl-C during an answer (that answer is kept)."""
    ANSWERS_ENDED = "answers_ended"
    """The replayed answers ran out before the customer was done."""


@dataclass(frozen=True)
class CallTurn:
    """One customer line and the trainee's answer to it."""

    index: int
    step: Step
    customer_line: str
    customer_first_sound_s: float | None
    """From asking the customer speaker to talk to its first sound (None: printed)."""
    answer: Answer
    branch: BranchChoice | None = None
    """None for the closing answer after the customer is satisfied (or an interrupted one)."""
    customer_speech_s: float | None = None
    """How long the customer's line played, first sound to last (None: printed, not said);
    the report's call timeline uses it instead of an estimate from the line's length."""


@dataclass(frozen=True)
class CallResult:
    """Everything that happened on the call."""

    scenario: Scenario
    turns: tuple[CallTurn, ...]
    outcome: Outcome
    end_step: str
    """The step the call ended in."""
    final_line: str
    """The customer's last words (after the last answer), "" when there were none."""
    scorecard: CallScorecard
    summary: str
    """What the narrator said at the end ("" when interrupted)."""


@dataclass(frozen=True, kw_only=True)
class CallSettings:
    """The slices of configuration the call needs."""

    listen: ListenSettings
    scorecard: Scorecard
    """The phone-manner checklist."""
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    """The fuzzy threshold for the scorecard's cues and the branches' cues alike."""
    delivery_templates: Mapping[str, Any] | None = None
    """With them, the most common delivery tip of the call joins the spoken scorecard."""


def run_call(scenario: Scenario, customer: Speaker, parts: LoopParts,
             settings: CallSettings) -> CallResult:
    """Play the scenario with the trainee, then score and speak the phone-manner scorecard.

    Args:
        scenario: from `load_scenario` / `resolve_scenario`.
        customer: the customer's voice (distinct from the narrator, `parts.speaker`).
        parts: narrator, audio source, transcriber, record sink, stop signal, callbacks.
        settings: endpointing, limits, scorecard, streaming and delivery options.

    Returns:
        The turns, how the call ended, the scorecard and the spoken summary.

    Raises:
        DataFileError: the scorecard has no checklist for the scenario's language.
    """
    language = scenario.language
    settings.scorecard.checklist(language)  # fail before the call, not after it
    if scenario.briefing:
        parts.speaker.say(scenario.briefing, language)
    step, line = scenario.start_step, scenario.opening
    visits: Counter[str] = Counter({step.id: 1})
    turns: list[CallTurn] = []
    while True:
        asked = time.perf_counter()
        first_sound = customer.say(line, language)
        said_s = (None if first_sound is None
                  else round(time.perf_counter() - asked - first_sound, 3))
        if step.end is Ending.HUNG_UP:
            outcome, final_line = Outcome.HUNG_UP, line
            break
        try:
            answer = capture_answer(parts, settings.listen, index=len(turns) + 1,
                                    language=language)
        except AnswersExhausted as e:
            _LOGGER.info("call ended early: %s", e)
            outcome, final_line = Outcome.ANSWERS_ENDED, line
            break
        turn = CallTurn(index=len(turns) + 1, step=step, customer_line=line,
                        customer_first_sound_s=first_sound, answer=answer,
                        customer_speech_s=said_s)
        if answer.recording.end_reason is EndReason.INTERRUPTED:
            _keep(turn, turns, parts)
            outcome, final_line = Outcome.INTERRUPTED, ""
            break
        if step.end is Ending.SATISFIED:  # that was the trainee's closing answer
            _keep(turn, turns, parts)
            outcome, final_line = Outcome.SATISFIED, ""
            break
        on_topic = (answer.transcript.is_empty
                    or parts.judge.relevance(answer.transcript.text, language,
                                             scenario.topic_texts)
                    >= settings.scoring.on_topic_similarity)
        choice = choose_branch(step, answer.transcript, language,
                               fuzzy_threshold=settings.scoring.fuzzy_threshold,
                               on_topic=on_topic)
        _keep(replace(turn, branch=choice), turns, parts)
        _LOGGER.info("call %s, turn %d: %s -> %s (%s)", scenario.id, turn.index, step.id,
                     choice.branch.goto, "; ".join(choice.reasons))
        step = scenario.steps[choice.branch.goto]
        visits[step.id] += 1
        line = step.line(visits[step.id])
        if len(turns) >= scenario.max_turns and step.end is None:
            customer.say(scenario.out_of_turns, language)
            outcome, final_line = Outcome.OUT_OF_TURNS, scenario.out_of_turns
            break
    texts = [t.answer.transcript.text for t in turns]
    card = score_call(texts, settings.scorecard, language,
                      fuzzy_threshold=settings.scoring.fuzzy_threshold,
                      bad_practice=[parts.judge.bad_practice(text, language) for text in texts])
    summary = ""
    if outcome is not Outcome.INTERRUPTED:
        tip = _delivery_tip(turns, language, settings.delivery_templates)
        joiner = "" if language == "zh" else " "
        summary = joiner.join(filter(None, [render_scorecard(card, language), tip]))
        parts.speaker.say(summary, language)
    return CallResult(scenario=scenario, turns=tuple(turns), outcome=outcome,
                      end_step=step.id, final_line=final_line, scorecard=card, summary=summary)


def _keep(turn: CallTurn, turns: list[CallTurn], parts: LoopParts) -> None:
    turns.append(turn)
    if parts.sink is not None:
        parts.sink.record_turn(turn)


def _delivery_tip(turns: list[CallTurn], language: str,
                  templates: Mapping[str, Any] | None) -> str | None:
    """The delivery tip that came first most often over the call (one sentence, or None)."""
    deliveries = [t.answer.delivery for t in turns
                  if t.answer.delivery is not None and t.answer.delivery.tips]
    if templates is None or not deliveries:
        return None
    code = Counter(d.tips[0].code for d in deliveries).most_common(1)[0][0]
    return render_tip(next(d for d in deliveries if d.tips[0].code == code), language,
                      templates)
