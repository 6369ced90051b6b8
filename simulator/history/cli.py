"""`interview-sim history` and `history import DIR`: what they do.

The main CLI parses the arguments (`cli/parser.py`) and calls `run` from its `history`
command with the sessions folder the configuration chose. Before answering, `history`
reconciles the sessions folder with the database, so a session whose database write was
lost (a crash right after `session.json`) is counted. Lines about skipped folders go to
stderr; stdout carries only the answer (one JSON document with `--json`, CSV with `--csv`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from simulator.history.queries import HistoryFilter, answer_rows, history_summary, write_csv
from simulator.history.store import SyncReport, history_db_path, import_sessions, reconcile

IMPORT_SCHEMA = "interview-sim/history-import/1"
"""The `schema` of `history import --json` (simulator/schemas/history_import.json)."""
EXIT_OK = 0


def run(args: argparse.Namespace, sessions_dir: Path) -> int:
    """Do what the parsed `history` arguments ask; returns the exit code.

    Args:
        args: the parsed `history` arguments.
        sessions_dir: the sessions folder (`--sessions-dir` or the configured default).

    Raises:
        HistoryError: the database cannot be opened or written (the main CLI prints it
            as one line and exits 2, like every `SimulatorError`).
    """
    db_path = history_db_path(sessions_dir)
    if getattr(args, "history_command", None) == "import":
        report = import_sessions(db_path, args.folder)
        _print_skipped(report)
        if args.json:
            print(json.dumps({"schema": IMPORT_SCHEMA, "database": str(db_path),
                              "added": report.added, "updated": report.updated,
                              "unchanged": len(report.unchanged), "skipped": report.skipped},
                             ensure_ascii=False, indent=2))
        else:
            print(f"history import {args.folder}: {report.summary()} ({db_path})")
        return EXIT_OK
    with _database(sessions_dir) as db_path:
        _print_skipped(reconcile(db_path, sessions_dir))
        filters = HistoryFilter(bank=args.filter_bank, section=args.filter_section,
                                since=args.since)
        if args.csv:
            write_csv(answer_rows(db_path, filters), sys.stdout)
            return EXIT_OK
        summary = history_summary(db_path, filters, top_missed=args.top)
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from simulator.history.render import render_text

        sys.stdout.write(render_text(summary))
    return EXIT_OK


@contextlib.contextmanager
def _database(sessions_dir: Path) -> Iterator[Path]:
    """The history of `sessions_dir`; an empty throwaway one while that folder does not
    exist, so asking before the first session creates nothing (and the first session
    still gets its notice of where sessions are kept)."""
    if Path(sessions_dir).exists():
        yield history_db_path(sessions_dir)
        return
    with tempfile.TemporaryDirectory(prefix="interview-sim-history-") as empty:
        yield history_db_path(Path(empty))


def _print_skipped(report: SyncReport) -> None:
    for line in report.skipped:
        print(f"history: {line}", file=sys.stderr)
