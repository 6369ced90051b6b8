"""Whose act is a clause? A breach counts only when the speaker says they would do it.

Two kinds of words name a bad practice without recommending it:

- **someone else's voice**: the customer's demand, request or feeling, reported ("有客户说：你
  把他手机号给我", "客户要求我把他邻居的电话给他", "那他一定会觉得被骗", "they say 'just give me
  his number'", a caller who rings in to say it: "打电话来说我们骗他"). A clause voices someone
  else from the point where a third person is said to say, ask or feel something, and every
  clause after such a person's "说：" does too, until the sentence ends or the speaker speaks
  again ("我会跟他说：");
- **what the speaker says they would not say or do**, where a comma or a filler cuts the
  negation from its verb ("I wouldn't, like, tell them they're wrong", "我不会，嗯，直接把
  电话给你") or the negation governs a quotation ("I wouldn't just say 'Sorry, thirty days,
  nothing I can do' and leave it there", "我不会说“没办法，这是规定”就挂了"), or, speech
  having no quotation marks, a negated saying whose words only begin in its clause ("I
  wouldn't just say sorry, policy is thirty days, and end the call"): the rest of the
  sentence is withheld until the speaker starts a clause of their own ("…, I'd …");
- **a warning**: the consequence the speaker announces if the customer goes on ("otherwise
  I'll have to end the call", "如果您再骂人，我只能先挂断电话", or without the "if": "您再这样
  骂人，我只能先挂断"), which is the accepted way to handle abuse, not the abuse of hanging up;
- **words around it that excuse it** (`excused`): a supposition ("我要是随口答应您，到时候兑现不了
  更坑您"), a clause that only denies ("not like, you're wrong"), a caution after it ("…反而会
  出事"), a third person doing it ("they calm down", "people get snappy", "他听两句就挂了"),
  waiting for them to do it ("等客户先挂电话", "wait for the caller to hang up"), a limit
  ("more than I can waive myself"), a rule granted and turned round ("rules are rules, but
  you still ask why"), a mistake owned up to later in the sentence ("…，其实要1周，是我说错
  了"), the customer's accusation ("你们卖3无产品"), and whatever `caveats.py` reads as said
  against it (warned against, a fault conceded then handled kindly, condemned or dreaded, a
  generalisation refuted, a state the speaker refuses to act on, other agents' habits, a
  promise to make good only on a finding of fault). A request
  reported and then done by the speaker ("客户让我…，我就给了") is the speaker's act again.

All are read on normalised clauses (simplified, lower case, contractions expanded).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from simulator.scoring.caveats import SPEAKER_RE, said_against
from simulator.scoring.clauses import Clause
from simulator.scoring.negation import is_negative, negated_before

_ZH_OTHER = (r"(?:他|她|他们|她们|客户|顾客|客人|对方|人家|有人|别人|来电人|用户|先生|女士|小姐|"
             r"大爷|大妈|阿姨|老人|老太太|家属|买家|乘客|会员|同事)")
_ZH_VOICE = (r"(?:说|问|讲|要求|要(?=我|咱)|抱怨|质问|觉得|以为|感觉|认为|会觉得|会以为|叫|让|"
             r"想(?!到|起|法|了想)|骂(?!人)|希望|想让|非要|坚持要|自称|威胁|扬言|吵着要|闹着要)")
_ZH_CALLED_IN = r"(?:打电话|打|跑|找|冲|闹)(?:过|上门)?来(?:就|又|还)?(?:说|问|骂|要求|质问)"
_ZH_REPORT_RE = re.compile(r"(?:" + _ZH_OTHER + r"[^我]{0,6}?" + _ZH_VOICE + r"|" + _ZH_CALLED_IN
                           + r")(?:道|着)?(?!的|过的)")
"""A third person says or feels something; "他说的话" (what he said) is a thing, not a report.
Calling in to say ("打电话来说我们骗他") is someone else's saying whoever the sentence left out:
来 comes toward the speaker."""
_EN_OTHER = (r"\b(?:he|she|they|the customer|the caller|a customer|a caller|customers|"
             r"callers|someone|people|(?:a|the|one) (?:man|woman|lady|gentleman|guy|client))\b")
_EN_VOICE = (r"\b(?:says?|said|goes|asks?|asked|tells? me|told me|shouts?|shouted|yells?|yelled|"
             r"rings? up|rang up|calls? up|called up|phones? up|phoned up|"
             r"demands?|demanded|feels?|felt|thinks?|thought|will feel|would feel|"
             r"might feel|will think|would think|wants?|wanted|insists?|insisted|begs?|begged|"
             r"expects?|expected)\b")
_EN_GAP = r"(?:\s+(?!and\b|or\b|but\b|to\b)\w+)"
_EN_REPORT_RE = re.compile(_EN_OTHER + rf"(?:{_EN_GAP}{{0,3}}?\s+|{_EN_GAP}{{1,3}}?\s+and\s+)"
                           + _EN_VOICE)
"""Someone says or feels: "the customer called us scammers and demanded …"; "the caller and
say" is the speaker's own saying."""
_ZH_THEIR_ACT_RE = re.compile(r"^我?(?:以前|之前|上次|曾经|有1?次|那次)?的?(?:有1?[位个]?|1[位个])?"
                              r"(?:新|老|前)?(?:同事|老人|客户|顾客|客人|他|她|别人|有人|对方)"
                              r"(?:曾经|以前|之前|差点|就|也|还|误|不小心|错)*把")
