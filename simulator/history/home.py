"""Where sessions and their history live when no `--sessions-dir` is given.

Without this, sessions land in `./sessions` of whatever folder the command ran in, and a
candidate's history scatters. The default is the platform's per-user data folder
(platformdirs: `~/.local/share/interview-sim` on Linux, `~/Library/Application Support/
interview-sim` on macOS, `%LOCALAPPDATA%\\interview-sim` on Windows) with the session folders
and `history.sqlite3` in its `sessions/` subfolder. The environment variable
`INTERVIEW_SIM_HOME` replaces the data folder (sessions then go to `$INTERVIEW_SIM_HOME/
sessions`); `--sessions-dir` still overrides both.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

HOME_ENV = "INTERVIEW_SIM_HOME"
"""Environment variable naming the data folder (sessions go in its `sessions/`)."""
APP_NAME = "interview-sim"


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    """The data folder: `$INTERVIEW_SIM_HOME` if set and not empty, else the platform's.

    Args:
        environ: the environment to read (default `os.environ`; tests pass their own).
    """
    env = os.environ if environ is None else environ
    override = env.get(HOME_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs  # only when the default is needed

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_sessions_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The default `--sessions-dir`: `<data home>/sessions`."""
    return data_home(environ) / "sessions"


def first_run_notice(sessions_dir: Path, language: str = "en") -> str | None:
    """The line to print before the first session is saved there, else None.

    "First run" means the sessions folder does not exist yet; call this before creating
    it, and print the line once.

    Args:
        sessions_dir: where the session is about to be saved.
        language: "zh" or "en".
    """
    if Path(sessions_dir).exists():
        return None
    if language == "zh":
        return (f"练习记录和历史会保存在 {sessions_dir}（可以用 --sessions-dir 或环境变量 "
                f"{HOME_ENV} 换个地方）。")
    return (f"Your sessions and their history will be kept in {sessions_dir} "
            f"(choose another place with --sessions-dir or the {HOME_ENV} environment "
            "variable).")
