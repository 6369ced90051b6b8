"""Import an interview document (a scraped question-and-answer page) into a question bank.

This module turns the plain text of an interview document into the bank data of
`prompts/README.md`, validated by `loader.parse_bank`. It understands two layouts: marked
questions (`题目12(4分)...？答案要点 1. ... 2. ...`, key points numbered or bulleted with `-`)
and numbered questions with a model answer (`4.请...？` then `答：...`, key points taken from
the answer's `(1)(2)` steps or its sentences). Every step is a small pure function: remove
debris (bracketed pinyin after characters, web-page boilerplate, page markers), convert to
simplified script, find sections and questions, split answers into key points, and derive
matching cues with jieba. Nothing here touches the file system except `write_bank_toml`.

Choices, for the record:
  * Points come from the question (`(4分)`), else from its section (`每题2分`), else
    `DEFAULT_POINTS`.
  * The closing remark after the last key point (`关键在于...`, `需体现...`) is not a key point;
    it stays in `model_answer`, which holds the whole answer text with one item per line.
  * A question whose text is cut off (the document ends inside it, or it announces more steps
    than it has) is imported with what it has, provided it has a prompt and at least one key
    point, and a warning names it. A question with no prompt or no key points is skipped and
    listed in `ImportResult.skipped` with the reason.
  * Cues are jieba TF-IDF keywords (nouns, verbs, adjectives, idioms) minus a stop list,
    plus "number + unit" phrases (`24小时`), all in `normalise`d form, 1 to `MAX_CUES` per point.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import re
import tempfile
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.bank.loader import parse_bank
from simulator.bank.model import Bank
from simulator.data import LANGUAGES
from simulator.errors import BankError
from simulator.text.normalise import normalise, to_simplified

_LOGGER = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 5_000_000
"""Documents larger than this (UTF-8 bytes) are refused; an interview document is ~20 kB."""
DEFAULT_POINTS = 3
"""Marks for a question when neither the question nor its section states them."""
MAX_CUES = 6
"""Most cues derived for one key point."""
MIN_CUE_CHARS = 2
"""Shortest cue kept, in characters (single characters match far too much)."""
LABEL_MAX_CHARS = 20
"""Longest key-point label, in characters (labels are spoken in feedback)."""
MAX_DERIVED_POINTS = 6
"""Most key points derived from the sentences of a model answer (sentences are merged)."""
MAX_KEY_POINTS = 12
"""Most key points imported for one question; the rest are reported as skipped."""
SNIPPET_CHARS = 40
"""Length of the text snippets quoted in skipped items."""

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}

# --- debris -------------------------------------------------------------------------------

# A bracketed pinyin syllable right after a Chinese character: 服務(wù), 學(xué), 知(zhi).
_PINYIN_CANDIDATE_RE = re.compile(
    f"(?<=[{_CJK}])[(（]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]{{1,6}})([1-5]?)[)）]")
_PINYIN_SYLLABLE_RE = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|er"
    r"|ia|ie|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v))|m|n|ng|hm|hng")
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# The same annotation with its opening bracket lost to a bad decode: 談?wù)勀.
_STRAY_PINYIN_RE = re.compile(f"(?<=[{_CJK}])[?？]([a-z{_TONED}ü]{{1,6}})[)）]")
# One ASCII letter between Chinese characters is what mis-decoded text looks like (催x擇).
_GARBLED_RE = re.compile(f"[{_CJK}][a-z][{_CJK}]")
_MIN_UNTONED_PINYIN = 3
"""Untoned `(ai)` is only debris when the document has at least this many annotations."""

_PAGE_MARKER_RE = re.compile(r"(?:.{0,80}_第\s*\d+\s*页|第\s*\d+\s*页(?:\s*/?\s*共\s*\d+\s*页)?"
                             r"|[-—\s]*\d{1,4}[-—\s]*|\d+\s*/\s*\d+)")
_BOILERPLATE_LINE_RE = re.compile(
    r"已阅读\s*\d+\s*页.*|下载本文档|文档简介|查看更多|评论|实名认证|文档贡献者|该用户很懒.*"
    r"|版权说明[:：].*|.{0,80}\.(?:docx?|pdf|pptx?|txt)(?:VIP)?|.{0,40}\+\s*关注")
_FOOTER_START_RE = re.compile(r"温馨提示|最新文档|相关文档|提交评论|文档评论\s*[(（]\d+[)）]")
_STRONG_SITE_MARKERS = ("本站", "原创力", "人人文库", "book118", "本文档", "VIP文档", "成为VIP",
                        "VIP精品", "VIP会员", "网站", "上传文档", "网友上传")
_WEAK_SITE_MARKERS = ("文档", "下载", "侵权", "侵犯", "版权", "付费", "会员", "退款")
_MAX_BOILERPLATE_LINE = 400
"""Longer lines are content: the body of a scraped page is often one long line."""
_QUESTIONISH_RE = re.compile(r"题目\s*\d|答\s*[:：]|[？?]")

# --- structure ----------------------------------------------------------------------------

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

# --- key points ---------------------------------------------------------------------------

_SPAN_RE = re.compile(r"[(（][^()（）\n]{0,200}[)）]|\"[^\"\n]{0,200}\"|“[^“”\n]{0,200}”"
                      r"|「[^「」\n]{0,200}」|『[^『』\n]{0,200}』|《[^《》\n]{0,200}》"
                      r"|‘[^‘’\n]{0,200}’|【[^【】\n]{0,200}】")
_ITEM_MARKER_RES = (
    ("dot", re.compile(r"(\d{1,2})\s*[.．、](?!\d)")),
    ("paren", re.compile(r"[(（]\s*(\d{1,2})\s*[)）]")),
    ("circled", re.compile(r"([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])")),
)
_DASHES = "-－•"
_NUMBERING_RE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.．、](?!\d)|[(（]\s*\d{1,2}\s*[)）]|[①-⑳]|[-－•])\s*")
_COLONS = ":："
_CLAUSE_PUNCT = ",，。;；!?！？\n"
_LABEL_REGION = 12
"""A colon this close to the start of an item ends the item's own label (`表达歉意:`)."""
_HEADING_MAX = 4
"""A heading glued to the text before it (`...培训师缺点:`) is cut to at most this many chars."""
_CLOSING_CUES = ("关键在于", "核心是", "需体现", "需结合", "需说明", "需举例", "体现", "避免",
                 "最终使")
