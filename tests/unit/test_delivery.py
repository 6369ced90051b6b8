"""Delivery metrics: pace, fillers, pauses, latency, loudness, tips and their templates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from simulator.audio.pcm import SAMPLE_RATE_HZ
from simulator.config import DeliveryConfig, TipCode
from simulator.delivery.measure import measure_delivery
from simulator.delivery.model import Delivery, Verdict
from simulator.delivery.tips import (
    DEFAULT_DELIVERY_TEMPLATES_PATH,
    load_delivery_templates,
    render_tip,
)
from simulator.errors import ConfigError, DataFileError
from simulator.records.documents import delivery_json
from simulator.speech.transcript import Transcript, Word
from simulator.text.normalise import normalise, to_traditional
from tests.fakes import silence, tone

CFG = DeliveryConfig()
QUIET_AUDIO = np.zeros(SAMPLE_RATE_HZ, dtype=np.float32)
"""Digital silence: no loudness verdict, so tests of other metrics see no loudness tip."""
ZH_SENTENCE = "我们会尽快帮您处理这个订单的退款问题"


def _words(tokens: list[str], total_s: float | None = None, step_s: float = 0.4,
           gaps: dict[int, float] | None = None) -> tuple[Word, ...]:
    """Evenly timed words; `gaps[i]` adds that much silence after word i."""
    if total_s is not None:
        step_s = total_s / len(tokens)
    words, t = [], 0.0
    for i, token in enumerate(tokens):
        end = t + step_s * 0.9
        words.append(Word(token, round(t, 4), round(end, 4)))
        t += step_s + (gaps or {}).get(i, 0.0)
    if total_s is not None:  # the last word ends exactly at total_s
        last = words[-1]
        words[-1] = Word(last.text, last.start_s, total_s)
    return tuple(words)


def _transcript(words: tuple[Word, ...] | list[str], language: str) -> Transcript:
    """A transcript of timed words; plain strings are timed evenly first."""
    if all(isinstance(w, Word) for w in words):
        timed = tuple(w for w in words if isinstance(w, Word))
    else:
        timed = _words([str(w) for w in words])
    text = ("" if language == "zh" else " ").join(w.text for w in timed)
    return Transcript(text=text, normalised=normalise(text), language=language, words=timed)


def _untimed(text: str, language: str) -> Transcript:
    return Transcript(text=text, normalised=normalise(text), language=language)


def _sine_at_dbfs(dbfs: float, seconds: float = 2.0) -> np.ndarray:
    return tone(seconds, amplitude=float(np.sqrt(2) * 10 ** (dbfs / 20)), frequency_hz=220.0)


def _measure(transcript: Transcript, audio: np.ndarray = QUIET_AUDIO,
             latency_s: float | None = 0.8, config: DeliveryConfig = CFG) -> Delivery:
    return measure_delivery(transcript, audio, latency_s, config)


# --- pace ---------------------------------------------------------------------------------


def _zh_chars(count: int) -> list[str]:
    return [ZH_SENTENCE[i % len(ZH_SENTENCE)] for i in range(count)]


@pytest.mark.parametrize(
    ("tokens", "language", "seconds", "rate", "verdict"),
    [
        (["word"] * 60, "en", 30.0, 120.0, Verdict.FINE),
        (["word"] * 100, "en", 30.0, 200.0, Verdict.TOO_FAST),
        (["word"] * 40, "en", 30.0, 80.0, Verdict.TOO_SLOW),
        (_zh_chars(120), "zh", 30.0, 240.0, Verdict.FINE),
        (_zh_chars(160), "zh", 30.0, 320.0, Verdict.TOO_FAST),
        (_zh_chars(60), "zh", 30.0, 120.0, Verdict.TOO_SLOW),
    ],
)
def test_pace_rate_and_verdict(tokens: list[str], language: str, seconds: float, rate: float,
                               verdict: Verdict) -> None:
    """Words (English) or characters (Mandarin) per minute of speaking time, against the band."""
    result = _measure(_transcript(_words(tokens, total_s=seconds), language))
    assert result.pace_per_min == pytest.approx(rate, rel=0.01)
    assert result.pace_unit == ("cpm" if language == "zh" else "wpm")
    assert result.pace_verdict is verdict
    assert result.timing_source == "words"


def test_two_character_words_count_characters() -> None:
    """Mandarin pace counts characters, not Whisper's word tokens."""
    tokens = ["我们", "会", "尽快", "处理"] * 15  # 60 tokens, 7 characters x 15 = 105
    result = _measure(_transcript(_words(tokens, total_s=30.0), "zh"))
    assert result.pace_units == 105
    assert result.pace_per_min == pytest.approx(210.0, rel=0.01)


