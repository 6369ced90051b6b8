"""Matching cues for a key point: jieba TF-IDF keywords (nouns, verbs, adjectives, idioms)
minus a stop list, plus "number + unit" phrases, in `normalise`d form."""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter

from simulator.text.normalise import normalise

MAX_CUES = 6
"""Most cues derived for one key point."""
MIN_CUE_CHARS = 2
"""Shortest cue kept, in characters (single characters match far too much)."""
_UNIT_CUE_RE = re.compile(r"\d+(?:\.\d+)?(?:个工作日|工作日|小时|分钟|秒|天|周|个月|年|元)")
_CUE_POS = ("n", "nr", "ns", "nt", "nz", "nrt", "v", "vn", "vd", "a", "an", "ad", "i", "l",
            "j", "eng")
STOP_WORDS = frozenset("""
的 了 是 在 和 与 及 并 或 等 着 过 也 就 都 而 又 再 还 把 被 让 给 对 向 从 为 以 将 于 之
我 你 您 他 她 它 我们 你们 您们 他们 自己 大家 对方 贵司 公司 客户 用户 顾客 问题 进行 通过
例 例如 如 比如 如果 因为 所以 但是 然后 已经 非常 可能 能够 可以 能 会 要 需 需要 应该
这 那 这个 那个 这些 那些 这样 那样 什么 怎么 如何 怎样 为什么 哪些 哪个 一个 一些 个 次
时 时候 后 前 中 上 下 内 外 里 处理 服务 工作 提供 情况 方面 相关 具体 主要 同时 以及
表示 说明 体现 方式 方法 内容 客服 岗位 能力 部门 使用 通过 进行 采用 做 做到 有 没有 是否
xx xxx 例如说 请问 答 答案 要点 题目 情形 问题点 特点 目前 当前 现在 之后 之前 其他 其它
还有 带来 遇到 提到 觉得 获得 能否 我会 有没有 小时 分钟 秒 天 周 年 月 元 使能 能站 心强
""".split())
"""Words never used as cues: function words and words every customer-service answer says."""
DOMAIN_WORDS = ("同理心", "换位思考", "首问负责", "满意度", "投诉率", "一对一", "话术", "工单")
"""Customer-service words that jieba's dictionary splits (同理|心强); kept whole as cues."""


@functools.cache
def quiet_jieba() -> None:
    import jieba

    # jieba logs its dictionary loading at DEBUG/INFO on stderr; not news for our users.
    jieba.setLogLevel(logging.WARNING)


def derive_cues(text: str, label: str = "", *, stop_words: frozenset[str] = STOP_WORDS,
                ) -> tuple[str, ...]:
    """Derive matching cues for a key point from its text.

    Keywords in the label come first, then the text's other keywords by TF-IDF weight, then
    "number + unit" phrases (`24小时`). Cues are `normalise`d (`二十四小时` -> `24小时`), at least
    `MIN_CUE_CHARS` long, not stop words, unique, at most `MAX_CUES`.

    Args:
        text: The key point's text.
        label: The key point's label.
        stop_words: Words never used as cues.

    Returns:
        The cues; empty when the text has no usable word.
    """
    import jieba.analyse  # imported on use: loading its dictionary takes a second

    quiet_jieba()
    tags = [str(tag) for tag in jieba.analyse.extract_tags(text, topK=20, allowPOS=_CUE_POS)]
    domain = [word for word in DOMAIN_WORDS if word in text]
    tags = [tag for tag in tags if not _splits_domain_word(tag, text, domain)]
    in_label = [tag for tag in domain + tags if tag in label]
    ordered = in_label[:3] + [tag for tag in domain + tags if tag not in in_label[:3]]
    units = _UNIT_CUE_RE.findall(normalise(text))
    cues: list[str] = []
    for raw in ordered[:3] + units[:2] + ordered[3:]:
        cue = normalise(raw).replace(" ", "")
        if (len(cue) >= MIN_CUE_CHARS and raw not in stop_words and cue not in stop_words
                and not cue.isdigit() and cue not in cues):
            cues.append(cue)
        if len(cues) == MAX_CUES:
            break
    return tuple(cues)


def _splits_domain_word(tag: str, text: str, domain: list[str]) -> bool:
    """True if every occurrence of `tag` cuts through a domain word (同理 in 同理心强)."""
    spans = [(m.start(), m.start() + len(word)) for word in domain
             for m in re.finditer(re.escape(word), text)]
    if not spans or tag in domain:
        return False
    for found in re.finditer(re.escape(tag), text):
        start, end = found.start(), found.end()
        if not any(start < hi and end > lo and (start, end) != (lo, hi) for lo, hi in spans):
            return False
    return True


def discriminate(cue_lists: list[list[str]]) -> list[list[str]]:
    """Drop cues shared by most points of a question (they cannot tell the points apart)."""
    if len(cue_lists) < 3:
        return cue_lists
    counts = Counter(cue for cues in cue_lists for cue in set(cues))
    common = {cue for cue, n in counts.items() if n >= 2 and n * 2 >= len(cue_lists)}
    result = []
    for cues in cue_lists:
        kept = [cue for cue in cues if cue not in common]
        result.append(kept if len(kept) >= 2 else cues)
    return result
