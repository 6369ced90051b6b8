"""Issue 15, `practice --resume`: a refused resume leaves the record exactly as it was; two
resumes of one session cannot both write it; a session planned from a bank file resumes from
any folder; a record with fields of the wrong type is one line, not a traceback.

Sessions run in-process through `cli.main` with a parts factory whose microphone is a fake
(a tone per answer) and whose transcriber is scripted; the second resumer holding the lock
is a real process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.app import PartsFactory
from simulator.cli import main
from simulator.ports import AudioSource, Transcriber
from tests.fakes import ListSource, ScriptedParts, ScriptedTranscriber, run_scripted, silence, tone

ROOT = Path(__file__).resolve().parents[2]
ANSWER = "I'm so sorry. I'll check the order in our system; it ships today."


class _MicParts(ScriptedParts):
    """The real parts, but the microphone is a fake that answers each question with a tone."""

    def microphone_problem(self) -> str | None:
        return None

    def microphone(self) -> AudioSource:
        return ListSource([np.concatenate([silence(0.3), tone(1.5)])] * 10)


class _CtrlCOnSecondAnswer(ScriptedTranscriber):
    """Ctrl-C while the second answer is transcribed."""

    def transcribe(self, audio, language, context=""):  # type: ignore[no-untyped-def]
        if self.calls:
            raise KeyboardInterrupt
        return super().transcribe(audio, language, context)


def _parts(transcriber: Transcriber) -> PartsFactory:
    return lambda config, echo: _MicParts(config, echo, transcriber)


def _practice(argv: list[str], transcriber: Transcriber | None = None) -> int:
    transcriber = transcriber or ScriptedTranscriber([ANSWER] * 10, language="en")
    return main(["practice", "--no-voice", *argv], parts=_parts(transcriber))


def _only_folder(sessions: Path) -> Path:
    folders = [p for p in sessions.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def _interrupted_session(sessions: Path, bank: str = "cs-en", count: int = 3) -> Path:
    """A practice session stopped by Ctrl-C during its second answer (one turn recorded)."""
    code = _practice(["--bank", bank, "--count", str(count), "--sessions-dir", str(sessions)],
                     _CtrlCOnSecondAnswer([ANSWER] * 3, language="en"))
    assert code == 130
    folder = _only_folder(sessions)
    record = _read(folder)
    assert record["status"] == "interrupted" and len(record["turns"]) == 1
    return folder


def _read(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "session.json").read_text(encoding="utf-8"))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _one_line(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("interview-sim: error: "), err
    for needle in needles:
        assert needle in err, err
    return err


# --- a refused resume touches nothing ------------------------------------------------------------


def test_refused_resume_of_a_complete_replay_session_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--resume` of a saved replay: one line "cannot be resumed", exit 2, and the folder is
    byte for byte as it was (before: status set back to `running`, summary deleted)."""
    sessions = tmp_path / "sessions"
    assert run_scripted(ScriptedTranscriber([ANSWER] * 2, language="en"),
                        ["replay", str(ROOT / "audio_fixtures" / "manifest.json"), "--only",
                         "en-2-strong", "--save", "--sessions-dir", str(sessions)]) == 0
    folder = _only_folder(sessions)
    before = _snapshot(folder)
    assert _read(folder)["status"] == "complete"
    capsys.readouterr()
    assert _practice(["--resume", str(folder)]) == 2
    _one_line(capsys, str(folder), "cannot be resumed")
    assert _snapshot(folder) == before


