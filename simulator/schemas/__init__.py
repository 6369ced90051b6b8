"""Published JSON Schemas (draft 2020-12) for every document the tool writes or prints.

| schema | document |
|---|---|
| `session` | `session.json` (`interview-sim/session/1`) |
| `call` | `call.json` and `call --json` (`interview-sim/call/1`) |
| `replay` | `replay --json` (the session shape plus `fixture` per turn and `check_failures`) |
| `transcribe`, `score`, `banks`, `devices` | their `--json` output |
| `import` | `import --json` as `simulator.exports.import_json` writes it |
| `history` | `history --json` (`interview-sim/history/1`) |
| `history_import` | `history import DIR --json` (`interview-sim/history-import/1`) |
| `common` | shared parts (transcript, score, delivery, turn...) the others `$ref` |

Each file's `$id` is `urn:interview-sim:schemas:<name>` and cross-file references use those
URNs, so a validator needs the files registered together (`registry()`), never a network
fetch. Objects allow extra properties: fields get added over time, never renamed.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

SCHEMA_NAMES = ("common", "session", "call", "replay", "transcribe", "score", "banks",
                "devices", "import", "history", "history_import")
URN_PREFIX = "urn:interview-sim:schemas:"


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """One published schema by name (see the table above).

    Raises:
        KeyError: no schema of that name.
    """
    if name not in SCHEMA_NAMES:
        raise KeyError(f"no schema {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def registry() -> Any:
    """A `referencing.Registry` holding every schema under its URN (needs `jsonschema`)."""
    from referencing import Registry, Resource  # installed with jsonschema (test extra)

    return Registry().with_resources(
        (URN_PREFIX + name, Resource.from_contents(load_schema(name))) for name in SCHEMA_NAMES)


def validate(document: object, name: str) -> None:
    """Check a document against a published schema (needs `jsonschema`, the test extra).

    Raises:
        jsonschema.ValidationError: the first problem, with its path in the document.
    """
    from jsonschema import Draft202012Validator

    Draft202012Validator(load_schema(name), registry=registry()).validate(document)
