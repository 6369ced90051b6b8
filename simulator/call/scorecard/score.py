"""Scoring a trainee's side of a call against the checklist.

`score_call` is a pure function of the turns' texts. Item cues are found by
`scoring.matching.find_cue` (normalised, fuzzy and pinyin, one turn at a time); courtesy
markers and red flags are matched exactly (after simplified script, width folding and lower
case) because they are counted and quoted. The result holds the evidence, a score out of
100 and every step of its arithmetic in `reasons`, the best thing done and the one fix.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from simulator.call.branches import heard_time
from simulator.call.scorecard.checklist import (
    ChecklistItem,
    LanguageChecklist,
    PhraseGroup,
    Scorecard,
    ScorecardPoints,
)
from simulator.config import ScoringConfig
from simulator.scoring.clauses import split_clauses
from simulator.scoring.matching import AnswerText, CueMatch, find_cue, prepare_answer
from simulator.scoring.result import BreachResult
from simulator.text.normalise import has_cjk, normalise, to_simplified

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """Where a checklist cue was heard."""

    cue: str
    span: str
    """The normalised words that matched."""
    turn_index: int
    offset: int
    """Character offset of `span` in the turn's normalised text."""
    position: int
    """Character offset over all turns' normalised texts joined by one space."""
    strength: float
    """0-100."""
    method: str
    """"exact", "fuzzy" or "pinyin"."""


@dataclass(frozen=True)
class ItemResult:
    """How one checklist item fared."""

    id: str
    label: str
    weight: float
    credit: float
    """1.0 done, 0.5 half done (a cue without its with-cue), 0.0 missing."""
    evidence: tuple[Evidence, ...]
    position: int | None
    """Call-wide position of the mention order rules use (None: not heard)."""
    turn_index: int | None
    advice: str
    """Spoken advice for what is missing ("" when done)."""


@dataclass(frozen=True)
class OrderViolation:
    """An order rule broken: `first` was heard after `second`."""

    first: str
    second: str
    label: str
    first_position: int
    second_position: int
    advice: str


@dataclass(frozen=True)
class CourtesyCount:
    """How often one courtesy marker was heard."""

    label: str
    count: int


@dataclass(frozen=True)
class RedFlag:
    """One red-flag phrase heard, with its context."""

    label: str
    phrase: str
    """The words heard, as the trainee said them (in simplified script)."""
    quote: str
    """The phrase with up to `quote_context_chars` on each side."""
    turn_index: int
    offset: int
    """Character offset in the turn's folded text."""
    advice: str


@dataclass(frozen=True)
class Fix:
    """The one thing to improve: the biggest loss (a red flag always comes first)."""

    kind: str
    """"red_flag", "item", "order" or "courtesy"."""
    label: str
    advice: str
    points_lost: float
    phrase: str = ""
    """For a red flag: the phrase heard."""


@dataclass(frozen=True)
class CallScorecard:
    """The scored call."""

    language: str
    score: int
    """0-100."""
    items: tuple[ItemResult, ...]
    order_violations: tuple[OrderViolation, ...]
    courtesy: tuple[CourtesyCount, ...]
    polite_pronoun_count: int
    """您 heard (0 where the language has none)."""
    plain_pronoun_count: int
    """你 heard, not counting `pronoun_exceptions` (你们)."""
    red_flags: tuple[RedFlag, ...]
    checklist_points: float
    """Points earned from the checklist, before rounding."""
    courtesy_points: float
    best: str | None
    """Label of the heaviest item fully done (None: none)."""
    fix: Fix | None
    reasons: tuple[str, ...]
    """The arithmetic, step by step."""
    heard_nothing: bool = False
    """Every turn was empty: the call is not scored."""
    speech: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """The language's spoken-summary templates, for `render_scorecard`."""

    @property
    def polite_share(self) -> float | None:
        """Share (0-1) of 您 among 您 and 你 (None: neither heard, or no polite form)."""
        total = self.polite_pronoun_count + self.plain_pronoun_count
        return self.polite_pronoun_count / total if total else None

    @property
    def courtesy_total(self) -> int:
        """Courtesy markers heard, all kinds together."""
        return sum(c.count for c in self.courtesy)


_FULL_WIDTH_PUNCT = str.maketrans(",;:!?()", "，；：！？（）")


