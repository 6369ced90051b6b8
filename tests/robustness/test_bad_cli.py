"""Bad command lines and bad surroundings: unknown banks and questions, output folders that
cannot be written, broken manifests, `--jobs 0`, a full disk, Ctrl-C; and `--debug` versus the
default one-line error.

Replays run in-process with a scripted transcriber handed to the composition root (a parts
factory, `tests.fakes.run_scripted`), so no Whisper model is loaded; `--debug` runs as a
child process because it lets the exception out.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main
from tests.fakes import ScriptedTranscriber, run_scripted

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "audio_fixtures" / "manifest.json"
ANSWER = ("I'm so sorry about that. Let me check the order in our system; it will ship today "
          "and I'll add free delivery.")
TWO_FIXTURES = ["--only", "en-2-strong", "--only", "en-2-partial"]


@pytest.fixture
def scripted() -> ScriptedTranscriber:
    """A scripted transcriber, put into the composition root by `run_scripted` (no model)."""
    return ScriptedTranscriber([ANSWER] * 4, language="en")


def _one_line_error(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("interview-sim: error: ") and "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


def _only_session_folder(sessions: Path) -> Path:
    folders = [p for p in sessions.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


# --- unknown bank / question ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        pytest.param(["practice", "--bank", "nope", "--no-voice"], ["unknown bank 'nope'", "cs-en"],
                     id="practice-unknown-bank"),
        pytest.param(["practice", "--bank", "/nonexistent/bank.toml", "--no-voice"],
                     ["/nonexistent/bank.toml", "cannot read"], id="practice-missing-bank-file"),
        pytest.param(["practice", "--bank", "cs-en", "--question", "999", "--no-voice"],
                     ["no question '999'"], id="practice-unknown-question"),
        pytest.param(["practice", "--bank", "cs-en", "--section", "nowhere", "--no-voice"],
                     ["no section 'nowhere'"], id="practice-unknown-section"),
        pytest.param(["replay", str(ROOT / "audio_fixtures" / "en-2-strong.wav"), "--bank", "nope",
                      "--question", "2"], ["unknown bank 'nope'"], id="replay-unknown-bank"),
        pytest.param(["replay", str(ROOT / "audio_fixtures" / "en-2-strong.wav"), "--bank",
                      "cs-en", "--question", "999"], ["no question '999'"],
                     id="replay-unknown-question"),
        pytest.param(["replay", str(ROOT / "audio_fixtures" / "en-2-strong.wav")],
                     ["--bank and --question"], id="replay-bare-file-without-question"),
        pytest.param(["score", "--bank", "cs-zh", "--question", "0", "--text", "x"],
                     ["no question '0'"], id="score-unknown-question"),
    ],
)
def test_unknown_bank_or_question_is_one_line_exit_2(argv: list[str], needles: list[str],
                                                     capsys: pytest.CaptureFixture[str],
                                                     scripted: ScriptedTranscriber) -> None:
    """Exit 2 and one line naming the bank, file or question; nothing is transcribed."""
    assert run_scripted(scripted, argv) == 2
    _one_line_error(capsys, *needles)
    assert scripted.calls == []


# --- output folders ----------------------------------------------------------------------------


def test_sessions_dir_under_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           scripted: ScriptedTranscriber) -> None:
    """`--sessions-dir FILE/sub` cannot be created (fails for root too): exit 2, named."""
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    sessions = blocker / "sub"
    code = run_scripted(scripted, ["replay", str(MANIFEST), *TWO_FIXTURES, "--save",
                                   "--sessions-dir", str(sessions)])
    assert code == 2
    _one_line_error(capsys, str(sessions), "--sessions-dir")
    assert scripted.calls == [], "nothing should be transcribed before the record can be kept"


def test_sessions_dir_is_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          scripted: ScriptedTranscriber) -> None:
    """`--sessions-dir` naming an existing file: exit 2, named."""
    blocker = tmp_path / "sessions"
    blocker.write_text("oops")
    assert run_scripted(scripted, ["replay", str(MANIFEST), *TWO_FIXTURES, "--save",
                                   "--sessions-dir", str(blocker)]) == 2
    _one_line_error(capsys, str(blocker))


@pytest.mark.skipif(os.geteuid() == 0, reason="chmod does not stop root; the regular-file "
                    "variant (test_sessions_dir_under_a_regular_file) covers root")
def test_sessions_dir_read_only(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                scripted: ScriptedTranscriber) -> None:
    """A read-only (0500) sessions folder: exit 2, named."""
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    sessions.chmod(0o500)
    try:
        assert run_scripted(scripted, ["replay", str(MANIFEST), *TWO_FIXTURES, "--save",
                                       "--sessions-dir", str(sessions)]) == 2
        _one_line_error(capsys, str(sessions))
    finally:
        sessions.chmod(0o700)


@pytest.mark.skip(reason="a real full disk needs a size-limited mount (root with "
                  "CAP_SYS_ADMIN); test_disk_full_while_saving_* simulates ENOSPC instead")
def test_sessions_dir_on_a_full_disk() -> None:
    """A sessions folder on a genuinely full file system."""


def _fail_fsync_after(monkeypatch: pytest.MonkeyPatch, ok_calls: int) -> None:
    """Make fsync report a full disk after `ok_calls` successful calls (ENOSPC shows up on
    fsync/close on most file systems)."""
    real_fsync = os.fsync
    calls = {"n": 0}

    def _fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > ok_calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", _fsync)


def test_disk_full_while_saving_session_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str],
                                             scripted: ScriptedTranscriber) -> None:
    """Disk full after the first answer: one line naming the record, exit 2, answer WAV kept."""
    sessions = tmp_path / "sessions"
    _fail_fsync_after(monkeypatch, ok_calls=1)  # the session's first (empty) record only
    code = run_scripted(scripted, ["replay", str(MANIFEST), *TWO_FIXTURES, "--save",
                                   "--sessions-dir", str(sessions)])
    assert code == 2
    _one_line_error(capsys, "session.json")
    folder = _only_session_folder(sessions)
    assert list(folder.glob("answer-01-*.wav"))


# --- manifests --------------------------------------------------------------------------------


def _manifest(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def test_manifest_with_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      scripted: ScriptedTranscriber) -> None:
    """A manifest entry whose WAV is gone: exit 2, naming the manifest, fixture and file."""
    manifest = _manifest(tmp_path, {"fixtures": [
        {"id": "gone", "file": "gone.wav", "bank": "cs-en", "question": "2"}]})
    assert run_scripted(scripted, ["replay", str(manifest)]) == 2
    _one_line_error(capsys, str(manifest), "gone", str(tmp_path / "gone.wav"))
    assert scripted.calls == []


@pytest.mark.parametrize(
    ("content", "needle"),
    [pytest.param("{not json", "not valid JSON", id="not-json"),
     pytest.param('{"fixtures": {"a": 1}}', "expected a list", id="fixtures-not-a-list"),
     pytest.param('{"fixtures": [{"id": "x"}]}', "has no 'file'", id="entry-without-file"),
     pytest.param('{"fixtures": [{"id": "x", "file": "a.wav"}]}', "names no bank/question",
                  id="entry-without-bank"),
     pytest.param('{"fixtures": []}', "nothing to replay", id="empty-list"),
     pytest.param(b"\xff\xfe\x00garbage", "not valid JSON", id="binary")],
)
def test_broken_manifest_is_one_line(tmp_path: Path, content: str | bytes, needle: str,
                                     capsys: pytest.CaptureFixture[str],
                                     scripted: ScriptedTranscriber) -> None:
    """Each broken manifest shape: exit 2, one line naming the manifest."""
    manifest = tmp_path / "manifest.json"
    if isinstance(content, bytes):
        manifest.write_bytes(content)
    else:
        manifest.write_text(content, encoding="utf-8")
    (tmp_path / "a.wav").write_bytes(b"")
    assert run_scripted(scripted, ["replay", str(manifest)]) == 2
    _one_line_error(capsys, str(manifest), needle)


def test_bad_file_midway_keeps_the_finished_answers(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    scripted: ScriptedTranscriber) -> None:
    """Second recording unreadable: exit 2 naming it; the first turn stays in the record."""
    good = ROOT / "audio_fixtures" / "en-2-strong.wav"
    (tmp_path / "bad.wav").write_text("not audio")
    manifest = _manifest(tmp_path, {"fixtures": [
        {"id": "good", "file": str(good), "bank": "cs-en", "question": "2"},
        {"id": "bad", "file": "bad.wav", "bank": "cs-en", "question": "3"}]})
    sessions = tmp_path / "sessions"
    assert run_scripted(scripted, ["replay", str(manifest), "--save", "--sessions-dir",
                                   str(sessions)]) == 2
    _one_line_error(capsys, str(tmp_path / "bad.wav"))
    folder = _only_session_folder(sessions)
    record = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    assert record["status"] == "interrupted"
    assert [t["question"]["id"] for t in record["turns"]] == ["2"]
    assert (folder / record["turns"][0]["answer"]["wav"]).is_file()


# --- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_below_one_is_refused(jobs: str, capsys: pytest.CaptureFixture[str],
                                   scripted: ScriptedTranscriber) -> None:
    """`replay --jobs 0`: exit 2 naming --jobs, before anything runs."""
    assert run_scripted(scripted, ["replay", str(MANIFEST), "--jobs", jobs]) == 2
    _one_line_error(capsys, "--jobs")
    assert scripted.calls == []


@pytest.mark.parametrize(
    "argv",
    [pytest.param(["replay", str(MANIFEST), "--max-answer-s", "0"], id="max-answer-0"),
     pytest.param(["replay", str(MANIFEST), "--no-speech-timeout-s", "-1"], id="timeout-negative"),
     pytest.param(["replay", str(MANIFEST), "--beam-size", "0"], id="beam-0"),
     pytest.param(["replay", str(MANIFEST), "--threads", "-2"], id="threads-negative"),
     pytest.param(["replay", str(MANIFEST), "--model", " "], id="model-blank"),
     pytest.param(["practice", "--count", "100000"], id="count-huge"),
     pytest.param(["practice", "--silence-s", "nan"], id="silence-nan")],
)
def test_out_of_range_options_are_one_line_exit_2(argv: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Options out of range: exit 2, one line naming the option."""
    assert main(argv) == 2
    err = _one_line_error(capsys)
    assert "--" in err or "cpu_threads" in err


