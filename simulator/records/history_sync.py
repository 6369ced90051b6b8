"""Keep the history database (`history/`) in step with the session folders the store writes.

The JSON record is the primary copy: the store writes it first, then `sync` copies it into
`<sessions dir>/history.sqlite3` in one transaction. A history that cannot be written
(locked, corrupt, a newer schema) never costs an answer: the failure is logged as one line
and the session goes on; `reconcile`, run when the next session starts, re-syncs every
folder whose record is newer than what the history holds (one `stat` per folder when
nothing changed), which also heals a crash between the two writes.

The history package is imported inside the functions: `sqlite3` stays out of
`import simulator`, and the store stays usable where the history is not wanted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_LOGGER = logging.getLogger(__name__)


def sync(folder: Path, document: Mapping[str, Any]) -> None:
    """Copy one just-written record into its sessions folder's history; log a failure.

    Args:
        folder: the session folder (its parent is the sessions folder).
        document: the record exactly as written to the folder's session.json/call.json.
    """
    from simulator.history import HistoryError, history_db_path, sync_session

    try:
        sync_session(history_db_path(folder.parent), folder, document)
    except HistoryError as e:
        _LOGGER.warning("history not updated (the session record is saved): %s", e)


def reconcile(sessions_dir: Path) -> None:
    """Bring the history of `sessions_dir` up to date with its folders; log a failure.

    Folders left out (an unreadable record) are logged one line each at INFO: they are
    the user's files, not this run's problem.
    """
    from simulator.history import HistoryError, history_db_path
    from simulator.history import reconcile as reconcile_folders

    try:
        report = reconcile_folders(history_db_path(sessions_dir), sessions_dir)
    except HistoryError as e:
        _LOGGER.warning("history not reconciled: %s", e)
        return
    for line in report.skipped:
        _LOGGER.info("history: %s", line)
    if report.added or report.updated:
        _LOGGER.info("history: %s", report.summary())
