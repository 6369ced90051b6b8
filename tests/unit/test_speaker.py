"""Speakers: a voice played through a player, the console, and traditional characters."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from simulator.audio.pcm import Sound
from simulator.errors import TtsError
from simulator.speech.speaker import ConsoleSpeaker, TraditionalScriptSpeaker, VoiceSpeaker
from tests.fakes import RecordingPlayer, RecordingSpeaker


class SentenceVoice:
    """A voice that renders each sentence as a short tone and keeps what it was asked."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.texts: list[str] = []
        self._fail_after = fail_after

    def render(self, text: str) -> Iterator[Sound]:
        self.texts.append(text)
        for index, _sentence in enumerate(s for s in text.split(".") if s.strip()):
            if self._fail_after is not None and index >= self._fail_after:
                raise TtsError("synthesis failed")
            yield Sound(samples=np.full(160, 0.1 * (index + 1), dtype=np.float32),
                        sample_rate_hz=16_000)


def test_voice_speaker_plays_every_sentence_in_order() -> None:
    """Each rendered sentence reaches the player, in order, and the text is echoed once."""
    player, echoed = RecordingPlayer(), []
    speaker = VoiceSpeaker({"en": SentenceVoice()}, player, echo=echoed.append)
    first_sound_s = speaker.say("One. Two. Three.", "en")
    assert [float(sound.samples[0]) for sound in player.played] == pytest.approx([0.1, 0.2, 0.3])
    assert echoed == ["One. Two. Three."]
    assert first_sound_s is not None and first_sound_s >= 0


def test_voice_speaker_measures_first_sound_with_its_clock() -> None:
    """The first-sound time is read from the injected clock: call to first play."""
    ticks = iter([10.0, 10.25, 99.0])
    speaker = VoiceSpeaker({"en": SentenceVoice()}, RecordingPlayer(), echo=None,
                           clock=lambda: next(ticks))
    assert speaker.say("Hello.", "en") == pytest.approx(0.25)


def test_voice_speaker_without_a_voice_for_the_language_raises() -> None:
    """Asking for a language with no voice is a TtsError naming the language."""
    speaker = VoiceSpeaker({"en": SentenceVoice()}, RecordingPlayer(), echo=None)
    with pytest.raises(TtsError, match="'zh'"):
        speaker.say("你好。", "zh")


def test_voice_speaker_reports_a_synthesis_failure_after_playing_what_it_had() -> None:
    """A failure on a later sentence surfaces on the caller's thread, after the earlier
    sentences were played."""
    player = RecordingPlayer()
    speaker = VoiceSpeaker({"en": SentenceVoice(fail_after=1)}, player, echo=None)
    with pytest.raises(TtsError, match="synthesis failed"):
        speaker.say("One. Two.", "en")
    assert len(player.played) == 1


def test_console_speaker_prints_and_plays_nothing() -> None:
    """The console speaker echoes the text and reports no first sound."""
    echoed: list[str] = []
    assert ConsoleSpeaker(echoed.append).say("Hello.", "en") is None
    assert echoed == ["Hello."]


def test_traditional_script_speaker_converts_mandarin_only() -> None:
    """Mandarin is passed on in traditional characters; English is passed on unchanged."""
    inner = RecordingSpeaker()
    speaker = TraditionalScriptSpeaker(inner)
    assert speaker.say("这道题得分4分。请说说您的经验。", "zh") == 0.01
    speaker.say("Please describe your experience.", "en")
    assert inner.said == [("這道題得分4分。請說說您的經驗。", "zh"),
                          ("Please describe your experience.", "en")]


def test_traditional_script_speaker_reaches_the_voice_in_traditional_characters() -> None:
    """Through a voice speaker, the voice itself is given the traditional text."""
    voice = SentenceVoice()
    speaker = TraditionalScriptSpeaker(VoiceSpeaker({"zh": voice}, RecordingPlayer(), echo=None))
    speaker.say("请说说您的经验。", "zh")
    assert voice.texts == ["請說說您的經驗。"]
