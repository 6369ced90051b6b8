"""The judge on each kind of answer, with the real encoder: own words, lists, breaches said
and refused, off-topic answers, English, imported banks, evidence and feedback.

The answers here are written for these tests (they are not from the evaluation set, which
`scripts/eval_scoring.py` measures)."""

from __future__ import annotations

import dataclasses

import pytest

from simulator.bank.importer import import_document
from simulator.bank.loader import resolve_bank
from simulator.feedback import load_templates, render_feedback
from simulator.scoring.evidence import PointEvidence
from simulator.scoring.judge import Judge
from simulator.scoring.votes import point_votes

ZH = resolve_bank("cs-zh")
EN = resolve_bank("cs-en")
SHIPPING_ZH = ZH.question("12")
PRIVACY_ZH = ZH.question("16")
SHIPPING_EN = EN.question("2")
PRIVACY_EN = EN.question("3")


def test_complete_answer_in_own_words_scores_high(judge: Judge) -> None:
    """Every point said in everyday words, with no textbook terms, earns most of the marks."""
    text = ("真是不好意思，让您白等了这么多天。我这就去后台看看您这单卡在哪一步了，是不是库存"
            "的问题。查清楚以后我跟您说个准话，今天下午五点以前肯定给您发出去。这次让您受累"
            "了，运费我们出，再给您一张二十块的券。东西寄出去以后我再打电话问问您收到没有。")
    score = judge.score(text, SHIPPING_ZH)
    assert score.fraction >= 0.75, score.reasons
    assert not score.breaches and not score.list_like


@pytest.mark.parametrize("text", [
    "道歉，安抚，核实，补偿，跟进，记录。",
    "道歉,安抚,核实,补偿,跟进,记录。",  # as Whisper writes a spoken list
    "首先道歉，然后核实，接着补偿，最后跟进。",
    "道歉安抚核实补偿跟进",
])
def test_a_list_of_terms_never_reaches_half_marks(judge: Judge, text: str) -> None:
    """A list, with or without 首先/然后 between the terms (or punctuation), is flagged and
    stays below half marks; where the points alone would earn more, the cap says why."""
    score = judge.score(text, SHIPPING_ZH)
    assert score.fraction < 0.5
    assert score.list_like
    coverage = sum(k.weight * k.credit for k in score.key_points) / sum(
        k.weight for k in score.key_points)
    if coverage > judge.calibration.list_cap:
        assert any("list of terms" in reason for reason in score.reasons)


@pytest.mark.parametrize("text", [
    "Apologise, empathise, verify, compensate, follow up.",
    "First apologise, then verify, then compensate, and finally follow up.",
])
def test_an_english_list_never_reaches_half_marks(judge: Judge, text: str) -> None:
    """The same holds in English."""
    score = judge.score(text, SHIPPING_EN)
    assert score.fraction < 0.5 and score.list_like


def test_a_short_real_answer_is_not_a_list(judge: Judge) -> None:
    """Short clauses with a subject and objects are a spoken answer, not a list."""
    score = judge.score("我会先跟客户道歉，然后查一下订单，告诉他今天几点发货。", SHIPPING_ZH)
    assert not score.list_like


def test_a_full_answer_with_some_terse_steps_is_not_a_list(judge: Judge) -> None:
    """Clauses that say who acts ("我会核实订单信息": jieba reads "我会" as one word) are
    spoken, and a terse step or two between them ("主动提供补偿方案") do not make the
    answer a list, even when they earned points."""
    text = ("我会真诚道歉，安抚客户情绪。我会核实订单信息，查明延误原因。我会告知明确发货时间，"
            "今天下午五点前发出。主动提供补偿方案。我会记录在案，按约定时间回访跟进。")
    score = judge.score(text, SHIPPING_ZH)
    assert not score.list_like
    assert score.fraction >= 0.5


def test_giving_out_another_customers_number_is_a_breach(judge: Judge) -> None:
    """Recommending the breach scores nothing and the breach is named with its clause."""
    text = "他说是朋友，那我就把那位客户的电话和地址告诉他，反正也不是什么大事。"
    score = judge.score(text, PRIVACY_ZH)
    assert score.points == 0.0
    assert score.breaches and score.breaches[0].severity == "serious"
    assert score.breaches[0].evidence.heard in text


