"""Write session documents into the history: one session per transaction, idempotently.

`sync_session` is meant to run in the same step that writes `session.json` / `call.json`
(right after the atomic rename): it replaces every row of that session inside one
`BEGIN IMMEDIATE` transaction, so the database holds either the previous version of the
session or the new one, never a mix, and syncing the same or a longer document again gives
exactly the rows of one sync. The JSON file stays the primary record: if the process dies
between the two writes, `reconcile` (cheap: one `stat` per folder, a read only when the
size or mtime changed) finds the file newer than what the database recorded and re-syncs it
at the next run. `import_sessions` adds folders from anywhere with the same logic.

A folder whose record is not valid JSON, or is JSON but not an interview-sim record, is
skipped with one line naming the file; nothing here raises for bad input files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from simulator.history.db import DB_FILENAME, HistoryError, connect
from simulator.history.extract import (
    AlienDocument,
    AnswerRow,
    FillerRow,
    KeyPointRow,
    PauseRow,
    ScorecardRow,
    SessionRecord,
    SessionRow,
    document_kind,
    extract,
)

_LOGGER = logging.getLogger(__name__)

RECORD_NAMES = ("session.json", "call.json")
"""The record file a session folder holds, in the order they are looked for."""


@dataclass(frozen=True)
class _Stamp:
    """What the database remembers about the record file it was synced from."""

    name: str
    mtime_ns: int | None
    size: int | None
    sha256: str | None


@dataclass
class SyncReport:
    """What an import or reconciliation did, folder by folder."""

    added: list[str] = field(default_factory=list)
    """Session ids seen for the first time."""
    updated: list[str] = field(default_factory=list)
    """Session ids whose record had changed since the last sync."""
    unchanged: list[str] = field(default_factory=list)
    """Folders whose record was already in the history as it is."""
    skipped: list[str] = field(default_factory=list)
    """One line per folder left out, naming the file and why."""

    def summary(self) -> str:
        """One line: counts of added, updated, unchanged and skipped folders."""
        return (f"{len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped")


def history_db_path(sessions_dir: Path) -> Path:
    """Where the history lives for a sessions folder: `<sessions_dir>/history.sqlite3`."""
    return Path(sessions_dir) / DB_FILENAME


def sync_session(db_path: Path, folder: Path, document: Mapping[str, Any]) -> None:
    """Replace one session's rows with those of `document`, in one transaction.

    Call it right after writing the folder's `session.json`/`call.json`. Idempotent: the
    same or a longer document again gives the rows of a single sync.

    Args:
        db_path: the history database (created and migrated if needed).
        folder: the session folder the document belongs to.
        document: the session or call document just written.

    Raises:
        HistoryError: the document is not an interview-sim record, or the database cannot
            be written. The JSON file is already safe then: log it and go on; the next
            `reconcile` retries from the file.
    """
    folder = Path(folder)
    try:
        record = extract(document, folder.name)
    except AlienDocument as e:
        raise HistoryError(f"{folder}: {e}") from e
    stamp = _stamp_if_same(folder, document_kind(document), document)
    conn = connect(db_path)
    try:
        _write(conn, record, folder, stamp)
    except sqlite3.Error as e:
        raise HistoryError(f"{db_path}: cannot record session {record.session.session_id} "
                           f"({e})") from e
    finally:
        conn.close()


def reconcile(db_path: Path, sessions_dir: Path) -> SyncReport:
    """Re-sync every session folder whose record changed since the database last saw it.

    Heals a crash between writing `session.json` and `sync_session`. Costs one `stat`
    per folder when nothing changed.

    Args:
        db_path: the history database.
        sessions_dir: the folder holding the session folders (missing: nothing to do).

    Raises:
        HistoryError: the database cannot be opened or written.
    """
    sessions_dir = Path(sessions_dir)
    folders = _session_folders(sessions_dir) if sessions_dir.is_dir() else []
    return _sync_folders(db_path, folders)


def import_sessions(db_path: Path, folder_or_parent: Path) -> SyncReport:
    """Add a session folder, or every session folder inside a folder, to the history.

    Idempotent: importing the same folders again adds and updates nothing.

    Raises:
        HistoryError: the path does not exist, or the database cannot be written.
    """
    path = Path(folder_or_parent)
    if not path.is_dir():
        raise HistoryError(f"{path}: no such folder")
    folders = [path] if _record_file(path) else _session_folders(path)
    return _sync_folders(db_path, folders)


def _session_folders(parent: Path) -> list[Path]:
    try:
        children = sorted(p for p in parent.iterdir() if p.is_dir())
    except OSError as e:
        raise HistoryError(f"{parent}: cannot list the folder ({e.strerror})") from e
    return [p for p in children if _record_file(p)]


def _record_file(folder: Path) -> Path | None:
    for name in RECORD_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def _sync_folders(db_path: Path, folders: Iterable[Path]) -> SyncReport:
    report = SyncReport()
    conn = connect(db_path)
    try:
        known = {row[0]: _Stamp(*row[1:]) for row in conn.execute(
            "SELECT folder, source_name, source_mtime_ns, source_size, source_sha256 "
            "FROM sessions")}
        hashes = {stamp.sha256 for stamp in known.values() if stamp.sha256}
        for folder in folders:
            _sync_folder(conn, folder.resolve(), known, hashes, report)
    except sqlite3.Error as e:
        raise HistoryError(f"{db_path}: cannot update the history ({e})") from e
    finally:
        conn.close()
    return report


def _sync_folder(conn: sqlite3.Connection, folder: Path, known: Mapping[str, _Stamp],
                 hashes: set[str], report: SyncReport) -> None:
    path = _record_file(folder)
    if path is None:
        return
    before = known.get(str(folder))
    try:
        stat = path.stat()
        if (before is not None and before.name == path.name and before.size == stat.st_size
                and before.mtime_ns == stat.st_mtime_ns):
            report.unchanged.append(str(folder))
            return
        data = path.read_bytes()
    except OSError as e:
        report.skipped.append(f"skipped {path}: cannot read ({e.strerror})")
        return
    stamp = _Stamp(path.name, stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())
    if stamp.sha256 in hashes:
        if before is not None and before.sha256 == stamp.sha256:
            conn.execute("UPDATE sessions SET source_name=?, source_mtime_ns=?, source_size=? "
                         "WHERE folder=?", (stamp.name, stamp.mtime_ns, stamp.size, str(folder)))
        report.unchanged.append(str(folder))
        return
    try:
        document = json.loads(data.decode("utf-8"))
        record = extract(document, folder.name)
    except UnicodeDecodeError:
        report.skipped.append(f"skipped {path}: not UTF-8 text")
        return
    except json.JSONDecodeError as e:
        report.skipped.append(f"skipped {path}: not valid JSON ({e.msg} at line {e.lineno} "
                              f"column {e.colno})")
        return
    except AlienDocument as e:
        report.skipped.append(f"skipped {path}: {e}")
        return
    session_id = record.session.session_id
    existed = conn.execute("SELECT 1 FROM sessions WHERE session_id=?",
                           (session_id,)).fetchone() is not None
    _write(conn, record, folder, stamp)
    hashes.add(stamp.sha256 or "")
    (report.updated if existed else report.added).append(session_id)


def _stamp_if_same(folder: Path, kind: str, document: Mapping[str, Any]) -> _Stamp:
    """The record file's stamp when it holds `document`; else an empty stamp (re-check later)."""
    path = folder / f"{kind}.json"
    try:
        stat = path.stat()
        data = path.read_bytes()
        same = json.loads(data.decode("utf-8")) == document
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        same = False
    if not same:
        return _Stamp(path.name, None, None, None)
    return _Stamp(path.name, stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest())


