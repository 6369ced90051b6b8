"""The call reads the trainee by the same judge as practice: a concrete time in any words is
a solution, blame-shifting in any words is a red flag, an off-topic time calms no one."""

from __future__ import annotations

from simulator.call.branches import choose_branch
from simulator.call.loop import run_call
from simulator.call.scenario import resolve_scenario
from simulator.call.scorecard.checklist import load_scorecard
from simulator.call.scorecard.score import score_call
from simulator.config import ScoringConfig
from simulator.speech.transcript import Transcript
from simulator.text.normalise import normalise
from tests.fakes import real_judge
from tests.unit.test_call import SETTINGS, _parts

CARD = load_scorecard()
THRESHOLD = ScoringConfig().fuzzy_threshold


def _transcript(text: str, language: str) -> Transcript:
    return Transcript(text=text, normalised=normalise(text), language=language)


def test_a_promised_time_in_any_words_is_a_solution() -> None:
    """"今天下午五点前一定给您发出" does the solution item; the fix is no longer to give one."""
    turns = ["您好，这里是客服小王，请问有什么可以帮您？",
             "非常抱歉，您的订单因为系统故障没发出，今天下午五点前一定给您发出。"]
    card = score_call(turns, CARD, "zh")
    solution = next(item for item in card.items if item.id == "solution")
    assert solution.credit == 1.0
    assert card.fix is None or card.fix.label != solution.label


def test_a_time_in_a_greeting_is_not_a_solution() -> None:
    """"今天有什么可以帮您" names a day but promises nothing."""
    card = score_call(["您好，今天有什么可以帮您？"], CARD, "zh")
    assert next(item for item in card.items if item.id == "solution").credit == 0.0


def test_blame_shifting_in_other_words_is_a_red_flag() -> None:
    """"又不是我的问题" is not one of the red-flag phrases; the judge hears it as blame."""
    judge = real_judge()
    turns = ["您好，请问有什么可以帮您？", "又不是我的问题，您冲我发火也没用。"]
    card = score_call(turns, CARD, "zh",
                      bad_practice=[judge.bad_practice(text, "zh") for text in turns])
    assert card.red_flags and card.red_flags[0].phrase == "又不是我的问题"
    assert card.fix is not None and card.fix.kind == "red_flag"


def test_english_blame_in_other_words_is_a_red_flag() -> None:
    """"That's not my problem, you should have read the terms" is two red flags."""
    judge = real_judge()
    text = "That's not my problem, you should have read the terms."
    card = score_call([text], CARD, "en", bad_practice=[judge.bad_practice(text, "en")])
    assert len(card.red_flags) >= 1


def test_an_off_topic_time_does_not_satisfy_the_customer() -> None:
    """In en-long-wait (broadband down), "sorry, your order ships today" is an apology with no
    time for the engineer: the customer still asks when someone will come."""
    scenario = resolve_scenario("en-long-wait")
    judge = real_judge()
    step = scenario.start_step
    for text, wanted in [("Sorry about that, your order will be shipped today.", "wants_time"),
                         ("I'm so sorry you waited that long. I can book an engineer for "
                          "tomorrow morning.", "satisfied")]:
        on_topic = judge.relevance(text, "en", scenario.topic_texts) >= \
            ScoringConfig().on_topic_similarity
        choice = choose_branch(step, _transcript(text, "en"), "en",
                               fuzzy_threshold=THRESHOLD, on_topic=on_topic)
        assert choice.branch.goto == wanted, choice.reasons


def test_the_call_loop_uses_the_judge_for_red_flags() -> None:
    """A whole call: the blame-shifting turn ends up in the scorecard's red flags."""
    parts, customer, _ = _parts(["又不是我的问题，系统坏了我也没办法。", "您自己等着吧。"])
    result = run_call(resolve_scenario("zh-order-not-shipped"), customer, parts, SETTINGS)
    assert any("责任" in flag.label or flag.phrase for flag in result.scorecard.red_flags)
