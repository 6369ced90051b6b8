"""Is an answer a list of terms rather than something a person would say? Judged by structure.

A candidate who recites "道歉，安抚，核实，补偿" or "first apologise, then verify, then
compensate" names actions without saying who does what, to whom, how or when. Each clause
of such an answer, once its sequence word (首先, 然后, first, finally) is set aside, is a
bare term: a few content words with none of the grammatical glue a spoken sentence carries
(pronouns, particles, auxiliaries, prepositions, measure words; in English a subject or a
finite verb). An answer whose clauses are mostly bare terms, with hardly a spoken clause
among them, is a list, whatever words it uses; it can never reach half marks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from simulator.scoring.clauses import Clause
from simulator.text.words import zh_words

_ZH_SEQUENCE_RE = re.compile(
    r"^(?:首先|其次|再次|然后|接着|接下来|随后|之后|以后|最后|最终|先|再|"
    r"第[一二三四五六七八九十\d]+(?:步|点|个|个月|月|年|周|天|阶段)?"
    r"|[一二三四五六1-6]是|还有|另外|以及|并且|同时|此外|和|与|及|再就是|然后再|最后再)+"
    r"(?:要|得|需要|应该|应当|必须|就是|是)?")
_ZH_FILLER_RE = re.compile(
    r"^(?:嗯|呃|啊|额|那个|这个|就是|就是说|然后|对|好|好的|反正|其实)+$")
_ZH_FRAME_RE = re.compile(r"^(?:我(?:就|会)?(?:的)?)?"
                          r"(?:思路|做法|方法|原则|想法|建议|办法|步骤|流程|理解|看法)"
                          r"(?:是|如下|就是|有)?$|(?:说|讲|做到|分|有|注意)(?:以下)?几点(?:吧|啊)?$")
"""A frame that announces a list ("我的思路是：", "我就说几点吧") says nothing itself."""
_EN_FRAME_RE = re.compile(
    r"^(?:so |well |okay |ok |right )?(?:(?:my|our|the) )?(?:approach|steps|plan|process|method|"
    r"priorities|order of things)(?: (?:is|are|would be|will be))?$"
    r"|^(?:so |well |okay |ok |right )?(?:here(?:'s|s| is) )?(?:what|how) i(?:'d| would) "
    r"(?:do|go about it|handle it)(?: is)?$|^(?:a few|three|four|five) things$")
"""The English frames that announce a list ("my approach is:", "here's what I'd do:")."""
_ZH_CONJUNCTIONS = frozenset("和 与 及 以及".split())
"""Glue inside a term that joins two nouns ("客户角度和成本角度")."""
_ZH_GLUE_WORDS = frozenset(
    "我 你 您 他 她 它 我们 你们 您们 他们 她们 咱们 大家 自己 "
    "人家 的 地 得 了 着 过 把 被 给 让 叫 跟 和 同 对 向 从 "
    "在 于 就 都 也 还 又 很 太 更 最 挺 真 不 没 没有 别 吧 "
    "呢 吗 啊 嘛 呀 哦 啦 个 些 这 那 这个 那个 这些 那些 这样 "
    "那样 怎么 什么 会 能 能够 可以 可能 要 想 应该 需要 必须 "
    "如果 因为 所以 但是 但 虽然 而且 或者 然后 时候 一下 一点 "
    "一些 马上 立刻 立即 先 再 帮 替 为 用 去 来 说 问 告诉 "
    "觉得 知道 看看 看 是 有 比如 其实 就是 一定 并 并且 请 按 按照 根据 通过 "
    "等 像 每 每个 每次 这种 那种 之前 之后 以后 的时候".split())
_ZH_PRONOUN_RE = re.compile(r"(?<!其)[我你您他她咱]")
"""A person in the clause (jieba may glue it to the next word: "我会"), so it says who does
what; "其他" (other) is not a person."""
_ZH_WEAK_GLUE = frozenset("和 与 跟 同 用 不 来 在 对 为 向 从 及 或 请 有 "
                          "啊 呀 吧 嘛 呢 哦 啦".split())
"""Glue a short bare term may still carry: "信息不透明", "用智能客服", or what Whisper makes of
a term it mishears ("倾听" heard as "请听")."""
_EN_FILLERS = frozenset("um uh er erm ah like okay ok so yeah yes well obviously "
                        "actually basically right anyway".split())
_EN_FILLER_PHRASES_RE = re.compile(r"\b(?:you know|i mean)\b")
"""Two-word fillers, taken out before the words are read: "i mean" once made "i" a filler,
so "i decline politely" read as the bare term "decline politely"."""
_EN_SEQUENCE = frozenset("first firstly second secondly third thirdly then next after that "
                         "finally lastly last and also plus step one two three four so or of "
                         "course".split())
_EN_SUBJECT_OR_FINITE = frozenset(
    "i i'd i'll i'm i've we we'd we'll we're you you'd you'll you're he she they it it's its "
    "they'd them him me us if when because while whether unless "
    "they'll that's there's let's would will could can should must might may is are was were am "
    "have has had do does did don't won't wouldn't can't".split())
_EN_PHRASE_OPENERS = frozenset(
    "the a an this that these those to with for at on in by from about into my your our their "
    "his her its not".split())
"""A fragment starting with one of these is a piece of a sentence, not a term."""
_WORD_RE = re.compile(r"[a-z']+")
_EN_PERSONS = frozenset("i we you he she they me us him her them my our your i'd i'll i'm "
                        "we'd we'll you'd you'll".split())
MIN_RECITED_CLAUSES = 3
MIN_TELEGRAPHIC_CLAUSES = 4
MAX_TELEGRAPHIC_CLAUSES = 12
TELEGRAPHIC_MAX_ZH_CHARS = 8.5
TELEGRAPHIC_MAX_EN_WORDS = 6.0
"""A telegraphic answer: four to twelve clauses this short on average (sequence words and
fillers aside), none with the speaker or the customer in it. Of the 2,492 answers of the dev
split and batch zd, 287 lists and no other answer were this short at five clauses, 5
characters and 4 words (set on batch yc; 6 and 5 after batch zd's list of imperatives, 5.7);
five were lists the term count missed ("道歉，感谢等待，不找借口，让他说完，复述问题，马上处理，
说明要多久，…", where "让他说完" and "马上处理" carry glue). The twentieth session found the
key points' own labels recited in four phrases of eight to ten characters ("明确表示可以接
受、理解这是行业特点、管理好作息和身体、安排好个人和家庭的事", 8.5 on average, 1.7/2) and
imperatives of six words read as answers (a third person's story told in short sentences is
about 9: "那天下午系统突然崩了，门店客户排成长队，…"); of the 4,668 dev and anchor answers,
two that are no list have four clauses or more without a person, both longer than twelve
(a rambling answer of 22 at 7.0 characters, one of 16 at 6.4 words), and 550 lists."""
_ZH_PERSON_RE = re.compile(r"(?<!其)[我你您咱]")
_EN_SPEAKER_OR_ADDRESSEE = frozenset("i i'd i'll i'm i've we we'd we'll we're you you'd "
                                     "you'll you're me us my our your".split())
BARE_MAX_ZH_WORDS = 3
THIN_MAX_ZH_CHARS = 7
BARE_MAX_EN_WORDS = 7


@dataclass(frozen=True)
class ListCheck:
    """How list-like an answer is."""

    bare_terms: float
    """Clauses that are bare terms (a glue-free run of several terms counts as several)."""
    spoken_clauses: int
    """Clauses with the glue of a spoken sentence."""
    bare: tuple[bool, ...] = ()
    """Per clause of the answer: whether it is a bare term."""
    recited: bool = False
    """Steps recited: three clauses or more, all but one opening with a sequence word
    (首先, 然后, first, then), and no person anywhere in the answer ("首先明确拒绝，然后说明
    隐私保护规定，接着安抚客户情绪，再了解客户的真实需求…"): a list, however much glue
    ("的", "并") its terms carry."""
    telegraphic: bool = False
    """Many clauses, all very short, none saying who acts or to whom (see
    `MIN_TELEGRAPHIC_CLAUSES`): a list, whatever glue a few of its terms carry."""

    @property
    def bare_share(self) -> float:
        """Share of the answer's clauses that are bare terms (0-1)."""
        total = self.bare_terms + self.spoken_clauses
        return self.bare_terms / total if total else 0.0

    def all_bare(self, first: int, last: int, also: int | None = None) -> bool:
        """Whether clauses `first`..`last` (and `also`) are all bare terms: a point earned
        only there was named, not made."""
        clauses = {*range(first, last + 1), *(() if also is None else (also,))}
        return bool(clauses) and all(i < len(self.bare) and self.bare[i] for i in clauses)

    def is_list(self, min_bare_share: float, max_spoken_clauses: int,
                max_spoken_share: float = 0.0) -> bool:
        """A list: mostly bare terms and hardly a spoken clause (`max_spoken_clauses`, or in
        a long list up to `max_spoken_share` of its clauses and terms)."""
        allowed = max(max_spoken_clauses,
                      max_spoken_share * (self.bare_terms + self.spoken_clauses))
        return self.recited or self.telegraphic or (
            self.bare_terms > 0 and self.bare_share >= min_bare_share
            and self.spoken_clauses <= allowed)

    def why(self) -> str:
        """What makes the answer a list, in words."""
        if self.recited:
            return "steps recited one after another, no one said to do them"
        if self.telegraphic:
            return "short phrases one after another, no one said to do them or to whom"
        return (f"{self.bare_share:.0%} of the clauses name an action without saying what "
                "you would do")


def check_list(clauses: Sequence[Clause], language: str,
               counted: Sequence[bool] | None = None,
               about: Sequence[bool] | None = None) -> ListCheck:
    """Count the bare terms and the spoken clauses of an answer.

    Args:
        clauses: the answer's clauses.
        language: "zh" or "en".
        counted: per clause, whether it counts (the judge leaves out clauses about
            something else, so talk added around a list does not hide the list).
        about: per clause, whether it is about the question; steps are recited (see
            `ListCheck.recited`) in these clauses, so small talk with "我" added around
            them does not hide them.
    """
    bare = 0.0
    spoken = 0
    flags = []
    for i, clause in enumerate(clauses):
        terms = _zh_terms(clause.normalised) if language == "zh" else _en_terms(clause.normalised)
        flags.append(bool(terms))
        if terms is None or (counted is not None and not counted[i]):
            continue  # a sequence word or filler alone, or talk about something else
        if terms == 0:
            spoken += 1
        else:
            bare += terms
    return ListCheck(bare_terms=bare, spoken_clauses=spoken, bare=tuple(flags),
                     recited=_recited([c.normalised for i, c in enumerate(clauses)
                                       if about is None or about[i]], language),
                     telegraphic=_telegraphic([c.normalised for c in clauses], language))


def _telegraphic(texts: Sequence[str], language: str) -> bool:
    """Whether `texts` are many clauses, each very short once sequence words, fillers and a
    frame announcing them ("我的做法是", "my approach is") are set aside, with no speaker or
    customer in any (`MIN_TELEGRAPHIC_CLAUSES`)."""
    if language == "zh":
        bodies = [b for b in map(_zh_body, texts) if b]
        sizes = [len(b) for b in bodies]
        person = any(_ZH_PERSON_RE.search(b) for b in bodies)
        most = TELEGRAPHIC_MAX_ZH_CHARS
    else:
        words = [_content_words(t) for t in texts]
        sizes = [len(w) for w in words if w]
        person = any(w in _EN_SPEAKER_OR_ADDRESSEE for ws in words for w in ws)
        most = TELEGRAPHIC_MAX_EN_WORDS
    return (MIN_TELEGRAPHIC_CLAUSES <= len(sizes) <= MAX_TELEGRAPHIC_CLAUSES and not person
            and sum(sizes) / len(sizes) <= most)


def _zh_body(text: str) -> str:
    """A Mandarin clause less its opening sequence words; "" when what is left is a filler or
    a frame announcing a list ("我的思路是"), which says nothing itself."""
    body = _ZH_SEQUENCE_RE.sub("", text)
    return "" if _ZH_FILLER_RE.match(body) or _ZH_FRAME_RE.search(body) else body


def _content_words(text: str) -> list[str]:
    """An English clause's words less fillers and its opening sequence words; none when it
    is a frame announcing a list ("my approach is"), which says nothing itself."""
    if _EN_FRAME_RE.match(text.strip()):
        return []
    words = [w for w in _WORD_RE.findall(_EN_FILLER_PHRASES_RE.sub(" ", text))
             if w not in _EN_FILLERS]
    while words and words[0] in _EN_SEQUENCE:
        words = words[1:]
    return words


def _recited(texts: Sequence[str], language: str) -> bool:
    """Whether `texts` (the clauses about the question) recite steps: at least three opened
    by a sequence word, all but one of them so opened, no person in any."""
    if len(texts) < MIN_RECITED_CLAUSES:
        return False
    if language == "zh":
        if any(_ZH_PRONOUN_RE.search(t) or "大家" in t for t in texts):
            return False
        opened = sum(_ZH_SEQUENCE_RE.match(t) is not None for t in texts)
    else:
        words = [_WORD_RE.findall(t) for t in texts]
        if any(w in _EN_PERSONS for ws in words for w in ws):
            return False
        opened = sum(bool(ws) and ws[0] in _EN_SEQUENCE for ws in words)
    return opened >= max(MIN_RECITED_CLAUSES, len(texts) - 1)


def _zh_terms(text: str) -> float | None:
    """0 for a spoken clause, None for a sequence word or filler alone, else how many terms."""
    body = _zh_body(text)
    if not body:
        return None
    if any(ch.isdigit() for ch in body):
        return 0.0
    if _ZH_PRONOUN_RE.search(body):
        return 0.0
    words = zh_words(body)
    glue = [w for w in words if w in _ZH_GLUE_WORDS]
    if not glue:
        return 1.0 if len(words) <= BARE_MAX_ZH_WORDS else len(words) / 2.0
    if len(body) <= THIN_MAX_ZH_CHARS and all(w in _ZH_WEAK_GLUE for w in glue):
        return 1.0
    if all(w in _ZH_CONJUNCTIONS for w in glue):
        return 1.0 + len(glue)  # "甲和乙": two terms
    return 0.0


def _en_terms(text: str) -> float | None:
    words = _content_words(text)
    if not words or (len(words) == 1 and words[0].endswith("ly")):
        return None  # nothing left, or an adverb alone ("honestly", "properly")
    if any(w in _EN_SUBJECT_OR_FINITE for w in words):
        return 0.0
    if words[0] in _EN_PHRASE_OPENERS:
        return None
    return 1.0 if len(words) <= BARE_MAX_EN_WORDS else 0.0

