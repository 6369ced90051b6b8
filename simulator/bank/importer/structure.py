"""Finding the sections (`三、服务场景实操(共8题,每题4分)`) and the questions (marked
`题目N(X分)...答案要点` or numbered `N.` with `答：`) in a cleaned document."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_NUMERALS = "一二三四五六七八九十"
_SECTION_NUMERAL_RE = re.compile(f"([{_CN_NUMERALS}]{{1,3}})\\s*[、.．]")
_TITLE_CHARS = r"[^\n、，,。:：;；？?!！()（）]"
_SECTION_META_RE = re.compile(
    rf"\s*({_TITLE_CHARS}{{1,30}}?)\s*([(（]\s*共\s*(\d{{1,4}})\s*[道个]?题([^()（）\n]{{0,30}})[)）])")
_SECTION_BEFORE_QUESTION_RE = re.compile(rf"\s*({_TITLE_CHARS}{{1,30}}?)\s*(?=题目\s*\d)")
_EACH_POINTS_RE = re.compile(r"每题\s*(\d{1,4}(?:\.\d{1,2})?)\s*分")
_MARKED_QUESTION_RE = re.compile(
    r"题目\s*(\d{1,4})\s*(?:[(（]\s*(\d{1,4}(?:\.\d{1,2})?)\s*分\s*[)）])?\s*[:：.．、]?")
_NUMBERED_QUESTION_RE = re.compile(r"^[ \t\u3000]*(\d{1,3})\s*[.．、](?!\d)\s*", re.MULTILINE)
_LEADING_POINTS_RE = re.compile(r"^[(（]\s*(\d{1,4}(?:\.\d{1,2})?)\s*分\s*[)）]\s*")
_ANSWER_MARKER_RE = re.compile(r"答案要点|答题要点|参考答案|答案解析|答案|答\s*[:：]")
_MODEL_ANSWER_RE = re.compile(r"答\s*[:：]|参考答案\s*[:：]?|答案\s*[:：]")
_QUESTION_MARK_RE = re.compile(r"[？?]")


@dataclass(frozen=True, kw_only=True)
class SectionHeading:
    """A section heading found in the document (`三、服务场景实操(共8题,每题4分)`)."""

    number: int
    """The heading's numeral (三 -> 3)."""
    title: str
    position: int
    """Character offset of the heading in the cleaned text."""
    end: int
    """Offset just after the heading."""
    count: int | None = None
    """Questions announced by the heading (`共8题`), if stated."""
    points_each: float | None = None
    """Marks per question announced by the heading (`每题4分`), if stated."""


@dataclass(frozen=True, kw_only=True)
class RawQuestion:
    """A question as found in the text, before key points are derived."""

    number: int
    position: int
    points: float | None
    prompt: str
    answer: str
    """The text after the answer marker, up to the next question or section."""
    marked: bool
    """True for `题目N ... 答案要点` questions, False for `N. ... 答：` ones."""


def find_sections(text: str) -> tuple[SectionHeading, ...]:
    """Find section headings: `一、标题(共5题,每题2分,...)`, inline or on their own line.

    A heading counts when it announces its questions (`(共5题...)`), is followed directly by
    `题目N`, or stands alone on a short line.

    Args:
        text: Cleaned text in simplified script.

    Returns:
        The headings in document order.
    """
    headings: list[SectionHeading] = []
    for match in _SECTION_NUMERAL_RE.finditer(text):
        number = chinese_number(match.group(1))
        before = text[match.start() - 1] if match.start() else ""
        if number is None or (before and before in _CN_NUMERALS):
            continue
        meta = _SECTION_META_RE.match(text, match.end())
        if meta:
            each = _EACH_POINTS_RE.search(meta.group(4) or "")
            headings.append(SectionHeading(
                number=number, title=meta.group(1).strip(), position=match.start(),
                end=meta.end(), count=int(meta.group(3)),
                points_each=float(each.group(1)) if each else None))
            continue
        before_question = _SECTION_BEFORE_QUESTION_RE.match(text, match.end())
        if before_question and before_question.group(1).strip():
            headings.append(SectionHeading(number=number, title=before_question.group(1).strip(),
                                           position=match.start(), end=before_question.end()))
            continue
        line_end = text.find("\n", match.end(), match.end() + 32)
        line_end = len(text) if line_end < 0 and len(text) - match.end() <= 31 else line_end
        title = text[match.end():line_end].strip() if line_end >= 0 else ""
        if (_at_line_start(text, match.start()) and 0 < len(title) <= 30
                and not re.search(r"[。，,;；？?!！:：]", title)):
            headings.append(SectionHeading(number=number, title=title, position=match.start(),
                                           end=line_end))
    return tuple(headings)


