"""Part `answers` of bench_endpointing.py: built answers recorded under three end rules.

See bench_endpointing.py's docstring for what is measured and why. The real recorder and the
real policies (`SentenceEndPolicy`, `TurnTaking`) run on each answer; only time is
simulated: blocks arrive at once, and a streamed piece's text is handed to the policy only
from the sample at which a live worker would have finished it.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.audio.pcm import BLOCK_SAMPLES, SAMPLE_RATE_HZ, blocks
from simulator.config import LimitsConfig, StreamingConfig, TurnTakingConfig, VadConfig
from simulator.listen.endpoint import Endpointer
from simulator.listen.recorder import AudioBuffer, EndReason, record_answer
from simulator.listen.turn_end import SentenceEndPolicy, turn_taking_policy

ROOT = Path(__file__).resolve().parent.parent
MIN_SPEECH_DBFS = -40.0
"""Clips quieter than this (90th-percentile frame level) are left out of the pools."""
SR = SAMPLE_RATE_HZ
STREAMING = StreamingConfig()
QUESTIONS = {"zh": ("cs-zh", "12"), "en": ("cs-en", "2")}
"""The question each language's answers are scored against (for the judge's time)."""


def fit_latency_s(piece_s: float) -> float:
    """Whisper base, beam 5, 2 threads, lightly loaded 2-core machine (issue 13 research)."""
    return 1.03 + 0.125 * piece_s


class DiskCache:
    """JSON values keyed by the sha1 of an audio array and a tag (outside the project)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._path = folder / "cache.json"
        self._data: dict[str, object] = (json.loads(self._path.read_text())
                                         if self._path.is_file() else {})
        self._dirty = 0

    def get(self, tag: str, audio: np.ndarray, compute: Callable[[], object]) -> object:
        key = tag + ":" + hashlib.sha1(np.ascontiguousarray(audio).tobytes()).hexdigest()
        if key not in self._data:
            self._data[key] = compute()
            self._dirty += 1
            if self._dirty >= 20:
                self.save()
        return self._data[key]

    def save(self) -> None:
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._data, ensure_ascii=False))
        os.replace(tmp, self._path)
        self._dirty = 0


def find_pauses(audio: np.ndarray) -> list[tuple[int, int | None]]:
    """(speech end, next speech start or None) for every pause the endpointer hears."""
    endpointer = Endpointer(VadConfig(stop_s=10.0, sentence_end_stop_s=10.0))
    pauses: list[tuple[int, int | None]] = []
    last_end: int | None = None
    for block in blocks(audio):
        endpointer.process(block)
        end = endpointer.speech_end_sample
        if end is not None and last_end is not None and end - last_end > BLOCK_SAMPLES:
            pauses.append((last_end, end - BLOCK_SAMPLES))
        last_end = end
    if last_end is not None:
        pauses.append((last_end, None))
    return pauses


@dataclass
class Piece:
    text: str
    ready: int
    """The stream sample at which a live worker would have the text."""


def stream_pieces(audio: np.ndarray, language: str, pauses: list[tuple[int, int | None]],
                  transcribe: Callable[[np.ndarray], tuple[str, float]],
                  latency: str) -> tuple[dict[int, Piece], int, int]:
    """The streaming transcriber's pieces, in virtual time (see module docstring).

    Returns:
        pause speech end -> its piece; the last committed cut; when the worker is free.
    """
    pause_n = int(STREAMING.pause_s * SR)
    stretch_n = int(STREAMING.min_stretch_s * SR)
    last_cut, free_at = 0, 0
    pieces: dict[int, Piece] = {}
    for end, resume in pauses:
        limit = resume if resume is not None else len(audio)
        if limit - end < pause_n or end <= last_cut:
            continue
        commit = end - last_cut >= stretch_n
        submit = end + pause_n if commit else max(end + pause_n, free_at)
        if submit >= limit:
            continue  # the worker stayed busy for the whole pause: no guess here
        cut = end + (submit - end) // 2
        text, wall_s = transcribe(audio[last_cut:cut])
        piece_s = (cut - last_cut) / SR
        took = fit_latency_s(piece_s) if latency == "fit" else wall_s
        ready = max(submit, free_at) + int(took * SR)
        pieces[end] = Piece(text, ready)
        free_at = ready
        if commit:
            last_cut = cut
    return pieces, last_cut, free_at


class VirtualText:
    """The streamed text as a live policy would see it: known once its piece is ready."""

    def __init__(self, pieces: dict[int, Piece]) -> None:
        self._pieces = pieces
        self.now = 0

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        self.now = len(audio)

    def text_at_pause(self, speech_end: int, wait: bool = False) -> str | None:
        piece = self._pieces.get(speech_end)
        return piece.text if piece is not None and self.now >= piece.ready else None


