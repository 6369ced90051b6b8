"""The phone-manner checklist as data: `prompts/scorecard.toml` loaded and validated.

One table per language: items such as the greeting, restating the problem, the apology,
a solution with a time and the closing, each with cues; order rules between items;
courtesy markers and, for Mandarin, the polite pronoun 您; red-flag phrases. Every mistake
in the file is a `DataFileError` naming the file, the entry and the field.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.data import (
    LANGUAGES,
    PROMPTS_DIR,
    cues,
    number,
    optional_text,
    read_toml,
    strings,
    tables,
    text,
)
from simulator.errors import DataFileError

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
    time_actions: tuple[str, ...] = ()
    """When given, a concrete time ("今天下午五点前", "within 24 hours") said in one clause
    with any of these action words (发, 送, 回电; ship, call) does the item in full, whatever
    other words go with it: a promise of what will happen when."""


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
    bad_practice_tip: str
    """Advice for a bad practice the judge heard in other words than the red-flag phrases."""
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
                  for i, rule in enumerate(tables(table, "order", where, required=False,
                                                  header="...order")))
    courtesy = _courtesy(table.get("courtesy"), f"{where}.courtesy")
    red_flags = tuple(_group(group, f"{source}: {language} red flag {i + 1}", needs_tip=True)
                      for i, group in enumerate(tables(table, "red_flags", where,
                                                       header="...red_flags")))
    context = table.get("quote_context_chars", 10)
    if not isinstance(context, int) or isinstance(context, bool) or not 0 <= context <= 200:
        raise DataFileError(f"{where}: field 'quote_context_chars' must be an integer from 0 "
                            "to 200")
    return LanguageChecklist(language=language, items=items, order_rules=rules,
                             courtesy=courtesy, red_flags=red_flags,
                             quote_context_chars=context, speech=_speech(table, where),
                             bad_practice_tip=text(table, "bad_practice_tip", where))


def _item(table: Mapping[str, Any], where: str) -> ChecklistItem:
    item_id = text(table, "id", where)
    where = f"{where} ({item_id})"
    position = table.get("position", "first")
    if position not in ("first", "last"):
        raise DataFileError(f"{where}: field 'position' is {position!r}; use \"first\" or \"last\"")
    return ChecklistItem(
        id=item_id, label=text(table, "label", where),
        weight=number(table, "weight", where, strict=True),
        cues=cues(table, "cues", where),
        with_cues=cues(table, "with_cues", where, required=False),
        position=position, tip=text(table, "tip", where),
        partial_tip=optional_text(table, "partial_tip", where),
        time_actions=strings(table, "time_actions", where, required=False),
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
                         pronoun_exceptions=strings(table, "pronoun_exceptions", where,
                                                    required=False),
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