def test_short_answer_pace_is_not_judged() -> None:
    """Under min_pace_talk_s the rate is reported without a verdict."""
    result = _measure(_transcript(_words(["word"] * 10, total_s=3.0), "en"))
    assert result.pace_per_min == pytest.approx(200.0, rel=0.01)
    assert result.pace_verdict is None
    assert TipCode.TOO_FAST not in [t.code for t in result.tips]


def test_pace_leaves_out_fillers_and_long_pauses() -> None:
    """Fillers are not counted and long pauses are not talking time."""
    tokens = ["um,"] + ["word"] * 59
    words = _words(tokens, step_s=0.5, gaps={29: 4.0})
    result = _measure(_transcript(words, "en"))
    assert result.pace_units == 59
    assert result.speech_span_s is not None
    assert result.talk_s == pytest.approx(result.speech_span_s - 4.0 - 0.05, abs=0.01)


# --- fillers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "language", "expected"),
    [
        (["嗯，", "我", "觉得", "那个", "订单", "已经", "发货", "了"], "zh", ["嗯"]),
        (["那个，", "我", "先", "帮您", "查", "一下"], "zh", ["那个"]),
        (["那个", "那个", "订单", "呢"], "zh", ["那个"]),
        (["那个", "嗯", "我", "看看"], "zh", ["那个", "嗯"]),
        (["这个", "问题", "我", "来", "处理"], "zh", []),
        (["退款", "金额", "和", "额度", "都", "没", "问题"], "zh", []),
        (["额，", "我", "想想"], "zh", ["额"]),
        (["也", "就是说", "您", "的", "订单", "到", "了"], "zh", []),
        (["就是说", "我们", "会", "处理"], "zh", ["就是说"]),
        (["是", "啊，", "我", "明白"], "zh", []),
        (["啊，", "这个", "问题", "好"], "zh", ["啊"]),
        (["然后呢", "我", "会", "回访"], "zh", ["然后呢"]),
        (["嗯嗯", "嗯，", "好的"], "zh", ["嗯"]),
        (["I'd", "like", "to", "help", "you"], "en", []),
        (["I", "like", "working", "with", "people."], "en", []),
        (["We", "would", "like,", "um,", "to", "help."], "en", ["um"]),
        (["It", "was,", "like,", "really", "slow."], "en", ["like"]),
        (["It", "looks", "like,", "a", "delay."], "en", []),
        (["Um,", "I", "think,", "you", "know,", "the", "refund", "is", "late."], "en",
         ["um", "you know"]),
        (["Do", "you", "know", "the", "order", "number?"], "en", []),
        (["I", "mean,", "we", "can", "fix", "it."], "en", ["i mean"]),
        (["I", "mean", "it."], "en", []),
        (["Uh", "uh", "the", "parcel", "is", "late."], "en", ["uh", "uh"]),
        (["Like", "I", "said,", "it", "is", "late."], "en", []),
    ],
)
def test_fillers_found(tokens: list[str], language: str, expected: list[str]) -> None:
    """Fillers are found, and demonstratives, verbs and word parts are not."""
    result = _measure(_transcript(tokens, language))
    assert [f.text for f in result.fillers] == expected