_CLOSING_MIN_OFFSET = 4
_CLOSING_BACKUP = 8
_LEAD_IN_RE = re.compile(r"[^,，。;；!?！？\n]*[:：]\s*$")
_ANNOUNCED_RE = re.compile(r"([两二三四五六七八九十]|\d{1,2})\s*个?\s*(?:步|方面|原因|阶段|要点)")
_SENTENCE_END = "。！？!?；;\n"
_MIN_SENTENCE_CHARS = 6
_MIN_PREAMBLE_CHARS = 8
_TERMINAL = "。！？!?.…」”\"）)』"
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

# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SkippedItem:
    """Something in the document that did not become part of the bank, and why."""

    kind: str
    """What was skipped: "question", "key_point", "section", "text" or "boilerplate"."""
    location: str
    """Where: "question 12", "line 7", "section 二"..."""
    snippet: str
    """The first `SNIPPET_CHARS` characters of the skipped text (simplified script)."""
    reason: str
    """Why it was skipped, in a few words."""


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    """A bank imported from a document, its TOML-ready data and what did not make it in."""

    bank: Bank
    """The validated bank (built from `data` by `loader.parse_bank`)."""
    data: dict[str, Any]
    """The bank as plain data in the schema of `prompts/banks/*.toml` (for `write_bank_toml`)."""
    skipped: tuple[SkippedItem, ...]
    """Questions, key points, sections and text left out, with the reason."""
    warnings: tuple[str, ...]
    """Things imported that a person should check (truncated questions, count mismatches)."""


@dataclass(frozen=True, kw_only=True)
class CleanText:
    """A document after debris removal and conversion to simplified script."""

    text: str
    removed_lines: tuple[tuple[int, str], ...]
    """(1-based line number, text) of each line dropped as boilerplate."""
    pinyin_removed: int
    """Number of bracketed pinyin annotations removed."""


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


@dataclass(frozen=True, kw_only=True)
class PointDraft:
    """One key point found in an answer: its label and the text it covers."""

    label: str
    text: str


@dataclass(frozen=True, kw_only=True)
class AnswerParts:
    """An answer split into key points, the closing remark and the display form."""

    points: tuple[PointDraft, ...]
    closing: str
    """The closing remark after the last point, or ""."""
    display: str
    """The answer with one item per line, for `model_answer`."""
    listed: int
    """How many numbered items (`1.`, `(1)`) the answer has."""


# --- entry points -------------------------------------------------------------------------


def import_document(text: str, *, bank_id: str, title: str | None = None, language: str = "zh",
                    source: str = "<document>", default_points: float = DEFAULT_POINTS,
                    ) -> ImportResult:
    """Import an interview document into a validated bank.

    Args:
        text: The document's text (traditional or simplified script; scraped debris is fine).
        bank_id: Id for the new bank (`--bank` on the command line).
        title: Bank title; defaults to the document's own title line, else `bank_id`.
        language: "zh" or "en", the language of the questions.
        source: Name of the document for messages (its path, usually).
        default_points: Marks for questions whose points the document does not state.

    Returns:
        The bank, its TOML-ready data, the skipped items and warnings.

    Raises:
        BankError: the input is not text, too large, has no importable question, or the
            options are invalid (one-line message naming `source`).
    """
    if language not in LANGUAGES:
        raise BankError(f"{source}: language {language!r} is not one of {LANGUAGES}")
    if not isinstance(bank_id, str) or not bank_id.strip():
        raise BankError(f"{source}: the bank id must be a non-empty string")
    if not default_points > 0:
        raise BankError(f"{source}: default points must be greater than 0")
    clean = clean_document(_checked_text(text, source), source)
    if not clean.text.strip():
        raise BankError(f"{source}: the document is empty (after removing web-page debris)")
    skipped: list[SkippedItem] = [
        SkippedItem(kind="boilerplate", location=f"line {number}", snippet=_snippet(line),
                    reason="web-page boilerplate") for number, line in clean.removed_lines]
    warnings: list[str] = []
    if clean.removed_lines or clean.pinyin_removed:
        warnings.append(f"removed {len(clean.removed_lines)} boilerplate lines and "
                        f"{clean.pinyin_removed} bracketed pinyin annotations")
    headings = find_sections(clean.text)
    questions = find_questions(clean.text, headings)
    if not questions:
        raise BankError(f"{source}: no questions found in the document")
    first = min([q.position for q in questions] + [h.position for h in headings])
    doc_title, preface = _split_preface(clean.text[:first])
    skipped.extend(SkippedItem(kind="text", location="before the first question",
                               snippet=_snippet(line), reason="not part of any question")
                   for line in preface)
    data = _assemble(questions, headings, source=source, bank_id=bank_id.strip(),
                     title=(title or doc_title or bank_id).strip() or bank_id.strip(),
                     language=language, default_points=default_points, skipped=skipped,
                     warnings=warnings)
    bank = parse_bank(data, source=source)
    _LOGGER.info("imported %d questions from %s (%d skipped items, %d warnings)",
                 len(bank.questions), source, len(skipped), len(warnings))
    return ImportResult(bank=bank, data=data, skipped=tuple(skipped), warnings=tuple(warnings))


