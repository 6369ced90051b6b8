"""When a speaker's turn is over before the full silence: the one home of that rule.

The endpointer ends an answer after `stop_s` of silence. `SentenceEndPolicy` ends it after
the shorter `sentence_end_stop_s` when what was heard up to the pause ends a sentence
(`ends_sentence`): the streamed text of the pause-ending piece has a full stop and does not
end on a word that announces more ("然后", "and", "um"). The recorder asks one question
after every block (`TurnEndPolicy.turn_ended`); each pause is judged once, and a pause whose
text is not ready yet is asked about again with the next block, so a live recorder never
stalls. A learned end-of-turn model would be another `TurnEndPolicy`.
"""

from __future__ import annotations

import re
from typing import Protocol

from simulator.audio.pcm import SAMPLE_RATE_HZ
from simulator.config import VadConfig
from simulator.listen.endpoint import Endpointer
from simulator.listen.recorder import TurnEndPolicy
from simulator.text.normalise import to_simplified

_SENTENCE_END = "。！？.!?…"
# Words after which a speaker is about to say more: conjunctions, list openers, fillers.
_CONTINUES_ZH = ("然后", "还有", "就是", "因为", "所以", "但是", "可是", "而且", "并且", "或者",
                 "比如", "例如", "如果", "那么", "首先", "其次", "另外", "第一", "第二", "第三",
                 "嗯", "呃", "啊", "那个", "这个", "的话", "和", "跟", "以及", "包括", "是")
_CONTINUES_EN = frozenset(("and", "but", "so", "because", "or", "then", "also", "like", "um",
                           "uh", "er", "the", "a", "an", "to", "of", "with", "if", "that",
                           "firstly", "secondly", "is", "are", "i", "we"))
_TRAILING_PUNCTUATION_RE = re.compile(r"[\s。！？.!?…，,、；;：:\"'”’」』)）]+$")


def ends_sentence(text: str, language: str) -> bool:
    """Whether `text` (the last thing heard) sounds like the end of what the speaker meant.

    True when it ends with sentence-final punctuation and its last word does not announce
    more (a conjunction, a list opener or a filler). Whisper writes the full stop from the
    intonation it heard, so it is the acoustic half of the judgement; the word list is
    the lexical half.
    """
    stripped = (to_simplified(text) if language == "zh" else text).rstrip()
    if not stripped or stripped[-1] not in _SENTENCE_END:
        return False
    body = _TRAILING_PUNCTUATION_RE.sub("", stripped)
    if not body:
        return False
    if language == "zh":
        return not body.endswith(_CONTINUES_ZH)
    last_word = re.split(r"[^\w']+", body.lower())[-1]
    return last_word not in _CONTINUES_EN


class PauseText(Protocol):
    """What was heard up to a pause (the streaming transcriber)."""

    def text_at_pause(self, speech_end: int, wait: bool = False) -> str | None:
        """The text up to the pause at `speech_end`; None: not known yet; "": never."""
        ...


class SentenceEndPolicy:
    """Ends the turn after `stop_s` of silence when the speech up to the pause ends a
    sentence; each pause is judged once."""

    def __init__(self, heard: PauseText, language: str, stop_s: float, *,
                 wait: bool = False) -> None:
        """Args:
            heard: the streaming transcriber of this answer.
            language: "zh" or "en" (which words announce more).
            stop_s: the shorter silence (seconds) that ends a finished sentence.
            wait: block until the pause's text is ready instead of asking again later
                (replayed audio arrives faster than a worker transcribes; benchmarks).
        """
        self._heard = heard
        self._language = language
        self._stop_samples = int(stop_s * SAMPLE_RATE_HZ)
        self._wait = wait
        self._judged: int | None = None
        """The pause (speech end sample) already judged: not asked about again."""

    def turn_ended(self, endpointer: Endpointer) -> bool:
        """True when the current pause is long enough and follows a finished sentence."""
        speech_end = endpointer.speech_end_sample
        if (speech_end is None or speech_end == self._judged
                or endpointer.num_samples - speech_end < self._stop_samples):
            return False
        text = self._heard.text_at_pause(speech_end, wait=self._wait)
        if text is None:
            return False  # not ready: ask again with the next block
        self._judged = speech_end
        return ends_sentence(text, self._language)


def sentence_end_policy(heard: PauseText | None, vad: VadConfig, language: str, *,
                        wait: bool = False) -> TurnEndPolicy | None:
    """The sentence-end policy for an answer, or None when it cannot apply: no streaming
    transcription, or `sentence_end_stop_s` not shorter than `stop_s`."""
    if heard is None or vad.sentence_end_stop_s >= vad.stop_s:
        return None
    return SentenceEndPolicy(heard, language, vad.sentence_end_stop_s, wait=wait)
