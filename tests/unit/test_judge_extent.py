"""How much an answer says about the question (`extent.on_topic_extent`) and the key point
read in context (`Calibration.point_belief`): a long answer in the candidate's own words is
read as the examiners read it, a short answer keeps the point it makes, and saying the same
thing again, reading the question out or chatting about something else adds nothing."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from simulator.bank.loader import resolve_bank
from simulator.scoring.calibration import Logistic
from simulator.scoring.judge import Judge

SHIPPING_ZH = resolve_bank("cs-zh").question("12")
SHIPPING_EN = resolve_bank("cs-en").question("2")
ANSWER_ZH = "不好意思让您久等了，我先去系统里查一下这单卡在哪一步。"


def _extent(judge: Judge, text: str, question=SHIPPING_ZH) -> float:  # type: ignore[no-untyped-def]
    return judge.measure(text, question).point_features[0]["answer_extent"]


def test_saying_more_about_the_question_is_more(judge: Judge) -> None:
    more = ANSWER_ZH + "查清楚以后今天下午五点前给您发出去，运费我们来出。"
    assert _extent(judge, more) > _extent(judge, ANSWER_ZH) > 0


def test_repeats_small_talk_and_the_question_add_nothing(judge: Judge) -> None:
    """A sentence said three times counts once; talk about the weekend counts nothing; the
    question read out twice counts as much as once."""
    once = _extent(judge, ANSWER_ZH)
    assert _extent(judge, ANSWER_ZH * 3) == once
    assert _extent(judge, ANSWER_ZH + "我周末喜欢去爬山，上个月还去了一趟黄山。") == once
    prompt = SHIPPING_ZH.prompt
    assert _extent(judge, prompt + prompt + ANSWER_ZH) == _extent(judge, prompt + ANSWER_ZH)


def test_english_counts_words(judge: Judge) -> None:
    short = "I'm sorry for the wait, I'll check the order now."
    longer = short + " Then I'll tell you exactly when it ships, today before five."
    assert _extent(judge, longer, SHIPPING_EN) > _extent(judge, short, SHIPPING_EN) > 0


def test_padding_an_answer_with_its_own_sentence_gains_nothing(judge: Judge) -> None:
    """The extent counts what is new: a vague answer repeated, or one apology said five
    times, scores no more than said once."""
    for text in ("我会跟客户道歉。", "我会耐心对待每一位客户，用心服务。"):
        assert judge.score(text * 5, SHIPPING_ZH).points <= judge.score(text, SHIPPING_ZH).points


def test_the_higher_reading_counts(judge: Judge) -> None:
    """A point's belief is the higher of the evidence alone and the evidence in context."""
    low = Logistic(("x",), (0.0,), (1.0,), (1.0,), -2.0)
    high = Logistic(("x",), (0.0,), (1.0,), (1.0,), 2.0)
    alone = dataclasses.replace(judge.calibration, key_point=low, key_point_in_context=None,
                                full_credit=0.5, half_credit=0.3,
                                context_full_credit=0.5, context_half_credit=0.3)
    assert alone.point_belief({"x": 0.0}) == low.probability({"x": 0.0})
    both = dataclasses.replace(alone, key_point_in_context=high)
    assert both.point_belief({"x": 0.0}) == pytest.approx(high.probability({"x": 0.0}))
    swapped = dataclasses.replace(alone, key_point=high, key_point_in_context=low)
    assert swapped.point_belief({"x": 0.0}) == high.probability({"x": 0.0})


@pytest.mark.parametrize(("in_context", "expected"), [
    (0.0, 0.0), (0.2, 0.15), (0.4, 0.3), (0.5, 0.4), (0.6, 0.5), (0.8, 0.75), (1.0, 1.0)])
def test_the_reading_in_context_is_put_on_the_scale_of_the_belief_alone(
        judge: Judge, in_context: float, expected: float) -> None:
    """Its own credit thresholds (here 0.6 and 0.4) fall on the belief alone's (0.5, 0.3):
    a point earns full credit in context exactly when that reading reaches its own bar."""
    z = math.log(in_context / (1 - in_context)) if 0 < in_context < 1 else (
        -40.0 if in_context == 0 else 40.0)
    reading = Logistic(("x",), (0.0,), (1.0,), (1.0,), z)
    never = Logistic(("x",), (0.0,), (1.0,), (0.0,), -40.0)
    calibration = dataclasses.replace(judge.calibration, key_point=never,
                                      key_point_in_context=reading, full_credit=0.5,
                                      half_credit=0.3, context_full_credit=0.6,
                                      context_half_credit=0.4)
    assert calibration.point_belief({"x": 0.0}) == pytest.approx(expected, abs=1e-6)