def write_bank_toml(data: Mapping[str, Any], path: Path) -> None:
    """Write bank data as TOML, atomically (a temporary file renamed over `path`).

    Args:
        data: Bank data in the schema of `prompts/banks/*.toml` (`ImportResult.data`).
        path: Destination file; its folder must exist.

    Raises:
        BankError: the data cannot be written as TOML or the file cannot be written.
    """
    path = Path(path)
    try:
        rendered = render_bank_toml(data)
    except (TypeError, ValueError) as e:
        raise BankError(f"{path}: cannot write bank data as TOML ({e})") from e
    tmp_name = ""
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent or Path("."),
                                         prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False) as handle:
            tmp_name = handle.name
            handle.write(rendered)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as e:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        raise BankError(f"{path}: cannot write bank file ({e.strerror or e})") from e
    _LOGGER.info("wrote bank %s", path)


def render_bank_toml(data: Mapping[str, Any]) -> str:
    """Render bank data as TOML in the layout of the shipped banks.

    `[bank]`, then one `[[sections]]` and one `[[questions]]` table each, key points as
    indented `[[questions.key_points]]` with one-line cue lists and multi-line model answers
    (tomlkit writes this layout as asked). Data of another shape is rendered as tomlkit likes.

    Args:
        data: Bank data in the schema of `prompts/banks/*.toml`.

    Returns:
        The TOML text (it parses back to `data`).

    Raises:
        TypeError: a value has no TOML form.
        ValueError: a value has no TOML form.
    """
    import tomlkit  # imported on use: only the importer writes TOML

    plain = tomlkit.dumps(dict(data))
    if not _bank_shaped(data):
        return plain
    document = tomlkit.document()
    document.add("bank", _toml_table(data["bank"]))
    sections = tomlkit.aot()
    for section in data["sections"]:
        sections.append(_toml_table(section))
    document.add("sections", sections)
    questions = tomlkit.aot()
    for question in data["questions"]:
        table = _toml_table({key: value for key, value in question.items()
                             if key != "key_points"})
        if "key_points" in question:
            points = tomlkit.aot()
            for point in question["key_points"]:
                points.append(_toml_table(point).indent(2))
            table.add("key_points", points)
        questions.append(table)
    document.add("questions", questions)
    rendered = tomlkit.dumps(document)
    return rendered if tomllib.loads(rendered) == tomllib.loads(plain) else plain


def _toml_table(values: Mapping[str, Any]) -> Any:
    """A tomlkit table of `values`; text with line breaks as a multi-line string."""
    import tomlkit

    table = tomlkit.table()
    for key, value in values.items():
        multiline = isinstance(value, str) and "\n" in value
        table.add(key, tomlkit.string(value, multiline=True) if multiline else value)
    return table


def _bank_shaped(data: Mapping[str, Any]) -> bool:
    """True if `data` has exactly the bank, section and question tables of a bank file."""
    if set(data) != {"bank", "sections", "questions"} or not isinstance(data["bank"], Mapping):
        return False
    tables = data["sections"], data["questions"]
    if not all(isinstance(group, list) for group in tables):
        return False
    if not all(isinstance(item, Mapping) for group in tables for item in group):
        return False
    points = [question.get("key_points", []) for question in data["questions"]]
    return all(isinstance(group, list) and all(isinstance(kp, Mapping) for kp in group)
               for group in points)


def format_report(result: ImportResult) -> str:
    """Render a short human summary of an import, for the command line.

    Args:
        result: What `import_document` returned.

    Returns:
        Several lines: questions and points per section, warnings, skipped items (boilerplate
        lines are counted, not listed).
    """
    bank = result.bank
    lines = [f"Imported {len(bank.questions)} questions into bank {bank.id!r} "
             f"({bank.title}), {len(bank.sections)} sections:"]
    for section in bank.sections:
        questions = [q for q in bank.questions if q.section == section.id]
        ids = ", ".join(q.id for q in questions)
        points = sum(q.points for q in questions)
        lines.append(f"  {section.id:<4} {section.title}: {len(questions)} questions ({ids}), "
                     f"{_number(points)} points")
    if result.warnings:
        lines.append(f"Warnings ({len(result.warnings)}):")
        lines.extend(f"  - {warning}" for warning in result.warnings)
    content = [item for item in result.skipped if item.kind != "boilerplate"]
    boilerplate = len(result.skipped) - len(content)
    if content or boilerplate:
        lines.append(f"Skipped ({len(content)} items, {boilerplate} boilerplate lines):")
        lines.extend(f"  - {item.kind} at {item.location}: {item.reason} «{item.snippet}»"
                     for item in content)
    return "\n".join(lines)


