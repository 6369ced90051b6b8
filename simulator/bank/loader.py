"""Load and validate question banks from TOML files into `Bank` values.

Every problem is reported as a `BankError` whose message names the file, the question id
(or the position of the entry) and the field, e.g.
`prompts/banks/cs-zh.toml: question 12, key point 2: field 'cues' must be a non-empty list`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from simulator import data
from simulator.bank.breaches import parse_breach
from simulator.bank.model import Bank, Breach, KeyPoint, MatchMode, Question, Section
from simulator.data import LANGUAGES, PROMPTS_DIR
from simulator.errors import BankError

MAX_BANK_BYTES = 5_000_000
"""Bank files above this size are refused before parsing (a bank is a few hundred kB)."""
BANKS_DIR = PROMPTS_DIR / "banks"
"""The shipped banks."""

# The shared validators, raising BankError.
_text = partial(data.text, error=BankError)
_list_of_tables = partial(data.tables, error=BankError)
_positive_number = partial(data.number, strict=True, error=BankError)


def load_bank(path: Path) -> Bank:
    """Read, parse and validate one bank file.

    Raises:
        BankError: the file is missing, too large, not TOML, or invalid (names file and field).
    """
    return parse_bank(data.read_toml(path, "bank file", MAX_BANK_BYTES, error=BankError),
                      source=str(path))


def parse_bank(document: Mapping[str, Any], source: str) -> Bank:
    """Validate a bank already parsed into plain data (TOML tables) and build a `Bank`.

    Raises:
        BankError: with `source`, the entry and the field in the message.
    """
    if not isinstance(document, Mapping):
        raise BankError(f"{source}: a bank must be a table")
    head = document.get("bank")
    if not isinstance(head, Mapping):
        raise BankError(f"{source}: missing table [bank]")
    bank_id = _text(head, "id", f"{source}: [bank]")
    language = _text(head, "language", f"{source}: [bank]")
    if language not in LANGUAGES:
        raise BankError(
            f"{source}: [bank]: field 'language' is {language!r}; use one of {LANGUAGES}"
        )
    sections = tuple(
        Section(
            id=_text(item, "id", f"{source}: section {i + 1}"),
            title=_text(item, "title", f"{source}: section {i + 1}"),
        )
        for i, item in enumerate(_list_of_tables(document, "sections", source))
    )
    section_ids = [s.id for s in sections]
    if len(set(section_ids)) != len(section_ids):
        raise BankError(f"{source}: duplicate section id {_first_duplicate(section_ids)!r}")
    questions = tuple(
        replace(_question(item, i, language, set(section_ids), source), bank=bank_id)
        for i, item in enumerate(_list_of_tables(document, "questions", source))
    )
    if not questions:
        raise BankError(f"{source}: the bank has no questions")
    question_ids = [q.id for q in questions]
    if len(set(question_ids)) != len(question_ids):
        raise BankError(f"{source}: duplicate question id {_first_duplicate(question_ids)!r}")
    return Bank(
        id=bank_id,
        title=_text(head, "title", f"{source}: [bank]"),
        language=language,
        sections=sections,
        questions=questions,
        source=source,
        description=str(head.get("description", "")),
    )


def _question(
    item: Mapping[str, Any], index: int, language: str, sections: set[str], source: str
) -> Question:
    where = f"{source}: question {index + 1}"
    raw_id = item.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise BankError(f"{where}: field 'id' must be a non-empty string")
    where = f"{source}: question {_one_line(raw_id)}"
    section = _text(item, "section", where)
    if section not in sections:
        raise BankError(f"{where}: field 'section' is {section!r}, not a section of this bank")
    points = _positive_number(item, "points", where)
    parsed = [_key_point(kp, k, f"{where}, key point {k + 1}")
              for k, kp in enumerate(_list_of_tables(item, "key_points", where))]
    key_points = tuple(kp for kp in parsed if kp.mode is not MatchMode.NONE)
    if not key_points:
        raise BankError(f"{where}: field 'key_points' needs at least one point to earn")
    # A key point of mode "none" is the old form of a breach: its cues are forbidden phrases.
    breaches = tuple(Breach(label=kp.label, cues=kp.cues, examples=())
                     for kp in parsed if kp.mode is MatchMode.NONE)
    breaches += tuple(
        parse_breach(b, f"{where}, breach {k + 1}")
        for k, b in enumerate(data.tables(item, "breaches", where, required=False,
                                          header="questions.breaches", error=BankError)))
    labels = {kp.label for kp in key_points}
    for breach in breaches:
        if breach.violates and breach.violates not in labels:
            raise BankError(f"{where}: breach ({breach.label[:40]}): field 'violates' is "
                            f"{breach.violates!r}, not a key point label of this question")
    return Question(
        id=raw_id.strip(),
        section=section,
        points=points,
        prompt=_text(item, "prompt", where),
        key_points=key_points,
        language=language,
        model_answer=str(item.get("model_answer", "")),
        breaches=breaches,
    )


def _key_point(item: Mapping[str, Any], index: int, where: str) -> KeyPoint:
    label = _text(item, "label", where)
    where = f"{where} ({_one_line(label)})"
    cues = data.cues(item, "cues", where, error=BankError)
    mode_text = item.get("mode", "any")
    try:
        mode = MatchMode(mode_text)
    except ValueError as e:
        valid = ", ".join(m.value for m in MatchMode)
        raise BankError(f"{where}: field 'mode' is {mode_text!r}; use one of {valid}") from e
    min_cues = item.get("min_cues", 1)
    if (
        not isinstance(min_cues, int)
        or isinstance(min_cues, bool)
        or not 1 <= min_cues <= len(cues)
    ):
        raise BankError(f"{where}: field 'min_cues' must be an integer from 1 to {len(cues)}")
    weight = _positive_number(item, "weight", where, default=1.0)
    critical = item.get("critical", False)
    if not isinstance(critical, bool):
        raise BankError(f"{where}: field 'critical' must be true or false")
    return KeyPoint(
        label=label,
        cues=cues,
        weight=weight,
        mode=mode,
        min_cues=min_cues,
        critical=critical,
        probe=str(item.get("probe", "")),
        examples=data.strings(item, "examples", where, required=False, error=BankError),
    )


def _one_line(text: str, max_chars: int = 60) -> str:
    """Text from the file, made safe for a one-line message."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"


def _first_duplicate(values: list[str]) -> str:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return ""


def shipped_bank_paths() -> list[Path]:
    """The bank files shipped in `prompts/banks/`, sorted by name."""
    return sorted(BANKS_DIR.glob("*.toml"))


def resolve_bank(name_or_path: str) -> Bank:
    """Load a bank given a file path or the id of a shipped bank.

    Raises:
        BankError: no such file or bank id (lists the shipped ids).
    """
    return load_bank(data.resolve_data_file(name_or_path, shipped_bank_paths(), "bank",
                                            error=BankError))
