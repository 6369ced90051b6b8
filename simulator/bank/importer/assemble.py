"""Putting an imported document together into bank data, validated by `loader.parse_bank`:
the entry point `import_document`, section ids, points, key points, what was skipped and
why, and the report printed after an import."""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from simulator.bank.importer.answers import (
    ANNOUNCED_RE,
    TERMINAL,
    AnswerParts,
    PointDraft,
    one_line,
    split_answer,
)
from simulator.bank.importer.asked import asked_items, asked_points
from simulator.bank.importer.clean import GARBLED_RE, checked_text, clean_document, split_preface
from simulator.bank.importer.cues import MIN_CUE_CHARS, derive_cues, discriminate
from simulator.bank.importer.structure import (
    RawQuestion,
    SectionHeading,
    chinese_number,
    find_questions,
    find_sections,
)
from simulator.bank.loader import parse_bank
from simulator.bank.model import Bank
from simulator.data import LANGUAGES
from simulator.errors import BankError
from simulator.text.normalise import letters_and_digits, normalise

_LOGGER = logging.getLogger(__name__)


DEFAULT_POINTS = 3
"""Marks for a question when neither the question nor its section states them."""
MAX_KEY_POINTS = 12
"""Most key points imported for one question; the rest are reported as skipped."""
SNIPPET_CHARS = 40
"""Length of the text snippets quoted in skipped items."""


@dataclass(frozen=True, kw_only=True)
class SkippedItem:
    """Something in the document that did not become part of the bank, and why."""

    kind: str
    """What was skipped: "question", "key_point", "section", "text" or "boilerplate"."""
    location: str
    """Where: "question 12", "line 7", "section 二"..."""
    snippet: str
    """The first `SNIPPET_CHARS` characters of the skipped text (simplified script)."""
    reason: str
    """Why it was skipped, in a few words."""


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    """A bank imported from a document, its TOML-ready data and what did not make it in."""

    bank: Bank
    """The validated bank (built from `data` by `loader.parse_bank`)."""
    data: dict[str, Any]
    """The bank as plain data in the schema of `prompts/banks/*.toml` (for `write_bank_toml`)."""
    skipped: tuple[SkippedItem, ...]
    """Questions, key points, sections and text left out, with the reason."""
    warnings: tuple[str, ...]
    """Things imported that a person should check (truncated questions, count mismatches)."""


def import_document(text: str, *, bank_id: str, title: str | None = None, language: str = "zh",
                    source: str = "<document>", default_points: float = DEFAULT_POINTS,
                    ) -> ImportResult:
    """Import an interview document into a validated bank.

    Args:
        text: The document's text (traditional or simplified script; scraped debris is fine).
        bank_id: Id for the new bank (`--bank` on the command line).
        title: Bank title; defaults to the document's own title line, else `bank_id`.
        language: "zh" or "en", the language of the questions.
        source: Name of the document for messages (its path, usually).
        default_points: Marks for questions whose points the document does not state.

    Returns:
        The bank, its TOML-ready data, the skipped items and warnings.

    Raises:
        BankError: the input is not text, too large, has no importable question, or the
            options are invalid (one-line message naming `source`).
    """
    if language not in LANGUAGES:
        raise BankError(f"{source}: language {language!r} is not one of {LANGUAGES}")
    if not isinstance(bank_id, str) or not bank_id.strip():
        raise BankError(f"{source}: the bank id must be a non-empty string")
    if not default_points > 0:
        raise BankError(f"{source}: default points must be greater than 0")
    clean = clean_document(checked_text(text, source), source)
    if not clean.text.strip():
        raise BankError(f"{source}: the document is empty (after removing web-page debris)")
    skipped: list[SkippedItem] = [
        SkippedItem(kind="boilerplate", location=f"line {number}", snippet=_snippet(line),
                    reason="web-page boilerplate") for number, line in clean.removed_lines]
    warnings: list[str] = []
    if clean.removed_lines or clean.pinyin_removed:
        warnings.append(f"removed {len(clean.removed_lines)} boilerplate lines and "
                        f"{clean.pinyin_removed} bracketed pinyin annotations")
    headings = find_sections(clean.text)
    questions = find_questions(clean.text, headings)
    if not questions:
        raise BankError(f"{source}: no questions found in the document")
    first = min([q.position for q in questions] + [h.position for h in headings])
    doc_title, preface = split_preface(clean.text[:first])
    skipped.extend(SkippedItem(kind="text", location="before the first question",
                               snippet=_snippet(line), reason="not part of any question")
                   for line in preface)
    data = _assemble(questions, headings, source=source, bank_id=bank_id.strip(),
                     title=(title or doc_title or bank_id).strip() or bank_id.strip(),
                     language=language, default_points=default_points, skipped=skipped,
                     warnings=warnings)
    bank = parse_bank(data, source=source)
    _LOGGER.info("imported %d questions from %s (%d skipped items, %d warnings)",
                 len(bank.questions), source, len(skipped), len(warnings))
    return ImportResult(bank=bank, data=data, skipped=tuple(skipped), warnings=tuple(warnings))


