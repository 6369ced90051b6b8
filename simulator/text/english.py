"""English spelling variants folded onto one form, for scoring and for error rates.

People and Whisper write the same spoken English in several ways: "twenty four" and
"24", "I'm" and "I am", "apologise" and "apologize", "20%" and "20 percent". `fold_english`
maps each onto one form (digits, expanded contractions, American -ize/-or spellings), the
way Whisper's own English normaliser does, so that a difference in spelling is neither a
recognition error nor a missed key point. Input is lower case; punctuation is still in.
"""

from __future__ import annotations

import re

_CONTRACTIONS = (
    (re.compile(r"\bcan['’]t\b"), "can not"),
    (re.compile(r"\bwon['’]t\b"), "will not"),
    (re.compile(r"\bshan['’]t\b"), "shall not"),
    (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"n['’]t\b"), " not"),
    (re.compile(r"\blet['’]s\b"), "let us"),
    (re.compile(r"['’]m\b"), " am"),
    (re.compile(r"['’]re\b"), " are"),
    (re.compile(r"['’]ve\b"), " have"),
    (re.compile(r"['’]ll\b"), " will"),
    (re.compile(r"['’]d\b"), " would"),
    # Possessive or "is": written "customer's" or heard as "customers"; keep one word.
    (re.compile(r"(?<=\w)['’]s\b"), "s"),
)

_BRITISH_STEMS = ("apologi", "reali", "organi", "recogni", "prioriti", "minimi", "maximi",
                  "summari", "categori", "customi", "personali", "speciali", "authori",
                  "finali", "standardi", "utili", "critici", "sympathi", "empathi", "emphasi",
                  "memori", "optimi", "famili", "computeri", "itemi", "synchroni")
_ISE_RE = re.compile(r"\b(" + "|".join(_BRITISH_STEMS) + r")s(e|ed|es|ing|ation|ations)\b")
_OUR_RE = re.compile(r"\b(col|fav|behavi|hon|neighb|lab|hum|flav|rum|harb|endeav)"
                     r"our(s|ed|ing|able|ite|ites)?\b")
_WORD_SWAPS = {"centre": "center", "centres": "centers", "cancelled": "canceled",
               "cancelling": "canceling", "travelled": "traveled", "travelling": "traveling",
               "labelled": "labeled", "modelling": "modeling", "enrolment": "enrollment",
               "licence": "license", "defence": "defense", "offence": "offense",
               "catalogue": "catalog", "programme": "program", "okay": "ok",
               "per cent": "percent"}
_SWAP_RE = re.compile(r"\b(" + "|".join(map(re.escape, _WORD_SWAPS)) + r")\b")

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, *_SCALES])
# A run of number words, joined by spaces, hyphens or "and" (one hundred and fifty).
_NUMBER_RUN_RE = re.compile(
    rf"\b(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*\b")


def fold_english(text: str) -> str:
    """Fold contractions, British spellings, number words and % onto one form."""
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _ISE_RE.sub(lambda m: f"{m.group(1)}z{m.group(2)}", text)
    text = _OUR_RE.sub(lambda m: f"{m.group(1)}or{m.group(2) or ''}", text)
    text = _SWAP_RE.sub(lambda m: _WORD_SWAPS[m.group(1)], text)
    text = re.sub(r"(?<=\d)\s*%", " percent", text)
    return _NUMBER_RUN_RE.sub(_number_run_to_digits, text)


def _number_run_to_digits(match: re.Match[str]) -> str:
    words = re.split(r"[\s-]+", match.group(0))
    if len(words) == 1 and words[0] in _SCALES:
        return match.group(0)  # "hundreds of", "a thousand thanks": not a written number
    total = current = 0
    for word in words:
        if word == "and":
            continue
        if word in _UNITS:
            if current % 10 or (current and current < 20 and _UNITS[word] < 10):
                return match.group(0)  # "four five six" is a digit string: leave it
            current += _UNITS[word]
        elif word in _TENS:
            if current % 100:
                return match.group(0)
            current += _TENS[word]
        else:
            scale = _SCALES[word]
            current = max(current, 1) * scale
            if scale >= 1000:
                total, current = total + current, 0
    return str(total + current)
