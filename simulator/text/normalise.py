"""Text normalisation for Mandarin (and mixed) text, shared by scoring and error rates.

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

from simulator.text.english import fold_english

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_PUNCT_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")
_DIGIT_CHARS = "零〇一二两三四五六七八九幺"
# A run of Chinese numeral characters that cn2an can turn into a number.
_NUMERAL_RUN_RE = re.compile(f"[{_DIGIT_CHARS}十百千万亿点]+")
# Runs that are only positional words, or idioms/words where the numeral is not a number.
_NUMERAL_KEEP = {"万", "亿", "千", "百", "点"}
_NUMERAL_WORDS_NOT_NUMBERS = ("一下", "一起", "一直", "一定", "一样", "一些", "一般", "一切",
                              "万一", "统一", "唯一", "一点", "第一时间", "一旦", "一致", "一边",
                              "一体", "专一", "一向", "一再", "一律", "一同", "一口气", "一方面",
                              "之一", "一对一", "一站式", "十分", "十足", "十字", "十全十美",
                              "一模一样")
# 一点 is "a little" unless a numeral follows (一点五 is 1.5); 之一 is "one of" except in 百分之一.
_NOT_NUMBERS_RE = re.compile("|".join(map(re.escape, _NUMERAL_WORDS_NOT_NUMBERS))
                             .replace("一点", f"一点(?![{_DIGIT_CHARS}十])")
                             .replace("之一", "(?<!分)之一"))
# Digit-by-digit readings (phone and order numbers): 幺 is how 1 is read aloud in them.
_SPOKEN_DIGITS = {"零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4",
                  "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "幺": "1"}
# Variant spellings of one word: 帐户/账户 (账 is the standard form for accounts and bills),
# 其它/其他. Both are correct; Whisper and people pick either.
_VARIANT_RE = re.compile("帐(?=[户号单目款])|(?<=[转对付结查记])帐|其它")
_VARIANTS = {"帐": "账", "其它": "其他"}
# A spoken "dot" in an address (qq点com, abc点163) is the "." Whisper writes; "at" is "@".
_SPOKEN_DOT_RE = re.compile("(?<=[a-z])点(?=[a-z0-9])|(?<=[0-9])点(?=[a-z])")
# Erhua: 这块儿 and 这块 are the same words; Whisper writes the 儿 or not at random.
_ERHUA_RE = re.compile("(?<=[这那哪块点会边事玩味])儿")
# Arabic-digit forms Whisper writes, rewritten to the spoken Chinese form's shape:
# 9:30 -> 9点30, 3:00 -> 3点, 1.5 -> 1点5, 2,499 -> 2499.
_CLOCK_RE = re.compile(r"(?<!\d)(\d{1,2})[:：](\d{2})(?!\d)")
_DECIMAL_RE = re.compile(r"(\d)\.(?=\d)")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# 10万 and 100000 are one number, written the way Mandarin says it: 10万. (Digits all the way
# would turn a misheard 晚 -> 万 into five errors instead of one.)
_MYRIAD_SPLIT_RE = re.compile(r"(?<![\d点])(\d{1,4})万(\d{4})(?![\d点])")  # 1万4400 -> 14400
_ROUND_NUMBER_RE = re.compile(r"(?<![\d点])([1-9]\d{0,4})(0000(?:0000)?)(?![\d点])")


@functools.lru_cache(maxsize=2)
def _opencc(config: str) -> Callable[[str], str]:
    import opencc  # the C++ OpenCC binding; imported on first use only

    return opencc.OpenCC(config).convert


# OpenCC's t2s keeps 著 (zhù, "write, notable", is written 著 in simplified too), so Whisper's
# traditional 接著/看著 stayed 接著 in simplified text. As a verb suffix or in 着急/着手 it is
# 着; only the zhù words (著名, 著作, 显著, 名著...) keep 著.
_ZHU_AFTER = "名作称述者录书"
_ZHU_BEFORE = "显昭卓土名原巨编论专合遗新拙译"


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters (and phrases) to simplified (著 as 着 except
    in the words where it is zhù: 著名, 显著...)."""
    if not _CJK_RE.search(text):
        return text
    converted = _opencc("t2s")(text)
    return _fix_zhe(converted) if "著" in converted else converted


def _fix_zhe(text: str) -> str:
    out = []
    for i, ch in enumerate(text):
        if ch != "著":
            out.append(ch)
            continue
        after, before = text[i + 1: i + 2], text[i - 1: i] if i else ""
        zhu = bool(after and after in _ZHU_AFTER) or bool(before and before in _ZHU_BEFORE)
        out.append("著" if zhu else "着")
    return "".join(out)


def to_traditional(text: str) -> str:
    """Convert simplified Chinese to traditional (Taiwan standard with phrases)."""
    return _opencc("s2twp")(text) if _CJK_RE.search(text) else text


def has_cjk(text: str) -> bool:
    """True if the text contains any Chinese character."""
    return bool(_CJK_RE.search(text))


def letters_and_digits(text: str) -> str:
    """The text without spaces, punctuation or symbols (its length is how much was said)."""
    return "".join(ch for ch in text if ch.isalnum())


