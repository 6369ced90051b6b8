"""Choose which questions a session asks: named ids, a section, a count, or a seeded draw."""

from __future__ import annotations

import random
from collections.abc import Sequence

from simulator.bank.model import Bank, Question
from simulator.errors import ConfigError


def select_questions(bank: Bank, *, question_ids: Sequence[str] = (), section: str | None = None,
                     count: int | None = None, seed: int | None = None) -> list[Question]:
    """Pick questions from a bank.

    Args:
        bank: the bank to draw from.
        question_ids: ask exactly these, in this order (other options then only limit count).
        section: only questions of this section id (or title).
        count: how many; None means all that match.
        seed: draw at random with this seed (same seed, same questions); None keeps bank order.

    Raises:
        ConfigError: an unknown question id or section (lists what exists).
    """
    if question_ids:
        chosen = []
        for qid in question_ids:
            question = bank.question(qid)
            if question is None:
                known = ", ".join(q.id for q in bank.questions[:30])
                raise ConfigError(f"bank {bank.id}: no question {qid!r} (ids: {known}...)")
            chosen.append(question)
        return chosen[:count] if count else chosen
    pool = list(bank.questions)
    if section is not None:
        ids = {s.id for s in bank.sections if section in (s.id, s.title)}
        if not ids:
            known = ", ".join(s.id for s in bank.sections)
            raise ConfigError(f"bank {bank.id}: no section {section!r} (sections: {known})")
        pool = [q for q in pool if q.section in ids]
    if seed is not None:
        pool = random.Random(seed).sample(pool, len(pool))
    return pool[:count] if count else pool
