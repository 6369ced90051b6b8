"""How an answer talks (`simulator.scoring.register.py`): careless words counted when said,
not when denied; platitudes; concrete details; who acts in it."""

from __future__ import annotations

import pytest

from simulator.bank.loader import resolve_bank
from simulator.feedback import load_templates, render_feedback
from simulator.scoring.clauses import split_clauses
from simulator.scoring.judge import Judge
from simulator.scoring.register import (
    careless_share,
    commentary_count,
    concrete_share,
    platitude_count,
    speaker_share,
)


@pytest.mark.parametrize(("text", "language", "share"), [
    ("反正技术部总会修好的，我也没再管。", "zh", 1 / 3),
    ("我就偷偷按我的办法做，随便找个理由，反正领导也不看。", "zh", 1.0),
    ("我不会随便答应客户，也没偷偷按自己的来，不敷衍。", "zh", 0.0),
    ("不管他买不买，我都会把意见记下来。", "zh", 0.0),
    # a rambler's "anyway", not a shrug
    ("反正就是，我就先跟着他们的方式来，我自己那部分还是会记一下。", "zh", 0.0),
    ("I'd secretly close the ticket, it's not my problem.", "en", 2 / 3),
    ("I would never fob them off, and I'd never secretly close a ticket.", "en", 0.0),
    ("I'd apologise, check the order and call them back by five.", "en", 0.0),
])
def test_careless_words_count_unless_denied(text: str, language: str, share: float) -> None:
    assert careless_share(split_clauses(text, language), language) == pytest.approx(share)


def test_a_shrugging_answer_reads_more_like_bad_practice(judge: Judge) -> None:
    """The same careless steps read as more likely bad practice with the shrug than without."""
    question = resolve_bank("cs-zh").question("12")
    plain = "我会跟客户说再等两天，先不用去查系统，快递早晚会到。"
    shrug = "反正快递早晚会到，我就随便跟客户说再等两天，懒得去查系统。"
    belief = [judge.calibration.breach.probability(judge.measure(t, question).gate_features)
              for t in (plain, shrug)]
    assert belief[1] > belief[0]


def test_platitudes_and_concrete_details_are_counted() -> None:
    vague = split_clauses("我觉得服务态度最重要，只要用心对待客户，就一定能让客户满意。", "zh")
    concrete = split_clauses("我先跟他道歉，查一下单号，告诉他今天下午五点前发出。", "zh")
    assert platitude_count(vague, "zh") >= 0.5 and concrete_share(vague, "zh") == 0.0
    assert platitude_count(concrete, "zh") == 0.0 and concrete_share(concrete, "zh") > 0.0
    en = split_clauses("I'd always keep a positive attitude and go the extra mile.", "en")
    assert platitude_count(en, "en") == 0.25


def test_small_talk_around_platitudes_does_not_hide_them(judge: Judge) -> None:
    """The count of stock phrases is not diluted by talk about something else, and the
    concrete details of that talk do not count: the padded answer is still vague."""
    question = resolve_bank("cs-zh").question("12")
    platitudes = ("我觉得遇到这种情况，最重要的是态度要真诚，站在客户的角度想问题。只要我们用心"
                  "服务，积极沟通，相信客户一定能理解。总之客户满意是我们始终的追求。")
    padded = platitudes + "我周末常去爬山，上个月爬了3次。楼下新开了一家面馆，牛肉面18块一碗。"
    assert judge.score(padded, question).vague


def test_an_answer_of_platitudes_is_scaled_down_and_told_why(judge: Judge) -> None:
    """General statements about service earn little and the feedback asks for steps; an
    answer that says what one would do, in plain words, is not called vague."""
    question = resolve_bank("cs-zh").question("12")
    platitudes = ("我觉得遇到这种情况，最重要的是态度要真诚，站在客户的角度想问题。只要我们用心"
                  "服务，积极沟通，相信客户一定能理解。总之客户满意是我们始终的追求。")
    steps = ("真不好意思让您久等了。我这就去后台查一下这单卡在哪，查清楚了跟您说个准话，今天"
             "下午五点前给您发出去，运费我们出。发出去以后我再打电话问问您收到没有。")
    vague = judge.score(platitudes, question)
    assert vague.vague and vague.fraction <= 0.3, vague.reasons
    assert "表态" in render_feedback(vague, "zh", load_templates()).text
    assert not judge.score(steps, question).vague


@pytest.mark.parametrize(("text", "language", "speaker"), [
    ("我先跟他道歉，再去查物流，然后告诉他今天下午能发出。", "zh", 1.0),
    ("您别着急，我们马上帮您核实。", "zh", 1.0),
    ("我以前在超市做过收银的兼职，实习的时候还用过CRM系统。", "zh", 0.5),
    ("I worked on a hotel front desk for two years.", "en", 1.0),
    ("我觉得定价很复杂，公司应该多做市场调研，企业最好提前布局。", "zh", 0.0),
    ("I'd apologise first, then check the order, and call him back by five.", "en", 1.0),
    ("Most companies raise prices when costs go up, and businesses should explain it better.",
     "en", 0.0),
    ("Honestly it was the weather, the traffic was awful.", "en", 0.0),
])
def test_who_acts_in_an_answer(text: str, language: str, speaker: float) -> None:
    """The share of clauses in which the speaker acts or speaks to the customer (comment on
    what companies or people in general do is not): a feature of the off-topic belief."""
    assert speaker_share(split_clauses(text, language), language) == pytest.approx(speaker)


@pytest.mark.parametrize(("text", "language", "count"), [
    ("说到投诉，我觉得根本原因是流程太长，公司应该把语音菜单砍到3层。", "zh", 1.0),
    ("我觉得企业最好多做自助服务。", "zh", 0.5),
    ("我先跟他道歉，再帮他查物流，今天下午给他回电话。", "zh", 0.0),
    ("公司不应该让客户等太久，所以我会先回他一句。", "zh", 0.5),
    ("Honestly the root cause is the phone menu; companies should cut it to three options.",
     "en", 1.0),
    ("I'd apologise, check the order and ring them back by five.", "en", 0.0),
    # A story's "they" is the customer or the other team, not the trade.
    ("I messaged the person on shift and asked when they could look at it.", "en", 0.0),
    ("They said they have to check the logs first, so I rang her back.", "en", 0.0),
    ("Head office should stop changing the rules, and the company could train people.",
     "en", 1.0),
    # 主要/重要/只要/要求 are no "must", nor is the complement 得; the modal still counts.
    ("我在银行柜台那几年，银行对客户信息管得特别严。", "zh", 0.0),
    ("我离开上一家公司主要是想多学点东西。", "zh", 0.0),
    ("那次促销，市场部的条款写得不清楚，我们就接了好多电话。", "zh", 0.0),
    ("我觉得公司要把条款写清楚，平台也需要多做宣传。", "zh", 1.0),
])
def test_comment_on_what_companies_should_do_is_counted(text: str, language: str,
                                                        count: float) -> None:
    """A drifting answer says how things should be run, either way ("公司不应该…" too); an
    answer says what the speaker does."""
    assert commentary_count(split_clauses(text, language), language) == pytest.approx(count)
