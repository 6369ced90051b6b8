"""The role-play call loop: the customer speaks, the trainee answers, the call branches.

The customer (a `Speaker` with its own voice) says a line; the trainee's answer is recorded,
transcribed and measured for delivery exactly as a practice answer is (`record_answer`, the
streaming or batch transcription choice, `measure_delivery`); `choose_branch` reads the
transcript and picks the customer's next step (an apology heard, a concrete time given...).
When a terminal step is reached, or `max_turns` answers have not settled the call, the
trainee's turns are scored with the phone-manner scorecard, and the narrator (the tool's
usual voice, never the customer's) speaks the result. Like `session.py`, this module knows
only the ports and the pure modules; `call_app.py` wires the real parts.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from simulator.call_scenario import Branch, Ending, Scenario, Step
from simulator.config import DeliveryConfig, LimitsConfig, ScoringConfig, StreamingConfig, VadConfig
from simulator.delivery.measure import measure_delivery
from simulator.delivery.model import Delivery
from simulator.delivery.tips import render_tip
from simulator.errors import SimulatorError
from simulator.ports import AudioSource, Speaker, Transcriber
from simulator.recorder import EndReason, Recording, record_answer
from simulator.report import delivery_json, recording_json, transcript_json
from simulator.scoring.matching import AnswerText, find_cue, prepare_answer
from simulator.scoring.scorecard import (
    CallScorecard,
    Scorecard,
    render_scorecard,
    score_call,
    scorecard_json,
)
from simulator.session import StopSignal, transcribe_recording
from simulator.speech.transcript import Transcript
from simulator.streaming import IncrementalTranscription

_LOGGER = logging.getLogger(__name__)
SCHEMA = "interview-sim/call/1"

_ZH_NUMBER = r"(?:\d+|[半十两一二三四五六七八九]+)"  # normalise leaves 十 and 半 as they are
_ZH_TIME_RE = re.compile(
    r"今天|今晚|今早|明天|明早|明晚|后天|本周|这周|下周|(?:周|星期|礼拜)[1-7一二三四五六日天末]"
    r"|上午|中午|下午|晚上|傍晚|\d+点|\d+号|\d+月"
    rf"|{_ZH_NUMBER}个?(?:小时|钟头|分钟|工作日|天|日|周|星期|礼拜)")
_EN_NUMBER = (r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
              r"|fifteen|twenty(?: four)?|thirty|forty(?: five| eight)?|fifty|sixty"
              r"|seventy two|half an?)")
_EN_TIME_RE = re.compile(
    r"\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week)"
    r"|end of (?:the )?(?:day|week)|(?:mon|tues|wednes|thurs|fri|satur|sun)day|noon|midday"
    r"|\d{1,2}(?: \d{2})? ?(?:am|pm|a m|p m|o clock)"
    rf"|{_EN_NUMBER} (?:more )?(?:business |working )?(?:minutes?|hours?|days?|weeks?))\b")
"""Concrete times in normalised text (digits, lower case, no punctuation). Vague promises
(尽快, 马上, "as soon as possible", "a few days") are deliberately not times."""


class CallSink(Protocol):
    """Keeps the call record as it happens (see `call_app.CallStore`)."""

    def save_call_answer(self, index: int, recording: Recording) -> Path | None:
        """Write the answer audio at once; return its path."""
        ...

    def record_call_turn(self, turn: CallTurn) -> None:
        """Persist a finished turn."""
        ...


class AnswersExhausted(SimulatorError):
    """Raised by an `AudioSource` with no answer left (replayed files ran out): the call
    ends there and the answers given so far are scored."""


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
class BranchChoice:
    """The branch taken after an answer, and why."""

    index: int
    """1-based position of the branch in its step."""
    branch: Branch
    reasons: tuple[str, ...]
    """What was (or was not) heard, one item per condition; "default" for the default."""


@dataclass(frozen=True)
class CallTurn:
    """One customer line and the trainee's answer to it."""

    index: int
    step: Step
    customer_line: str
    customer_first_sound_s: float | None
    """From asking the customer speaker to talk to its first sound (None: printed)."""
    recording: Recording
    answer_path: Path | None
    transcript: Transcript
    branch: BranchChoice | None
    """None for the closing answer after the customer is satisfied (or an interrupted one)."""
    delivery: Delivery | None = None
    source_file: Path | None = None
    """For replay: the recorded answer that was played in."""


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

    vad: VadConfig
    limits: LimitsConfig
    scorecard: Scorecard
    """The phone-manner checklist; its cue thresholds are also used to read the branches."""
    streaming: StreamingConfig | None = None
    """Transcribe in stretches while the answer is spoken; None transcribes it afterwards."""
    delivery: DeliveryConfig | None = None
    """Measure pace, fillers, pauses and loudness (None: skip)."""
    delivery_templates: Mapping[str, Any] | None = None
    """With them, the most common delivery tip of the call joins the spoken scorecard."""


