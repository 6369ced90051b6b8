"""Error rates (CER for Mandarin, WER otherwise) between a reference and a transcript.

Both sides are `normalise`d the same way first, so that a difference of script, numerals,
punctuation or spelling is not counted as an error; hesitation fillers are left out.
"""

from __future__ import annotations

from simulator.text.normalise import normalise

# Pure hesitation sounds, left out of error rates on both sides (as Whisper's own English
# normaliser does): whether a transcriber writes them says nothing about what was said.
# Scoring and delivery feedback still see them in `normalise`d text.
ERROR_RATE_FILLERS = {"zh": frozenset("嗯呃"),
                      "en": frozenset({"uh", "um", "hmm", "mm", "mhm", "mmm"})}


def error_rate_units(text: str, language: str) -> list[str]:
    """Units for error rates: characters for Mandarin (spaces dropped), words otherwise.

    Hesitation fillers (`ERROR_RATE_FILLERS`) are not units.
    """
    norm = normalise(text)
    fillers = ERROR_RATE_FILLERS.get(language, frozenset())
    if language == "zh":
        return [ch for ch in norm if not ch.isspace() and ch not in fillers]
    return [word for word in norm.split() if word not in fillers]


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance between two token lists."""
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(reference, hypothesis))


def error_rate(reference: str, hypothesis: str, language: str) -> float:
    """CER for Mandarin, WER otherwise, after normalising both sides the same way."""
    ref = error_rate_units(reference, language)
    hyp = error_rate_units(hypothesis, language)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