def _fold(text: str, chinese: bool) -> str:
    """Comparison form that keeps punctuation and case (for quoting): NFKC, simplified."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = re.sub(r"\s+", " ", to_simplified(text)).strip()
    if chinese:  # Whisper puts spaces at pauses between Chinese characters
        text = re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", text)
        text = text.translate(_FULL_WIDTH_PUNCT)  # NFKC made them ASCII; quotes read better
    return text


def _occurrences(phrase: str, text: str, chinese: bool) -> list[tuple[int, int]]:
    """Every (start, end) of `phrase` in `text`; English phrases on word boundaries."""
    target = _fold(phrase, chinese)
    if not target:
        return []
    if chinese or has_cjk(target):
        found, start = [], text.find(target)
        while start >= 0:
            found.append((start, start + len(target)))
            start = text.find(target, start + len(target))
        return found
    pattern = r"\s+".join(re.escape(word) for word in target.split())
    return [(m.start(), m.end()) for m in
            re.finditer(rf"(?<![a-z0-9']){pattern}(?![a-z0-9'])", text, flags=re.IGNORECASE)]


def _group_hits(group: PhraseGroup, text: str, chinese: bool) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of any phrase of the group, outside its exceptions."""
    excluded = [span for ex in group.exceptions for span in _occurrences(ex, text, chinese)]
    hits = sorted({span for phrase in group.phrases for span in _occurrences(phrase, text, chinese)
                   if not any(s <= span[0] and span[1] <= e for s, e in excluded)},
                  key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int]] = []
    for span in hits:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _quote(text: str, start: int, end: int, context: int, chinese: bool) -> str:
    left, right = max(0, start - context), min(len(text), end + context)
    if not chinese:  # do not cut words in half
        while left > 0 and text[left - 1].isalnum():
            left -= 1
        while right < len(text) and text[right].isalnum():
            right += 1
    quote = text[left:right].strip()
    return f"{'…' if left > 0 else ''}{quote}{'…' if right < len(text) else ''}"


def _strong(cue: str, answer: AnswerText, fuzzy_threshold: float) -> CueMatch | None:
    match = find_cue(cue, answer)
    return match if match is not None and match.strength >= fuzzy_threshold else None


def _promised_time(item: ChecklistItem, text: str, language: str) -> str | None:
    """A concrete time said in one clause with one of the item's action words, or None."""
    for clause in split_clauses(text, language):
        time = heard_time(clause.normalised, language)
        if time is not None and any(_fold(word, language == "zh").lower() in clause.normalised
                                    for word in item.time_actions):
            return time
    return None


def _judge_item(item: ChecklistItem, answers: Sequence[AnswerText], offsets: Sequence[int],
                fuzzy_threshold: float, language: str, texts: Sequence[str]) -> ItemResult:
    main: list[Evidence] = []
    extra: list[Evidence] = []
    full = False
    for turn, (answer, base) in enumerate(zip(answers, offsets, strict=True)):
        if not answer.text:
            continue
        time = _promised_time(item, texts[turn], language) if item.time_actions else None
        if time is not None:
            offset = max(0, answer.text.find(time))
            main.append(Evidence(cue=time, span=time, turn_index=turn, offset=offset,
                                 position=base + offset, strength=100.0, method="time"))
            full = True
            continue
        turn_main = [_evidence(m, turn, base) for c in item.cues
                     if (m := _strong(c, answer, fuzzy_threshold))]
        if not turn_main:
            continue  # a with-cue (a time, a name) only counts beside a cue in its turn
        turn_extra = [_evidence(m, turn, base) for c in item.with_cues
                      if (m := _strong(c, answer, fuzzy_threshold))]
        main += turn_main
        extra += turn_extra
        full = full or bool(turn_extra or not item.with_cues)
    credit = 1.0 if full else 0.5 if main else 0.0
    anchor = None
    if main:
        pick = min if item.position == "first" else max
        anchor = pick(main, key=lambda e: e.position)
    advice = "" if credit == 1.0 else (item.partial_tip or item.tip) if credit else item.tip
    evidence = tuple(sorted(main + extra, key=lambda e: e.position))
    return ItemResult(id=item.id, label=item.label, weight=item.weight, credit=credit,
                      evidence=evidence, position=anchor.position if anchor else None,
                      turn_index=anchor.turn_index if anchor else None, advice=advice)


def _evidence(match: CueMatch, turn: int, base: int) -> Evidence:
    return Evidence(cue=match.cue, span=match.span, turn_index=turn, offset=match.start,
                    position=base + match.start, strength=round(match.strength, 1),
                    method=match.method)