"""A story of someone else's act: "以前有同事把客户的地址发错给了另1位客户", "a colleague once
sent a customer's address to the wrong person": theirs up to the speaker's own "我"/"I"."""
_EN_THEIR_ACT_RE = re.compile(r"^(?:once |last time )?(?:a|my|one|the) (?:former )?"
                              r"(?:colleague|coworker|co worker|teammate)"
                              r"(?: once| had| once had| accidentally)? (?:gave|sent|posted|shared|"
                              r"told|forwarded|read|leaked|emailed|uploaded|put)\b")
_ZH_OWN_VOICE_RE = re.compile(r"(?:我|咱)(?:(?!听)[^，。]){0,10}?(?:说|讲|告诉|回答|解释)")
_EN_OWN_VOICE_RE = re.compile(r"\b(?:i|we)\b(?:\s+\w+){0,3}?\s+(?:say|tell|explain|answer)")
_ZH_ME_RE = SPEAKER_RE["zh"]
"""The speaker comes back ("他说是朋友我就给了"); "我们" after a report is mostly its object."""
_ZH_THEIR_WISH_RE = re.compile(r"(?:还|又|就|非)?(?:想|要|想要|非要|坚持要|叫|让)")
"""A clause that starts with a wish and no subject, after a clause that reports someone."""
_EN_ME_RE = SPEAKER_RE["en"]
_EN_BACK_RE = re.compile(r"\bi\b|\b(?:and|so|but|then|because),? we\b")
"""The speaker back after a report: "I", or "we" after a conjunction ("he said we lost it" is
his: the company he blames; "…, and we apologised" is the speaker's)."""
_SENTENCE_END = frozenset("。！？!?.”」』")
_QUOTE_OPENERS = frozenset("：:“「『\"'")
_ZH_WARNING_RE = re.compile(r"(?:否则|不然|要不然|要不|不然的话|警告)|"
                            r"(?:如果|要是|假如|若是?)[^，。]*"
                            r"(?:再|继续|还|一直)[^，。]*(?:只能|只好|不得不|就得|就要)|"
                            r"(?:再|继续)(?:这样|这么|骂|闹|吵|[^，。]{0,6}?下去)[^。]{0,8}?"
                            r"(?:只能|只好|不得不)")
_EN_WARNING_RE = re.compile(r"\b(?:otherwise|or else|warn|warns|warned|warning)\b|"
                            r"\bif\b.*\b(?:keeps?|carry on|carries on|"
                            r"continues?|again|go on|goes on)\b.*\b(?:have to|has to)\b")

