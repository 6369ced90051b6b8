"""History across sessions: every answer, take, follow-up and call turn in one SQLite file.

The rows are derived from the session documents the tool already writes (`session.json`,
`call.json`), never from its Python types, so this package depends only on those JSON
shapes. What the rest of the tool calls:

- `sync_session(db_path, folder, document)` right after writing a session's JSON;
- `reconcile(db_path, sessions_dir)` at start-up (heals a crash between the two writes);
- `import_sessions(db_path, folder_or_parent)` for `history import DIR`;
- `history_summary`, `answer_rows`/`write_csv`, `render_text` for `history`;
- `default_sessions_dir()` and `first_run_notice()` for the stable per-user home.
"""

from simulator.history.db import DB_FILENAME, SCHEMA_VERSION, HistoryError
from simulator.history.home import HOME_ENV, default_sessions_dir, first_run_notice
from simulator.history.queries import HistoryFilter, answer_rows, history_summary, write_csv
from simulator.history.store import (
    SyncReport,
    history_db_path,
    import_sessions,
    reconcile,
    sync_session,
)

__all__ = [
    "DB_FILENAME", "HOME_ENV", "SCHEMA_VERSION", "HistoryError", "HistoryFilter", "SyncReport",
    "answer_rows", "default_sessions_dir", "first_run_notice", "history_db_path",
    "history_summary", "import_sessions", "reconcile", "sync_session", "write_csv",
]