def score_call(turn_texts: Sequence[str], scorecard: Scorecard, language: str, *,
               fuzzy_threshold: float | None = None,
               bad_practice: Sequence[Sequence[BreachResult]] | None = None) -> CallScorecard:
    """Score the trainee's turns of one call against the language's checklist.

    Args:
        turn_texts: what the trainee said, one string per turn, in call order (the
            transcripts' `text`; traditional or simplified characters, any punctuation).
        scorecard: from `load_scorecard`.
        language: "zh" or "en".
        fuzzy_threshold: 0-100: how strongly a cue must match to count (None: the one
            threshold of `ScoringConfig`, shared with practice scoring and call branches).
        bad_practice: per turn, the bad practices the judge heard (`Judge.bad_practice`);
            each is a red flag unless a red-flag phrase already quoted it.

    Returns:
        Items with evidence and position, order violations, courtesy counts, red flags with
        quotes, the score out of 100 and the arithmetic in `reasons`.

    Raises:
        DataFileError: the scorecard has no checklist for `language`.
    """
    checklist = scorecard.checklist(language)
    points = scorecard.points
    chinese = language == "zh"
    answers = [prepare_answer(normalise(text)) for text in turn_texts]
    offsets, position = [], 0
    for answer in answers:
        offsets.append(position)
        position += len(answer.text) + 1
    threshold = ScoringConfig().fuzzy_threshold if fuzzy_threshold is None else fuzzy_threshold
    items = tuple(_judge_item(item, answers, offsets, threshold, language, turn_texts)
                  for item in checklist.items)
    folded = [_fold(text, chinese) for text in turn_texts]
    if not any(answer.text.strip() for answer in answers):
        return CallScorecard(
            language=language, score=0, items=items, order_violations=(), courtesy=(),
            polite_pronoun_count=0, plain_pronoun_count=0, red_flags=(), checklist_points=0.0,
            courtesy_points=0.0, best=None, fix=None, reasons=("nothing was said: 0/100",),
            heard_nothing=True, speech=dict(checklist.speech))

    by_id = {result.id: result for result in items}
    violations = tuple(
        OrderViolation(first=rule.first, second=rule.second, label=rule.label,
                       first_position=first.position, second_position=second.position,
                       advice=rule.tip)
        for rule in checklist.order_rules
        if (first := by_id[rule.first]).position is not None
        and (second := by_id[rule.second]).position is not None
        and first.position > second.position
    )
    courtesy = tuple(CourtesyCount(group.label, sum(len(_group_hits(group, text, chinese))
                                                    for text in folded))
                     for group in checklist.courtesy.markers)
    rules = checklist.courtesy
    polite = plain = 0
    if rules.polite_pronoun:
        polite = sum(text.count(_fold(rules.polite_pronoun, chinese)) for text in folded)
        plain_group = PhraseGroup("plain", (rules.plain_pronoun,), rules.pronoun_exceptions)
        plain = sum(len(_group_hits(plain_group, text, chinese)) for text in folded)
    red_flags = tuple(
        RedFlag(label=group.label, phrase=text[start:end],
                quote=_quote(text, start, end, checklist.quote_context_chars, chinese),
                turn_index=turn, offset=start, advice=group.tip)
        for turn, text in enumerate(folded)
        for group in checklist.red_flags
        for start, end in _group_hits(group, text, chinese)
    )
    red_flags += _judged_red_flags(bad_practice or (), folded, red_flags, checklist, chinese)
    red_flags = tuple(sorted(red_flags, key=lambda f: (f.turn_index, f.offset)))
    return _total(language, checklist, points, items, violations, courtesy, polite, plain,
                  red_flags)


def _judged_red_flags(bad_practice: Sequence[Sequence[BreachResult]], folded: Sequence[str],
                      found: Sequence[RedFlag], checklist: LanguageChecklist,
                      chinese: bool) -> tuple[RedFlag, ...]:
    """The judge's bad practices as red flags, skipping clauses a phrase already flagged."""
    flags = []
    for turn, breaches in enumerate(bad_practice):
        if turn >= len(folded):
            break
        for breach in breaches:
            clause = _fold(breach.evidence.heard, chinese)
            offset = max(0, folded[turn].find(clause))
            if any(f.turn_index == turn and offset <= f.offset < offset + len(clause) + 1
                   for f in found):
                continue
            flags.append(RedFlag(label=breach.label, phrase=clause, quote=clause,
                                 turn_index=turn, offset=offset,
                                 advice=checklist.bad_practice_tip))
    return tuple(flags)