_ZH_SUPPOSED_RE = re.compile(r"(?:我要是|要是我|如果我|假如我|我如果|万一我|我若是?)[^，。]{0,4}$")
_EN_SUPPOSED_RE = re.compile(r"\bif i(?: just| simply| were to| was to)?(?: \S+)?\s*$")
"""The speaker supposing the act, right before it ("我要是随口答应您，到时候兑现不了更坑您",
"if I promised you that now, I'd be lying"): said to explain why not."""
_ZH_COMPLIED_RE = re.compile(r"^(?:那|然后|后来)?(?:我|咱)(?:也|就|只好|只能|便|当场|直接)*"
                             r"(?:照做|照办|给|发|答应|同意|办|删|改)(?:了|给?[他她]了?)?(?:吧|啦)?$")
_EN_COMPLIED_RE = re.compile(r"^(?:and |so |and so )?(?:i|we) (?:just |simply |then )?(?:did it|"
                             r"did that|did|gave it|gave (?:it to )?(?:him|her|them)|sent it|"
                             r"sent (?:it to )?(?:him|her|them)|went ahead|agreed|said yes)$")
"""The speaker doing what was just reported as asked: "客户让我把他邻居的电话给他，我就给了" - the
request is then the speaker's act."""
_ZH_CAUTIONED_RE = re.compile(r"(?:反而会?|只会|就会)(?:让|把)?[^，。]{0,6}"
                              r"(?:出事|坏事|更糟|更麻烦|更生气|更火|激怒|惹毛|出问题)|适得其反")
_EN_CAUTIONED_RE = re.compile(r"\b(?:backfires?|(?:only|just) makes? (?:it|things|them) worse|"
                              r"would (?:only )?make (?:it|things|them) worse|never works)\b")
"""What would go wrong if one did it, said after it: "一听口音就贴标签反而会出事", "arguing back
only makes it worse": a caution, not an act."""
_ZH_DENIED_RE = re.compile(
    r"^(?:而|但|可)?(?:不是|不会|不能|别|不要|绝不|从不|千万别)(?:说|讲|像)?$")
_EN_DENIED_RE = re.compile(r"^(?:and |but )?(?:not|never|no|not like|rather than|instead of)$")
"""A clause that only denies, before the words it denies: "I'd explain nicely, not like,
you're wrong, sir"."""
_ZH_SUBJECT = r"(?<![让叫请要给把跟对和被替帮向]){}(?:就|都|也|还|又|总是|老是)?$"
"""A pronoun as the subject right before the words (not the object of 让/把/给…)."""
_ZH_THEIRS_BEFORE_RE = re.compile(_ZH_SUBJECT.format("(?:他们|她们)"))
_ZH_YOURS_BEFORE_RE = re.compile(_ZH_SUBJECT.format("你们"))
""""你们卖3无产品": the customer accusing the company - a candidate speaking to a customer says
"您" and "我们" - or a third person acting ("他们就骂人"); "我让他们先等着" is still the
speaker's."""
_ZH_THEY_OPEN_RE = re.compile(r"^(?:然后|结果|可是?|但是?|所以|那|要是|如果)?"
                              r"(?:他|她|他们|她们|客户|顾客|客人|对方|人家|老人|同事|"
                              r"(?:很多|有些|有的|不少|一些|别的|其他)(?:客服|坐席|人|同事))"
                              r"(?!的|电话|手机|号码|地址|信息|资料|账户|家|那边|这边|那头|方面)"
                              r"(?:(?!要|想|让|叫|问|说|求|什么|啥|哪|怎么)[^我咱你您]){0,6}$")
"""The clause opens with a third person as its subject and a short deed of theirs that
leads, with 就, to the words ("他听两句就挂了"), and neither the speaker nor the listener comes
before the words or later in the sentence: the act is theirs, whether a cue or a pattern
found it; other agents too ("有的同事一忙就直接挂掉", "很多客服就会急着挂电话": the
speaker is not them). "他一骂人我就直接挂了", "他能说出名字，我就直接帮他开通了" keep the
speaker as the subject; "他电话直接给你" (his number) and "客户那边就别提了" (the
customer's side) name no subject; what the third person wants or asks ("客人要什么先答应
下来") is done by the speaker. English is left to the cues' own check
(`_EN_THEIRS_BEFORE_RE`): its breach patterns often begin with the condition ("he forgot his
ID, …, so I processed it")."""
_ZH_LIMIT_RE = re.compile(r"(?:超过|超出|大于|高于|多于)了?$")
_EN_LIMIT_RE = re.compile(r"\b(?:more|higher|bigger|larger|greater|further) than\s*$|"
                          r"\b(?:beyond|above|over|outside) what\s*$")
