"""Stories told in an answer and the key points that ask for a part of one (`story.py`).

The answers here are written for these tests (not from the evaluation set)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.bank.loader import resolve_bank
from simulator.scoring.clauses import split_clauses
from simulator.scoring.judge import Judge
from simulator.scoring.story import load_story_cues, point_roles, story_parts
from tests.fakes import broken_file_message

CUES = load_story_cues()
ZH_STORY = ("印象最深的是去年冬天，有位大爷的暖气坏了三天，打电话来的时候嗓子都哑了。我先跟他说"
            "您别着急，我马上帮您查。我查到维修单一直没派出去，就直接给片区的师傅打了电话，"
            "又把大爷的情况跟组长报了加急。师傅当天晚上就上门修好了。第二天我又打过去问，大爷"
            "说屋里暖和了，还给我们写了封感谢信。")
EN_STORY = ("One time a woman rang because her card had been charged twice for her rent. She was "
            "scared she'd bounce the next payment. I apologised and pulled up both charges while "
            "she was on the line. I called the payments team and asked them to reverse the "
            "duplicate that day, and I gave her my extension. The refund came through that "
            "afternoon, and in the end she said she'd stay with us.")


def parts(text: str, language: str) -> dict[str, str]:
    clauses = split_clauses(text, language)
    return {role: clauses[k].text
            for role, k in story_parts(clauses, language, CUES[language]).items()}


@pytest.mark.parametrize("label, language, roles", [
    ("讲出结果", "zh", ("result",)), ("交代清楚当时的情况", "zh", ("scene",)),
    ("主动采取行动", "zh", ("action",)), ("用具体经历支撑", "zh", ("example",)),
    ("gives the outcome", "en", ("result",)), ("says how it turned out", "en", ("result",)),
    ("sets the scene", "en", ("scene",)), ("took concrete action", "en", ("action",)),
    ("gives an example", "en", ("example",)), ("backs it up with experience", "en", ("example",)),
    # Content points that share a word with a role ask for no part of a story.
    ("跟进处理结果", "zh", ()), ("简要交代教育背景", "zh", ()), ("处理复杂和特殊情况", "zh", ()),
    ("keeps learning", "en", ()), ("confirms next steps", "en", ()),
])
def test_a_points_label_names_the_part_of_a_story_it_asks_for(label: str, language: str,
                                                              roles: tuple[str, ...]) -> None:
    assert point_roles(label, CUES[language]) == roles


def test_a_mandarin_story_tells_its_scene_action_and_result() -> None:
    told = parts(ZH_STORY, "zh")
    assert told["scene"] == told["example"] == "印象最深的是去年冬天"
    assert told["action"].startswith("我先跟他说")
    assert told["result"].startswith("第二天我又打过去问")


def test_the_same_story_in_traditional_characters_tells_the_same_parts() -> None:
    traditional = ZH_STORY.replace("后", "後").replace("说", "說").replace("们", "們").replace(
        "时", "時").replace("记", "記").replace("给", "給").replace("电话", "電話")
    assert parts(traditional, "zh").keys() == parts(ZH_STORY, "zh").keys()


def test_an_english_story_tells_its_scene_action_and_result() -> None:
    told = parts(EN_STORY, "en")
    assert told["scene"] == ("One time a woman rang because her card had been charged twice "
                             "for her rent")
    assert told["action"] == ("I apologised and pulled up both charges while she was on "
                              "the line")
    assert told["result"] == "and in the end she said she'd stay with us"


def test_a_story_without_a_marker_is_read_from_the_speakers_past_acts() -> None:
    text = ("At the depot we had a driver who'd left a parcel in the rain. I rang the customer "
            "first. I told her what had happened. We sent a new one by courier, and it turned "
            "out she only needed it for Friday.")
    assert set(parts(text, "en")) == {"example", "scene", "action", "result"}


def test_work_done_before_is_an_example_but_no_story() -> None:
    assert parts("我在银行柜台干了四年，每天都要跟着急的客人打交道，所以我不怕被催。", "zh") == {
        "example": "我在银行柜台干了四年"}
    assert set(parts("I worked on a returns desk for two years, so angry people don't rattle "
                     "me.", "en")) == {"example"}


@pytest.mark.parametrize("text, language", [
    ("我会先道歉，然后查一下订单，了解清楚情况，最后给他一个明确的时间，第二天再回访。", "zh"),
    ("每一次遇到这种情况，我都会先安抚客户，一次性把问题问清楚，再给出处理时间。", "zh"),
    ("我会先把情况了解清楚，再把处理结果告诉客户，最后做好记录。", "zh"),
    ("First I'd apologise. Then I'd check the order. Once I have verified it, I will tell him "
     "when it ships, and I'll follow up the next day.", "en"),
    ("I need to verify the account, I need to explain why, and I need to log it.", "en"),
])
def test_a_procedure_in_the_future_or_in_general_is_no_story(text: str, language: str) -> None:
    assert parts(text, language) == {}


def test_the_judge_credits_the_parts_a_story_tells_and_quotes_them(judge: Judge) -> None:
    question = resolve_bank("cs-zh").question("3")
    score = judge.score(ZH_STORY, question)
    by_label = {k.label: k for k in score.key_points}
    result = by_label["讲出结果"]
    assert result.credit == 1.0
    assert any(e.method == "story" and e.heard.startswith("第二天") for e in result.evidence)
    assert by_label["交代清楚当时的情况"].credit == 1.0
    assert score.fraction >= 0.6, score.reasons


def test_a_procedure_earns_no_part_of_a_story(judge: Judge) -> None:
    question = resolve_bank("cs-en").question("6")
    score = judge.score("I'd stay calm, listen to them, apologise, and then I'd sort out the "
                        "problem and tell them how long it will take.", question)
    assert not any(e.method == "story" for k in score.key_points for e in k.evidence)
    assert {k.label: k.credit for k in score.key_points}["sets the scene"] == 0.0


def test_a_story_of_bad_practice_stays_capped(judge: Judge) -> None:
    """Telling the parts of a story earns nothing back when what the speaker did is a breach."""
    question = resolve_bank("cs-zh").question("3")
    text = ("有一次有个客户一直骂人，我当时也火了，就跟他吵起来了，最后我直接把电话挂了。后来他"
            "投诉到主管那里，我被扣了绩效。")
    score = judge.score(text, question)
    assert score.breaches
    assert score.fraction <= 0.1, score.reasons


@pytest.mark.parametrize("body, complaint", [
    ('[zh]\nstory = ["("]\n', "must be a table with a 'points' table"),
    ('[zh.points]\nresult = ["("]\n', "is not a regular expression"),
    ('[zh.points]\nplot = ["x"]\n', "unknown"),
    ('[fr.points]\nresult = ["x"]\n', "unknown"),
    ('[zh.points]\nresult = ["结果"]\n', "field 'story' must be a non-empty list"),
])
def test_a_broken_story_file_is_one_line_naming_it(tmp_path: Path, body: str,
                                                   complaint: str) -> None:
    message = broken_file_message(tmp_path, "story.toml", body, load_story_cues)
    assert re.search(complaint, message), message
