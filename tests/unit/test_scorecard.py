"""The phone-manner scorecard: checklist, order rules, courtesy, red flags, score, loading."""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.call.scorecard.checklist import (
    DEFAULT_SCORECARD_PATH,
    load_scorecard,
    parse_scorecard,
)
from simulator.call.scorecard.score import CallScorecard, ItemResult, score_call
from simulator.call.scorecard.speech import render_scorecard
from simulator.errors import DataFileError
from simulator.records.documents import scorecard_json
from simulator.text.normalise import to_traditional

CARD = load_scorecard()
RAW = tomllib.loads(DEFAULT_SCORECARD_PATH.read_text(encoding="utf-8"))

GOOD_ZH = [
    "您好，欢迎致电优选商城客服中心，我是客服小李，请问有什么可以帮您？",
    "您的意思是上周买的电水壶到货后不能加热，对吗？非常抱歉给您添麻烦了，理解您的心情。"
    "麻烦您提供一下订单号。",
    "谢谢您。我已经为您申请换货，今天下午三点前快递员会上门取件，新货两个工作日内送到。",
    "这样处理您满意吗？请问还有其他问题吗？",
    "好的，感谢您的来电，祝您生活愉快，再见！",
]
GOOD_EN = [
    "Good morning, thank you for calling Acme Home, my name is Sam. How can I help you today?",
    "So what you're saying is the kettle you ordered last week arrived broken. I'm so sorry "
    "about that, I understand how frustrating it is. Could you please give me the order number?",
    "Thank you. I'll send a replacement today and it should arrive within two business days. "
    "I'd be happy to email you the tracking number.",
    "Does that work for you? Is there anything else I can help you with?",
    "Thanks for your call, have a great day. Goodbye!",
]
SOLUTION_FIRST = {
    "zh": ["您好，这里是优选商城客服，我是小李，请问有什么可以帮您？",
           "您是说水壶坏了。我马上为您办理退款，今天下午到账。",
           "非常抱歉给您带来不便。请问还有其他问题吗？",
           "感谢您的来电，再见。"],
    "en": ["Hello, this is Sam at Acme. How can I help you?",
           "So the issue is a broken kettle. I'll process your refund today.",
           "I'm sorry for the trouble. Is there anything else?",
           "Thanks for your call, goodbye."],
}


def _item(card: CallScorecard, item_id: str) -> ItemResult:
    return next(item for item in card.items if item.id == item_id)


@pytest.mark.parametrize(("turns", "language"), [(GOOD_ZH, "zh"), (GOOD_EN, "en")])
def test_good_call_scores_high(turns: list[str], language: str) -> None:
    """A courteous call with every step in the right order scores at least 90."""
    card = score_call(turns, CARD, language)
    assert card.score >= 90
    assert all(item.credit == 1.0 and item.evidence for item in card.items)
    assert card.order_violations == () and card.red_flags == ()
    assert card.fix is None
    spoken = render_scorecard(card, language)
    assert str(card.score) in spoken


@pytest.mark.parametrize("language", ["zh", "en"])
def test_solution_before_apology_breaks_the_order_rule(language: str) -> None:
    """Giving the solution before apologising is an order violation, and costs points."""
    card = score_call(SOLUTION_FIRST[language], CARD, language)
    broken = [(v.first, v.second) for v in card.order_violations]
    assert ("empathy", "solution") in broken
    empathy, solution = _item(card, "empathy").position, _item(card, "solution").position
    assert empathy is not None and solution is not None and empathy > solution
    assert any(r.startswith("order rule broken") for r in card.reasons)


def test_apology_across_turns_is_positioned_over_the_call() -> None:
    """Positions run over the concatenated turns, so turn order decides."""
    card = score_call(GOOD_ZH, CARD, "zh")
    empathy, solution = _item(card, "empathy"), _item(card, "solution")
    assert (empathy.turn_index, solution.turn_index) == (1, 2)
    assert empathy.position is not None and solution.position is not None
    assert empathy.position < solution.position


def test_confirmation_after_closing_breaks_the_order_rule() -> None:
    """Saying goodbye before checking satisfaction is an order violation."""
    turns = GOOD_EN[:3] + ["Thanks for your call, goodbye. Oh, is there anything else?"]
    card = score_call(turns, CARD, "en")
    assert [(v.first, v.second) for v in card.order_violations] == [("confirm", "closing")]