def test_refusing_the_breach_is_good_practice(judge: Judge) -> None:
    """The same words negated ("我不会把他的电话给你") are no breach and earn marks."""
    text = ("我会很客气地跟他说，不好意思，我不能把别的客户的电话和地址告诉您，这是客户的隐私，"
            "公司也有规定。如果您找他有急事，我可以帮您转达，请他联系您。")
    score = judge.score(text, PRIVACY_ZH)
    assert not score.breaches
    assert score.fraction >= 0.5, score.reasons


def test_explaining_that_the_data_is_private_is_no_breach(judge: Judge) -> None:
    """"告诉他别人的电话和地址属于个人隐私" tells the caller a rule, not the number: no breach,
    while telling him the number itself still is one."""
    explained = judge.score("我会直接拒绝他，告诉他别人的电话和地址属于个人隐私，我们不能随便"
                            "透露给任何人。", PRIVACY_ZH)
    told = judge.score("他挺着急的，我就告诉他那位客户的电话和地址。", PRIVACY_ZH)
    assert not explained.breaches and explained.fraction >= 0.25, explained.reasons
    assert told.breaches and told.points == 0.0


def test_english_breach_and_refusal(judge: Judge) -> None:
    """"I'd just read out her number" is a breach; "I wouldn't give out her number" is not."""
    breach = judge.score("If they sound genuine I'd just read out her number and address "
                         "for them.", PRIVACY_EN)
    refusal = judge.score("I'd politely say I can't give out another customer's number or "
                          "address, because it's private, but I can pass a message on.",
                          PRIVACY_EN)
    assert breach.fraction <= 0.15 and breach.breaches
    assert not refusal.breaches and refusal.fraction >= breach.fraction + 0.25


def test_a_good_answer_with_one_breach_said_in_it_stays_low(judge: Judge) -> None:
    """The attack on the lift of a breach heard in an answer like well-graded samples: say a
    good answer, then the breach. Its closest samples are good answers, so the cap may be
    lifted, but never above 40 % of the marks, and the breach is still named."""
    good = ("I'd explain that I can't share another customer's details because we protect "
            "everyone's privacy. I'd offer to take a message and pass it on, and if the other "
            "customer agrees they can contact him.")
    alone = judge.score(good, PRIVACY_EN)
    spoilt = judge.score(good + " But if he keeps pushing, I'd just give him the number to "
                         "keep him happy.", PRIVACY_EN)
    assert not alone.breaches and alone.fraction >= 0.5, alone.reasons
    assert spoilt.breaches and spoilt.fraction <= 0.4, spoilt.reasons
    zh = ("我会先跟这位客户说明，我们有义务保护每一位客户的隐私，不能随便透露别人的信息。"
          "我可以帮他把诉求记录下来，联系那位客户，征得同意后再帮他们沟通。")
    spoilt_zh = judge.score(zh + "不过他要是一直坚持，我就把那个人的电话直接给他算了。",
                            PRIVACY_ZH)
    assert spoilt_zh.breaches and spoilt_zh.fraction <= 0.4, spoilt_zh.reasons


def test_fragments_at_whisper_pause_commas_earn_nothing_alone(judge: Judge) -> None:
    """A partial answer as Whisper heard it on one machine, cut at every pause: the
    fragments "解决问题" and "有意义的" alone once earned every point (2/2); read with
    their neighbours the answer scores what its written form scores (by the evidence alone:
    with graded samples the two forms find slightly different neighbours)."""
    question = ZH.question("1")
    written = ("我觉得做客服能帮别人解决问题，这件事挺有意义的。我以前在超市做过收银的兼职，"
               "实习的时候还用过CRM系统记录客户的问题。")
    heard = ("我觉得做客服能帮别人,解决问题。这件事挺,有意义的,我以前,在超,是做过收音的坚持。"
             "实习的时候,还用过CRM系统纪录客户的问题。")
    alone = judge.with_anchors(None)
    assert alone.score(heard, question).fraction <= alone.score(written, question).fraction
    assert judge.score(heard, question).fraction < 0.75


