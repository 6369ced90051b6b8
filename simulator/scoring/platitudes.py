"""How much an answer sounds like platitudes, by meaning: `prompts/platitudes.toml`.

The stock-phrase count of `register.py` knows the words of the answers it was written
from; a vague answer in other words ("我会尽我所能让每位客户都满意") slips past it. The library
holds sentences typical of a vague answer in each language, and an answer's *platitude
likeness* is the mean, over its clauses about the question or like a platitude, of how close
each comes to the closest library sentence. Clauses about something else (small talk added
around a vague answer) do not dilute it. It is a feature of the vague gate, never a verdict.
Measured on the development split (vague answers against the rest, ROC AUC): 0.975, against
0.960 for the stock-phrase count.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from simulator import data
from simulator.errors import DataFileError
from simulator.ports import SentenceEncoder
from simulator.text.normalise import to_simplified

DEFAULT_PLATITUDES_PATH = data.PROMPTS_DIR / "platitudes.toml"
MAX_PLATITUDES_BYTES = 200_000


def load_platitudes(path: Path = DEFAULT_PLATITUDES_PATH) -> dict[str, tuple[str, ...]]:
    """The library's sentences by language.

    Raises:
        DataFileError: the file is missing, not TOML, or a table is malformed (names the file
            and the table).
    """
    document = data.read_toml(path, "platitude library", MAX_PLATITUDES_BYTES)
    data.no_unknown(document, set(data.LANGUAGES), str(path), kind="table")
    library = {}
    for language, table in document.items():
        if not isinstance(table, Mapping):
            raise DataFileError(f"{path}: [{language}] must be a table")
        where = f"{path}: [{language}]"
        data.no_unknown(table, {"examples"}, where)
        library[language] = data.strings(table, "examples", where)
    return library


def platitude_likeness(similarity: np.ndarray, related: np.ndarray, floor: float) -> float:
    """Mean closeness to the library over the clauses about the question or like a platitude.

    Args:
        similarity: per clause, its cosine to the closest library sentence.
        related: per clause, whether it is about the question.
        floor: the cosine from which a clause counts as about the question or as a platitude.

    Returns:
        0-1 (0 for no clauses).
    """
    if not len(similarity):
        return 0.0
    counted = related | (similarity >= floor)
    chosen = similarity[counted] if counted.any() else similarity
    return float(np.clip(chosen.mean(), 0.0, 1.0))


class PlatitudeVectors:
    """The platitude library's sentences per language, encoded once (thread-safe)."""

    def __init__(self, platitudes: Mapping[str, Sequence[str]], encoder: SentenceEncoder) -> None:
        self._platitudes = platitudes
        self._encoder = encoder
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Encode every language's sentences now."""
        for language in self._platitudes:
            self.of(language)

    def of(self, language: str) -> np.ndarray:
        """The vectors of `language`'s sentences (0 rows when it has none)."""
        with self._lock:
            found = self._vectors.get(language)
        if found is None:
            texts = [to_simplified(t) for t in self._platitudes.get(language, ())]
            found = self._encoder.encode(texts) if texts else np.zeros((0, 1), np.float32)
            with self._lock:
                self._vectors[language] = found
        return found

    def likeness(self, clauses: np.ndarray, language: str) -> np.ndarray:
        """Per clause vector, its cosine with the closest platitude (0 without meaning)."""
        platitudes = self.of(language)
        if not len(clauses) or not len(platitudes) or clauses.shape[1] != platitudes.shape[1]:
            return np.zeros(len(clauses))
        return (clauses @ platitudes.T).max(axis=1)
