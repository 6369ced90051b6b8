"""The spoken summary of a scored call: the score, the best thing, the one thing to fix."""

from __future__ import annotations

from simulator.call.scorecard.score import CallScorecard


def render_scorecard(card: CallScorecard, language: str) -> str:
    """A short spoken summary: the score, the best thing, and the one thing to fix.

    Args:
        card: from `score_call`.
        language: the language to speak; must be the card's (its labels and advice are
            written in it).

    Raises:
        ValueError: `language` is not the card's language.
    """
    if language != card.language:
        raise ValueError(f"the scorecard is in {card.language!r}, not {language!r}")
    speech = card.speech
    if card.heard_nothing:
        return speech["empty"]
    sentences = [speech["score"].format(score=card.score)]
    if card.best:
        sentences.append(speech["best"].format(item=card.best))
    if card.fix is None:
        sentences.append(speech["all_good"])
    elif card.fix.kind == "red_flag":
        sentences.append(speech["fix_red_flag"].format(phrase=card.fix.phrase,
                                                       advice=card.fix.advice))
    else:
        sentences.append(speech["fix"].format(advice=card.fix.advice))
    joiner = "" if language == "zh" else " "
    return joiner.join(sentences)
