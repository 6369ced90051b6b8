"""Mandarin words: jieba's segmentation, shared by cue matching, negation and list checks."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=8192)
def zh_words(text: str) -> tuple[str, ...]:
    """The words of a Mandarin string (jieba, dictionary only, no HMM guesses).

    jieba's dictionary loads on first use (about a second); `scoring.matching.warm_up`
    does that on the background loading thread.
    """
    import jieba

    jieba.setLogLevel(60)
    return tuple(jieba.lcut(text, HMM=False))
