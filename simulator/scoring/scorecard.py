"""Score a call-centre trainee's side of a role-play call against a phone-manner checklist.

The checklist is data (`prompts/scorecard.toml`, one table per language): items such as the
greeting, restating the problem, the apology, a solution with a time and the closing, each
with cues found by `simulator.scoring.matching.find_cue` (normalised, fuzzy and pinyin, one
turn at a time); order rules between items ("apology before the solution"); courtesy
markers and, for Mandarin, the share of 您 over 你; and red-flag phrases, counted and quoted.
`score_call` is a pure function of the turns' texts and returns a `CallScorecard` with the
evidence, a score out of 100 and every step of its arithmetic in `reasons`;
`render_scorecard` says the score, the best thing and the one thing to fix.
"""

from __future__ import annotations

import logging
import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.config import ScoringConfig
from simulator.data import (
    LANGUAGES,
    PROMPTS_DIR,
    number,
    optional_text,
    read_toml,
    strings,
    tables,
    text,
)
from simulator.errors import DataFileError
from simulator.scoring.matching import AnswerText, CueMatch, find_cue, prepare_answer
from simulator.text.normalise import has_cjk, normalise, to_simplified

_LOGGER = logging.getLogger(__name__)

DEFAULT_SCORECARD_PATH = PROMPTS_DIR / "scorecard.toml"
"""The shipped checklist."""
SPEECH_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "score": frozenset({"score"}),
    "best": frozenset({"item"}),
    "fix": frozenset({"advice"}),
    "fix_red_flag": frozenset({"phrase", "advice"}),
    "all_good": frozenset(),
    "empty": frozenset(),
}
"""The spoken-summary templates every language needs, with the placeholders each may use."""
MAX_SCORECARD_BYTES = 1_000_000


# --- the checklist (data) ------------------------------------------------------------------


@dataclass(frozen=True)
class PhraseGroup:
    """Phrases counted together: one courtesy marker or one kind of red flag."""

    label: str
    phrases: tuple[str, ...]
    exceptions: tuple[str, ...] = ()
    """Longer phrases inside which a phrase does not count (申请 for 请)."""
    tip: str = ""
    """Spoken advice (red flags)."""


@dataclass(frozen=True)
class ChecklistItem:
    """One step of a good call."""

    id: str
    label: str
    """Spoken name of the step."""
    weight: float
    """Share of the checklist points (relative to the other items' weights)."""
    cues: tuple[str, ...]
    with_cues: tuple[str, ...] = ()
    """When given, full credit needs one of these in the same turn as a cue."""
    position: str = "first"
    """Which mention order rules use: "first" or "last"."""
    tip: str = ""
    """Spoken advice when the item is missing."""
    partial_tip: str = ""
    """Spoken advice when it earned half credit ("" uses `tip`)."""


@dataclass(frozen=True)
class OrderRule:
    """`first` should be heard before `second`."""

    first: str
    second: str
    label: str
    tip: str


@dataclass(frozen=True)
class CourtesyRules:
    """What counts as courtesy in one language."""

    markers: tuple[PhraseGroup, ...]
    target: int
    """Markers per call that earn the full marker share."""
    tip: str
    polite_pronoun: str = ""
    """"您" for Mandarin; "" where the language has no polite form of address."""
    plain_pronoun: str = ""
    pronoun_exceptions: tuple[str, ...] = ()
    """Words holding the plain pronoun where no polite form exists (你们)."""
    pronoun_weight: float = 0.0
    """Share (0-1) of the courtesy points earned by the polite-pronoun share."""
    pronoun_tip: str = ""


@dataclass(frozen=True)
class LanguageChecklist:
    """The checklist, rules and phrases for one language."""

    language: str
    items: tuple[ChecklistItem, ...]
    order_rules: tuple[OrderRule, ...]
    courtesy: CourtesyRules
    red_flags: tuple[PhraseGroup, ...]
    quote_context_chars: int
    """Characters quoted on each side of a red flag."""
    speech: Mapping[str, str]
    """Spoken-summary templates (keys of `SPEECH_PLACEHOLDERS`)."""


@dataclass(frozen=True)
class ScorecardPoints:
    """How the 100 points are made up and how close a cue must be."""

    checklist_points: float = 80.0
    courtesy_points: float = 20.0
    order_penalty: float = 10.0
    """Points off per broken order rule."""
    red_flag_penalty: float = 10.0
    """Points off per red-flag phrase heard."""
    red_flag_cap: float = 40.0
    """Most points red flags can take off in all."""


@dataclass(frozen=True)
class Scorecard:
    """A validated scorecard file."""

    source: str
    points: ScorecardPoints
    languages: Mapping[str, LanguageChecklist]

    def checklist(self, language: str) -> LanguageChecklist:
        """The checklist for a language.

        Raises:
            DataFileError: the file has no table for it (names the file and the language).
        """
        if language not in self.languages:
            known = ", ".join(self.languages) or "none"
            raise DataFileError(f"{self.source}: no [{language}] checklist (the file has: {known})")
        return self.languages[language]


# --- the result -----------------------------------------------------------------------------


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