@dataclass(frozen=True, kw_only=True)
class CallParts:
    """The real or fake parts the call talks to."""

    customer: Speaker
    """The customer's voice (distinct from the narrator's)."""
    narrator: Speaker
    """The tool's own voice: briefing and scorecard."""
    source: AudioSource
    transcriber: Transcriber
    sink: CallSink | None = None
    stop: StopSignal = field(default_factory=StopSignal)
    on_heard: Callable[[Transcript], None] | None = None
    """Called with each transcript before the customer reacts (console echo)."""
    on_listening: Callable[[], None] | None = None
    """Called when the customer has spoken and the microphone opens."""


def heard_time(normalised: str, language: str) -> str | None:
    """The first concrete time in a normalised answer ("明天", "3点", "24 hours"), or None."""
    text = normalised.replace(" ", "") if language == "zh" else normalised
    match = (_ZH_TIME_RE if language == "zh" else _EN_TIME_RE).search(text)
    return match.group(0) if match else None


def choose_branch(step: Step, transcript: Transcript, language: str, *,
                  fuzzy_threshold: float) -> BranchChoice:
    """The first branch of `step` whose conditions all hold for the trainee's answer.

    Args:
        step: a step with branches (the last one is the default).
        transcript: the trainee's answer.
        language: the scenario's language.
        fuzzy_threshold: 0-100: how strongly a cue must match to count as heard (the
            scorecard's threshold: exact 100, split word, same sound or inflection 88-95).
    """
    answer = prepare_answer(transcript.normalised)

    def heard(cue: str) -> str | None:
        match = find_cue(cue, answer)
        return match.span if match is not None and match.strength >= fuzzy_threshold else None

    for index, branch in enumerate(step.branches, start=1):
        reasons = _reasons(branch, answer, transcript, language, heard)
        if reasons is not None:
            return BranchChoice(index, branch, tuple(reasons) or ("default",))
    raise AssertionError(f"step {step.id} has no default branch")  # the loader forbids it


def _reasons(branch: Branch, answer: AnswerText, transcript: Transcript, language: str,
             heard: Callable[[str], str | None]) -> list[str] | None:
    """Why every condition of the branch holds, or None when one does not."""
    reasons: list[str] = []
    if branch.silent is not None:
        if branch.silent != transcript.is_empty:
            return None
        reasons.append("said nothing" if branch.silent else "said something")
    spans = {cue: heard(cue) for cue in (*branch.heard_any, *branch.heard_all,
                                         *branch.heard_none)}
    if branch.heard_any:
        found = [(cue, spans[cue]) for cue in branch.heard_any if spans[cue]]
        if not found:
            return None
        reasons.append(f"heard {found[0][0]!r} (as {found[0][1]!r})")
    if branch.heard_all:
        missing = [cue for cue in branch.heard_all if not spans[cue]]
        if missing:
            return None
        reasons.append(f"heard all of {', '.join(map(repr, branch.heard_all))}")
    if branch.heard_none:
        found = [(cue, spans[cue]) for cue in branch.heard_none if spans[cue]]
        if found:
            return None
        reasons.append(f"heard none of {', '.join(map(repr, branch.heard_none))}")
    if branch.heard_time is not None:
        time_heard = heard_time(answer.text, language)
        if branch.heard_time != (time_heard is not None):
            return None
        reasons.append(f"heard a time ({time_heard!r})" if time_heard else "heard no time")
    return reasons


def run_call(scenario: Scenario, parts: CallParts, settings: CallSettings) -> CallResult:
    """Play the scenario with the trainee, then score and speak the phone-manner scorecard.

    Args:
        scenario: from `load_scenario` / `resolve_scenario`.
        parts: customer and narrator speakers, audio source, transcriber, record sink.
        settings: endpointing, limits, scorecard, streaming and delivery options.

    Returns:
        The turns, how the call ended, the scorecard and the spoken summary.

    Raises:
        DataFileError: the scorecard has no checklist for the scenario's language.
    """
    language = scenario.language
    settings.scorecard.checklist(language)  # fail before the call, not after it
    if scenario.briefing:
        parts.narrator.say(scenario.briefing, language)
    step, line = scenario.start_step, scenario.opening
    visits: Counter[str] = Counter({step.id: 1})
    turns: list[CallTurn] = []
    while True:
        first_sound = parts.customer.say(line, language)
        if step.end is Ending.HUNG_UP:
            outcome, final_line = Outcome.HUNG_UP, line
            break
        try:
            turn = _answer(len(turns) + 1, step, line, first_sound, scenario, parts, settings)
        except AnswersExhausted as e:
            _LOGGER.info("call ended early: %s", e)
            outcome, final_line = Outcome.ANSWERS_ENDED, line
            break
        if turn.recording.end_reason is EndReason.INTERRUPTED:
            _keep(turn, turns, parts)
            outcome, final_line = Outcome.INTERRUPTED, ""
            break
        if step.end is Ending.SATISFIED:  # that was the trainee's closing answer
            _keep(turn, turns, parts)
            outcome, final_line = Outcome.SATISFIED, ""
            break
        choice = choose_branch(step, turn.transcript, language,
                               fuzzy_threshold=ScoringConfig().fuzzy_threshold)
        _keep(replace(turn, branch=choice), turns, parts)
        _LOGGER.info("call %s, turn %d: %s -> %s (%s)", scenario.id, turn.index, step.id,
                     choice.branch.goto, "; ".join(choice.reasons))
        step = scenario.steps[choice.branch.goto]
        visits[step.id] += 1
        line = step.line(visits[step.id])
        if len(turns) >= scenario.max_turns and step.end is None:
            parts.customer.say(scenario.out_of_turns, language)
            outcome, final_line = Outcome.OUT_OF_TURNS, scenario.out_of_turns
            break
    card = score_call([t.transcript.text for t in turns], settings.scorecard, language)
    summary = ""
    if outcome is not Outcome.INTERRUPTED:
        tip = _delivery_tip(turns, language, settings.delivery_templates)
        joiner = "" if language == "zh" else " "
        summary = joiner.join(filter(None, [render_scorecard(card, language), tip]))
        parts.narrator.say(summary, language)
    return CallResult(scenario=scenario, turns=tuple(turns), outcome=outcome,
                      end_step=step.id, final_line=final_line, scorecard=card, summary=summary)


