"""A practice session's options, recorded in its metadata so `--resume` goes on as it began.

`session_options` is what is written (`options` in `session.json`): script, voice, the
endpointing and turn-taking settings, thinking time, follow-ups, the question order.
`restore_options` puts them back over the configuration a resumed session was started with.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from simulator.config import SimulatorConfig
from simulator.errors import ConfigError

_LOGGER = logging.getLogger(__name__)
RECORDED: dict[str, tuple[str, ...]] = {
    "session": ("script", "follow_ups", "in_order", "seed", "section", "count"),
    "audio": ("voice",),
    "vad": ("stop_s", "sentence_end_stop_s"),
    "limits": ("max_answer_s", "no_speech_timeout_s"),
    "turn_taking": ("model",),
    "streaming": ("enabled",),
}
"""Config slice -> the fields a resumed session keeps."""


def with_question_order(config: SimulatorConfig) -> SimulatorConfig:
    """A session draws its questions at random unless told otherwise: give it a seed."""
    session = config.session
    if session.seed is not None or session.in_order or session.question_ids:
        return config
    return replace(config, session=replace(session, seed=secrets.randbelow(1_000_000)))


def session_options(config: SimulatorConfig) -> dict[str, Any]:
    """The options to record, as plain JSON values."""
    return {f"{part}.{name}": getattr(getattr(config, part), name)
            for part, names in RECORDED.items() for name in names}


def restore_options(config: SimulatorConfig, recorded: Any) -> SimulatorConfig:
    """`config` with the recorded options put back (unknown or missing ones are ignored).

    Raises:
        ConfigError: a recorded value is out of range (names the option).
    """
    if not isinstance(recorded, Mapping):
        return config
    for part, names in RECORDED.items():
        slice_ = getattr(config, part)
        known = {f.name for f in fields(slice_)}
        values = {name: recorded[f"{part}.{name}"] for name in names
                  if f"{part}.{name}" in recorded and name in known}
        if values:
            try:
                config = replace(config, **{part: replace(slice_, **values)})
            except (TypeError, ConfigError) as e:
                raise ConfigError(f"the resumed session's options: {e}") from e
    return config
