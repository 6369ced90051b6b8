"""The key-point scorer: matching modes, homophones, script, stuffing, penalties, evidence."""

from __future__ import annotations

import pytest

from simulator.bank.model import KeyPoint, MatchMode, Question
from simulator.config import ScoringConfig
from simulator.scoring.matching import find_cue, prepare_answer
from simulator.scoring.rubric import score_answer
from simulator.text.normalise import normalise, to_traditional

CFG = ScoringConfig()

REFUND = Question(
    id="r1", section="s", points=4, language="zh", prompt="客户要求退款，你怎么处理？",
    key_points=(
        KeyPoint(label="道歉", cues=("道歉", "抱歉", "对不起"), critical=True),
        KeyPoint(label="核实订单", cues=("核实", "查一下", "订单记录")),
        KeyPoint(label="给出时间", cues=("24小时", "今天", "三个工作日")),
        KeyPoint(label="跟进", cues=("跟进", "回访"), weight=0.5),
        KeyPoint(label="说教", cues=("您应该", "不归我管"), mode=MatchMode.NONE),
    ),
)

STRONG = "非常抱歉给您添麻烦了，我先帮您核实一下订单，二十四小时内把退款处理好，之后我会电话回访您。"  # noqa: E501


def _score(text: str, question: Question = REFUND) -> float:
    return score_answer(normalise(text), question, CFG).points


def test_strong_answer_gets_full_marks() -> None:
    """An answer making every point scores the maximum, with evidence for each point."""
    result = score_answer(normalise(STRONG), REFUND, CFG)
    assert result.points == 4.0
    assert all(kp.covered and kp.evidence for kp in result.key_points)


def test_traditional_characters_score_the_same() -> None:
    """The same answer in traditional characters gets the same score."""
    assert _score(to_traditional(STRONG)) == _score(STRONG)


def test_chinese_numerals_match_digit_cues() -> None:
    """二十四小时 in the answer matches the cue 24小时."""
    result = score_answer(normalise("抱歉，二十四小时内处理"), REFUND, CFG)
    time_point = next(k for k in result.key_points if k.label == "给出时间")
    assert time_point.covered


def test_homophone_transcription_error_still_counts() -> None:
    """A Whisper homophone error (刀用 for 盗用) matches on toneless pinyin."""
    answer = prepare_answer(normalise("客户的账户被刀用了"))
    match = find_cue("盗用", answer)
    assert match is not None and match.method == "pinyin" and match.span == "刀用"


def test_off_topic_answer_scores_zero() -> None:
    """An answer about something else earns nothing."""
    assert _score("我平时喜欢打篮球，周末经常和朋友去爬山，也喜欢看电影。") == 0.0


@pytest.mark.parametrize("text", ["", "嗯", "嗯，那个", "   "])
def test_empty_and_filler_answers_score_zero(text: str) -> None:
    """Empty or filler-only answers score zero."""
    assert _score(text) == 0.0


def test_keyword_stuffing_does_not_get_full_marks() -> None:
    """A bare list of cue words scores well below a real answer that makes the same points."""
    stuffed = "道歉 抱歉 核实 查一下 订单记录 24小时 今天 跟进 回访"
    assert _score(stuffed) <= 0.5 * REFUND.points
    assert _score(STRONG) == REFUND.points


def test_forbidden_phrase_costs_points() -> None:
    """Lecturing the customer (您应该) is penalised and reported."""
    result = score_answer(normalise(STRONG + "您应该早点联系我们。"), REFUND, CFG)
    assert result.points < 4.0
    assert [k.label for k in result.forbidden] == ["说教"]


def test_missing_critical_point_caps_score() -> None:
    """Without the critical apology the score cannot exceed the cap."""
    text = "我先帮您核实一下订单，二十四小时内把退款处理好，之后我会电话回访您。"
    assert _score(text) <= REFUND.points * CFG.critical_cap


@pytest.mark.parametrize(
    ("mode", "min_cues", "text", "credit"),
    [
        (MatchMode.ANY, 1, "您可以打电话给我们", 1.0),
        (MatchMode.ALL, 1, "可以打电话或者发微信", 0.0),
        (MatchMode.ALL, 1, "可以打电话、发微信，也可以用邮件联系", 1.0),
        (MatchMode.N_OF, 2, "可以打电话联系", 0.0),
        (MatchMode.N_OF, 2, "可以打电话联系，也可以发微信", 1.0),
    ],
)
def test_match_modes(mode: MatchMode, min_cues: int, text: str, credit: float) -> None:
    """any / all / n_of modes need the right number of distinct cues."""
    question = Question(id="c", section="s", points=2, language="zh", prompt="?",
                        key_points=(KeyPoint(label="渠道", cues=("电话", "微信", "邮件"),
                                             mode=mode, min_cues=min_cues),))
    result = score_answer(normalise(text), question, CFG)
    assert result.key_points[0].credit == credit


ENGLISH = Question(
    id="e1", section="s", points=4, language="en", prompt="?",
    key_points=(
        KeyPoint(label="apologise", cues=("sorry", "apologise", "apologize")),
        KeyPoint(label="check", cues=("check the order", "look into")),
        KeyPoint(label="time", cues=("today", "within 24 hours")),
        KeyPoint(label="calm", cues=("calm",)),
    ),
)


def test_english_inflections_match() -> None:
    """apologised matches the cue apologise; a short cue does not match inside another word."""
    result = score_answer(normalise("I apologised, and said I would look into it today."),
                          ENGLISH, CFG)
    credits = {k.label: k.credit for k in result.key_points}
    assert credits == {"apologise": 1.0, "check": 1.0, "time": 1.0, "calm": 0.0}


def test_english_short_cue_not_found_in_longer_word() -> None:
    """'calm' is not heard in 'caller' (words are compared whole)."""
    answer = prepare_answer(normalise("the caller was upset"))
    match = find_cue("calm", answer)
    assert match is None or match.strength < CFG.partial_credit_threshold


def test_reasons_explain_every_adjustment() -> None:
    """The score's reasons mention coverage, forbidden phrases and the critical cap."""
    result = score_answer(normalise("您应该先核实订单记录，今天处理。"), REFUND, CFG)
    text = " ".join(result.reasons)
    assert "coverage" in text and "forbidden" in text
