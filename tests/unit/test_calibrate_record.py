"""The record `scripts/calibrate_judge.py --write` keeps of what the judge was fitted on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import calibrate_judge  # noqa: E402

from simulator.scoring.calibration import load_calibration  # noqa: E402


def test_a_gate_refit_twice_is_recorded_once() -> None:
    """Each partial refit used to append its clause, so the record grew with every refit of
    the same gate; the other models' clause stays."""
    first = calibrate_judge.refit_note("dev split, 1020 answers", "off_topic",
                                       "dev split, 1260 answers")
    again = calibrate_judge.refit_note(first, "off_topic", "dev split, 2620 answers")
    assert again == "dev split, 1020 answers; off_topic gate refit on the dev split, 2620 answers"
    both = calibrate_judge.refit_note(again, "vague", "dev split, 2876 answers")
    assert both.split("; ") == ["dev split, 1020 answers",
                                "off_topic gate refit on the dev split, 2620 answers",
                                "vague gate refit on the dev split, 2876 answers"]


@pytest.mark.parametrize("note", ['after the count stopped reading a story\'s "they"',
                                  "主要 or the complement 得 \\ a backslash", "plain"])
def test_the_written_file_reads_back_with_any_note(tmp_path: Path, note: str) -> None:
    """A quotation mark in the record used to be written inside a TOML string unescaped,
    and the judge could then no longer load its own calibration."""
    shipped = load_calibration()
    path = tmp_path / "judge.toml"
    calibrate_judge.write(shipped, path, note)
    back = load_calibration(path)
    assert back.fitted_on == note
    assert back.off_topic.weights == pytest.approx(shipped.off_topic.weights, abs=1e-5)
    assert back.off_topic_threshold == shipped.off_topic_threshold
