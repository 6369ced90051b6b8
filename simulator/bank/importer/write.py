"""Writing imported bank data as a TOML file in the layout of the shipped banks (tomlkit)."""

from __future__ import annotations

import logging
import os
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.bank.loader import MAX_BANK_BYTES
from simulator.errors import BankError

_LOGGER = logging.getLogger(__name__)


def write_bank_toml(data: Mapping[str, Any], path: Path) -> None:
    """Write bank data as TOML, atomically (a temporary file renamed over `path`).

    Args:
        data: Bank data in the schema of `prompts/banks/*.toml` (`ImportResult.data`).
        path: Destination file; its folder must exist.

    Raises:
        BankError: the data cannot be written as TOML, would make a file larger than the
            loader accepts (`MAX_BANK_BYTES`), or the file cannot be written.
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # renaming over it would replace a device node
        raise BankError(f"{path}: not a regular file; give the path of a .toml file to write")
    try:
        rendered = render_bank_toml(data)
    except (TypeError, ValueError) as e:
        raise BankError(f"{path}: cannot write bank data as TOML ({e})") from e
    size = len(rendered.encode("utf-8"))
    if size > MAX_BANK_BYTES:
        # The loader refuses such a file, so writing it would only make a bank nobody can use.
        raise BankError(f"{path}: the bank would be {size} bytes, more than the {MAX_BANK_BYTES} "
                        "a bank file may hold; import a shorter document (or split it)")
    tmp_name = ""
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent or Path("."),
                                         prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False) as handle:
            tmp_name = handle.name
            handle.write(rendered)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as e:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        raise BankError(f"{path}: cannot write bank file ({e.strerror or e})") from e
    _LOGGER.info("wrote bank %s", path)


def render_bank_toml(data: Mapping[str, Any]) -> str:
    """Render bank data as TOML in the layout of the shipped banks.

    `[bank]`, then one `[[sections]]` and one `[[questions]]` table each, key points as
    indented `[[questions.key_points]]` with one-line cue lists and multi-line model answers
    (tomlkit writes this layout as asked). Data of another shape is rendered as tomlkit likes.

    Args:
        data: Bank data in the schema of `prompts/banks/*.toml`.

    Returns:
        The TOML text (it parses back to `data`).

    Raises:
        TypeError: a value has no TOML form.
        ValueError: a value has no TOML form.
    """
    import tomlkit  # imported on use: only the importer writes TOML

    plain = tomlkit.dumps(dict(data))
    if not _bank_shaped(data):
        return plain
    document = tomlkit.document()
    document.add("bank", _toml_table(data["bank"]))
    sections = tomlkit.aot()
    for section in data["sections"]:
        sections.append(_toml_table(section))
    document.add("sections", sections)
    questions = tomlkit.aot()
    for question in data["questions"]:
        table = _toml_table({key: value for key, value in question.items()
                             if key != "key_points"})
        if "key_points" in question:
            points = tomlkit.aot()
            for point in question["key_points"]:
                points.append(_toml_table(point).indent(2))
            table.add("key_points", points)
        questions.append(table)
    document.add("questions", questions)
    rendered = tomlkit.dumps(document)
    return rendered if tomllib.loads(rendered) == tomllib.loads(plain) else plain


def _toml_table(values: Mapping[str, Any]) -> Any:
    """A tomlkit table of `values`; text with line breaks as a multi-line string."""
    import tomlkit

    table = tomlkit.table()
    for key, value in values.items():
        multiline = isinstance(value, str) and "\n" in value
        table.add(key, tomlkit.string(value, multiline=True) if multiline else value)
    return table


def _bank_shaped(data: Mapping[str, Any]) -> bool:
    """True if `data` has exactly the bank, section and question tables of a bank file."""
    if set(data) != {"bank", "sections", "questions"} or not isinstance(data["bank"], Mapping):
        return False
    tables = data["sections"], data["questions"]
    if not all(isinstance(group, list) for group in tables):
        return False
    if not all(isinstance(item, Mapping) for group in tables for item in group):
        return False
    points = [question.get("key_points", []) for question in data["questions"]]
    return all(isinstance(group, list) and all(isinstance(kp, Mapping) for kp in group)
               for group in points)
