"""The one session folder store: answer WAVs and a JSON record, written as things happen.

One folder per practice session or call, readable by the user only. Each answer's WAV is
written the moment the answer ends, and the record (`session.json` or `call.json`, see
`documents.PRACTICE_RECORD` and `CALL_RECORD`) is rewritten (temp file + rename) after
every turn, so a crash or Ctrl-C at any point leaves a valid record of every finished
answer. Every failure to write is a `StorageError` naming the folder or file. After each
write the record also goes into the sessions folder's history database (`history_sync`),
and opening a store first reconciles that history with the folders already there.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from simulator.audio.pcm import write_wav
from simulator.data import read_json
from simulator.errors import AudioFileError, StorageError
from simulator.records import history_sync
from simulator.records.documents import Document, RecordFormat, now

if TYPE_CHECKING:
    from simulator.listen.recorder import Recording

_LOGGER = logging.getLogger(__name__)
MIN_FREE_BYTES = 50_000_000
"""Refuse to start a session with less free space (a 3-minute answer is about 6 MB)."""
_REOPEN_SKIPS = {"schema", "status", "updated_at", "totals", "turns", "summary"}
"""Document fields that are rebuilt, not carried over, when a session is reopened."""

TurnT = TypeVar("TurnT")


def write_json_atomic(path: Path, document: Mapping[str, Any]) -> None:
    """Write JSON through a temp file in the same folder and rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SessionStore(Generic[TurnT]):
    """A `RecordSink` that keeps one session folder up to date."""

    def __init__(self, folder: Path, record: RecordFormat[TurnT], meta: Mapping[str, Any],
                 turns: list[Document] | None = None) -> None:
        self._folder = folder
        self._record = record
        self._meta = {"session_id": folder.name, "started_at": now(), **meta}
        self._turns: list[Document] = list(turns or [])
        self._write("running")

    @classmethod
    def create(cls, sessions_dir: Path, record: RecordFormat[TurnT],
               meta: Mapping[str, Any]) -> SessionStore[TurnT]:
        """Make a new private session folder under `sessions_dir`.

        Raises:
            StorageError: the folder cannot be created or written (names it).
        """
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = sessions_dir / f"{stamp}-{secrets.token_hex(2)}"
        try:
            sessions_dir.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700)
            probe = folder / ".write-test"
            probe.write_bytes(b"ok")
            probe.unlink()
            free_bytes = shutil.disk_usage(folder).free
        except OSError as e:
            raise StorageError(
                f"{sessions_dir}: cannot create a session folder there "
                f"({e.strerror}); choose another with --sessions-dir"
            ) from e
        if free_bytes < MIN_FREE_BYTES:
            folder.rmdir()
            raise StorageError(
                f"{sessions_dir}: only {free_bytes // 1_000_000} MB free; answers "
                f"need at least {MIN_FREE_BYTES // 1_000_000} MB"
            )
        history_sync.reconcile(sessions_dir)
        return cls(folder, record, meta)

    @classmethod
    def reopen(cls, folder: Path, record: RecordFormat[TurnT]) -> SessionStore[TurnT]:
        """Continue an earlier session folder (`practice --resume DIR`).

        Raises:
            StorageError: no readable record there (names the file).
        """
        path = Path(folder) / record.file_name
        document = read_json(path, "the session record to resume", StorageError)
        if not isinstance(document, dict) or document.get("schema") != record.schema:
            raise StorageError(f"{path}: not an interview-sim session record")
        turns = document.get("turns")
        if not isinstance(turns, list):
            raise StorageError(f"{path}: field 'turns' is missing")
        meta = {k: v for k, v in document.items() if k not in _REOPEN_SKIPS}
        history_sync.reconcile(Path(folder).parent)
        return cls(Path(folder), record, meta, turns)

    @property
    def folder(self) -> Path:
        """The session folder."""
        return self._folder

    @property
    def meta(self) -> Mapping[str, Any]:
        """The session's metadata (bank, planned questions, tool version...)."""
        return self._meta

    @property
    def turns(self) -> tuple[Document, ...]:
        """The turns recorded so far, as written."""
        return tuple(self._turns)

    def save_answer(self, index: int, recording: Recording, label: str = "") -> Path | None:
        """Write the answer WAV now (before transcription), so it survives anything later.

        Named `answer-NN[-label].wav`; a take already there (a resumed session repeating an
        interrupted question) is never overwritten.
        """
        if len(recording.audio) == 0:
            return None
        stem = f"answer-{index:02d}" + (f"-{_safe(label)}" if label else "")
        path = self._folder / f"{stem}.wav"
        take = 2
        while path.exists():
            path = self._folder / f"{stem}-take{take}.wav"
            take += 1
        try:
            write_wav(path, recording.audio)
        except AudioFileError as e:
            raise StorageError(f"{path}: cannot save the answer ({e})") from e
        return path

    def record_turn(self, turn: TurnT) -> None:
        """Add a finished turn and rewrite the record."""
        self._turns.append(self._record.turn_json(turn, self._folder))
        self._write("running")

    def finish(self, status: str, **fields: Any) -> Path:
        """Write the final record ("complete" or "interrupted"), with `fields` added (the
        spoken summary; a call's outcome and scorecard); returns its path."""
        self._meta.update(fields)
        return self._write(status)

    def abort(self) -> Path | None:
        """Mark the session interrupted (Ctrl-C between answers, or an error).

        Called while another error is on its way out, so a failure here is logged, not
        raised: the first error is the one the user needs to see.
        """
        try:
            return self._write("interrupted")
        except StorageError as e:
            _LOGGER.warning("could not mark the session interrupted: %s", e)
            return None

    def _write(self, status: str) -> Path:
        path = self._folder / self._record.file_name
        document = self._record.document(self._turns, self._meta, status)
        try:
            write_json_atomic(path, document)
        except OSError as e:
            raise StorageError(
                f"{path}: cannot save the session record ({e.strerror or e}); "
                "the answers recorded so far are in the same folder"
            ) from e
        # Same step, second copy: the record on disk first, then the history (which a
        # later reconcile re-derives from the record if this one is lost).
        history_sync.sync(self._folder, document)
        return path


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:40]