"""A limit, said before the words: "the amount is more than I can waive myself",
"金额超出了我能批的范围" says what the speaker cannot do."""
_ZH_CONCEDED_RE = re.compile(r"^(.{1,4})就?是\1[^，]{0,2}，(?:但是?|可是|不过)(?P<rest>[^，。]*)")
_EN_CONCEDED_RE = re.compile(r"^(?:the |a )?(\w+) (?:are|is) (?:the |a )?\1\s*，\s*(?:but|yet)\b"
                             r"(?P<rest>[^，.]*)")
"""A rule granted, then turned round: "Rules are rules, but you still ask why", "规定就是规定，
但是我会帮您问问主管"; not when what follows the "but" refuses ("…, but there is nothing I can
do")."""
_ZH_CORRECTED_RE = re.compile(r"是我(?:自己)?(?:说|看|记|弄|搞|写|报|算)错了")
_EN_CORRECTED_RE = re.compile(r"\b(?:i|we) (?:got it|had it|was|were|said it) wrong\b|"
                              r"\b(?:it|that) was my mistake\b")
"""A correction, later in the sentence: "上次我说两天能到，其实要1周，是我说错了" owns up to
what was said; it is no lie."""
_REFUSED_RE = re.compile(r"\b(?:nothing|no way|no chance)\b|没办法|没辙|不行|帮不了|管不了")
_EN_THEIRS_BEFORE_RE = re.compile(r"\b(?:they|he|she|customers|callers|people|the customer|"
                                  r"the caller)(?: \w+)?\s*$|\b(?:hear|heard|see|saw|watch|"
                                  r"watched|feel|felt|help|helped) (?:them|him|her|people|the "
                                  r"customer|the caller)\s*$")
"""A third person right before the words: "once you ask nicely they calm down" ("you could
hear them calm down") is their act, not the speaker telling them to. Not "let them …":
letting someone use one's login is the speaker's act ("let them hang up first" is kept out
by the hang-up patterns themselves)."""
_ZH_WAITED_RE = re.compile(r"等(?:到|着)?(?:他|她|他们|她们|客户|顾客|客人|对方)$")
_EN_WAITED_RE = re.compile(r"\bwait(?:ing)? (?:for|until) (?:them|him|her|the customer|the caller)"
                           r"(?: to)?\s*$")
"""Waiting for the other person to do it, right before the words: "等客户先挂电话", "wait for
the caller to hang up" is their act."""
_ZH_THEN_RE = re.compile(r"(?:就|便)(?:会|要|得)?$")
"""就 ("then") leading to the words, with a modal ("有的同事一忙就会直接挂掉")."""


def reported_spans(clauses: Sequence[Clause], language: str) -> tuple[tuple[int, int], ...]:
    """Per clause, the span of its `normalised` text that voices someone else ((0, 0): none).

    Within a clause the span runs from the reported verb to the speaker's own "我"/"I", if
    any comes back ("他说是朋友我就给了": only "是朋友" is his); a Mandarin clause that goes on
    with a wish and no subject of its own ("有人自称是她丈夫，想查她的账户") is theirs too."""
    report_re, own_re, me_re, act_re = (
        (_ZH_REPORT_RE, _ZH_OWN_VOICE_RE, _ZH_ME_RE, _ZH_THEIR_ACT_RE) if language == "zh"
        else (_EN_REPORT_RE, _EN_OWN_VOICE_RE, _EN_ME_RE, _EN_THEIR_ACT_RE))
    spans: list[tuple[int, int]] = []
    quoting = introduced = reporting = False
    for clause in clauses:
        text = clause.normalised
        if starts_sentence(clause):
            quoting = reporting = False
        wish = _ZH_THEIR_WISH_RE.match(text) if reporting and language == "zh" else None
        if wish is not None:
            # "有人自称是她丈夫，想查她的账户": the wish goes on without its subject.
            me = me_re.search(text, _past_object(text, wish.end()))
            spans.append((0, me.start() if me else len(text)))
            continue
        reporting = False
        if introduced and (any(ch in _QUOTE_OPENERS for ch in clause.lead)
                           or clause.text[:1] in _QUOTE_OPENERS):
            quoting = True  # after "有客户说：" what follows is theirs
        introduced = False
        if quoting and own_re.search(text) is None:
            spans.append((0, len(text)))
            continue
        quoting = False
        act = act_re.match(text)
        if act is not None:
            me = me_re.search(text, act.end())
            spans.append((0, me.start() if me else len(text)))
            continue
        found = report_re.search(text)
        own = own_re.search(text)
        if found is None or (own is not None and own.start() < found.start()):
            spans.append((0, 0))
            continue
        back_re = me_re if language == "zh" else _EN_BACK_RE
        me = back_re.search(text, _past_object(text, found.end()))
        spans.append((found.end(), me.start() if me else len(text)))
        introduced = found.end() >= len(text) - 1
        reporting = me is None
    return tuple(_withheld(_unless_complied(spans, clauses, language), clauses, language))


