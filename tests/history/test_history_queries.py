"""History queries: averages over real replayed sessions, filters, CSV, terminal text, CLI."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path
from statistics import mean

import pytest

from simulator.cli import main
from simulator.history import (
    HistoryFilter,
    answer_rows,
    history_db_path,
    history_summary,
    import_sessions,
    sync_session,
    write_csv,
)
from simulator.history.home import HOME_ENV, default_sessions_dir, first_run_notice
from simulator.history.queries import CSV_COLUMNS
from simulator.history.render import render_text
from tests.history.records import REPLAY_MIXED, REPLAY_ZH, load


def fractions(name: str) -> list[float]:
    """The per-answer score fractions of a captured session, straight from its JSON."""
    return [t["score"]["fraction"] for t in load(name)["turns"]]


def test_two_replayed_sessions_give_the_right_averages(sessions_dir: Path) -> None:
    """Totals, per-session and per-section averages equal those computed from the JSON."""
    db = history_db_path(sessions_dir)
    import_sessions(db, sessions_dir)
    summary = history_summary(db)
    everything = fractions(REPLAY_ZH) + fractions(REPLAY_MIXED)
    assert summary["totals"]["sessions"] == 4 and summary["totals"]["calls"] == 2
    assert summary["totals"]["answers"] == 6
    assert summary["totals"]["average_fraction"] == pytest.approx(mean(everything), abs=1e-3)
    by_id = {s["session_id"]: s for s in summary["sessions"]}
    for name in (REPLAY_ZH, REPLAY_MIXED):
        totals = load(name)["totals"]
        assert by_id[name]["points"] == pytest.approx(totals["points"])
        assert by_id[name]["max_points"] == pytest.approx(totals["max_points"])
        assert by_id[name]["average_fraction"] == pytest.approx(mean(fractions(name)), abs=1e-3)
    expected: dict[tuple[str, str], list[float]] = {}
    for name in (REPLAY_ZH, REPLAY_MIXED):
        for turn in load(name)["turns"]:
            key = (turn["question"]["language"], turn["question"]["section"])
            expected.setdefault(key, []).append(turn["score"]["fraction"])
    got = {(s["language"], s["section"]): s["average_fraction"] for s in summary["sections"]}
    assert got == {k: pytest.approx(mean(v), abs=1e-3) for k, v in expected.items()}


def test_best_and_latest_take_and_most_missed(sessions_dir: Path) -> None:
    """q12 (zh) was answered three times: best is the strong answer, latest the off-topic."""
    db = history_db_path(sessions_dir)
    import_sessions(db, sessions_dir)
    summary = history_summary(db)
    (q12,) = [q for q in summary["questions"]
              if q["question_id"] == "12" and q["language"] == "zh"]
    assert q12["attempts"] == 3
    assert q12["best"]["fraction"] == 1.0 and q12["best"]["session_id"] == REPLAY_ZH
    assert q12["latest"]["session_id"] == REPLAY_MIXED and q12["latest"]["fraction"] == 0.0
    top = summary["missed_key_points"][0]
    assert top["missed"] >= 2 and top["question_id"] == "12"


def test_delivery_trends_per_session(sessions_dir: Path) -> None:
    """Pace per unit, fillers and latency per session come from the answers' delivery."""
    db = history_db_path(sessions_dir)
    import_sessions(db, sessions_dir)
    trends = {t["session_id"]: t for t in history_summary(db)["trends"]}
    zh = trends[REPLAY_ZH]
    paces = [t["delivery"]["pace"]["per_min"] for t in load(REPLAY_ZH)["turns"]]
    assert zh["pace_cpm"] == pytest.approx(mean(paces), abs=1e-3) and zh["pace_wpm"] is None
    assert zh["fillers"] == 3
    assert trends[REPLAY_MIXED]["pace_wpm"] is not None


def test_filters_by_bank_section_and_since(tmp_path: Path) -> None:
    """--bank, --section and --since narrow the answers and the sessions listed."""
    db = tmp_path / "history.sqlite3"
    old, new = load(REPLAY_ZH), copy.deepcopy(load(REPLAY_MIXED))
    old.update(bank="cs-zh", started_at="2026-01-10T09:00:00+00:00", session_id="old")
    new.update(started_at="2026-03-01T09:00:00+00:00", session_id="new")
    for turn in new["turns"]:
        turn["question"]["bank"] = "cs-" + turn["question"]["language"]
    sync_session(db, tmp_path / "old", old)
    sync_session(db, tmp_path / "new", new)
    only_zh = history_summary(db, HistoryFilter(bank="cs-zh"))
    assert only_zh["totals"]["answers"] == 4  # 3 in the old session + zh-12-off-topic
    assert {s["session_id"] for s in only_zh["sessions"]} == {"old", "new"}
    pressure = history_summary(db, HistoryFilter(section="pressure"))
    assert [q["question_id"] for q in pressure["questions"]] == ["4", "22"]
    since = history_summary(db, HistoryFilter(since=dt.date(2026, 2, 1)))
    assert [s["session_id"] for s in since["sessions"]] == ["new"]
    assert since["totals"]["answers"] == 3
    both = history_summary(db, HistoryFilter(bank="cs-en", since=dt.date(2026, 2, 1)))
    assert both["totals"]["answers"] == 2 and both["filters"]["since"] == "2026-02-01"
    none = history_summary(db, HistoryFilter(bank="cs-zh", section="nope"))
    assert none["totals"]["sessions"] == 0 and none["sessions"] == []


