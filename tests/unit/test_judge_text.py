"""The judge's text stages: clauses, list structure, negation."""

from __future__ import annotations

import pytest

from simulator.scoring.clauses import meaning_spans, split_clauses
from simulator.scoring.negation import is_negative, negated_before
from simulator.scoring.structure import check_list
from simulator.text.normalise import normalise


def test_clauses_follow_punctuation_and_keep_offsets() -> None:
    """Clauses split at either width of punctuation, not inside 1.5 or 2,499."""
    text = "我会先道歉,再查订单。费用是2,499元或者1.5元!好的"
    clauses = split_clauses(text, "zh")
    assert [c.text for c in clauses] == ["我会先道歉", "再查订单", "费用是2,499元或者1.5元", "好的"]
    assert all(text[c.start:c.end] == c.text for c in clauses)


def test_long_unpunctuated_speech_is_cut_into_pieces() -> None:
    """A stretch longer than a clause is cut, so no single clause holds a whole answer."""
    clauses = split_clauses("我" * 95, "zh")
    assert len(clauses) == 4 and all(len(c.text) <= 30 for c in clauses)


def test_fragments_between_pause_commas_are_read_together() -> None:
    """Whisper's ASCII pause commas cut "这件事挺,有意义的": each fragment is read for meaning
    with its neighbours up to six characters, never across a full stop or a written "，"."""
    clauses = split_clauses("我觉得做客服能帮别人,解决问题。这件事挺,有意义的,我以前,在超,是做过"
                            "收音的坚持。实习的时候，还用过系统", "zh")
    texts = [c.text for c in clauses]
    spans = dict(zip(texts, meaning_spans(clauses, "zh"), strict=True))
    assert spans["我觉得做客服能帮别人"] == (0, 0)  # long enough alone
    assert spans["解决问题"] == (0, 1)  # the end of its sentence: read with the one before
    assert spans["这件事挺"] == (2, 3)
    assert spans["在超"] == (5, 6)
    assert spans["实习的时候"] == (7, 7)  # a written comma: people punctuate phrases
    assert meaning_spans(clauses, "en") == tuple((i, i) for i in range(len(clauses)))


def test_a_spoken_list_stays_a_list() -> None:
    """Read together for meaning, the terms of a spoken list are still its clauses."""
    clauses = split_clauses("道歉,安抚,核实,补偿,跟进", "zh")
    assert len(clauses) == 5 and check_list(clauses, "zh").bare_share == 1.0
    assert meaning_spans(clauses, "zh")[0] == (0, 2)


def test_traditional_clauses_are_encoded_in_simplified_script() -> None:
    """What the encoder reads is simplified (examples are written in simplified)."""
    assert split_clauses("我會先道歉", "zh")[0].plain == "我会先道歉"


