"""Cue matching: script, numerals, homophones, split words, English inflections."""

from __future__ import annotations

from simulator.config import ScoringConfig
from simulator.scoring.matching import find_cue, prepare_answer
from simulator.text.normalise import normalise, to_traditional

CFG = ScoringConfig()


def _found(cue: str, text: str) -> float:
    match = find_cue(cue, prepare_answer(normalise(text)))
    return match.strength if match is not None else 0.0


def test_traditional_characters_match_simplified_cues() -> None:
    """A cue in simplified characters is found in an answer in traditional ones."""
    assert _found("核实订单", to_traditional("我先核实订单")) == 100.0


def test_chinese_numerals_match_digit_cues() -> None:
    """二十四小时 in the answer matches the cue 24小时."""
    assert _found("24小时", "抱歉，二十四小时内处理") == 100.0


def test_homophone_transcription_error_still_counts() -> None:
    """A Whisper homophone error (刀用 for 盗用) matches on toneless pinyin."""
    answer = prepare_answer(normalise("客户的账户被刀用了"))
    match = find_cue("盗用", answer)
    assert match is not None and match.method == "pinyin" and match.span == "刀用"


def test_split_word_matches() -> None:
    """道个歉 matches the cue 道歉 (a separable verb with a measure word inside)."""
    assert _found("道歉", "我先跟他道个歉") >= CFG.fuzzy_threshold


def test_cue_never_straddles_two_words() -> None:
    """实习 is not found across 平时 and 喜欢 (matches align on word boundaries)."""
    assert _found("实习", "我平时喜欢爬山") == 0.0


def test_english_inflections_match() -> None:
    """apologised matches the cue apologise."""
    assert _found("apologise", "I apologised to her") >= CFG.fuzzy_threshold


def test_english_short_cue_not_found_in_longer_word() -> None:
    """'calm' is not heard in 'caller' (words are compared whole)."""
    assert _found("calm", "the caller was upset") < CFG.partial_credit_threshold
