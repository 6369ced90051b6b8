"""Careless words (`simulator/scoring/attitude.py`): counted when said, not when denied."""

from __future__ import annotations

import pytest

from simulator.bank.loader import resolve_bank
from simulator.scoring.attitude import careless_share
from simulator.scoring.clauses import split_clauses
from simulator.scoring.judge import Judge


@pytest.mark.parametrize(("text", "language", "share"), [
    ("反正技术部总会修好的，我也没再管。", "zh", 1 / 3),
    ("我就偷偷按我的办法做，随便找个理由，反正领导也不看。", "zh", 1.0),
    ("我不会随便答应客户，也没偷偷按自己的来，不敷衍。", "zh", 0.0),
    ("不管他买不买，我都会把意见记下来。", "zh", 0.0),
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
