"""`interview-sim report [SESSION | --last | --all] [--open]`: write report.html files.

Self-contained like `simulator.history.cli`: the main CLI wires it with `add_arguments`
and `run`; `python -m simulator.report` runs it alone. Each report gets the
progress charts from the history of its sessions folder (reconciled first, so the
session itself is in it). A folder whose record cannot be read is one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from simulator.history.home import default_sessions_dir
from simulator.history.queries import history_summary
from simulator.history.store import RECORD_NAMES, history_db_path, reconcile
from simulator.report.build import write_report

EXIT_OK, EXIT_ERROR = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `report` arguments to `parser`."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument("session", nargs="?", type=Path,
                       help="a session folder (or its session.json/call.json)")
    which.add_argument("--last", action="store_true", help="the most recent session")
    which.add_argument("--all", action="store_true", help="every session in the folder")
    parser.add_argument("--sessions-dir", type=Path, default=None,
                        help="folder of session folders (default: the per-user data folder, "
                             "or $INTERVIEW_SIM_HOME/sessions)")
    parser.add_argument("--open", action="store_true", help="open the report in the browser")
    parser.add_argument("--no-history", action="store_true",
                        help="leave out the progress charts")


def session_folders(sessions_dir: Path) -> list[Path]:
    """Session folders under `sessions_dir`, oldest first (folder names start with the time)."""
    if not sessions_dir.is_dir():
        return []
    return sorted(p for p in sessions_dir.iterdir()
                  if p.is_dir() and any((p / n).is_file() for n in RECORD_NAMES))


def run(args: argparse.Namespace) -> int:
    """Write the reports the arguments ask for; returns the exit code.

    Raises:
        HistoryError: the history database cannot be opened (only without --no-history).
    """
    if args.session is not None:
        folder = args.session.parent if args.session.is_file() else args.session
        folders = [folder]
        sessions_dir = args.sessions_dir or folder.resolve().parent
    else:
        sessions_dir = args.sessions_dir or default_sessions_dir()
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
            import webbrowser

            webbrowser.open(path.resolve().as_uri())
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m simulator.report [...]`: the same command without the main CLI."""
    from simulator.errors import SimulatorError
    from simulator.exports.pipes import pipe_safe_stdout

    parser = argparse.ArgumentParser(prog="interview-sim report",
                                     description="Write a self-contained HTML report.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        with pipe_safe_stdout():
            return run(args)
    except SimulatorError as e:
        print(f"interview-sim: error: {e}", file=sys.stderr)
        return EXIT_ERROR
