"""The end-of-turn model's cache: copied once from its wheel, checked by size and sha256."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import ModelError
from simulator.listen import smart_turn_model as stm


def test_a_wrong_file_is_never_put_in_place(tmp_path: Path) -> None:
    """A source of the wrong size or hash is refused with one line; nothing is left."""
    source = tmp_path / "fake.onnx"
    source.write_bytes(b"not the model" * 100)
    with pytest.raises(ModelError, match="expected"):
        stm.ensure_smart_turn_model(tmp_path / "cache", source=source)
    assert stm.cached_model(tmp_path / "cache") is None
    assert not list((tmp_path / "cache").rglob("*.onnx*"))


def test_the_wheel_copy_is_verified_and_found_again(tmp_path: Path) -> None:
    """Copied from the installed wheel, stamped, and then found without copying again; a
    flipped byte of the same size is refused."""
    try:
        stm.wheel_model_file()
    except ModelError:
        pytest.skip("pipecat-ai (the model's wheel) is not installed")
    cache = tmp_path / "cache"
    path = stm.ensure_smart_turn_model(cache)
    assert stm.cached_model(cache) == path
    data = bytearray(path.read_bytes())
    data[1000] ^= 0xFF
    path.write_bytes(bytes(data))
    assert stm.cached_model(cache) is None