@pytest.mark.parametrize(
    ("language", "turn", "label", "phrase", "context"),
    [
        ("zh", "这个您应该早点申请的，我也没办法。", "教育客户", "您应该", "这个您应该早点申请的"),
        ("zh", "退货的事不归我管，你自己去找商家吧。", "推卸责任", "不归我管", "退货的事不归我管"),
        ("zh", "这是规定，我们只能这样。", "搬出规定", "这是规定", "这是规定，我们只能"),
        ("en", "Well, you should have read the terms before buying.", "lecturing the customer",
         "you should have", "Well, you should have read the terms"),
        ("en", "Sorry, that's not my job, call the warehouse.", "passing the buck",
         "not my job", "that's not my job, call the"),
        ("en", "Please calm down, sir.", "dismissing feelings", "calm down",
         "Please calm down, sir."),
        ("en", "You didn't send the photos, so I can't help.", "blaming the customer",
         "You didn't", "You didn't send the photos"),
    ],
)
def test_red_flags_are_quoted(language: str, turn: str, label: str, phrase: str,
                              context: str) -> None:
    """Each red flag is reported with its label, the words said and their context."""
    card = score_call(["Hello.", turn] if language == "en" else ["您好。", turn], CARD, language)
    flag = next(f for f in card.red_flags if f.label == label)
    assert flag.phrase == phrase
    assert context in flag.quote
    assert flag.turn_index == 1
    assert card.fix is not None and card.fix.kind == "red_flag"


@pytest.mark.parametrize(
    ("language", "turn"),
    [
        ("zh", "不知道您现在方便吗？"),
        ("zh", "短信您应该已经收到了。"),
        ("zh", "不是没办法，我帮您想想。"),
        ("en", "If you didn't get the email, I can resend it."),
        ("en", "I don't know if you saw our text, so I'll read it out."),
    ],
)
def test_harmless_uses_are_not_red_flags(language: str, turn: str) -> None:
    """Exceptions keep polite or informative phrasings out of the red flags."""
    assert score_call([turn], CARD, language).red_flags == ()


def test_pronouns_counted_and_share_reported() -> None:
    """您 and 你 are counted (你们 is not a choice), with the share of 您."""
    turns = ["您好，你的订单我查到了。", "你们公司的地址麻烦您再说一下，你看可以吗？", "您稍等。"]
    card = score_call(turns, CARD, "zh")
    assert (card.polite_pronoun_count, card.plain_pronoun_count) == (3, 2)
    assert card.polite_share == pytest.approx(0.6)
    assert scorecard_json(card)["courtesy"]["polite_share"] == 0.6


def test_courtesy_markers_skip_exceptions() -> None:
    """请 inside 申请 is not a courtesy marker; 请问 is."""
    card = score_call(["请问您是要申请退款吗？谢谢。"], CARD, "zh")
    counts = {c.label: c.count for c in card.courtesy}
    assert counts["请"] == 1 and counts["谢谢"] == 1


def test_english_courtesy_markers() -> None:
    """please, thank you and "I'd be happy to" are counted on word boundaries."""
    card = score_call(["Please hold. Thank you! I'd be happy to help. Thanks."], CARD, "en")
    counts = {c.label: c.count for c in card.courtesy}
    assert counts == {"please": 1, "thank you": 2, "happy to help": 1}


@pytest.mark.parametrize("turns", [GOOD_ZH, SOLUTION_FIRST["zh"],
                                   ["这是规定，你自己去查。", "您好，再见"]])
def test_traditional_characters_give_the_same_card(turns: list[str]) -> None:
    """The same call in traditional characters scores and quotes identically."""
    simplified = score_call(turns, CARD, "zh")
    traditional = score_call([to_traditional(t) for t in turns], CARD, "zh")
    assert traditional == simplified


def test_solution_without_a_time_earns_half() -> None:
    """A solution without a time gets half credit and the partial tip."""
    card = score_call(["您好，我是小李。", "我马上为您办理退款。"], CARD, "zh")
    solution = _item(card, "solution")
    assert solution.credit == 0.5
    assert "时间" in solution.advice


