"""Benchmark: when an answer ends, today's rule against the turn-taking policy, side by side.

Part `answers` (the default; issue 13): answers with thinking pauses are built at run time
(`turn_answers.py`: 2-5 real or fixture clips, 0.3-1.5 s between sentences, 1-2 pauses of
2-4 s mid-thought) and each is recorded by the real recorder three times, under

  - today's rule: 1.5 s of silence, or 1.0 s once the streamed text ends a sentence;
  - the silence bound alone (4.5 s; what runs when the end-of-turn model is not prepared);
  - turn-taking (`listen/turn_end.TurnTaking`): Smart Turn hears each pause 0.2, 0.3 and
    0.5 s in; the answer ends at 2.0 s when the lowest is >= 0.97 and the streamed text,
    if known by then, ends a sentence; else at the 4.5 s bound.

The streamed text is what a live session would have at each moment: the streaming
transcriber's pieces (cut in each pause 0.45 s in, committed after 6 s of speech, one
worker, a guess only on an idle worker) are transcribed by the real Whisper model, and each
is known only once its transcription would have finished: `--latency fit` (1.03 s + 0.125 s
per second of audio, the lightly loaded 2-core figure of the research) or `measured` (the
call's own wall time here). For each rule it reports the share of answers cut before their
end, the wait at the true end, and end of speech -> feedback ready (transcript ready, then
the judge's score; the voice's first sound, about 0.1-0.3 s more, is measured by
bench_turnaround.py), median and p95; and what the model costs per call and in memory.
Whisper text and model verdicts are cached in `--cache` (outside the project).

Part `clips` (the table from before issue 13): an answer ends after `stop_s` (1.5 s) of
silence, or after the shorter
`sentence_end_stop_s` when the streamed transcript of the speech so far ends a sentence
(`simulator.listen.turn_end.ends_sentence`). The shorter wait makes feedback come sooner; it
also cuts off a speaker who pauses that long after a sentence and then goes on.

For every clip (real recordings from ../shared/realspeech and the fixture answers), the
real transcriber and the real streaming observer run once over the clip followed by 3 s of
silence. At every pause the piece ending there is transcribed (as in a live session) and
the pause length and the sentence judgement are noted. Then, for each candidate
threshold X, it counts:

  - cut short: clips that would have ended at an inner pause >= X after a "finished"
    sentence, although the speaker went on (the cost);
  - early end: clips whose final pause was judged finished, so the answer ends after X
    instead of stop_s (the gain), and the median wait over all clips.

Usage: .venv/bin/python scripts/bench_endpointing.py [--part answers|clips|both]
       [--answers 40] [--latency fit|measured] [--realspeech DIR]
       [--sets fixtures_zh,en_phone] [--limit N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from concurrent import futures
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_asr import REALSPEECH, Clip, fixture_clips, realspeech_clips  # noqa: E402

from simulator.audio.pcm import BLOCK_SAMPLES, SAMPLE_RATE_HZ, blocks  # noqa: E402
from simulator.config import LimitsConfig, StreamingConfig, VadConfig, WhisperConfig  # noqa: E402
from simulator.listen.endpoint import Endpointer  # noqa: E402
from simulator.listen.recorder import AudioBuffer, record_answer  # noqa: E402
from simulator.listen.streaming import IncrementalTranscription  # noqa: E402
from simulator.listen.turn_end import ends_sentence  # noqa: E402

THRESHOLDS_S = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2)
STOP_S = 1.5
TODAY_SENTENCE_END_S = 1.0
"""The rule before issue 13: 1.5 s of silence, or 1.0 s after a finished sentence."""


class PauseLog(IncrementalTranscription):
    """The streaming observer, noting each pause's sentence judgement as it happens."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.judged: dict[int, bool] = {}
        """speech end sample -> whether the speech up to there ended a sentence."""
        self.pauses: list[tuple[int, int]] = []
        """(speech end, next speech start) for every pause the speaker came back from."""
        self._previous_end: int | None = None

    def feed(self, audio: AudioBuffer, endpointer: Endpointer) -> None:
        end = endpointer.speech_end_sample
        if end is not None and self._previous_end is not None and end - self._previous_end \
                > BLOCK_SAMPLES:
            self.pauses.append((self._previous_end, end - BLOCK_SAMPLES))
        self._previous_end = end
        if self._latest is not None:
            # Blocks arrive here faster than real time: let the worker finish first, so
            # every pause gets its guess as it would with live audio on an idle worker.
            futures.wait([self._latest.result])
        super().feed(audio, endpointer)
        if end is not None and end not in self.judged:
            text = self.text_at_pause(end, wait=True)
            if text is not None and ends_sentence(text, self._language):
                self.judged[end] = True