# --- loading --------------------------------------------------------------------------------


def load_scorecard(path: Path = DEFAULT_SCORECARD_PATH) -> Scorecard:
    """Read, parse and validate a scorecard file.

    Raises:
        DataFileError: the file is missing, too large, not TOML or invalid (names file and field).
    """
    data = read_toml(path, "scorecard", MAX_SCORECARD_BYTES)
    return parse_scorecard(data, source=str(path))


def parse_scorecard(data: Mapping[str, Any], source: str) -> Scorecard:
    """Validate a scorecard already parsed into plain data and build a `Scorecard`.

    Raises:
        DataFileError: with `source`, the table and the field in the message.
    """
    if not isinstance(data, Mapping):
        raise DataFileError(f"{source}: a scorecard must be a table")
    points = _points(data.get("scoring", {}), source)
    unknown = [key for key in data if key not in (*LANGUAGES, "scoring")]
    if unknown:
        raise DataFileError(f"{source}: unknown table [{unknown[0]}]; use [scoring] and "
                        f"language tables {', '.join(f'[{x}]' for x in LANGUAGES)}")
    languages = {lang: _language(data[lang], lang, source) for lang in LANGUAGES if lang in data}
    if not languages:
        raise DataFileError(f"{source}: no language table; add [zh] and/or [en]")
    return Scorecard(source=source, points=points, languages=languages)


def _points(table: Any, source: str) -> ScorecardPoints:
    where = f"{source}: [scoring]"
    if not isinstance(table, Mapping):
        raise DataFileError(f"{where} must be a table")
    defaults = ScorecardPoints()
    values: dict[str, float] = {}
    for name in ScorecardPoints.__dataclass_fields__:
        values[name] = number(table, name, where, default=getattr(defaults, name))
    if abs(values["checklist_points"] + values["courtesy_points"] - 100) > 1e-9:
        raise DataFileError(f"{where}: fields 'checklist_points' + 'courtesy_points' must add up "
                        f"to 100, not {values['checklist_points'] + values['courtesy_points']:g}")
    extra = set(table) - set(ScorecardPoints.__dataclass_fields__)
    if extra:
        raise DataFileError(f"{where}: unknown field '{sorted(extra)[0]}'")
    return ScorecardPoints(**values)


def _language(table: Any, language: str, source: str) -> LanguageChecklist:
    where = f"{source}: [{language}]"
    if not isinstance(table, Mapping):
        raise DataFileError(f"{where} must be a table")
    items = tuple(_item(item, f"{source}: {language} item {i + 1}")
                  for i, item in enumerate(tables(table, "items", where, header="...items")))
    ids = [item.id for item in items]
    duplicate = next((x for i, x in enumerate(ids) if x in ids[:i]), None)
    if duplicate is not None:
        raise DataFileError(f"{where}: duplicate item id {duplicate!r}")
    rules = tuple(_rule(rule, set(ids), f"{source}: {language} order rule {i + 1}")
                  for i, rule in enumerate(tables(table, "order", where, required=False, header="...order")))
    courtesy = _courtesy(table.get("courtesy"), f"{where}.courtesy")
    red_flags = tuple(_group(group, f"{source}: {language} red flag {i + 1}", needs_tip=True)
                      for i, group in enumerate(tables(table, "red_flags", where, header="...red_flags")))
    context = table.get("quote_context_chars", 10)
    if not isinstance(context, int) or isinstance(context, bool) or not 0 <= context <= 200:
        raise DataFileError(f"{where}: field 'quote_context_chars' must be an integer from 0 to 200")
    return LanguageChecklist(language=language, items=items, order_rules=rules,
                             courtesy=courtesy, red_flags=red_flags,
                             quote_context_chars=context, speech=_speech(table, where))


def _item(table: Mapping[str, Any], where: str) -> ChecklistItem:
    item_id = text(table, "id", where)
    where = f"{where} ({item_id})"
    position = table.get("position", "first")
    if position not in ("first", "last"):
        raise DataFileError(f"{where}: field 'position' is {position!r}; use \"first\" or \"last\"")
    return ChecklistItem(
        id=item_id, label=text(table, "label", where),
        weight=number(table, "weight", where, strict=True),
        cues=strings(table, "cues", where), with_cues=strings(table, "with_cues", where, required=False),
        position=position, tip=text(table, "tip", where),
        partial_tip=optional_text(table, "partial_tip", where),
    )


def _rule(table: Mapping[str, Any], ids: set[str], where: str) -> OrderRule:
    first, second = text(table, "first", where), text(table, "second", where)
    for name, value in (("first", first), ("second", second)):
        if value not in ids:
            raise DataFileError(f"{where}: field '{name}' is {value!r}, not an item id "
                            f"({', '.join(sorted(ids))})")
    if first == second:
        raise DataFileError(f"{where}: fields 'first' and 'second' name the same item {first!r}")
    return OrderRule(first=first, second=second, label=text(table, "label", where),
                     tip=text(table, "tip", where))