def format_report(result: ImportResult) -> str:
    """Render a short human summary of an import, for the command line.

    Args:
        result: What `import_document` returned.

    Returns:
        Several lines: questions and points per section, warnings, skipped items (boilerplate
        lines are counted, not listed).
    """
    bank = result.bank
    lines = [f"Imported {len(bank.questions)} questions into bank {bank.id!r} "
             f"({bank.title}), {len(bank.sections)} sections:"]
    for section in bank.sections:
        questions = [q for q in bank.questions if q.section == section.id]
        ids = ", ".join(q.id for q in questions)
        points = sum(q.points for q in questions)
        lines.append(f"  {section.id:<4} {section.title}: {len(questions)} questions ({ids}), "
                     f"{_number(points)} points")
    if result.warnings:
        lines.append(f"Warnings ({len(result.warnings)}):")
        lines.extend(f"  - {warning}" for warning in result.warnings)
    content = [item for item in result.skipped if item.kind != "boilerplate"]
    boilerplate = len(result.skipped) - len(content)
    if content or boilerplate:
        lines.append(f"Skipped ({len(content)} items, {boilerplate} boilerplate lines):")
        lines.extend(f"  - {item.kind} at {item.location}: {item.reason} «{item.snippet}»"
                     for item in content)
    return "\n".join(lines)


def _assemble(questions: tuple[RawQuestion, ...], headings: tuple[SectionHeading, ...], *,
              source: str, bank_id: str, title: str, language: str, default_points: float,
              skipped: list[SkippedItem], warnings: list[str]) -> dict[str, Any]:
    """Build the bank data from the raw questions; collect skipped items and warnings."""
    section_ids = _section_ids(headings)
    entries: list[dict[str, Any]] = []
    used_ids: dict[str, int] = {}
    per_section: Counter[int] = Counter()
    last_position = max(q.position for q in questions)
    for raw in questions:
        heading_index = _heading_of(raw.position, headings)
        heading = headings[heading_index] if heading_index is not None else None
        section = section_ids[heading_index] if heading_index is not None else "s0"
        where = f"question {raw.number}"
        prompt = one_line(raw.prompt).strip(" :：")
        if not letters_and_digits(prompt):
            skipped.append(SkippedItem(kind="question", location=where,
                                       snippet=_snippet(raw.answer), reason="no question text"))
            continue
        garbled = GARBLED_RE.search(prompt)
        if garbled:
            warnings.append(f"{where}: the question text looks garbled near "
                            f"«{prompt[max(0, garbled.start() - 6):garbled.end() + 6]}»; "
                            "check it against the source")
        parts = split_answer(raw.answer, with_closing=raw.marked)
        asked = asked_items(prompt) if parts.from_sentences else ()
        if asked:
            # A story told as the model answer: the question's own list is what to look for.
            parts = replace(parts, points=asked_points(asked, parts.points))
        key_points = _key_points(parts, where, skipped, prompt)
        if not key_points:
            reason = "no key points (no answer text)" if not raw.answer.strip() else \
                "no key points with usable cues"
            skipped.append(SkippedItem(kind="question", location=where, snippet=_snippet(prompt),
                                       reason=reason))
            continue
        question_id = _unique_id(str(raw.number), section, used_ids, warnings)
        points = _points(raw, heading, default_points, where, warnings)
        _check_truncation(raw, parts, len(key_points), is_last=raw.position == last_position,
                          warnings=warnings)
        entry: dict[str, Any] = {"id": question_id, "section": section, "points": points,
                                 "prompt": prompt}
        model_answer = parts.display.strip()
        if model_answer:
            entry["model_answer"] = model_answer
        entry["key_points"] = key_points
        entries.append(entry)
        per_section[heading_index if heading_index is not None else -1] += 1
    if not entries:
        raise BankError(f"{source}: no importable questions in the document "
                        f"({len(questions)} found, all skipped)")
    sections: list[dict[str, str]] = []
    if per_section[-1]:
        sections.append({"id": "s0", "title": "其他问题" if language == "zh" else "Other"})
    for index, heading in enumerate(headings):
        found = per_section[index]
        if not found:
            skipped.append(SkippedItem(kind="section", location=f"section {section_ids[index]}",
                                       snippet=_snippet(heading.title), reason="no questions"))
            continue
        sections.append({"id": section_ids[index], "title": heading.title})
        if heading.count is not None and heading.count != found:
            warnings.append(f"section {section_ids[index]} ({heading.title}) announces "
                            f"{heading.count} questions; {found} imported")
    return {
        "bank": {"id": bank_id, "title": title, "language": language,
                 "description": f"Imported from an interview document: {len(entries)} questions "
                                f"in {len(sections)} sections."},
        "sections": sections,
        "questions": entries,
    }


