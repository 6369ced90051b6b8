"""Issue 15, records: every finished answer is saved whatever stops a run (Ctrl-C, SIGKILL, a
bad file, a full disk, `replay --jobs`), and a resume is checked before anything is touched.

Runs that must be interrupted or killed at a chosen point are real processes
(`tests.robustness.scripted_cli`: the real command line with a scripted transcriber that
marks each transcription and can be slow or fill the disk), with their real worker processes
for `--jobs`. The full disk is a real 52 MB tmpfs in a private mount namespace where the
machine allows it (root), and a faked ENOSPC everywhere.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from simulator.errors import AudioFileError
from simulator.records import store as store_module
from simulator.schemas import validate
from tests.fakes import ScriptedTranscriber, run_scripted

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "audio_fixtures" / "manifest.json"
EXIT_GUARD_S = 240
"""How long a started CLI may take to finish after the attack: a guard against a hang, not a
timing (the real judge warms up in each process, and on a loaded 2-core runner that took
more than the 60 s this used to be)."""
ANSWER = "I'm so sorry. I'll check the order in our system; it ships today."
FIXTURES = ["en-1-strong", "en-2-strong", "en-2-partial", "en-3-strong", "en-4-strong",
            "en-4-partial"]
ONLY = [arg for fixture in FIXTURES for arg in ("--only", fixture)]


# --- helpers --------------------------------------------------------------------------------------


def _start(tmp_path: Path, helper: list[str], argv: list[str]) -> subprocess.Popen[str]:
    """`interview-sim ARGV` in its own process group, with the scripted transcriber."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.robustness.scripted_cli", *helper, "--", *argv],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def _wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _folder(sessions: Path) -> Path:
    folders = [p for p in sessions.iterdir() if p.is_dir()] if sessions.is_dir() else []
    assert len(folders) == 1, folders
    return folders[0]


def _record(sessions: Path) -> dict[str, Any]:
    return json.loads((_folder(sessions) / "session.json").read_text(encoding="utf-8"))


def _turns_recorded(sessions: Path) -> int:
    try:
        return len(_record(sessions)["turns"])
    except (AssertionError, OSError, ValueError, KeyError):
        return 0


def _assert_every_wav_listed(folder: Path, record: dict[str, Any]) -> None:
    """Each WAV in the folder is a turn's or an unfinished answer's, and each listed one
    exists: nothing recorded is unaccounted for."""
    listed = {t["answer"]["wav"] for t in record["turns"] if t["answer"]["wav"]}
    listed |= {u["wav"] for u in record.get("unfinished_answers", [])}
    on_disk = {p.name for p in folder.glob("*.wav")}
    assert on_disk == listed, (on_disk, listed)


