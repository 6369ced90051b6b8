"""Normalisation and error rates shared by scoring and recognition benchmarks."""

from __future__ import annotations

import pytest

from simulator.text.error_rate import error_rate
from simulator.text.normalise import normalise, to_traditional


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我們會在二十四小時內給您答覆。", "我们会在24小时内给您答复"),
        ("一百元的優惠券", "100元的优惠券"),
        ("請稍等一下，我們一起看看", "请稍等一下我们一起看看"),
        ("ＡＰＰ裡面的VIP", "app里面的vip"),
        ("两千四百九十九元", "2499元"),
        ("下午三点半发货", "下午3点半发货"),
        ("百分之八十的客户", "80的客户"),
        ("第一时间处理", "第一时间处理"),
        ("电话一三八一二三四五六七八", "电话13812345678"),
        ("Hello, World!  I can help.", "hello world i can help"),
        ("我 们 会", "我们会"),
        # Variant spellings of one word, as Whisper and people write either.
        ("我的帐户和转帐记录", "我的账户和转账记录"),
        ("其它问题", "其他问题"),
        # Round ten-thousands keep 万 whichever way they were written.
        ("十万块", "10万块"),
        ("100,000元", "10万元"),
        ("一万四千四百", "14400"),
        # A lone 十 is a number; inside these words it is not.
        ("十个人", "10个人"),
        ("十分满意，十足的把握，一模一样", "十分满意十足的把握一模一样"),
        # A spoken "dot" in an address is the "." Whisper writes.
        ("邮箱是abc点163点com", "邮箱是abc 163 com"),
        ("邮箱是abc.163.com", "邮箱是abc 163 com"),
    ],
)
def test_normalise_table(raw: str, expected: str) -> None:
    """Script, width, numerals, punctuation and spacing all normalise to one form."""
    assert normalise(raw) == expected


def test_traditional_and_simplified_normalise_identically() -> None:
    """A traditional rendering of a sentence normalises to the simplified one."""
    simplified = "非常抱歉给您带来不便，我们会尽快为您处理退款。"
    assert normalise(to_traditional(simplified)) == normalise(simplified)


def test_cer_ignores_script_and_numerals() -> None:
    """CER is zero when only script and numeral form differ."""
    assert error_rate("我们会在二十四小时内答复", "我們會在24小時內答覆", "zh") == 0.0


def test_wer_counts_word_errors() -> None:
    """WER counts substituted words over reference words."""
    assert error_rate("thank you for calling", "thank you for falling", "en") == pytest.approx(0.25)


def test_error_rate_of_empty_reference() -> None:
    """An empty reference gives 0 for an empty hypothesis and 1 otherwise."""
    assert error_rate("", "", "zh") == 0.0
    assert error_rate("", "谢谢观看", "zh") == 1.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I'm sorry, I can't share another customer's details.",
         "i am sorry i can not share another customers details"),
        ("We'll call you back; won't take long", "we will call you back will not take long"),
        ("within twenty-four hours", "within 24 hours"),
        ("within twenty four hours", "within 24 hours"),
        ("one hundred and fifty dollars", "150 dollars"),
        ("two thousand five hundred", "2500"),
        ("20% off", "20 percent off"),
        ("I apologise and organised it", "i apologize and organized it"),
        ("the colour of our favourite centre", "the color of our favorite center"),
        # Not written numbers: digit strings read one by one, and "hundreds of".
        ("four five six", "four five six"),
        ("hundreds of calls", "hundreds of calls"),
    ],
)
def test_english_spelling_variants_fold(raw: str, expected: str) -> None:
    """Numbers, contractions and British spellings written either way compare equal."""
    assert normalise(raw) == expected


def test_wer_ignores_english_spelling_variants() -> None:
    """"twenty four" heard as "24", "I'm" as "I am": no word errors."""
    assert error_rate("I'm sorry, I apologise: within twenty four hours",
                      "I am sorry, I apologize, within 24 hours", "en") == 0.0
