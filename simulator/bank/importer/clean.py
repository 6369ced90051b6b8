"""Cleaning a scraped interview document: bracketed pinyin after characters, web-page
boilerplate and page markers go; the rest is converted to simplified script."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from simulator.data import read_file_bytes
from simulator.errors import BankError
from simulator.text.normalise import to_simplified

MAX_DOCUMENT_BYTES = 5_000_000
"""Documents larger than this (UTF-8 bytes) are refused; an interview document is ~20 kB."""
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A bracketed pinyin syllable right after a Chinese character: 服務(wù), 學(xué), 知(zhi).
_PINYIN_CANDIDATE_RE = re.compile(
    f"(?<=[{CJK}])[(（]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ]{{1,6}})([1-5]?)[)）]")
_PINYIN_SYLLABLE_RE = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|er"
    r"|ia|ie|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v))|m|n|ng|hm|hng")
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# The same annotation with its opening bracket lost to a bad decode: 談?wù)勀.
_STRAY_PINYIN_RE = re.compile(f"(?<=[{CJK}])[?？]([a-z{_TONED}ü]{{1,6}})[)）]")
# One ASCII letter between Chinese characters is what mis-decoded text looks like (催x擇).
GARBLED_RE = re.compile(f"[{CJK}][a-z][{CJK}]")
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


_NOT_TEXT = ((b"PK\x03\x04", "a zip archive (a .docx, .odt or .xlsx document)"),
             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc, .xls)"),
             (b"%PDF-", "a PDF"), (b"{\\rtf", "an RTF document"))
"""File signatures of documents that are not plain text, and what they are."""


def read_document(path: Path) -> str:
    """The text of an interview document file.

    Reads UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark, which
    is what Windows editors call "Unicode". Word-processor files and text in other encodings
    would import as garbage or as "no questions found", so they are refused by name.

    Raises:
        BankError: not a regular file, too large, a .docx/.doc/PDF/RTF file, or not UTF-8
            (GBK, Big5, UTF-16 without a byte-order mark): one line naming the file.
    """
    raw = read_file_bytes(path, "document", MAX_DOCUMENT_BYTES, BankError)
    for signature, kind in _NOT_TEXT:
        if raw.startswith(signature):
            raise BankError(f"{path}: this is {kind}, not plain text; save it as UTF-8 text "
                            "(.txt) and import that")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise BankError(f"{path}: not valid UTF-16 text (byte {e.start})") from e
    if b"\x00" in raw:
        raise BankError(f"{path}: holds NUL bytes, so it is not UTF-8 text (UTF-16 without "
                        "a byte-order mark, or a binary file); save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise BankError(f"{path}: not UTF-8 text (byte {e.start}){_legacy_hint(raw)}; save "
                        "it as UTF-8 and import it again") from e


def _legacy_hint(raw: bytes) -> str:
    for encoding in ("gb18030", "big5"):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return " (it reads as Chinese in a legacy encoding such as GBK or Big5)"
    return ""


@dataclass(frozen=True, kw_only=True)
class CleanText:
    """A document after debris removal and conversion to simplified script."""

    text: str
    removed_lines: tuple[tuple[int, str], ...]
    """(1-based line number, text) of each line dropped as boilerplate."""
    pinyin_removed: int
    """Number of bracketed pinyin annotations removed."""


def checked_text(text: object, source: str) -> str:
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


def split_preface(preface: str) -> tuple[str, list[str]]:
    """The document title (last short line before the first section) and the other lines."""
    lines = [" ".join(line.split()) for line in preface.split("\n") if line.strip()]
    if not lines:
        return "", []
    title = lines[-1] if len(lines[-1]) <= 60 else ""
    rest = lines[:-1] if title else lines
    return title, rest
