"""Recorded answers for replay: a manifest (JSON) or a folder of audio files.

A manifest is `{"fixtures": [{"id", "file", "bank", "question", "language", "transcript",
"expected", ...}]}` with `file` relative to the manifest. Replay pairs each recording
with the question it answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.audio.pcm import AUDIO_SUFFIXES
from simulator.bank.model import Bank, Question
from simulator.data import read_json
from simulator.errors import AudioFileError, ConfigError

SHIPPED_FIXTURES = Path(__file__).resolve().parent.parent.parent / "audio_fixtures"
"""The committed recorded answers (next to the package in a source checkout)."""
EXPECTED_BANDS = {
    "strong": (0.7, 1.0),
    "partial": (0.2, 0.75),
    "off_topic": (0.0, 0.25),
    "empty": (0.0, 0.0),
    "too_short": (0.0, 0.3),
}
"""Expected band of the score fraction (score / max) for each manifest label (`replay --check`)."""


_ENTRY_FIELDS: dict[str, tuple[type, ...]] = {
    "id": (str, int), "bank": (str,), "question": (str, int), "expected": (str,),
    "transcript": (str,)}
"""The optional manifest fields replay reads, and the JSON types each may have."""


@dataclass(frozen=True)
class ReplayItem:
    """One recorded answer and the question it answers."""

    id: str
    file: Path
    question: Question
    expected: str = ""
    """The manifest's expected band ("strong", "partial", "off_topic", "empty"...), if any."""
    transcript: str = ""
    """The manifest's reference transcript, if any."""

    @property
    def band(self) -> tuple[float, float] | None:
        """The expected band of the score fraction, when the manifest gives a known label."""
        return EXPECTED_BANDS.get(self.expected)


def read_manifest(path: Path) -> list[dict[str, Any]]:
    """Read a fixture manifest's entries.

    Raises:
        ConfigError: unreadable, not JSON, entries without `file` or with a field of the wrong
            type (names the entry and the field).
    """
    data = read_json(path, "manifest", ConfigError)
    entries = data.get("fixtures") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a list under 'fixtures'")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise ConfigError(f"{path}: fixture {i + 1} has no 'file'")
        if not entry["file"].strip() or "\x00" in entry["file"]:
            raise ConfigError(f"{path}: fixture {i + 1}: field 'file' must be a file name")
        for name, types in _ENTRY_FIELDS.items():
            value = entry.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
                kind = "a string or a number" if int in types else "a string"
                raise ConfigError(f"{path}: fixture {i + 1}: field '{name}' must be {kind}")
    return entries


def plan_replay(
    path: Path,
    load_bank: Callable[[str], Bank],
    *,
    default_bank: str | None,
    question_id: str | None,
    only: set[str] | None = None,
) -> list[ReplayItem]:
    """Pair recordings with questions.

    Args:
        path: a manifest file, a folder holding `manifest.json`, a folder of audio files, or
            one audio file.
        load_bank: resolves a bank id or path.
        default_bank: bank for recordings whose manifest entry names none.
        question_id: question for recordings whose entry names none (required for bare files).
        only: keep only these fixture ids.

    Raises:
        ConfigError: nothing to replay, or a recording has no question to answer.
        AudioFileError: a listed file does not exist (names it).
    """
    path = Path(path)
    manifest = path / "manifest.json" if path.is_dir() else path
    if manifest.suffix == ".json" and manifest.exists():  # the reader refuses a FIFO
        items = _from_manifest(manifest, load_bank, default_bank, question_id)
    elif path.is_dir() or path.suffix.lower() in AUDIO_SUFFIXES:
        files = (
            sorted(p for p in path.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
            if path.is_dir()
            else [path]
        )
        if not path.exists():
            raise AudioFileError(f"{path}: no such file or folder")
        if question_id is None or default_bank is None:
            raise ConfigError(
                f"{path}: bare audio files need --bank and --question to say "
                "which question they answer (or use a manifest.json)"
            )
        question = _question(load_bank(default_bank), question_id, str(path))
        items = [ReplayItem(id=f.stem, file=f, question=question) for f in files]
    else:
        raise ConfigError(f"{path}: not a manifest, audio file or folder")
    if only:
        items = [item for item in items if item.id in only]
    if not items:
        raise ConfigError(f"{path}: nothing to replay")
    return items


def _from_manifest(
    manifest: Path,
    load_bank: Callable[[str], Bank],
    default_bank: str | None,
    question_id: str | None,
) -> list[ReplayItem]:
    banks: dict[str, Bank] = {}
    items = []
    for entry in read_manifest(manifest):
        fixture_id = str(entry.get("id") or Path(entry["file"]).stem)
        bank_id = entry.get("bank") or default_bank
        qid = entry.get("question") or question_id
        if not bank_id or not qid:
            raise ConfigError(
                f"{manifest}: fixture {fixture_id} names no bank/question; "
                "pass --bank and --question"
            )
        if bank_id not in banks:
            banks[bank_id] = load_bank(bank_id)
        file = (manifest.parent / entry["file"]).resolve()
        if not file.is_file():
            raise AudioFileError(f"{manifest}: fixture {fixture_id}: file {file} is missing")
        items.append(
            ReplayItem(
                id=fixture_id,
                file=file,
                question=_question(banks[bank_id], str(qid), str(manifest)),
                expected=str(entry.get("expected", "")),
                transcript=str(entry.get("transcript", "")),
            )
        )
    return items


def _question(bank: Bank, question_id: str, where: str) -> Question:
    question = bank.question(question_id)
    if question is None:
        raise ConfigError(f"{where}: bank {bank.id} has no question {question_id!r}")
    return question
