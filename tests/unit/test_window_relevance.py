"""The off-topic belief's window relevance (`evidence.window_relevance`): runs of three
neighbouring clauses read against the question's point texts."""

from __future__ import annotations

from simulator.bank.loader import resolve_bank
from simulator.scoring.judge import Judge

REFUND = ("cs-zh", "33")  # 客户买的东西已经过了七天无理由退货期，可他坚持要退款


def _window(judge: Judge, text: str) -> float:
    question = resolve_bank(REFUND[0]).question(REFUND[1])
    return judge.measure(text, question).gate_features["relevance_window"]


def test_a_story_about_the_question_stays_closer_than_a_drift(judge: Judge) -> None:
    """Told over several clauses, the story of a late refund is closer to the question's
    points than an answer that drifts to how return policies should be written."""
    story = ("上个月有位阿姨买的电饭煲过了十来天才来退，我先请她坐下，问她是哪里不好用，"
             "原来是内胆涂层掉了，我跟她说这属于质量问题，不受七天限制，帮她走了售后换新。")
    drift = ("说到七天无理由退货，这个政策本身挺好的，但很多人在滥用，商家成本特别高，"
             "平台应该把规则做得更细，按品类区分，详情页也要写清楚尺码和材质。")
    assert _window(judge, story) > _window(judge, drift)


def test_a_short_answer_is_read_as_one_run(judge: Judge) -> None:
    """Fewer than three clauses make a single run; the value stays a cosine."""
    value = _window(judge, "我会先问清楚原因。")
    assert 0.0 < value <= 1.0
