"""History, reports and exports wired into `interview-sim` itself: the commands run
in-process with a scripted transcriber (no Whisper), the real judge (built once for the
test run), real fixtures and real session folders."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from simulator.cli import main
from simulator.config import SimulatorConfig
from simulator.history import HOME_ENV, history_db_path, history_summary, sync_session
from simulator.history.extract import extract
from simulator.ports import Transcriber
from simulator.schemas import validate
from tests.fakes import ScriptedParts, ScriptedTranscriber, real_judge
from tests.history.records import REPLAY_ZH, load
from tests.history.test_exports import junit_schema

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "audio_fixtures" / "manifest.json"
GOOD_EN = ("I'm so sorry about the delay. Let me check the order and the stock right now, "
           "it will ship today before 5 pm, I'll add a coupon and call you back tomorrow.")
WEAK_EN = "Well, I think the weather is nice today."


class _Parts(ScriptedParts):
    """Scripted transcriber, and the one real judge of the test run (loading the sentence
    encoder again for each of these commands would cost seconds apiece)."""

    def judge(self, questions: Any = (), *, preload: bool = True) -> Any:
        return real_judge()


def run_scripted(transcriber: Transcriber, argv: list[str]) -> int:
    """`interview-sim ARGV` in-process with `transcriber` and the shared judge."""

    def parts(config: SimulatorConfig, echo: Any) -> _Parts:
        return _Parts(config, echo, transcriber)

    return main(argv, parts=parts)


def _answers(*texts: str) -> ScriptedTranscriber:
    return ScriptedTranscriber(list(texts), language="en")


def _replay_save(sessions: Path, texts: tuple[str, ...], *fixtures: str,
                 capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    argv = ["replay", str(MANIFEST), "--save", "--json", "--sessions-dir", str(sessions)]
    for fixture in fixtures:
        argv += ["--only", fixture]
    assert run_scripted(_answers(*texts), argv) == 0
    return dict(json.loads(capsys.readouterr().out))


def _history(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["history", *args, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_two_replayed_sessions_show_in_history_with_the_right_averages(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """replay --save twice (synced as they are written), then `history --json`: both
    sessions, each answer's fraction, and averages computed from the records."""
    sessions = tmp_path / "sessions"
    first = _replay_save(sessions, (GOOD_EN, WEAK_EN), "en-2-strong", "en-3-strong",
                         capsys=capsys)
    second = _replay_save(sessions, (GOOD_EN,), "en-2-partial", capsys=capsys)
    summary = _history(capsys, "--sessions-dir", str(sessions))
    validate(summary, "history")
    fractions = [t["score"]["fraction"] for t in first["turns"] + second["turns"]]
    assert summary["totals"]["sessions"] == 2 and summary["totals"]["answers"] == 3
    assert summary["totals"]["average_fraction"] == pytest.approx(
        sum(fractions) / 3, abs=0.001)
    by_id = {s["session_id"]: s for s in summary["sessions"]}
    for record in (first, second):
        row = by_id[Path(record["session_folder"]).name]
        assert row["points"] == pytest.approx(record["totals"]["points"])
        assert row["max_points"] == record["totals"]["max_points"]
    q2 = next(q for q in summary["questions"] if q["question_id"] == "2")
    assert q2["bank"] == "cs-en" and q2["attempts"] == 2  # the question JSON names its bank