def test_a_short_answer_keeps_the_point_it_makes(judge: Judge) -> None:
    """One sentence that refuses to give out another customer's data makes that point in
    full, however short the answer."""
    privacy = resolve_bank("cs-zh").question("16")
    score = judge.score("我会直接拒绝他，告诉他别人的电话和地址属于个人隐私，我们不能随便透露给"
                        "任何人。", privacy)
    refused = [k for k in score.key_points if k.credit]
    assert refused and refused[0].credit == 1.0, score.reasons


def test_whisper_pause_commas_neither_add_nor_remove(judge: Judge) -> None:
    """Fragments between Whisper's pause commas are read with their neighbours for meaning;
    the extent still counts each clause's own words once."""
    written = "我会先跟客户道歉，然后马上去系统里查一下这单卡在哪一步，今天下午就给您发出去。"
    heard = "我会先跟客户道歉,然后马上,去系统里查一下,这单卡在哪一步,今天下午,就给您发出去。"
    assert abs(_extent(judge, heard) - _extent(judge, written)) < 0.1


def test_thresholds_out_of_order_are_refused_by_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A calibration whose reading in context has half credit above full credit is refused
    with the file and the table named, not read into beliefs that make no sense."""
    from simulator.errors import DataFileError
    from simulator.scoring.calibration import DEFAULT_CALIBRATION_PATH, load_calibration

    text = DEFAULT_CALIBRATION_PATH.read_text(encoding="utf-8")
    start = text.index("[key_point_in_context]")
    table = text[start:text.index("\n\n", start)]
    broken = re.sub(r"half_credit = [0-9.]+", "half_credit = 0.9", table)  # above full credit
    assert broken != table
    path = tmp_path / "judge.toml"
    path.write_text(text.replace(table, broken), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"judge\.toml: \[key_point_in_context\] needs"):
        load_calibration(path)


def test_off_topic_scale_follows_the_fitted_numbers(judge: Judge) -> None:
    """Below the threshold nothing is taken; above it the score is scaled by
    1 - belief / full, and nothing is left from `off_topic_full` on."""
    cal = dataclasses.replace(judge.calibration, off_topic_threshold=0.3, off_topic_full=0.6)
    assert cal.off_topic_scale(0.29) == 1.0
    assert cal.off_topic_scale(0.3) == pytest.approx(0.5)
    assert cal.off_topic_scale(0.6) == cal.off_topic_scale(0.9) == 0.0
    plain = dataclasses.replace(cal, off_topic_full=1.0)
    assert plain.off_topic_scale(0.4) == pytest.approx(0.6)
    bad = dataclasses.replace(cal, breach_threshold=0.4, breach_full=0.8)
    assert bad.breach_scale(0.39) == 1.0 and bad.breach_scale(0.4) == pytest.approx(0.5)


@pytest.mark.parametrize("table", ["off_topic", "breach"])
def test_a_gate_scale_out_of_range_is_refused_by_name(tmp_path, table: str) -> None:  # type: ignore[no-untyped-def]
    from simulator.errors import DataFileError
    from simulator.scoring.calibration import DEFAULT_CALIBRATION_PATH, load_calibration

    text = DEFAULT_CALIBRATION_PATH.read_text(encoding="utf-8")
    start = text.index(f"[{table}]")
    section = text[start:text.index("\n\n", start)]
    broken = re.sub(r"\nfull = [0-9.]+", "\nfull = 1.5", section)
    assert broken != section
    path = tmp_path / "judge.toml"
    path.write_text(text.replace(section, broken), encoding="utf-8")
    with pytest.raises(DataFileError, match=rf"judge\.toml: \[{table}\] full must be"):
        load_calibration(path)


def test_an_older_file_without_the_optional_fields_keeps_the_defaults(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A calibration written before the gate scales and the spoken share of long lists
    existed reads with `Calibration`'s own defaults (written once, there); a value that is
    not a number is refused with the file named."""
    from simulator.errors import DataFileError
    from simulator.scoring.calibration import (
        DEFAULT_CALIBRATION_PATH,
        Calibration,
        load_calibration,
    )

    text = DEFAULT_CALIBRATION_PATH.read_text(encoding="utf-8")
    older = re.sub(r"\n(full|list_max_spoken_share) = [0-9.]+", "", text)
    assert older.count("\nfull =") == 0 and "list_max_spoken_share" not in older
    path = tmp_path / "judge.toml"
    path.write_text(older, encoding="utf-8")
    loaded = load_calibration(path)
    defaults = {f.name: f.default for f in dataclasses.fields(Calibration)}
    for name in ("off_topic_full", "breach_full", "list_max_spoken_share"):
        assert getattr(loaded, name) == defaults[name]
    shipped = load_calibration()
    assert shipped.off_topic_full != defaults["off_topic_full"]  # the shipped file sets it
    path.write_text(re.sub(r"\nfull = [0-9.]+", '\nfull = "most"', text, count=1),
                    encoding="utf-8")
    with pytest.raises(DataFileError, match=r"judge\.toml: judge calibration field"):
        load_calibration(path)
