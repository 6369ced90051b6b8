"""Every JSON writer: the session and call records and the `--json` documents.

Values become plain JSON types here and nowhere else: a practice turn (`turn_json`), a call
turn (`call_turn_json`), and what they share, the answer (`answer_json`: recording,
transcript, delivery, timings). `PRACTICE_RECORD` and `CALL_RECORD` tell the one session
store (`store.SessionStore`) which document to keep. The README documents the fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from simulator.bank.model import Question
from simulator.call.loop import CallResult, CallTurn
from simulator.call.scenario import Scenario
from simulator.call.scorecard.score import CallScorecard
from simulator.delivery.model import Delivery, TipParam, Verdict
from simulator.listen.answer import Answer
from simulator.listen.recorder import Recording
from simulator.practice.follow_up import best_takes
from simulator.practice.session import Turn
from simulator.scoring.result import BreachResult, Evidence, KeyPointResult, Score
from simulator.speech.transcript import Transcript

SESSION_SCHEMA = "interview-sim/session/1"
CALL_SCHEMA = "interview-sim/call/1"

TurnT = TypeVar("TurnT")
Document = dict[str, Any]


@dataclass(frozen=True)
class RecordFormat(Generic[TurnT]):
    """Which document a store keeps, and how a turn of that kind is written."""

    file_name: str
    """"session.json" or "call.json"."""
    schema: str
    turn_json: Callable[[TurnT, Path | None], Document]
    """A turn as JSON, with paths relative to the folder."""
    document: Callable[[list[Document], Mapping[str, Any], str], Document]
    """The whole document from the turns, the metadata and the status."""


# --- what practice and calls share: the answer -------------------------------------------


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    """JSON form of a transcript."""
    return {
        "text": transcript.text,
        "normalised": transcript.normalised,
        "language": transcript.language,
        "audio_s": round(transcript.audio_s, 3),
        "transcribe_s": round(transcript.transcribe_s, 3),
        "words": [
            {
                "text": w.text,
                "start_s": round(w.start_s, 2),
                "end_s": round(w.end_s, 2),
                "probability": round(w.probability, 3),
            }
            for w in transcript.words
        ],
        "rejected_segments": list(transcript.rejected),
    }


def recording_json(recording: Recording) -> dict[str, Any]:
    """JSON form of how the answer was recorded."""

    def _r(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "duration_s": round(recording.duration_s, 3),
        "end_reason": recording.end_reason.value,
        "speech_start_s": _r(recording.speech_start_s),
        "speech_end_s": _r(recording.speech_end_s),
        "response_latency_s": _r(recording.response_latency_s),
        "trailing_silence_s": round(recording.trailing_silence_s, 3),
    }


def answer_json(answer: Answer, relative_to: Path | None = None) -> dict[str, Any]:
    """The `answer` part of a turn: where the audio is and how it was recorded."""
    return {"wav": _path(answer.wav, relative_to),
            "source_file": _path(answer.source_file, relative_to),
            **recording_json(answer.recording)}


def answer_timings_json(answer: Answer) -> dict[str, Any]:
    """How long the answer was and how long its transcription kept the user waiting."""
    answer_s = answer.recording.duration_s
    return {
        "answer_s": round(answer_s, 3),
        "transcribe_s": round(answer.transcribe_s, 3),
        "transcribe_real_time_factor": (round(answer.transcribe_s / answer_s, 3) if answer_s
                                        else None),
    }


def _r(value: float | None, digits: int = 2) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _json_param(value: TipParam) -> Any:
    return list(value) if isinstance(value, tuple) else value


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """The delivery record for `session.json` (plain JSON types; times in seconds)."""
    return {
        "language": delivery.language,
        "timing_source": delivery.timing_source,
        "speech_span_s": _r(delivery.speech_span_s),
        "talk_s": _r(delivery.talk_s),
        "pace": {
            "unit": delivery.pace_unit,
            "units": delivery.pace_units,
            "per_min": _r(delivery.pace_per_min, 1),
            "band": [delivery.pace_band[0], delivery.pace_band[1]],
            "verdict": _verdict(delivery.pace_verdict),
        },
        "fillers": {
            "count": delivery.filler_count,
            "per_min": _r(delivery.filler_per_min, 1),
            "verdict": _verdict(delivery.filler_verdict),
            "items": [{"text": f.text, "word_index": f.word_index, "start_s": _r(f.start_s),
                       "char_offset": f.char_offset} for f in delivery.fillers],
        },
        "pauses": {
            "long_count": delivery.long_pause_count,
            "dead_air_count": delivery.dead_air_count,
            "longest_s": _r(delivery.longest_pause_s),
            "items": [{"start_s": _r(p.start_s), "length_s": _r(p.length_s),
                       "after_word_index": p.after_word_index, "dead_air": p.dead_air}
                      for p in delivery.pauses],
        },
        "response_latency_s": _r(delivery.response_latency_s),
        "latency_verdict": _verdict(delivery.latency_verdict),
        "loudness": {
            "speech_dbfs": _r(delivery.speech_dbfs, 1),
            "clipped_share": _r(delivery.clipped_share, 5),
            "verdict": _verdict(delivery.loudness_verdict),
        },
        "tips": [{"code": tip.code.value,
                  "params": {k: _json_param(v) for k, v in tip.params}}
                 for tip in delivery.tips],
    }


def _verdict(verdict: Verdict | None) -> str | None:
    return verdict.value if verdict is not None else None


def _path(path: Path | None, relative_to: Path | None) -> str | None:
    if path is None:
        return None
    if relative_to is not None and path.is_relative_to(relative_to):
        return str(path.relative_to(relative_to))
    return str(path)


def now() -> str:
    """The time now, for `updated_at` and `started_at` (UTC, ISO 8601, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- practice ---------------------------------------------------------------------------


def _key_point_json(result: KeyPointResult) -> dict[str, Any]:
    return {
        "label": result.label,
        "weight": result.weight,
        "mode": result.mode,
        "critical": result.critical,
        "covered": result.covered,
        "credit": result.credit,
        "probability": result.probability,
        "evidence": [_evidence_json(e) for e in result.evidence],
        "example": result.example,
    }


def _evidence_json(evidence: Evidence) -> dict[str, Any]:
    return {"cue": evidence.cue, "heard": evidence.heard,
            "strength": round(evidence.strength, 1), "method": evidence.method}


def _breach_json(breach: BreachResult) -> dict[str, Any]:
    return {"label": breach.label, "severity": breach.severity, "violates": breach.violates,
            "evidence": [_evidence_json(breach.evidence)]}


def score_json(score: Score) -> dict[str, Any]:
    """JSON form of a score, with every key point's evidence and every adjustment."""
    return {
        "points": score.points,
        "max_points": score.max_points,
        "fraction": round(score.fraction, 3),
        "key_points": [_key_point_json(k) for k in score.key_points],
        "breaches": [_breach_json(b) for b in score.breaches],
        "list_like": score.list_like,
        "off_topic": score.off_topic,
        "vague": score.vague,
        "reasons": list(score.reasons),
    }


def question_json(question: Question) -> dict[str, Any]:
    """JSON form of the question asked."""
    return {
        "id": question.id,
        "section": question.section,
        "points": question.points,
        "language": question.language,
        "prompt": question.prompt,
        "bank": question.bank or None,
    }


def turn_json(turn: Turn, relative_to: Path | None = None) -> dict[str, Any]:
    """JSON form of one practice turn (paths relative to the session folder when given)."""
    answer = turn.answer
    return {
        "index": turn.index,
        "take": turn.take,
        "question": question_json(turn.question),
        "answer": answer_json(answer, relative_to),
        "transcript": transcript_json(answer.transcript),
        "score": score_json(turn.score),
        "feedback": {"text": turn.feedback.text},
        "delivery": delivery_json(answer.delivery) if answer.delivery is not None else None,
        "timings": {
            **answer_timings_json(answer),
            "score_s": round(turn.timings.score_s, 4),
            "feedback_latency_s": round(turn.timings.feedback_latency_s, 3),
            "question_first_sound_s": None
            if turn.timings.question_first_sound_s is None
            else round(turn.timings.question_first_sound_s, 3),
        },
        "follow_up": _follow_up_json(turn, relative_to),
    }


def _follow_up_json(turn: Turn, relative_to: Path | None) -> dict[str, Any] | None:
    follow_up = turn.follow_up
    if follow_up is None:
        return None
    point = follow_up.point
    return {"probe": follow_up.probe, "point": follow_up.label,
            "answer": {**answer_json(follow_up.answer, relative_to),
                       "text": follow_up.answer.transcript.text},
            "credit": point.credit, "covered": point.covered,
            "points": follow_up.score.points, "max_points": follow_up.score.max_points,
            "evidence": [_evidence_json(e) for e in point.evidence]}


def session_json(
    turns: list[dict[str, Any]], meta: Mapping[str, Any], status: str
) -> dict[str, Any]:
    """The whole session document."""
    points = round(sum(t["score"]["points"] for t in turns), 1)
    max_points = sum(t["score"]["max_points"] for t in turns)
    return {
        "schema": SESSION_SCHEMA,
        **meta,
        "status": status,
        "updated_at": now(),
        "totals": {"answered": len(turns), "points": points, "max_points": max_points},
        "best_takes": best_takes(turns),
        "turns": turns,
    }


# --- calls ------------------------------------------------------------------------------


def call_turn_json(turn: CallTurn, relative_to: Path | None = None) -> dict[str, Any]:
    """JSON form of one call turn (paths relative to the session folder when given)."""
    answer, choice = turn.answer, turn.branch
    return {
        "index": turn.index,
        "step": turn.step.id,
        "mood": turn.step.mood,
        "customer_line": turn.customer_line,
        "customer_first_sound_s": (None if turn.customer_first_sound_s is None
                                   else round(turn.customer_first_sound_s, 3)),
        "customer_speech_s": turn.customer_speech_s,
        "answer": answer_json(answer, relative_to),
        "transcript": transcript_json(answer.transcript),
        "branch": None if choice is None else {
            "index": choice.index, "label": choice.branch.label, "goto": choice.branch.goto,
            "reasons": list(choice.reasons)},
        "delivery": delivery_json(answer.delivery) if answer.delivery is not None else None,
        "timings": answer_timings_json(answer),
    }


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """JSON form of which scenario was played."""
    return {"id": scenario.id, "title": scenario.title, "language": scenario.language,
            "persona": scenario.persona, "file": scenario.source}


def call_outcome_json(result: CallResult) -> dict[str, Any]:
    """How the call ended, and its scorecard: added to the record when the call is over."""
    return {
        "outcome": result.outcome.value,
        "end_step": result.end_step,
        "final_customer_line": result.final_line,
        "scorecard": scorecard_json(result.scorecard),
        "summary": result.summary,
    }


def call_json(result: CallResult, relative_to: Path | None = None) -> dict[str, Any]:
    """The whole record of a call: scenario, turns with branches and delivery, scorecard."""
    outcome = call_outcome_json(result)
    return {
        "schema": CALL_SCHEMA,
        "scenario": scenario_json(result.scenario),
        "outcome": outcome["outcome"],
        "end_step": outcome["end_step"],
        "final_customer_line": outcome["final_customer_line"],
        "turns": [call_turn_json(turn, relative_to) for turn in result.turns],
        "scorecard": outcome["scorecard"],
        "summary": outcome["summary"],
    }


def call_document(turns: list[dict[str, Any]], meta: Mapping[str, Any],
                  status: str) -> dict[str, Any]:
    """The call record as it is rewritten after every turn."""
    return {"schema": CALL_SCHEMA, **meta, "status": status, "updated_at": now(),
            "turns": turns}


def scorecard_json(card: CallScorecard) -> dict[str, Any]:
    """The call scorecard for `session.json` (plain JSON types)."""
    return {
        "language": card.language,
        "score": card.score,
        "items": [{"id": r.id, "label": r.label, "weight": r.weight, "credit": r.credit,
                   "position": r.position, "turn_index": r.turn_index, "advice": r.advice,
                   "evidence": [{"cue": e.cue, "span": e.span, "turn_index": e.turn_index,
                                 "offset": e.offset, "strength": e.strength,
                                 "method": e.method} for e in r.evidence]}
                  for r in card.items],
        "order_violations": [{"first": v.first, "second": v.second, "label": v.label,
                              "first_position": v.first_position,
                              "second_position": v.second_position}
                             for v in card.order_violations],
        "courtesy": {"markers": {c.label: c.count for c in card.courtesy},
                     "total": card.courtesy_total,
                     "polite_pronoun": card.polite_pronoun_count,
                     "plain_pronoun": card.plain_pronoun_count,
                     "polite_share": (round(card.polite_share, 3)
                                      if card.polite_share is not None else None)},
        "red_flags": [{"label": f.label, "phrase": f.phrase, "quote": f.quote,
                       "turn_index": f.turn_index, "offset": f.offset} for f in card.red_flags],
        "checklist_points": round(card.checklist_points, 2),
        "courtesy_points": round(card.courtesy_points, 2),
        "best": card.best,
        "fix": ({"kind": card.fix.kind, "label": card.fix.label, "advice": card.fix.advice,
                 "points_lost": round(card.fix.points_lost, 2), "phrase": card.fix.phrase}
                if card.fix else None),
        "reasons": list(card.reasons),
        "heard_nothing": card.heard_nothing,
    }


PRACTICE_RECORD: RecordFormat[Turn] = RecordFormat(
    file_name="session.json", schema=SESSION_SCHEMA, turn_json=turn_json,
    document=session_json)
"""A practice session (or a saved replay): `session.json`."""
CALL_RECORD: RecordFormat[CallTurn] = RecordFormat(
    file_name="call.json", schema=CALL_SCHEMA, turn_json=call_turn_json,
    document=call_document)
"""A role-play call: `call.json`."""
