"""The data files: where the shipped ones live, the readers and the shared checks.

Question banks, feedback and delivery templates, the phone-manner scorecard and the call
scenarios are TOML files under `prompts/`. Each loader reads its file with `read_toml`, so a
missing, oversized, non-UTF-8 or malformed file is always reported the same way, and checks
its fields with the validators below, so a wrong field is always named the same way:
`FILE: <entry>: field 'X' must be ...`, one line. Validators raise `DataFileError`, or the
subclass a loader passes as `error` (banks raise `BankError`).

Both readers (and `import`, through `read_file_bytes`) read only regular files, and at most a
bounded number of bytes: a FIFO, a device such as `/dev/zero` or a folder is refused before a
byte is read, so crafted paths can neither hang a run nor fill its memory. Parsed data nested
deeper than `MAX_NESTING` is refused too (the parsers and everything after them recurse).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.errors import DataFileError, SimulatorError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
"""The shipped `prompts/` folder (next to the package in a source checkout)."""
LANGUAGES = ("zh", "en")
"""The languages questions, scenarios and checklists may be written in."""

MAX_JSON_BYTES = 64_000_000
"""JSON files (manifests, session records) larger than this are refused; a record of a few
hundred answers is a few MB."""
MAX_NESTING = 64
"""Deepest nesting of arrays and tables accepted in a data file (the shipped ones use 4)."""
_DEEP_KEY_RE = re.compile(r"""(?<![A-Za-z0-9_\-"'])(?:"""  # a key part: bare or quoted
                          r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
                          rf"[ \t]*\.[ \t]*){{{MAX_NESTING}}}")
"""A dotted TOML key (`a.b.c...`) of more than `MAX_NESTING` parts. tomllib takes time
quadratic in a key's length (50,000 parts: minutes), so such keys are refused unparsed."""
_HEARABLE_RE = re.compile(r"[^\W_]")
"""A letter or digit: what is left of a cue once matching strips punctuation and symbols."""

ErrorType = type[DataFileError]


def read_file_bytes(path: Path, what: str, max_bytes: int,
                    error: type[SimulatorError] = DataFileError) -> bytes:
    """The bytes of a regular file of at most `max_bytes`.

    The file is opened without blocking and checked before anything is read, so a FIFO (which
    would wait for a writer) or a device (`/dev/zero` never ends) is refused at once.

    Raises:
        SimulatorError: `error`: missing, unreadable, not a regular file or too large (one
            line, names the file).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise error(f"{path}: cannot read {what} ({e.strerror})") from e
    except ValueError as e:  # a NUL byte in a name taken from a manifest or a record
        raise error(f"{str(path)!r}: cannot read {what} (the name holds a NUL byte)") from e
    try:
        status = os.fstat(fd)
        mode = status.st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{path}: cannot read {what} (Is a directory)")
        if not stat.S_ISREG(mode):
            raise error(f"{path}: {what} is not a regular file (a {_file_kind(mode)}); "
                        "give a file saved on disk")
        if status.st_size > max_bytes:
            raise error(f"{path}: {what} is {status.st_size} bytes, larger than {max_bytes}")
        chunks, total = [], 0
        while total <= max_bytes:  # the size may change while reading: read no more than this
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise error(f"{path}: {what} is larger than {max_bytes} bytes")
        return b"".join(chunks)
    except OSError as e:
        raise error(f"{path}: cannot read {what} ({e.strerror})") from e
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "named pipe"), (stat.S_ISCHR, "character device"),
             (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"))
    return next((name for test, name in kinds if test(mode)), "special file")


def nesting_depth_ok(value: Any, limit: int = MAX_NESTING) -> bool:
    """True if lists and tables in `value` nest at most `limit` deep (checked without
    recursion, so a crafted file cannot exhaust the stack here either)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (item.values() if isinstance(item, Mapping)
                    else item if isinstance(item, list) else None)
        if children is None:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def read_json(path: Path, what: str, error: type[SimulatorError],
              max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse a JSON file (a fixture manifest, a session record).

    Raises:
        SimulatorError: `error`, when the file is unreadable, not a regular file, too large,
            not JSON or nested too deeply (one line, names the file).
    """
    path = Path(path)
    raw = read_file_bytes(path, what, max_bytes, error)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise error(f"{path}: {what} is not valid JSON ({e})") from e
    except RecursionError as e:
        raise error(f"{path}: {what} is nested too deeply") from e
    if not nesting_depth_ok(document):
        raise error(f"{path}: {what} is nested more than {MAX_NESTING} levels deep")
    return document


def read_toml(path: Path, what: str, max_bytes: int,
              error: ErrorType = DataFileError) -> dict[str, Any]:
    """Parse a TOML file.

    Args:
        path: the file.
        what: what the file is, for messages ("bank file", "scorecard", "scenario").
        max_bytes: files larger than this are refused before parsing.
        error: the exception to raise (a `DataFileError` subclass).

    Raises:
        DataFileError: unreadable, not a regular file, too large, not UTF-8, not TOML or
            nested too deeply (one line, names the file).
    """
    path = Path(path)
    try:
        raw = read_file_bytes(path, what, max_bytes, error).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(f"{path}: not UTF-8 text (byte {e.start})") from e
    if _DEEP_KEY_RE.search(raw):
        raise error(f"{path}: {what} is nested more than {MAX_NESTING} levels deep (a dotted key)")
    try:
        document = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path}: TOML syntax error: {e}") from e
    except RecursionError as e:
        raise error(f"{path}: {what} is nested too deeply") from e
    if not nesting_depth_ok(document):
        raise error(f"{path}: {what} is nested more than {MAX_NESTING} levels deep")
    return document


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


def cues(table: Mapping[str, Any], key: str, where: str, *, required: bool = True,
         error: ErrorType = DataFileError) -> tuple[str, ...]:
    """A list of cues (words or phrases to listen for): `strings`, each with at least one
    letter or digit, since matching strips punctuation and a cue of only "？！" is never heard.
    """
    values = strings(table, key, where, required=required, error=error)
    for cue in values:
        if not _HEARABLE_RE.search(cue):
            flat = " ".join(cue.split())[:40]
            raise error(f"{where}: field '{key}': {flat!r} has no letter or digit, so it can "
                        "never be heard")
    return values


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
    # Anything there but a folder is taken as the file meant, so the reader can say what is
    # wrong with it (a FIFO, a device); a folder named like a shipped id does not shadow it.
    if candidate.suffix == ".toml" or (candidate.exists() and not candidate.is_dir()):
        return candidate
    for path in shipped:
        if path.stem == name_or_path:
            return path
    known = ", ".join(p.stem for p in shipped) or "none"
    raise error(f"unknown {what} {name_or_path!r}: give a .toml path or one of: {known}")