def test_history_import_twice_adds_nothing_the_second_time(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`history import DIR --json` into another history: added once, then all unchanged."""
    sessions = tmp_path / "sessions"
    _replay_save(sessions, (GOOD_EN,), "en-2-strong", capsys=capsys)
    _replay_save(sessions, (WEAK_EN,), "en-3-strong", capsys=capsys)
    other = tmp_path / "elsewhere"
    runs = []
    for _ in range(2):
        assert main(["history", "--sessions-dir", str(other), "import", str(sessions),
                     "--json"]) == 0
        runs.append(json.loads(capsys.readouterr().out))
        validate(runs[-1], "history_import")
    assert len(runs[0]["added"]) == 2 and runs[0]["unchanged"] == 0
    assert runs[1]["added"] == [] and runs[1]["updated"] == [] and runs[1]["unchanged"] == 2
    assert _history(capsys, "--sessions-dir", str(other))["totals"]["sessions"] == 2


def test_history_is_synced_after_every_write_of_the_record(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """The database holds what session.json holds, stamped with the file it came from."""
    sessions = tmp_path / "sessions"
    record = _replay_save(sessions, (GOOD_EN, WEAK_EN), "en-2-strong", "en-3-strong",
                          capsys=capsys)
    folder = Path(record["session_folder"])
    with sqlite3.connect(history_db_path(sessions)) as conn:
        (status, answered, size), = conn.execute(
            "SELECT status, answered, source_size FROM sessions WHERE session_id = ?",
            (folder.name,))
        banks = [row[0] for row in conn.execute("SELECT bank FROM answers ORDER BY position")]
    assert (status, answered) == ("complete", 2)
    assert size == (folder / "session.json").stat().st_size  # not left for reconcile
    assert banks == ["cs-en", "cs-en"]


def test_a_broken_history_never_costs_the_session(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """history.sqlite3 that is not a database: the session is saved, exit 0, a warning."""
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    history_db_path(sessions).write_bytes(b"this is not a database" * 100)
    record = _replay_save(sessions, (GOOD_EN,), "en-2-strong", capsys=capsys)
    saved = json.loads((Path(record["session_folder"]) / "session.json").read_text("utf-8"))
    assert saved["status"] == "complete" and len(saved["turns"]) == 1
    assert any("history not updated" in r.getMessage() for r in caplog.records)


def test_a_session_whose_sync_was_lost_is_reconciled_when_the_next_one_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder written without its history rows (a crash between the two writes) is in
    the history once the next session starts."""
    sessions = tmp_path / "sessions"
    orphan = sessions / "20260101-090000-dead"
    orphan.mkdir(parents=True)
    (orphan / "session.json").write_text(json.dumps(load(REPLAY_ZH)), encoding="utf-8")
    _replay_save(sessions, (GOOD_EN,), "en-2-strong", capsys=capsys)
    with sqlite3.connect(history_db_path(sessions)) as conn:
        folders = {Path(row[0]).name for row in conn.execute("SELECT folder FROM sessions")}
    assert orphan.name in folders and len(folders) == 2


def test_practice_says_where_sessions_go_once_and_ends_with_its_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No --sessions-dir: the per-user folder ($INTERVIEW_SIM_HOME/sessions) is announced
    before the first session only; each session ends with report.html, its path printed,
    and --open hands it to the browser."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    argv = ["practice", "--bank", "cs-en", "--count", "1", "--no-voice"]
    assert run_scripted(_answers(GOOD_EN), argv) == 0
    first = capsys.readouterr().out
    sessions = tmp_path / "home" / "sessions"
    assert f"will be kept in {sessions}" in first and HOME_ENV in first
    (first_report,) = sessions.glob("*/report.html")
    assert f"Report: {first_report}" in first
    assert run_scripted(_answers(GOOD_EN), [*argv, "--open"]) == 0
    second = capsys.readouterr().out
    assert "will be kept in" not in second
    (report,) = set(sessions.glob("*/report.html")) - {first_report}
    assert f"Report: {report}" in second and opened == [report.resolve().as_uri()]
    page = report.read_text(encoding="utf-8")
    assert 'data-current="1"' in page  # the progress charts came from the synced history
    document = json.loads((report.parent / "session.json").read_text(encoding="utf-8"))
    validate(document, "session")
    assert document["script"] == "simplified" and document["turns"][0]["question"]["bank"]


def test_a_chosen_sessions_dir_is_not_announced(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """--sessions-dir given: no first-run notice, even for a new folder."""
    assert run_scripted(_answers(GOOD_EN), ["practice", "--bank", "cs-en", "--count", "1",
                                            "--no-voice", "--sessions-dir",
                                            str(tmp_path / "mine")]) == 0
    assert "will be kept in" not in capsys.readouterr().out


def test_history_before_any_session_creates_nothing(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`history` on a fresh install answers (empty) without creating the data folder."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    assert _history(capsys)["totals"]["sessions"] == 0
    assert not (tmp_path / "home").exists()


def test_call_writes_its_report_and_a_valid_record(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """call --replay --json: the printed record and call.json match the schema, the
    customer's speech time is null when printed, and the report path goes to stderr."""
    wav = ROOT / "audio_fixtures" / "en-2-strong.wav"
    argv = ["call", "--scenario", "en-long-wait", "--replay", str(wav), str(wav), "--no-voice",
            "--json", "--script", "traditional", "--sessions-dir", str(tmp_path / "s")]
    assert run_scripted(_answers(GOOD_EN, GOOD_EN), argv) == 0
    captured = capsys.readouterr()
    printed = json.loads(captured.out)
    validate(printed, "call")
    folder = Path(printed["session_folder"])
    saved = json.loads((folder / "call.json").read_text(encoding="utf-8"))
    validate(saved, "call")
    assert saved["script"] == "traditional"
    assert all(t["customer_speech_s"] is None for t in saved["turns"])
    assert f"Report: {folder / 'report.html'}" in captured.err
    assert (folder / "report.html").is_file()


def test_replay_check_junit_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """replay --check --junit FILE: valid JUnit, one case per fixture, exit 1 on a miss."""
    junit = tmp_path / "junit.xml"
    argv = ["replay", str(MANIFEST), "--only", "en-2-strong", "--only", "en-3-strong",
            "--check", "--junit", str(junit)]
    assert run_scripted(_answers(GOOD_EN, GOOD_EN), argv) == 1
    junit_schema().validate(str(junit))  # type: ignore[attr-defined]
    text = junit.read_text(encoding="utf-8")
    assert text.count("<testcase ") == 2 and text.count("<failure ") == 1
    assert 'name="en-3-strong"' in text
    capsys.readouterr()
    assert main(["replay", str(MANIFEST), "--junit", str(tmp_path / "no" / "j.xml")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "no/j.xml" in line and "--junit" in line


def test_extraction_tolerates_scorer_fields_added_and_removed() -> None:
    """The coming scorer fields (breaches, list_like, off_topic, per-key-point probability
    and example) are ignored; a score without key points or evidence still syncs."""
    document = copy.deepcopy(load(REPLAY_ZH))
    turn = document["turns"][0]
    turn["score"].update(breaches=[{"label": "blames the customer", "quote": "x"}],
                         list_like=True, off_topic=False)
    for point in turn["score"]["key_points"]:
        point.update(probability=0.83, example="先向您道歉")
        point.pop("evidence", None)
        point.pop("mode", None)
    del document["turns"][1]["score"]["key_points"]
    document["turns"][2]["score"] = {"fraction": 0.5}
    record = extract(document, REPLAY_ZH)
    assert [a.fraction for a in record.answers] == [turn["score"]["fraction"], pytest.approx(
        document["turns"][1]["score"]["fraction"]), 0.5]
    assert len(record.key_points) == len(turn["score"]["key_points"])


def test_sync_tolerates_a_document_with_new_fields(tmp_path: Path) -> None:
    """sync_session and the summary take a record with the new scorer fields whole."""
    document = copy.deepcopy(load(REPLAY_ZH))
    for turn in document["turns"]:
        turn["score"]["breaches"] = []
        turn["score"]["off_topic"] = True
    db = history_db_path(tmp_path)
    sync_session(db, tmp_path / REPLAY_ZH, document)
    assert history_summary(db)["totals"]["answers"] == len(document["turns"])


def test_replay_json_and_saved_records_match_their_schemas(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The wired replay --json and the session.json it saved, against the schemas."""
    record = _replay_save(tmp_path / "s", (GOOD_EN, WEAK_EN), "en-2-strong", "zh-1-short",
                          capsys=capsys)
    validate(record, "replay")
    saved = Path(record["session_folder"]) / "session.json"
    validate(json.loads(saved.read_text(encoding="utf-8")), "session")
    assert os.stat(saved).st_size > 0


def test_the_default_sessions_dir_is_the_config_default(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """One source: SessionConfig's default is the per-user folder, and a command without
    --sessions-dir gets exactly that."""
    from simulator.cli.parser import build_parser, config_from_args
    from simulator.config import SessionConfig

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    assert SessionConfig().sessions_dir == tmp_path / "home" / "sessions"
    for argv in (["practice"], ["call", "--scenario", "x"], ["replay", "x"], ["history"],
                 ["report"]):
        config = config_from_args(build_parser().parse_args(argv))
        assert config.session.sessions_dir == tmp_path / "home" / "sessions", argv