def _write(conn: sqlite3.Connection, record: SessionRecord, folder: Path, stamp: _Stamp) -> None:
    """Replace all rows of the record's session in one IMMEDIATE transaction."""
    session_id = record.session.session_id
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM sessions WHERE session_id=?", (session_id,))
        conn.execute("DELETE FROM sessions WHERE folder=?", (str(folder),))
        _insert(conn, "sessions", [record.session], {
            "folder": str(folder), "source_name": stamp.name, "source_mtime_ns": stamp.mtime_ns,
            "source_size": stamp.size, "source_sha256": stamp.sha256,
            "synced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
        extra = {"session_id": session_id}
        _insert(conn, "answers", record.answers, extra)
        _insert(conn, "key_points", record.key_points, extra)
        _insert(conn, "fillers", record.fillers, extra)
        _insert(conn, "pauses", record.pauses, extra)
        _insert(conn, "scorecard", record.scorecard, extra)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


_Row = SessionRow | AnswerRow | KeyPointRow | FillerRow | PauseRow | ScorecardRow


def _insert(conn: sqlite3.Connection, table: str, rows: Iterable[_Row],
            extra: Mapping[str, Any]) -> None:
    rows = list(rows)
    if not rows:
        return
    columns = [f.name for f in fields(rows[0])] + list(extra)
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    conn.executemany(sql, [tuple({**asdict(row), **extra}.values()) for row in rows])