def test_unparseable_option_value_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A non-number for a number option: argparse's exit 2 and a usage message."""
    with pytest.raises(SystemExit) as info:
        main(["replay", str(MANIFEST), "--jobs", "two"])
    assert info.value.code == 2
    assert "--jobs" in capsys.readouterr().err


# --- --debug ----------------------------------------------------------------------------------


def _run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "simulator", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


BAD_BANK_ARGS = ("score", "--bank", "nope", "--question", "1", "--text", "x")


def test_default_error_has_no_traceback() -> None:
    """Without --debug: exit 2 and exactly one line on stderr."""
    done = _run_cli(*BAD_BANK_ARGS)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        line for line in done.stderr.strip().splitlines() if line.startswith("interview-sim:")]
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_debug_shows_the_traceback() -> None:
    """With --debug the same mistake shows a traceback ending in the BankError."""
    done = _run_cli("--debug", *BAD_BANK_ARGS)
    assert "Traceback (most recent call last)" in done.stderr
    assert "BankError: unknown bank 'nope'" in done.stderr


def test_debug_keeps_exit_code_2() -> None:
    """--debug changes what is printed, not the exit code."""
    assert _run_cli("--debug", *BAD_BANK_ARGS).returncode == 2


# --- Ctrl-C -----------------------------------------------------------------------------------


class _InterruptOnSecondAnswer(ScriptedTranscriber):
    """Ctrl-C pressed while the second answer is being transcribed."""

    def transcribe(self, audio, language, context=""):  # type: ignore[no-untyped-def]
        if self.calls:
            raise KeyboardInterrupt
        return super().transcribe(audio, language, context)


def test_ctrl_c_during_replay_keeps_finished_answers(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C in the second turn: exit 130, record 'interrupted' with turn 1, both WAVs kept."""
    transcriber = _InterruptOnSecondAnswer([ANSWER] * 2, language="en")
    sessions = tmp_path / "sessions"
    assert run_scripted(transcriber, ["replay", str(MANIFEST), *TWO_FIXTURES, "--save",
                                      "--sessions-dir", str(sessions)]) == 130
    assert "interrupted" in capsys.readouterr().err
    folder = _only_session_folder(sessions)
    record = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    assert record["status"] == "interrupted"
    assert len(record["turns"]) == 1
    assert len(list(folder.glob("answer-*.wav"))) == 2, "the interrupted answer's audio is kept"
    assert not list(folder.glob(".*.tmp"))
