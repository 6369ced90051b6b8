"""`import --json`: the document the text report describes, as proper JSON.

Today `import --json` prints `{"bank", "questions", "skipped": [str(item), ...]}`: the
skipped items are Python dataclass reprs and the warnings the text output lists are
missing. `import_report_json` keeps `bank` (the file written) and `questions` (the count)
and adds the bank's id, title, language and sections, the warnings, and each skipped item
as an object (`kind`, `location`, `snippet`, `reason`), with boilerplate lines counted the
way the text output counts them. Schema: `simulator/schemas/import.json`.

The argument is read by attribute only (a Protocol, not the importer's classes), so the
later move of the importer does not touch this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol


class _Section(Protocol):
    id: str
    title: str


class _Question(Protocol):
    id: str
    section: str
    points: float


class _Bank(Protocol):
    id: str
    title: str
    language: str

    @property
    def sections(self) -> Sequence[_Section]: ...

    @property
    def questions(self) -> Sequence[_Question]: ...


class _Skipped(Protocol):
    kind: str
    location: str
    snippet: str
    reason: str


class ImportResultLike(Protocol):
    """What `simulator.bank.importer.import_document` returns, as far as this reads it."""

    @property
    def bank(self) -> _Bank: ...

    @property
    def skipped(self) -> Sequence[_Skipped]: ...

    @property
    def warnings(self) -> Sequence[str]: ...


def import_report_json(result: ImportResultLike, output: Path) -> dict[str, Any]:
    """The `import --json` document for an import written to `output`."""
    bank = result.bank
    sections = []
    for section in bank.sections:
        questions = [q for q in bank.questions if q.section == section.id]
        sections.append({"id": section.id, "title": section.title,
                         "questions": len(questions),
                         "question_ids": [q.id for q in questions],
                         "points": sum(q.points for q in questions)})
    content = [s for s in result.skipped if s.kind != "boilerplate"]
    return {
        "bank": str(output),
        "bank_id": bank.id,
        "title": bank.title,
        "language": bank.language,
        "questions": len(bank.questions),
        "sections": sections,
        "warnings": list(result.warnings),
        "skipped": [{"kind": s.kind, "location": s.location, "snippet": s.snippet,
                     "reason": s.reason} for s in content],
        "boilerplate_lines": len(result.skipped) - len(content),
    }
