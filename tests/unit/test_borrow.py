"""The shipped banks lend example sentences to the key points of imported banks
(`simulator/scoring/borrow.py`), with the real encoder."""

from __future__ import annotations

from simulator.bank.importer import import_document
from simulator.bank.loader import resolve_bank
from simulator.scoring.borrow import ExampleLibrary, load_example_library
from simulator.scoring.judge import Judge
from simulator.scoring.result import Score

DOCUMENT = ("一、经历(共1题,每题4分,总计4分)\n"
            "题目1(4分)请讲讲你和别的部门一起把客户难题解决掉的一次经历。答案要点"
            "1.初步判断:核对订单数据,确认是系统接口异常"
            "2.跨部门会商:约技术部和仓储部开会定方案"
            "3.主动沟通:逐一通知受影响客户并致歉"
            "4.总结改进:推动建立故障预警机制")
STORY = ("去年双十一，好多客户打进来说付了款订单却显示没付。我先把二十几个客户的截图和时间"
         "整理成一张表，看出来都是同一个银行的卡，估计是那边的接口出了问题。我拿着表去找技术"
         "那边的同事，又拉上财务一起碰了一下，当天就定了先人工补单。然后我一个一个给客户回电话，"
         "跟他们说清楚怎么回事，也道了歉。事后我们商量好，同类报错一多就自动提醒值班的人。")


def _imported():
    return import_document(DOCUMENT, bank_id="t").bank.questions[0]


def test_the_shipped_banks_lend_nothing_to_themselves(judge: Judge) -> None:
    library = load_example_library()
    question = resolve_bank("cs-zh").question("12")
    assert not library.lends_to(question)
    assert all(not lent for lent in library.lend(question, judge._encoder))


def test_an_imported_point_borrows_sentences_close_to_it(judge: Judge) -> None:
    """"跨部门会商" borrows what the shipped banks say about bringing in other departments;
    nothing borrowed repeats the point's own text."""
    question = _imported()
    lent = load_example_library().lend(question, judge._encoder)
    assert len(lent) == len(question.key_points)
    escalate = lent[1]
    assert escalate and not set(escalate) & set(question.key_points[1].examples)
    vectors = judge._encoder.encode([*escalate, "今天天气不错，我们去公园散步吧。"])
    point = judge._encoder.encode(["请技术部门和其他部门一起商量解决方案"])[0]
    similarity = vectors @ point
    assert similarity[:-1].mean() > similarity[-1]


def test_an_own_words_story_earns_more_with_borrowed_sentences(judge: Judge) -> None:
    """The same judge without the library is less sure of the points of a story told in the
    candidate's own words; with it the story earns at least half marks, and an unrelated
    answer still earns nothing."""
    question = _imported()
    alone = Judge(judge.calibration, judge._config, judge._encoder, judge._generic)
    with_library = judge.score(STORY, question)
    without = alone.score(STORY, question)
    def belief(score: Score) -> float:
        return sum(k.probability for k in score.key_points)

    assert belief(with_library) > belief(without) + 0.1
    assert with_library.fraction >= without.fraction
    assert with_library.fraction >= 0.5, with_library.reasons
    assert judge.score("我平时喜欢打篮球，周末会去看电影。", question).fraction <= 0.1


def test_an_empty_library_lends_nothing(judge: Judge) -> None:
    library = ExampleLibrary(dict)
    question = _imported()
    assert not library.lends_to(question)
    assert library.lend(question, judge._encoder) == ((),) * len(question.key_points)
