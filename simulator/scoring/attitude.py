"""Words of a careless attitude: a hint, never proof, that an answer recommends bad practice.

Fluent bad practice rarely names itself ("泄露", "挂断"); it shrugs: "反正技术部总会修好的",
"我就偷偷按我的办法做", "随便找个划痕", "I'd secretly close the ticket", "not my problem".
A careful answer uses these words only to deny them ("不会随便答应", "没偷偷按自己的来"),
so a word counts only when nothing negates it before it in its clause. The count is one
feature of the calibrated bad-practice belief (`judge.py`), which only scales an answer
down; it never caps one by itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.scoring.clauses import Clause
from simulator.scoring.negation import negated_before

_ZH_CARELESS_RE = re.compile(
    r"反正|偷偷|悄悄|随便|无所谓|糊弄|敷衍|应付一下|懒得|不用管|不管了|(?<!不)管他呢|爱.{1,2}不.{1,2}")
_EN_CARELESS_RE = re.compile(
    r"\b(?:secretly|on the quiet|fob (?:them|him|her) off|cannot be bothered|"
    r"can not be bothered|not my problem|not my job|who cares|could not care less)\b")
MAX_COUNTED = 3


def careless_share(clauses: Sequence[Clause], language: str) -> float:
    """How many clauses say a careless word without negating it, 0-1 (three or more: 1)."""
    pattern = _ZH_CARELESS_RE if language == "zh" else _EN_CARELESS_RE
    count = 0
    for clause in clauses:
        text = clause.normalised
        if any(not negated_before(text, m.start(), language) for m in pattern.finditer(text)):
            count += 1
    return min(count, MAX_COUNTED) / MAX_COUNTED
