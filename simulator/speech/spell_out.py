"""Digits and Latin letters in Mandarin text, rewritten as something a voice can say.

Kokoro drops characters its vocabulary lacks, so "CRM系统" would be said as "系统" and
"24小时" as "小时". `spell_out_for_mandarin` reads quantities as numbers (with cn2an),
identifiers digit by digit, and letters by name, as Chinese characters or, for Kokoro, in
its phoneme alphabet.
"""

from __future__ import annotations

import re

_DIGIT_NAMES = "零一二三四五六七八九"
# How Mandarin speakers commonly say English letter names, in characters: readable text for
# any Mandarin voice. Whisper understands Kokoro better with LETTER_PHONEMES (see below).
# fmt: off
LETTER_NAMES = {
    "A": "诶", "B": "必", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉",
    "H": "艾尺", "I": "艾", "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "艾恩",
    "O": "欧", "P": "披", "Q": "酷", "R": "阿尔", "S": "艾斯", "T": "提", "U": "优",
    "V": "维", "W": "达布留", "X": "艾克斯", "Y": "歪", "Z": "贼德",
}
# fmt: on
# English letter names in the misaki phoneme alphabet Kokoro was trained on (A = eɪ,
# I = aɪ, O = oʊ). ZHG2P passes non-Chinese text through unchanged, so these reach the
# model as they are. Whisper base heard "CRM", "VIP", "OK" perfectly this way, against
# "是RI母" for the character spelling 西阿尔艾姆.
# fmt: off
LETTER_PHONEMES = {
    "A": "ˈA", "B": "bˈi", "C": "sˈi", "D": "dˈi", "E": "ˈi", "F": "ˈɛf", "G": "ʤˈi",
    "H": "ˈAʧ", "I": "ˈI", "J": "ʤˈA", "K": "kˈA", "L": "ˈɛl", "M": "ˈɛm", "N": "ˈɛn",
    "O": "ˈO", "P": "pˈi", "Q": "kjˈu", "R": "ˈɑɹ", "S": "ˈɛs", "T": "tˈi", "U": "jˈu",
    "V": "vˈi", "W": "dˈʌbəlju", "X": "ˈɛks", "Y": "wˈI", "Z": "zˈi",
}
# fmt: on
# Words after which a number is an identifier read digit by digit (单号 12345, 尾号 0086).
# fmt: off
_CODE_WORDS = (
    "订单号", "单号", "编号", "工号", "尾号", "账号", "卡号", "号码", "电话", "手机",
    "验证码", "密码", "房间", "分机",
)
# fmt: on
# Units after which a number is a quantity even when it is long (10000元).
_QUANTITY_UNITS = "元块角个位人天年月日号周次件份张条台分秒小时钟万千百公斤米%"
# fmt: off
_MEASURE_WORDS = (
    "个", "位", "次", "天", "件", "份", "张", "条", "种", "周",
    "小时", "分钟", "年", "点", "家", "台", "本", "岁", "倍",
)
# fmt: on
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９％：．"
    + "".join(chr(0xFF21 + i) for i in range(26))
    + "".join(chr(0xFF41 + i) for i in range(26)),
    "0123456789%:."
    + "".join(chr(0x41 + i) for i in range(26))
    + "".join(chr(0x61 + i) for i in range(26)),
)
_TOKEN_RE = re.compile(
    r"(?P<percent>\d+(?:\.\d+)?)\s*%"
    r"|(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\d)"
    r"|(?P<code>[A-Za-z]+\d[A-Za-z0-9-]*|\d+[A-Za-z][A-Za-z0-9-]*)"
    r"|(?P<decimal>\d+\.\d+)"
    r"|(?P<integer>\d+)"
    r"|(?P<letters>[A-Za-z]+)"
)


def _digits(run: str) -> str:
    return "".join(_DIGIT_NAMES[int(ch)] for ch in run)


