"""The session record: answer WAVs and `session.json`, written as the session happens.

One folder per session, readable by the user only. Each answer's WAV is written the
moment the answer ends, and `session.json` is rewritten (temp file + rename) after every
turn, so a crash or Ctrl-C at any point leaves a valid record of every finished answer.
The same JSON shapes serve `--json` output; the README documents the fields.
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
from typing import Any

import numpy as np

from simulator.audio.pcm import write_wav
from simulator.bank.model import Question
from simulator.delivery.model import Delivery, TipParam, Verdict
from simulator.errors import AudioFileError, StorageError
from simulator.recorder import Recording
from simulator.scoring.rubric import KeyPointResult, Score
from simulator.session import SessionResult, Turn
from simulator.speech.transcript import Transcript

_LOGGER = logging.getLogger(__name__)
SCHEMA = "interview-sim/session/1"
MIN_FREE_BYTES = 50_000_000
"""Refuse to start a session with less free space (a 3-minute answer is about 6 MB)."""


def _r(value: float | None, digits: int = 2) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _json_param(value: TipParam) -> Any:
    return list(value) if isinstance(value, tuple) else value


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """The delivery record for `session.json` (plain JSON types; times in seconds)."""
    return {
        "language": delivery.language,
        "timing_source": delivery.timing_source,
        "speech_span_s": _r(delivery.speech_span_s),
        "talk_s": _r(delivery.talk_s),
        "pace": {
            "unit": delivery.pace_unit,
            "units": delivery.pace_units,
            "per_min": _r(delivery.pace_per_min, 1),
            "band": [delivery.pace_band[0], delivery.pace_band[1]],
            "verdict": _verdict(delivery.pace_verdict),
        },
        "fillers": {
            "count": delivery.filler_count,
            "per_min": _r(delivery.filler_per_min, 1),
            "verdict": _verdict(delivery.filler_verdict),
            "items": [{"text": f.text, "word_index": f.word_index, "start_s": _r(f.start_s),
                       "char_offset": f.char_offset} for f in delivery.fillers],
        },
        "pauses": {
            "long_count": delivery.long_pause_count,
            "dead_air_count": delivery.dead_air_count,
            "longest_s": _r(delivery.longest_pause_s),
            "items": [{"start_s": _r(p.start_s), "length_s": _r(p.length_s),
                       "after_word_index": p.after_word_index, "dead_air": p.dead_air}
                      for p in delivery.pauses],
        },
        "response_latency_s": _r(delivery.response_latency_s),
        "latency_verdict": _verdict(delivery.latency_verdict),
        "loudness": {
            "speech_dbfs": _r(delivery.speech_dbfs, 1),
            "clipped_share": _r(delivery.clipped_share, 5),
            "verdict": _verdict(delivery.loudness_verdict),
        },
        "tips": [{"code": tip.code.value,
                  "params": {k: _json_param(v) for k, v in tip.params}}
                 for tip in delivery.tips],
    }


def _verdict(verdict: Verdict | None) -> str | None:
    return verdict.value if verdict is not None else None


def transcript_json(transcript: Transcript) -> dict[str, Any]:
    """JSON form of a transcript."""
    return {
        "text": transcript.text,
        "normalised": transcript.normalised,
        "language": transcript.language,
        "audio_s": round(transcript.audio_s, 3),
        "transcribe_s": round(transcript.transcribe_s, 3),
        "words": [
            {
                "text": w.text,
                "start_s": round(w.start_s, 2),
                "end_s": round(w.end_s, 2),
                "probability": round(w.probability, 3),
            }
            for w in transcript.words
        ],
        "rejected_segments": list(transcript.rejected),
    }


def _key_point_json(result: KeyPointResult) -> dict[str, Any]:
    return {
        "label": result.label,
        "weight": result.weight,
        "mode": result.mode,
        "critical": result.critical,
        "covered": result.covered,
        "credit": result.credit,
        "evidence": [
            {"cue": m.cue, "heard": m.span, "strength": round(m.strength, 1), "method": m.method}
            for m in result.evidence
        ],
    }


def score_json(score: Score) -> dict[str, Any]:
    """JSON form of a score, with every key point's evidence and every adjustment."""
    return {
        "points": score.points,
        "max_points": score.max_points,
        "fraction": round(score.fraction, 3),
        "key_points": [_key_point_json(k) for k in score.key_points],
        "forbidden_heard": [_key_point_json(k) for k in score.forbidden],
        "reasons": list(score.reasons),
    }


def question_json(question: Question) -> dict[str, Any]:
    """JSON form of the question asked."""
    return {
        "id": question.id,
        "section": question.section,
        "points": question.points,
        "language": question.language,
        "prompt": question.prompt,
    }


def recording_json(recording: Recording) -> dict[str, Any]:
    """JSON form of how the answer was recorded."""

    def _r(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "duration_s": round(recording.duration_s, 3),
        "end_reason": recording.end_reason.value,
        "speech_start_s": _r(recording.speech_start_s),
        "speech_end_s": _r(recording.speech_end_s),
        "response_latency_s": _r(recording.response_latency_s),
        "trailing_silence_s": round(recording.trailing_silence_s, 3),
    }