def _at_line_start(text: str, position: int) -> bool:
    """True if only spaces stand between the previous line break (or the start) and position."""
    while position > 0 and text[position - 1] in " \t\u3000":
        position -= 1
    return position == 0 or text[position - 1] == "\n"


def chinese_number(numeral: str) -> int | None:
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0))
        return value or None
    if len(numeral) == 1:
        return _CN_DIGITS.get(numeral)
    return None


def find_questions(text: str, headings: tuple[SectionHeading, ...]) -> tuple[RawQuestion, ...]:
    """Find the questions: `题目N(X分)...答案要点...` if any, else `N. ... 答：...`.

    Args:
        text: Cleaned text in simplified script.
        headings: The section headings in `text` (they end a question's answer).

    Returns:
        The questions in document order (prompt and answer still raw).
    """
    marked = list(_MARKED_QUESTION_RE.finditer(text))
    if marked:
        return tuple(_marked_questions(text, marked, headings))
    return tuple(_numbered_questions(text, headings))


def _next_stop(position: int, starts: list[int], length: int) -> int:
    """The first of the sorted `starts` after `position`, else `length`."""
    index = bisect.bisect_right(starts, position)
    return starts[index] if index < len(starts) else length


def _prompt_and_answer(segment: str, marker_re: re.Pattern[str]) -> tuple[str, str]:
    """A question's text split at its answer marker, else just after its question mark."""
    marker = marker_re.search(segment)
    if marker:
        return segment[:marker.start()], segment[marker.end():]
    mark = _QUESTION_MARK_RE.search(segment)
    cut = mark.end() if mark else len(segment)
    return segment[:cut], segment[cut:]


def _marked_questions(text: str, matches: list[re.Match[str]],
                      headings: tuple[SectionHeading, ...]) -> list[RawQuestion]:
    stops = sorted([m.start() for m in matches] + [h.position for h in headings])
    found: list[RawQuestion] = []
    for match in matches:
        segment = text[match.end():_next_stop(match.start(), stops, len(text))]
        prompt, answer = _prompt_and_answer(segment, _ANSWER_MARKER_RE)
        found.append(RawQuestion(
            number=int(match.group(1)), position=match.start(),
            points=float(match.group(2)) if match.group(2) else None,
            prompt=prompt, answer=answer.lstrip(" \t\n:："), marked=True))
    return found


def _numbered_questions(text: str, headings: tuple[SectionHeading, ...]) -> list[RawQuestion]:
    candidates = list(_NUMBERED_QUESTION_RE.finditer(text))
    heading_starts = [h.position for h in headings]
    all_stops = sorted([c.start() for c in candidates] + heading_starts)
    accepted: list[re.Match[str]] = []
    for cand in candidates:
        segment = text[cand.end():_next_stop(cand.start(), all_stops, len(text))]
        line = segment.split("\n", 1)[0]
        if _MODEL_ANSWER_RE.search(segment) or _QUESTION_MARK_RE.search(line):
            accepted.append(cand)
    stops = sorted([c.start() for c in accepted] + heading_starts)
    found: list[RawQuestion] = []
    for cand in accepted:
        segment = text[cand.end():_next_stop(cand.start(), stops, len(text))]
        points_match = _LEADING_POINTS_RE.match(segment)
        points = float(points_match.group(1)) if points_match else None
        if points_match:
            segment = segment[points_match.end():]
        prompt, answer = _prompt_and_answer(segment, _MODEL_ANSWER_RE)
        found.append(RawQuestion(number=int(cand.group(1)), position=cand.start(),
                                 points=points, prompt=re.sub(r"^\s*问\s*[:：]", "", prompt),
                                 answer=answer.strip(), marked=False))
    return found
