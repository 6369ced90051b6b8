"""Reading the trainee's answer to choose the customer's next step.

Each step of a scenario has branches tried in order (`scenario.Branch`); `choose_branch`
takes the first whose conditions all hold for the transcript: cues heard (matched like
every cue, `scoring.matching.find_cue`, at the one fuzzy threshold of `ScoringConfig`), cues
not heard, a concrete time given (`heard_time`), or nothing said. A time only counts when
the answer is about the customer's problem (`on_topic`, judged by meaning against the
scenario's subject): "sorry, your order ships today" is an apology, but it gives a customer
whose internet is down no time for the engineer. The reasons are kept for the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from simulator.call.scenario import Branch, Step
from simulator.scoring.matching import AnswerText, find_cue, prepare_answer
from simulator.speech.transcript import Transcript

_ZH_NUMBER = r"(?:\d+|[半十两一二三四五六七八九]+)"  # normalise leaves 十 and 半 as they are
_ZH_TIME_RE = re.compile(
    r"今天|今晚|今早|明天|明早|明晚|后天|本周|这周|下周|(?:周|星期|礼拜)[1-7一二三四五六日天末]"
    r"|上午|中午|下午|晚上|傍晚|\d+点|\d+号|\d+月"
    rf"|{_ZH_NUMBER}个?(?:小时|钟头|分钟|工作日|天|日|周|星期|礼拜)")
_EN_NUMBER = (r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
              r"|fifteen|twenty(?: four)?|thirty|forty(?: five| eight)?|fifty|sixty"
              r"|seventy two|half an?)")
_EN_TIME_RE = re.compile(
    r"\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week)"
    r"|end of (?:the )?(?:day|week)|(?:mon|tues|wednes|thurs|fri|satur|sun)day|noon|midday"
    r"|\d{1,2}(?: \d{2})? ?(?:am|pm|a m|p m|o clock)"
    rf"|{_EN_NUMBER} (?:more )?(?:business |working )?(?:minutes?|hours?|days?|weeks?))\b")
"""Concrete times in normalised text (digits, lower case, no punctuation). Vague promises
(尽快, 马上, "as soon as possible", "a few days") are deliberately not times."""


@dataclass(frozen=True)
class BranchChoice:
    """The branch taken after an answer, and why."""

    index: int
    """1-based position of the branch in its step."""
    branch: Branch
    reasons: tuple[str, ...]
    """What was (or was not) heard, one item per condition; "default" for the default."""


def heard_time(normalised: str, language: str) -> str | None:
    """The first concrete time in a normalised answer ("明天", "3点", "24 hours"), or None."""
    text = normalised.replace(" ", "") if language == "zh" else normalised
    match = (_ZH_TIME_RE if language == "zh" else _EN_TIME_RE).search(text)
    return match.group(0) if match else None


def choose_branch(step: Step, transcript: Transcript, language: str, *,
                  fuzzy_threshold: float, on_topic: bool = True) -> BranchChoice:
    """The first branch of `step` whose conditions all hold for the trainee's answer.

    Args:
        step: a step with branches (the last one is the default).
        transcript: the trainee's answer.
        language: the scenario's language.
        fuzzy_threshold: 0-100: how strongly a cue must match to count as heard (the
            scorecard's threshold: exact 100, split word, same sound or inflection 88-95).
        on_topic: whether the answer is about the customer's problem; when it is not, a
            time it names is not a time for the customer's problem (`heard_time` is false).
    """
    answer = prepare_answer(transcript.normalised)

    def heard(cue: str) -> str | None:
        match = find_cue(cue, answer)
        return match.span if match is not None and match.strength >= fuzzy_threshold else None

    for index, branch in enumerate(step.branches, start=1):
        reasons = _reasons(branch, answer, transcript, language, heard, on_topic)
        if reasons is not None:
            return BranchChoice(index, branch, tuple(reasons) or ("default",))
    raise AssertionError(f"step {step.id} has no default branch")  # the loader forbids it


def _reasons(branch: Branch, answer: AnswerText, transcript: Transcript, language: str,
             heard: Callable[[str], str | None], on_topic: bool) -> list[str] | None:
    """Why every condition of the branch holds, or None when one does not."""
    reasons: list[str] = []
    if branch.silent is not None:
        if branch.silent != transcript.is_empty:
            return None
        reasons.append("said nothing" if branch.silent else "said something")
    spans = {cue: heard(cue) for cue in (*branch.heard_any, *branch.heard_all,
                                         *branch.heard_none)}
    if branch.heard_any:
        found = [(cue, spans[cue]) for cue in branch.heard_any if spans[cue]]
        if not found:
            return None
        reasons.append(f"heard {found[0][0]!r} (as {found[0][1]!r})")
    if branch.heard_all:
        missing = [cue for cue in branch.heard_all if not spans[cue]]
        if missing:
            return None
        reasons.append(f"heard all of {', '.join(map(repr, branch.heard_all))}")
    if branch.heard_none:
        found = [(cue, spans[cue]) for cue in branch.heard_none if spans[cue]]
        if found:
            return None
        reasons.append(f"heard none of {', '.join(map(repr, branch.heard_none))}")
    if branch.heard_time is not None:
        time_heard = heard_time(answer.text, language)
        if time_heard is not None and not on_topic:
            time_heard = None
            reasons.append("a time, but not about the customer's problem")
        if branch.heard_time != (time_heard is not None):
            return None
        reasons.append(f"heard a time ({time_heard!r})" if time_heard else "heard no time")
    return reasons