class CachedModel:
    """Smart Turn, run inline (the verdict is ready long before the 2.0 s decision)."""

    def __init__(self, cache: DiskCache) -> None:
        from simulator.listen.smart_turn import SmartTurnModel
        from simulator.listen.smart_turn_model import cached_model
        from simulator.speech.whisper_model import default_cache_dir

        path = cached_model(default_cache_dir())
        if path is None:
            raise SystemExit("bench: the Smart Turn model is not prepared; run "
                             "python -m simulator.prepare")
        rss = _rss_mib()
        started = time.perf_counter()
        self._model = SmartTurnModel(path)
        self.load_s = time.perf_counter() - started
        self.rss_load_mib = _rss_mib() - rss
        self._cache = cache
        self.call_s: list[float] = []

    def _compute(self, audio: np.ndarray) -> float:
        started = time.perf_counter()
        value = self._model.finished_probability(audio)
        self.call_s.append(time.perf_counter() - started)
        return value

    def submit(self, audio: np.ndarray) -> Future[float]:
        done: Future[float] = Future()
        done.set_result(float(self._cache.get("turn", audio,  # type: ignore[arg-type]
                                              lambda: self._compute(audio))))
        return done


def _rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


RULES = ("today", "silence", "turn")
RULE_NAMES = {"today": "today: 1.5 s, or 1.0 s after a finished sentence",
              "silence": "silence bound alone: 4.5 s (model not prepared)",
              "turn": "turn-taking: model + text, 2.0 s / 4.5 s bound"}


