"""The real judge, assembled: shipped calibration, sentence encoder, breach library, the
shipped banks' example library, the platitude library and the graded sample answers. The
app's composition root, the scripts and the tests all build it here, so they judge alike."""

from __future__ import annotations

from simulator.config import ScoringConfig
from simulator.scoring.judge import Judge


def build_judge(config: ScoringConfig | None = None) -> Judge:
    """A judge with every real part (the encoder and the graded samples load on first use or
    `warm_up`)."""
    from simulator.bank.breaches import load_breach_library
    from simulator.scoring.anchors import load_anchors
    from simulator.scoring.borrow import load_example_library
    from simulator.scoring.calibration import load_calibration
    from simulator.scoring.encoder import UseEncoder
    from simulator.scoring.platitudes import load_platitudes

    return Judge(load_calibration(), config or ScoringConfig(), UseEncoder(),
                 load_breach_library(), load_example_library(), load_platitudes(),
                 load_anchors)