def _section_ids(headings: tuple[SectionHeading, ...]) -> list[str]:
    ids: list[str] = []
    for heading in headings:
        candidate = f"s{heading.number}"
        suffix = 2
        while candidate in ids:
            candidate = f"s{heading.number}-{suffix}"
            suffix += 1
        ids.append(candidate)
    return ids


def _heading_of(position: int, headings: tuple[SectionHeading, ...]) -> int | None:
    index = bisect.bisect_right([h.position for h in headings], position) - 1
    return index if index >= 0 else None


def _key_points(parts: AnswerParts, where: str, skipped: list[SkippedItem], prompt: str,
                ) -> list[dict[str, Any]]:
    asked = normalise(prompt).replace(" ", "")
    drafts: list[PointDraft] = []
    cue_lists: list[list[str]] = []
    if len(parts.points) > MAX_KEY_POINTS:
        extra = parts.points[MAX_KEY_POINTS]
        skipped.append(SkippedItem(
            kind="key_point", location=f"{where}, points {MAX_KEY_POINTS + 1}-{len(parts.points)}",
            snippet=_snippet(extra.text),
            reason=f"more than {MAX_KEY_POINTS} key points (kept in the model answer)"))
    for number, draft in enumerate(parts.points[:MAX_KEY_POINTS], start=1):
        cues = list(derive_cues(draft.text, draft.label))
        if not cues:
            fallback = normalise(draft.label).replace(" ", "")
            cues = [fallback] if len(fallback) >= MIN_CUE_CHARS else []
        # A word of the question names its topic, not this point: an answer that says
        # "说到发货" to "订单未发货" has not given feedback; a point keeps such cues only when
        # it has no others.
        cues = [cue for cue in cues if cue not in asked] or cues
        if not cues or not draft.label:
            skipped.append(SkippedItem(kind="key_point", location=f"{where}, point {number}",
                                       snippet=_snippet(draft.text), reason="no usable cue words"))
            continue
        drafts.append(draft)
        cue_lists.append(cues)
    return [{"label": draft.label, "cues": cues, "examples": point_examples(draft.text)}
            for draft, cues in zip(drafts, discriminate(cue_lists), strict=True)]


_EXAMPLE_SPLIT_RE = re.compile(r"[，,。；;：:！？!?\n（）()\"“”]")
MAX_EXAMPLES = 8
MIN_EXAMPLE_CHARS = 4


def point_examples(text: str) -> list[str]:
    """The key point's own words in the document, clause by clause: what the judge compares
    answers with by meaning when the bank has no hand-written examples."""
    pieces = (piece.strip(" '\"“”") for piece in _EXAMPLE_SPLIT_RE.split(text))
    return [piece for piece in pieces if len(piece) >= MIN_EXAMPLE_CHARS][:MAX_EXAMPLES]


def _unique_id(wanted: str, section: str, used: dict[str, int], warnings: list[str]) -> str:
    """`wanted`, or `<section>-<wanted>[-n]` when a question number repeats."""
    if wanted not in used:
        used[wanted] = 1
        return wanted
    base = candidate = f"{section}-{wanted}"
    while candidate in used:
        used[base] += 1
        candidate = f"{base}-{used[base]}"
    used[candidate] = 1
    warnings.append(f"question {wanted}: the number is used twice; imported as id "
                    f"{candidate!r}")
    return candidate


def _points(raw: RawQuestion, heading: SectionHeading | None, default: float, where: str,
            warnings: list[str]) -> float | int:
    own = raw.points if raw.points and raw.points > 0 else None
    each = heading.points_each if heading and heading.points_each else None
    if own is not None and each is not None and own != each:
        warnings.append(f"{where}: marked {_number(own)} points, its section says "
                        f"{_number(each)} each; using {_number(own)}")
    value = own or each or default
    return int(value) if float(value).is_integer() else float(value)


def _check_truncation(raw: RawQuestion, parts: AnswerParts, kept: int, *, is_last: bool,
                      warnings: list[str]) -> None:
    announced = ANNOUNCED_RE.search(parts.display.split("\n", 1)[0]) if parts.listed else None
    if announced:
        value = announced.group(1)
        count = int(value) if value.isdigit() else chinese_number(value)
        if count and count > parts.listed:
            warnings.append(f"question {raw.number}: announces {count} steps but has "
                            f"{parts.listed}; the text may be cut off")
    ending = raw.answer.rstrip()
    if is_last and not parts.closing and ending and ending[-1] not in TERMINAL:
        warnings.append(f"question {raw.number}: the document ends inside this question; "
                        f"imported with {kept} key points, the last may be incomplete "
                        f"(«{ending[-SNIPPET_CHARS // 2:]}»)")


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[:SNIPPET_CHARS] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
