"""No invented text: a non-answer reads "I didn't catch that", not a score of 0 (issue 15).

White noise came back as "The customer needs." (the English style prompt), music as
"Uh, uh, uh" or "字幕 by R.J.", Spanish with `--lang zh` as "我尝尝尝尝…". These rows run the
transcriber's rules on faster-whisper-shaped fakes (what the real model returned on those
clips, with its confidences), so they are fast; `scripts/measure_invented_text.py` counts
the real model's inventions over 103 clips, and the slow row at the end replays a few real
clips end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from simulator.config import WhisperConfig
from simulator.speech.whisper_stt import FasterWhisperTranscriber
from tests.fakes import tone

ROOT = Path(__file__).resolve().parents[2]
AUDIO = tone(3)


def _segment(text: str, *, word_p: float, logprob: float, no_speech: float = 0.1,
             compression: float = 1.2) -> SimpleNamespace:
    tokens = text.split() or [text]
    words = [SimpleNamespace(word=t, start=i * 0.3, end=i * 0.3 + 0.3, probability=word_p)
             for i, t in enumerate(tokens)]
    return SimpleNamespace(text=text, avg_logprob=logprob, no_speech_prob=no_speech,
                           compression_ratio=compression, words=words)


class _Model:
    """faster-whisper's shape: `transcribe` (lazy segments) and `detect_language`."""

    def __init__(self, segments: list[SimpleNamespace], languages: dict[str, float]) -> None:
        self._segments = segments
        self._languages = languages
        self.detections = 0

    def transcribe(self, audio: Any, **kwargs: Any) -> tuple[Any, Any]:
        return iter(self._segments), SimpleNamespace(language=kwargs.get("language"))

    def detect_language(self, audio: Any) -> tuple[str, float, list[tuple[str, float]]]:
        self.detections += 1
        ranked = sorted(self._languages.items(), key=lambda kv: -kv[1])
        return ranked[0][0], ranked[0][1], ranked


def _transcribe(model: _Model, language: str, context: str = "") -> Any:
    return FasterWhisperTranscriber(WhisperConfig(), model=model).transcribe(AUDIO, language,
                                                                           context)


@pytest.mark.parametrize(("language", "segment", "languages", "reason"), [
    ("en", _segment(" Uh, uh, uh, uh, uh, uh.", word_p=0.52, logprob=-0.81, no_speech=0.56),
     {"en": 0.31}, "only hesitation sounds"),
    ("en", _segment(" Um, well, uh, uh, uh, uh, uh.", word_p=0.19, logprob=-0.78,
                    no_speech=0.65), {"en": 0.58}, "only hesitation sounds"),
    ("en", _segment(" The customer needs.", word_p=0.45, logprob=-0.9, no_speech=0.5),
     {"en": 0.4, "nn": 0.2}, "echo of the prompt"),
    ("zh", _segment("我尝尝尝尝我来帮你", word_p=0.28, logprob=-1.5, no_speech=0.05),
     {"es": 0.946, "zh": 0.0001}, "not Mandarin speech"),
    ("en", _segment(" For the good days, I want to talk to the manager.", word_p=0.58,
                    logprob=-0.76, no_speech=0.02), {"es": 0.946, "en": 0.0124},
     "not English speech"),
    ("zh", _segment("字幕 by R.J.", word_p=0.21, logprob=-2.2, no_speech=0.53),
     {"en": 0.41, "zh": 0.0073}, "known hallucination"),
    ("zh", _segment("作词", word_p=0.3, logprob=-1.1, no_speech=0.4),
     {"zh": 0.2}, "known hallucination"),
])
def test_non_answers_come_back_empty_with_the_reason(
        language: str, segment: SimpleNamespace, languages: dict[str, float],
        reason: str) -> None:
    """Music, prompt echoes, other languages, credits: empty text, the reason recorded."""
    result = _transcribe(_Model([segment], languages), language)
    assert result.text == "" and result.is_empty
    assert any(reason in r for r in result.rejected), result.rejected


@pytest.mark.parametrize(("language", "segments"), [
    ("zh", [_segment("嗯，我会先向客户道歉，然后马上查一下订单。", word_p=0.88, logprob=-0.3)]),
    ("en", [_segment(" Um, I would say sorry first and check the order.", word_p=0.9,
                     logprob=-0.25)]),
    ("en", [_segment(" I think the first thing is to understand what the customer needs.",
                     word_p=0.93, logprob=-0.2, no_speech=0.02)]),
])
def test_real_answers_are_kept_without_a_second_pass(
        language: str, segments: list[SimpleNamespace]) -> None:
    """Confident answers (fillers included) are kept, and no language check is paid for."""
    model = _Model(segments, {language: 0.99})
    result = _transcribe(model, language)
    assert result.text and not result.rejected
    assert model.detections == 0


def test_a_weak_answer_in_the_right_language_is_kept() -> None:
    """A hesitant, low-confidence Mandarin answer: the language check clears it."""
    model = _Model([_segment("我，我会先，道歉", word_p=0.45, logprob=-0.9)], {"zh": 0.97})
    result = _transcribe(model, "zh")
    assert result.text == "我，我会先，道歉" and model.detections == 1


def test_a_phone_line_answer_with_spread_language_scores_is_kept() -> None:
    """8 kHz phone speech: English only 0.19, but still the most likely language: kept."""
    model = _Model([_segment(" Uh, can you book a table for me?", word_p=0.36, logprob=-0.68)],
                   {"en": 0.187, "cy": 0.1, "nn": 0.09})
    result = _transcribe(model, "en")
    assert result.text and model.detections == 1


def test_hesitation_inside_a_streamed_answer_is_kept() -> None:
    """A stretch of only "嗯" after earlier speech (streaming context) still counts as filler."""
    model = _Model([_segment("嗯，", word_p=0.9, logprob=-0.2)], {"zh": 0.99})
    assert _transcribe(model, "zh", context="我会先道歉").text == "嗯，"


@pytest.mark.slow
def test_real_model_on_noise_music_and_foreign_speech(tmp_path: Path) -> None:
    """The real model, through `transcribe --json`: white noise, music and Spanish speech in
    both languages all come back empty."""
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import measure_invented_text as measure

    from simulator.audio.pcm import write_wav

    rng = np.random.default_rng(0)
    clips = {"white": rng.uniform(-0.5, 0.5, 8 * 16_000).astype(np.float32),
             "music": np.clip(measure._music(rng, 1) * 0.4, -1, 1).astype(np.float32)}
    paths = [write_wav(tmp_path / f"{name}.wav", audio) for name, audio in clips.items()]
    foreign = [audio for cat, name, audio in measure.foreign_clips() if name == "speech-es-1"]
    if foreign:
        paths.append(write_wav(tmp_path / "spanish.wav", foreign[0].astype(np.float32)))
    for language in ("zh", "en"):
        done = subprocess.run(
            [sys.executable, "-m", "simulator", "transcribe", *map(str, paths), "--lang",
             language, "--json"], capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        files = json.loads(done.stdout)["files"]
        assert [f["text"] for f in files] == [""] * len(paths), files
