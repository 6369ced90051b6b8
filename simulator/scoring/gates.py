"""The answer-level beliefs that scale a score down: off the topic, vague, and reading like
bad practice when no breach was heard (each a calibrated logistic, `prompts/judge.toml`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from simulator.scoring.calibration import Calibration


@dataclass(frozen=True)
class GateVerdict:
    """What the gates leave of a score, and why."""

    kept: float
    """Share of the score kept (1.0: no gate fired)."""
    off_topic: bool
    vague: bool
    reasons: tuple[str, ...]


def answer_gates(gates: Mapping[str, float], cal: Calibration, breach_heard: bool,
                 most_breach_like: Callable[[], str]) -> GateVerdict:
    """Apply the three gates to an answer's features (`most_breach_like`: the clause to quote
    when the answer reads like bad practice)."""
    kept = 1.0
    reasons: list[str] = []
    off_topic = cal.off_topic.probability(gates)
    vague = cal.vague.probability(gates) if cal.vague is not None else 0.0
    is_vague = vague >= cal.vague_threshold
    # General statements padded with small talk read as both: the surer belief names it
    # (and the feedback then asks for the steps, not for the question's subject).
    is_off_topic = off_topic >= cal.off_topic_threshold and not (is_vague and vague > off_topic)
    is_vague = is_vague and not is_off_topic
    if is_off_topic:
        kept *= (share := cal.off_topic_scale(off_topic))
        reasons.append(f"most of the answer is about something else (belief "
                       f"{off_topic:.2f}): x{share:.2f}")
    if is_vague:
        kept *= 1.0 - vague
        reasons.append(f"mostly general statements, little of what you would do (belief "
                       f"{vague:.2f}): x{1 - vague:.2f}")
    if not breach_heard:
        suspect = cal.breach.probability(gates)
        if suspect >= cal.breach_threshold:
            kept *= (share := cal.breach_scale(suspect))
            clause = most_breach_like()
            reasons.append(f"reads like bad practice (belief {suspect:.2f}"
                           f"{', «' + clause + '»' if clause else ''}): x{share:.2f}")
    return GateVerdict(kept, is_off_topic, is_vague, tuple(reasons))
