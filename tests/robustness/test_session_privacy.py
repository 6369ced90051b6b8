"""Session records are private: each session folder is 0700 and its files are not readable by
other users, whatever the umask; no temporary files are left behind.

The README promises "readable by you only". The folder mode is what enforces it; the files
written through `mkstemp` are 0600 as well, so a record copied out of its folder stays private.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from simulator.bank.loader import resolve_bank
from simulator.listen.recorder import EndReason, Recording
from simulator.records.documents import PRACTICE_RECORD
from simulator.records.store import SessionStore
from tests.fakes import ScriptedTranscriber, run_scripted

ROOT = Path(__file__).resolve().parents[2]
OTHERS = stat.S_IRWXG | stat.S_IRWXO


@pytest.fixture(params=[0o022, 0o000, 0o077], ids=["umask-022", "umask-000", "umask-077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under this umask (0o000 is the permissive worst case)."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _recording(seconds: float = 1.0) -> Recording:
    audio = (0.1 * np.sin(np.arange(int(seconds * 16000)) * 0.1)).astype(np.float32)
    return Recording(audio=audio, end_reason=EndReason.SILENCE, speech_start_sample=3200,
                     speech_end_sample=3200 + len(audio), stream_offset_samples=3200)


def test_session_folder_and_files_are_private(tmp_path: Path, umask: int) -> None:
    """Folder 0700; session.json and the answer WAV readable by the owner only."""
    store = SessionStore.create(tmp_path / "sessions", PRACTICE_RECORD, {"mode": "test"})
    assert _mode(store.folder) == 0o700
    question = resolve_bank("cs-en").questions[0]
    wav = store.save_answer(1, _recording(), f"q{question.id}")
    assert wav is not None and wav.parent == store.folder
    record = store.folder / "session.json"
    for path in (record, wav):
        assert _mode(path) & OTHERS == 0, f"{path.name} is {oct(_mode(path))}"
        assert _mode(path) & stat.S_IRUSR
    assert _mode(store.folder) == 0o700
    assert not [p.name for p in store.folder.iterdir() if p.name.endswith(".tmp")]


def test_rewritten_record_stays_private(tmp_path: Path, umask: int) -> None:
    """session.json keeps its mode across the atomic rewrites (abort, resume)."""
    store = SessionStore.create(tmp_path / "sessions", PRACTICE_RECORD, {"mode": "test"})
    store.abort()
    reopened = SessionStore.reopen(store.folder, PRACTICE_RECORD)
    reopened.abort()
    assert _mode(store.folder / "session.json") & OTHERS == 0


def test_existing_sessions_parent_is_left_alone_but_session_is_private(tmp_path: Path) -> None:
    """A world-readable sessions/ parent does not expose the session inside it."""
    sessions = tmp_path / "sessions"
    sessions.mkdir(mode=0o755)
    sessions.chmod(0o777)
    store = SessionStore.create(sessions, PRACTICE_RECORD, {"mode": "test"})
    assert _mode(store.folder) == 0o700
    assert _mode(sessions) == 0o777  # not ours to change


def test_replay_save_writes_only_private_files(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               umask: int) -> None:
    """`replay --save` end to end: every file in the session folder is owner-only."""
    transcriber = ScriptedTranscriber(["I'm sorry, let me check the order status."] * 2,
                                      language="en")
    sessions = tmp_path / "sessions"
    assert run_scripted(transcriber, ["replay", str(ROOT / "audio_fixtures" / "manifest.json"),
                                      "--only", "en-2-strong", "--only", "en-3-strong", "--save",
                                      "--sessions-dir", str(sessions), "--json"]) == 0
    folder = Path(json.loads(capsys.readouterr().out)["session_folder"])
    assert _mode(folder) == 0o700
    files = sorted(folder.iterdir())
    assert {p.suffix for p in files} == {".json", ".wav"} and len(files) == 3
    for path in files:
        assert _mode(path) & OTHERS == 0, f"{path.name} is {oct(_mode(path))}"


def test_history_database_is_private(tmp_path: Path, umask: int) -> None:
    """history.sqlite3 (every transcript) and its WAL/SHM files are owner-only too."""
    store = SessionStore.create(tmp_path / "sessions", PRACTICE_RECORD, {"mode": "test"})
    store.abort()
    files = sorted((tmp_path / "sessions").glob("history.sqlite3*"))
    assert files and files[0].name == "history.sqlite3"
    for path in files:
        assert _mode(path) & OTHERS == 0, f"{path.name} is {oct(_mode(path))}"