def _answer(index: int, step: Step, line: str, first_sound: float | None, scenario: Scenario,
            parts: CallParts, settings: CallSettings) -> CallTurn:
    """Record, save, transcribe and measure one answer (the branch is chosen by the caller)."""
    parts.stop.clear()
    blocks = parts.source.open_answer()
    if parts.on_listening is not None:
        parts.on_listening()
    language = scenario.language
    stream = (IncrementalTranscription(parts.transcriber, language, settings.streaming)
              if settings.streaming is not None and settings.streaming.enabled else None)
    recording = record_answer(blocks, settings.vad, settings.limits,
                              stop_requested=parts.stop, observer=stream)
    answer_path = (parts.sink.save_call_answer(index, recording)
                   if parts.sink is not None else None)
    transcript = transcribe_recording(recording, language, parts.transcriber, stream)
    if parts.on_heard is not None:
        parts.on_heard(transcript)
    delivery = (measure_delivery(transcript, recording.audio, recording.response_latency_s,
                                 settings.delivery) if settings.delivery is not None else None)
    return CallTurn(index=index, step=step, customer_line=line,
                    customer_first_sound_s=first_sound, recording=recording,
                    answer_path=answer_path, transcript=transcript, branch=None,
                    delivery=delivery, source_file=getattr(parts.source, "current_file", None))


def _keep(turn: CallTurn, turns: list[CallTurn], parts: CallParts) -> None:
    turns.append(turn)
    if parts.sink is not None:
        parts.sink.record_call_turn(turn)


def _delivery_tip(turns: list[CallTurn], language: str,
                  templates: Mapping[str, Any] | None) -> str | None:
    """The delivery tip that came first most often over the call (one sentence, or None)."""
    deliveries = [t.delivery for t in turns if t.delivery is not None and t.delivery.tips]
    if templates is None or not deliveries:
        return None
    code = Counter(d.tips[0].code for d in deliveries).most_common(1)[0][0]
    return render_tip(next(d for d in deliveries if d.tips[0].code == code), language,
                      templates)


# --- the record ------------------------------------------------------------------------------


def call_turn_json(turn: CallTurn, relative_to: Path | None = None) -> dict[str, Any]:
    """JSON form of one turn (paths relative to the session folder when given)."""
    def _path(path: Path | None) -> str | None:
        if path is None:
            return None
        if relative_to is not None and path.is_relative_to(relative_to):
            return str(path.relative_to(relative_to))
        return str(path)

    choice = turn.branch
    return {
        "index": turn.index,
        "step": turn.step.id,
        "mood": turn.step.mood,
        "customer_line": turn.customer_line,
        "customer_first_sound_s": (None if turn.customer_first_sound_s is None
                                   else round(turn.customer_first_sound_s, 3)),
        "answer": {"wav": _path(turn.answer_path), "source_file": _path(turn.source_file),
                   **recording_json(turn.recording)},
        "transcript": transcript_json(turn.transcript),
        "branch": None if choice is None else {
            "index": choice.index, "label": choice.branch.label, "goto": choice.branch.goto,
            "reasons": list(choice.reasons)},
        "delivery": delivery_json(turn.delivery) if turn.delivery is not None else None,
    }


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """JSON form of which scenario was played."""
    return {"id": scenario.id, "title": scenario.title, "language": scenario.language,
            "persona": scenario.persona, "file": scenario.source}


def call_json(result: CallResult, relative_to: Path | None = None) -> dict[str, Any]:
    """The saved record of a call: scenario, turns with branches and delivery, scorecard."""
    return {
        "schema": SCHEMA,
        "scenario": scenario_json(result.scenario),
        "outcome": result.outcome.value,
        "end_step": result.end_step,
        "final_customer_line": result.final_line,
        "turns": [call_turn_json(turn, relative_to) for turn in result.turns],
        "scorecard": scorecard_json(result.scorecard),
        "summary": result.summary,
    }