def _letters(run: str, letters: str) -> str:
    if letters == "phonemes":  # spaces keep the letters apart from the Chinese around them
        return " " + "".join(LETTER_PHONEMES[ch] for ch in run.upper()) + " "
    return "".join(LETTER_NAMES[ch] for ch in run.upper())


def _number(text: str) -> str:
    import cn2an  # small, but keeps `import simulator` free of it

    return str(cn2an.an2cn(text, "low"))


def _read_code(code: str, letters: str) -> str:
    """A1234 -> 诶一二三四: letters by name, digits one by one, hyphens as short pauses."""
    parts = re.findall(r"[A-Za-z]+|\d+|-", code)
    return "".join(
        _letters(p, letters) if p.isalpha() else _digits(p) if p.isdigit() else "，" for p in parts
    )


def _read_integer(run: str, before: str, after: str) -> str:
    if before.endswith(_CODE_WORDS) or (len(run) > 1 and run.startswith("0")):
        return _digits(run)
    if len(run) == 4 and after.startswith("年"):  # years are read digit by digit
        return _digits(run)
    unit_follows = bool(after) and after[0] in _QUANTITY_UNITS
    if len(run) >= 7 or (len(run) >= 5 and not unit_follows):
        return _digits(run)
    if run == "2" and after.startswith(_MEASURE_WORDS) and not before.endswith(("第", "周")):
        return "两"
    return _number(run)


def spell_out_for_mandarin(text: str, *, letters: str = "characters") -> str:
    """Rewrite digits and Latin letters in Mandarin text as Chinese that Kokoro can speak.

    Kokoro drops characters its vocabulary lacks, so "CRM系统" would be said as "系统".
    Quantities are read as numbers (24小时 -> 二十四小时, 3.5 -> 三点五, 50% -> 百分之五十,
    2个 -> 两个, 9:30 -> 九点三十分); identifiers are read digit by digit (订单号12345 ->
    订单号一二三四五, long numbers, numbers with a leading zero, years); letter-digit codes
    mix both (A1234 -> 诶一二三四); Latin letter runs are spelled out letter by letter,
    either as Chinese letter names (CRM -> 西阿尔艾姆, `LETTER_NAMES`) or, for Kokoro, as
    English letter names in its phoneme alphabet (`LETTER_PHONEMES`), which Whisper
    recognises far better. Words such as "Excel" are spelled too: there is no English
    G2P here. Full-width digits and letters are treated like ASCII; everything else is
    returned unchanged.

    Args:
        text: Mandarin text, possibly mixed with digits and Latin letters.
        letters: "characters" (readable Chinese) or "phonemes" (misaki phonemes, surrounded
            by spaces, only meaningful as input to `misaki.zh.ZHG2P`).

    Returns:
        The text with no ASCII digits left, and no ASCII letters with "characters".

    Raises:
        ValueError: `letters` is neither "characters" nor "phonemes".
    """
    if letters not in ("characters", "phonemes"):
        raise ValueError(f"letters must be 'characters' or 'phonemes', not {letters!r}")
    text = text.translate(_FULLWIDTH)
    out: list[str] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        out.append(text[position : match.start()])
        before, after = text[: match.start()], text[match.end() :]
        kind = match.lastgroup
        if kind == "percent":
            out.append("百分之" + _number(match.group("percent")))
        elif kind in ("hour", "minute"):
            hour, minute = match.group("hour"), match.group("minute")
            spoken_hour = "两" if int(hour) == 2 else _number(str(int(hour)))
            if minute == "00":
                out.append(f"{spoken_hour}点")
            elif minute.startswith("0"):
                out.append(f"{spoken_hour}点零{_DIGIT_NAMES[int(minute[1])]}分")
            else:
                out.append(f"{spoken_hour}点{_number(minute)}分")
        elif kind == "code":
            out.append(_read_code(match.group(0), letters))
        elif kind == "decimal":
            out.append(_number(match.group(0)))
        elif kind == "integer":
            out.append(_read_integer(match.group(0), before, after))
        else:
            out.append(_letters(match.group(0), letters))
        position = match.end()
    out.append(text[position:])
    return "".join(out)
