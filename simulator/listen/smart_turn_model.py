"""Where the end-of-turn model file comes from: the pipecat-ai wheel, copied into the cache.

`pipecat-ai==1.14.0` (installed by `scripts/setup.sh` with `--no-deps`: its declared
dependencies are heavy and none is needed here) ships Smart Turn v3.2 as
`pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx`. `python -m simulator.prepare`
copies it into the model cache once, under the cache lock, hashing it while it is written
and renaming it into place only when size and sha256 match, so a half-written or altered
file is never loaded. At run time `cached_model` only checks the file against its stamp
(re-hashing it when it changed); it never copies, and a missing model is a value (None), not an
error: answers then end on silence alone. Nothing here imports pipecat or onnxruntime.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
from pathlib import Path

from simulator.errors import ModelError
from simulator.speech.model_cache import (
    assembly_lock,
    copy_hashing,
    is_verified,
    write_stamp,
)

_LOGGER = logging.getLogger(__name__)

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
MODEL_SIZE_BYTES = 8_679_182
MODEL_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
WHEEL = "pipecat-ai==1.14.0"
_IN_WHEEL = ("audio", "turn", "smart_turn", "data", MODEL_FILE)
PREPARE_HINT = "run: .venv/bin/python -m simulator.prepare (scripts/setup.sh does)"


def model_path(cache_dir: Path) -> Path:
    """Where the verified model lives in the cache (it may not exist yet)."""
    return cache_dir / f"smart-turn-{MODEL_SHA256[:8]}" / MODEL_FILE


def cached_model(cache_dir: Path) -> Path | None:
    """The prepared model, or None when setup has not copied it or it was altered since.

    Checked like the Whisper model (`speech/model_cache.py`): an unchanged file matches its
    stamp at once; a changed one (same size included) is hashed again and refused when wrong.
    """
    path = model_path(cache_dir)
    return path if is_verified(path, MODEL_SHA256, MODEL_SIZE_BYTES) else None


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
        with assembly_lock(cache_dir):
            if cached_model(cache_dir) is not None:  # another process just did it
                return target
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{MODEL_FILE}.", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    digest, size = copy_hashing([origin], out)
                if size != MODEL_SIZE_BYTES or digest != MODEL_SHA256:
                    raise ModelError(
                        f"{origin}: {size} bytes, sha256 {digest[:16]}…; expected "
                        f"{MODEL_SIZE_BYTES} bytes, {MODEL_SHA256[:16]}…: reinstall {WHEEL}")
                os.replace(tmp, target)
                write_stamp(target, MODEL_SHA256)
            finally:
                Path(tmp).unlink(missing_ok=True)
    except OSError as e:
        raise ModelError(f"{target}: cannot prepare the end-of-turn model ({e})") from e
    _LOGGER.info("end-of-turn model ready in %s", target)
    return target