def test_off_topic_answer_scores_low(judge: Judge) -> None:
    """Fluent talk about something else earns (almost) nothing."""
    text = "我平时喜欢周末去爬山，最近还学会了做蛋糕。我家附近新开了一家面馆，味道很不错。"
    assert judge.score(text, SHIPPING_ZH).fraction <= 0.1


def test_an_answer_that_drifts_to_what_companies_should_do_scores_low(judge: Judge) -> None:
    """Starting from the question's words and drifting to comment on the trade earns little;
    the same subject told as what the speaker would do for this customer earns more."""
    drift = ("说到发货慢，我觉得根源在仓储管理。很多电商平台的仓库布局不合理，旺季人手也不够。"
             "公司应该引进智能分拣系统，备货计划也要提前做，整个行业的发货效率才能提上来。")
    acting = ("我先跟您道歉，让您等了这么久。我马上去仓库那边查这单卡在哪一步，"
              "查清楚了今天下午五点前给您回电话，能发的话今天就给您发出去。")
    assert judge.score(drift, SHIPPING_ZH).fraction <= 0.25
    assert judge.score(acting, SHIPPING_ZH).fraction >= 0.5


@pytest.mark.parametrize("text", ["", "嗯", "嗯，那个", "   "])
def test_empty_and_filler_answers_score_zero(judge: Judge, text: str) -> None:
    """Empty or filler-only answers score zero."""
    assert judge.score(text, SHIPPING_ZH).points == 0.0


def test_evidence_quotes_the_clause_that_earned_the_point(judge: Judge) -> None:
    """Each credited point quotes a clause of the answer."""
    text = "真不好意思让您久等了，我马上去系统里查一下库存，今天下午三点前给您发货。"
    score = judge.score(text, SHIPPING_ZH)
    for point in score.covered:
        assert point.evidence and all(e.heard in text for e in point.evidence)


def test_traditional_script_scores_the_same(judge: Judge) -> None:
    """The same answer in traditional characters gets the same score."""
    from simulator.text.normalise import to_traditional

    text = "真不好意思让您久等了，我马上去系统里查一下库存，今天下午三点前给您发货。"
    assert judge.score(to_traditional(text), SHIPPING_ZH).points == \
        judge.score(text, SHIPPING_ZH).points


def test_feedback_teaches_the_most_important_missed_point(judge: Judge) -> None:
    """The feedback says one way to make the most important missed point (比如可以说：…)."""
    score = judge.score("非常抱歉给您添麻烦了，我马上查一下系统记录。", SHIPPING_ZH)
    feedback = render_feedback(score, "zh", load_templates())
    assert "比如可以说：" in feedback.text


def test_well_done_is_said_only_for_a_score_that_earns_it() -> None:
    """Every point made in part but the answer read as thin (1.9/4): the points are listed,
    not praised, and the point the judge was least sure of is taught; the same points with
    3.5/4 are praised."""
    import dataclasses

    from simulator.scoring.result import KeyPointResult, Score

    points = tuple(KeyPointResult(label=kp.label, weight=kp.weight, mode="all", credit=credit,
                                  critical=False, evidence=(), probability=belief,
                                  example=kp.examples[0])
                   for kp, credit, belief in zip(SHIPPING_ZH.key_points, (1.0, 0.5, 0.5, 1, 1),
                                                 (0.8, 0.4, 0.32, 0.7, 0.9), strict=False))
    thin = Score(1.9, 4.0, points)
    said = render_feedback(thin, "zh", load_templates()).text
    assert "很好" not in said and "你讲到了：" in said
    assert f"比如可以说：{points[2].example.rstrip('。')}" in said
    praised = render_feedback(dataclasses.replace(thin, points=3.5), "zh", load_templates())
    assert "要点都讲到了，很好。" in praised.text and "比如可以说" not in praised.text


def test_feedback_says_why_a_list_is_capped(judge: Judge) -> None:
    """A list's feedback says it was a list."""
    score = judge.score("道歉，安抚，核实，补偿，跟进。", SHIPPING_ZH)
    assert "罗列" in render_feedback(score, "zh", load_templates()).text


