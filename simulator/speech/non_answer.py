"""Is what Whisper returned an answer at all? Rules that turn invented text into "nothing heard".

Whisper writes something for almost any sound. The per-segment filters in `whisper_stt`
drop what it marks as no-speech, repetition loops and subtitle credits; these rules look at
the transcript as a whole, after those filters, and return the reason it is not an answer,
so the record keeps the reason (`rejected_segments`) and the feedback says "I didn't catch
that" instead of scoring invented words. Measured on 103 non-speech clips and on real and
recorded speech (`scripts/measure_invented_text.py`, docs/bad-input.md):

* music and hum came back as "Uh, uh, uh, uh." or "Um, well, uh": only hesitation sounds;
* noise came back as the English style prompt ("The customer needs."): an echo of the
  prompt, with Whisper itself unsure;
* speech in another language is translated or transliterated into the expected one
  ("我尝尝尝尝…" from Spanish with `--lang zh`): Whisper's own language identification
  gives the expected language almost no probability. That check costs an encoder pass, so
  it runs only on a weak transcript (low word probabilities or log-probability), which real
  answers in the expected language never were in the calibration set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from simulator.text.normalise import normalise

HESITATIONS = frozenset({
    "uh", "um", "er", "erm", "ah", "hm", "hmm", "mm", "mhm", "oh", "well", "uh-huh",
    "嗯", "呃", "啊", "额", "哦", "唔", "嗯嗯", "啊啊", "呃呃",
})
"""Sounds that on their own say nothing (a transcript made only of these is not an answer)."""
CREDIT_PATTERN = re.compile(
    r"(字幕|作词|作曲|编曲|词曲|subtitles?|captions?)\s*(by|:|：|由|提供)|"
    r"^(作词|作曲|编曲|词曲)\b|♪", re.IGNORECASE)
"""Subtitle and song credits Whisper writes over music ("字幕 by R.J.", "作词")."""
WEAK_WORD_PROBABILITY = 0.6
"""A transcript whose words average below this probability is weak (worth a language check)."""
WEAK_LOGPROB = -0.7
"""...or whose segments average below this log-probability per token."""
FOREIGN_MAX_PROBABILITY = 0.25
"""A weak transcript whose audio Whisper gives the expected language less than this
probability is another language (or no speech): not an answer. Calibration: German,
Italian, Polish, Spanish... read with `--lang en` got 0.004-0.08 (Dutch 0.36), with
`--lang zh` at most 0.015; real recorded answers 0.81-1.0, except one weak 8 kHz phone
clip at 0.19, where English was still the most likely language: so the expected language
must also have lost first place."""
LANGUAGE_NAMES = {"zh": "Mandarin", "en": "English"}


@dataclass(frozen=True)
class Evidence:
    """How sure Whisper was of what it kept (means over the kept segments and words)."""

    word_probability: float
    avg_logprob: float
    no_speech_prob: float

    @property
    def weak(self) -> bool:
        """Low enough to be worth checking the language (a second encoder pass)."""
        return self.word_probability < WEAK_WORD_PROBABILITY or self.avg_logprob < WEAK_LOGPROB


def evidence(segments: Sequence[Any]) -> Evidence:
    """Word-probability, log-probability and no-speech means over faster-whisper segments."""
    words = [float(w.probability) for s in segments for w in (getattr(s, "words", None) or ())]
    if not segments:
        return Evidence(0.0, -10.0, 1.0)
    count = len(segments)
    return Evidence(
        word_probability=sum(words) / len(words) if words else 1.0,
        avg_logprob=sum(float(getattr(s, "avg_logprob", 0.0)) for s in segments) / count,
        no_speech_prob=sum(float(getattr(s, "no_speech_prob", 0.0)) for s in segments) / count)


def is_credit(text: str) -> bool:
    """A subtitle or song credit (or a music note) rather than speech."""
    return bool(CREDIT_PATTERN.search(text.strip()))


def only_hesitations(text: str) -> bool:
    """True when the text holds nothing but hesitation sounds and punctuation."""
    tokens = re.findall(r"[a-z]+(?:-[a-z]+)?|[\u3400-\u9fff]+", text.lower())
    if not tokens:
        return True
    return all(token in HESITATIONS or set(token) <= set("嗯呃啊额哦唔") for token in tokens)


def echoes_prompt(text: str, prompt: str | None, found: Evidence) -> bool:
    """A weak transcript that only repeats words of the style prompt Whisper was given."""
    if not prompt or not found.weak and found.no_speech_prob < 0.3:
        return False
    said = normalise(text).strip()
    return len(said) >= 2 and said in normalise(prompt)


def foreign_reason(language: str, probabilities: dict[str, float]) -> str | None:
    """The rejection reason when the audio is not in `language`, per Whisper's identification."""
    expected = probabilities.get(language, 0.0)
    top = max(probabilities, key=lambda k: probabilities[k]) if probabilities else "?"
    if expected >= FOREIGN_MAX_PROBABILITY or top == language:
        return None  # telephone audio spreads the probabilities, but keeps its language on top
    return (f"not {LANGUAGE_NAMES.get(language, language)} speech (p={expected:.3f}; "
            f"sounds like {top}, p={probabilities.get(top, 0.0):.2f})")
