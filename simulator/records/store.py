"""The one session folder store: answer WAVs and a JSON record, written as things happen.

One folder per practice session or call, readable by the user only. Each answer's WAV is
written the moment the answer ends, and the record (`session.json` or `call.json`, see
`documents.PRACTICE_RECORD` and `CALL_RECORD`) is rewritten (temp file + rename) after
every turn, so a crash or Ctrl-C at any point leaves a valid record of every finished
answer. Every failure to write is a `StorageError` naming the folder or file. After each
write the record also goes into the sessions folder's history database (`history_sync`),
and opening a store first reconciles that history with the folders already there.

What makes that hold under attack:
  * An answer's WAV is listed in the record (`unfinished_answers`) as soon as it is saved,
    before transcription, and moves into `turns` when its turn is recorded: a run killed
    while transcribing leaves no unlisted WAV.
  * Each folder holds back `RESERVE_BYTES` of disk (a hidden file). When the disk fills, the
    reserve is released and the record is written one last time, marked `interrupted`, with
    every finished answer; then the run stops with one line.
  * The folder is locked (`flock` on the folder itself) while a run writes it, so a second
    `practice --resume` of the same session is refused instead of both writing it.
  * Reopening a session (`practice --resume`) reads and checks the record and writes nothing
    in its folder until the session goes on, so a refused resume leaves the record as it was.
"""

from __future__ import annotations

import bisect
import datetime as dt
import errno
import fcntl
import json
import logging
import math
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
RESERVE_BYTES = 1_000_000
"""Disk space each session folder holds back for its last record when the disk fills (a
record of a few dozen answers is a few hundred kB); released when the session ends."""
RESERVE_NAME = ".reserve"
UNFINISHED = "unfinished_answers"
"""Record field: answers whose WAV is saved but whose turn is not recorded (yet)."""
_REOPEN_SKIPS = {"schema", "status", "updated_at", "totals", "turns", UNFINISHED}
"""Document fields that are rebuilt, not carried over, when a session is reopened."""
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

TurnT = TypeVar("TurnT")


