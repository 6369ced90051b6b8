"""Is a phrase said in the negative? ("我不会把他的电话给你" vs "我就把他电话给你")

Negation is read within the phrase's own clause: a negating word before the phrase (不, 没,
别, 不会, 绝不(会), 拒绝, 很少, 不想/不愿/不肯/不敢, 免得/以免 (so as not to); not, never,
won't, refuse, rarely, instead of, rather than, "it takes a lot to" (= rarely)) turns it
around. Words that contain a negating character without negating anything (不好意思, 对不起,
不断, 不仅) are whole words to the segmenter, so they never count; the few it splits (没问题
"no problem", 不客气, 别客气) are taken out before it reads ("说没问题肯定赔" promises, it does
not deny). English contractions are already expanded by normalisation ("won't" -> "will
not").
"""

from __future__ import annotations

import re

from simulator.text.words import zh_words

_ZH_NEGATORS = frozenset(
    "不 没 没有 别 不要 不会 不能 不可 不可以 不该 不应 不应该 不用 "
    "不必 绝不 决不 从不 从来不 并不 并没有 未 勿 禁止 拒绝 避免 防止 "
    "杜绝 不得 不许 不准 不是 不再 千万别 切勿 不让 没法 无法 很少 极少 几乎不 从没 "
    "免得 以免 省得 以防 不至于 不想 不愿 不愿意 不肯 不敢 绝不会 决不会 从不会".split())
_EN_NEGATORS = frozenset(
    "not never no cannot refuse refused refusing avoid avoiding without nor neither rarely "
    "seldom hardly barely".split())
_ZH_NOT_NEGATING_RE = re.compile(r"没问题|不客气|别客气")
_EN_WORD_RE = re.compile(r"[a-z']+")
_EN_NEGATING_PHRASE_RE = re.compile(r"\b(?:instead of|rather than|so as not to|so that no|"
                                     r"it takes a lot(?: for \w+)? to)\b")


def negated_before(normalised: str, position: int, language: str) -> bool:
    """Whether a negating word occurs in `normalised` (one clause) before `position`."""
    before = normalised[:position]
    if not before:
        return False
    if language == "zh":
        before = _ZH_NOT_NEGATING_RE.sub("，", before)
        return any(word in _ZH_NEGATORS for word in zh_words(before))
    return (any(word in _EN_NEGATORS for word in _EN_WORD_RE.findall(before))
            or _EN_NEGATING_PHRASE_RE.search(before) is not None)


def is_negative(normalised: str, language: str) -> bool:
    """Whether the clause as a whole is said in the negative."""
    return negated_before(normalised, len(normalised), language)

