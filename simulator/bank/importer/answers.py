"""Splitting an answer into key points (numbered or bulleted items, `(1)(2)` steps, or its
sentences), with short spoken labels and the closing remark kept apart."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from simulator.bank.importer.clean import CJK
from simulator.bank.importer.cues import quiet_jieba
from simulator.text.normalise import letters_and_digits

LABEL_MAX_CHARS = 20
"""Longest key-point label, in characters (labels are spoken in feedback)."""
MAX_DERIVED_POINTS = 6
"""Most key points derived from the sentences of a model answer (sentences are merged)."""
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
ANNOUNCED_RE = re.compile(r"([两二三四五六七八九十]|\d{1,2})\s*个?\s*(?:步|方面|原因|阶段|要点)")
_SENTENCE_END = "。！？!?；;\n"
_MIN_SENTENCE_CHARS = 6
_ILLUSTRATION = ("例如", "比如", "举例来说", "举个例子", "譬如")
"""A sentence that starts so illustrates the one before it: it is not a key point of its own."""
_MIN_PREAMBLE_CHARS = 8
TERMINAL = "。！？!?.…」”\"）)』"


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
    from_sentences: bool = False
    """The answer has no list: its key points are its sentences."""


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
        return AnswerParts(points=points, closing="", display="\n".join(sentences), listed=0,
                           from_sentences=True)
    first_marker = min(b.marker for b in listed)
    body = [b for b in blocks if b.marker >= first_marker and b.kind != "pre"
            and (b.kind == "group" or answer[b.start:b.end].strip())]
    closing = ""
    if with_closing and body:
        last = body[-1]
        cut = _closing_start(answer, mask, last)
        if cut is not None:
            closing = one_line(answer[cut:last.end])
            body[-1] = _Block(kind=last.kind, heading=last.heading, label=last.label,
                              marker=last.marker, start=last.start, end=cut)
    drafts: list[PointDraft] = []
    preamble = _LEAD_IN_RE.sub("", answer[:first_marker]).strip(" ,，")
    if len(letters_and_digits(preamble)) >= _MIN_PREAMBLE_CHARS:
        drafts.append(PointDraft(label=short_label(preamble), text=one_line(preamble)))
    for block in body:
        content = one_line(answer[block.start:block.end])
        if block.kind != "group" and content:
            drafts.append(PointDraft(label=_block_label(block, content),
                                     text=_joined(block, content)))
    display_lines = [one_line(answer[:first_marker])]
    display_lines += [one_line(_display(answer, b)) for b in body]
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
    quiet_jieba()
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
    """Split text into sentences (outside quotes and brackets), merge short ones and examples
    (`例如...`) into the sentence before, cap the count.

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
    for sentence in (one_line(s) for s in sentences):
        if not letters_and_digits(sentence):
            continue
        if merged and (len(letters_and_digits(sentence)) < _MIN_SENTENCE_CHARS
                       or sentence.startswith(_ILLUSTRATION)):
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
        if (len(clauses) > 2 and clauses[1] in _COLONS + ",，"
                and len(letters_and_digits(label)) < 4):
            rest = _unquoted(re.split(r"[,，。;；:：!?！？\n]|——", clauses[2], maxsplit=1)[0])
            joint = "：" if clauses[1] in _COLONS else "，"
            label = f"{label}{joint}{rest}" if label and rest else label or rest
        if len(letters_and_digits(label)) >= 2:
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


def one_line(text: str) -> str:
    text = re.sub(r"\s*\n\s*", "\n", text.strip())
    text = re.sub(f"(?<=[{CJK}，。、：；！？])\n(?=[{CJK}])", "", text)
    return re.sub(r"\s+", " ", text)