@pytest.mark.parametrize(("text", "language", "is_list"), [
    ("道歉，安抚，核实，补偿，跟进，记录。", "zh", True),
    ("首先安抚情绪，然后核实身份，接着冻结账户，最后跟进回复。", "zh", True),
    ("首先是热爱服务，其次是沟通能力强，然后是抗压能力好。", "zh", True),
    ("我会先跟客户道歉，然后核实订单，最后给客户补偿。", "zh", False),
    ("嗯，那个，我会先道歉，然后，嗯，马上帮他查一下订单。", "zh", False),
    ("我会主动联系客户，按公司规定给出补救方案，并总结原因。", "zh", False),
    ("其他同事协助，逐一回访，系统备注。", "zh", True),
    ("请听共情，道歉安抚，聚焦问题，给出方案啊，跟进吧。", "zh", True),  # as Whisper hears it
    ("Apologise, empathise, verify, compensate, follow up.", "en", True),
    ("First identify the issue, then contact the right team, then update the customer.",
     "en", True),
    ("I'd say sorry first, then I'd check the order and tell them when it ships.", "en", False),
    ("Um, so, at my old job, uh, I had a customer who was really upset.", "en", False),
    # A frame that announces the list says nothing; 先 is a sequence word; "甲和乙" is a term.
    ("我的做法是：先登记问题，再查系统记录和历史工单，然后升级处理，最后回访。", "zh", True),
    ("我就讲几点吧：耐心倾听，情绪安抚和问题确认，方案落实。", "zh", True),
    ("我会先把系统记录和历史工单都翻一遍，再打电话告诉客户结果。", "zh", False),
    # 一是/二是 once normalised are "1是"/"2是"; "有耐心" in a list is a trait named.
    ("一是热心肠，二是有耐心，三是有客服经验，还有抗压能力强。", "zh", True),
    ("我有耐心，也有经验，之前在银行做了两年柜员，每天要接待上百位客户。", "zh", False),
    ("First, log the complaint. Next, review the account history and past tickets. "
     "Then escalate. Finally, follow up.", "en", True),
    # Steps recited with glue inside their terms (的, 并) and no person anywhere; the same
    # steps said by someone are speech. Not opened by sequence words, four such phrases are
    # still a list (the telegraphic rule since the twentieth session: a key point's labels
    # recited read like this); said by the speaker, speech.
    ("首先婉拒请求，然后说明公司的保密规定，接着安抚对方的情绪，最后登记并上报。", "zh", True),
    ("首先我会婉拒，然后说明公司的保密规定，接着安抚他的情绪，最后登记并上报。", "zh", False),
    ("婉拒请求要有礼貌，说明公司的保密规定，安抚对方的情绪，登记并上报给主管。", "zh", True),
    ("我会礼貌地婉拒请求，说明公司的保密规定，安抚对方的情绪，再登记并上报给主管。", "zh", False),
    ("First, decline politely. Then explain the privacy rules of the bank. Next, calm the "
     "caller down with a plan. Finally, record it and report it to the team lead.", "en", True),
    ("First, I decline politely. Then I explain the privacy rules of the bank. Finally, I "
     "record it.", "en", False),
])
def test_lists_are_recognised_by_structure(text: str, language: str, is_list: bool) -> None:
    """Bare terms (with or without sequence words) make a list; spoken clauses do not, and
    fillers or sentence fragments do not count as terms."""
    found = check_list(split_clauses(text, language), language)
    assert found.is_list(min_bare_share=0.6, max_spoken_clauses=2) == is_list


def test_a_long_list_may_hold_a_few_spoken_steps() -> None:
    """Fourteen steps recited, four of them short verb phrases with glue ("让他把话说完",
    "给个方案"), are still a list once the spoken share is allowed for; steps said by
    someone who acts are speech either way."""
    recited = ("保持冷静，不往心里去，让他把话说完，道歉，安抚情绪，表示理解，复述问题，核实信息，"
               "查记录，给个方案，说清楚时间，登记，回访，转主管。")
    spoken = ("我会先让他把话说完，不插话，然后跟他道歉，说我理解他着急，再把问题复述一遍，"
              "核实订单信息，告诉他今天下午五点前给方案，最后登记下来，第二天我再回访他。")
    long_list = check_list(split_clauses(recited, "zh"), "zh")
    assert long_list.is_list(0.6, 2, max_spoken_share=0.3)
    said = check_list(split_clauses(spoken, "zh"), "zh")
    assert not said.is_list(0.6, 2, max_spoken_share=0.3)