_EN_DANGLING_RE = re.compile(r"\b(?:not|never)(?:\s+(?:just|really|ever|even|necessarily|"
                             r"always|actually|like|um|uh|er))*$")
_ZH_DANGLING_RE = re.compile(r"(?:不会|不能|不要|不可以|不该|不应该|别|绝不|绝对不|从不|"
                             r"从来不|决不)(?:再|就|去|随便|直接|马上)?$")
_EN_UNSAID_RE = re.compile(r"\b(?:not|never)\b(?:\s+\w+){0,2}?\s+(?:say|tell \w+|go|answer|"
                           r"reply|respond)\b")
_ZH_NOT_SAYING = "谎假瞎脏坏"
"""说 before these is lying or swearing ("不会说谎"), not words one would say."""
_ZH_UNSAID_RE = re.compile(r"(?:不会|不能|不要|别|绝不|从不|不)[^，。]{0,4}?"
                           rf"(?:说|讲|回答|回复|来1句)(?![{_ZH_NOT_SAYING}])")
_ZH_UNSAID_OWN_RE = re.compile(r"(?:不会|不能|不要|绝不|从不)(?:就|直接|随便|只|光|再)?"
                               rf"(?:说|讲|回答|回复)(?![{_ZH_NOT_SAYING}完话])")
"""The speaker's own saying, negated right before it (not "不等他说完", nor "别说退，换也不
行", where 别说 means "let alone")."""
_EN_OWN_START_RE = re.compile(r"^(?:and |but |so |then |instead )?(?:i|we)\b")
_ZH_OWN_START_RE = re.compile(r"^(?:但是?|可是|不过|而是|然后|那|就)?(?:我|咱)")
_WITHHELD_MAX_CLAUSES = 3
_RUNS_ON_MAX_ZH_CHARS = 4
_RUNS_ON_MAX_EN_WORDS = 2
_LETTER_QUOTE_RE = re.compile(r"(?<=\w)'(?=\w)")


def _withheld(spans: list[tuple[int, int]], clauses: Sequence[Clause],
              language: str) -> list[tuple[int, int]]:
    """The clauses after a negation left open (a dangling "I wouldn't", "我不会"; a negated
    saying that opens a quotation) are not the speaker's act, up to `_WITHHELD_MAX_CLAUSES`,
    the sentence's end or a clause the speaker starts anew."""
    dangling, unsaid, own_start = (
        (_ZH_DANGLING_RE, _ZH_UNSAID_RE, _ZH_OWN_START_RE) if language == "zh"
        else (_EN_DANGLING_RE, _EN_UNSAID_RE, _EN_OWN_START_RE))
    left = 0
    for i, clause in enumerate(clauses):
        text = clause.normalised
        if left and (starts_sentence(clause) or own_start.match(text)):
            left = 0
        if left:
            spans[i] = (0, len(text))
            left -= 1
        if dangling.search(text) or (unsaid.search(text) and _quote_open(clause.text)) or (
                _runs_on(text, language)):
            left = _WITHHELD_MAX_CLAUSES
    return spans


