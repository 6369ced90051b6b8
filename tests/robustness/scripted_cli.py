"""`python -m tests.robustness.scripted_cli [OPTIONS] -- ARGV`: the real command line in a
real process (and, for `replay --jobs`, real worker processes), with a scripted transcriber
in place of Whisper, so tests can interrupt, kill or starve it at chosen points.

Options: `--text T` (what every answer is heard as), `--language zh|en`, `--delay-s S` (each
transcription takes this long, from the `--delay-from N`th on), `--marker-dir DIR` (each
transcription first creates `DIR/call-<pid>-<n>`, so a test can wait for the Nth answer to
be under way), `--fill-disk PATH` (the first transcription writes PATH until the disk is
full), `--fsync-fails-after N` (every `os.fsync` after the first N reports a full disk: a
fake full disk where no small file system can be mounted).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from simulator.audio.pcm import Block
from simulator.speech.transcript import Transcript
from tests.fakes import ScriptedTranscriber, run_scripted


@dataclass
class GatedTranscriber(ScriptedTranscriber):
    """A scripted transcriber that marks each call, can be slow, and can fill the disk."""

    delay_s: float = 0.0
    delay_from: int = 1
    marker_dir: str = ""
    fill_disk: str = ""

    def transcribe(self, audio: Block, language: str | None, context: str = "") -> Transcript:
        if self.marker_dir:
            Path(self.marker_dir, f"call-{os.getpid()}-{len(self.calls) + 1}").touch()
        if self.fill_disk and not self.calls:
            fill_disk(Path(self.fill_disk))
        if len(self.calls) + 1 >= self.delay_from:
            time.sleep(self.delay_s)
        return super().transcribe(audio, language, context)


def fill_disk(path: Path) -> None:
    """Write `path` until the file system it is on has no space left."""
    block = bytes(64 * 1024)
    with path.open("wb") as handle:
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    # Small files may still fit in what a 64 kB block could not use: take that too.
    try:
        with path.open("ab") as handle:
            while True:
                handle.write(b"\0" * 512)
                handle.flush()
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise


def _fail_fsync_after(ok_calls: int) -> None:
    real_fsync, calls = os.fsync, [0]

    def _fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] > ok_calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    os.fsync = _fsync


def main(argv: list[str]) -> int:
    """Parse the helper's options, then run `interview-sim ARGV` with the fake transcriber."""
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="scripted_cli")
    parser.add_argument("--text", default="I'm so sorry. I'll check the order; it ships today.")
    parser.add_argument("--language", default="en")
    parser.add_argument("--delay-s", type=float, default=0.0)
    parser.add_argument("--delay-from", type=int, default=1)
    parser.add_argument("--marker-dir", default="")
    parser.add_argument("--fill-disk", default="")
    parser.add_argument("--fsync-fails-after", type=int, default=-1)
    options = parser.parse_args(argv[:split])
    if options.fsync_fails_after >= 0:
        _fail_fsync_after(options.fsync_fails_after)
    transcriber = GatedTranscriber([options.text] * 1000, language=options.language,
                                   delay_s=options.delay_s, delay_from=options.delay_from,
                                   marker_dir=options.marker_dir,
                                   fill_disk=options.fill_disk)
    return run_scripted(transcriber, argv[split + 1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
