"""The answer pipeline's and the practice loop's slices of the configuration."""

from __future__ import annotations

from simulator.config import SimulatorConfig
from simulator.delivery.tips import load_delivery_templates
from simulator.feedback import load_templates
from simulator.listen.answer import ListenSettings
from simulator.practice.session import PracticeSettings


def listen_settings(config: SimulatorConfig, *, live: bool) -> ListenSettings:
    """The answer pipeline's slice of the configuration.

    Streaming transcription only pays off when audio arrives in real time (a microphone):
    replayed files arrive at once, so each stretch would only add an encoder pass.
    """
    return ListenSettings(vad=config.vad, limits=config.limits,
                          streaming=config.streaming if live else None,
                          delivery=config.delivery, turn_taking=config.turn_taking)


def practice_settings(config: SimulatorConfig, *, live: bool) -> PracticeSettings:
    """The practice loop's slice of the configuration, with its templates loaded. Follow-ups
    and the second chance need a person at a microphone (a replay has one file per answer)."""
    return PracticeSettings(listen=listen_settings(config, live=live), scoring=config.scoring,
                            templates=load_templates(),
                            delivery_templates=load_delivery_templates(),
                            follow_ups=live and config.session.follow_ups, second_chance=live)
