"""The platitude library (`prompts/platitudes.toml`) and the platitude likeness it gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.bank.loader import resolve_bank
from simulator.errors import DataFileError
from simulator.scoring.platitudes import load_platitudes, platitude_likeness
from tests.fakes import broken_file_message


def test_the_shipped_library_has_both_languages() -> None:
    library = load_platitudes()
    assert set(library) == {"zh", "en"}
    assert all(len(examples) >= 50 for examples in library.values())


@pytest.mark.parametrize(("text", "named"), [
    ("[zh]\nexamples = []\n", "examples"),
    ("[fr]\nexamples = ['bien']\n", "fr"),
    ("zh = 'x'\n", "[zh]"),
    ("[zh]\nexamples = ['ok']\nextra = 1\n", "extra"),
    ("[zh\n", "TOML"),
])
def test_a_broken_library_is_one_line_naming_the_file(tmp_path: Path, text: str,
                                                      named: str) -> None:
    assert named in broken_file_message(tmp_path, "platitudes.toml", text, load_platitudes)


def test_a_missing_library_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="nothing.toml"):
        load_platitudes(tmp_path / "nothing.toml")


def test_small_talk_does_not_dilute_the_likeness() -> None:
    """Clauses neither about the question nor like a platitude are left out of the mean."""
    vague = np.array([0.7, 0.65])
    padded = np.array([0.7, 0.65, 0.1, 0.15, 0.2])
    related = np.array([False, False])
    assert platitude_likeness(vague, related, 0.4) == pytest.approx(0.675)
    assert platitude_likeness(padded, np.zeros(5, bool), 0.4) == pytest.approx(0.675)
    assert platitude_likeness(np.array([]), np.array([], bool), 0.4) == 0.0


def test_a_vague_answer_in_new_words_sounds_like_platitudes(judge) -> None:  # type: ignore[no-untyped-def]
    """With the real encoder: general statements in words the stock-phrase list does not
    have come closer to the library than a concrete answer to the same question."""
    question = resolve_bank("cs-zh").question("12")
    vague = judge.measure("遇到这种事，我会尽我所能让客户满意，服务好每一位顾客，"
                          "把事情办得妥妥当当。", question)
    concrete = judge.measure("我先跟客户道歉，然后查订单，今天下午五点前给他补发，"
                             "明天上午再打电话确认收到。", question)
    assert (vague.gate_features["platitude_meaning"]
            > concrete.gate_features["platitude_meaning"] + 0.1)
