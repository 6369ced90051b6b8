"""Shared fixtures: paths to the project's data and to ../shared (when present)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The committed audio fixture library."""
    return ROOT / "audio_fixtures"


@pytest.fixture(scope="session")
def realspeech_dir() -> Path:
    """../shared/realspeech (evaluation recordings); skips when absent."""
    path = SHARED / "realspeech"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: real-speech checks need ../shared beside the repo")
    return path


@pytest.fixture(scope="session")
def whisper_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder for the assembled model, shared by the whole test run."""
    configured = os.environ.get("INTERVIEW_SIM_TEST_CACHE")
    return Path(configured) if configured else tmp_path_factory.mktemp("model-cache")
