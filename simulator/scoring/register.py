"""How an answer talks: careless words, platitudes, concrete details.

Three counts over the answer's clauses, each a feature of a calibrated gate (`judge.py`),
never a verdict by itself:

- **careless words** ("反正技术部总会修好的", "我就偷偷按我的办法做", "not my problem"): fluent
  bad practice rarely names itself but shrugs. A careful answer uses these words only to
  deny them ("不会随便答应", "没偷偷按自己的来"), so a word counts only when nothing negates
  it before it in its clause; "反正就是…" is a rambler's "anyway", no shrug (on dev five
  good answers and no bad one say it). Feeds the bad-practice belief.
- **platitudes** ("我觉得态度很重要", "只要用心就一定能做好", "心往一处想", "I'd always keep
  a positive attitude and go the extra mile"): the stock phrases of an answer that says how
  one feels about the job instead of what one would do;
- **concrete details**: numbers, times, amounts, the words one would say ("跟他说"), an
  example ("比如", "for example").
  Both feed the belief that an answer is vague, which scales it down like an off-topic one.
- **who acts**: an answer to "what would you do" says what the speaker does or tells the
  customer ("我先跟他道歉", "I'd ring him back"), and one about the speaker what they have
  done ("我以前在超市做过收银"); an answer that drifts off the question
  keeps the question's words but comments on what companies, the industry or people in
  general do ("公司应该多做市场调研", "most companies raise prices because..."). The share of
  clauses in which the speaker acts feeds the belief that the answer is off the topic, and so
  does a count of clauses that say what companies should do ("公司应该…", "根本原因").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.scoring.clauses import Clause
from simulator.scoring.negation import negated_before

_ZH_CARELESS_RE = re.compile(
    r"反正(?!就是|呢|啊|嘛)|偷偷|悄悄|随便|无所谓|糊弄|敷衍|应付一下|懒得|不用管|不管了|(?<!不)管他呢|爱.{1,2}不.{1,2}")
_EN_CARELESS_RE = re.compile(
    r"\b(?:secretly|on the quiet|fob (?:them|him|her) off|cannot be bothered|"
    r"can not be bothered|not my problem|not my job|who cares|could not care less)\b")
_ZH_PLATITUDE_RE = re.compile(
    r"我觉得|我认为|我相信|相信|很重要|非常重要|最重要|很正常|心态|用心|真诚|态度|积极|热情|"
    r"责任心|只要|总之|始终|一定能|一定会|不断|成长|提升自己|价值|以客户为中心|客户就是上帝|"
    r"心往一处想|求同存异|互相理解|互相包容|和谐|满意度|专业")
_EN_PLATITUDE_RE = re.compile(
    r"\b(?:i believe|really important|very important|so important|always|people person|"
    r"passionate|positive|hard worker|do my best|try my best|whatever it takes|extra mile|"
    r"professional|professionally|professionalism|make sure|the right thing|"
    r"at the end of the day|team player|make a difference|respect|respectfully|"
    r"open-minded|open minded|mindset|is key|learning experience)\b")
_ZH_CONCRETE_RE = re.compile(
    r"[0-9０-９]|[一二两三四五六七八九十百千半几]+(?:天|点|分钟|小时|块|元|个|次|号|周|月|年|单|遍|步)"
    r"|今天|明天|当天|下午|上午|马上|立刻|跟他说|跟客户说|告诉他|比如")
_EN_CONCRETE_RE = re.compile(
    r"[0-9]|\b(?:one|two|three|four|five|six|ten|twenty|thirty|half|today|tomorrow|"
    r"minutes?|hours?|days?|week|pounds|dollars|refund|ticket|account|order|manager|"
    r"team leader|email|text|for example|like)\b")
_ZH_SPEAKER_RE = re.compile(
    r"(?:我|咱)们?[^，。！？我]{0,2}(?:会|就|先|再|马上|立刻|当场|直接|跟|给|把|帮|让|去|说|问|请|告诉|"
    r"解释|确认|核实|记|查|打|回|道歉|安抚|处理|联系|跟进|安排|申请|提交|反馈|转给|教|陪|带|"
    r"以前|之前|做过|干过|当过|用过)|您")
_EN_SPEAKER_RE = re.compile(
    r"\b(?:i|we)(?: would| will| am going to| usually| always| just| then| first| also)?"
    r" (?:tell|told|say|said|ask|asked|check|checked|call|called|ring|rang|explain|explained|"
    r"apologi[sz]e|apologi[sz]ed|offer|offered|make|made|give|gave|send|sent|take|took|let|"
    r"listen|listened|note|noted|log|logged|escalate|escalated|follow|followed|book|booked|"
    r"sort|sorted|put|walk|walked|stay|stayed|keep|kept|confirm|confirmed|refund|refunded|"
    r"arrange|arranged|promise|promised|thank|thanked|reassure|reassured|update|updated|"
    r"worked|used to|handled|helped|dealt)\b")
_ZH_GO_ON_RE = re.compile(
    r"^(?:再|然后|接着|之后|随后|并且?|同时|最后|马上|立刻|还会?|也会?|先|等)")
_EN_GO_ON_RE = re.compile(
    r"^(?:and |then |and then |also |after that )+(?:i would |i will |would |will )?[a-z]+")
"""A clause that goes on with the speaker's act without naming the subject again ("我先跟他道歉，
再去查物流", "I'd apologise first, then check the order")."""
_ZH_COMMENTARY_RE = re.compile(
    r"(?:公司|企业|管理层|平台|银行|商家|行业|部门|系统|领导|上面|运营商)[^，。我]{0,6}"
    r"(?:应该|应当|(?<![主重只])要(?![求])|可以|(?<!的)需要|必须|最好)|"
    r"应该(?:搞|建|设|引进|简化|统1|砍|加大)|"
    r"根本原因|最大的问题|根子")