def _courtesy(table: Any, where: str) -> CourtesyRules:
    if not isinstance(table, Mapping):
        raise DataFileError(f"{where}: missing table")
    target = table.get("target")
    if not isinstance(target, int) or isinstance(target, bool) or target < 1:
        raise DataFileError(f"{where}: field 'target' must be an integer of at least 1")
    markers = tuple(_group(group, f"{where} marker {i + 1}", needs_tip=False)
                    for i, group in enumerate(tables(table, "markers", where, header="...markers")))
    polite = optional_text(table, "polite_pronoun", where)
    plain = optional_text(table, "plain_pronoun", where)
    if bool(polite) != bool(plain):
        raise DataFileError(f"{where}: give both 'polite_pronoun' and 'plain_pronoun', or neither")
    weight = number(table, "pronoun_weight", where, default=0.0)
    if weight > 1 or (weight > 0 and not polite):
        raise DataFileError(f"{where}: field 'pronoun_weight' must be in [0, 1], and 0 without "
                        "pronouns")
    pronoun_tip = optional_text(table, "pronoun_tip", where)
    if polite and not pronoun_tip:
        raise DataFileError(f"{where}: field 'pronoun_tip' must be a non-empty string")
    return CourtesyRules(markers=markers, target=target, tip=text(table, "tip", where),
                         polite_pronoun=polite, plain_pronoun=plain,
                         pronoun_exceptions=strings(table, "pronoun_exceptions", where, required=False),
                         pronoun_weight=weight, pronoun_tip=pronoun_tip)


def _group(table: Mapping[str, Any], where: str, needs_tip: bool) -> PhraseGroup:
    label = text(table, "label", where)
    where = f"{where} ({label})"
    tip = text(table, "tip", where) if needs_tip else optional_text(table, "tip", where)
    return PhraseGroup(label=label, phrases=strings(table, "phrases", where),
                       exceptions=strings(table, "except", where, required=False), tip=tip)


def _speech(table: Mapping[str, Any], where: str) -> dict[str, str]:
    speech = table.get("speech")
    if not isinstance(speech, Mapping):
        raise DataFileError(f"{where}: missing table 'speech'")
    for key, allowed in SPEECH_PLACEHOLDERS.items():
        template = speech.get(key)
        if not isinstance(template, str) or not template.strip():
            raise DataFileError(f"{where}.speech: missing key '{key}'")
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(template)
                     if name is not None}
        except ValueError as e:
            raise DataFileError(f"{where}.speech: key '{key}' is not a valid template: {e}") from e
        if names - allowed:
            raise DataFileError(f"{where}.speech: key '{key}' uses unknown placeholder "
                            f"{{{sorted(names - allowed)[0]}}}; allowed: "
                            f"{', '.join(sorted(allowed)) or 'none'}")
    return {key: str(speech[key]) for key in SPEECH_PLACEHOLDERS}


# --- scoring --------------------------------------------------------------------------------


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


def _judge_item(item: ChecklistItem, answers: Sequence[AnswerText], offsets: Sequence[int],
                fuzzy_threshold: float) -> ItemResult:
    main: list[Evidence] = []
    extra: list[Evidence] = []
    full = False
    for turn, (answer, base) in enumerate(zip(answers, offsets, strict=True)):
        if not answer.text:
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
               fuzzy_threshold: float | None = None) -> CallScorecard:
    """Score the trainee's turns of one call against the language's checklist.

    Args:
        turn_texts: what the trainee said, one string per turn, in call order (the
            transcripts' `text`; traditional or simplified characters, any punctuation).
        scorecard: from `load_scorecard`.
        language: "zh" or "en".
        fuzzy_threshold: 0-100: how strongly a cue must match to count (None: the one
            threshold of `ScoringConfig`, shared with practice scoring and call branches).

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
    items = tuple(_judge_item(item, answers, offsets, threshold) for item in checklist.items)
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
    red_flags = tuple(sorted(red_flags, key=lambda f: (f.turn_index, f.offset)))
    return _total(language, checklist, points, items, violations, courtesy, polite, plain,
                  red_flags)


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


# --- output ---------------------------------------------------------------------------------


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


def render_scorecard(card: CallScorecard, language: str) -> str:
    """A short spoken summary: the score, the best thing, and the one thing to fix.

    Args:
        card: from `score_call`.
        language: the language to speak; must be the card's (its labels and advice are
            written in it).

    Raises:
        ValueError: `language` is not the card's language.
    """
    if language != card.language:
        raise ValueError(f"the scorecard is in {card.language!r}, not {language!r}")
    speech = card.speech
    if card.heard_nothing:
        return speech["empty"]
    sentences = [speech["score"].format(score=card.score)]
    if card.best:
        sentences.append(speech["best"].format(item=card.best))
    if card.fix is None:
        sentences.append(speech["all_good"])
    elif card.fix.kind == "red_flag":
        sentences.append(speech["fix_red_flag"].format(phrase=card.fix.phrase,
                                                       advice=card.fix.advice))
    else:
        sentences.append(speech["fix"].format(advice=card.fix.advice))
    joiner = "" if language == "zh" else " "
    return joiner.join(sentences)
