"""Breaches as data: a question's own (`[[questions.breaches]]`) and the generic library.

The generic library (`prompts/breaches.toml`, one table per kind of bad practice and
language) applies to every question: it is what judges answers to banks imported from a
user's document, which name no breaches of their own, and the trainee's turns in a call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator import data
from simulator.bank.model import Breach, Severity
from simulator.errors import BankError, DataFileError

DEFAULT_LIBRARY_PATH = data.PROMPTS_DIR / "breaches.toml"
MAX_LIBRARY_BYTES = 2_000_000
BREACH_FIELDS = {"label", "cues", "examples", "patterns", "severity", "violates"}
MAX_PATTERN_CHARS = 200


def parse_breach(item: Mapping[str, Any], where: str,
                 error: type[DataFileError] = BankError) -> Breach:
    """One breach table, checked (messages name `where` and the field)."""
    label = data.text(item, "label", where, error=error)
    where = f"{where} ({label[:40]})"
    severity_text = item.get("severity", Severity.MINOR.value)
    try:
        severity = Severity(severity_text)
    except ValueError as e:
        raise error(f"{where}: field 'severity' is {severity_text!r}; use serious or minor") from e
    cues = data.cues(item, "cues", where, required=False, error=error)
    examples = data.strings(item, "examples", where, required=False, error=error)
    patterns = data.strings(item, "patterns", where, required=False, error=error)
    for pattern in patterns:
        try:
            if len(pattern) > MAX_PATTERN_CHARS:
                raise ValueError(f"longer than {MAX_PATTERN_CHARS} characters")
            re.compile(pattern)
        except (re.error, ValueError) as e:
            raise error(f"{where}: field 'patterns': {pattern[:40]!r} is not a usable regular "
                        f"expression ({e})") from e
    if not cues and not examples and not patterns:
        raise error(f"{where}: a breach needs 'cues', 'examples' or 'patterns'")
    return Breach(label=label, cues=cues, examples=examples, patterns=patterns,
                  severity=severity,
                  violates=data.optional_text(item, "violates", where, error=error))


def load_breach_library(path: Path = DEFAULT_LIBRARY_PATH) -> dict[str, tuple[Breach, ...]]:
    """The generic breaches by language.

    Raises:
        DataFileError: the file is missing or a table is malformed (names file and entry).
    """
    document = data.read_toml(path, "breach library", MAX_LIBRARY_BYTES)
    library: dict[str, list[Breach]] = {}
    for i, item in enumerate(data.tables(document, "breaches", str(path))):
        where = f"{path}: breach {i + 1}"
        data.no_unknown(item, BREACH_FIELDS | {"id", "language"}, where)
        language = data.text(item, "language", where)
        if language not in data.LANGUAGES:
            raise DataFileError(f"{where}: field 'language' must be one of "
                                f"{', '.join(data.LANGUAGES)}")
        library.setdefault(language, []).append(parse_breach(item, where, DataFileError))
    return {language: tuple(items) for language, items in library.items()}
