"""`interview-sim report [SESSION | --last | --all] [--open]`, and the report written at
the end of `practice` and `call`.

The main CLI parses the arguments (`cli/parser.py`) and calls `run` from its `report`
command. Each report gets the progress
charts from the history of its sessions folder (reconciled first, so the session itself
is in it). A folder whose record cannot be read is one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from simulator.history.db import HistoryError
from simulator.history.queries import history_summary
from simulator.history.store import RECORD_NAMES, history_db_path, reconcile
from simulator.report.build import write_report

_LOGGER = logging.getLogger(__name__)
EXIT_OK, EXIT_ERROR = 0, 2


def session_folders(sessions_dir: Path) -> list[Path]:
    """Session folders under `sessions_dir`, oldest first (folder names start with the time)."""
    if not sessions_dir.is_dir():
        return []
    return sorted(p for p in sessions_dir.iterdir()
                  if p.is_dir() and any((p / n).is_file() for n in RECORD_NAMES))


def run(args: argparse.Namespace, sessions_dir: Path) -> int:
    """Write the reports the arguments ask for; returns the exit code.

    Args:
        args: the parsed `report` arguments (`args.sessions_dir` None: not given).
        sessions_dir: the configured sessions folder (`--sessions-dir` or the default);
            for `report SESSION` without `--sessions-dir`, the folder's parent is used.

    Raises:
        HistoryError: the history database cannot be opened (only without --no-history).
    """
    if args.session is not None:
        folder = args.session.parent if args.session.is_file() else args.session
        folders = [folder]
        if args.sessions_dir is None:
            sessions_dir = folder.resolve().parent
    else:
        found = session_folders(sessions_dir)
        folders = found if args.all else found[-1:]
        if not folders:
            print(f"interview-sim: error: no session folders in {sessions_dir}", file=sys.stderr)
            return EXIT_ERROR
    history = None
    if not args.no_history:
        db_path = history_db_path(sessions_dir)
        for line in reconcile(db_path, sessions_dir).skipped:
            print(f"history: {line}", file=sys.stderr)
        history = history_summary(db_path)
    code = EXIT_OK
    for folder in folders:
        try:
            path = write_report(folder, history=history)
        except (OSError, ValueError, json.JSONDecodeError) as e:
            print(f"interview-sim: error: {e}", file=sys.stderr)
            code = EXIT_ERROR
            continue
        print(path)
        if args.open:
            open_in_browser(path)
    return code


def report_after_session(folder: Path, *, open_it: bool = False) -> Path | None:
    """Write the report of a session that just ended, with the progress of its folder.

    The session record is already saved (and synced into the history by the store), so
    nothing here may fail the command: a history that cannot be read leaves the progress
    charts out, a report that cannot be written is logged and None returned.

    Args:
        folder: the session folder (its parent holds the history).
        open_it: open the written report in the browser.

    Returns:
        The report's path, or None when it could not be written.
    """
    try:
        history = history_summary(history_db_path(folder.parent))
    except HistoryError as e:
        _LOGGER.warning("report without progress charts: %s", e)
        history = None
    try:
        path = write_report(folder, history=history)
    except (OSError, ValueError) as e:
        _LOGGER.warning("no report written for %s: %s", folder, e)
        return None
    if open_it:
        open_in_browser(path)
    return path


def open_in_browser(path: Path) -> None:
    """Open a written report in the user's browser (nothing happens where there is none)."""
    import webbrowser

    if not webbrowser.open(path.resolve().as_uri()):
        _LOGGER.warning("no browser to open %s", path)