def write_json_atomic(path: Path, document: Mapping[str, Any], *, sync: bool = True) -> None:
    """Write JSON through a temp file in the same folder and rename it into place; with
    `sync`, flushed to the disk first (the rename alone survives a killed process)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _FolderLock:
    """An exclusive `flock` on a session folder, held while one run writes it."""

    def __init__(self, folder: Path) -> None:
        self._fd: int | None = None
        try:
            self._fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as e:
            raise StorageError(f"{folder}: cannot open the session folder ({e.strerror})") from e
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            self.release()
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise StorageError(f"{folder}: this session is in use by another interview-sim "
                                   "run; wait for it to end") from e
            raise StorageError(f"{folder}: cannot lock the session folder ({e.strerror})") from e

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the lock
            self._fd = None

    def __del__(self) -> None:
        self.release()


class SessionStore(Generic[TurnT]):
    """A `RecordSink` that keeps one session folder up to date."""

    def __init__(self, folder: Path, record: RecordFormat[TurnT], meta: Mapping[str, Any],
                 turns: list[Document] | None = None, *,
                 unfinished: list[Document] | None = None, write: bool = True,
                 lock: _FolderLock | None = None) -> None:
        self._lock = lock or _FolderLock(folder)
        self._folder = folder
        self._record = record
        self._meta = {"session_id": folder.name, "started_at": now(), **meta}
        self._turns: list[Document] = list(turns or [])
        self._unfinished: list[Document] = list(unfinished or [])
        self._closed = False
        self._reserved = False
        if write:
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

        The folder is locked and the record read and checked; nothing is written until the
        session goes on (the first answer saved, or `abort`/`finish`).

        Raises:
            StorageError: the session is in use by another run, or there is no readable
                record there, or a field it needs has the wrong type (names the file).
        """
        folder = Path(folder)
        path = folder / record.file_name
        lock = _FolderLock(folder)
        document = read_json(path, "the session record to resume", StorageError)
        if not isinstance(document, dict) or document.get("schema") != record.schema:
            raise StorageError(f"{path}: not an interview-sim session record")
        turns = document.get("turns")
        if not isinstance(turns, list):
            raise StorageError(f"{path}: field 'turns' is missing")
        unfinished = document.get(UNFINISHED, [])
        _check_record(path, turns, unfinished)
        meta = {k: v for k, v in document.items() if k not in _REOPEN_SKIPS}
        history_sync.reconcile(folder.parent)
        return cls(folder, record, meta, turns, unfinished=unfinished, write=False, lock=lock)

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
        """Write the answer WAV now (before transcription), so it survives anything later,
        and list it in the record as unfinished until its turn is recorded.

        Named `answer-NN[-label].wav`; a take already there (a resumed session repeating an
        interrupted question) is never overwritten.

        Raises:
            StorageError: the WAV or the record cannot be written (a full disk stops the
                session with the record written one last time).
        """
        if len(recording.audio) == 0:
            return None
        stem = f"answer-{index:02d}" + (f"-{_safe(label)}" if label else "")
        path = self._folder / f"{stem}.wav"
        take = 2
        while path.exists():
            path = self._folder / f"{stem}-take{take}.wav"
            take += 1
        self._ensure_reserve()
        try:
            write_wav(path, recording.audio)
        except AudioFileError as e:
            if _is_disk_full(e.__cause__):
                self._last_record(path, "cannot save the answer (the disk is full)")
            raise StorageError(f"{path}: cannot save the answer ({e})") from e
        self._unfinished.append({"index": index, "wav": path.name})
        # As durable as the WAV itself (not synced): the user is waiting for feedback.
        self._write("running", sync=False)
        return path

    def record_turn(self, turn: TurnT) -> None:
        """Add a finished turn (kept in turn order) and rewrite the record."""
        document = self._record.turn_json(turn, self._folder)
        wav = (document.get("answer") or {}).get("wav")
        self._unfinished = [u for u in self._unfinished if wav is None or u.get("wav") != wav]
        keys = [_turn_index(t) for t in self._turns]
        self._turns.insert(bisect.bisect_right(keys, _turn_index(document)), document)
        self._write("running")

    def finish(self, status: str, **fields: Any) -> Path:
        """Write the final record ("complete" or "interrupted"), with `fields` added (the
        spoken summary; a call's outcome and scorecard); returns its path."""
        self._meta.update(fields)
        path = self._write(status)
        self._close()
        return path

    def abort(self) -> Path | None:
        """Mark the session interrupted (Ctrl-C between answers, or an error).

        Called while another error is on its way out, so a failure here is logged (at debug
        level), not raised or printed: the first error is the one line the user needs.
        """
        if self._closed:
            return None
        try:
            return self._write("interrupted")
        except StorageError as e:
            _LOGGER.debug("could not mark the session interrupted: %s", e)
            return None
        finally:
            self._close()

    def _document(self, status: str) -> Document:
        document = self._record.document(self._turns, self._meta, status)
        if self._unfinished:
            document[UNFINISHED] = list(self._unfinished)
        return document

    def _write(self, status: str, *, sync: bool = True) -> Path:
        path = self._folder / self._record.file_name
        if self._closed:
            raise StorageError(f"{path}: the session has already ended")
        self._ensure_reserve()
        document = self._document(status)
        try:
            write_json_atomic(path, document, sync=sync)
        except OSError as e:
            if _is_disk_full(e):
                self._last_record(path, "cannot save the session record (the disk is full)")
            raise StorageError(
                f"{path}: cannot save the session record ({e.strerror or e}); "
                "the answers recorded so far are in the same folder"
            ) from e
        # Same step, second copy: the record on disk first, then the history (which a
        # later reconcile re-derives from the record if this one is lost).
        if sync:  # (an answer only listed as unfinished changes nothing the history keeps)
            history_sync.sync(self._folder, document)
        return path

    def _last_record(self, path: Path, what: str) -> None:
        """The disk is full: release the reserve, write the record one last time (marked
        interrupted, every finished answer in it) and stop the session with one line."""
        record = self._folder / self._record.file_name
        self._release_reserve()
        count = len(self._turns)
        try:
            write_json_atomic(record, self._document("interrupted"))
            kept = (f"{record.name} was saved once more, marked interrupted, with the {count} "
                    f"finished answer{'' if count == 1 else 's'}")
        except OSError:
            kept = f"{record.name} could not be updated; the answers so far are in the folder"
        self._close()
        raise StorageError(f"{path}: {what}; {kept}; free some space and start again")

    def _ensure_reserve(self) -> None:
        if self._reserved:
            return
        self._reserved = True
        reserve = self._folder / RESERVE_NAME
        try:
            fd = os.open(reserve, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                if os.fstat(fd).st_size < RESERVE_BYTES:
                    os.write(fd, bytes(RESERVE_BYTES))
            finally:
                os.close(fd)
        except OSError as e:  # already full: nothing to hold back
            _LOGGER.debug("no disk reserve for %s: %s", self._folder, e)
            reserve.unlink(missing_ok=True)

    def _release_reserve(self) -> None:
        try:
            (self._folder / RESERVE_NAME).unlink(missing_ok=True)
        except OSError as e:
            _LOGGER.debug("could not release the disk reserve: %s", e)

    def _close(self) -> None:
        self._closed = True
        self._release_reserve()
        self._lock.release()


def _is_disk_full(error: BaseException | None) -> bool:
    return isinstance(error, OSError) and error.errno in _DISK_FULL


def _turn_index(turn: Mapping[str, Any]) -> float:
    index = turn.get("index")
    return index if isinstance(index, int | float) else math.inf


def _check_record(path: Path, turns: list[Any], unfinished: Any) -> None:
    """The fields a reopened record's turns must have for the session to go on (every
    rewrite sums their scores; resuming compares their question ids)."""
    for n, turn in enumerate(turns, start=1):
        where = f"{path}: turn {n}"
        if not isinstance(turn, dict):
            raise StorageError(f"{where} is not an object")
        question, score = turn.get("question"), turn.get("score")
        if not isinstance(question, dict) or not _is_id(question.get("id")):
            raise StorageError(f"{where}: field 'question.id' must be a string or a number")
        if not isinstance(score, dict) or not all(_is_number(score.get(k))
                                                  for k in ("points", "max_points")):
            raise StorageError(f"{where}: fields 'score.points' and 'score.max_points' must "
                               "be numbers")
        if "index" in turn and not (isinstance(turn["index"], int)
                                    and not isinstance(turn["index"], bool)):
            raise StorageError(f"{where}: field 'index' must be a whole number")
    if not isinstance(unfinished, list) or not all(
            isinstance(u, dict) and isinstance(u.get("wav"), str) for u in unfinished):
        raise StorageError(f"{path}: field '{UNFINISHED}' must be a list of objects with 'wav'")


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:40]
