"""`interview-sim history` and `history import DIR`: arguments and what they do.

Self-contained so the main CLI wires it with two lines (`add_arguments` on its `history`
subparser, `run` in its dispatch table); `python -m simulator.history` runs it alone.
Before answering, `history` reconciles the sessions folder with the database, so a
session whose database write was lost (a crash right after `session.json`) is counted.
Lines about skipped folders go to stderr; stdout carries only the answer (one JSON
document with `--json`, CSV with `--csv`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from simulator.history.home import default_sessions_dir
from simulator.history.queries import HistoryFilter, answer_rows, history_summary, write_csv
from simulator.history.store import SyncReport, history_db_path, import_sessions, reconcile

EXIT_OK, EXIT_ERROR = 0, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-05-31, got {text!r}") from e


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `history` options and its `import` subcommand to `parser`."""
    parser.add_argument("--sessions-dir", type=Path, default=None,
                        help="folder of session folders (default: the per-user data folder, "
                             "or $INTERVIEW_SIM_HOME/sessions)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print one JSON document")
    form.add_argument("--csv", action="store_true", help="print one CSV row per answer")
    parser.add_argument("--bank", help="only this bank's questions")
    parser.add_argument("--section", help="only this section's questions")
    parser.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                        help="only sessions started on or after this date")
    parser.add_argument("--top", type=int, default=10,
                        help="how many most-missed key points to list (default 10)")
    sub = parser.add_subparsers(dest="history_command", parser_class=type(parser))
    p = sub.add_parser("import", help="add existing session folders to the history")
    p.add_argument("folder", type=Path, help="a session folder, or a folder of them")
    p.add_argument("--json", action="store_true", help="print what was done as JSON")


def run(args: argparse.Namespace) -> int:
    """Do what the parsed `history` arguments ask; returns the exit code.

    Raises:
        HistoryError: the database cannot be opened or written (the main CLI prints it
            as one line and exits 2, like every `SimulatorError`).
    """
    sessions_dir = args.sessions_dir if args.sessions_dir is not None else default_sessions_dir()
    db_path = history_db_path(sessions_dir)
    if getattr(args, "history_command", None) == "import":
        report = import_sessions(db_path, args.folder)
        _print_skipped(report)
        if args.json:
            print(json.dumps({"database": str(db_path), "added": report.added,
                              "updated": report.updated, "unchanged": len(report.unchanged),
                              "skipped": report.skipped}, ensure_ascii=False, indent=2))
        else:
            print(f"history import {args.folder}: {report.summary()} ({db_path})")
        return EXIT_OK
    _print_skipped(reconcile(db_path, sessions_dir))
    filters = HistoryFilter(bank=args.bank, section=args.section, since=args.since)
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


def _print_skipped(report: SyncReport) -> None:
    for line in report.skipped:
        print(f"history: {line}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m simulator.history [...]`: the same command without the main CLI."""
    from simulator.errors import SimulatorError
    from simulator.exports.pipes import pipe_safe_stdout

    parser = argparse.ArgumentParser(prog="interview-sim history",
                                     description="Progress over time, from the history.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        with pipe_safe_stdout():
            return run(args)
    except SimulatorError as e:
        print(f"interview-sim: error: {e}", file=sys.stderr)
        return EXIT_ERROR
