"""Bank loading, validation messages, shipped banks and question selection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.bank.loader import load_bank, parse_bank, resolve_bank, shipped_bank_paths
from simulator.bank.select import select_questions
from simulator.errors import BankError, ConfigError

GOOD = """
[bank]
id = "t"
title = "Test"
language = "zh"

[[sections]]
id = "s"
title = "Section"

[[questions]]
id = "1"
section = "s"
points = 2
prompt = "为什么做客服？"

  [[questions.key_points]]
  label = "耐心"
  cues = ["耐心", "细心"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_bank_loads(tmp_path: Path) -> None:
    """A minimal valid bank loads with its question and key point."""
    bank = load_bank(_write(tmp_path, GOOD))
    assert bank.question("1") is not None
    assert bank.question("1").key_points[0].cues == ("耐心", "细心")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('points = 2', 'points = 0'), r"question 1: field 'points'"),
        (lambda t: t.replace('cues = ["耐心", "细心"]', 'cues = []'), r"key point 1 .*'cues'"),
        (lambda t: t.replace('language = "zh"', 'language = "fr"'), r"'language' is 'fr'"),
        (lambda t: t.replace('section = "s"', 'section = "x"'), r"question 1: field 'section'"),
        (lambda t: t.replace('prompt = "为什么做客服？"\n', ''), r"question 1: field 'prompt'"),
        (lambda t: t + t[t.index("[[questions]]"):], r"duplicate question id '1'"),
        (lambda t: t.replace('[bank]', '[bank'), r"TOML syntax error"),
        (lambda t: t.replace('label = "耐心"', 'label = "耐心"\n  mode = "some"'), r"'mode'"),
    ],
)
def test_invalid_banks_name_file_and_field(tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    """Each mistake raises BankError naming the file and the field."""
    path = _write(tmp_path, edit(GOOD))
    with pytest.raises(BankError, match=message) as info:
        load_bank(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_huge_file(tmp_path: Path) -> None:
    """A missing file and an oversized one are refused with a one-line error."""
    with pytest.raises(BankError, match="cannot read"):
        load_bank(tmp_path / "nope.toml")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 6_000_000)
    with pytest.raises(BankError, match="larger than"):
        load_bank(big)


def test_not_a_table() -> None:
    """Non-table data is refused, not crashed on."""
    with pytest.raises(BankError):
        parse_bank([], source="x")  # type: ignore[arg-type]


def test_shipped_banks_are_valid_and_large_enough() -> None:
    """Every shipped bank loads; ids are unique; questions have 2-6 points and 3-5 points."""
    paths = shipped_bank_paths()
    assert {p.stem for p in paths} >= {"cs-zh", "cs-en"}
    for path in paths:
        bank = load_bank(path)
        assert bank.id == path.stem
        for q in bank.questions:
            assert 2 <= q.points <= 6, (bank.id, q.id)
            assert 3 <= len(q.key_points) <= 5, (bank.id, q.id)


def test_shipped_banks_are_simplified_script() -> None:
    """The Mandarin bank is stored in simplified characters (traditional is derived)."""
    from simulator.text.normalise import to_simplified

    bank = resolve_bank("cs-zh")
    for q in bank.questions:
        assert to_simplified(q.prompt) == q.prompt, q.id


def test_resolve_unknown_bank_lists_known() -> None:
    """An unknown bank id names the shipped ones."""
    with pytest.raises(BankError, match=re.escape("cs-zh")):
        resolve_bank("no-such-bank")


def test_selection_by_id_section_and_seed() -> None:
    """Questions can be picked by id, by section, by count and reproducibly at random."""
    bank = resolve_bank("cs-zh")
    assert [q.id for q in select_questions(bank, question_ids=["12", "1"])] == ["12", "1"]
    scen = select_questions(bank, section="scenarios")
    assert scen and all(q.section == "scenarios" for q in scen)
    first = select_questions(bank, count=3, seed=7)
    assert [q.id for q in first] == [q.id for q in select_questions(bank, count=3, seed=7)]
    assert len(first) == 3
    with pytest.raises(ConfigError, match="no question '999'"):
        select_questions(bank, question_ids=["999"])
    with pytest.raises(ConfigError, match="no section"):
        select_questions(bank, section="nope")
