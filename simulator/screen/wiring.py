"""The practice loop's parts with the screen's views: meter, spinner, heard line, choices."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from simulator.config import SimulatorConfig
from simulator.ports import ListenView, LoopParts
from simulator.screen.keys import KeyReader

if TYPE_CHECKING:
    from simulator.screen.console import Screen


def screen_parts(loop: LoopParts, screen: Screen, language: str, config: SimulatorConfig,
                 keys: KeyReader | None, *, live: bool) -> LoopParts:
    """The loop's parts with the screen's views: meter, spinner, heard line, choices."""
    lines = screen.lines(language)

    def choose(language: str) -> str:  # offered only with keys (below)
        return keys.choose(lambda: screen.echo(lines("choose"))) if keys is not None else "next"

    told = [not live]  # the hint is about a microphone: not for replayed recordings

    def listening() -> ListenView:
        if not told[0]:  # how to end an answer, once, when the microphone first listens
            told[0] = True
            screen.echo(lines("hint"))
        return screen.listening(language, config.limits.no_speech_timeout_s)

    return replace(loop, on_listening=listening,
                   on_busy=lambda what: screen.busy(language, what),
                   on_heard=lambda transcript: screen.heard(transcript, language),
                   choose=choose if keys is not None else None)
