"""Good practice said around the words of a bad one (`stance.excused` asks): the speaker
warns against it, grants a fault and handles it kindly, condemns it, tells of other agents
doing it, or promises to make good only on a finding of fault.

- **warned against**: someone (not the speaker) supposed doing it, with harm later in the
  sentence ("如果跳过验证，就可能把钱转给骗子", "if you skip the security questions, you put
  the account at risk"), or the speaker then refusing or acting kindly ("如果确实是客户的问题，
  我会耐心地跟他说明"); "if you skip them, it saves time" warns of nothing;
- **conceded**: a fault granted, then the same ("哪怕是客户自己搞错了，我也会耐心解释");
  "哪怕答不上来也没关系，我先帮您重置密码" grants the act itself;
- **condemned** right after it ("跳过验证是大忌", "skipping verification is a big no-no") or
  right before ("我最怕的就是一听口音就给人贴标签"), or a generalisation refuted later in the
  sentence ("南方人都一样，每个客户都不一样");
- **other agents' habits** in English ("some agents skip verification, but I never would"),
  unless the speaker joins them without a negation;
- **turned down**: a state of things, said by no one to anyone, that the speaker then
  refuses to act on ("That's not my department, but I didn't want to just bounce him");
- **on a finding of fault**: a promise to make good once the fault is found ("认定是我们的
  责任，我们一定照赔", "once billing confirms it was our error, I promise you'll get the full
  refund") is conditional on the check, which is what an examiner wants.

All are read on normalised clauses (simplified, lower case, contractions expanded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.scoring.negation import is_negative, negated_before

SPEAKER_RE = {"zh": re.compile(r"[我咱](?!们)"), "en": re.compile(r"\b(?:i|we)\b")}
"""The speaker, "I" or "we" ("我们" after a report is mostly its object; `stance.py` reads it
too)."""

_ZH_IF_OPEN_RE = re.compile(r"^(?:但是?|可是|而且|因为|毕竟)?(?:如果|要是|假如|万一|一旦|若是?)"
                            r"(?:客服|坐席|员工|你|您|我们|咱们|同事|有人|别人|谁)?[^，。我]{0,6}$")
_EN_IF_OPEN_RE = re.compile(r"^(?:but |and |because )?(?:if|once)\s+(?:you|we|an agent|agents|"
                            r"someone|anyone|a rep|staff|the agent|people|somebody|it|they|he|"
                            r"she|the customer|the caller)\b[^，.]{0,30}$")
_ZH_HARM_RE = re.compile(r"风险|危险|出事|出问题|被骗|骗子|冒名|冒用|冒领|泄露|泄漏|被盗|盗刷|损失|"
                         r"后果|违规|违法|不安全|隐患|追责|处分|扣分|被罚|更生气|更火|激怒|失去信任")
_EN_HARM_RE = re.compile(r"\b(?:risks?|risky|danger|dangerous|fraud|fraudsters?|scams?|scammers?|"
                         r"breach|trouble|wrong person|unsafe|liable|fired|disciplined|"
                         r"consequences|worse|angrier|exposed|hacked|stolen|identity theft|"
                         r"lose (?:their|the customer s|the) trust)\b")
_ZH_STILL_NOT_RE = re.compile(r"，(?:那|那么)?(?:我|咱)[^，。]{0,3}?(?:不会|不能|绝不|从不|不)|"
                              r"，(?:那|那么)?(?:我|咱)(?:也|还是|依然|一样)?(?:会|要|先|就)?"
                              r"(?:耐心|好好|慢慢|礼貌|委婉|温和|客气|先?道歉|帮(?:他|她|客户|您)?(?:想办法|解决|一起))")
_EN_STILL_NOT_RE = re.compile(r"，\s*(?:then )?(?:i|we) (?:still |also |just )?(?:would not|"
                              r"will not|do not|never|would never|can not)\b|"
                              r"，\s*(?:then )?(?:i|we) (?:would |will |still |would still )?"
                              r"(?:gently|politely|patiently|kindly|calmly|help|apologi[sz]e)")
"""After a supposition or a concession: the speaker then refusing ("如果是客户自己操作错了，我也
不会指责他") or acting kindly ("如果确实是客户的问题，我会耐心地跟他说明")."""
_ZH_CONCEDING_RE = re.compile(r"(?:即使|哪怕|就算|即便|尽管|虽然|不管|无论)[^，。]{0,6}$")
_EN_CONCEDING_RE = re.compile(r"\b(?:even if|even though|whether or not|regardless of whether|"
                              r"no matter whether)\b[^，.]{0,30}$")
"""A concession before the words, then the speaker refusing or acting kindly ("哪怕是客户自己搞错
了，我也会耐心解释"): granted as a fact, not done or said to anyone; "哪怕答不上来也没关系，
我先帮您重置密码" grants the act itself."""
_ZH_CONDEMNED_RE = re.compile(r"^[^，。]{0,24}?(?:(?<![不没])(?:是|属于|算)(?:个|1个)?(?:大忌|违规|"
                              r"错误的|不对的|不专业的)|(?<![不没])(?:很|非常|特别|太)(?:危险|"
                              r"不专业)|要不得|不可取|万万不可|绝对不行|千万不能)")
_EN_CONDEMNED_RE = re.compile(r"^[^，.]{0,40}?\b(?:is|are|was|would be)\s+(?:a |an |the )?"
                              r"(?:big |huge |serious |real |massive |cardinal |major )?(?:mistake|"
                              r"no-no|no no|red flag|recipe for|sin|wrong|dangerous|unacceptable|"
                              r"never (?:ok|okay|acceptable)|not (?:ok|okay|acceptable|allowed)|"
                              r"the worst|against (?:the )?(?:rules|policy))\b")
"""Condemned right after it: "跳过验证是大忌", "skipping verification is a big no-no"."""
_ZH_DREADED_RE = re.compile(r"(?:最怕|最忌讳|最反感|最讨厌|最看不惯|最受不了)的?(?:就是)?"
                            r"[^，。]{0,12}$")
_EN_DREADED_RE = re.compile(r"\b(?:the (?:worst|last) thing (?:you|i|we|an agent) "
                            r"(?:can|could|want to) do is|what i (?:hate|dread|try to avoid) "
                            r"(?:most )?is)(?: to)?(?:\s+\w+){0,4}\s*$")
"""Condemned right before it: "我最怕的就是一听口音就给人贴标签", "the worst thing you can do is
argue back"."""
_ZH_REFUTED_RE = re.compile(r"，[^。]{0,6}?(?:(?:每1?个人|每1?个客户|每位客户|人和人)(?:的情况)?都?"
                            r"(?:不同|不一样)|因人而异|不能[1一](?:概而论|刀切)|不能以偏概全)")
_EN_REFUTED_RE = re.compile(r"，[^.]{0,20}?\b(?:(?:every|each) (?:one|customer|caller|person) is|"
                            r"everyone is|(?:people|customers|callers) are all) different\b|"
                            r"\bit s (?:really )?case by case\b")
"""A generalisation refuted later in the sentence: "不能说北方人都一样，南方人都一样，每个客户都
不一样" says no customer is to be judged by where they come from."""
_ZH_ON_FINDING_RE = re.compile(r"(?:如果|要是|假如|一旦|只要|若|等到?|经过?|查明|核实|认定|"
                               r"确认|证实|查下来|调查|判定|鉴定)[^，。]{0,10}?(?:是|为|属于)"
                               r"(?:我们|公司|商家|平台|我方)[^，。]{0,4}?(?:责任|问题|原因|过错|"
                               r"失误|错)")
_EN_ON_FINDING_RE = re.compile(r"\b(?:if|once|when|as soon as|provided)\b[^，.]{0,50}?\b(?:our "
                               r"(?:fault|mistake|error|responsibility)|on our (?:side|end)|"
                               r"we (?:were|are) "
                               r"(?:at fault|responsible)|(?:it|that) was (?:us|our)|confirms?|"
                               r"confirmed|turns? out)\b")
_ZH_MAKE_GOOD_RE = re.compile(r"^[^，。]{0,12}?(?:赔|退|补偿|承担|负责)")
_EN_MAKE_GOOD_RE = re.compile(r"^[^，.]{0,40}?\b(?:refund|compensat\w*|reimburs\w*|cover|credit|"
                              r"money back|pay (?:for|back))")
"""A promise to make good on a finding of fault ("认定是我们的责任，我们一定照赔", "once billing
confirms it was our error, I promise you'll get the full refund"): conditional on the check,
which is what an examiner wants, not a promise the speaker cannot keep."""
_EN_OTHERS_RE = re.compile(r"^(?:some|many|a lot of|lots of|other|plenty of)\s+(?:other\s+)?"
                           r"(?:agents|colleagues|reps|people|staff|advisors|advisers|coworkers|"
                           r"co-workers)\b[^，.]{0,20}$")
"""Other agents' habits ("some agents skip verification to save time, but I never would"),
unless the speaker joins them later in the sentence without a negation."""
_ZH_TURNED_RE = re.compile(r"^[^，。]*，(?:但是?|可是?|不过)(?:我|咱)(?:并|也|还是)?"
                           r"(?:没有?|不会|不想|不能|绝不|从不|没打算)")
_EN_TURNED_RE = re.compile(r"^[^，.]*，\s*but (?:i|we) (?:did not|would not|will not|do not|never|"
                           r"was not going to|am not going to)\b")
"""A state of things the speaker then refuses to act on ("That's not my department, but I
didn't want to just bounce him", "这不归我管，但我没有把他推给别人"): said by no one to anyone;
"I'd tell him it's not my department, but I wouldn't be rude" is still the speaker's."""


@dataclass(frozen=True)
class _Caveats:
    """One language's readings of words said against a bad practice (the module's summary)."""

    supposed: re.Pattern[str]
    harm: re.Pattern[str]
    kindly: re.Pattern[str]
    conceding: re.Pattern[str]
    on_finding: re.Pattern[str]
    make_good: re.Pattern[str]
    condemned: re.Pattern[str]
    dreaded: re.Pattern[str]
    refuted: re.Pattern[str]
    turned: re.Pattern[str]
    others: re.Pattern[str] | None


_CAVEATS = {
    "zh": _Caveats(_ZH_IF_OPEN_RE, _ZH_HARM_RE, _ZH_STILL_NOT_RE, _ZH_CONCEDING_RE,
                   _ZH_ON_FINDING_RE, _ZH_MAKE_GOOD_RE, _ZH_CONDEMNED_RE, _ZH_DREADED_RE,
                   _ZH_REFUTED_RE, _ZH_TURNED_RE, None),
    "en": _Caveats(_EN_IF_OPEN_RE, _EN_HARM_RE, _EN_STILL_NOT_RE, _EN_CONCEDING_RE,
                   _EN_ON_FINDING_RE, _EN_MAKE_GOOD_RE, _EN_CONDEMNED_RE, _EN_DREADED_RE,
                   _EN_REFUTED_RE, _EN_TURNED_RE, _EN_OTHERS_RE),
}


def said_against(condition: str, before: str, after: str, language: str) -> bool:
    """Whether words found with `before` and `after` them in their clause (`after` running to
    the sentence's end; `condition`: the sentence's previous clause) are said against the
    bad practice rather than recommending it (the module's summary)."""
    side = "zh" if language == "zh" else "en"
    read, speaker = _CAVEATS[side], SPEAKER_RE[side]
    lead = before.strip()
    kindly = read.kindly.search(after) is not None
    return ((read.supposed.match(lead) is not None
             and (kindly or _harm_follows(read.harm, after, language)))
            or (read.conceding.search(lead) is not None and kindly)
            or (read.on_finding.search(condition + "，" + before) is not None
                and read.make_good.search(after) is not None)
            or read.condemned.search(after) is not None
            or read.dreaded.search(lead) is not None
            or read.refuted.search(after) is not None
            or (speaker.search(lead) is None and read.turned.search(after) is not None)
            or (read.others is not None and read.others.match(lead) is not None
                and (speaker.search(after) is None or is_negative(after, language))))


def _harm_follows(harm_re: re.Pattern[str], after: str, language: str) -> bool:
    """Harm said later in the sentence, not negated ("…，就可能把钱转给骗子")."""
    harm = harm_re.search(after)
    return harm is not None and not negated_before(after, harm.start(), language)