def turn_json(turn: Turn, relative_to: Path | None = None) -> dict[str, Any]:
    """JSON form of one turn (paths relative to the session folder when given)."""

    def _path(path: Path | None) -> str | None:
        if path is None:
            return None
        if relative_to is not None and path.is_relative_to(relative_to):
            return str(path.relative_to(relative_to))
        return str(path)

    answer_s = turn.recording.duration_s
    return {
        "index": turn.index,
        "question": question_json(turn.question),
        "answer": {
            "wav": _path(turn.answer_path),
            "source_file": _path(turn.source_file),
            **recording_json(turn.recording),
        },
        "transcript": transcript_json(turn.transcript),
        "score": score_json(turn.score),
        "feedback": {"text": turn.feedback.text},
        "delivery": delivery_json(turn.delivery) if turn.delivery is not None else None,
        "timings": {
            "answer_s": round(answer_s, 3),
            "transcribe_s": round(turn.timings.transcribe_s, 3),
            "transcribe_real_time_factor": round(turn.timings.transcribe_s / answer_s, 3)
            if answer_s
            else None,
            "score_s": round(turn.timings.score_s, 4),
            "feedback_latency_s": round(turn.timings.feedback_latency_s, 3),
            "question_first_sound_s": None
            if turn.timings.question_first_sound_s is None
            else round(turn.timings.question_first_sound_s, 3),
        },
    }


def session_json(
    turns: list[dict[str, Any]], meta: Mapping[str, Any], status: str
) -> dict[str, Any]:
    """The whole session document."""
    points = round(sum(t["score"]["points"] for t in turns), 1)
    max_points = sum(t["score"]["max_points"] for t in turns)
    return {
        "schema": SCHEMA,
        **meta,
        "status": status,
        "updated_at": _now(),
        "totals": {"answered": len(turns), "points": points, "max_points": max_points},
        "turns": turns,
    }


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SessionStore:
    """A `TurnSink` that keeps one session folder up to date."""

    def __init__(
        self, folder: Path, meta: Mapping[str, Any], turns: list[dict[str, Any]] | None = None
    ) -> None:
        self.folder = folder
        self._meta = {"session_id": folder.name, "started_at": _now(), **meta}
        self._turns: list[dict[str, Any]] = list(turns or [])
        self._write("running")

    @classmethod
    def reopen(cls, folder: Path) -> SessionStore:
        """Continue an earlier session folder (`practice --resume DIR`).

        Raises:
            StorageError: no readable session.json there (names the file).
        """
        path = Path(folder) / "session.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise StorageError(f"{path}: cannot resume ({e.strerror})") from e
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise StorageError(f"{path}: not a valid session record ({e})") from e
        if not isinstance(document, dict) or document.get("schema") != SCHEMA:
            raise StorageError(f"{path}: not an interview-sim session record")
        turns = document.get("turns")
        if not isinstance(turns, list):
            raise StorageError(f"{path}: field 'turns' is missing")
        meta = {
            k: v
            for k, v in document.items()
            if k not in {"schema", "status", "updated_at", "totals", "turns", "summary"}
        }
        return cls(Path(folder), meta, turns)

    @property
    def meta(self) -> Mapping[str, Any]:
        """The session's metadata (bank, planned questions, tool version...)."""
        return self._meta

    @property
    def answered_question_ids(self) -> list[str]:
        """Ids of the questions already answered in this session."""
        return [str(t["question"]["id"]) for t in self._turns]

    @classmethod
    def create(cls, sessions_dir: Path, meta: Mapping[str, Any]) -> SessionStore:
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
        return cls(folder, meta)

    def save_answer(self, index: int, question: Question, recording: Recording) -> Path | None:
        """Write the answer WAV now (before transcription), so it survives anything later."""
        if len(recording.audio) == 0:
            return None
        path = self.folder / f"answer-{index:02d}-q{_safe(question.id)}.wav"
        # A resumed session may repeat an interrupted question: never overwrite a take.
        take = 2
        while path.exists():
            path = self.folder / f"answer-{index:02d}-q{_safe(question.id)}-take{take}.wav"
            take += 1
        try:
            write_wav(path, recording.audio)
        except AudioFileError as e:
            raise StorageError(f"{path}: cannot save the answer ({e})") from e
        return path

    def record_turn(self, turn: Turn) -> None:
        """Add a finished turn and rewrite session.json."""
        self._turns.append(turn_json(turn, relative_to=self.folder))
        self._write("running")

    def finish(self, result: SessionResult) -> Path:
        """Mark the session complete (or interrupted) and return the JSON path."""
        self._meta["summary"] = result.summary.text
        return self._write("interrupted" if result.interrupted else "complete")

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
        path = self.folder / "session.json"
        try:
            write_json_atomic(path, session_json(self._turns, self._meta, status))
        except OSError as e:
            raise StorageError(
                f"{path}: cannot save the session record ({e.strerror or e}); "
                "the answers recorded so far are in the same folder"
            ) from e
        return path


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:40]
