"""The history database: one SQLite file, WAL mode, schema versioned by ordered migrations.

`PRAGMA user_version` holds how many entries of `MIGRATIONS` have run. Opening a database
runs the missing ones in order, each in its own transaction together with the version bump,
so a database is always at a version some release wrote. A database from a newer release
(a version above `SCHEMA_VERSION`) is refused rather than guessed at.

Every row is derived from a session document, so the history is a cache of the session
folders: `store.reconcile` or `store.import_sessions` can rebuild it from them at any time.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from simulator.errors import SimulatorError

_LOGGER = logging.getLogger(__name__)

DB_FILENAME = "history.sqlite3"
"""The history's file name inside the sessions folder."""
BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write to finish (milliseconds)."""


class HistoryError(SimulatorError):
    """The history database cannot be opened, migrated or written (names the file)."""


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction.

    Not `executescript`: it commits any open transaction first, which would split a
    migration from its version bump.
    """
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1_sessions_answers_key_points(conn: sqlite3.Connection) -> None:
    """Sessions, their answers and the credit per key point."""
    _run(conn, """
        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY, folder TEXT NOT NULL, kind TEXT NOT NULL,
            schema TEXT NOT NULL, bank TEXT, language TEXT, script TEXT,
            started_at TEXT NOT NULL, updated_at TEXT, status TEXT, answered INTEGER NOT NULL,
            points REAL, max_points REAL, call_score REAL, call_outcome TEXT, scenario_id TEXT,
            title TEXT, source_name TEXT, source_mtime_ns INTEGER, source_size INTEGER,
            synced_at TEXT NOT NULL
        );
        CREATE TABLE answers (
            session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
            position INTEGER NOT NULL, kind TEXT NOT NULL, turn_index INTEGER,
            parent_position INTEGER, take INTEGER, question_id TEXT, section TEXT, bank TEXT,
            language TEXT, prompt TEXT, points REAL, max_points REAL, fraction REAL,
            transcript TEXT, wav TEXT, duration_s REAL, end_reason TEXT, speech_start_s REAL,
            speech_end_s REAL, response_latency_s REAL, talk_s REAL, pace_unit TEXT,
            pace_per_min REAL, pace_low REAL, pace_high REAL, pace_verdict TEXT,
            filler_count INTEGER, filler_per_min REAL, filler_verdict TEXT,
            long_pauses INTEGER, dead_air INTEGER, longest_pause_s REAL, latency_verdict TEXT,
            loudness_dbfs REAL, clipped_share REAL, loudness_verdict TEXT, first_tip TEXT,
            transcribe_s REAL, feedback_latency_s REAL,
            PRIMARY KEY (session_id, position)
        );
        CREATE TABLE key_points (
            session_id TEXT NOT NULL, answer_position INTEGER NOT NULL,
            position INTEGER NOT NULL, label TEXT NOT NULL, weight REAL,
            critical INTEGER NOT NULL, covered INTEGER NOT NULL, credit REAL,
            PRIMARY KEY (session_id, answer_position, position),
            FOREIGN KEY (session_id, answer_position)
                REFERENCES answers(session_id, position) ON DELETE CASCADE
        );
        CREATE INDEX answers_question ON answers(bank, question_id);
        CREATE INDEX sessions_started ON sessions(started_at);
    """)


def _v2_delivery_events_scorecards_hash(conn: sqlite3.Connection) -> None:
    """Fillers and pauses one by one, call scorecard items, and the record file's hash.

    The hash lets reconciliation tell a rewritten-but-identical file (new mtime, same
    bytes) from a changed one without re-reading the rows.
    """
    _run(conn, """
        CREATE TABLE fillers (
            session_id TEXT NOT NULL, answer_position INTEGER NOT NULL,
            position INTEGER NOT NULL, text TEXT NOT NULL, start_s REAL,
            PRIMARY KEY (session_id, answer_position, position),
            FOREIGN KEY (session_id, answer_position)
                REFERENCES answers(session_id, position) ON DELETE CASCADE
        );
        CREATE TABLE pauses (
            session_id TEXT NOT NULL, answer_position INTEGER NOT NULL,
            position INTEGER NOT NULL, start_s REAL, length_s REAL, dead_air INTEGER NOT NULL,
            PRIMARY KEY (session_id, answer_position, position),
            FOREIGN KEY (session_id, answer_position)
                REFERENCES answers(session_id, position) ON DELETE CASCADE
        );
        CREATE TABLE scorecard (
            session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
            position INTEGER NOT NULL, item_id TEXT, label TEXT NOT NULL, weight REAL,
            credit REAL,
            PRIMARY KEY (session_id, position)
        );
        ALTER TABLE sessions ADD COLUMN source_sha256 TEXT;
    """)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_sessions_answers_key_points,
    _v2_delivery_events_scorecards_hash,
)
"""Schema changes in order; entry k brings a database from version k to k + 1. Append only."""
SCHEMA_VERSION = len(MIGRATIONS)


def connect(db_path: Path, *, migrations: int | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the history database and bring its schema up to date.

    Args:
        db_path: the database file; its folder is created if missing.
        migrations: run only this many migrations (tests build old databases with it).

    Returns:
        A connection in autocommit mode (`isolation_level=None`): callers open their own
        `BEGIN IMMEDIATE` transactions, with foreign keys on and WAL journaling.

    Raises:
        HistoryError: the file cannot be opened, is not a database, or is newer than this
            release (names the file).
    """
    wanted = SCHEMA_VERSION if migrations is None else migrations
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        # The history holds every transcript: owner-only like the session folders. SQLite
        # gives its -wal and -shm files the database file's mode.
        os.close(os.open(db_path, os.O_RDONLY | os.O_CREAT, 0o600))
        conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as e:
        raise HistoryError(f"{db_path}: cannot open the history database ({e})") from e
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _migrate(conn, wanted, db_path)
    except sqlite3.Error as e:
        conn.close()
        raise HistoryError(f"{db_path}: not a usable history database ({e})") from e
    except HistoryError:
        conn.close()
        raise
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's schema version (`PRAGMA user_version`)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _migrate(conn: sqlite3.Connection, wanted: int, db_path: Path) -> None:
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise HistoryError(f"{db_path}: written by a newer interview-sim (schema {current}, "
                           f"this release knows up to {SCHEMA_VERSION})")
    for version in range(current, wanted):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if schema_version(conn) != version:
                conn.execute("ROLLBACK")
                continue
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version={version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        _LOGGER.info("history: migrated %s to schema %d", db_path, version + 1)