def _runs_on(text: str, language: str) -> bool:
    """Whether the speaker's own saying is negated and the words said are only begun in its
    clause ("I wouldn't just say sorry, policy is thirty days, and end the call", "我不会
    直接说抱歉，规定就是这样，然后挂电话"): speech has no quotation marks, so the next clauses
    are what would not be said. Not "我不等他说完" (his saying, not the speaker's)."""
    if language == "zh":
        said = _ZH_UNSAID_OWN_RE.search(text)
        return said is not None and len(text[said.end():].strip()) <= _RUNS_ON_MAX_ZH_CHARS
    said = _EN_UNSAID_RE.search(text)
    return said is not None and len(text[said.end():].split()) <= _RUNS_ON_MAX_EN_WORDS


def _quote_open(text: str) -> bool:
    """Whether `text` opens a quotation it does not close ("say 'Sorry", "说“没办法")."""
    plain = _LETTER_QUOTE_RE.sub("", text)  # "wouldn't" is no quotation mark
    curly = sum(plain.count(c) for c in "“「『‘") > sum(plain.count(c) for c in "”」』’")
    return curly or plain.count('"') % 2 == 1 or plain.count("'") % 2 == 1


def _unless_complied(spans: list[tuple[int, int]], clauses: Sequence[Clause],
                     language: str) -> list[tuple[int, int]]:
    """A request reported and then done by the speaker in the next clause is theirs no more."""
    complied = _ZH_COMPLIED_RE if language == "zh" else _EN_COMPLIED_RE
    for i in range(len(spans) - 1):
        after = clauses[i + 1].normalised
        if (spans[i] != (0, 0) and complied.search(after) is not None
                and not is_negative(after, language)):
            spans[i] = (0, 0)
    return spans


_EN_ASKED_RE = re.compile(r"\s*(?:that\s+)?(?:i|me)\b")


def _past_object(text: str, position: int) -> int:
    """Where to look for the speaker's own "我" after a verb at `position`: "客户要求我把…给
    他", "他问我能不能…", "he demanded that I give him…": the "我"/"I" right after the verb is
    the one asked, and what follows is still theirs."""
    if text.startswith(("我", "咱"), position):
        return position + 1
    asked = _EN_ASKED_RE.match(text, position)
    return asked.end() if asked else position


def conditions(clauses: Sequence[Clause]) -> tuple[str, ...]:
    """Per clause, the clause before it in the same sentence ("" at a sentence's start): where
    the condition of a warning is said ("如果您再骂人，我只能先挂断电话")."""
    previous = ["", *(c.normalised for c in clauses)]
    return tuple("" if starts_sentence(c) else before
                 for c, before in zip(clauses, previous, strict=False))


def sentence_ends(clauses: Sequence[Clause]) -> tuple[int, ...]:
    """Per clause, the index of the last clause of its sentence (a breach pattern written
    with a comma reads on to there: "我不回复，直接关掉")."""
    ends = [len(clauses) - 1] * len(clauses)
    for i in range(len(clauses) - 2, -1, -1):
        ends[i] = i if starts_sentence(clauses[i + 1]) else ends[i + 1]
    return tuple(ends)


def starts_sentence(clause: Clause) -> bool:
    """Whether a sentence begins at `clause` (its lead holds a sentence end or a closing
    quotation mark)."""
    return any(ch in _SENTENCE_END for ch in clause.lead)


_ZH_CONSENT_RE = re.compile(r"(?<![未不没])(?:征得|经过?|取得|得到)了?(?:他|她|对方|本人|那位|其)?"
                            r"[^，。]{0,6}?(?:同意|授权|允许)|(?:对方|本人|那位客户|那个人)"
                            r"(?:同意|答应|愿意)(?:了|后|的话|之后)")
_EN_CONSENT_RE = re.compile(r"\bwith (?:their |his |her |the (?:other )?(?:person's |customer's |"
                            r"party's |owner's ))?(?:consent|permission|agreement)\b|"
                            r"\b(?:only if|once|as long as) (?:they|he|she|that person|the other "
                            r"(?:customer|person|party)|the (?:account )?(?:owner|holder)) "
                            r"(?:agrees?|consents?|says? (?:it is|its) (?:ok|okay|fine))\b")
"""The act done with the other person's consent is no breach ("征得对方同意后再转告",
"pass along their number only if that person says it's okay"); "未经同意" is no consent."""