def test_time_in_another_turn_does_not_complete_the_solution() -> None:
    """A with-cue (a time) only counts in the same turn as the solution."""
    card = score_call(["今天有什么可以帮您？", "我会为您办理退款。"], CARD, "zh")
    assert _item(card, "solution").credit == 0.5


def test_greeting_without_name_earns_half() -> None:
    """A greeting without the company or a name gets half credit."""
    card = score_call(["Hello, how can I help you?"], CARD, "en")
    assert _item(card, "greeting").credit == 0.5


def test_reasons_explain_the_arithmetic() -> None:
    """The reasons give the checklist, courtesy, penalties and the total."""
    card = score_call(SOLUTION_FIRST["en"], CARD, "en")
    assert card.reasons[0].startswith("checklist:")
    assert card.reasons[1].startswith("courtesy:")
    assert card.reasons[-1].startswith("total:") and card.reasons[-1].endswith(
        f"-> {card.score}/100")
    expected = round(card.checklist_points + card.courtesy_points
                     - 10 * len(card.order_violations) - 10 * len(card.red_flags))
    assert card.score == max(0, min(100, expected))


def test_fix_is_the_biggest_loss() -> None:
    """Without red flags, the one thing to fix is the item that cost most."""
    turns = [t for t in GOOD_EN if "sorry" not in t]  # drops the restate and the apology turn
    card = score_call(turns, CARD, "en")
    assert card.fix is not None and card.fix.kind == "item"
    assert card.fix.label == "the apology and empathy"
    assert card.fix.advice in render_scorecard(card, "en")


def test_empty_call() -> None:
    """A call with nothing said is not scored and says so."""
    card = score_call(["", "  "], CARD, "zh")
    assert card.heard_nothing and card.score == 0
    assert render_scorecard(card, "zh") == RAW["zh"]["speech"]["empty"]


def test_scorecard_json_is_plain_json() -> None:
    """The session record serialises with json."""
    record = scorecard_json(score_call(SOLUTION_FIRST["zh"] + ["这是规定。"], CARD, "zh"))
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record
    assert record["red_flags"][0]["quote"]
    assert record["order_violations"][0]["first"] == "empathy"


def test_render_refuses_another_language() -> None:
    """The summary is spoken in the card's own language."""
    with pytest.raises(ValueError):
        render_scorecard(score_call(GOOD_EN, CARD, "en"), "zh")


def test_unknown_language_names_the_file() -> None:
    """Asking for a language the file lacks raises DataFileError naming the file."""
    with pytest.raises(DataFileError, match="scorecard.toml.*no \\[fr\\] checklist"):
        score_call(["Bonjour"], CARD, "fr")


def _broken(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["zh"].pop("items"), "[zh]: field 'items'"),
        (lambda d: d["en"]["items"][0].pop("cues"), "en item 1 (greeting): field 'cues'"),
        (lambda d: d["zh"]["items"][2].update(weight=0), "(restate): field 'weight'"),
        (lambda d: d["zh"]["order"][0].update(first="apology"),
         "zh order rule 1: field 'first' is 'apology'"),
        (lambda d: d["scoring"].update(courtesy_points=30), "add up to 100"),
        (lambda d: d["en"]["speech"].pop("fix"), "[en].speech: missing key 'fix'"),
        (lambda d: d["en"]["speech"].update(score="{points}"), "unknown placeholder {points}"),
        (lambda d: d["zh"]["red_flags"][1].pop("tip"), "zh red flag 2 (推卸责任): field 'tip'"),
        (lambda d: d["zh"]["items"][6].update(position="end"), "field 'position'"),
        (lambda d: d["en"]["items"].append(dict(d["en"]["items"][0])), "duplicate item id"),
    ],
)
def test_invalid_scorecard_names_file_and_field(change: Callable[[dict[str, Any]], object],
                                                 message: str) -> None:
    """Validation errors name the source, the entry and the field."""
    with pytest.raises(DataFileError) as caught:
        parse_scorecard(_broken(change), source="cards/test.toml")
    assert "cards/test.toml" in str(caught.value) and message in str(caught.value)


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    """A missing or malformed file raises DataFileError naming it."""
    missing = tmp_path / "none.toml"
    with pytest.raises(DataFileError, match="none.toml"):
        load_scorecard(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text("[zh\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="bad.toml: TOML syntax error"):
        load_scorecard(bad)
