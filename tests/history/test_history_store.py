"""History database: idempotent sync, reconciliation after a crash, import, migration."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from simulator.history import (
    SCHEMA_VERSION,
    HistoryError,
    history_db_path,
    import_sessions,
    reconcile,
    sync_session,
)
from simulator.history.db import connect, schema_version
from simulator.history.extract import extract
from tests.history.records import CALL_EN, CALL_ZH, REPLAY_MIXED, REPLAY_ZH, load

TABLES = ("sessions", "answers", "key_points", "fillers", "pauses", "scorecard")


def dump(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (without the sync time), sorted, for comparisons."""
    conn = sqlite3.connect(db_path)
    try:
        out = {}
        for table in TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                       if r[1] != "synced_at"]
            out[table] = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}"),
                                key=repr)
        return out
    finally:
        conn.close()


def write_record(folder: Path, document: dict[str, Any], name: str = "session.json") -> None:
    """Write a record the way the session store does (pretty JSON, trailing newline)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")


def test_sync_twice_gives_the_rows_of_once(tmp_path: Path) -> None:
    """Syncing the same document twice leaves exactly the rows of one sync."""
    document = load(REPLAY_ZH)
    folder = tmp_path / "s" / REPLAY_ZH
    write_record(folder, document)
    once, twice = tmp_path / "once.sqlite3", tmp_path / "twice.sqlite3"
    sync_session(once, folder, document)
    sync_session(twice, folder, document)
    sync_session(twice, folder, document)
    assert dump(once) == dump(twice)
    assert len(dump(once)["answers"]) == 3


def test_sync_of_a_growing_document_equals_one_sync_of_the_last(tmp_path: Path) -> None:
    """After-every-answer syncs of a growing session end with the rows of the final one."""
    document = load(REPLAY_ZH)
    folder = tmp_path / REPLAY_ZH
    write_record(folder, document)
    growing, final = tmp_path / "growing.sqlite3", tmp_path / "final.sqlite3"
    for n in range(1, len(document["turns"]) + 1):
        sync_session(growing, folder, {**document, "turns": document["turns"][:n]})
    sync_session(growing, folder, document)
    sync_session(final, folder, document)
    assert dump(growing) == dump(final)


def test_sync_records_the_file_stamp_only_when_the_file_holds_the_document(
        tmp_path: Path) -> None:
    """A sync before the JSON write leaves no stamp, so the next reconcile re-reads."""
    document = load(REPLAY_ZH)
    folder = tmp_path / "sessions" / REPLAY_ZH
    write_record(folder, {**document, "turns": document["turns"][:1]})
    db = history_db_path(tmp_path / "sessions")
    sync_session(db, folder, document)  # the file still holds the older, shorter record
    report = reconcile(db, tmp_path / "sessions")
    assert report.updated == [REPLAY_ZH]
    assert len(dump(db)["answers"]) == 1  # the file is the truth


def test_reconcile_heals_a_crash_between_json_and_database(sessions_dir: Path) -> None:
    """A session.json never synced (crash) or grown since the last sync is picked up."""
    db = history_db_path(sessions_dir)
    first = reconcile(db, sessions_dir)
    assert sorted(first.added) == sorted([REPLAY_ZH, REPLAY_MIXED, CALL_EN, CALL_ZH])
    # The session gets one more answer; the process dies before sync_session.
    document = load(REPLAY_ZH)
    longer = copy.deepcopy(document)
    extra = copy.deepcopy(document["turns"][0])
    extra["index"] = 4
    longer["turns"].append(extra)
    write_record(sessions_dir / REPLAY_ZH, longer)
    healed = reconcile(db, sessions_dir)
    assert healed.updated == [REPLAY_ZH] and not healed.added
    conn = sqlite3.connect(db)
    count = conn.execute("SELECT COUNT(*) FROM answers WHERE session_id=?",
                         (REPLAY_ZH,)).fetchone()[0]
    conn.close()
    assert count == 4
    again = reconcile(db, sessions_dir)
    assert not again.added and not again.updated and len(again.unchanged) == 4


def test_reconcile_reads_nothing_new_when_only_the_mtime_changed(sessions_dir: Path) -> None:
    """Same bytes with a new mtime: recognised by hash, rows untouched, stamp refreshed."""
    db = history_db_path(sessions_dir)
    reconcile(db, sessions_dir)
    before = dump(db)
    path = sessions_dir / REPLAY_ZH / "session.json"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    report = reconcile(db, sessions_dir)
    assert not report.updated and len(report.unchanged) == 4
    after = dump(db)
    assert after["answers"] == before["answers"]


def test_import_twice_adds_nothing_the_second_time(sessions_dir: Path, tmp_path: Path) -> None:
    """`history import DIR` is idempotent, for a parent folder and for one session folder."""
    db = tmp_path / "elsewhere" / "history.sqlite3"
    first = import_sessions(db, sessions_dir)
    assert len(first.added) == 4
    rows = dump(db)
    second = import_sessions(db, sessions_dir)
    assert (second.added, second.updated, len(second.unchanged)) == ([], [], 4)
    single = import_sessions(db, sessions_dir / CALL_EN)
    assert (single.added, single.updated) == ([], [])
    assert dump(db)["answers"] == rows["answers"]


def test_corrupt_and_alien_records_are_skipped_with_one_line(sessions_dir: Path) -> None:
    """Broken JSON, another program's JSON and non-UTF-8 bytes: one line each, no exception."""
    write_bad = {"broken": b'{"schema": "interview-sim/session/1", "turns": [',
                 "alien": b'{"name": "not ours"}', "binary": b"\xff\xfe\x00junk"}
    for name, data in write_bad.items():
        (sessions_dir / name).mkdir()
        (sessions_dir / name / "session.json").write_bytes(data)
    report = import_sessions(history_db_path(sessions_dir), sessions_dir)
    assert len(report.added) == 4
    assert len(report.skipped) == 3
    for name in write_bad:
        (line,) = [s for s in report.skipped if f"/{name}/session.json" in s]
        assert "\n" not in line and line.startswith("skipped ")
    assert any("not valid JSON" in s for s in report.skipped)
    assert any("not an interview-sim session or call record" in s for s in report.skipped)