def measure(clip: Clip, transcriber: object, language: str) -> dict[str, object]:
    """Run one clip; return its inner pauses (length, judged finished) and final judgement."""
    audio = np.concatenate([np.zeros(SAMPLE_RATE_HZ // 2, np.float32), clip.load(),
                            np.zeros(3 * SAMPLE_RATE_HZ, np.float32)])
    log = PauseLog(transcriber, language, StreamingConfig())
    vad = VadConfig(stop_s=STOP_S, sentence_end_stop_s=STOP_S)  # never end early here
    recording = record_answer(blocks(audio), vad, LimitsConfig(max_answer_s=600), observer=log)
    final_end = recording.speech_end_sample or 0
    log.finish(recording.stream_offset_samples, recording.speech_end_sample)
    inner = [((resume - end) / SAMPLE_RATE_HZ, log.judged.get(end, False))
             for end, resume in log.pauses]
    return {"inner": inner, "final_finished": log.judged.get(final_end, False),
            "has_speech": recording.has_speech}


def main() -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("answers", "clips", "both"), default="answers")
    parser.add_argument("--realspeech", type=Path, default=REALSPEECH,
                        help="folder of the real recordings (default ../shared/realspeech)")
    parser.add_argument("--answers", type=int, default=40, help="built answers per language")
    parser.add_argument("--latency", choices=("fit", "measured"), default="fit")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "interview-sim"
                        / "bench-endpointing", help="Whisper texts and model verdicts")
    parser.add_argument("--sets", default="fixtures_zh,fixtures_en,zh_read,en_read,en_phone,zh_cs")
    parser.add_argument("--limit", type=int, default=0, help="at most N clips per set (0: all)")
    args = parser.parse_args()
    if args.part in ("answers", "both"):
        from bench_turn_taking import run_answers

        run_answers(args.realspeech, args.answers, args.latency, args.cache)
    if args.part in ("clips", "both"):
        clip_table(args)
    return 0


def clip_table(args: argparse.Namespace) -> None:
    """The per-clip sentence-end table (part `clips`)."""
    sets = args.sets.split(",")
    clips = [c for c in fixture_clips(ROOT / "audio_fixtures" / "manifest.json")
             if c.set_name in sets and c.reference]
    if (args.realspeech / "manifest.tsv").is_file():
        clips += realspeech_clips(args.realspeech, sets)
    else:
        print(f"bench: {args.realspeech} is absent: real-speech sets skipped", file=sys.stderr)
    from simulator.speech.whisper_stt import FasterWhisperTranscriber

    transcriber = FasterWhisperTranscriber(WhisperConfig(cpu_threads=2))
    transcriber.warm_up()
    by_set: dict[str, list[dict[str, object]]] = {}
    for clip in clips:
        members = by_set.setdefault(clip.set_name, [])
        if args.limit and len(members) >= args.limit:
            continue
        result = measure(clip, transcriber, clip.language)
        if result["has_speech"]:
            members.append(result)
    print(f"{'set':<12} {'clips':>5} {'inner pauses':>12} {'X s':>4} {'cut short':>9} "
          f"{'early end':>9} {'median wait s':>13}")
    summary = []
    for name, results in by_set.items():
        pauses = sum(len(r["inner"]) for r in results)  # type: ignore[arg-type]
        for x in THRESHOLDS_S:
            cut = sum(any(length >= x and done for length, done in r["inner"])  # type: ignore[attr-defined]
                      for r in results)
            # A clip cut short never reaches its real end; one that is not waits X or stop_s.
            waits = [x if r["final_finished"] else STOP_S for r in results]
            early = sum(bool(r["final_finished"]) for r in results)
            print(f"{name:<12} {len(results):>5} {pauses:>12} {x:>4.1f} "
                  f"{cut / len(results):>9.1%} {early / len(results):>9.1%} "
                  f"{statistics.median(waits):>13.2f}")
            if x == TODAY_SENTENCE_END_S:
                summary.append(f"{name}_cut_short={cut / len(results):.3f} "
                               f"{name}_early_end={early / len(results):.3f}")
    print(" ".join(summary))


if __name__ == "__main__":
    sys.exit(main())