def test_csv_opens_with_the_csv_module_and_has_a_header(sessions_dir: Path) -> None:
    """One row per answer (practice and call turns), header first, transcripts quoted."""
    db = history_db_path(sessions_dir)
    import_sessions(db, sessions_dir)
    buffer = io.StringIO()
    write_csv(answer_rows(db), buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert tuple(rows[0]) == CSV_COLUMNS
    turns = sum(len(load(n)["turns"]) for n in (REPLAY_ZH, REPLAY_MIXED))
    calls = sum(1 for r in rows[1:] if r[CSV_COLUMNS.index("kind")] == "call_turn")
    assert len(rows) - 1 == turns + calls and calls == 5
    records = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]]
    (record,) = [r for r in records if r["session_id"] == REPLAY_ZH and r["position"] == "1"]
    assert record["fraction"] == "1.0" and record["key_points_covered"] == "5"
    assert "," in record["transcript"]  # commas survived the quoting


def test_terminal_text_is_plain_and_aligned(sessions_dir: Path) -> None:
    """The terminal rendering has every section, no escape codes, aligned CJK columns."""
    db = history_db_path(sessions_dir)
    import_sessions(db, sessions_dir)
    text = render_text(history_summary(db))
    assert "\x1b" not in text
    for title in ("Sessions", "Average score per section", "Key points missed most often",
                  "Delivery per session", "Best and latest take per question"):
        assert f"\n{title}\n" in text
    assert "call 16/100" in text


def test_empty_history_says_how_to_fill_it(tmp_path: Path) -> None:
    """No sessions: one helpful sentence, not an empty table."""
    text = render_text(history_summary(tmp_path / "h.sqlite3"))
    assert text.startswith("No sessions in the history yet")


def test_cli_json_and_csv_and_import(sessions_dir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`history --json`, `--csv` and `import` through the main command line."""
    assert main(["history", "--sessions-dir", str(sessions_dir), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["totals"]["sessions"] == 4
    assert main(["history", "--sessions-dir", str(sessions_dir), "--csv",
                 "--section", "scenarios"]) == 0
    assert capsys.readouterr().out.startswith("session_id,started_at")
    assert main(["history", "--sessions-dir", str(sessions_dir), "import", str(sessions_dir)]) == 0
    assert "0 added, 0 updated, 4 unchanged, 0 skipped" in capsys.readouterr().out


def test_cli_skips_a_corrupt_folder_with_one_line(sessions_dir: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A corrupt session.json is named on stderr; the answer still comes on stdout."""
    (sessions_dir / "bad").mkdir()
    (sessions_dir / "bad" / "session.json").write_text("{not json", encoding="utf-8")
    assert main(["history", "--sessions-dir", str(sessions_dir), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["totals"]["sessions"] == 4
    (line,) = captured.err.splitlines()
    assert "bad/session.json" in line and "not valid JSON" in line
    assert "Traceback" not in captured.err


def test_cli_in_a_pipe_that_closes_early(tmp_path: Path) -> None:
    """`interview-sim history --csv | head -1` on a big history: exit 0, quiet stderr."""
    sessions = tmp_path / "sessions"
    document = load(REPLAY_ZH)
    for k in range(60):  # about 100 kB of CSV: more than a pipe buffer holds
        sync_session(history_db_path(sessions), sessions / f"s{k}",
                     {**document, "session_id": f"s{k}"})
    command = (f"{sys.executable} -m simulator history --sessions-dir {sessions} --csv "
               "| head -1; exit ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("session_id,") and done.stderr == ""


def test_default_home_follows_the_environment(tmp_path: Path) -> None:
    """INTERVIEW_SIM_HOME replaces the per-user data folder; empty means unset."""
    assert default_sessions_dir({HOME_ENV: str(tmp_path)}) == tmp_path / "sessions"
    assert default_sessions_dir({HOME_ENV: "~/x"}) == Path.home() / "x" / "sessions"
    platform_default = default_sessions_dir({HOME_ENV: "  "})
    assert platform_default.name == "sessions" and "interview-sim" in str(platform_default)


def test_first_run_notice_only_before_the_folder_exists(tmp_path: Path) -> None:
    """The notice names the folder and the override, once: not when the folder exists."""
    target = tmp_path / "sessions"
    notice = first_run_notice(target)
    assert notice is not None and str(target) in notice and HOME_ENV in notice
    assert str(target) in (first_run_notice(target, "zh") or "")
    target.mkdir()
    assert first_run_notice(target) is None