def test_imported_bank_is_judged_from_its_own_key_point_text(judge: Judge) -> None:
    """A bank made by `import` (no hand-written cues or examples) is judged by meaning from
    the document's key-point text: a paraphrase earns credit, an unrelated answer does not."""
    document = ("一、服务场景(共1题,每题4分,总计4分)\n"
                "题目1(4分)客户说快递一直没有送到，你会怎么处理？答案要点"
                "1.表达歉意:先向客户说明给他带来了不便,真诚道歉"
                "2.查询物流:根据单号联系快递公司查清包裹位置"
                "3.给出时限:告诉客户什么时候能送到"
                "4.跟进回访:送达后回访确认客户收到")
    question = import_document(document, bank_id="t").bank.questions[0]
    assert all(kp.examples for kp in question.key_points)
    good = judge.score("真不好意思让您着急了。我马上拿您的单号去问快递公司，看看包裹现在到哪了。"
                       "查到以后告诉您明天几点能送到，等您收到了我再打电话问一下。", question)
    unrelated = judge.score("我平时喜欢打篮球，也喜欢看电影。", question)
    assert good.fraction >= unrelated.fraction + 0.25, good.reasons
    assert unrelated.fraction <= 0.1


def test_a_question_edited_in_the_same_process_is_judged_on_its_new_key_points(
        judge: Judge) -> None:
    """Same id and prompt, other key points (a bank imported again after an edit): the judge
    prepares the new points instead of reusing the old ones."""
    fewer = dataclasses.replace(SHIPPING_ZH, key_points=SHIPPING_ZH.key_points[:2])
    text = "非常抱歉给您添麻烦了，我马上查一下系统记录，今天下午就给您发货"
    assert len(judge.score(text, SHIPPING_ZH).key_points) == len(SHIPPING_ZH.key_points)
    assert len(judge.score(text, fewer).key_points) == 2


@pytest.mark.parametrize("question, plain, hesitant", [
    (SHIPPING_ZH, "非常抱歉给您添麻烦了，我马上查一下系统记录，今天下午就给您发货",
     "嗯，非常抱歉给您添麻烦了，呃，我马上查一下系统记录，嗯嗯，今天下午就给您发货"),
    (SHIPPING_EN, "I'm so sorry about the delay. I'll check the order now, and it ships today.",
     "Um, I'm so sorry about the delay. Uh, I'll check the order now, hmm, and it ships today."),
])
def test_hesitation_sounds_neither_earn_nor_cost_points(judge: Judge, question, plain: str,
                                                        hesitant: str) -> None:
    """"嗯，" or "um," between clauses is no clause: the same words score the same with them
    (a lone "嗯" once earned the follow-up point), and an answer of nothing else is too short
    to score."""
    assert judge.score(hesitant, question).points == judge.score(plain, question).points
    only = judge.score("嗯，嗯嗯，呃，嗯，嗯嗯嗯，呃呃" if question.language == "zh"
                       else "um, uh, hmm, um um, uh uh uh, mm", question)
    assert only.points == 0 and only.reasons == ("answer too short to score",)


def _closeness(per_clause: tuple[float, ...]) -> PointEvidence:
    """A point's evidence that holds only its closeness per clause."""
    return PointEvidence(cue=None, cue_clause=-1, cue_meaning=0.0,
                         meaning=max(per_clause, default=0.0), meaning_span=(0, 0),
                         meaning_text="", second=0.0, label=0.0, per_clause=per_clause)


def test_a_clause_votes_for_the_point_it_is_closest_to() -> None:
    # Clause 0 is near both points but nearer the first; clause 1 is the second point's own.
    shipping, compensation = _closeness((0.62, 0.30)), _closeness((0.55, 0.58))
    votes = point_votes([shipping, compensation])
    assert votes[0] > 0.9  # clause 0 makes the shipping point
    assert votes[1] > 0.9  # clause 1, not clause 0, makes compensation
    # Its best clause near two points at once: the vote is split, not given to both.
    tied = point_votes([_closeness((0.60,)), _closeness((0.60,))])
    assert tied == pytest.approx([0.5, 0.5])
    assert point_votes([]) == []
    assert point_votes([_closeness(()), _closeness((0.5,))]) == [0.0, 0.0]
