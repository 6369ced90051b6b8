"""Real session records (captured from `replay --save` and `call` runs) for the history,
report and export tests, copied into a fresh folder per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.history.records import CALL_EN, CALL_ZH, DATA, REPLAY_MIXED, REPLAY_ZH


@pytest.fixture()
def sessions_dir(tmp_path: Path) -> Path:
    """A sessions folder holding copies of the four captured session folders."""
    target = tmp_path / "sessions"
    target.mkdir()
    for name in (REPLAY_ZH, REPLAY_MIXED, CALL_EN, CALL_ZH):
        shutil.copytree(DATA / name, target / name)
    return target
