"""Benchmark: what ending an answer after a finished sentence gains, and what it costs.

An answer ends after `stop_s` (1.5 s) of silence, or after the shorter
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

Usage: .venv/bin/python scripts/bench_endpointing.py [--sets fixtures_zh,en_phone] [--limit N]
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
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="fixtures_zh,fixtures_en,zh_read,en_read,en_phone,zh_cs")
    parser.add_argument("--limit", type=int, default=0, help="at most N clips per set (0: all)")
    args = parser.parse_args()
    sets = args.sets.split(",")
    clips = [c for c in fixture_clips(ROOT / "audio_fixtures" / "manifest.json")
             if c.set_name in sets and c.reference]
    if (REALSPEECH / "manifest.tsv").is_file():
        clips += realspeech_clips(REALSPEECH, sets)
    else:
        print(f"bench: {REALSPEECH} is absent: real-speech sets skipped", file=sys.stderr)
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
            if x == VadConfig().sentence_end_stop_s:
                summary.append(f"{name}_cut_short={cut / len(results):.3f} "
                               f"{name}_early_end={early / len(results):.3f}")
    print(" ".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