def test_filler_set_off_by_a_pause_counts() -> None:
    """Without punctuation, a pause after 那个 or "like" sets it off as a filler."""
    zh = _transcript(_words(["那个", "订单"], gaps={0: 0.6}), "zh")
    en = _transcript(_words(["it", "was", "like", "really", "slow"], gaps={2: 0.6}), "en")
    assert [f.text for f in _measure(zh).fillers] == ["那个"]
    assert [f.text for f in _measure(en).fillers] == ["like"]


def test_filler_located_by_word_index_and_time() -> None:
    """A filler carries its word index and start time from the word timestamps."""
    words = _words(["The", "order", "is,", "um,", "late."], step_s=0.5)
    filler = _measure(_transcript(words, "en")).fillers[0]
    assert (filler.text, filler.word_index, filler.start_s) == ("um", 3, 1.5)


def test_filler_located_by_text_offset_without_timings() -> None:
    """Without word timings a filler has a text offset and no time."""
    filler = _measure(_untimed("好的，嗯，我来处理。", "zh"), audio=tone(3.0)).fillers[0]
    assert (filler.text, filler.char_offset, filler.word_index, filler.start_s) == ("嗯", 3,
                                                                                     None, None)


def test_traditional_characters_fillers() -> None:
    """Traditional 那個 is recognised as 那个."""
    words = _words([to_traditional(t) for t in ["那个，", "订单", "到", "了"]])
    assert [f.text for f in _measure(_transcript(words, "zh")).fillers] == ["那个"]


def test_many_fillers_give_a_tip_with_examples() -> None:
    """Above the per-minute limit the fillers verdict is too_many and the tip names them."""
    tokens = ["um,"] + ["word"] * 10 + ["uh,"] + ["word"] * 10 + ["um,"] + ["word"] * 10
    result = _measure(_transcript(_words(tokens, total_s=20.0), "en"))
    assert result.filler_count == 3
    assert result.filler_per_min == pytest.approx(9.0, rel=0.01)
    assert result.filler_verdict is Verdict.TOO_MANY
    tip = next(t for t in result.tips if t.code is TipCode.FILLERS)
    assert tip.param_dict()["examples"] == ("um", "uh")


def test_one_filler_is_fine() -> None:
    """A single filler never earns a tip, however short the answer."""
    result = _measure(_transcript(["Um,", "yes", "I", "can", "help."], "en"))
    assert result.filler_verdict is Verdict.FINE and not result.tips


# --- pauses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap_s", "long_count", "dead_air"),
    [(1.0, 0, 0), (2.5, 1, 0), (3.5, 1, 1)],
)
def test_pauses_between_words(gap_s: float, long_count: int, dead_air: int) -> None:
    """A gap of 2 s or more is a long pause; 3 s or more is dead air."""
    words = _words(["word"] * 20, step_s=0.5, gaps={9: gap_s})
    result = _measure(_transcript(words, "en"))
    assert (result.long_pause_count, result.dead_air_count) == (long_count, dead_air)
    if long_count:
        pause = result.pauses[0]
        assert pause.after_word_index == 9
        assert pause.start_s == pytest.approx(words[9].end_s)
        assert pause.length_s == pytest.approx(words[10].start_s - words[9].end_s)


def test_pauses_from_audio_without_word_timings() -> None:
    """Without word timings, speaking time and pauses come from the audio energy."""
    audio = np.concatenate([silence(0.5), tone(2.0), silence(3.5), tone(2.0), silence(0.5)])
    text = "I would check the order and call the customer back today."
    result = _measure(_untimed(text, "en"), audio=audio)
    assert result.timing_source == "audio"
    assert result.speech_span_s == pytest.approx(7.5, abs=0.1)
    assert result.dead_air_count == 1
    assert result.pauses[0].start_s == pytest.approx(2.5, abs=0.05)
    assert result.pauses[0].length_s == pytest.approx(3.5, abs=0.05)
    assert result.talk_s == pytest.approx(4.0, abs=0.1)


