"""Word overlap between a clause and a key point's texts (`simulator/scoring/lexical.py`)."""

from __future__ import annotations

import pytest

from simulator.scoring.lexical import Overlap, best_overlap, overlap, terms


def test_mandarin_terms_are_bigrams_without_pairs_of_function_characters() -> None:
    assert terms("我会先道歉", "zh") == {"会先", "先道", "道歉"}  # "我会" left out
    assert terms("，。！", "zh") == frozenset()


def test_english_terms_are_short_stems_of_content_words() -> None:
    assert terms("I'd apologise, then apologising again to them", "en") == {
        "apolo", "again"}


@pytest.mark.parametrize("clause, example, language", [
    ("挨了骂我缓一缓就过去了", "被骂了也不往心里去，一会儿就过去了", "zh"),
    ("I'd ring them back tomorrow to check it arrived", "I'll ring back to check it arrived",
     "en"),
])
def test_a_paraphrase_shares_more_than_an_unrelated_clause(clause: str, example: str,
                                                          language: str) -> None:
    unrelated = "周末我喜欢去公园跑步" if language == "zh" else "At weekends I like to go running"
    said = overlap(terms(clause, language), terms(example, language))
    other = overlap(terms(unrelated, language), terms(example, language))
    assert said > 0.2 and other == 0.0


def test_overlap_is_a_cosine_of_sets() -> None:
    a, b = frozenset({"x", "y"}), frozenset({"y", "z", "w", "v"})
    assert overlap(a, b) == pytest.approx(1 / (2 * 4) ** 0.5)
    assert overlap(a, frozenset()) == 0.0
    best = best_overlap([frozenset(), a], [b, a])
    assert (best.value, best.clause, best.text, best.shared) == (1.0, 1, 1, 2)
    none = best_overlap([], [a])
    assert (none.value, none.clause, none.text) == (0.0, -1, -1)


def test_the_clause_sharing_words_is_quoted_when_it_is_another_clause() -> None:
    """A credited point quotes the clause that shares the most words with one of its texts
    when no cue or meaning quote already shows it, and only when it shares two terms or
    more ("really" alone explains nothing)."""
    from types import SimpleNamespace

    from simulator.scoring.evidence import PointEvidence, point_quotes

    said = ("我会先道歉", "然后呢", "明天再打电话问问到了没有")
    clauses = [SimpleNamespace(text=t) for t in said]
    view = SimpleNamespace(clauses=clauses)
    base = dict(cue=None, cue_clause=-1, cue_meaning=0.0, meaning=0.6, meaning_span=(0, 0),
                meaning_text="先道歉", second=0.5, label=0.4,
                words_text="第二天我打电话问问收到没有")
    quotes = point_quotes(PointEvidence(**base, words=Overlap(0.5, 2, 0, 4)),
                           view)  # type: ignore[arg-type]
    assert [(q.method, q.heard) for q in quotes] == [
        ("meaning", "我会先道歉"), ("words", "明天再打电话问问到了没有")]
    assert [q.method for q in point_quotes(PointEvidence(**base, words=Overlap(0.5, 2, 0, 1)),
                                            view)] == ["meaning"]  # type: ignore[arg-type]
    assert [q.method for q in point_quotes(PointEvidence(**base, words=Overlap(0.5, 0, 0, 4)),
                                            view)] == ["meaning"]  # type: ignore[arg-type]
