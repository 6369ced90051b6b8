"""The data files: where the shipped ones live, the readers and the shared checks.

Question banks, feedback and delivery templates, the phone-manner scorecard and the call
scenarios are TOML files under `prompts/`. Each loader reads its file with `read_toml`, so a
missing, oversized, non-UTF-8 or malformed file is always reported the same way, and checks
its fields with the validators below, so a wrong field is always named the same way:
`FILE: <entry>: field 'X' must be ...`, one line. Validators raise `DataFileError`, or the
subclass a loader passes as `error` (banks raise `BankError`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.errors import DataFileError, SimulatorError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
"""The shipped `prompts/` folder (next to the package in a source checkout)."""
LANGUAGES = ("zh", "en")
"""The languages questions, scenarios and checklists may be written in."""

ErrorType = type[DataFileError]


def read_json(path: Path, what: str, error: type[SimulatorError]) -> Any:
    """Parse a JSON file (a fixture manifest, a session record).

    Raises:
        SimulatorError: `error`, when the file is unreadable or not JSON (names the file).
    """
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise error(f"{path}: cannot read {what} ({e.strerror})") from e
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise error(f"{path}: {what} is not valid JSON ({e})") from e


def read_toml(path: Path, what: str, max_bytes: int,
              error: ErrorType = DataFileError) -> dict[str, Any]:
    """Parse a TOML file.

    Args:
        path: the file.
        what: what the file is, for messages ("bank file", "scorecard", "scenario").
        max_bytes: files larger than this are refused before parsing.
        error: the exception to raise (a `DataFileError` subclass).

    Raises:
        DataFileError: unreadable, too large, not UTF-8 or not TOML (one line, names the file).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(f"{path}: {what} is {size} bytes, larger than {max_bytes}")
        raw = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise error(f"{path}: cannot read {what} ({e.strerror})") from e
    except UnicodeDecodeError as e:
        raise error(f"{path}: not UTF-8 text (byte {e.start})") from e
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path}: TOML syntax error: {e}") from e


def text(table: Mapping[str, Any], key: str, where: str,
         error: ErrorType = DataFileError) -> str:
    """A required non-empty string field, stripped."""
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise error(f"{where}: field '{key}' must be a non-empty string")
    return value.strip()


def optional_text(table: Mapping[str, Any], key: str, where: str,
                  error: ErrorType = DataFileError) -> str:
    """An optional string field, stripped ("" when absent)."""
    value = table.get(key, "")
    if not isinstance(value, str):
        raise error(f"{where}: field '{key}' must be a string")
    return value.strip()


def strings(table: Mapping[str, Any], key: str, where: str, *, required: bool = True,
            error: ErrorType = DataFileError) -> tuple[str, ...]:
    """A list of non-empty strings, stripped; with `required`, a non-empty one."""
    value = table.get(key, None if required else [])
    if not isinstance(value, list) or (required and not value):
        raise error(f"{where}: field '{key}' must be a non-empty list of strings")
    if not all(isinstance(x, str) and x.strip() for x in value):
        raise error(f"{where}: field '{key}' must hold only non-empty strings")
    return tuple(x.strip() for x in value)


def tables(table: Mapping[str, Any], key: str, where: str, *, required: bool = True,
           header: str | None = None, error: ErrorType = DataFileError
           ) -> list[Mapping[str, Any]]:
    """An array of tables (`[[header]]`, default `[[key]]`); with `required`, non-empty."""
    value = table.get(key, None if required else [])
    if not isinstance(value, list) or (required and not value):
        raise error(f"{where}: field '{key}' must be a non-empty list of tables "
                    f"([[{header or key}]])")
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise error(f"{where}: entry {i + 1} of '{key}' is not a table")
    return value


def number(table: Mapping[str, Any], key: str, where: str, *, default: float | None = None,
           minimum: float = 0.0, strict: bool = False, error: ErrorType = DataFileError) -> float:
    """A finite number at least `minimum` (with `strict`, greater than it)."""
    value = table.get(key, default)
    relation = "greater than" if strict else "at least"
    if (isinstance(value, bool) or not isinstance(value, int | float) or value != value
            or value < minimum or (strict and value == minimum)):
        raise error(f"{where}: field '{key}' must be a number {relation} {minimum:g}")
    if value == float("inf"):
        raise error(f"{where}: field '{key}' must be a finite number")
    return float(value)


def no_unknown(table: Mapping[str, Any], known: set[str], where: str, kind: str = "field",
               error: ErrorType = DataFileError) -> None:
    """Refuse keys outside `known` (a misspelt field would otherwise be silently ignored)."""
    extra = sorted(set(table) - known)
    if extra:
        raise error(f"{where}: unknown {kind} '{extra[0]}'; use {', '.join(sorted(known))}")


def resolve_data_file(name_or_path: str, shipped: list[Path], what: str,
                      error: ErrorType = DataFileError) -> Path:
    """A data file given as a path, or as the id (file stem) of a shipped one.

    Raises:
        DataFileError: neither (the message lists the shipped ids).
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.is_file():
        return candidate
    for path in shipped:
        if path.stem == name_or_path:
            return path
    known = ", ".join(p.stem for p in shipped) or "none"
    raise error(f"unknown {what} {name_or_path!r}: give a .toml path or one of: {known}")