_EN_COMMENTARY_RE = re.compile(
    r"\b(?:companies|the company|businesses|management|firms|banks|organi[sz]ations|"
    r"the industry|head office)\b (?:should|need to|ought to|must|have to|could)\b|"
    r"\b(?:root cause|the real problem|the biggest problem)\b")
"""What companies or the trade should do, or "the root cause" of the question's problem: the
comment of an answer that drifts from what the speaker would do to how things should be run.
Not "they" (in a story it is the customer or the other team: "asked when they could look at
it"), not 主要/重要/只要/要求 ("公司主要做…", mainly) and not the complement 得 ("管得很严",
"写得不清楚"): on dev those were a quarter of the counts on good answers."""
MAX_COMMENTARY_COUNTED = 2
MAX_CARELESS_COUNTED = 3
MAX_PLATITUDES_COUNTED = 4


def careless_share(clauses: Sequence[Clause], language: str) -> float:
    """How many clauses say a careless word without negating it, 0-1 (three or more: 1)."""
    pattern = _ZH_CARELESS_RE if language == "zh" else _EN_CARELESS_RE
    return _capped_count(pattern, clauses, language, MAX_CARELESS_COUNTED)


def platitude_count(clauses: Sequence[Clause], language: str) -> float:
    """How many clauses say a stock phrase (not negated), 0-1 (four or more: 1). A count, not
    a share: talk added around general statements does not dilute it."""
    pattern = _ZH_PLATITUDE_RE if language == "zh" else _EN_PLATITUDE_RE
    return _capped_count(pattern, clauses, language, MAX_PLATITUDES_COUNTED)


def concrete_share(clauses: Sequence[Clause], language: str) -> float:
    """Share of the clauses with a concrete detail (a number, a time, words to say...)."""
    pattern = _ZH_CONCRETE_RE if language == "zh" else _EN_CONCRETE_RE
    return _share(pattern, clauses)


def commentary_count(clauses: Sequence[Clause], language: str) -> float:
    """How many clauses say what companies should do (not negated), 0-1 (two or more: 1)."""
    pattern = _ZH_COMMENTARY_RE if language == "zh" else _EN_COMMENTARY_RE
    return _capped_count(pattern, clauses, language, MAX_COMMENTARY_COUNTED)


def speaker_share(clauses: Sequence[Clause], language: str) -> float:
    """Share of the clauses in which the speaker acts or speaks to the customer (a clause
    that goes on with the act without naming the speaker again counts too)."""
    pattern, go_on = ((_ZH_SPEAKER_RE, _ZH_GO_ON_RE) if language == "zh"
                      else (_EN_SPEAKER_RE, _EN_GO_ON_RE))
    previous = False
    count = 0
    for clause in clauses:
        text = clause.normalised
        acting = pattern.search(text) is not None or (previous and go_on.search(text) is not None)
        count += acting
        previous = acting
    return count / len(clauses) if clauses else 0.0


def _share(pattern: re.Pattern[str], clauses: Sequence[Clause]) -> float:
    return (sum(pattern.search(c.normalised) is not None for c in clauses) / len(clauses)
            if clauses else 0.0)


def _capped_count(pattern: re.Pattern[str], clauses: Sequence[Clause], language: str,
                  cap: int) -> float:
    return min(sum(_said(pattern, c, language) for c in clauses), cap) / cap


def _said(pattern: re.Pattern[str], clause: Clause, language: str) -> bool:
    text = clause.normalised
    return any(not negated_before(text, m.start(), language) for m in pattern.finditer(text))