# --- cleaning -----------------------------------------------------------------------------


def _checked_text(text: object, source: str) -> str:
    if not isinstance(text, str):
        raise BankError(f"{source}: expected text, got {type(text).__name__}")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise BankError(f"{source}: the document is {size} bytes, larger than "
                        f"{MAX_DOCUMENT_BYTES}")
    # Lone surrogates (from a bad decode) cannot go through OpenCC or into TOML.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = re.sub(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]", "\n", text)
    return re.sub(r"[\x00-\x08\x0e-\x1f\x7f\ufeff]", "", text)


def clean_document(text: str, source: str = "<document>") -> CleanText:
    """Remove scraped debris and convert to simplified script.

    Args:
        text: The raw document text.
        source: Name of the document for messages.

    Returns:
        The cleaned text with what was removed.

    Raises:
        BankError: OpenCC cannot convert the text.
    """
    text, pinyin = strip_pinyin(text)
    try:
        text = to_simplified(text)
    except (RuntimeError, UnicodeError, ValueError) as e:
        raise BankError(f"{source}: cannot convert the text to simplified script ({e})") from e
    text, removed = remove_boilerplate(text)
    return CleanText(text=text, removed_lines=removed, pinyin_removed=pinyin)


def strip_pinyin(text: str) -> tuple[str, int]:
    """Remove bracketed pinyin written after characters: `服務(wù)` -> `服務`.

    Only a single valid pinyin syllable in brackets right after a Chinese character is removed,
    so `(2分)`, `(例:...)` and `(Focus-Build-Impact)` stay. Untoned syllables (`(zhi)`) count
    as debris only when the document has several annotations, so a lone `(ai)` survives.

    Args:
        text: Any text.

    Returns:
        The text without the annotations, and how many were removed.
    """
    stray = [m for m in _STRAY_PINYIN_RE.finditer(text)
             if any(ch in _TONED for ch in m.group(1)) and _is_pinyin(m.group(1))]
    text = _without(text, stray)
    candidates = [m for m in _PINYIN_CANDIDATE_RE.finditer(text) if _is_pinyin(m.group(1))]
    if len(candidates) < _MIN_UNTONED_PINYIN:
        candidates = [m for m in candidates if any(ch in _TONED for ch in m.group(1))]
    return _without(text, candidates), len(stray) + len(candidates)


def _without(text: str, matches: list[re.Match[str]]) -> str:
    """`text` with the (non-overlapping, ordered) matched spans cut out."""
    if not matches:
        return text
    parts: list[str] = []
    last = 0
    for match in matches:
        parts.append(text[last:match.start()])
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def _is_pinyin(syllable: str) -> bool:
    base = "".join(ch for ch in unicodedata.normalize("NFD", syllable.replace("ü", "v"))
                   if not unicodedata.combining(ch))
    return bool(_PINYIN_SYLLABLE_RE.fullmatch(base.replace("ê", "e")))


