"""The sentence encoder's cache: a call gets one vector per text however full the cache is."""

import numpy as np

from simulator.scoring import encoder


class _Counting:
    """Stands in for the USE model: a vector per text, and a count of the texts encoded."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return np.array([[float(len(t)), 1.0] for t in texts])


def _encoder(monkeypatch, size: int) -> tuple[encoder.UseEncoder, _Counting]:
    monkeypatch.setattr(encoder, "CACHE_SIZE", size)
    model = _Counting()
    use = encoder.UseEncoder()
    monkeypatch.setattr(use, "_load", lambda: model)
    return use, model


def test_a_call_mixing_the_oldest_cached_texts_with_new_ones_gets_every_vector(monkeypatch):
    use, _ = _encoder(monkeypatch, 3)
    use.encode(["a", "bb", "ccc"])
    vectors = use.encode(["a", "dddd", "eeeee"])  # "a" was the oldest entry of a full cache
    assert vectors[:, 0].tolist() == [1.0, 4.0, 5.0]


def test_a_call_larger_than_the_cache_gets_every_vector(monkeypatch):
    use, _ = _encoder(monkeypatch, 2)
    assert use.encode(["a", "bb", "ccc", "a"])[:, 0].tolist() == [1.0, 2.0, 3.0, 1.0]


def test_texts_used_again_stay_cached_and_are_not_encoded_twice(monkeypatch):
    use, model = _encoder(monkeypatch, 3)
    use.encode(["question", "x"])
    for text in ("y", "z", "w"):
        use.encode(["question", text])
    assert model.encoded.count("question") == 1
