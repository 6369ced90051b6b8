"""Score one answer against a question's key points: a pure function with its reasons.

For each key point the cues are looked for in the normalised transcript
(`simulator.scoring.matching`); the point's credit (1, 0.5 or 0) follows its match mode.
The score is `points x weighted coverage`, less the weight of any forbidden phrase heard,
capped when a critical point is missed, and scaled down when the answer is little more
than a list of cue words (keyword stuffing). Every step is recorded in `Score.reasons`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.bank.model import KeyPoint, MatchMode, Question
from simulator.config import ScoringConfig
from simulator.scoring.matching import AnswerText, CueMatch, find_cue, prepare_answer

STUFFING_DENSITY_START = 0.7
"""Share of the answer's characters covered by cue matches above which stuffing is suspected."""
STUFFING_MIN_FACTOR = 0.35
"""Score factor for an answer that consists of nothing but cue words."""


@dataclass(frozen=True)
class KeyPointResult:
    """How one key point fared."""

    label: str
    weight: float
    mode: str
    credit: float
    """1.0 made, 0.5 nearly made, 0.0 missed. For forbidden phrases: 1.0 means one was heard."""
    critical: bool
    evidence: tuple[CueMatch, ...]
    """The cue matches that earned the credit (or the forbidden phrases heard)."""
    probe: str = ""

    @property
    def covered(self) -> bool:
        """True when the point was made (credit of at least half)."""
        return self.credit >= 0.5


@dataclass(frozen=True)
class Score:
    """The result of scoring one answer."""

    points: float
    """Marks earned, rounded to 0.1."""
    max_points: float
    key_points: tuple[KeyPointResult, ...]
    forbidden: tuple[KeyPointResult, ...]
    """Forbidden-phrase points that were heard."""
    reasons: tuple[str, ...] = field(default=())
    """Every adjustment made, in plain words, for the JSON record."""

    @property
    def fraction(self) -> float:
        """Score as a share of the maximum (0-1)."""
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def covered(self) -> tuple[KeyPointResult, ...]:
        """Key points made."""
        return tuple(k for k in self.key_points if k.covered)

    @property
    def missed(self) -> tuple[KeyPointResult, ...]:
        """Key points not made."""
        return tuple(k for k in self.key_points if not k.covered)


def score_answer(normalised_answer: str, question: Question, config: ScoringConfig) -> Score:
    """Score a normalised transcript against the question's rubric.

    Args:
        normalised_answer: `Transcript.normalised` (or `simulator.text.normalise(text)`).
        question: the question with its key points.
        config: thresholds.

    Returns:
        The score with per-key-point evidence and the reasons for every adjustment.
    """
    answer = prepare_answer(normalised_answer)
    earnable = [kp for kp in question.key_points if kp.mode is not MatchMode.NONE]
    forbidden_points = [kp for kp in question.key_points if kp.mode is MatchMode.NONE]
    if len(answer.text.replace(" ", "")) < config.min_answer_chars:
        results = tuple(_missed(kp) for kp in earnable)
        reason = "empty answer" if not answer.text.strip() else "answer too short to score"
        return Score(0.0, question.points, results, (), (reason,))
    results = tuple(_judge(kp, answer, config) for kp in earnable)
    heard_forbidden = tuple(r for r in (_judge(kp, answer, config) for kp in forbidden_points)
                            if r.credit > 0)
    total_weight = sum(kp.weight for kp in earnable)
    coverage = sum(r.weight * r.credit for r in results) / total_weight
    raw = question.points * coverage
    reasons = [f"coverage {coverage:.2f} of weighted key points -> {raw:.2f}/{question.points:g}"]
    for item in heard_forbidden:
        penalty = question.points * item.weight / total_weight
        raw -= penalty
        reasons.append(f"forbidden phrase heard ({item.label}): -{penalty:.2f}")
    missed_critical = [r.label for r in results if r.critical and not r.covered]
    if missed_critical and raw > question.points * config.critical_cap:
        raw = question.points * config.critical_cap
        reasons.append(f"critical point missed ({'; '.join(missed_critical)}): capped at "
                       f"{config.critical_cap:.0%}")
    factor, density = stuffing_factor(answer, results)
    if factor < 1.0:
        raw *= factor
        reasons.append(f"{density:.0%} of the answer is cue words with little else: "
                       f"x{factor:.2f} (keyword stuffing)")
    points = round(max(0.0, min(question.points, raw)), 1)
    return Score(points, question.points, results, heard_forbidden, tuple(reasons))


def _judge(kp: KeyPoint, answer: AnswerText, config: ScoringConfig) -> KeyPointResult:
    matches = [m for m in (find_cue(c, answer) for c in kp.cues) if m is not None]
    strong = [m for m in matches if m.strength >= config.fuzzy_threshold]
    near = [m for m in matches if config.partial_credit_threshold <= m.strength
            < config.fuzzy_threshold]
    distinct_strong = len({m.cue for m in strong})
    if kp.mode is MatchMode.ALL:
        needed = len(kp.cues)
    elif kp.mode is MatchMode.N_OF:
        needed = kp.min_cues
    else:
        needed = 1
    if distinct_strong >= needed:
        credit, evidence = 1.0, strong
    elif kp.mode is MatchMode.NONE:
        credit, evidence = 0.0, []
    elif distinct_strong + len({m.cue for m in near}) >= needed:
        credit, evidence = 0.5, strong + near
    else:
        credit, evidence = 0.0, []
    evidence = _one_per_span(sorted(evidence, key=lambda m: (-m.strength, m.start)))
    return KeyPointResult(label=kp.label, weight=kp.weight, mode=kp.mode.value, credit=credit,
                          critical=kp.critical, evidence=tuple(evidence), probe=kp.probe)


def _one_per_span(matches: list[CueMatch]) -> list[CueMatch]:
    """Keep the strongest match for each stretch of the answer (cues often overlap)."""
    kept: list[CueMatch] = []
    for match in matches:
        if not any(match.start < k.end and k.start < match.end for k in kept):
            kept.append(match)
    return kept


def _missed(kp: KeyPoint) -> KeyPointResult:
    return KeyPointResult(label=kp.label, weight=kp.weight, mode=kp.mode.value, credit=0.0,
                          critical=kp.critical, evidence=(), probe=kp.probe)


def stuffing_factor(answer: AnswerText, results: tuple[KeyPointResult, ...]) -> tuple[float, float]:
    """How much to scale a score for an answer that is mostly bare cue words.

    A real answer connects its key words with other words: verbs, reasons, the customer.
    Density is the share of the answer's characters covered by matched cues. Up to
    `STUFFING_DENSITY_START` nothing happens; above it the factor falls linearly to
    `STUFFING_MIN_FACTOR` at a density of 1.

    Returns:
        (factor, density)
    """
    length = len(answer.text.replace(" ", ""))
    if length == 0:
        return 1.0, 0.0
    covered = [False] * len(answer.text)
    for result in results:
        for match in result.evidence:
            for i in range(match.start, min(match.end, len(covered))):
                covered[i] = True
    density = sum(1 for i, c in enumerate(covered) if c and answer.text[i] != " ") / length
    if density <= STUFFING_DENSITY_START:
        return 1.0, density
    slope = (1.0 - STUFFING_MIN_FACTOR) / (1.0 - STUFFING_DENSITY_START)
    return max(STUFFING_MIN_FACTOR, 1.0 - slope * (density - STUFFING_DENSITY_START)), density