def test_refused_resume_of_a_finished_practice_session_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--resume` of a session with every question answered: one line, nothing rewritten."""
    sessions = tmp_path / "sessions"
    assert _practice(["--bank", "cs-en", "--count", "1", "--sessions-dir", str(sessions)]) == 0
    folder = _only_folder(sessions)
    before = _snapshot(folder)
    capsys.readouterr()
    assert _practice(["--resume", str(folder)]) == 2
    _one_line(capsys, "already answered")
    assert _snapshot(folder) == before


# --- two resumes at once ------------------------------------------------------------------------


_HOLD_LOCK = """
import sys, time
from simulator.records.documents import PRACTICE_RECORD
from simulator.records.store import SessionStore
store = SessionStore.reopen(sys.argv[1], PRACTICE_RECORD)
print("locked", flush=True)
time.sleep(120)
"""


def test_second_resume_of_a_session_in_use_is_refused(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """While another process has the session open, `--resume` is one line naming the folder,
    exit 2, record untouched (before: both ran, and one's turns were lost). Once it has gone,
    the resume runs and keeps turn 1."""
    folder = _interrupted_session(tmp_path / "sessions")
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(folder)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        before = _snapshot(folder)
        capsys.readouterr()
        assert _practice(["--resume", str(folder)]) == 2
        _one_line(capsys, str(folder), "in use")
        assert _snapshot(folder) == before
    finally:
        holder.kill()
        holder.wait()
    assert _practice(["--resume", str(folder)]) == 0
    record = _read(folder)
    assert record["status"] == "complete"
    assert [t["index"] for t in record["turns"]] == [1, 2, 3]


def test_resume_of_a_session_planned_from_a_bank_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A session from `--bank path/to/my.toml` (an id no shipped bank has) resumes, from
    another folder too (before: "unknown bank 'my-bank'")."""
    shipped = (ROOT / "prompts" / "banks" / "cs-en.toml").read_text(encoding="utf-8")
    bank = tmp_path / "banks" / "mine.toml"
    bank.parent.mkdir()
    bank.write_text(shipped.replace('id = "cs-en"', 'id = "my-bank"', 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    folder = _interrupted_session(tmp_path / "sessions", bank="banks/mine.toml", count=2)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _practice(["--resume", str(folder)]) == 0
    record = _read(folder)
    assert record["bank"] == "my-bank" and record["status"] == "complete"
    assert len(record["turns"]) == 2


# --- records with fields of the wrong type --------------------------------------------------------


@pytest.fixture(scope="module")
def interrupted_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One interrupted practice session, made once for the damaged-record cases (each copies
    it: making it is a whole practice run)."""
    return _interrupted_session(tmp_path_factory.mktemp("interrupted") / "sessions")


@pytest.mark.parametrize(("mutate", "needle"), [
    pytest.param(lambda r: r["turns"].__setitem__(0, "x"), "turn 1", id="turn-not-object"),
    pytest.param(lambda r: r["turns"][0].__setitem__("question", {"id": []}), "question.id",
                 id="question-id-list"),
    pytest.param(lambda r: r["turns"][0].pop("question"), "question.id", id="question-missing"),
    pytest.param(lambda r: r["turns"][0]["score"].__setitem__("points", "4"), "score.points",
                 id="points-text"),
    pytest.param(lambda r: r["turns"][0].__setitem__("score", None), "score.points",
                 id="score-null"),
    pytest.param(lambda r: r["turns"][0].__setitem__("index", "1"), "index", id="index-text"),
    pytest.param(lambda r: r.__setitem__("planned_questions", [{"id": 1}]), "cannot be resumed",
                 id="plan-of-objects"),
    pytest.param(lambda r: r.__setitem__("bank", ["cs-en"]), "cannot be resumed",
                 id="bank-list"),
    pytest.param(lambda r: r.__setitem__("unfinished_answers", {"wav": 1}),
                 "unfinished_answers", id="unfinished-not-list"),
    pytest.param(lambda r: r["turns"][0]["score"].__setitem__("points", float("inf")),
                 "score.points", id="points-infinite"),
])
def test_resume_of_a_record_with_wrong_field_types(tmp_path: Path, mutate: Any, needle: str,
                                                   interrupted_once: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A record edited or damaged by hand: one line naming it and the field, exit 2, record
    untouched (before: TypeError or KeyError tracebacks, some after the record was rewritten)."""
    folder = tmp_path / "sessions" / interrupted_once.name
    shutil.copytree(interrupted_once, folder)
    record = _read(folder)
    mutate(record)
    (folder / "session.json").write_text(json.dumps(record), encoding="utf-8")
    before = _snapshot(folder)
    capsys.readouterr()
    assert _practice(["--resume", str(folder)]) == 2
    _one_line(capsys, needle)
    assert _snapshot(folder) == before


def test_ctrl_c_during_the_follow_up_keeps_the_answer(tmp_path: Path) -> None:
    """Ctrl-C while the follow-up's answer is transcribed: the first answer, finished and
    judged, is recorded (before: the whole turn was lost; CI caught it when the random
    question order drew a question with a follow-up probe)."""
    sessions = tmp_path / "sessions"
    code = _practice(["--bank", "cs-en", "--question", "13", "--sessions-dir", str(sessions)],
                     _CtrlCOnSecondAnswer([ANSWER] * 3, language="en"))
    assert code == 130
    record = _read(_only_folder(sessions))
    assert record["status"] == "interrupted"
    assert [t["question"]["id"] for t in record["turns"]] == ["13"]
    assert record["turns"][0]["follow_up"] is None
    assert [u["wav"] for u in record["unfinished_answers"]] == ["answer-01-q13-follow-up.wav"]