def test_dead_air_tip_comes_first_and_renders() -> None:
    """Dead air outranks pace and fillers; the spoken tip names its length."""
    tokens = ["um,"] + ["word"] * 30 + ["uh,"] + ["word"] * 30 + ["um,"] + ["word"] * 30
    words = _words(tokens, step_s=0.2, gaps={50: 4.0})
    result = _measure(_transcript(words, "en"))
    codes = [t.code for t in result.tips]
    assert codes[:3] == [TipCode.DEAD_AIR, TipCode.TOO_FAST, TipCode.FILLERS]
    templates = load_delivery_templates()
    assert "silence of 4 seconds" in (render_tip(result, "en", templates) or "")


def test_several_long_pauses_give_a_tip() -> None:
    """Two 2-3 s pauses (no dead air) earn the long-pauses tip."""
    words = _words(["word"] * 40, step_s=0.4, gaps={10: 2.2, 25: 2.6})
    result = _measure(_transcript(words, "en"))
    tip = next(t for t in result.tips if t.code is TipCode.LONG_PAUSES)
    assert tip.param_dict() == {"count": 2, "longest_s": pytest.approx(2.6, abs=0.05)}


# --- latency and loudness -------------------------------------------------------------------


@pytest.mark.parametrize(("latency_s", "verdict", "tip"),
                         [(1.2, Verdict.FINE, False), (6.0, Verdict.SLOW, True),
                          (None, None, False)])
def test_response_latency(latency_s: float | None, verdict: Verdict | None, tip: bool) -> None:
    """Latency is passed through; five seconds or more earns the slow-start tip."""
    result = _measure(_transcript(["Yes", "I", "can", "help."], "en"), latency_s=latency_s)
    assert result.response_latency_s == latency_s
    assert result.latency_verdict is verdict
    assert (TipCode.SLOW_START in [t.code for t in result.tips]) is tip


@pytest.mark.parametrize(
    ("audio", "verdict"),
    [
        (_sine_at_dbfs(-40.0), Verdict.TOO_QUIET),
        (_sine_at_dbfs(-20.0), Verdict.FINE),
        (np.clip(tone(2.0, amplitude=2.0), -1.0, 1.0).astype(np.float32), Verdict.CLIPPING),
    ],
)
def test_loudness_verdict(audio: np.ndarray, verdict: Verdict) -> None:
    """A -40 dBFS sine is too quiet, a -20 dBFS one fine, a clipped one clipping."""
    result = _measure(_transcript(["Yes", "I", "can", "help."], "en"), audio=audio)
    assert result.loudness_verdict is verdict
    if verdict is Verdict.TOO_QUIET:
        assert result.speech_dbfs == pytest.approx(-40.0, abs=0.5)
        assert [t.code for t in result.tips] == [TipCode.TOO_QUIET]
    if verdict is Verdict.CLIPPING:
        assert result.clipped_share is not None and result.clipped_share > CFG.clip_share_max


def test_loudness_ignores_silence_around_speech() -> None:
    """The level is that of the voiced frames, not diluted by the silence around them."""
    audio = np.concatenate([silence(3.0), _sine_at_dbfs(-20.0, 1.0), silence(3.0)])
    result = _measure(_transcript(["Yes."], "en"), audio=audio)
    assert result.speech_dbfs == pytest.approx(-20.0, abs=0.5)


# --- empty answers, JSON ------------------------------------------------------------------


@pytest.mark.parametrize(("audio", "codes"),
                         [(QUIET_AUDIO, []), (_sine_at_dbfs(-45.0), [TipCode.TOO_QUIET])])
def test_empty_transcript(audio: np.ndarray, codes: list[TipCode]) -> None:
    """Nothing heard: metrics are None or empty, and only a loudness tip can be given."""
    result = _measure(_untimed("", "en"), audio=audio, latency_s=9.0)
    assert result.pace_per_min is None and result.pace_verdict is None
    assert result.fillers == () and result.pauses == () and result.filler_verdict is None
    assert result.timing_source == "none" and result.latency_verdict is None
    assert [t.code for t in result.tips] == codes