def excused(condition: str, before: str, after: str, language: str, words: bool) -> bool:
    """Whether words found in a clause, with `before` and `after` them in it and the
    sentence's previous clause `condition`, are no act of the speaker's: a warning of what
    would follow ("如果您再骂人，我只能先挂断电话"), a supposition ("我要是随口答应您，…"),
    denied by a clause that only denies ("not like, you're wrong"), cautioned against after
    them ("一听口音就贴标签反而会出事"), a limit ("more than I can waive"), a rule granted and
    turned round ("rules are rules, but…"), a mistake owned up to ("…，其实要1周，是我说错了"),
    done only with the other person's consent ("…with consent"), waited for the other person
    to do ("等客户先挂电话"), said against it (`caveats.said_against`: "如果跳过验证，就可能…",
    "…是大忌"), or - for the words one would say
    (`words`: a cue, or an English pattern that names no one, `actor_left_out`; other
    patterns may name the third person themselves) - said of a third person ("they calm
    down", "people get snappy"); the customer's accusation ("你们卖3无产品") in any case.
    `after` runs to the sentence's end."""
    zh = language == "zh"
    lead = before.strip()
    conceded = (_ZH_CONCEDED_RE if zh else _EN_CONCEDED_RE).match(after)
    return ((conceded is not None and not is_negative(conceded.group("rest"), language)
             and _REFUSED_RE.search(conceded.group("rest")) is None)
            or _owned_up(after, language)
            or (_ZH_CONSENT_RE if zh else _EN_CONSENT_RE).search(before + " " + after)
            is not None
            or (_ZH_LIMIT_RE if zh else _EN_LIMIT_RE).search(before) is not None
            or (_ZH_WARNING_RE if zh else _EN_WARNING_RE).search(condition + " " + before)
            is not None
            or (_ZH_SUPPOSED_RE if zh else _EN_SUPPOSED_RE).search(before) is not None
            or (_ZH_DENIED_RE if zh else _EN_DENIED_RE).search(condition.strip()) is not None
            or (_ZH_CAUTIONED_RE if zh else _EN_CAUTIONED_RE).search(after) is not None
            or (zh and _ZH_YOURS_BEFORE_RE.search(before) is not None)
            or (zh and _ZH_THEY_OPEN_RE.match(lead) is not None
                and (_ZH_THEN_RE.search(lead) is not None or after.startswith(("就", "便")))
                and _ZH_ME_RE.search(after) is None)
            or (_ZH_WAITED_RE if zh else _EN_WAITED_RE).search(lead) is not None
            or said_against(condition, before, after, language)
            or (words and (_ZH_THEIRS_BEFORE_RE if zh else _EN_THEIRS_BEFORE_RE).search(before)
                is not None))


def _owned_up(after: str, language: str) -> bool:
    """The speaker owns up to a mistake later in the sentence, not negated ("…，其实要1周，
    是我说错了"; "我不会说是我算错了" owns up to nothing)."""
    found = (_ZH_CORRECTED_RE if language == "zh" else _EN_CORRECTED_RE).search(after)
    return found is not None and not negated_before(after, found.start(), language)


_EN_ACTOR_RE = re.compile(r"\b(?:i|we|you|me|us)\b")
_EN_CONDITION_RE = re.compile(r"\b(?:if|when|once|unless|as long as)\b")


def actor_left_out(words: str, before: str, after: str, language: str) -> bool:
    """Whether a breach pattern's English `words` name no one acting, follow no condition and
    no speaker (`before`: the clause up to them; "I'll make sure he stays on his old price"
    is the speaker's doing) and lead to no act of the speaker's (`after`: the rest of the
    sentence), so that a third person right before them is the one who acts
    ("sometimes people get snappy", "he did post a review"; `excused`). A pattern that is
    itself the condition of the speaker's act ("he seemed honest, so I processed it") is the
    speaker's; Mandarin drops its subjects and is left to `_ZH_THEY_OPEN_RE`."""
    return (language == "en" and _EN_ACTOR_RE.search(words) is None
            and _EN_CONDITION_RE.search(before) is None
            and _EN_ME_RE.search(before) is None and _EN_ME_RE.search(after) is None)
