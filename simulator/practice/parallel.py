"""`replay --jobs N`: replay recorded answers in N worker processes.

Each worker builds its own transcriber and judge once (process initializer), from the same
parts factory as the run (it is pickled to the workers), and runs the same `run_turn` as the
sequential loop on one recording at a time. Every turn is recorded in the parent (its WAV
saved, then the turn) the moment its worker finishes, so Ctrl-C, a bad file or a full disk
loses no finished answer. Worker processes are started with "spawn" so no thread or model
state of the parent is inherited.

What stops a run, and what is kept:
  * A recording that cannot be read (or any other `SimulatorError` in a worker): nothing new
    is started, the answers already being transcribed finish and are recorded, then the
    first error is raised (one line naming the file; the sequential loop stops the same way).
  * Ctrl-C, or an error while recording a turn: the workers are terminated at once and the
    exception goes on; every turn finished before is recorded.
  * Workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent decides) and
    exit by themselves if the parent dies, so a killed run leaves no worker behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from simulator.config import SimulatorConfig
from simulator.errors import SimulatorError, TranscriptionError
from simulator.ports import LoopParts, RecordSink, Scorer, Transcriber
from simulator.practice.fixtures import ReplayItem
from simulator.practice.session import PracticeSettings, Turn, run_turn

if TYPE_CHECKING:
    from simulator.app import PartsFactory

PARENT_CHECK_S = 1.0
"""How often a worker checks that the parent still runs."""
_WORKER: dict[str, Any] = {}


def load_worker_parts(parts: PartsFactory,
                      config: SimulatorConfig) -> tuple[Transcriber, Scorer]:
    """A worker's transcriber and judge, from the run's parts factory, loaded now (not on a
    background thread: the worker has nothing else to do until they are ready)."""
    built = parts(config, print)
    transcriber = built.transcriber(preload=False)
    load = getattr(transcriber, "load", None)  # Whisper loads its model; fakes have none
    if load is not None:
        load()
    judge = built.judge(preload=False)
    warm_up = getattr(judge, "warm_up", None)
    if warm_up is not None:
        warm_up()
    return transcriber, judge


def _init_worker(config: SimulatorConfig, settings: PracticeSettings, parts: PartsFactory,
                 parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), name="parent-watch",
                     daemon=True).start()
    try:
        transcriber, judge = load_worker_parts(parts, config)
    except SimulatorError as e:  # each job reports it: one line, not a broken pool
        _WORKER.update(error=e)
        return
    _WORKER.update(transcriber=transcriber, judge=judge, settings=settings)


def _exit_with_parent(parent_pid: int) -> None:
    # A worker waiting for work holds its own end of the job queue, so it would never see
    # the parent go: watch for it being re-parented instead.
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


class _SilentSpeaker:
    def say(self, text: str, language: str) -> float | None:
        return None


def _replay_one(job: tuple[int, ReplayItem]) -> Turn:
    from simulator.audio.replay import WavReplaySource

    index, item = job
    if "error" in _WORKER:
        raise _WORKER["error"]
    parts = LoopParts(speaker=_SilentSpeaker(), source=WavReplaySource([item.file]),
                      transcriber=_WORKER["transcriber"], judge=_WORKER["judge"])
    return run_turn(index, item.question, parts, _WORKER["settings"])


def replay_in_processes(items: Sequence[ReplayItem], config: SimulatorConfig,
                        settings: PracticeSettings, jobs: int, *,
                        parts: PartsFactory, sink: RecordSink[Turn] | None = None
                        ) -> list[Turn]:
    """Run each item's turn in a pool of `jobs` processes.

    Whisper threads per worker default to the cores divided among the workers, so two
    workers on two cores do not fight over them.

    Args:
        items: the recordings and their questions; turn N is item N (from 1).
        config: the whole configuration (the workers use its Whisper options).
        settings: the loop's settings.
        jobs: worker processes.
        parts: the run's parts factory (picklable); each worker builds its transcriber and
            judge with it.
        sink: where each turn is recorded (its WAV saved, then the turn), in this process,
            as soon as its worker is done (in the order they finish).

    Returns:
        The turns in item order.

    Raises:
        SimulatorError: the first recording that failed (after the turns already running
            have been handed over); `TranscriptionError` if a worker process died.
    """
    threads = config.whisper.cpu_threads or max(1, (os.cpu_count() or 1) // jobs)
    worker_config = replace(config, whisper=replace(config.whisper, cpu_threads=threads))
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context,
                               initializer=_init_worker,
                               initargs=(worker_config, settings, parts, os.getpid()))
    done: dict[int, Turn] = {}
    failure: SimulatorError | None = None
    try:
        futures = [pool.submit(_replay_one, job) for job in enumerate(items, start=1)]
        for future in as_completed(futures):
            turn = _result(future)
            if isinstance(turn, SimulatorError):
                failure = failure or turn
                for waiting in futures:
                    waiting.cancel()  # those already running finish and are kept
            elif turn is not None:
                done[turn.index] = _recorded(turn, sink)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    if failure is not None:
        raise failure
    return [done[index] for index in sorted(done)]


def _recorded(turn: Turn, sink: RecordSink[Turn] | None) -> Turn:
    if sink is None:
        return turn
    wav = sink.save_answer(turn.index, turn.answer.recording, f"q{turn.question.id}")
    turn = replace(turn, answer=replace(turn.answer, wav=wav))
    sink.record_turn(turn)
    return turn


def _result(future: Future[Turn]) -> Turn | SimulatorError | None:
    """A finished job's turn, its user-facing error, or None (cancelled)."""
    try:
        return future.result()
    except CancelledError:
        return None
    except SimulatorError as e:
        return e
    except BrokenProcessPool as e:
        return TranscriptionError(f"a replay worker process stopped unexpectedly ({e}); "
                                  "try again with fewer --jobs")


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers now (Ctrl-C must not wait for
    the answers being transcribed)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