def _total(language: str, checklist: LanguageChecklist, points: ScorecardPoints,
           items: tuple[ItemResult, ...], violations: tuple[OrderViolation, ...],
           courtesy: tuple[CourtesyCount, ...], polite: int, plain: int,
           red_flags: tuple[RedFlag, ...]) -> CallScorecard:
    """Add up the score, explaining each step, and choose the best thing and the fix."""
    reasons: list[str] = []
    total_weight = sum(item.weight for item in items)
    earned_weight = sum(item.weight * item.credit for item in items)
    checklist_pts = points.checklist_points * earned_weight / total_weight
    done = ", ".join(f"{item.id} {item.credit:g}x{item.weight:g}" for item in items)
    reasons.append(f"checklist: {earned_weight:g} of {total_weight:g} weighted points ({done}) "
                   f"-> {checklist_pts:.1f}/{points.checklist_points:g}")

    rules = checklist.courtesy
    markers = sum(c.count for c in courtesy)
    marker_share = min(1.0, markers / rules.target)
    pronoun_weight = rules.pronoun_weight if polite + plain else 0.0
    polite_share = polite / (polite + plain) if polite + plain else 0.0
    courtesy_share = (1 - pronoun_weight) * marker_share + pronoun_weight * polite_share
    courtesy_pts = points.courtesy_points * courtesy_share
    line = f"courtesy: {markers} markers of {rules.target} wanted ({marker_share:.0%})"
    if pronoun_weight:
        line += (f", {rules.polite_pronoun} in {polite_share:.0%} of {polite + plain} "
                 f"{rules.polite_pronoun}/{rules.plain_pronoun} (weight {pronoun_weight:g})")
    reasons.append(f"{line} -> {courtesy_pts:.1f}/{points.courtesy_points:g}")

    order_pts = points.order_penalty * len(violations)
    for violation in violations:
        reasons.append(f"order rule broken ({violation.label}): {violation.first} heard after "
                       f"{violation.second}: -{points.order_penalty:g}")
    flag_pts = min(points.red_flag_cap, points.red_flag_penalty * len(red_flags))
    if red_flags:
        heard = "; ".join(f"{f.label}: {f.phrase!r}" for f in red_flags)
        reasons.append(f"red flags: {len(red_flags)} x {points.red_flag_penalty:g} "
                       f"(at most {points.red_flag_cap:g}) = -{flag_pts:g} ({heard})")
    raw = checklist_pts + courtesy_pts - order_pts - flag_pts
    score = int(max(0, min(100, round(raw))))
    reasons.append(f"total: {checklist_pts:.1f} + {courtesy_pts:.1f} - {order_pts:g} - "
                   f"{flag_pts:g} = {raw:.1f} -> {score}/100")

    done_items = [item for item in items if item.credit == 1.0]
    best = max(done_items, key=lambda item: item.weight).label if done_items else None
    fix = _choose_fix(checklist, points, items, violations, red_flags, total_weight,
                      courtesy_pts, marker_share, polite_share, pronoun_weight)
    _LOGGER.debug("call scorecard: %d/100, fix %s", score, fix.kind if fix else None)
    return CallScorecard(
        language=language, score=score, items=items, order_violations=violations,
        courtesy=courtesy, polite_pronoun_count=polite, plain_pronoun_count=plain,
        red_flags=red_flags, checklist_points=checklist_pts, courtesy_points=courtesy_pts,
        best=best, fix=fix, reasons=tuple(reasons), speech=dict(checklist.speech),
    )


def _choose_fix(checklist: LanguageChecklist, points: ScorecardPoints,
                items: tuple[ItemResult, ...], violations: tuple[OrderViolation, ...],
                red_flags: tuple[RedFlag, ...], total_weight: float, courtesy_pts: float,
                marker_share: float, polite_share: float, pronoun_weight: float) -> Fix | None:
    """The one thing to fix. A red flag comes first whatever its points: call-centre QA
    forms treat such phrases as critical errors. Otherwise the biggest loss of points wins;
    on a tie an item beats an order rule, which beats courtesy."""
    if red_flags:
        first = red_flags[0]
        lost = min(points.red_flag_cap, points.red_flag_penalty * len(red_flags))
        return Fix("red_flag", first.label, first.advice, lost, phrase=first.phrase)
    candidates: list[tuple[float, int, Fix]] = []
    for item in items:
        if item.credit < 1.0:
            lost = points.checklist_points * item.weight * (1 - item.credit) / total_weight
            candidates.append((lost, 0, Fix("item", item.label, item.advice, lost)))
    for violation in violations:
        candidates.append((points.order_penalty, 1,
                           Fix("order", violation.label, violation.advice, points.order_penalty)))
    courtesy_lost = points.courtesy_points - courtesy_pts
    if courtesy_lost > 1e-9:
        rules = checklist.courtesy
        pronoun_lost = pronoun_weight * (1 - polite_share)
        marker_lost = (1 - pronoun_weight) * (1 - marker_share)
        advice = rules.pronoun_tip if pronoun_lost > marker_lost else rules.tip
        candidates.append((courtesy_lost, 2, Fix("courtesy", "courtesy", advice, courtesy_lost)))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (round(c[0], 6), -c[1]))[2]