def test_import_of_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    """A folder that does not exist is a HistoryError naming it."""
    with pytest.raises(HistoryError, match="no such folder"):
        import_sessions(tmp_path / "db.sqlite3", tmp_path / "nope")


def test_sync_of_an_alien_document_raises_history_error(tmp_path: Path) -> None:
    """sync_session refuses a document that is not a session or call record."""
    with pytest.raises(HistoryError, match="not an interview-sim"):
        sync_session(tmp_path / "db.sqlite3", tmp_path, {"schema": "something/else"})


def test_a_version_1_database_migrates_and_keeps_its_rows(tmp_path: Path) -> None:
    """A database left at schema 1 gains the version-2 tables and keeps its sessions."""
    db = tmp_path / "history.sqlite3"
    conn = connect(db, migrations=1)
    assert schema_version(conn) == 1
    assert "fillers" not in {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    conn.execute("INSERT INTO sessions (session_id, folder, kind, schema, started_at, answered, "
                 "synced_at) VALUES ('old', '/x/old', 'practice', 'interview-sim/session/1', "
                 "'2026-01-01T10:00:00+00:00', 0, '2026-01-01T10:00:00+00:00')")
    conn.close()
    conn = connect(db)
    assert schema_version(conn) == SCHEMA_VERSION == 2
    assert conn.execute("SELECT session_id FROM sessions").fetchall() == [("old",)]
    assert conn.execute("SELECT source_sha256 FROM sessions").fetchone() == (None,)
    conn.close()
    folder = tmp_path / REPLAY_ZH
    document = load(REPLAY_ZH)
    write_record(folder, document)
    sync_session(db, folder, document)
    assert len(dump(db)["fillers"]) == 3  # zh-22-fillers: 哪个, 就是说, 哪个


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    """A schema version above this release's is an error naming the file, not a guess."""
    db = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(HistoryError, match="newer interview-sim"):
        connect(db)


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    """The history file uses write-ahead logging (readers never block the session)."""
    conn = connect(tmp_path / "h.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_takes_and_follow_ups_get_rows_of_their_own() -> None:
    """`turns[].take` and `turns[].follow_up` (future fields) become take/follow-up rows."""
    document = load(REPLAY_ZH)
    turns = document["turns"]
    turns[1]["take"] = 2
    turns[0]["follow_up"] = {**copy.deepcopy(turns[2]), "question": {
        "prompt": "如果客户还是不满意呢？"}}
    record = extract(document, REPLAY_ZH)
    kinds = [(a.position, a.kind, a.parent_position, a.take) for a in record.answers]
    assert kinds == [(1, "answer", None, None), (2, "follow_up", 1, None), (3, "take", None, 2),
                     (4, "answer", None, None)]
    follow_up = record.answers[1]
    assert follow_up.question_id == "12" and follow_up.prompt == "如果客户还是不满意呢？"


def test_call_records_keep_turns_and_the_scorecard() -> None:
    """A call becomes call_turn rows (customer line as prompt) and scorecard items."""
    record = extract(load(CALL_ZH), CALL_ZH)
    assert record.session.kind == "call" and record.session.call_score == 16
    assert [a.kind for a in record.answers] == ["call_turn", "call_turn"]
    assert record.answers[0].prompt.startswith("喂")
    assert {s.item_id for s in record.scorecard} >= {"greeting", "empathy", "closing"}


def test_missing_fields_become_nulls_not_errors() -> None:
    """A record with sparse turns still yields rows (every field is optional)."""
    document = {"schema": "interview-sim/session/1", "turns": [{}, {"score": "oops"}, 3]}
    record = extract(document, "20260105-101500-abcd")
    assert [a.position for a in record.answers] == [1, 2]
    assert record.session.started_at == "2026-01-05T10:15:00"
    assert record.answers[0].fraction is None