def test_delivery_json_is_plain_json() -> None:
    """The session record serialises with json and has the expected sections."""
    words = _words(["um,"] + ["word"] * 30, step_s=0.3, gaps={10: 3.2})
    record = delivery_json(_measure(_transcript(words, "en"), audio=_sine_at_dbfs(-20.0)))
    text = json.dumps(record)
    assert json.loads(text) == record
    assert set(record) >= {"pace", "fillers", "pauses", "loudness", "tips",
                           "response_latency_s"}
    assert record["pauses"]["items"][0]["dead_air"] is True
    assert record["fillers"]["items"][0] == {"text": "um", "word_index": 0, "start_s": 0.0,
                                             "char_offset": 0}


# --- templates and config -------------------------------------------------------------------


def test_shipped_templates_load_and_render_zh() -> None:
    """The shipped file has every tip; the Mandarin fillers tip quotes the examples."""
    templates = load_delivery_templates()
    tokens = ["嗯，", "我", "觉得", "那个，", "订单", "嗯，", "已经", "发货", "了"]
    result = _measure(_transcript(_words(tokens, total_s=4.0), "zh"))
    assert result.tips[0].code is TipCode.FILLERS
    assert "“嗯”“那个”" in (render_tip(result, "zh", templates) or "")


def test_no_tip_renders_none() -> None:
    """A clean answer has no tip to speak."""
    result = _measure(_transcript(_words(["word"] * 60, total_s=30.0), "en"))
    assert render_tip(result, "en", load_delivery_templates()) is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('dead_air = "There', 'xdead_air = "There', "[en.tips] is missing key 'dead_air'"),
        ("{rate} words a minute. Slow", "{speed} words a minute. Slow",
         "unknown placeholder {speed}"),
        ('examples_separator = "”“"', "", "[zh] is missing key 'examples_separator'"),
    ],
)
def test_template_errors_name_file_and_key(tmp_path: Path, old: str, new: str,
                                           message: str) -> None:
    """A broken template file raises DataFileError naming the file and the key."""
    text = DEFAULT_DELIVERY_TEMPLATES_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "delivery.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_delivery_templates(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize(
    "kwargs",
    [{"wpm_band": (170.0, 110.0)}, {"long_pause_s": 4.0}, {"clip_level": 1.5},
     {"tip_order": ("dead_air", "shouting")}, {"tip_order": ("fillers", "fillers")}],
)
def test_config_rejects_bad_values(kwargs: dict) -> None:
    """Inconsistent thresholds or unknown tip codes raise ConfigError."""
    with pytest.raises(ConfigError):
        DeliveryConfig(**kwargs)


def test_tip_order_can_drop_a_tip() -> None:
    """A tip left out of tip_order is never given."""
    config = DeliveryConfig(tip_order=(TipCode.DEAD_AIR,))
    result = _measure(_transcript(_words(["word"] * 100, total_s=30.0), "en"), config=config)
    assert result.pace_verdict is Verdict.TOO_FAST and result.tips == ()


def test_whisper_spelling_of_nage_as_nage_question_word_counts() -> None:
    """哪个 at a clause start running into a pronoun is Whisper's spelling of the filler 那个;
    哪个 before a noun is a question word."""
    from simulator.config import DeliveryConfig
    from simulator.delivery.measure import measure_delivery
    from simulator.speech.transcript import Transcript
    from simulator.text.normalise import normalise

    def count(text: str) -> int:
        transcript = Transcript(text=text, normalised=normalise(text), language="zh")
        audio = np.zeros(16000, dtype=np.float32)
        return measure_delivery(transcript, audio, None, DeliveryConfig()).filler_count

    assert count("非常抱歉。哪个我特别理解您的心情。") == 1
    assert count("请问您说的是哪个订单？") == 0