def strip_punctuation(text: str) -> str:
    """Replace punctuation (ASCII and CJK) with spaces and collapse whitespace."""
    return _SPACE_RE.sub(" ", _PUNCT_RE.sub(" ", text)).strip()


def numerals_to_digits(text: str) -> str:
    """Rewrite Chinese numbers as Arabic digits: 二十四小时 -> 24小时, 一百 -> 100.

    Words in which a numeral is not a quantity (一下, 一起, 统一...) are left alone. Digit
    strings read one by one (幺三八...) become digit strings, clock times and decimals keep
    点 between their parts (九点三十 and 9:30 -> 9点30), round ten-thousands keep 万
    (十万, 100,000 and 10万 -> 10万), and 百分之八十 becomes 80%.
    """
    protected: list[str] = []

    def _protect(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"\x00{len(protected) - 1}\x00"

    text = _THOUSANDS_RE.sub("", text)
    text = _CLOCK_RE.sub(lambda m: f"{m.group(1)}点" + ("" if m.group(2) == "00" else m.group(2)),
                         text)
    text = _DECIMAL_RE.sub(r"\1点", text)
    guarded = _NOT_NUMBERS_RE.sub(_protect, text)
    converted = _NUMERAL_RUN_RE.sub(_convert_numeral_run, guarded)
    converted = converted.replace("百分之百", "100%")
    converted = re.sub(r"百分之(\d+(?:点\d+)?)", r"\1%", converted)
    converted = _MYRIAD_SPLIT_RE.sub(lambda m: str(int(m.group(1)) * 10_000 + int(m.group(2))),
                                     converted)
    converted = _ROUND_NUMBER_RE.sub(
        lambda m: m.group(1) + ("万" if len(m.group(2)) == 4 else "亿"), converted)
    return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], converted)


def _convert_numeral_run(match: re.Match[str]) -> str:
    run = match.group(0)
    after_latin = match.start() > 0 and match.string[match.start() - 1].isascii() \
        and match.string[match.start() - 1].isalpha()
    if run.endswith("点") and len(run) > 1:  # 三点, 十点 (o'clock) -> 3点, 10点
        return _convert_part(run[:-1], after_latin) + "点"
    if run.startswith("点") or (run in _NUMERAL_KEEP and not after_latin):
        return run
    if "点" in run:  # 九点三十 (9:30) or 一点五 (1.5): each side of 点 on its own
        left, _, right = run.partition("点")
        unit = right[-1] if right[-1] in "万亿" else ""
        right = right[: len(right) - len(unit)]
        if all(ch in _SPOKEN_DIGITS for ch in right):  # decimals and 零五 are read digit-wise
            right = _digit_by_digit(right, min_len=1)
        else:
            right = _convert_part(right, True)
        return _convert_part(left, after_latin) + "点" + right + unit
    return _convert_part(run, after_latin)


def _digit_by_digit(run: str, min_len: int) -> str:
    if len(run) >= min_len and all(ch in _SPOKEN_DIGITS for ch in run):
        return "".join(_SPOKEN_DIGITS[ch] for ch in run)
    return run


def _convert_part(run: str, convert_single: bool) -> str:
    """Convert one numeral run; a lone 百/千/万/亿 only when `convert_single` (Win十 -> win10)."""
    if not run or (run in _NUMERAL_KEEP and not convert_single):
        return run
    if "幺" in run or (len(run) >= 2 and run[0] in "零〇"):
        # Read digit by digit: 幺三八..., 零零六 (keeps the leading zeros).
        return _digit_by_digit(run, min_len=2)
    import cn2an  # imported lazily: it loads a small grammar on import

    try:
        value = cn2an.cn2an(run.replace("〇", "零"), "smart")
    except (ValueError, KeyError, TypeError):
        # Digit-by-digit readings ("一二三四") are not numbers in cn2an's grammar.
        return _digit_by_digit(run, min_len=3)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def normalise(text: str) -> str:
    """Return the comparison form of `text` (Mandarin, English or mixed).

    Steps: NFKC (full-width letters/digits to half-width), traditional to simplified,
    lower case, English spelling variants folded (`english.fold_english`: "twenty four"
    -> 24, "I'm" -> "i am", -ise -> -ize), Chinese numerals to digits, punctuation to
    spaces, whitespace collapsed.
    Spaces between Chinese characters are removed (Whisper inserts them at pauses).
    """
    text = unicodedata.normalize("NFKC", text)
    text = fold_english(to_simplified(text).lower())
    if has_cjk(text):
        text = _VARIANT_RE.sub(lambda m: _VARIANTS[m.group(0)], text)
        text = _SPOKEN_DOT_RE.sub(".", text).replace("@", " at ")
        text = numerals_to_digits(_ERHUA_RE.sub("", text))
    text = strip_punctuation(text)
    # Drop spaces that sit between two CJK characters, or between CJK and a digit.
    return re.sub(f"(?<=[{_CJK}0-9]) (?=[{_CJK}])|(?<=[{_CJK}]) (?=[0-9])", "", text)
