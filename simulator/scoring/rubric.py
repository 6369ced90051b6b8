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

STUFFING_DENSITY_START = 0.5
"""Share of the answer's characters covered by cue matches above which stuffing is suspected."""
STUFFING_MIN_FACTOR = 0.3
"""Score factor for an answer that is nothing but a list of cue words."""
STUFFING_DENSITY_SPAN = 0.3
"""Density above the start at which the stuffing penalty reaches its full effect."""
EXPECTED_FUNCTION_SHARE = {"zh": 0.2, "en": 0.35}
"""Share of function characters/words below which an answer reads like a list (ordinary
spoken answers measure about 0.25-0.35 for Mandarin and 0.4-0.5 for English)."""
_ZH_FUNCTION_CHARS = frozenset("我你您他她它们的了是在和就都也还把给被让先再然后会要能可以这那个"
                               "一不没很吧呢吗啊着过到对为从跟向所以因为如果但而且或者得地之其")
_EN_FUNCTION_WORDS = frozenset(
    "i you we he she they it the a an to of and or but so will would can could should be is "
    "are was were that this for with on in at my your our their them then if what how me us "
    "do does did have has had not ll m s re ve d t just also there here".split())


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

    A real answer connects its key words with grammar: pronouns, particles, auxiliaries,
    connectives (我, 的, 了, 会, 先, 然后; I, the, to, will, and). A keyword list has
    almost none. Two measures combine:

    - density: the share of the answer covered by matched cues;
    - list-likeness: 1 minus the share of function words relative to what ordinary
      speech has (`EXPECTED_FUNCTION_SHARE`), clamped to [0, 1].

    Up to a density of `STUFFING_DENSITY_START` nothing happens. Above it the factor falls
    with density (reaching its full effect `STUFFING_DENSITY_SPAN` later) in proportion to
    list-likeness, down to `STUFFING_MIN_FACTOR`. A dense but grammatical answer ("I'm
    sorry, I'll check the order and it ships today") keeps its score.

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
    share = function_word_share(answer, covered)
    expected = EXPECTED_FUNCTION_SHARE["zh" if answer.is_chinese else "en"]
    list_likeness = min(1.0, max(0.0, 1.0 - share / expected))
    steepness = min(1.0, (density - STUFFING_DENSITY_START) / STUFFING_DENSITY_SPAN)
    factor = 1.0 - (1.0 - STUFFING_MIN_FACTOR) * steepness * list_likeness
    return max(STUFFING_MIN_FACTOR, factor), density


def function_word_share(answer: AnswerText, covered: list[bool]) -> float:
    """Share of Mandarin characters, or English words, that are grammatical glue outside
    the matched cues (the 一 of a cue like 查一下 is not glue)."""
    if answer.is_chinese:
        chars = [(c, covered[i]) for i, c in enumerate(answer.text) if not c.isspace()]
        glue = sum(c in _ZH_FUNCTION_CHARS and not in_cue for c, in_cue in chars)
        return glue / len(chars) if chars else 0.0
    words = answer.words
    glue = sum(w in _EN_FUNCTION_WORDS and not covered[start] for w, start, _ in words)
    return glue / len(words) if words else 0.0