@pytest.mark.parametrize(("text", "language", "telegraphic"), [
    # Short phrases, a few with glue ("让她讲完", "尽快处理", "说明要等多久"): a list.
    ("致歉，谢谢耐心，不推脱，让她讲完，重复一遍诉求，尽快处理，说明要等多久，留电话，再致歉。",
     "zh", True),
    ("Say sorry. Listen fully. Repeat it back. Give a timeframe. Thank them. Log it.", "en",
     True),
    # The same steps said by someone to someone, or too few of them, are speech.
    ("我先致歉，谢谢您耐心，不推脱，让您讲完，尽快处理，说明要等多久。", "zh", False),
    ("致歉，尽快处理，留电话。", "zh", False),
    # Four phrases of the key points' labels, commas or 、 between them: a list too.
    ("明确表示可以接受、理解这是行业特点、管理好作息和身体、安排好个人和家庭的事。", "zh", True),
    ("说出至少两个常用指标，解释指标的含义，平衡速度和质量，不为刷指标牺牲客户。", "zh", True),
    ("Use at least two security checks, share nothing until they pass, explain it's for their "
     "security, never ask for the full password, offer another way if they fail.", "en", True),
    ("I'd say sorry. Listen fully. Repeat it back. Give a timeframe. Thank them. Log it.",
     "en", False),
    # Short sentences that tell a story are longer on average than terms.
    ("那天下午系统突然崩了，门店客户排成长队，同事们都急得团团转，组长挨个登记来电号码，"
     "承诺两个小时之内回电，最后当天全部回访完毕。", "zh", False),
    # Imperatives about the customer ("他") in phrases of five to seven characters: a list.
    ("先让他说完，别急着说他不对，问清他怎么理解，用大白话解释，当面演示，请他自己试一遍，"
     "确认他明白了。", "zh", True),
    # A frame that announces the list says nothing itself, though "我" or "my" is in it.
    ("我的做法是：先道歉，让他说完，马上处理，说明要多久，事后回访。", "zh", True),
    ("My approach is: apologise, let them vent, check the order, fix it fast, follow up.",
     "en", True),
    ("So here's what I'd do: say sorry, hear them out, check the account, sort it, follow up.",
     "en", True),
    # After the frame the speaker acts in the steps: speech.
    ("我的做法是：我先道歉，让他说完，马上处理，说明要多久，事后回访。", "zh", False),
    ("My approach is: I apologise, let them vent, check the order, fix it fast, follow up.",
     "en", False),
])
def test_many_short_phrases_with_no_one_acting_are_a_list(text: str, language: str,
                                                          telegraphic: bool) -> None:
    """Four clauses or more, short on average, none with the speaker or the customer in it: a
    list even where the term count reads a few phrases as spoken."""
    found = check_list(split_clauses(text, language), language)
    assert found.telegraphic == telegraphic
    assert found.is_list(0.6, 2, 0.3) or not telegraphic
    if telegraphic:
        assert "no one said to do them" in found.why()


def test_a_timeline_marker_is_no_term() -> None:
    """"第一年" or "第二阶段" opens a step of a plan the way 首先 does; it is not a bare term
    (a plan told year by year was taken for a list of terms)."""
    found = check_list(split_clauses("第一年，我先把产品学熟。第二阶段，我想带新人。", "zh"),
                       "zh")
    assert found.bare == (False, False, False, False)
    assert found.bare_terms == 0


@pytest.mark.parametrize(("clause", "phrase", "negated"), [
    ("我不会把他的电话给你", "电话给你", True),
    ("我就把他电话给你", "电话给你", False),
    ("真不好意思让您久等了", "让您久等", False),
    ("我绝对不会跟客户吵", "跟客户吵", True),
    ("I wouldn't give out his number", "give out his number", True),
    ("I'd give out his number", "give out his number", False),
    ("a patient person who rarely loses his temper", "loses his temper", True),
    ("I seldom raise my voice", "raise my voice", True),
    ("it takes a lot to make me lose my temper", "lose my temper", True),
    ("it takes a lot of practice to stay calm", "stay calm", False),
    ("我很少跟客户发脾气", "发脾气", True),
    ("我就说没问题肯定赔", "肯定赔", False),
    ("没问题，我不会把他的电话给你", "电话给你", True),
])
def test_negation_before_a_phrase(clause: str, phrase: str, negated: bool) -> None:
    """A negating word before the phrase turns it around; 不好意思 and 没问题 are no
    negation."""
    language = "en" if clause.isascii() else "zh"
    text = normalise(clause).replace(" ", "") if language == "zh" else normalise(clause)
    target = normalise(phrase).replace(" ", "") if language == "zh" else normalise(phrase)
    assert negated_before(text, text.find(target), language) == negated


def test_whole_clause_polarity() -> None:
    """is_negative reads the whole clause."""
    assert is_negative("客户没发现就不告诉他", "zh")
    assert not is_negative("我马上告诉他", "zh")


def test_recited_steps_padded_with_small_talk_are_still_a_list() -> None:
    """Steps are read in the clauses about the question: small talk with "我" added around
    them does not hide them; two sequence words in a few clauses about it are no recital."""
    steps = "首先婉拒请求，然后说明公司的保密规定，接着安抚对方的情绪，最后登记并上报。"
    padded = steps + "我周末一般去爬山，山上空气特别好。"
    clauses = split_clauses(padded, "zh")
    about = [i < 4 for i in range(len(clauses))]
    assert not check_list(clauses, "zh").recited
    assert check_list(clauses, "zh", about=about).recited
    vague = split_clauses("我认为服务会越来越好，同时，服务会更多元，与时俱进。", "zh")
    assert not check_list(vague, "zh", about=[False, True, True, True]).recited
