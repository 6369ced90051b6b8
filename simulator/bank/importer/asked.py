"""What a question itself asks the answer to contain (`需包含教育背景、过往客服经验、…`).

An examiner marking a narrative model answer does not look for its sentences ("我本科读的是
某某学院" is one candidate's story); when the question lists what a good answer
includes, those items are the key points. `asked_items` finds the list; `asked_points` makes
one key point of each item and gives it the model answer's sentences that speak to it, in
order, so the item's cues and examples come from the document's own words.
"""

from __future__ import annotations

import math
import re

from simulator.bank.importer.answers import PointDraft, short_label
from simulator.scoring.lexical import terms

MIN_ITEMS = 2
"""A question naming fewer things is not a list of contents."""
MAX_ITEMS = 6
_ITEM_MAX_CHARS = 24
"""Longer "items" are sentences, not things to include."""
_ASK_RE = re.compile(
    r"(?:需要|需|须|必须|应当|应|要|请)?(?:包含|包括|涵盖|涉及)(?:以下|如下)?(?:内容|方面|几点)?"
    r"[:：]?(?P<items>[^。？?！!；;\n]+)")
_AND_RE = re.compile(r"以及|及|和")
_LEADING = "与和及"


def asked_items(prompt: str) -> tuple[str, ...]:
    """The contents a question asks for (`需包含A、B、C`), in order; () when it lists none.

    Args:
        prompt: The question text, simplified script.

    Returns:
        `MIN_ITEMS` to `MAX_ITEMS` short items, or () when the question names no such list
        (a list needs `、` or a final `和/及/以及` between items).
    """
    match = _ASK_RE.search(prompt)
    if not match:
        return ()
    text = match.group("items").strip(" ,，")
    items = [piece.strip(" ,，") for piece in re.split(r"[、,，]", text)]
    if items and len(items[-1]) > 2:
        head, *tail = _AND_RE.split(items[-1], maxsplit=1)
        items[-1:] = [head, *tail] if head else items[-1:]
    items = [item for item in (i.strip() for i in items) if item]
    if len(items) < MIN_ITEMS:
        items = [i.strip() for i in _AND_RE.split(text) if i.strip()]
    if not MIN_ITEMS <= len(items) <= MAX_ITEMS or any(len(i) > _ITEM_MAX_CHARS for i in items):
        return ()
    if any(len(terms(item, "zh")) == 0 for item in items):
        return ()
    return tuple(items)


def asked_points(items: tuple[str, ...],
                 sentences: tuple[PointDraft, ...]) -> tuple[PointDraft, ...]:
    """One key point per asked item, with the model answer's sentences that speak to it.

    A narrative answer takes the items in turn, so the sentences are cut into consecutive
    runs, one per item (the first sentences to the first item), where the runs share the
    most character pairs with their items; a pair that most sentences say ("上海" in a
    Shanghai document) counts for little.

    Args:
        items: From `asked_items`.
        sentences: The model answer's sentences (`split_answer` without a list).

    Returns:
        One draft per item: its label is the item, its text the item and its sentences.
    """
    runs = _runs(items, [s.text for s in sentences])
    return tuple(PointDraft(label=short_label(item.lstrip(_LEADING) or item),
                            text="。".join([item, *run]))
                 for item, run in zip(items, runs, strict=True))


def _runs(items: tuple[str, ...], sentences: list[str]) -> list[list[str]]:
    """Consecutive runs of `sentences`, one per item (empty when too few), best overlap first."""
    grams = [terms(s, "zh") for s in sentences]
    weight = {g: math.log(1 + len(sentences) / sum(g in s for s in grams))
              for s in grams for g in s}
    fit = [[sum(weight[g] for g in terms(item, "zh") & s) for s in grams] for item in items]
    n, m = len(items), len(sentences)
    # best[i][j]: the most overlap with items[:i] taking sentences[:j]; each item one or more
    # sentences while there are enough of them.
    best = [[-math.inf] * (m + 1) for _ in range(n + 1)]
    cut = [[0] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    least = 1 if m >= n else 0
    for i in range(1, n + 1):
        for j in range(m + 1):
            for k in range(j - least + 1):
                if j - k < least or best[i - 1][k] == -math.inf:
                    continue
                value = best[i - 1][k] + sum(fit[i - 1][k:j])
                if value > best[i][j]:
                    best[i][j], cut[i][j] = value, k
    runs: list[list[str]] = []
    j = m
    for i in range(n, 0, -1):
        k = cut[i][j]
        runs.insert(0, sentences[k:j])
        j = k
    return runs