def _one_error_line(stderr: str, *needles: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _worker_pids(pid: int) -> list[int]:
    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


# --- replay --jobs: each answer is recorded as its worker finishes --------------------------------


def test_parallel_replay_records_every_turn_in_order(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`replay --jobs 2 --save` (real worker processes): complete record, turns 1..4 in order,
    each with its WAV, nothing left unfinished, no reserve or lock file left."""
    sessions = tmp_path / "sessions"
    transcriber = ScriptedTranscriber([ANSWER] * 8, language="en")
    assert run_scripted(transcriber, ["replay", str(MANIFEST), *ONLY[:8], "--save", "--jobs",
                                      "2", "--sessions-dir", str(sessions)]) == 0
    record = _record(sessions)
    assert record["status"] == "complete"
    assert [t["index"] for t in record["turns"]] == [1, 2, 3, 4]
    assert "unfinished_answers" not in record
    _assert_every_wav_listed(_folder(sessions), record)
    assert sorted(p.name for p in _folder(sessions).iterdir())[-1] == "session.json"
    assert not list(_folder(sessions).glob(".*"))


def test_ctrl_c_during_parallel_replay_keeps_finished_answers(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group) once two answers are recorded: exit 130, one line,
    record `interrupted` with those answers and their WAVs, no worker left running (before:
    0 turns, 0 WAVs, status `running`)."""
    sessions = tmp_path / "sessions"
    run = _start(tmp_path, ["--delay-s", "1.5"],
                 ["replay", str(MANIFEST), *ONLY, "--save", "--jobs", "2", "--sessions-dir",
                  str(sessions)])
    _wait_for(lambda: _turns_recorded(sessions) >= 2, "two recorded turns")
    workers = _worker_pids(run.pid)
    os.killpg(run.pid, signal.SIGINT)
    _out, err = run.communicate(timeout=EXIT_GUARD_S)
    assert run.returncode == 130, err
    _one_error_line(err, "interrupted; finished answers are saved")
    record = _record(sessions)
    assert record["status"] == "interrupted"
    assert 2 <= len(record["turns"]) < len(FIXTURES)
    assert [t["index"] for t in record["turns"]] == sorted(t["index"] for t in record["turns"])
    _assert_every_wav_listed(_folder(sessions), record)
    _wait_for(lambda: not any(psutil.pid_exists(pid) and psutil.Process(pid).status()
                              != psutil.STATUS_ZOMBIE for pid in workers), "workers to exit", 10)


def test_bad_file_among_good_ones_in_parallel_replay(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`--jobs 2` with an unreadable third recording: exit 2, one line naming it; the answers
    before it (and any already running) are recorded with their WAVs, status `interrupted`
    (before: nothing recorded at all)."""
    good = [ROOT / "audio_fixtures" / f"{name}.wav" for name in FIXTURES[:4]]
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    files = [good[0], good[1], bad, good[2], good[3]]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"fixtures": [
        {"id": f"f{i}", "file": str(f), "bank": "cs-en", "question": "2"}
        for i, f in enumerate(files, start=1)]}), encoding="utf-8")
    sessions = tmp_path / "sessions"
    transcriber = ScriptedTranscriber([ANSWER] * 8, language="en")
    assert run_scripted(transcriber, ["replay", str(manifest), "--save", "--jobs", "2",
                                      "--sessions-dir", str(sessions)]) == 2
    _one_error_line(capsys.readouterr().err, str(bad))
    record = _record(sessions)
    assert record["status"] == "interrupted"
    indexes = [t["index"] for t in record["turns"]]
    assert {1, 2} <= set(indexes) and 3 not in indexes
    _assert_every_wav_listed(_folder(sessions), record)


def test_killed_run_lists_the_answer_being_transcribed(tmp_path: Path) -> None:
    """SIGKILL while answer 2 is transcribed: its WAV is in the record (`unfinished_answers`)
    next to turn 1, so no WAV is unlisted (before: answer 2's WAV was not in the record)."""
    sessions, markers = tmp_path / "sessions", tmp_path / "markers"
    markers.mkdir()
    run = _start(tmp_path, ["--delay-s", "60", "--delay-from", "2", "--marker-dir",
                            str(markers)],
                 ["replay", str(MANIFEST), *ONLY[:6], "--save", "--sessions-dir", str(sessions)])
    _wait_for(lambda: len(list(markers.iterdir())) >= 2, "the second transcription")
    os.killpg(run.pid, signal.SIGKILL)
    run.communicate(timeout=EXIT_GUARD_S)
    record = _record(sessions)
    assert [t["index"] for t in record["turns"]] == [1]
    assert [u["index"] for u in record["unfinished_answers"]] == [2]
    _assert_every_wav_listed(_folder(sessions), record)
    validate(record, "session")  # the published schema describes unfinished_answers


def test_killed_parallel_run_leaves_no_worker_behind(tmp_path: Path) -> None:
    """SIGKILL to the parent of `replay --jobs 2`: its workers exit by themselves (they hold
    the model: a stuck one would keep hundreds of MB)."""
    markers = tmp_path / "markers"
    markers.mkdir()
    run = _start(tmp_path, ["--delay-s", "20", "--marker-dir", str(markers)],
                 ["replay", str(MANIFEST), *ONLY, "--jobs", "2"])
    _wait_for(lambda: len(list(markers.iterdir())) >= 2, "both workers transcribing")
    workers = _worker_pids(run.pid)
    assert workers
    run.kill()
    run.communicate(timeout=EXIT_GUARD_S)
    _wait_for(lambda: not any(psutil.pid_exists(pid) for pid in workers),
              "the orphaned workers to exit", 15)


# --- a full disk ----------------------------------------------------------------------------------


def _can_mount_tmpfs() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs root and mount namespaces for a "
                    "small tmpfs; test_disk_full_in_a_real_process_is_one_line fakes it")
def test_disk_full_after_the_first_answer_keeps_it(tmp_path: Path) -> None:
    """A real 52 MB tmpfs filled while answer 1 is transcribed: exit 2, one line; the record
    is `interrupted` with turn 1 and its WAV (the reserve freed for that last write). Before:
    0 turns, an unlisted WAV, two lines."""
    mount, out = tmp_path / "mnt", tmp_path / "out"
    mount.mkdir()
    out.mkdir()
    script = (f"mount -t tmpfs -o size=52m tmpfs {mount} && "
              f"{sys.executable} -m tests.robustness.scripted_cli --fill-disk {mount}/filler "
              f"-- replay {MANIFEST} {' '.join(ONLY[:6])} --save --sessions-dir {mount}/s; "
              f"rc=$?; cp -a {mount}/s/. {out}/; exit $rc")
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=EXIT_GUARD_S)
    assert done.returncode == 2, done.stderr
    _one_error_line(done.stderr, "session.json", "disk is full", "1 finished answer")
    record = _record(out)
    assert record["status"] == "interrupted"
    assert [t["index"] for t in record["turns"]] == [1]
    _assert_every_wav_listed(_folder(out), record)


def test_disk_full_in_a_real_process_is_one_line(tmp_path: Path) -> None:
    """ENOSPC (faked) once answer 1's WAV is saved: exactly one line on stderr (before: a
    logged warning too) and the WAV is listed in the record, not left unlisted."""
    sessions = tmp_path / "sessions"
    run = _start(tmp_path, ["--fsync-fails-after", "1"],
                 ["replay", str(MANIFEST), *ONLY[:4], "--save", "--sessions-dir", str(sessions)])
    _out, err = run.communicate(timeout=EXIT_GUARD_S)
    assert run.returncode == 2
    _one_error_line(err, "session.json", "disk is full")
    record = _record(sessions)
    assert [u["wav"] for u in record["unfinished_answers"]] == ["answer-01-q1.wav"]
    _assert_every_wav_listed(_folder(sessions), record)


def test_disk_full_while_saving_a_wav_keeps_the_record(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The disk fills while answer 2's WAV is written: one line naming that WAV; the record
    is `interrupted` with turn 1; no partial WAV."""
    real_write_wav, calls = store_module.write_wav, [0]

    def _write_wav(path: Path, samples: Any) -> Path:
        calls[0] += 1
        if calls[0] == 2:
            raise AudioFileError(f"{path}: cannot write") from OSError(errno.ENOSPC, "full")
        return real_write_wav(path, samples)

    monkeypatch.setattr(store_module, "write_wav", _write_wav)
    sessions = tmp_path / "sessions"
    transcriber = ScriptedTranscriber([ANSWER] * 4, language="en")
    assert run_scripted(transcriber, ["replay", str(MANIFEST), *ONLY[:6], "--save",
                                      "--sessions-dir", str(sessions)]) == 2
    _one_error_line(capsys.readouterr().err, "answer-02", "disk is full")
    record = _record(sessions)
    assert record["status"] == "interrupted" and len(record["turns"]) == 1
    _assert_every_wav_listed(_folder(sessions), record)


# --- attacks of our own (beyond the list) -------------------------------------------------


def test_a_worker_killed_mid_run_keeps_the_finished_answers(tmp_path: Path) -> None:
    """SIGKILL to one `--jobs` worker (out of memory, say): one line, exit 2, the answers
    finished before are recorded, status `interrupted` (before: nothing was recorded)."""
    sessions, markers = tmp_path / "sessions", tmp_path / "markers"
    markers.mkdir()
    run = _start(tmp_path, ["--delay-s", "1.5", "--marker-dir", str(markers)],
                 ["replay", str(MANIFEST), *ONLY, "--save", "--jobs", "2", "--sessions-dir",
                  str(sessions)])
    _wait_for(lambda: _turns_recorded(sessions) >= 2, "two recorded turns")
    os.kill(_worker_pids(run.pid)[-1], signal.SIGKILL)
    _out, err = run.communicate(timeout=EXIT_GUARD_S)
    assert run.returncode == 2, err
    _one_error_line(err, "worker process stopped")
    record = _record(sessions)
    assert record["status"] == "interrupted" and len(record["turns"]) >= 2
    _assert_every_wav_listed(_folder(sessions), record)


def test_more_jobs_than_cores_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """`--jobs 64` started 64 processes that each load the model (GBs of memory): one line
    naming --jobs and the limit, before anything starts."""
    transcriber = ScriptedTranscriber([ANSWER], language="en")
    assert run_scripted(transcriber, ["replay", str(MANIFEST), "--jobs", "64"]) == 2
    _one_error_line(capsys.readouterr().err, "--jobs", "at most")
    assert transcriber.calls == []


def test_session_folder_deleted_mid_run_is_one_line(tmp_path: Path) -> None:
    """The session folder removed while answer 2 is transcribed: one line naming the record
    (before: a logged warning as well)."""
    sessions, markers = tmp_path / "sessions", tmp_path / "markers"
    markers.mkdir()
    run = _start(tmp_path, ["--delay-s", "2", "--delay-from", "2", "--marker-dir",
                            str(markers)],
                 ["replay", str(MANIFEST), *ONLY[:6], "--save", "--sessions-dir", str(sessions)])
    _wait_for(lambda: len(list(markers.iterdir())) >= 2, "the second transcription")
    shutil.rmtree(_folder(sessions))
    _out, err = run.communicate(timeout=EXIT_GUARD_S)
    assert run.returncode == 2
    _one_error_line(err, "session.json", "cannot save")
