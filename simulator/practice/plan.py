"""Which questions a practice session asks: the selection, the rest of a resumed session, or
the questions a shipped recording can answer when there is no microphone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulator.bank.loader import load_bank, resolve_bank, shipped_bank_paths
from simulator.bank.model import Bank, Question
from simulator.bank.select import select_questions
from simulator.config import SessionConfig
from simulator.errors import ConfigError
from simulator.practice.fixtures import SHIPPED_FIXTURES, read_manifest
from simulator.records.store import SessionStore


def planned_questions(config: SessionConfig) -> tuple[Bank, list[Question]]:
    """The bank and the questions the options select.

    Raises:
        BankError: unknown bank. ConfigError: unknown question or section.
    """
    bank = resolve_bank(config.bank)
    return bank, select_questions(bank, question_ids=config.question_ids,
                                  section=config.section, count=config.count, seed=config.seed)


def remaining_questions(store: SessionStore[Any]) -> tuple[Bank, list[Question]]:
    """The bank and the planned questions not yet answered in a session being resumed.

    Raises:
        ConfigError: the record names no bank or plan, or nothing is left to answer.
        BankError: the session's bank can no longer be read.
    """
    bank_id, planned = store.meta.get("bank"), store.meta.get("planned_questions")
    if (not isinstance(bank_id, str) or not isinstance(planned, list)
            or not all(isinstance(q, str | int) and not isinstance(q, bool) for q in planned)):
        raise ConfigError(f"{store.folder}: this session record cannot be resumed "
                          "(no bank or question plan)")
    bank = _session_bank(store, bank_id)
    answered = {str(turn["question"]["id"]) for turn in store.turns}
    left = [str(q) for q in planned if str(q) not in answered]
    if not left:  # (an empty id list would select the default questions instead)
        raise ConfigError(f"{store.folder}: every planned question is already answered")
    questions = select_questions(bank, question_ids=left)
    return bank, questions


def _session_bank(store: SessionStore[Any], bank_id: str) -> Bank:
    """The bank a session was planned from: its file as recorded (`bank_file`; a bank given
    as a path has no id the tool could find it by), else the shipped bank of that id."""
    bank_file = store.meta.get("bank_file")
    if isinstance(bank_file, str) and bank_file:
        path = Path(bank_file)
        if path.is_file() or bank_id not in {p.stem for p in shipped_bank_paths()}:
            return load_bank(path)
    return resolve_bank(bank_id)


def shipped_answers_for(questions: Sequence[Question], bank: Bank) -> list[Path]:
    """Shipped recordings that answer these questions well (for the no-microphone demo)."""
    manifest = SHIPPED_FIXTURES / "manifest.json"
    entries = read_manifest(manifest) if manifest.is_file() else []
    files = []
    for question in questions:
        matches = [e for e in entries if e.get("bank") == bank.id
                   and str(e.get("question")) == question.id]
        matches.sort(key=lambda e: e.get("expected") != "strong")
        if matches:
            files.append(SHIPPED_FIXTURES / matches[0]["file"])
    return files


def demo_plan(bank: Bank, questions: Sequence[Question]) -> tuple[list[Question], list[Path]]:
    """Questions and shipped recordings for a session without a microphone.

    Keeps the selected questions that have a shipped answer and fills up to the number
    selected with other questions of the bank that have one.
    """
    answered = [q for q in bank.questions if shipped_answers_for([q], bank)]
    chosen = [q for q in questions if q in answered]
    chosen += [q for q in answered if q not in chosen][: len(questions) - len(chosen)]
    return chosen, shipped_answers_for(chosen, bank)
