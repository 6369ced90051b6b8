"""`replay --jobs N`: replay recorded answers in N worker processes.

Each worker loads its own Whisper model once (process initializer) and runs the same
`run_turn` as the sequential loop on one recording at a time; the parent collects the
turns in the original order. Worker processes are started with "spawn" so no thread or
model state of the parent is inherited.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

from simulator.config import SimulatorConfig
from simulator.ports import LoopParts
from simulator.practice.fixtures import ReplayItem
from simulator.practice.session import PracticeSettings, Turn, run_turn

_WORKER: dict[str, Any] = {}


def _init_worker(config: SimulatorConfig, settings: PracticeSettings) -> None:
    from simulator.app import Parts

    parts = Parts(config, print)
    transcriber = parts.transcriber(preload=False)
    transcriber.load()  # type: ignore[attr-defined]
    judge = parts.judge(preload=False)
    judge.warm_up()  # type: ignore[attr-defined]
    _WORKER.update(transcriber=transcriber, judge=judge, settings=settings)


class _SilentSpeaker:
    def say(self, text: str, language: str) -> float | None:
        return None


def _replay_one(job: tuple[int, ReplayItem]) -> Turn:
    from simulator.audio.replay import WavReplaySource

    index, item = job
    parts = LoopParts(speaker=_SilentSpeaker(), source=WavReplaySource([item.file]),
                      transcriber=_WORKER["transcriber"], judge=_WORKER["judge"])
    return run_turn(index, item.question, parts, _WORKER["settings"])


def replay_in_processes(items: Sequence[ReplayItem], config: SimulatorConfig,
                        settings: PracticeSettings, jobs: int) -> list[Turn]:
    """Run each item's turn in a pool of `jobs` processes; turns come back in item order.

    Whisper threads per worker default to the cores divided among the workers, so two
    workers on two cores do not fight over them.
    """
    threads = config.whisper.cpu_threads or max(1, (os.cpu_count() or 1) // jobs)
    worker_config = replace(config, whisper=replace(config.whisper, cpu_threads=threads))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(worker_config, settings)) as pool:
        return list(pool.map(_replay_one, enumerate(items, start=1)))
