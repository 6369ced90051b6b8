"""Load and validate question banks from TOML files into `Bank` values.

Every problem is reported as a `BankError` whose message names the file, the question id
(or the position of the entry) and the field, e.g.
`prompts/banks/cs-zh.toml: question 12, key point 2: field 'cues' must be a non-empty list`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.bank.model import Bank, KeyPoint, MatchMode, Question, Section
from simulator.errors import BankError
from simulator.tomlfile import read_toml

LANGUAGES = ("zh", "en")
MAX_BANK_BYTES = 5_000_000
"""Bank files above this size are refused before parsing (a bank is a few hundred kB)."""

PROMPTS_DIR = Path(__file__).resolve().parent.parent.parent / "prompts"
"""The shipped `prompts/` folder (next to the package in a source checkout)."""


def _shipped_banks_dir() -> Path:
    return PROMPTS_DIR / "banks"


def load_bank(path: Path) -> Bank:
    """Read, parse and validate one bank file.

    Raises:
        BankError: the file is missing, too large, not TOML, or invalid (names file and field).
    """
    data = read_toml(path, "bank file", MAX_BANK_BYTES)
    return parse_bank(data, source=str(path))


def parse_bank(data: Mapping[str, Any], source: str) -> Bank:
    """Validate a bank already parsed into plain data (TOML tables) and build a `Bank`.

    Raises:
        BankError: with `source`, the entry and the field in the message.
    """
    if not isinstance(data, Mapping):
        raise BankError(f"{source}: a bank must be a table")
    head = _table(data, "bank", source)
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
        for i, item in enumerate(_list_of_tables(data, "sections", source))
    )
    section_ids = [s.id for s in sections]
    if len(set(section_ids)) != len(section_ids):
        raise BankError(f"{source}: duplicate section id {_first_duplicate(section_ids)!r}")
    questions = tuple(
        _question(item, i, language, set(section_ids), source)
        for i, item in enumerate(_list_of_tables(data, "questions", source))
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
    key_points = tuple(
        _key_point(kp, k, f"{where}, key point {k + 1}")
        for k, kp in enumerate(_list_of_tables(item, "key_points", where))
    )
    if not any(kp.mode is not MatchMode.NONE for kp in key_points):
        raise BankError(f"{where}: field 'key_points' needs at least one point to earn")
    return Question(
        id=raw_id.strip(),
        section=section,
        points=points,
        prompt=_text(item, "prompt", where),
        key_points=key_points,
        language=language,
        model_answer=str(item.get("model_answer", "")),
    )


def _key_point(item: Mapping[str, Any], index: int, where: str) -> KeyPoint:
    label = _text(item, "label", where)
    where = f"{where} ({_one_line(label)})"
    cues = item.get("cues")
    if not isinstance(cues, list) or not cues:
        raise BankError(f"{where}: field 'cues' must be a non-empty list of strings")
    if not all(isinstance(c, str) and c.strip() for c in cues):
        raise BankError(f"{where}: field 'cues' must hold only non-empty strings")
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
        cues=tuple(c.strip() for c in cues),
        weight=weight,
        mode=mode,
        min_cues=min_cues,
        critical=critical,
        probe=str(item.get("probe", "")),
    )


def _one_line(text: str, max_chars: int = 60) -> str:
    """Text from the file, made safe for a one-line message."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise BankError(f"{where}: missing table [{key}]")
    return value


def _list_of_tables(data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise BankError(f"{where}: field '{key}' must be a non-empty list of tables ([[{key}]])")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise BankError(f"{where}: entry {i + 1} of '{key}' is not a table")
    return value


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise BankError(f"{where}: field '{key}' must be a non-empty string")
    return value.strip()


def _positive_number(
    data: Mapping[str, Any], key: str, where: str, default: float | None = None
) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise BankError(f"{where}: field '{key}' must be a number greater than 0")
    if value != value or value == float("inf"):
        raise BankError(f"{where}: field '{key}' must be a finite number")
    return float(value)


def _first_duplicate(values: list[str]) -> str:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return ""


def shipped_bank_paths() -> list[Path]:
    """The bank files shipped in `prompts/banks/`, sorted by name."""
    return sorted(_shipped_banks_dir().glob("*.toml"))


def resolve_bank(name_or_path: str) -> Bank:
    """Load a bank given a file path or the id of a shipped bank.

    Raises:
        BankError: no such file or bank id (lists the shipped ids).
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        return load_bank(candidate)
    for path in shipped_bank_paths():
        if path.stem == name_or_path:
            return load_bank(path)
    known = ", ".join(p.stem for p in shipped_bank_paths()) or "none"
    raise BankError(f"unknown bank {name_or_path!r}: give a .toml path or one of: {known}")
