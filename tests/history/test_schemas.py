"""Published JSON Schemas, checked against real outputs of the command line."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator.exports.junit import junit_xml
from simulator.schemas import SCHEMA_NAMES, load_schema, validate
from tests.history.records import CALL_EN, CALL_ZH, REPLAY_CHECK, REPLAY_MIXED, REPLAY_ZH, load
from tests.history.test_exports import IMPORT_DOCUMENT, junit_schema

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, module: str = "simulator") -> dict[str, Any]:
    """Run `python -m <module> ARGS` in the repository and parse its stdout as JSON."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    return dict(json.loads(done.stdout))


def test_every_published_schema_is_a_valid_2020_12_schema() -> None:
    """Each file is a draft 2020-12 schema with its URN id, and package data finds it."""
    from jsonschema import Draft202012Validator

    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"urn:interview-sim:schemas:{name}"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize(("name", "args"), [
    ("banks", ("banks", "--json")),
    ("devices", ("devices", "--json")),
    ("score", ("score", "--bank", "cs-zh", "--question", "12", "--text",
               "非常抱歉，我马上查一下系统记录，今天下午五点前给您发货。", "--json")),
    ("score", ("score", "--bank", "cs-en", "--question", "4", "--text",
               "I'm sorry for the wait, let me fix it now.", "--json")),
])
def test_quick_commands_match_their_schemas(name: str, args: tuple[str, ...]) -> None:
    """banks, devices and score --text print documents their schemas accept."""
    validate(run_cli(*args), name)


def test_captured_records_match_their_schemas() -> None:
    """The committed session.json/call.json captures and the replay --json capture."""
    for name in (REPLAY_ZH, REPLAY_MIXED):
        validate(load(name), "session")
    for name in (CALL_EN, CALL_ZH):
        validate(load(name), "call")
    validate(json.loads(REPLAY_CHECK.read_text(encoding="utf-8")), "replay")


def test_schemas_reject_wrong_documents() -> None:
    """A fraction above 1, a missing transcript, an unknown end reason: all refused."""
    from jsonschema import ValidationError

    for mutate in (lambda d: d["turns"][0]["score"].update(fraction=2),
                   lambda d: d["turns"][0].pop("transcript"),
                   lambda d: d["turns"][0]["answer"].update(end_reason="bored"),
                   lambda d: d.update(schema="interview-sim/session/9")):
        document = copy.deepcopy(load(REPLAY_ZH))
        mutate(document)
        with pytest.raises(ValidationError):
            validate(document, "session")


def test_import_json_from_the_cli_matches_its_schema(tmp_path: Path) -> None:
    """The CLI's own import --json against the published schema (objects, with warnings)."""
    source = tmp_path / "doc.txt"
    source.write_text(IMPORT_DOCUMENT, encoding="utf-8")
    validate(run_cli("import", str(source), "-o", str(tmp_path / "doc.toml"), "--json"),
             "import")


@pytest.fixture(scope="module")
def model_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Real outputs of the commands that need the Whisper model, run once for the module."""
    sessions = tmp_path_factory.mktemp("sessions")
    fixtures = ROOT / "audio_fixtures"
    out: dict[str, Any] = {
        "replay": run_cli("replay", str(fixtures / "manifest.json"), "--only", "en-1-short",
                          "--only", "zh-1-short", "--check", "--json", "--save",
                          "--sessions-dir", str(sessions)),
        "call": run_cli("call", "--scenario", "en-long-wait", "--replay",
                        str(fixtures / "en-1-short.wav"), "--no-voice", "--json",
                        "--sessions-dir", str(sessions)),
        "transcribe": run_cli("transcribe", str(fixtures / "zh-1-short.wav"), "--json"),
    }
    out["session.json"] = json.loads((Path(out["replay"]["session_folder"])
                                      / "session.json").read_text(encoding="utf-8"))
    out["call.json"] = json.loads((Path(out["call"]["session_folder"])
                                   / "call.json").read_text(encoding="utf-8"))
    out["history"] = run_cli("history", "--sessions-dir", str(sessions), "--json")
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("output", "schema"), [
    ("replay", "replay"), ("session.json", "session"), ("call", "call"),
    ("call.json", "call"), ("transcribe", "transcribe"), ("history", "history"),
])
def test_model_command_outputs_match_their_schemas(model_outputs: dict[str, Any], output: str,
                                                   schema: str) -> None:
    """replay/call/transcribe --json, the saved records, and history --json (real runs)."""
    validate(model_outputs[output], schema)


@pytest.mark.slow
def test_junit_of_a_real_replay_check_validates(model_outputs: dict[str, Any]) -> None:
    """`replay --check --json` piped through junit_xml gives a valid JUnit file."""
    junit_schema().validate(junit_xml(model_outputs["replay"]))  # type: ignore[attr-defined]
    assert model_outputs["history"]["totals"]["sessions"] == 2
