"""The real judge, assembled: shipped calibration, sentence encoder, breach library, the
shipped banks' example library, the platitude library, the graded sample answers and the
story patterns. The
app's composition root, the scripts and the tests all build it here, so they judge alike."""

from __future__ import annotations

import hashlib

from simulator.config import ScoringConfig
from simulator.data import PROMPTS_DIR
from simulator.scoring.judge import Judge

JUDGE_FILES = ("judge.toml", "breaches.toml", "platitudes.toml", "story.toml",
               "banks/cs-zh.toml", "banks/cs-en.toml")
"""The data a judge's scores depend on (besides its code and settings)."""


def build_judge(config: ScoringConfig | None = None) -> Judge:
    """A judge with every real part (the encoder and the graded samples load on first use or
    `warm_up`)."""
    from simulator.bank.breaches import load_breach_library
    from simulator.scoring.anchors import load_anchors
    from simulator.scoring.borrow import load_example_library
    from simulator.scoring.calibration import load_calibration
    from simulator.scoring.encoder import UseEncoder
    from simulator.scoring.overall import load_answer_model
    from simulator.scoring.platitudes import load_platitudes
    from simulator.scoring.story import load_story_cues

    config = config or ScoringConfig()

    def anchors():  # type: ignore[no-untyped-def]
        library = load_anchors()
        library.trusted = library.fingerprint == judge_fingerprint(config)
        return library

    return Judge(load_calibration(), config, UseEncoder(), load_breach_library(),
                 load_example_library(), load_platitudes(), anchors, load_story_cues(),
                 load_answer_model)


def judge_fingerprint(config: ScoringConfig) -> str:
    """Of the data files and settings the judge's scores depend on: the graded samples'
    scores written with one fingerprint are used only by a judge with the same."""
    digest = hashlib.sha256(repr(config).encode("utf-8"))
    for name in JUDGE_FILES:
        path = PROMPTS_DIR / name
        digest.update(name.encode("utf-8") + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()[:16]
