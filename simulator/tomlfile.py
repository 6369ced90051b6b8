"""Read a TOML data file (bank, scorecard, scenario, templates) with one-line errors.

Every data file the tool reads goes through `read_toml`, so a missing, oversized, non-UTF-8
or malformed file is always reported the same way: as a `BankError` naming the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from simulator.errors import BankError


def read_toml(path: Path, what: str, max_bytes: int) -> dict[str, Any]:
    """Parse a TOML file.

    Args:
        path: the file.
        what: what the file is, for messages ("bank file", "scorecard", "scenario").
        max_bytes: files larger than this are refused before parsing.

    Raises:
        BankError: unreadable, too large, not UTF-8 or not TOML (one line, names the file).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BankError(f"{path}: {what} is {size} bytes, larger than {max_bytes}")
        raw = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise BankError(f"{path}: cannot read {what} ({e.strerror})") from e
    except UnicodeDecodeError as e:
        raise BankError(f"{path}: not UTF-8 text (byte {e.start})") from e
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise BankError(f"{path}: TOML syntax error: {e}") from e
