"""Text normalisation for Mandarin and English, shared by scoring and accuracy measurement.

Whisper writes Mandarin in traditional or simplified characters, with digits or Chinese
numerals, with full-width punctuation. Key points are written in simplified characters.
`normalise` maps all of these onto one form so that comparison means something:
simplified script (OpenCC t2s), NFKC width folding, lower case, Chinese numerals as
Arabic digits, punctuation removed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
# A run of Chinese numeral characters that cn2an can turn into a number.
_NUMERAL_RUN_RE = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
# Runs that are only positional words, or idioms/words where the numeral is not a number.
_NUMERAL_KEEP = {"万", "亿", "千", "百", "点", "十"}
_NUMERAL_WORDS_NOT_NUMBERS = ("一下", "一起", "一直", "一定", "一样", "一些", "一般", "一切",
                              "万一", "统一", "唯一", "一点", "第一时间", "一旦", "一致", "一边",
                              "一体", "专一", "一向", "一再", "一律", "一同", "一口气", "一方面",
                              "之一", "一对一", "一站式", "十分")


@functools.lru_cache(maxsize=2)
def _opencc(config: str) -> Callable[[str], str]:
    import opencc  # the C++ OpenCC binding; imported on first use only

    return opencc.OpenCC(config).convert


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters (and phrases) to simplified."""
    return _opencc("t2s")(text) if _CJK_RE.search(text) else text


def to_traditional(text: str) -> str:
    """Convert simplified Chinese to traditional (Taiwan standard with phrases)."""
    return _opencc("s2twp")(text) if _CJK_RE.search(text) else text


def has_cjk(text: str) -> bool:
    """True if the text contains any Chinese character."""
    return bool(_CJK_RE.search(text))


def strip_punctuation(text: str) -> str:
    """Replace punctuation (ASCII and CJK) with spaces and collapse whitespace."""
    return _SPACE_RE.sub(" ", _PUNCT_RE.sub(" ", text)).strip()


def numerals_to_digits(text: str) -> str:
    """Rewrite Chinese numbers as Arabic digits: 二十四小时 -> 24小时, 一百 -> 100.

    Words in which a numeral is not a quantity (一下, 一起, 统一...) are left alone.
    """
    protected: list[str] = []

    def _protect(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"\x00{len(protected) - 1}\x00"

    guarded = re.sub("|".join(map(re.escape, _NUMERAL_WORDS_NOT_NUMBERS)), _protect, text)
    converted = _NUMERAL_RUN_RE.sub(_convert_numeral_run, guarded)
    converted = re.sub(r"百分之(\d+(?:\.\d+)?)", r"\1%", converted)
    return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], converted)


def _convert_numeral_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if run.endswith("点") and len(run) > 1:  # 三点 (o'clock) -> 3点
        return _convert_numeral_run(re.match(".+", run[:-1])) + "点"  # type: ignore[arg-type]
    if run in _NUMERAL_KEEP or run.startswith("点"):
        return run
    import cn2an  # imported lazily: it loads a small grammar on import

    try:
        value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError, TypeError):
        # Digit-by-digit readings ("一二三四") are not numbers in cn2an's grammar.
        digits = {"零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4",
                  "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
        if all(ch in digits for ch in run) and len(run) >= 3:
            return "".join(digits[ch] for ch in run)
        return run
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def normalise(text: str) -> str:
    """Return the comparison form of `text` (Mandarin, English or mixed).

    Steps: NFKC (full-width letters/digits to half-width), traditional to simplified,
    lower case, Chinese numerals to digits, punctuation to spaces, whitespace collapsed.
    Spaces between Chinese characters are removed (Whisper inserts them at pauses).
    """
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).lower()
    if has_cjk(text):
        text = numerals_to_digits(text)
    text = strip_punctuation(text)
    # Drop spaces that sit between two CJK characters, or between CJK and a digit.
    return re.sub(f"(?<=[{_CJK}0-9]) (?=[{_CJK}])|(?<=[{_CJK}]) (?=[0-9])", "", text)


def error_rate_units(text: str, language: str) -> list[str]:
    """Units for error rates: characters for Mandarin (spaces dropped), words otherwise."""
    norm = normalise(text)
    if language == "zh":
        return [ch for ch in norm if not ch.isspace()]
    return norm.split()


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance between two token lists."""
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(reference, hypothesis))


def error_rate(reference: str, hypothesis: str, language: str) -> float:
    """CER for Mandarin, WER otherwise, after normalising both sides the same way."""
    ref = error_rate_units(reference, language)
    hyp = error_rate_units(hypothesis, language)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