def run_rule(rule: str, audio: np.ndarray, language: str, pieces: dict[int, Piece],
             model: CachedModel) -> tuple[int | None, EndReason, int]:
    """Record `audio` under a rule: (speech end when it ended, why, stream sample of the end)."""
    text = VirtualText(pieces)
    limits = LimitsConfig(max_answer_s=600, no_speech_timeout_s=30)
    if rule == "today":
        vad = VadConfig(stop_s=1.5, sentence_end_stop_s=1.0)
        policy = SentenceEndPolicy(text, language, 1.0)
    else:
        vad = VadConfig()
        policy = turn_taking_policy(text, model if rule == "turn" else None, vad,  # type: ignore[arg-type,assignment]
                                    TurnTakingConfig(), language, wait=True)
    rec = record_answer(blocks(audio), vad, limits, observer=text, turn_end=policy)
    return rec.speech_end_sample, rec.end_reason, rec.stream_offset_samples + len(rec.audio)


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run_answers(realspeech: Path, count: int, latency: str, cache_dir: Path) -> None:
    """Build the answers, record each under every rule, print the side-by-side table."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_asr import fixture_clips, realspeech_clips
    from turn_answers import build_answers, longest_gap_s, speech_dbfs

    from simulator.app import Parts
    from simulator.bank.loader import resolve_bank
    from simulator.config import SimulatorConfig, WhisperConfig
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    clips = [c for c in fixture_clips(ROOT / "audio_fixtures" / "manifest.json")
             if c.reference and c.expected in ("strong", "partial", "")]
    if (realspeech / "manifest.tsv").is_file():
        # en/long/ holds whole chapters with 10-20 s silences in them: not one answer's pauses.
        clips += [c for c in realspeech_clips(realspeech, ["zh_cs", "en_phone", "en_read"])
                  if not c.clip_id.startswith("en/long/")]
    else:
        print(f"bench: {realspeech} is absent: answers are built from the fixtures only",
              file=sys.stderr)
    by_pool: dict[str, list[np.ndarray]] = {}
    for clip in clips:
        audio = clip.load()
        # A clip with a silence of its own longer than a sentence pause (read-aloud chapters
        # hold 5-13 s ones) would put pauses into the answer that no rule should hold; a
        # clip recorded far below a microphone's working level (some read-aloud ones peak at
        # -55 dBFS) is silence to any voice detector, so its whole length becomes a pause.
        if (2.0 <= len(audio) / SR <= 40 and longest_gap_s(audio) <= 1.5
                and speech_dbfs(audio) >= MIN_SPEECH_DBFS):
            by_pool.setdefault(clip.set_name, []).append(audio)
    cache = DiskCache(cache_dir)
    whisper = FasterWhisperTranscriber(WhisperConfig(cpu_threads=2))
    whisper.warm_up()
    model = CachedModel(cache)
    judge = Parts(SimulatorConfig(), print).judge(preload=False)
    judge.warm_up([resolve_bank(b).question(q) for b, q in QUESTIONS.values()])  # type: ignore[attr-defined]
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    for language in ("zh", "en"):
        bank_id, qid = QUESTIONS[language]
        question = resolve_bank(bank_id).question(qid)

        def transcribe(piece: np.ndarray, language: str = language) -> tuple[str, float]:
            def compute() -> list[object]:
                started = time.perf_counter()
                text = whisper.transcribe(piece, language).text
                return [text, time.perf_counter() - started]

            text, wall = cache.get(f"whisper-{language}", piece, compute)  # type: ignore[misc]
            return str(text), float(wall)

        answers = build_answers(by_pool, language, count)
        for number, answer in enumerate(answers, 1):
            pauses = find_pauses(answer.audio)
            pieces, last_cut, free_at = stream_pieces(answer.audio, language, pauses,
                                                      transcribe, latency)
            true_end = pauses[-1][0]
            joined = ("" if language == "zh" else " ").join(p.text for p in pieces.values())
            started = time.perf_counter()
            judge.score(joined, question)  # type: ignore[union-attr]
            score_s = time.perf_counter() - started
            for rule in RULES:
                ended, reason, end_sample = run_rule(rule, answer.audio, language, pieces,
                                                     model)
                spoken_to = ended if ended is not None else true_end
                cut = spoken_to < true_end - BLOCK_SAMPLES
                # Waits count from the speech end where the answer ended: the true end, or
                # for a cut answer the pause where the tool stopped listening.
                wait_s = (end_sample - spoken_to) / SR
                tail = pieces.get(spoken_to)
                if tail is not None:
                    ready = max(end_sample, tail.ready)
                else:  # the rest is transcribed once the answer has ended
                    rest_s = max(0, spoken_to - last_cut) / SR
                    ready = max(end_sample, free_at) + int(fit_latency_s(rest_s) * SR)
                pause_s = next(((r - e) / SR for e, r in pauses if e == spoken_to and r), 0.0)
                rows.setdefault((language, rule), []).append({
                    "cut": float(cut), "wait_s": wait_s, "cut_pause_s": pause_s,
                    "feedback_s": (ready - spoken_to) / SR + score_s,
                    "reason": float(reason is EndReason.SENTENCE_END)})
            print(f"# {answer.answer_id} {answer.pool:<12} {len(answer.audio) / SR:5.1f} s "
                  f"thinking {answer.thinking_pauses} sentence {answer.sentence_pauses} "
                  + " ".join(f"{r}=" + (f"CUT@{rows[(language, r)][-1]['cut_pause_s']:.1f}s"
                                         if rows[(language, r)][-1]["cut"] else "ok")
                             for r in RULES), flush=True)
            if number % 5 == 0:
                cache.save()
    cache.save()
    _report(rows, model)


def _report(rows: dict[tuple[str, str], list[dict[str, float]]], model: CachedModel) -> None:
    print("\nwait and feedback: from the end of the speech the answer ended after (the true "
          "end, or where a cut answer was cut) to the end decision / the feedback ready")
    print(f"{'rule':<50} {'lang':<4} {'answers':>7} {'cut':>6} {'wait med':>8} {'p95':>5} "
          f"{'mean':>5} {'feedback med':>12} {'p95':>5} {'early end':>9}")
    summary = []
    for (language, rule), values in rows.items():
        waits = [v["wait_s"] for v in values]
        feedback = [v["feedback_s"] for v in values]
        cut = statistics.mean(v["cut"] for v in values)
        early = statistics.mean(v["reason"] for v in values)
        print(f"{RULE_NAMES[rule]:<50} {language:<4} {len(values):>7} {cut:>6.1%} "
              f"{_pct(waits, 50):>8.2f} {_pct(waits, 95):>5.2f} "
              f"{statistics.mean(waits) if waits else float('nan'):>5.2f} "
              f"{_pct(feedback, 50):>12.2f} {_pct(feedback, 95):>5.2f} {early:>9.1%}")
        summary.append(f"{language}_{rule}_cut={cut:.3f} {language}_{rule}_feedback_median_s="
                       f"{_pct(feedback, 50):.2f}")
    calls = model.call_s
    if calls:
        print(f"\nend-of-turn model: {len(calls)} calls, per call median "
              f"{_pct(calls, 50) * 1000:.0f} ms, p95 {_pct(calls, 95) * 1000:.0f} ms; load "
              f"{model.load_s * 1000:.0f} ms, RSS +{model.rss_load_mib:.0f} MiB at load; "
              f"load average now {os.getloadavg()[0]:.1f}")
    print(" ".join(summary))
