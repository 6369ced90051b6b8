"""Where the end-of-turn model file comes from: the pipecat-ai wheel, copied into the cache.

`pipecat-ai==1.14.0` (installed by `scripts/setup.sh` with `--no-deps`: its declared
dependencies are heavy and none is needed here) ships Smart Turn v3.2 as
`pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx`. `python -m simulator.prepare`
copies it into the model cache once, under the cache lock, hashing it while it is written
and renaming it into place only when size and sha256 match, so a half-written or altered
file is never loaded. At run time `cached_model` only looks (size and a marker written
after the hash check); it never copies, and a missing model is a value (None), not an
error: answers then end on silence alone. Nothing here imports pipecat or onnxruntime.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from simulator.errors import ModelError

_LOGGER = logging.getLogger(__name__)

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
MODEL_SIZE_BYTES = 8_679_182
MODEL_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
WHEEL = "pipecat-ai==1.14.0"
_IN_WHEEL = ("audio", "turn", "smart_turn", "data", MODEL_FILE)
_MARKER_SUFFIX = ".verified-sha256"
_CHUNK_BYTES = 1 << 20
PREPARE_HINT = "run: .venv/bin/python -m simulator.prepare (scripts/setup.sh does)"


def model_path(cache_dir: Path) -> Path:
    """Where the verified model lives in the cache (it may not exist yet)."""
    return cache_dir / f"smart-turn-{MODEL_SHA256[:8]}" / MODEL_FILE


def _marker(path: Path) -> Path:
    return path.with_name(path.name + _MARKER_SUFFIX)


def cached_model(cache_dir: Path) -> Path | None:
    """The prepared model, or None when setup has not copied it (or it was altered since:
    a different size, or no marker of a completed hash check)."""
    path = model_path(cache_dir)
    try:
        verified = (path.stat().st_size == MODEL_SIZE_BYTES
                    and _marker(path).read_text().strip() == MODEL_SHA256)
    except OSError:
        return None
    return path if verified else None


def wheel_model_file() -> Path:
    """The ONNX file inside the installed pipecat-ai wheel (found without importing it).

    Raises:
        ModelError: pipecat-ai is not installed, or its wheel lacks the model.
    """
    spec = importlib.util.find_spec("pipecat")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the end-of-turn model's wheel is not installed; run: pip install "
                         f"--no-deps {WHEEL}")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_IN_WHEEL)
    if not path.is_file():
        raise ModelError(f"{path}: missing; reinstall {WHEEL} (pip install --no-deps)")
    return path


@contextlib.contextmanager
def cache_lock(cache_dir: Path) -> Iterator[None]:
    """An exclusive lock on the cache folder, held while a model is put in place."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename alone protects readers
        yield
        return
    fd = os.open(cache_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def ensure_smart_turn_model(cache_dir: Path, source: Path | None = None) -> Path:
    """Copy (once) and verify the model into the cache; return its path.

    Args:
        cache_dir: the model cache.
        source: the file to copy (default: the one in the installed wheel).

    Raises:
        ModelError: the wheel is missing, the file's size or sha256 is not the expected one,
            or the cache cannot be written.
    """
    ready = cached_model(cache_dir)
    if ready is not None:
        return ready
    origin = source or wheel_model_file()
    target = model_path(cache_dir)
    try:
        with cache_lock(cache_dir):
            if cached_model(cache_dir) is not None:  # another process just did it
                return target
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{MODEL_FILE}.", dir=target.parent)
            try:
                digest, size = _copy_hashing(origin, fd)
                if size != MODEL_SIZE_BYTES or digest != MODEL_SHA256:
                    raise ModelError(
                        f"{origin}: {size} bytes, sha256 {digest[:16]}…; expected "
                        f"{MODEL_SIZE_BYTES} bytes, {MODEL_SHA256[:16]}…: reinstall {WHEEL}")
                os.replace(tmp, target)
                _marker(target).write_text(MODEL_SHA256 + "\n")
            finally:
                Path(tmp).unlink(missing_ok=True)
    except OSError as e:
        raise ModelError(f"{target}: cannot prepare the end-of-turn model ({e})") from e
    _LOGGER.info("end-of-turn model ready in %s", target)
    return target


def _copy_hashing(origin: Path, fd: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(origin, "rb") as src, os.fdopen(fd, "wb") as out:
        while chunk := src.read(_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size