def remove_boilerplate(text: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """Drop web-page boilerplate lines: notices, page markers and the page footer.

    A footer line (`温馨提示`, `文档评论(0)`, `相关文档`...) drops itself and everything after.
    Lines longer than `_MAX_BOILERPLATE_LINE` are always kept: they are content.

    Args:
        text: Text in simplified script.

    Returns:
        The remaining text and the dropped lines as (1-based line number, text).
    """
    kept: list[str] = []
    removed: list[tuple[int, str]] = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip().lstrip("•·●▪").strip()
        if not stripped:
            kept.append("")
            continue
        if len(stripped) <= _MAX_BOILERPLATE_LINE and _FOOTER_START_RE.fullmatch(stripped):
            removed.extend((index + 1 + k, rest.strip())
                           for k, rest in enumerate(lines[index:]) if rest.strip())
            break
        if len(stripped) <= _MAX_BOILERPLATE_LINE and _is_boilerplate(stripped):
            removed.append((index + 1, stripped))
            continue
        kept.append(line)
    return "\n".join(kept), tuple(removed)


def _is_boilerplate(line: str) -> bool:
    if _PAGE_MARKER_RE.fullmatch(line) or _BOILERPLATE_LINE_RE.fullmatch(line):
        return True
    if _QUESTIONISH_RE.search(line):
        return False
    if any(marker in line for marker in _STRONG_SITE_MARKERS):
        return True
    return sum(marker in line for marker in _WEAK_SITE_MARKERS) >= 2


def _split_preface(preface: str) -> tuple[str, list[str]]:
    """The document title (last short line before the first section) and the other lines."""
    lines = [" ".join(line.split()) for line in preface.split("\n") if line.strip()]
    if not lines:
        return "", []
    title = lines[-1] if len(lines[-1]) <= 60 else ""
    rest = lines[:-1] if title else lines
    return title, rest


# --- sections and questions ---------------------------------------------------------------


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
        number = _chinese_number(match.group(1))
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


def _chinese_number(numeral: str) -> int | None:
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


def _marked_questions(text: str, matches: list[re.Match[str]],
                      headings: tuple[SectionHeading, ...]) -> list[RawQuestion]:
    stops = sorted([m.start() for m in matches] + [h.position for h in headings])
    found: list[RawQuestion] = []
    for match in matches:
        segment = text[match.end():_next_stop(match.start(), stops, len(text))]
        marker = _ANSWER_MARKER_RE.search(segment)
        if marker:
            prompt, answer = segment[:marker.start()], segment[marker.end():]
        else:
            mark = _QUESTION_MARK_RE.search(segment)
            cut = mark.end() if mark else len(segment)
            prompt, answer = segment[:cut], segment[cut:]
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
        marker = _MODEL_ANSWER_RE.search(segment)
        if marker:
            prompt, answer = segment[:marker.start()], segment[marker.end():]
        else:
            mark = _QUESTION_MARK_RE.search(segment)
            cut = mark.end() if mark else len(segment)
            prompt, answer = segment[:cut], segment[cut:]
        found.append(RawQuestion(number=int(cand.group(1)), position=cand.start(),
                                 points=points, prompt=re.sub(r"^\s*问\s*[:：]", "", prompt),
                                 answer=answer.strip(), marked=False))
    return found


# --- answers into key points --------------------------------------------------------------


def _span_mask(text: str) -> bytearray:
    """1 for every character inside brackets or quotes (where list markers do not count)."""
    mask = bytearray(len(text))
    for match in _SPAN_RE.finditer(text):
        mask[match.start():match.end()] = b"\x01" * (match.end() - match.start())
    return mask


@dataclass(frozen=True, kw_only=True)
class _Block:
    kind: str  # "pre", "item", "bullet", "heading", "group"
    heading: str
    label: str
    marker: int  # where the block's marker (`1.`, `-`, heading) begins
    start: int  # where its content begins
    end: int


def split_answer(answer: str, *, with_closing: bool) -> AnswerParts:
    """Split an answer into key points.

    Numbered items (`1.`, `(1)`, `①`, one style per answer, numbered in sequence), `-` bullets
    after a `标题:` heading, and `标题:` headings that follow a list are key points. Text before
    the first item is a key point when it says something besides introducing the list. An
    answer with no list is split into sentences (at most `MAX_DERIVED_POINTS`, merged in order).

    Args:
        answer: The answer text (after `答案要点` or `答：`), simplified script.
        with_closing: Separate a closing remark (`关键在于...`) from the last point.

    Returns:
        The key points, the closing remark and a display form with one item per line.
    """
    answer = answer.strip()
    mask = _span_mask(answer)
    blocks = _scan_blocks(answer, mask)
    listed = [b for b in blocks if b.kind in ("item", "bullet") and answer[b.start:b.end].strip()]
    if not listed:
        sentences = split_sentences(answer)
        points = tuple(PointDraft(label=short_label(s), text=s) for s in sentences)
        return AnswerParts(points=points, closing="", display="\n".join(sentences), listed=0)
    first_marker = min(b.marker for b in listed)
    body = [b for b in blocks if b.marker >= first_marker and b.kind != "pre"
            and (b.kind == "group" or answer[b.start:b.end].strip())]
    closing = ""
    if with_closing and body:
        last = body[-1]
        cut = _closing_start(answer, mask, last)
        if cut is not None:
            closing = _one_line(answer[cut:last.end])
            body[-1] = _Block(kind=last.kind, heading=last.heading, label=last.label,
                              marker=last.marker, start=last.start, end=cut)
    drafts: list[PointDraft] = []
    preamble = _LEAD_IN_RE.sub("", answer[:first_marker]).strip(" ,，")
    if len(_word_chars(preamble)) >= _MIN_PREAMBLE_CHARS:
        drafts.append(PointDraft(label=short_label(preamble), text=_one_line(preamble)))
    for block in body:
        content = _one_line(answer[block.start:block.end])
        if block.kind != "group" and content:
            drafts.append(PointDraft(label=_block_label(block, content),
                                     text=_joined(block, content)))
    display_lines = [_one_line(answer[:first_marker])]
    display_lines += [_one_line(_display(answer, b)) for b in body]
    display_lines.append(closing)
    return AnswerParts(points=tuple(drafts), closing=closing,
                       display="\n".join(line for line in display_lines if line),
                       listed=sum(1 for b in listed if b.kind == "item"))


def _scan_blocks(text: str, mask: bytearray) -> list[_Block]:
    """Cut `text` into blocks at list markers, bullets and headings (one pass, left to right)."""
    blocks: list[_Block] = []
    kind, heading, label, marker, start = "pre", "", "", 0, 0
    label_seen = in_group = False
    group_heading = style = ""
    expected = 1
    i = 0
    while i < len(text):
        found = _item_marker(text, i, expected, style)
        if found is not None:
            number, style, end = found
            blocks.append(_Block(kind=kind, heading=heading, label=label, marker=marker,
                                 start=start, end=i))
            kind, heading, label, marker, start = "item", "", "", i, end
            label_seen, in_group, expected = False, False, number + 1
            i = end
            continue
        char = text[i]
        if mask[i] or char not in _DASHES + _COLONS:
            i += 1
            continue
        if char in _DASHES:
            if (in_group or not text[:i].strip()) and _is_bullet_dash(text, i):
                blocks.append(_Block(kind=kind, heading=heading, label=label, marker=marker,
                                     start=start, end=i))
                kind, heading, label, marker, start = "bullet", group_heading, "", i, i + 1
                label_seen = False
            i += 1
            continue
        after = text[i + 1:i + 4].lstrip()
        opens_group = bool(after) and after[0] in _DASHES
        region = text[start:i]
        if (not opens_group and not label_seen and len(region.strip()) <= _LABEL_REGION
                and not any(p in region for p in _CLAUSE_PUNCT)):
            label, label_seen = region.strip(), True
            i += 1
            continue
        head_start = _heading_start(text, mask, start, i)
        blocks.append(_Block(kind=kind, heading=heading, label=label, marker=marker,
                             start=start, end=head_start))
        heading = text[head_start:i].strip()
        kind, label, marker, start, label_seen = ("group" if opens_group else "heading"), "", \
            head_start, i + 1, True
        in_group, group_heading = opens_group, heading if opens_group else ""
        i += 1
    blocks.append(_Block(kind=kind, heading=heading, label=label, marker=marker, start=start,
                         end=len(text)))
    return blocks


def _item_marker(text: str, i: int, expected: int, style: str) -> tuple[int, str, int] | None:
    """(number, style, end) when a list item marker with the expected number starts at i."""
    if i > 0 and (text[i - 1].isascii() and text[i - 1].isalnum() or text[i - 1] in ".．"):
        return None
    for name, pattern in _ITEM_MARKER_RES:
        if style and name != style:
            continue
        match = pattern.match(text, i)
        if not match:
            continue
        raw = match.group(1)
        number = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(raw) + 1 if name == "circled" else int(raw)
        if number == expected:
            return number, name, match.end()
    return None


def _is_bullet_dash(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
        return False  # Focus-Build, A-B
    return not (before.isdigit() and after.isdigit())  # 2-3年


def _heading_start(text: str, mask: bytearray, low: int, colon: int) -> int:
    """Where a `标题:` heading begins: after the last clause break, cut to `_HEADING_MAX` chars."""
    start = colon
    while start > low and text[start - 1] not in _CLAUSE_PUNCT and not mask[start - 1]:
        start -= 1
    raw = text[start:colon]
    if len(raw.strip()) <= _HEADING_MAX:
        return start
    import jieba  # imported on use: loading its dictionary takes a second

    tail = ""
    for token in reversed(_jieba_cut(jieba.lcut, raw)):
        if tail and len(token) + len(tail) > _HEADING_MAX:
            break
        tail = token + tail
    tail = tail.lstrip("的之")
    return colon - len(tail) if tail else start


def _jieba_cut(cut: Callable[[str], list[str]], text: str) -> list[str]:
    _quiet_jieba()
    return [token for token in cut(text) if token]


def _closing_start(text: str, mask: bytearray, block: _Block) -> int | None:
    """Offset of a closing remark (`关键在于...`) inside the last block, or None."""
    content_start = block.start
    if block.label:
        content_start = text.find(block.label, block.start) + len(block.label) + 1
    earliest: int | None = None
    for cue in _CLOSING_CUES:
        at = text.find(cue, content_start, block.end)
        while at >= 0 and (mask[at] or at - block.start < _CLOSING_MIN_OFFSET):
            at = text.find(cue, at + 1, block.end)
        if at >= 0 and (earliest is None or at < earliest):
            earliest = at
    if earliest is None:
        return None
    back = earliest
    while (back > content_start and earliest - back < _CLOSING_BACKUP and not mask[back - 1]
           and text[back - 1] not in _CLAUSE_PUNCT):
        back -= 1
    at_break = back <= content_start or mask[back - 1] or text[back - 1] in _CLAUSE_PUNCT
    return back if at_break and back > content_start else earliest


def _block_label(block: _Block, content: str) -> str:
    heading = block.heading.lstrip("的之")
    if block.label or not heading or block.kind not in ("heading", "bullet"):
        return short_label(content)
    return _trim(f"{heading}：{short_label(content)}")


def _joined(block: _Block, content: str) -> str:
    heading = block.heading.lstrip("的之")
    return f"{heading}：{content}" if heading and block.kind in ("heading", "bullet") else content


def _display(text: str, block: _Block) -> str:
    content = text[block.start:block.end].strip()
    if block.kind == "group":
        return f"{block.heading}："
    if block.kind == "bullet":
        return f"- {content}"
    if block.kind == "heading" and block.heading:
        return f"{block.heading}：{content}"
    return text[block.marker:block.end].strip()


def split_sentences(text: str) -> list[str]:
    """Split text into sentences (outside quotes and brackets), merge short ones, cap the count.

    Args:
        text: Answer text.

    Returns:
        At most `MAX_DERIVED_POINTS` non-empty sentences, in order.
    """
    mask = _span_mask(text)
    sentences: list[str] = []
    start = 0
    for i, char in enumerate(text):
        if char in _SENTENCE_END and not mask[i]:
            sentences.append(text[start:i + 1])
            start = i + 1
    sentences.append(text[start:])
    merged: list[str] = []
    for sentence in (_one_line(s) for s in sentences):
        if not _word_chars(sentence):
            continue
        if merged and len(_word_chars(sentence)) < _MIN_SENTENCE_CHARS:
            merged[-1] += sentence
        else:
            merged.append(sentence)
    if len(merged) <= MAX_DERIVED_POINTS:
        return merged
    size = -(-len(merged) // MAX_DERIVED_POINTS)
    return ["".join(merged[k:k + size]) for k in range(0, len(merged), size)]


def short_label(text: str) -> str:
    """A short spoken name for a key point: its first clause, brackets and quotes removed.

    A first clause of fewer than four characters that ends in a colon (`银行:`) takes the next
    clause with it (`银行：异地服务不便`).

    Args:
        text: The key point's text.

    Returns:
        At most `LABEL_MAX_CHARS` characters (may be "" for text with no words).
    """
    plain = _NUMBERING_RE.sub("", text.strip()).replace("...", "").replace("…", "")
    without = re.sub(r"[(（][^()（）]*[)）]", "", plain)
    for candidate in (without, plain):
        clauses = re.split(r"([,，。;；:：!?！？\n]|——)", candidate.strip(), maxsplit=2)
        label = _unquoted(clauses[0])
        if len(clauses) > 2 and clauses[1] in _COLONS + ",，" and len(_word_chars(label)) < 4:
            rest = _unquoted(re.split(r"[,，。;；:：!?！？\n]|——", clauses[2], maxsplit=1)[0])
            joint = "：" if clauses[1] in _COLONS else "，"
            label = f"{label}{joint}{rest}" if label and rest else label or rest
        if len(_word_chars(label)) >= 2:
            return _trim(label)
    return _trim(" ".join(plain.split()))


def _unquoted(text: str) -> str:
    return re.sub(r"[“”\"「」『』‘’'()（）\[\]]", "", text).strip()


def _trim(label: str) -> str:
    """Cut a label to `LABEL_MAX_CHARS`, at a word boundary (jieba) where there is one."""
    if len(label) <= LABEL_MAX_CHARS:
        return label
    import jieba  # imported on use: loading its dictionary takes a second

    kept = ""
    for token in _jieba_cut(jieba.lcut, label):
        if len(kept) + len(token) > LABEL_MAX_CHARS:
            break
        kept += token
    if len(kept) < LABEL_MAX_CHARS // 2:
        kept = label[:LABEL_MAX_CHARS]
    return kept.rstrip("，,、：: ")


def _one_line(text: str) -> str:
    text = re.sub(r"\s*\n\s*", "\n", text.strip())
    text = re.sub(f"(?<=[{_CJK}，。、：；！？])\n(?=[{_CJK}])", "", text)
    return re.sub(r"\s+", " ", text)


def _word_chars(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


# --- cues ---------------------------------------------------------------------------------

@functools.cache
def _quiet_jieba() -> None:
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

    _quiet_jieba()
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


def _discriminate(cue_lists: list[list[str]]) -> list[list[str]]:
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


# --- assembling the bank ------------------------------------------------------------------


def _assemble(questions: tuple[RawQuestion, ...], headings: tuple[SectionHeading, ...], *,
              source: str, bank_id: str, title: str, language: str, default_points: float,
              skipped: list[SkippedItem], warnings: list[str]) -> dict[str, Any]:
    """Build the bank data from the raw questions; collect skipped items and warnings."""
    section_ids = _section_ids(headings)
    entries: list[dict[str, Any]] = []
    used_ids: dict[str, int] = {}
    per_section: Counter[int] = Counter()
    last_position = max(q.position for q in questions)
    for raw in questions:
        heading_index = _heading_of(raw.position, headings)
        heading = headings[heading_index] if heading_index is not None else None
        section = section_ids[heading_index] if heading_index is not None else "s0"
        where = f"question {raw.number}"
        prompt = _one_line(raw.prompt).strip(" :：")
        if not _word_chars(prompt):
            skipped.append(SkippedItem(kind="question", location=where,
                                       snippet=_snippet(raw.answer), reason="no question text"))
            continue
        garbled = _GARBLED_RE.search(prompt)
        if garbled:
            warnings.append(f"{where}: the question text looks garbled near "
                            f"«{prompt[max(0, garbled.start() - 6):garbled.end() + 6]}»; "
                            "check it against the source")
        parts = split_answer(raw.answer, with_closing=raw.marked)
        key_points = _key_points(parts, where, skipped)
        if not key_points:
            reason = "no key points (no answer text)" if not raw.answer.strip() else \
                "no key points with usable cues"
            skipped.append(SkippedItem(kind="question", location=where, snippet=_snippet(prompt),
                                       reason=reason))
            continue
        question_id = _unique_id(str(raw.number), section, used_ids, warnings)
        points = _points(raw, heading, default_points, where, warnings)
        _check_truncation(raw, parts, len(key_points), is_last=raw.position == last_position,
                          warnings=warnings)
        entry: dict[str, Any] = {"id": question_id, "section": section, "points": points,
                                 "prompt": prompt}
        model_answer = parts.display.strip()
        if model_answer:
            entry["model_answer"] = model_answer
        entry["key_points"] = key_points
        entries.append(entry)
        per_section[heading_index if heading_index is not None else -1] += 1
    if not entries:
        raise BankError(f"{source}: no importable questions in the document "
                        f"({len(questions)} found, all skipped)")
    sections: list[dict[str, str]] = []
    if per_section[-1]:
        sections.append({"id": "s0", "title": "其他问题" if language == "zh" else "Other"})
    for index, heading in enumerate(headings):
        found = per_section[index]
        if not found:
            skipped.append(SkippedItem(kind="section", location=f"section {section_ids[index]}",
                                       snippet=_snippet(heading.title), reason="no questions"))
            continue
        sections.append({"id": section_ids[index], "title": heading.title})
        if heading.count is not None and heading.count != found:
            warnings.append(f"section {section_ids[index]} ({heading.title}) announces "
                            f"{heading.count} questions; {found} imported")
    return {
        "bank": {"id": bank_id, "title": title, "language": language,
                 "description": f"Imported from an interview document: {len(entries)} questions "
                                f"in {len(sections)} sections."},
        "sections": sections,
        "questions": entries,
    }


def _section_ids(headings: tuple[SectionHeading, ...]) -> list[str]:
    ids: list[str] = []
    for heading in headings:
        candidate = f"s{heading.number}"
        suffix = 2
        while candidate in ids:
            candidate = f"s{heading.number}-{suffix}"
            suffix += 1
        ids.append(candidate)
    return ids


def _heading_of(position: int, headings: tuple[SectionHeading, ...]) -> int | None:
    index = bisect.bisect_right([h.position for h in headings], position) - 1
    return index if index >= 0 else None


def _key_points(parts: AnswerParts, where: str, skipped: list[SkippedItem],
                ) -> list[dict[str, Any]]:
    drafts: list[PointDraft] = []
    cue_lists: list[list[str]] = []
    if len(parts.points) > MAX_KEY_POINTS:
        extra = parts.points[MAX_KEY_POINTS]
        skipped.append(SkippedItem(
            kind="key_point", location=f"{where}, points {MAX_KEY_POINTS + 1}-{len(parts.points)}",
            snippet=_snippet(extra.text),
            reason=f"more than {MAX_KEY_POINTS} key points (kept in the model answer)"))
    for number, draft in enumerate(parts.points[:MAX_KEY_POINTS], start=1):
        cues = list(derive_cues(draft.text, draft.label))
        if not cues:
            fallback = normalise(draft.label).replace(" ", "")
            cues = [fallback] if len(fallback) >= MIN_CUE_CHARS else []
        if not cues or not draft.label:
            skipped.append(SkippedItem(kind="key_point", location=f"{where}, point {number}",
                                       snippet=_snippet(draft.text), reason="no usable cue words"))
            continue
        drafts.append(draft)
        cue_lists.append(cues)
    return [{"label": draft.label, "cues": cues}
            for draft, cues in zip(drafts, _discriminate(cue_lists), strict=True)]


def _unique_id(wanted: str, section: str, used: dict[str, int], warnings: list[str]) -> str:
    """`wanted`, or `<section>-<wanted>[-n]` when a question number repeats."""
    if wanted not in used:
        used[wanted] = 1
        return wanted
    base = candidate = f"{section}-{wanted}"
    while candidate in used:
        used[base] += 1
        candidate = f"{base}-{used[base]}"
    used[candidate] = 1
    warnings.append(f"question {wanted}: the number is used twice; imported as id "
                    f"{candidate!r}")
    return candidate


def _points(raw: RawQuestion, heading: SectionHeading | None, default: float, where: str,
            warnings: list[str]) -> float | int:
    own = raw.points if raw.points and raw.points > 0 else None
    each = heading.points_each if heading and heading.points_each else None
    if own is not None and each is not None and own != each:
        warnings.append(f"{where}: marked {_number(own)} points, its section says "
                        f"{_number(each)} each; using {_number(own)}")
    value = own or each or default
    return int(value) if float(value).is_integer() else float(value)


def _check_truncation(raw: RawQuestion, parts: AnswerParts, kept: int, *, is_last: bool,
                      warnings: list[str]) -> None:
    announced = _ANNOUNCED_RE.search(parts.display.split("\n", 1)[0]) if parts.listed else None
    if announced:
        value = announced.group(1)
        count = int(value) if value.isdigit() else _chinese_number(value)
        if count and count > parts.listed:
            warnings.append(f"question {raw.number}: announces {count} steps but has "
                            f"{parts.listed}; the text may be cut off")
    ending = raw.answer.rstrip()
    if is_last and not parts.closing and ending and ending[-1] not in _TERMINAL:
        warnings.append(f"question {raw.number}: the document ends inside this question; "
                        f"imported with {kept} key points, the last may be incomplete "
                        f"(«{ending[-SNIPPET_CHARS // 2:]}»)")


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
